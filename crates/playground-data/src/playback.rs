//! The playback clock: plays a run's events on the simulated clock at a chosen speed.
//!
//! Pure Rust with no engine or browser types, so it is tested natively: real time is passed in
//! as milliseconds (the page reads `performance.now()`), events are any type with a simulated
//! timestamp, and every decision (what to show now, whether to ask the engine for more steps,
//! how long to sleep) comes back as a [`Tick`] for the caller to carry out.

use std::collections::VecDeque;

/// How fast the simulated clock runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// No pacing: events appear as fast as the engine makes them.
    Instant,
    /// Simulated milliseconds per real millisecond.
    Paced(f64),
}

impl Speed {
    pub const CHOICES: [(&'static str, &'static str); 4] = [
        ("instant", "Instant"),
        ("100", "100× real time"),
        ("10", "10× real time"),
        ("1", "Real time"),
    ];

    pub fn from_key(key: &str) -> Speed {
        match key.parse::<f64>() {
            Ok(f) if f > 0.0 => Speed::Paced(f),
            _ => Speed::Instant,
        }
    }
}

/// How a run advances: played at a speed, or one engine step per Step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    Play(Speed),
    Step,
}

/// Engine steps per request: many when nothing is paced (fewer round trips), few when paced
/// (the page holds what it receives until its time comes).
pub fn steps_per_request(speed: Speed) -> u32 {
    match speed {
        Speed::Instant => 500,
        Speed::Paced(_) => 8,
    }
}

/// What to do after a [`Playback::tick`].
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// The engine has finished and every event is shown: the run is over.
    Finished,
    /// Step mode, the step shown and no reply awaited: wait for the next Step (or Run).
    Paused,
    /// Everything is shown and the execution waits for a task's token to be answered (and,
    /// unpaced, for nothing else but that task's own timeout): wait for the user's answer,
    /// or for Run to let the time pass.
    AwaitingAnswer,
    /// Playing on.
    Continue {
        /// Ask the engine for this many more steps.
        request: Option<u32>,
        /// None of them later on the simulated clock than this (a paced run).
        until_ms: Option<i64>,
        /// Tick again after this many real milliseconds (the next event is not due yet).
        wait_ms: Option<u32>,
    },
}

/// The events whose time has come, and what to do next.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick<E> {
    pub release: Vec<E>,
    pub next: Next,
}

/// A run's events received from the engine but not shown yet, and the paced clock that
/// releases them.
pub struct Playback<E> {
    mode: Mode,
    /// Events received but not yet shown (their simulated time has not come).
    pending: VecDeque<E>,
    /// An event's time on the simulated clock (ms since the epoch).
    timestamp: fn(&E) -> i64,
    /// Pacing: simulated time `sim_base` corresponds to real time `real_base` (ms).
    sim_base: i64,
    real_base: f64,
    /// When the engine's next step happens, as its latest batch said (it stopped short of it).
    engine_next: Option<i64>,
    /// The engine's latest batch said it waits for a task's answer (`Batch::awaiting_answer`).
    awaiting_answer: bool,
}

/// How far ahead of the paced clock the engine may run, in real milliseconds: enough to have
/// the next events at hand, little enough that Stop stops about where the page is.
pub const LOOKAHEAD_REAL_MS: f64 = 250.0;

impl<E> Playback<E> {
    pub fn new(timestamp: fn(&E) -> i64) -> Playback<E> {
        Playback {
            mode: Mode::Play(Speed::Instant),
            pending: VecDeque::new(),
            timestamp,
            sim_base: 0,
            real_base: 0.0,
            engine_next: None,
            awaiting_answer: false,
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// A new run in `mode`: the events of an older one are dropped.
    pub fn reset(&mut self, mode: Mode) {
        self.mode = mode;
        self.pending.clear();
        self.engine_next = None;
        self.awaiting_answer = false;
    }

    /// Drops the events not shown yet (the run was stopped or its engine crashed).
    pub fn clear(&mut self) {
        self.pending.clear();
    }

    /// Takes every event not shown yet, whatever its time (the run is being stopped: what the
    /// engine did up to the stop is shown at once).
    pub fn drain(&mut self) -> Vec<E> {
        self.pending.drain(..).collect()
    }

    /// The execution started at `start_ms` on the simulated clock, at real time `now`; the
    /// number of engine steps to ask for first.
    pub fn started(&mut self, start_ms: i64, now: f64) -> u32 {
        self.sim_base = start_ms;
        self.real_base = now;
        match self.mode {
            Mode::Step => 1,
            Mode::Play(speed) => steps_per_request(speed),
        }
    }

    /// Events the engine made, to be shown when their time comes.
    pub fn receive(&mut self, events: impl IntoIterator<Item = E>) {
        self.pending.extend(events);
    }

    /// When the engine's next step happens, if it stopped short of it (`Batch::next_ms`).
    pub fn engine_next(&mut self, next_ms: Option<i64>) {
        self.engine_next = next_ms;
    }

    /// Whether the engine waits for a task's answer (`Batch::awaiting_answer`).
    pub fn awaiting_answer(&mut self, awaiting: bool) {
        self.awaiting_answer = awaiting;
    }

    /// Plays on past a wait for an answer (Run while waiting): the waiting task's heartbeat or
    /// timeout fires when its time comes, as on AWS when nobody answers.
    pub fn let_time_pass(&mut self, now: f64) {
        self.awaiting_answer = false;
        if let Mode::Step = self.mode {
            self.mode = Mode::Play(Speed::Instant);
        }
        self.real_base = now;
    }

    /// The latest simulated time the engine may step to at real time `now`: a paced run keeps
    /// the engine [`LOOKAHEAD_REAL_MS`] ahead of its clock; other modes do not bound it.
    pub fn until(&self, now: f64) -> Option<i64> {
        match self.mode {
            Mode::Play(Speed::Paced(factor)) => Some(
                self.current_target(now)
                    .saturating_add((LOOKAHEAD_REAL_MS * factor) as i64),
            ),
            _ => None,
        }
    }

    /// A paused (stepped) run plays on at `speed` from `last_shown`, the time of the last event
    /// shown (if any), at real time `now`.
    pub fn play_on(&mut self, speed: Speed, last_shown: Option<i64>, now: f64) {
        self.mode = Mode::Play(speed);
        self.sim_base = last_shown.unwrap_or(self.sim_base);
        self.real_base = now;
    }

    /// Switches to stepping: the batch in flight ends the current step.
    pub fn step_mode(&mut self) {
        self.mode = Mode::Step;
    }

    /// Changes the speed of a playing run at real time `now` without a jump in the simulated
    /// clock; a stepped run keeps stepping.
    pub fn set_speed(&mut self, speed: Speed, now: f64) {
        if let Mode::Play(_) = self.mode {
            self.sim_base = self.current_target(now);
            self.real_base = now;
            self.mode = Mode::Play(speed);
        }
    }

    /// The simulated time the paced clock has reached at real time `now` (the end of time
    /// when nothing is paced).
    pub fn current_target(&self, now: f64) -> i64 {
        match self.mode {
            Mode::Play(Speed::Paced(factor)) => {
                let elapsed = (now - self.real_base).max(0.0) * factor;
                self.sim_base.saturating_add(elapsed as i64)
            }
            _ => i64::MAX,
        }
    }

    /// At real time `now`: the events whose time has come, and what to do next, given whether
    /// the engine has finished the execution (`done`) and whether a request for more steps is
    /// in flight (`awaiting_reply`).
    pub fn tick(&mut self, now: f64, done: bool, awaiting_reply: bool) -> Tick<E> {
        let mut release = Vec::new();
        let mut wait_ms = None;
        let mut request = None;
        let mut until_ms = None;
        match self.mode {
            Mode::Step | Mode::Play(Speed::Instant) => {
                release.extend(self.pending.drain(..));
                if !done && !awaiting_reply {
                    if let Mode::Play(speed) = self.mode {
                        request = Some(steps_per_request(speed));
                    }
                }
            }
            Mode::Play(Speed::Paced(factor)) => {
                let target = self.current_target(now);
                let timestamp = self.timestamp;
                while self.pending.front().is_some_and(|e| timestamp(e) <= target) {
                    if let Some(e) = self.pending.pop_front() {
                        release.push(e);
                    }
                }
                let lookahead = (LOOKAHEAD_REAL_MS * factor) as i64;
                if let Some(next) = self.pending.front() {
                    // Sleep until the next event is due (re-checking now and then).
                    let due = (timestamp(next) - target) as f64 / factor;
                    wait_ms = Some(due.clamp(4.0, 100.0) as u32);
                } else if done || awaiting_reply {
                } else if let Some(next) = self
                    .engine_next
                    .filter(|next| *next > target.saturating_add(lookahead))
                {
                    // The engine's next step is beyond the look-ahead: ask when it comes in.
                    let due = (next.saturating_sub(lookahead) - target) as f64 / factor;
                    wait_ms = Some(due.clamp(4.0, 100.0) as u32);
                } else {
                    request = Some(steps_per_request(Speed::Paced(factor)));
                    until_ms = Some(target.saturating_add(lookahead));
                }
            }
        }
        // Nothing is asked of the engine while it waits for an answer, except a paced clock
        // going on to the waiting task's own timeout.
        let waits = self.awaiting_answer
            && !done
            && self.pending.is_empty()
            && !awaiting_reply
            && (self.engine_next.is_none() || !matches!(self.mode, Mode::Play(Speed::Paced(_))));
        let next = if done && self.pending.is_empty() {
            Next::Finished
        } else if waits {
            Next::AwaitingAnswer
        } else if self.mode == Mode::Step && request.is_none() && !awaiting_reply {
            Next::Paused
        } else {
            Next::Continue {
                request,
                until_ms,
                wait_ms,
            }
        };
        Tick { release, next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Events are their own timestamps.
    fn playback() -> Playback<i64> {
        Playback::new(|t| *t)
    }

    #[test]
    fn a_wait_for_an_answer_holds_the_run_until_time_may_pass() {
        // Unpaced: everything shown, then nothing asked of the engine while it waits.
        let mut p = playback();
        p.reset(Mode::Play(Speed::Instant));
        p.started(0, 0.0);
        p.receive([0, 10]);
        p.engine_next(Some(3_600_000));
        p.awaiting_answer(true);
        let tick = p.tick(0.0, false, false);
        assert_eq!(tick.release, vec![0, 10]);
        assert_eq!(tick.next, Next::AwaitingAnswer);
        // Run lets the time pass: the engine is asked again (its heartbeat timeout fires).
        p.let_time_pass(5.0);
        assert!(matches!(
            p.tick(5.0, false, false).next,
            Next::Continue {
                request: Some(_),
                ..
            }
        ));

        // Paced, with a timeout ahead: the clock goes on towards it.
        let mut p = playback();
        p.reset(Mode::Play(Speed::Paced(1.0)));
        p.started(0, 0.0);
        p.engine_next(Some(60_000));
        p.awaiting_answer(true);
        assert!(matches!(
            p.tick(0.0, false, false).next,
            Next::Continue { .. }
        ));
        // Paced, nothing ahead: wait for the answer.
        p.engine_next(None);
        assert_eq!(p.tick(10.0, false, false).next, Next::AwaitingAnswer);
    }

    #[test]
    fn speed_keys() {
        assert_eq!(Speed::from_key("instant"), Speed::Instant);
        assert_eq!(Speed::from_key("10"), Speed::Paced(10.0));
        assert_eq!(Speed::from_key("1"), Speed::Paced(1.0));
        assert_eq!(Speed::from_key("0"), Speed::Instant);
        assert_eq!(Speed::from_key("-3"), Speed::Instant);
        for (key, _) in Speed::CHOICES {
            let _ = Speed::from_key(key);
        }
    }

    #[test]
    fn first_request_follows_the_mode() {
        let mut p = playback();
        p.reset(Mode::Play(Speed::Instant));
        assert_eq!(p.started(1000, 0.0), 500);
        p.reset(Mode::Play(Speed::Paced(10.0)));
        assert_eq!(p.started(1000, 0.0), 8);
        p.reset(Mode::Step);
        assert_eq!(p.started(1000, 0.0), 1);
    }

    #[test]
    fn instant_plays_everything_at_once_and_asks_for_more() {
        let mut p = playback();
        p.reset(Mode::Play(Speed::Instant));
        p.started(1000, 50.0);
        p.receive([1000, 5000, 1_000_000]);
        let tick = p.tick(50.0, false, false);
        assert_eq!(tick.release, vec![1000, 5000, 1_000_000]);
        assert_eq!(
            tick.next,
            Next::Continue {
                request: Some(500),
                until_ms: None,
                wait_ms: None
            }
        );
        // A request in flight: nothing more to ask for.
        let tick = p.tick(50.0, false, true);
        assert!(tick.release.is_empty());
        assert_eq!(
            tick.next,
            Next::Continue {
                request: None,
                until_ms: None,
                wait_ms: None
            }
        );
    }

    #[test]
    fn finished_once_the_engine_is_done_and_everything_is_shown() {
        let mut p = playback();
        p.reset(Mode::Play(Speed::Instant));
        p.started(0, 0.0);
        p.receive([0, 10]);
        let tick = p.tick(0.0, true, false);
        assert_eq!(tick.release, vec![0, 10]);
        assert_eq!(tick.next, Next::Finished);

        // Paced: not finished while events wait for their time.
        let mut p = playback();
        p.reset(Mode::Play(Speed::Paced(1.0)));
        p.started(0, 0.0);
        p.receive([0, 1000]);
        let tick = p.tick(0.0, true, false);
        assert_eq!(tick.release, vec![0]);
        assert_eq!(
            tick.next,
            Next::Continue {
                request: None,
                until_ms: None,
                wait_ms: Some(100)
            }
        );
        let tick = p.tick(1000.0, true, false);
        assert_eq!(tick.release, vec![1000]);
        assert_eq!(tick.next, Next::Finished);
    }

    #[test]
    fn ten_times_real_time_waits_a_tenth() {
        let mut p = playback();
        p.reset(Mode::Play(Speed::Paced(10.0)));
        p.started(1000, 500.0);
        p.receive([1000, 1300, 2000]);
        // At once: the start; the next event is 300 simulated ms away, 30 real ms.
        let tick = p.tick(500.0, false, false);
        assert_eq!(tick.release, vec![1000]);
        assert_eq!(
            tick.next,
            Next::Continue {
                request: None,
                until_ms: None,
                wait_ms: Some(30)
            }
        );
        // 29 real ms later it is not due yet (1 ms left, but sleeps are at least 4 ms).
        let tick = p.tick(529.0, false, false);
        assert!(tick.release.is_empty());
        assert_eq!(
            tick.next,
            Next::Continue {
                request: None,
                until_ms: None,
                wait_ms: Some(4)
            }
        );
        let tick = p.tick(530.0, false, false);
        assert_eq!(tick.release, vec![1300]);
        // 700 simulated ms to go = 70 real ms.
        assert_eq!(
            tick.next,
            Next::Continue {
                request: None,
                until_ms: None,
                wait_ms: Some(70)
            }
        );
        // Everything shown: ask the engine for a few more steps.
        let tick = p.tick(600.0, false, false);
        assert_eq!(tick.release, vec![2000]);
        assert_eq!(
            tick.next,
            Next::Continue {
                request: Some(8),
                // 2000 reached, and 250 real ms ahead at ten times: 2,500 simulated ms.
                until_ms: Some(4500),
                wait_ms: None
            }
        );
    }

    #[test]
    fn real_time_sleeps_at_most_a_tenth_of_a_second_between_checks() {
        let mut p = playback();
        p.reset(Mode::Play(Speed::Paced(1.0)));
        p.started(0, 0.0);
        p.receive([0, 60_000]);
        assert_eq!(p.tick(0.0, false, false).release, vec![0]);
        let tick = p.tick(30_000.0, false, false);
        assert!(tick.release.is_empty());
        assert_eq!(
            tick.next,
            Next::Continue {
                request: None,
                until_ms: None,
                wait_ms: Some(100)
            }
        );
        assert_eq!(p.current_target(30_000.0), 30_000);
        assert_eq!(p.tick(59_999.0, false, false).release, Vec::<i64>::new());
        assert_eq!(p.tick(60_000.0, false, false).release, vec![60_000]);
    }

    #[test]
    fn the_clock_does_not_run_backwards() {
        let mut p = playback();
        p.reset(Mode::Play(Speed::Paced(1.0)));
        p.started(1000, 500.0);
        assert_eq!(p.current_target(400.0), 1000);
    }

    #[test]
    fn speed_change_mid_run_keeps_the_simulated_time() {
        let mut p = playback();
        p.reset(Mode::Play(Speed::Paced(1.0)));
        p.started(0, 0.0);
        p.receive([0, 1000, 2000]);
        assert_eq!(p.tick(0.0, false, false).release, vec![0]);
        // 500 real ms at real time: 500 simulated ms; then ten times faster.
        p.set_speed(Speed::Paced(10.0), 500.0);
        assert_eq!(p.mode(), Mode::Play(Speed::Paced(10.0)));
        assert_eq!(p.current_target(500.0), 500);
        let tick = p.tick(500.0, false, false);
        assert!(tick.release.is_empty());
        assert_eq!(
            tick.next,
            Next::Continue {
                request: None,
                until_ms: None,
                wait_ms: Some(50)
            }
        );
        assert_eq!(p.tick(550.0, false, false).release, vec![1000]);
        // Instant: the rest at once.
        p.set_speed(Speed::Instant, 560.0);
        assert_eq!(p.tick(560.0, false, false).release, vec![2000]);
    }

    #[test]
    fn speed_change_while_stepping_keeps_stepping() {
        let mut p = playback();
        p.reset(Mode::Step);
        p.started(0, 0.0);
        p.set_speed(Speed::Paced(10.0), 100.0);
        assert_eq!(p.mode(), Mode::Step);
    }

    #[test]
    fn step_shows_its_events_then_pauses() {
        let mut p = playback();
        p.reset(Mode::Step);
        assert_eq!(p.started(0, 0.0), 1);
        // The first step's reply is awaited: neither paused nor asking.
        let tick = p.tick(0.0, false, true);
        assert!(tick.release.is_empty());
        assert_eq!(
            tick.next,
            Next::Continue {
                request: None,
                until_ms: None,
                wait_ms: None
            }
        );
        // Its events, whatever their time, show at once; then the run pauses.
        p.receive([0, 60_000]);
        let tick = p.tick(0.0, false, false);
        assert_eq!(tick.release, vec![0, 60_000]);
        assert_eq!(tick.next, Next::Paused);
        // The last step ends the run.
        p.receive([70_000]);
        let tick = p.tick(0.0, true, false);
        assert_eq!(tick.release, vec![70_000]);
        assert_eq!(tick.next, Next::Finished);
    }

    #[test]
    fn playing_switched_to_stepping_pauses_after_the_batch_in_flight() {
        let mut p = playback();
        p.reset(Mode::Play(Speed::Paced(10.0)));
        p.started(0, 0.0);
        p.step_mode();
        assert_eq!(p.mode(), Mode::Step);
        p.receive([0, 5000]);
        let tick = p.tick(0.0, false, false);
        assert_eq!(tick.release, vec![0, 5000]);
        assert_eq!(tick.next, Next::Paused);
    }

    #[test]
    fn a_paused_run_plays_on_from_the_last_event_shown() {
        let mut p = playback();
        p.reset(Mode::Step);
        p.started(0, 0.0);
        p.receive([0, 3000]);
        assert_eq!(p.tick(0.0, false, false).next, Next::Paused);
        // Run, a minute later: the clock goes on from the last shown event, not from the
        // real time that passed while paused.
        p.play_on(Speed::Paced(1.0), Some(3000), 60_000.0);
        assert_eq!(p.mode(), Mode::Play(Speed::Paced(1.0)));
        assert_eq!(p.current_target(60_000.0), 3000);
        p.receive([3500]);
        let tick = p.tick(60_000.0, false, false);
        assert!(tick.release.is_empty());
        assert_eq!(p.tick(60_500.0, false, false).release, vec![3500]);
        // Nothing shown yet: from where the execution started.
        let mut p = playback();
        p.reset(Mode::Step);
        p.started(7000, 0.0);
        p.play_on(Speed::Paced(1.0), None, 100.0);
        assert_eq!(p.current_target(100.0), 7000);
    }

    #[test]
    fn a_new_run_or_a_stop_drops_the_events_not_shown() {
        let mut p = playback();
        p.reset(Mode::Play(Speed::Paced(1.0)));
        p.started(0, 0.0);
        p.receive([1000, 2000]);
        p.clear();
        assert_eq!(p.tick(5000.0, false, true).release, Vec::<i64>::new());
        p.receive([1000]);
        p.reset(Mode::Play(Speed::Instant));
        assert_eq!(p.tick(0.0, false, true).release, Vec::<i64>::new());
    }

    #[test]
    fn a_stop_shows_every_event_received() {
        let mut p = playback();
        p.reset(Mode::Play(Speed::Paced(1.0)));
        p.started(0, 0.0);
        p.receive([10_000, 20_000]);
        assert!(p.tick(0.0, false, false).release.is_empty(), "not due yet");
        assert_eq!(p.drain(), vec![10_000, 20_000]);
        assert!(p.drain().is_empty());
    }

    #[test]
    fn a_paced_engine_runs_no_further_ahead_than_the_look_ahead() {
        let mut p = playback();
        p.reset(Mode::Play(Speed::Paced(1.0)));
        p.started(0, 0.0);
        assert_eq!(p.until(0.0), Some(250));
        p.receive([0]);
        // The engine stopped short of its next step, a Wait's end at 60 s.
        p.engine_next(Some(60_000));
        let tick = p.tick(0.0, false, false);
        assert_eq!(tick.release, vec![0]);
        assert_eq!(
            tick.next,
            Next::Continue {
                request: None,
                until_ms: None,
                wait_ms: Some(100)
            }
        );
        // 250 real ms before it is due, the engine is asked for it.
        let tick = p.tick(59_750.0, false, false);
        assert_eq!(
            tick.next,
            Next::Continue {
                request: Some(8),
                until_ms: Some(60_000),
                wait_ms: None
            }
        );
    }
}
