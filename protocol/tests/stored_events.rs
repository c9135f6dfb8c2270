//! The log is a contract: servers of different versions read each other's events during a
//! rolling upgrade, resuming clients read old ones, reports fold them years later. One golden
//! sample per event type (`events/<kind>.json`) and one frame (`frame.json`) are checked in;
//! today's code must read each and write it back unchanged. A change that renames, retypes or
//! drops a field fails here. The format evolves by adding: new event types, and new fields
//! that old samples may lack (`#[serde(default)]`, and skipped when empty or absent so that
//! an old event is written back as it was stored).

use std::collections::BTreeSet;
use std::path::Path;

use porch_protocol::{Event, EventFrame};
use serde_json::Value;

fn sample(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

#[test]
fn every_event_type_reads_its_golden_sample_and_writes_it_back_unchanged() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/events");
    let mut kinds = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let stored = sample(&path);
        let event: Event = serde_json::from_value(stored.clone())
            .unwrap_or_else(|e| panic!("today's code cannot read {path:?}: {e}"));
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        assert_eq!(event.kind(), name, "{path:?} holds another type");
        let written = serde_json::to_value(&event).unwrap();
        assert_eq!(written, stored, "{path:?} is written differently now");
        kinds.insert(name);
    }
    let every: BTreeSet<String> = Event::KINDS.iter().map(|k| k.to_string()).collect();
    assert_eq!(kinds, every, "one sample per event type, no more");
}

#[test]
fn a_frame_reads_and_writes_back_unchanged() {
    let stored = sample(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/frame.json"));
    let frame: EventFrame = serde_json::from_value(stored.clone()).unwrap();
    assert_eq!(serde_json::to_value(&frame).unwrap(), stored);
}

#[test]
fn every_kind_of_actor_reads_and_writes_back_unchanged() {
    let stored = sample(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/actors.json"));
    let actors: Vec<porch_protocol::Actor> = serde_json::from_value(stored.clone()).unwrap();
    assert_eq!(serde_json::to_value(&actors).unwrap(), stored);
}
