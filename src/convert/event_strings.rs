//! Strings a handler hands back unchanged become the event's own `str` objects again.
//!
//! A handler that answers with its event or parts of it (an echo, a proxy passing a body
//! through, a batch handler naming its records) returns `String`s the engine made from the
//! event's `str`s a moment earlier. Building a new `str` for each copies the text once more,
//! and the runtime then frees two sets of strings instead of one. Here the engine remembers,
//! while reading the event into a `serde_json::Value`, which `String` it made from which
//! `str`, and, while building the response, answers a `String` it recognises with that `str`
//! (a new reference to it).
//!
//! *Exact.* The answer is the event's `str` only when the `String`'s bytes equal that str's
//! UTF-8 (a `memcmp`): content decides, never an address. A handler that changed a string in
//! place, or freed one and made another at the same address, gets a new `str` unless the
//! text is the same, and then the `str` is equal. `str` is immutable, so sharing one between
//! event and response is only visible to `is`, as it is in a Python handler that returns
//! its event's values.
//!
//! *Cheap.* Strings are recorded in the order the event is read and looked up in the order
//! the response is written, which for a response laid out like its event is the same order:
//! a cursor, no hashing. Moving a `String` keeps its buffer, so the buffer's address tells
//! in one comparison whether the string near the cursor is the one to compare. A response
//! in another order, or made of new strings, costs a few comparisons per string and gets
//! new `str`s, as without this.
//!
//! *Scoped.* One `EventStrings` lives for one call (event in, response out): it holds a
//! reference to every recorded `str` so that no Python code run by the handler can free one,
//! and lets them all go when the call ends. It is never touched while the GIL is released.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::ffi::{PyOwned, PyRef, Python};

/// How many strings the last call that read its event into a `Value` recorded: the next one
/// starts with room for as many (events of one function are alike), instead of growing its
/// list a dozen times. (Making room at the first string instead cost 1–3% more in the
/// Python → `Value` half.) A call that recorded none stores 0 too: kept from a 1 MB event,
/// the count made every later `{}` allocate room for 28,000 strings, tripling its time.
static LAST_COUNT: AtomicUsize = AtomicUsize::new(0);

/// How many recorded strings past the cursor a response string is looked for: a response
/// that leaves out a few of the event's strings (a field dropped) keeps finding the rest.
const LOOKAHEAD: usize = 4;

/// One recorded string.
struct Entry<'py> {
    /// The buffer of the `String` the engine made (its address only; never read through).
    made: *const u8,
    /// The str's UTF-8 (kept by CPython with the str, which `str` keeps alive).
    text: &'py str,
    str: PyOwned,
}

/// The strings of one event, for its response (see the module docs).
#[derive(Default)]
pub(crate) struct EventStrings<'py> {
    entries: Vec<Entry<'py>>,
    cursor: usize,
    /// Whether a `Value` read started ([`EventStrings::make_room`]): only then is the count
    /// this call's to pass on.
    reading: bool,
}

impl<'py> EventStrings<'py> {
    /// Empty: a call whose event is not read into a `Value` (a typed handler) records nothing
    /// and allocates nothing.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Called as an event (or an argument, or a `Value` field) starts being read into a
    /// `Value`: the first time, room for as many strings as the last such call recorded
    /// ([`LAST_COUNT`]).
    pub(crate) fn make_room(&mut self) {
        if !self.reading {
            self.reading = true;
            self.entries.reserve(LAST_COUNT.load(Ordering::Relaxed));
        }
    }

    /// How many strings the next call that reads a `Value` makes room for ([`LAST_COUNT`]),
    /// for the embedded tests.
    pub(crate) fn room_for_next_call() -> usize {
        LAST_COUNT.load(Ordering::Relaxed)
    }

    /// Remembers that `made` was copied from `str`, whose UTF-8 is `text`. Only exact `str`s
    /// are recorded: the response must not get a subclass the handler never saw.
    #[inline]
    pub(crate) fn record(&mut self, str: PyRef<'py>, text: &'py str, made: &str) {
        if made.is_empty() || !str.is_exact_str() {
            return;
        }
        self.entries.push(Entry {
            made: made.as_ptr(),
            text,
            str: PyOwned::from_borrowed(str),
        });
    }

    /// The event's `str` for `text`, if `text` is a recorded string with its text unchanged.
    #[inline]
    pub(crate) fn find(&mut self, py: Python<'_>, text: &str) -> Option<PyOwned> {
        let end = self.entries.len().min(self.cursor + LOOKAHEAD);
        let ahead = self.entries.get(self.cursor..end)?;
        let offset = ahead.iter().position(|e| e.made == text.as_ptr())?;
        let entry = &ahead[offset];
        if entry.text != text {
            return None;
        }
        self.cursor += offset + 1;
        Some(entry.str.clone_ref(py))
    }
}

impl Drop for EventStrings<'_> {
    fn drop(&mut self) {
        if self.reading {
            LAST_COUNT.store(self.entries.len(), Ordering::Relaxed);
        }
    }
}
