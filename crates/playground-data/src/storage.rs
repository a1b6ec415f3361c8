//! Keeping work across reloads: the editors' texts and the chosen example, saved to the
//! browser's localStorage.
//!
//! The logic works on any [`KeyValueStore`], so it is tested natively with [`MemoryStore`];
//! in the browser the store is localStorage (the page's `storage::web` module, wasm32 only).
//!
//! - One record under [`WORK_KEY`], a JSON object with `"version": 1`. The key carries the
//!   version too, so a later format uses a new key and never misreads this one.
//! - Restoring never loses work: a record that cannot be read (garbage, a hand edit, a newer
//!   writer) is copied to a backup key ([`BACKUP_KEY_PREFIX`]`1` to `3`, newest first) before
//!   anything may overwrite it, and [`save`] refuses to overwrite it when that copy fails.

use std::collections::HashMap;
use std::fmt;

use serde_json::{Map, Value};

use crate::examples::{self, Example, Scenario};
use crate::share::{self, SharedWork};
use crate::workspace::{NamedMachine, Tabs, DEFAULT_MACHINE_NAME};

/// The record's version, written in it and in its key.
pub const VERSION: u64 = 1;

/// Where the work is saved.
pub const WORK_KEY: &str = "sfn-playground.work.v1";

/// Unreadable records are kept under this prefix followed by `1` (newest) to [`BACKUP_SLOTS`].
pub const BACKUP_KEY_PREFIX: &str = "sfn-playground.work.v1.unreadable.";

/// How many unreadable records are kept; storage is small (about 5 MiB per site), so the
/// oldest is dropped when a fourth arrives.
pub const BACKUP_SLOTS: usize = 3;

/// What is saved: the three editors' texts exactly as typed, and which example (and scenario
/// of it) they started from, so the examples menu shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SavedWork {
    pub definition: String,
    pub input: String,
    pub mocks: String,
    /// An [`crate::examples::Example`] id, e.g. `tutorial`.
    pub example: Option<String>,
    /// A scenario id of that example, e.g. `429`.
    pub scenario: Option<String>,
    /// The name of the state machine in the definition editor (empty: the default name).
    pub name: String,
    /// The workspace's other state machines, in tab order (see [`crate::workspace`]).
    pub machines: Vec<NamedMachine>,
    /// The place of the editor's machine among the tabs.
    pub position: usize,
    /// The Tests editor's test file (empty: none; records written before it have none).
    pub tests: String,
}

/// Why saved work could not be read, or storage could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageError {
    /// The saved record is not one this playground wrote (the reason says what is wrong).
    Unreadable(String),
    /// The browser refused: storage disabled (private mode, settings) or full.
    Unavailable(String),
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageError::Unreadable(why) => write!(f, "The saved work cannot be read: {why}"),
            StorageError::Unavailable(why) => {
                write!(f, "The browser's storage cannot be used: {why}")
            }
        }
    }
}

impl std::error::Error for StorageError {}

/// The record's JSON text.
pub fn to_json(work: &SavedWork) -> String {
    let mut record = Map::new();
    record.insert("version".into(), Value::from(VERSION));
    record.insert("definition".into(), Value::String(work.definition.clone()));
    record.insert("input".into(), Value::String(work.input.clone()));
    record.insert("mocks".into(), Value::String(work.mocks.clone()));
    let optional = |text: &Option<String>| text.clone().map_or(Value::Null, Value::String);
    record.insert("example".into(), optional(&work.example));
    record.insert("scenario".into(), optional(&work.scenario));
    if !work.machines.is_empty() || !work.name.is_empty() {
        record.insert("name".into(), Value::String(work.name.clone()));
        record.insert("machines".into(), machines_json(&work.machines));
        record.insert("position".into(), Value::from(work.position));
    }
    if !work.tests.is_empty() {
        record.insert("tests".into(), Value::String(work.tests.clone()));
    }
    Value::Object(record).to_string()
}

/// Reads a record written by [`to_json`]. Fields a later version 1 writer adds are ignored.
pub fn from_json(text: &str) -> Result<SavedWork, StorageError> {
    let unreadable = |why: String| StorageError::Unreadable(why);
    let value: Value =
        serde_json::from_str(text).map_err(|e| unreadable(format!("not valid JSON ({e})")))?;
    let Value::Object(record) = value else {
        return Err(unreadable("not a JSON object".into()));
    };
    match record.get("version") {
        Some(version) if version.as_u64() == Some(VERSION) => {}
        Some(version) => {
            return Err(unreadable(format!(
                "it has version {version}, this playground reads version {VERSION}"
            )))
        }
        None => return Err(unreadable("it has no version".into())),
    }
    let text = |name: &str| match record.get(name) {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(_) => Err(unreadable(format!("its {name} is not a text"))),
        None => Err(unreadable(format!("it has no {name}"))),
    };
    let optional = |name: &str| match record.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(unreadable(format!("its {name} is not a text"))),
    };
    let workspace = machines_from_json(&record).map_err(unreadable)?;
    Ok(SavedWork {
        definition: text("definition")?,
        input: text("input")?,
        mocks: text("mocks")?,
        example: optional("example")?,
        scenario: optional("scenario")?,
        name: workspace.0,
        machines: workspace.1,
        position: workspace.2,
        tests: optional("tests")?.unwrap_or_default(),
    })
}

/// The other machines as a JSON array of `{"name", "definition"}`.
pub(crate) fn machines_json(machines: &[NamedMachine]) -> Value {
    Value::Array(
        machines
            .iter()
            .map(|m| serde_json::json!({"name": m.name, "definition": m.definition}))
            .collect(),
    )
}

/// The workspace fields of a record or share link (`name`, `machines`, `position`), all
/// optional: records and links written before there were several machines have none.
pub(crate) fn machines_from_json(
    record: &Map<String, Value>,
) -> Result<(String, Vec<NamedMachine>, usize), String> {
    let name = match record.get("name") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(name)) => name.clone(),
        Some(_) => return Err("its name is not a text".into()),
    };
    let machines = match record.get("machines") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .map(|m| {
                let field = |key: &str| m.get(key).and_then(Value::as_str).map(str::to_owned);
                match (field("name"), field("definition")) {
                    (Some(name), Some(definition)) => Ok(NamedMachine { name, definition }),
                    _ => {
                        Err("a state machine of its workspace has no name or definition".to_owned())
                    }
                }
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("its machines are not a list".into()),
    };
    let position = record
        .get("position")
        .and_then(Value::as_u64)
        .and_then(|p| usize::try_from(p).ok())
        .unwrap_or(0)
        .min(machines.len());
    Ok((name, machines, position))
}

impl SavedWork {
    /// The work an example's scenario starts: its definition, mocks and that input.
    pub fn from_example(example: &Example, scenario: &Scenario) -> SavedWork {
        SavedWork {
            definition: example.definition.to_string(),
            input: scenario.input.to_string(),
            mocks: example.mocks.to_string(),
            example: Some(example.id.to_string()),
            scenario: Some(scenario.id.to_string()),
            name: example.name.to_string(),
            machines: example_machines(example),
            position: 0,
            tests: example.tests.to_string(),
        }
    }

    /// The work of a share link (which names no example).
    pub fn from_shared(work: SharedWork) -> SavedWork {
        SavedWork {
            definition: work.definition,
            input: work.input,
            mocks: work.mocks,
            example: None,
            scenario: None,
            name: work.name,
            machines: work.machines,
            position: work.position,
            tests: work.tests,
        }
    }

    /// The texts a share link carries.
    pub fn to_shared(&self) -> SharedWork {
        SharedWork {
            definition: self.definition.clone(),
            input: self.input.clone(),
            mocks: self.mocks.clone(),
            name: self.name.clone(),
            machines: self.machines.clone(),
            position: self.position,
            tests: self.tests.clone(),
        }
    }

    /// The editor's machine's name (the default one when none was given).
    pub fn machine_name(&self) -> &str {
        if self.name.is_empty() {
            DEFAULT_MACHINE_NAME
        } else {
            &self.name
        }
    }

    /// The workspace's tabs.
    pub fn tabs(&self) -> Tabs {
        Tabs {
            shown: self.machine_name().to_owned(),
            position: self.position,
            others: self.machines.clone(),
        }
    }
}

/// An example's other state machines.
pub fn example_machines(example: &Example) -> Vec<NamedMachine> {
    example
        .machines
        .iter()
        .map(|(name, definition)| NamedMachine {
            name: (*name).to_owned(),
            definition: (*definition).to_owned(),
        })
        .collect()
}

/// What the page opens with, and what to tell the user about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Startup {
    pub work: SavedWork,
    /// Where it comes from.
    pub source: StartupSource,
    /// Problems to show (a bad link, unreadable saved work and where it was kept, no
    /// storage), one sentence each.
    pub notices: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartupSource {
    SharedLink,
    SavedWork,
    DefaultExample,
}

/// Decides what the page opens with: a share link in the fragment wins (the user clicked it),
/// then the saved work, then the default example's first scenario. `fragment` is
/// `location.hash` (with or without `#`, empty when none); `restored` is what [`restore`]
/// gave. A fragment that is not a share link (e.g. `#top`) is ignored silently.
pub fn startup(fragment: &str, restored: Restored) -> Startup {
    let mut notices = Vec::new();
    if share::is_share_fragment(fragment) {
        match share::decode(fragment) {
            Ok(shared) => {
                return Startup {
                    work: SavedWork::from_shared(shared),
                    source: StartupSource::SharedLink,
                    notices,
                }
            }
            Err(error) => notices.push(error.to_string()),
        }
    }
    match restored {
        Restored::Work(work) => {
            return Startup {
                work,
                source: StartupSource::SavedWork,
                notices,
            }
        }
        Restored::Nothing => {}
        Restored::Unreadable { error, backup_key } => {
            notices.push(match backup_key {
                Some(key) => format!("{error}. It was kept in localStorage under \"{key}\"."),
                None => format!("{error}. It could not be copied aside, so it is left in place and work is not saved."),
            });
        }
        Restored::Unavailable(error) => {
            notices.push(format!("{error}. Work will not survive a reload."));
        }
    }
    let example = examples::default_example();
    let work = match example.default_scenario() {
        Some(scenario) => SavedWork::from_example(example, scenario),
        None => SavedWork {
            definition: example.definition.to_string(),
            mocks: example.mocks.to_string(),
            tests: example.tests.to_string(),
            example: Some(example.id.to_string()),
            ..SavedWork::default()
        },
    };
    Startup {
        work,
        source: StartupSource::DefaultExample,
        notices,
    }
}

/// The few calls of localStorage the logic needs.
pub trait KeyValueStore {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError>;
    fn set(&mut self, key: &str, value: &str) -> Result<(), StorageError>;
}

/// A store in memory: for tests, and a fallback where the browser gives no storage.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    pub entries: HashMap<String, String>,
}

impl KeyValueStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        Ok(self.entries.get(key).cloned())
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StorageError> {
        self.entries.insert(key.to_string(), value.to_string());
        Ok(())
    }
}

/// What [`restore`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restored {
    /// Nothing saved yet: start from the default example.
    Nothing,
    /// The saved work.
    Work(SavedWork),
    /// A record that cannot be read. `backup_key` is where it was kept (`None` if keeping it
    /// failed: then [`save`] will not overwrite it either). The app should say so, and start
    /// from the default example.
    Unreadable {
        error: StorageError,
        backup_key: Option<String>,
    },
    /// The store could not be read at all (storage disabled): work will not survive a reload.
    Unavailable(StorageError),
}

/// Reads the saved work; an unreadable record is first copied to a backup key.
pub fn restore(store: &mut dyn KeyValueStore) -> Restored {
    let text = match store.get(WORK_KEY) {
        Ok(Some(text)) => text,
        Ok(None) => return Restored::Nothing,
        Err(error) => return Restored::Unavailable(error),
    };
    match from_json(&text) {
        Ok(work) => Restored::Work(work),
        Err(error) => Restored::Unreadable {
            error,
            backup_key: back_up(store, &text).ok(),
        },
    }
}

/// Saves the work. If the record it replaces cannot be read (another tab, an older bug, a
/// hand edit), that record is backed up first, and the save fails rather than lose it when
/// the backup cannot be written.
pub fn save(store: &mut dyn KeyValueStore, work: &SavedWork) -> Result<(), StorageError> {
    if let Some(previous) = store.get(WORK_KEY)? {
        if from_json(&previous).is_err() {
            back_up(store, &previous)?;
        }
    }
    store.set(WORK_KEY, &to_json(work))
}

/// Where the user's own work is kept when an example replaces it, so that "Your own work" in
/// the Example menu brings it back, also after a reload.
pub const OWN_WORK_KEY: &str = "sfn-playground.own-work.v1";

/// Keeps the user's own work aside (an example is about to replace it).
pub fn save_own_work(store: &mut dyn KeyValueStore, work: &SavedWork) -> Result<(), StorageError> {
    store.set(OWN_WORK_KEY, &to_json(work))
}

/// The own work kept aside, if any can be read.
pub fn restore_own_work(store: &dyn KeyValueStore) -> Option<SavedWork> {
    let text = store.get(OWN_WORK_KEY).ok().flatten()?;
    from_json(&text).ok()
}

/// Where the playback speed chosen last is kept (a key of `playback::Speed::CHOICES`).
pub const SPEED_KEY: &str = "sfn-playground.speed.v1";

/// The speed chosen last, if it is one the page offers.
pub fn restore_speed(store: &dyn KeyValueStore) -> Option<String> {
    let key = store.get(SPEED_KEY).ok().flatten()?;
    crate::playback::Speed::CHOICES
        .iter()
        .any(|(choice, _)| *choice == key)
        .then_some(key)
}

/// The backup keys, newest first.
pub fn backup_keys() -> Vec<String> {
    (1..=BACKUP_SLOTS)
        .map(|slot| format!("{BACKUP_KEY_PREFIX}{slot}"))
        .collect()
}

/// Keeps `text` as the newest backup and returns its key. A text already kept is not kept
/// twice (restoring the same garbage on every reload must not push real backups out).
fn back_up(store: &mut dyn KeyValueStore, text: &str) -> Result<String, StorageError> {
    let keys = backup_keys();
    let mut kept = Vec::with_capacity(keys.len());
    for key in &keys {
        let value = store.get(key)?;
        if value.as_deref() == Some(text) {
            return Ok(key.clone());
        }
        kept.push(value);
    }
    // Shift the others one slot older (the oldest drops out), then put the text first.
    for (key, value) in keys.iter().skip(1).zip(&kept) {
        if let Some(value) = value {
            store.set(key, value)?;
        }
    }
    let newest = keys
        .first()
        .ok_or_else(|| StorageError::Unavailable("no backup slot".into()))?;
    store.set(newest, text)?;
    Ok(newest.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work() -> SavedWork {
        SavedWork {
            definition: "{\"StartAt\": \"É\", \"States\": {}}\n".into(),
            input: "{\n  \"statuscode\": \"429\"\n}".into(),
            mocks: "not even JSON: kept as typed".into(),
            example: Some("tutorial".into()),
            scenario: Some("429".into()),
            ..SavedWork::default()
        }
    }

    #[test]
    fn only_a_speed_the_page_offers_is_restored() {
        let mut store = MemoryStore::default();
        assert_eq!(restore_speed(&store), None);
        store.set(SPEED_KEY, "100").expect("set");
        assert_eq!(restore_speed(&store).as_deref(), Some("100"));
        store.set(SPEED_KEY, "1e9").expect("set");
        assert_eq!(restore_speed(&store), None);
    }

    #[test]
    fn own_work_is_kept_aside_apart_from_the_work() {
        let mut store = MemoryStore::default();
        assert_eq!(restore_own_work(&store), None);
        save_own_work(&mut store, &work()).expect("saved");
        assert_eq!(restore_own_work(&store), Some(work()));
        assert!(
            matches!(restore(&mut store), Restored::Nothing),
            "not the work itself"
        );
        store.entries.insert(OWN_WORK_KEY.into(), "garbage".into());
        assert_eq!(restore_own_work(&store), None);
    }

    /// A store whose writes fail, like a full localStorage.
    #[derive(Default)]
    struct FullStore(MemoryStore);

    impl KeyValueStore for FullStore {
        fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
            self.0.get(key)
        }
        fn set(&mut self, _: &str, _: &str) -> Result<(), StorageError> {
            Err(StorageError::Unavailable("QuotaExceededError".into()))
        }
    }

    /// A store that cannot even be read, like localStorage in some privacy modes.
    struct DisabledStore;

    impl KeyValueStore for DisabledStore {
        fn get(&self, _: &str) -> Result<Option<String>, StorageError> {
            Err(StorageError::Unavailable("SecurityError".into()))
        }
        fn set(&mut self, _: &str, _: &str) -> Result<(), StorageError> {
            Err(StorageError::Unavailable("SecurityError".into()))
        }
    }

    fn backup(store: &MemoryStore, slot: usize) -> Option<&str> {
        store
            .entries
            .get(&format!("{BACKUP_KEY_PREFIX}{slot}"))
            .map(String::as_str)
    }

    #[test]
    fn records_round_trip() {
        let cases = [
            SavedWork::default(),
            work(),
            SavedWork {
                example: None,
                scenario: None,
                ..work()
            },
            SavedWork {
                definition: "🎉 \u{0} \\ \"".repeat(10_000),
                ..work()
            },
            SavedWork {
                name: "Parent".into(),
                machines: vec![NamedMachine {
                    name: "Child".into(),
                    definition: "{\"StartAt\": \"A\"}".into(),
                }],
                position: 1,
                ..work()
            },
            SavedWork {
                tests: "{\"stateMachine\": \"d.asl.json\", \"cases\": []}".into(),
                ..work()
            },
        ];
        for original in cases {
            assert_eq!(from_json(&to_json(&original)), Ok(original));
        }
        // Without a test file, the record is as one written before the Tests editor.
        assert!(!to_json(&work()).contains("tests"));
        let tests = r#"{"version": 1, "definition": "d", "input": "i", "mocks": "m", "tests": 7}"#;
        assert_eq!(
            from_json(tests),
            Err(StorageError::Unreadable("its tests is not a text".into()))
        );
    }

    #[test]
    fn garbage_is_unreadable_with_a_reason() {
        let cases = [
            (
                "",
                "not valid JSON (EOF while parsing a value at line 1 column 0)",
            ),
            (
                "{\"version\": 1, \"definition\": \"",
                "not valid JSON (EOF while parsing a string at line 1 column 30)",
            ),
            ("[1, 2]", "not a JSON object"),
            ("null", "not a JSON object"),
            (
                r#"{"definition": "", "input": "", "mocks": ""}"#,
                "it has no version",
            ),
            (
                r#"{"version": 2, "definition": "", "input": "", "mocks": ""}"#,
                "it has version 2, this playground reads version 1",
            ),
            (
                r#"{"version": "1", "definition": "", "input": "", "mocks": ""}"#,
                "it has version \"1\", this playground reads version 1",
            ),
            (
                r#"{"version": 1, "input": "", "mocks": ""}"#,
                "it has no definition",
            ),
            (
                r#"{"version": 1, "definition": "", "input": 5, "mocks": ""}"#,
                "its input is not a text",
            ),
            (
                r#"{"version": 1, "definition": "", "input": "", "mocks": "", "example": 3}"#,
                "its example is not a text",
            ),
        ];
        for (text, why) in cases {
            assert_eq!(
                from_json(text),
                Err(StorageError::Unreadable(why.into())),
                "{text}"
            );
        }
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let text =
            r#"{"version": 1, "definition": "d", "input": "i", "mocks": "m", "theme": "dark"}"#;
        assert_eq!(
            from_json(text),
            Ok(SavedWork {
                definition: "d".into(),
                input: "i".into(),
                mocks: "m".into(),
                example: None,
                scenario: None,
                ..SavedWork::default()
            })
        );
    }

    #[test]
    fn save_then_restore() {
        let mut store = MemoryStore::default();
        assert_eq!(restore(&mut store), Restored::Nothing);
        save(&mut store, &work()).unwrap();
        assert_eq!(restore(&mut store), Restored::Work(work()));
        let edited = SavedWork {
            input: "{}".into(),
            ..work()
        };
        save(&mut store, &edited).unwrap();
        assert_eq!(restore(&mut store), Restored::Work(edited));
        assert_eq!(store.entries.len(), 1, "no backups of readable work");
    }

    #[test]
    fn unreadable_work_is_backed_up_before_it_can_be_overwritten() {
        let mut store = MemoryStore::default();
        store
            .entries
            .insert(WORK_KEY.into(), "{\"version\": 1, \"defin".into());
        let restored = restore(&mut store);
        let Restored::Unreadable { error, backup_key } = restored else {
            panic!("{restored:?}");
        };
        assert!(matches!(error, StorageError::Unreadable(_)));
        assert_eq!(
            backup_key.as_deref(),
            Some("sfn-playground.work.v1.unreadable.1")
        );
        assert_eq!(backup(&store, 1), Some("{\"version\": 1, \"defin"));
        // Restoring again (a reload before any save) keeps one copy, not two.
        restore(&mut store);
        assert_eq!(backup(&store, 2), None);
        save(&mut store, &work()).unwrap();
        assert_eq!(restore(&mut store), Restored::Work(work()));
        assert_eq!(backup(&store, 1), Some("{\"version\": 1, \"defin"));
    }

    #[test]
    fn save_backs_up_unreadable_work_it_was_not_told_about() {
        // Another tab (or a newer playground) wrote a record this one cannot read.
        let mut store = MemoryStore::default();
        let newer = r#"{"version": 2, "files": []}"#;
        store.entries.insert(WORK_KEY.into(), newer.into());
        save(&mut store, &work()).unwrap();
        assert_eq!(backup(&store, 1), Some(newer));
        assert_eq!(restore(&mut store), Restored::Work(work()));
    }

    #[test]
    fn backups_keep_the_newest_three() {
        let mut store = MemoryStore::default();
        for n in 1..=4 {
            store
                .entries
                .insert(WORK_KEY.into(), format!("garbage {n}"));
            restore(&mut store);
        }
        assert_eq!(backup(&store, 1), Some("garbage 4"));
        assert_eq!(backup(&store, 2), Some("garbage 3"));
        assert_eq!(backup(&store, 3), Some("garbage 2"));
        assert_eq!(store.entries.len(), 4, "the work key and three backups");
    }

    #[test]
    fn a_full_store_never_loses_unreadable_work() {
        let mut store = FullStore::default();
        store.0.entries.insert(WORK_KEY.into(), "garbage".into());
        let restored = restore(&mut store);
        assert_eq!(
            restored,
            Restored::Unreadable {
                error: StorageError::Unreadable(
                    "not valid JSON (expected value at line 1 column 1)".into()
                ),
                backup_key: None,
            }
        );
        assert_eq!(
            save(&mut store, &work()),
            Err(StorageError::Unavailable("QuotaExceededError".into()))
        );
        assert_eq!(
            store.0.entries.get(WORK_KEY).map(String::as_str),
            Some("garbage")
        );
    }

    #[test]
    fn disabled_storage_is_reported() {
        let error = StorageError::Unavailable("SecurityError".into());
        assert_eq!(
            restore(&mut DisabledStore),
            Restored::Unavailable(error.clone())
        );
        assert_eq!(save(&mut DisabledStore, &work()), Err(error));
    }

    #[test]
    fn startup_prefers_the_link_then_the_saved_work_then_the_tutorial() {
        let shared = SharedWork {
            definition: "{\"StartAt\": \"S\"}".into(),
            input: "{}".into(),
            mocks: "".into(),
            ..SharedWork::default()
        };
        let link = format!("#{}", share::encode(&shared).unwrap());
        let tutorial = SavedWork::from_example(
            examples::default_example(),
            &examples::default_example().scenarios[0],
        );
        let unreadable = Restored::Unreadable {
            error: StorageError::Unreadable("it has no version".into()),
            backup_key: Some(format!("{BACKUP_KEY_PREFIX}1")),
        };
        let stuck = Restored::Unreadable {
            error: StorageError::Unreadable("it has no version".into()),
            backup_key: None,
        };
        // (name, fragment, what restore gave, expected work, source, notices)
        type Case<'a> = (
            &'a str,
            &'a str,
            Restored,
            SavedWork,
            StartupSource,
            Vec<&'a str>,
        );
        let cases: Vec<Case> = vec![
            ("link wins", &link, Restored::Work(work()), SavedWork::from_shared(shared.clone()), StartupSource::SharedLink, vec![]),
            ("saved work", "", Restored::Work(work()), work(), StartupSource::SavedWork, vec![]),
            ("another fragment is ignored", "#top", Restored::Work(work()), work(), StartupSource::SavedWork, vec![]),
            (
                "a bad link falls back to the saved work, and says why",
                "#v1:AAAA",
                Restored::Work(work()),
                work(),
                StartupSource::SavedWork,
                vec!["This link is damaged: its data is not compressed as a share link's is"],
            ),
            ("nothing saved", "", Restored::Nothing, tutorial.clone(), StartupSource::DefaultExample, vec![]),
            (
                "unreadable saved work",
                "",
                unreadable,
                tutorial.clone(),
                StartupSource::DefaultExample,
                vec!["The saved work cannot be read: it has no version. It was kept in localStorage under \"sfn-playground.work.v1.unreadable.1\"."],
            ),
            (
                "unreadable and not copied",
                "",
                stuck,
                tutorial.clone(),
                StartupSource::DefaultExample,
                vec!["The saved work cannot be read: it has no version. It could not be copied aside, so it is left in place and work is not saved."],
            ),
            (
                "no storage and a newer link",
                "#v9:abc",
                Restored::Unavailable(StorageError::Unavailable("SecurityError".into())),
                tutorial.clone(),
                StartupSource::DefaultExample,
                vec![
                    "This link was made by a newer playground (format v9); this one reads format v1",
                    "The browser's storage cannot be used: SecurityError. Work will not survive a reload.",
                ],
            ),
        ];
        for (name, fragment, restored, work, source, notices) in cases {
            let got = startup(fragment, restored);
            assert_eq!(got.work, work, "{name}");
            assert_eq!(got.source, source, "{name}");
            assert_eq!(got.notices, notices, "{name}");
        }
        assert_eq!(tutorial.example.as_deref(), Some("tutorial"));
        assert_eq!(tutorial.scenario.as_deref(), Some("200"));
        assert_eq!(
            SavedWork::from_shared(work().to_shared()).definition,
            work().definition
        );
    }

    #[test]
    fn errors_read_as_sentences() {
        assert_eq!(
            StorageError::Unreadable("it has no version".into()).to_string(),
            "The saved work cannot be read: it has no version"
        );
        assert_eq!(
            StorageError::Unavailable("QuotaExceededError".into()).to_string(),
            "The browser's storage cannot be used: QuotaExceededError"
        );
    }
}
