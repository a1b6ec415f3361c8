//! Regular expressions for the `=~` filter operator, with the meaning Java's
//! `java.util.regex.Pattern` gives them (AWS evaluates JSONPath with Jayway JsonPath, in Java):
//! the pattern is translated to the `regex` crate family's syntax (`translate.rs`) and matched
//! by `regex-automata`, whose matching time is linear in the text for every pattern. Like
//! Jayway's `Matcher.matches()`, a pattern must match the whole string. Constructs with no
//! linear-time match (backreferences, lookaround, atomic groups, possessive quantifiers) are
//! refused when the pattern is read, with their name and index, so a match is never silently
//! false.
//!
//! Memory is bounded too: counted repetitions make a compiled pattern far larger than its text
//! (`\p{L}{1,100}` is megabytes), so each pattern has a size limit, and the patterns alive on a
//! thread together have one, charged when compiled and given back when dropped; a definition
//! that would pass it is refused when read.

mod size;
mod translate;

#[cfg(test)]
mod tests;

use std::cell::Cell;
use std::rc::Rc;

use regex_automata::meta;
use translate::{translate, Flags};

/// The most one compiled pattern (its automaton) may take, checked on an upper bound of its
/// size before it is compiled (`size.rs`).
const MAX_PATTERN_BYTES: usize = 32 << 20;

/// The longest pattern read: far beyond what anyone writes, it bounds the work of reading one
/// (a Unicode class such as `\p{L}` is read as hundreds of ranges).
const MAX_PATTERN_CHARS: usize = 16_384;

/// The most the lazy DFA of one pattern caches while matching; past it the DFA starts over or
/// gives way to a slower linear engine.
const MATCH_CACHE_BYTES: usize = 128 << 10;

/// What a pattern is charged besides its automaton: its match caches (the lazy DFA's, the
/// bounded backtracker's visited set).
const CACHE_CHARGE: usize = MATCH_CACHE_BYTES + (256 << 10);

/// The most the patterns alive on one thread may take together.
const MAX_LIVE_BYTES: usize = 256 << 20;

thread_local! {
    static LIVE_BYTES: Cell<usize> = const { Cell::new(0) };
}

#[derive(Debug, Clone)]
pub struct Regex {
    /// The pattern and flags as written, which is what two filters compare by.
    source: (String, String),
    compiled: Rc<Compiled>,
}

/// A compiled pattern and what it is charged on its thread, given back when dropped.
#[derive(Debug)]
struct Compiled {
    regex: meta::Regex,
    charge: usize,
}

impl Drop for Compiled {
    fn drop(&mut self) {
        LIVE_BYTES.set(LIVE_BYTES.get().saturating_sub(self.charge));
    }
}

impl PartialEq for Regex {
    fn eq(&self, other: &Regex) -> bool {
        self.source == other.source
    }
}

impl Regex {
    /// The pattern of `/pattern/flags`; the flags are Jayway's letters (`i`, `m`, `s`, `u`,
    /// `x`, `d`, `U`; `c` is accepted and, as in Jayway, has no effect).
    pub fn new(pattern: &str, flag_letters: &str) -> Result<Regex, String> {
        let mut flags = Flags::default();
        for letter in flag_letters.chars() {
            if !flags.set(letter, true) && letter != 'c' {
                return Err(format!("Unknown regular expression flag '{letter}'"));
            }
        }
        if pattern.chars().count() > MAX_PATTERN_CHARS {
            return Err(format!(
                "A regular expression may have at most {MAX_PATTERN_CHARS} characters"
            ));
        }
        let invalid =
            |e: &dyn std::fmt::Display| format!("Invalid regular expression /{pattern}/: {e}");
        let translated = translate(pattern, flags).map_err(|e| invalid(&e))?;
        let hir = regex_automata::util::syntax::parse(&format!(r"\A(?:{translated})\z"))
            .map_err(|e| invalid(&e))?;
        let too_large = || {
            format!(
                "Regular expression /{pattern}/ is too large: its repetitions would compile to \
                 more than {} MiB",
                MAX_PATTERN_BYTES >> 20
            )
        };
        if size::compiled_bound(&hir) > MAX_PATTERN_BYTES {
            return Err(too_large());
        }
        let regex = meta::Regex::builder()
            .configure(
                meta::Config::new()
                    .nfa_size_limit(Some(MAX_PATTERN_BYTES))
                    .hybrid_cache_capacity(MATCH_CACHE_BYTES),
            )
            .build_from_hir(&hir)
            .map_err(|e| {
                if e.size_limit().is_some() {
                    too_large()
                } else {
                    invalid(&e)
                }
            })?;
        let charge = regex.memory_usage().saturating_add(CACHE_CHARGE);
        let live = LIVE_BYTES.get().saturating_add(charge);
        if live > MAX_LIVE_BYTES {
            return Err(format!(
                "Regular expression /{pattern}/ is one too many: the regular expressions read \
                 together would take more than {} MiB",
                MAX_LIVE_BYTES >> 20
            ));
        }
        LIVE_BYTES.set(live);
        Ok(Regex {
            source: (pattern.to_string(), flag_letters.to_string()),
            compiled: Rc::new(Compiled { regex, charge }),
        })
    }

    /// Whether the whole of `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        self.compiled.regex.is_match(text)
    }
}
