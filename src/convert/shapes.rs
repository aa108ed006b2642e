//! Remembered dict shapes, for Python → `serde_json::Value`.
//!
//! serde_json keeps key order with an `IndexMap` hashed by SipHash: inserting a key costs a
//! SipHash and a probe, a quarter of a Python → `Value` → Python round trip on an API Gateway
//! event (`perf`, docs/benchmarks-convert.md). Yet a function sees the same dict shapes over
//! and over (every API Gateway event has the same top-level keys, every SQS record the same
//! attributes). So a shape seen twice in a row is remembered as a map holding its keys, in
//! order, with null values; a dict with exactly those keys then gets a clone of it, which
//! copies the hash table instead of hashing each key again, and only its values are
//! converted. Key order, duplicates and every other rule are those of building the map key by
//! key: a dict only uses a shape when its keys are, one by one, the shape's keys (compared in
//! full), and only dicts read in storage order, with str keys only, are remembered.
//!
//! Bounded: direct-mapped slots, shapes of at most [`MAX_KEYS`] keys and [`MAX_KEY_BYTES`]
//! bytes of keys; a shape seen once (a dict with unique keys) is never stored.

use serde_json::{Map, Value};

use super::keys;
use crate::ffi::{GilCell, Kind, PyRef, Python};

/// Smaller dicts are built key by key: for one or two short keys, hashing costs no more
/// than finding and cloning a shape.
const MIN_KEYS: usize = 3;
/// Slots in the direct-mapped table (a power of two).
const SLOTS: usize = 128;
/// Dicts with more keys are not remembered (API Gateway's `headers` have ~20).
const MAX_KEYS: usize = 48;
/// Nor are dicts whose keys take more bytes than this in all.
const MAX_KEY_BYTES: usize = 1024;

#[derive(Default)]
struct Slot {
    /// The shape to clone: the keys, in order, with null values.
    shape: Option<Map<String, Value>>,
    /// Fingerprint of the last shape built key by key in this slot: seen again, it is stored.
    seen: u64,
}

static SLOTS_TABLE: GilCell<Vec<Slot>> = GilCell::new(Vec::new());

/// The slot of dicts with `len` keys whose first key hashes (`keys::hash`) to `first`.
#[inline]
fn slot_of(len: usize, first: u64) -> usize {
    let h = first ^ (len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    ((h ^ (h >> 29)) as usize) & (SLOTS - 1)
}

/// A clone of the remembered shape for a dict of `len` items whose first key is `first`,
/// if there is one with that first key and length (the caller compares the other keys while
/// it fills the values in, and keeps only the matching prefix otherwise: [`prefix`]).
pub(crate) fn remembered(
    py: Python<'_>,
    len: usize,
    first: PyRef<'_>,
) -> Option<Map<String, Value>> {
    if !(MIN_KEYS..=MAX_KEYS).contains(&len) || first.kind() != Kind::Str {
        return None;
    }
    let first = first.as_str().ok()?;
    let slot = slot_of(len, keys::hash(first.as_bytes()));
    SLOTS_TABLE.with(py, |slots| {
        let shape = slots.get(slot)?.shape.as_ref()?;
        let matches = shape.len() == len && shape.keys().next().map(String::as_str) == Some(first);
        matches.then(|| shape.clone())
    })
}

/// Whether the dict key `key` is the str `expected`.
#[inline]
pub(crate) fn is_key(key: PyRef<'_>, expected: &str) -> bool {
    key.kind() == Kind::Str && key.as_str().ok() == Some(expected)
}

/// The first `kept` entries of `shape` (filled in), as a map with room for `len`, for a dict
/// whose keys part from the shape's there.
pub(crate) fn prefix(shape: Map<String, Value>, kept: usize, len: usize) -> Map<String, Value> {
    let mut map = Map::with_capacity(len);
    map.extend(shape.into_iter().take(kept));
    map
}

/// Watches a dict being converted key by key, to remember its shape the second time in a
/// row that its slot sees it.
pub(crate) struct Recorder {
    len: usize,
    slot: usize,
    fingerprint: u64,
    key_bytes: usize,
    eligible: bool,
}

impl Recorder {
    /// For a dict of `len` keys, read in storage order when `storage_order`.
    #[inline]
    pub(crate) fn new(len: usize, storage_order: bool) -> Recorder {
        Recorder {
            len,
            slot: 0,
            fingerprint: len as u64,
            key_bytes: 0,
            eligible: storage_order && (MIN_KEYS..=MAX_KEYS).contains(&len),
        }
    }

    /// The next key, `text` as converted; `is_str` when the dict's key is a str.
    #[inline]
    pub(crate) fn key(&mut self, index: usize, is_str: bool, text: &str) {
        if !self.eligible {
            return;
        }
        self.key_bytes += text.len();
        if !is_str || self.key_bytes > MAX_KEY_BYTES {
            self.eligible = false;
            return;
        }
        let h = keys::hash(text.as_bytes());
        if index == 0 {
            self.slot = slot_of(self.len, h);
        }
        self.fingerprint =
            (self.fingerprint.rotate_left(23) ^ h).wrapping_mul(0xff51_afd7_ed55_8ccd);
    }

    /// The dict became `map`: store its shape if its slot saw the same shape last time.
    pub(crate) fn finish(self, py: Python<'_>, map: &Map<String, Value>) {
        // A key converted twice to one text (`1` and `"1"`) leaves fewer entries than keys:
        // such a dict is not a shape.
        if !self.eligible || map.len() != self.len {
            return;
        }
        let fingerprint = self.fingerprint | 1; // never 0, the empty slot's value
        let seen_before = SLOTS_TABLE.with(py, |slots| {
            if slots.is_empty() {
                slots.resize_with(SLOTS, Slot::default);
            }
            let slot = &mut slots[self.slot];
            let seen = slot.seen == fingerprint;
            slot.seen = fingerprint;
            seen
        });
        if seen_before {
            let shape: Map<String, Value> = map.keys().map(|k| (k.clone(), Value::Null)).collect();
            let old = SLOTS_TABLE.with(py, |slots| slots[self.slot].shape.replace(shape));
            drop(old);
        }
    }
}
