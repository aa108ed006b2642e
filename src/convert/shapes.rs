//! Remembered dict shapes, in both directions of the `serde_json::Value` hot path.
//!
//! A function sees the same dict shapes over and over: every API Gateway event has the same
//! top-level keys, every SQS record the same attributes, every response the same fields. Building
//! such a dict or map key by key repeats work whose result only depends on the keys:
//!
//! * Python → `Value`: serde_json keeps key order with an `IndexMap` hashed by SipHash, and
//!   inserting a key costs a SipHash and a probe (a quarter of an API Gateway round trip under
//!   `perf`, docs/benchmarks-convert.md). A remembered [`MapShape`] is a map with the keys, in
//!   order, and null values: its clone copies the hash table instead of hashing each key.
//! * `Value` → Python: a dict built with `PyDict_New` and `PyDict_SetItem` is resized as it
//!   grows (its index rebuilt each time) and every key is looked up in the key cache. A
//!   remembered [`DictShape`] is a dict with the key objects and `None` values: `PyDict_Copy`
//!   copies its table in one go and only the values are set.
//!
//! A shape is used only for a dict or map whose keys are, one by one, the shape's (compared in
//! full), so key order, duplicates and every other rule stay those of building key by key.
//! A shape is remembered the second time in a row its slot sees it ([`Recorder`]), so dicts
//! with unique keys never are. Bounded: direct-mapped slots, shapes of [`MIN_KEYS`] to
//! [`MAX_KEYS`] str keys taking at most [`MAX_KEY_BYTES`] bytes — at worst about 8 KiB per map
//! shape and 4 KiB per dict shape (entries, table and key texts of a 48-key shape), so 1.5 MiB
//! for both tables full, whatever the events.

use serde_json::{Map, Value};

use super::keys;
use crate::ffi::{self, GilCell, Kind, PyOwned, PyRef, Python};

/// Smaller dicts are built key by key: for one or two short keys, hashing costs no more than
/// finding and copying a shape (measured: remembering one-key maps made DynamoDB events slower).
const MIN_KEYS: usize = 3;
/// A new dict's table is resized after 5 keys: smaller dicts are built key by key (measured:
/// remembering them gained nothing).
const MIN_DICT_KEYS: usize = 6;
/// Dicts with more keys are not remembered (API Gateway's `headers` have ~20).
const MAX_KEYS: usize = 48;
/// Nor are dicts whose keys take more bytes than this in all.
const MAX_KEY_BYTES: usize = 1024;
/// Slots in each direct-mapped table (a power of two).
const SLOTS: usize = 128;

/// A map with a dict's keys, in order, and null values, to clone (Python → `Value`).
pub(crate) type MapShape = Map<String, Value>;

/// A dict with a map's keys (as the key cache's `str` objects), in order, and `None` values,
/// to copy (`Value` → Python), with the keys' text to compare.
pub(crate) struct DictShape {
    texts: Box<[Box<str>]>,
    dict: PyOwned,
}

/// One table of remembered shapes, of at least `min_keys` keys.
pub(crate) struct Shapes<T> {
    min_keys: usize,
    slots: GilCell<Vec<Slot<T>>>,
}

struct Slot<T> {
    shape: Option<T>,
    /// Fingerprint of the last shape built key by key in this slot: seen again, it is stored.
    seen: u64,
}

pub(crate) static MAP_SHAPES: Shapes<MapShape> = Shapes {
    min_keys: MIN_KEYS,
    slots: GilCell::new(Vec::new()),
};
pub(crate) static DICT_SHAPES: Shapes<DictShape> = Shapes {
    min_keys: MIN_DICT_KEYS,
    slots: GilCell::new(Vec::new()),
};

/// The slot of shapes with `len` keys whose first key hashes (`keys::hash`) to `first`.
#[inline]
fn slot_of(len: usize, first: u64) -> usize {
    let h = first ^ (len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    ((h ^ (h >> 29)) as usize) & (SLOTS - 1)
}

impl<T> Shapes<T> {
    /// Whether dicts of `len` keys may have a shape in this table.
    #[inline]
    fn holds(&self, len: usize) -> bool {
        (self.min_keys..=MAX_KEYS).contains(&len)
    }

    /// What `find` makes of the shape in the slot for `len` keys starting with `first` (the
    /// caller has checked [`Shapes::holds`]).
    #[inline]
    fn lookup<R>(
        &self,
        py: Python<'_>,
        len: usize,
        first: &str,
        find: impl FnOnce(&T) -> Option<R>,
    ) -> Option<R> {
        let slot = slot_of(len, keys::hash(first.as_bytes()));
        self.slots
            .with(py, |slots| find(slots.get(slot)?.shape.as_ref()?))
    }

    /// A [`Recorder`] for `len` keys; `eligible` when their order is the same every time (a
    /// dict's storage order, not an `OrderedDict`'s linked order).
    #[inline]
    pub(crate) fn recorder(&self, len: usize, eligible: bool) -> Recorder {
        Recorder {
            len,
            slot: 0,
            fingerprint: len as u64,
            key_bytes: 0,
            eligible: eligible && self.holds(len),
        }
    }

    /// Ends a [`Recorder`]: if its slot saw this shape last time too, stores `make()`.
    fn record(&self, py: Python<'_>, recorder: Recorder, make: impl FnOnce() -> Option<T>) {
        if !recorder.eligible {
            return;
        }
        let fingerprint = recorder.fingerprint | 1; // never 0, an unused slot's value
        let seen_before = self.slots.with(py, |slots| {
            if slots.is_empty() {
                slots.resize_with(SLOTS, || Slot {
                    shape: None,
                    seen: 0,
                });
            }
            let slot = &mut slots[recorder.slot];
            std::mem::replace(&mut slot.seen, fingerprint) == fingerprint
        });
        if seen_before {
            // Made and dropped outside the cell's borrow (see GilCell's contract).
            if let Some(shape) = make() {
                let old = self
                    .slots
                    .with(py, |slots| slots[recorder.slot].shape.replace(shape));
                drop(old);
            }
        }
    }
}

/// Watches a dict or map being converted key by key, to remember its shape the second time in
/// a row that its slot sees it.
pub(crate) struct Recorder {
    len: usize,
    slot: usize,
    fingerprint: u64,
    key_bytes: usize,
    eligible: bool,
}

impl Recorder {
    /// The key at `index`, `text` as converted; `is_str` when the dict's key is a str.
    #[inline]
    pub(crate) fn key(&mut self, index: usize, is_str: bool, text: &str) {
        if self.eligible {
            self.key_hashed(index, is_str, text.len(), keys::hash(text.as_bytes()));
        }
    }

    /// [`Recorder::key`] for a caller that already has the text's length and `keys::hash`.
    #[inline]
    pub(crate) fn key_hashed(&mut self, index: usize, is_str: bool, len: usize, h: u64) {
        if !self.eligible {
            return;
        }
        self.key_bytes += len;
        if !is_str || self.key_bytes > MAX_KEY_BYTES {
            self.eligible = false;
            return;
        }
        if index == 0 {
            self.slot = slot_of(self.len, h);
        }
        self.fingerprint =
            (self.fingerprint.rotate_left(23) ^ h).wrapping_mul(0xff51_afd7_ed55_8ccd);
    }

    /// A key converted twice to one text (`1` and `"1"`) leaves fewer entries than keys: the
    /// result has `len` entries, or it is not a shape.
    #[inline]
    fn with_result_len(mut self, len: usize) -> Recorder {
        self.eligible &= len == self.len;
        self
    }
}

// --- Python → Value ----------------------------------------------------------------------------

/// Makes `into` a copy of the remembered shape for a dict of `len` items whose first key is
/// `first`, if there is one with that first key and length (the caller compares the other keys
/// while it fills the values in, and keeps only the matching prefix otherwise: [`prefix`]).
#[inline]
pub(crate) fn remembered_map(
    py: Python<'_>,
    len: usize,
    first: PyRef<'_>,
    into: &mut MapShape,
) -> bool {
    if !MAP_SHAPES.holds(len) || first.kind() != Kind::Str {
        return false;
    }
    let Ok(first) = first.as_str() else {
        return false;
    };
    MAP_SHAPES
        .lookup(py, len, first, |shape| {
            let same = shape.len() == len && shape.keys().next().map(String::as_str) == Some(first);
            // `clone_from` copies straight into the caller's map (no 72-byte move after).
            same.then(|| into.clone_from(shape))
        })
        .is_some()
}

/// Whether the dict key `key` is the str `expected`.
#[inline]
pub(crate) fn is_key(key: PyRef<'_>, expected: &str) -> bool {
    key.kind() == Kind::Str && key.as_str().ok() == Some(expected)
}

/// The first `kept` entries of `shape` (filled in), as a map with room for `len`, for a dict
/// whose keys part from the shape's there.
pub(crate) fn prefix(shape: MapShape, kept: usize, len: usize) -> Map<String, Value> {
    let mut map = Map::with_capacity(len);
    map.extend(shape.into_iter().take(kept));
    map
}

/// Ends a dict converted key by key into `map`.
pub(crate) fn record_map(py: Python<'_>, recorder: Recorder, map: &Map<String, Value>) {
    MAP_SHAPES.record(py, recorder.with_result_len(map.len()), || {
        Some(map.keys().map(|k| (k.clone(), Value::Null)).collect())
    });
}

// --- Value → Python ----------------------------------------------------------------------------

/// A new dict with `map`'s keys, in order, and `None` values, if its shape is remembered.
#[inline]
pub(crate) fn remembered_dict(py: Python<'_>, map: &Map<String, Value>) -> Option<PyOwned> {
    if !DICT_SHAPES.holds(map.len()) {
        return None;
    }
    let first = map.keys().next()?;
    let template = DICT_SHAPES.lookup(py, map.len(), first, |shape| {
        let same = shape.texts.len() == map.len()
            && shape.texts.iter().zip(map.keys()).all(|(a, b)| **a == **b);
        same.then(|| shape.dict.clone_ref(py))
    })?;
    Some(ffi::dict_copy(py, &template))
}

/// Ends a map converted key by key into `dict` (a map's keys are distinct, so the dict has
/// one entry per key).
pub(crate) fn record_dict(py: Python<'_>, recorder: Recorder, dict: &PyOwned) {
    DICT_SHAPES.record(py, recorder, || {
        let template = ffi::dict_copy(py, dict);
        let mut texts = Vec::new();
        for (key, _) in template.borrow(py).dict_items() {
            texts.push(key.as_str().ok()?.into());
            ffi::dict_set_borrowed_key(&template, key, &ffi::none(py)).ok()?;
        }
        Some(DictShape {
            texts: texts.into(),
            dict: template,
        })
    });
}
