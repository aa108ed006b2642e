//! A cache of `str` objects for dict keys.
//!
//! Responses repeat the same keys over and over (`statusCode`, `headers`, struct field
//! names). Reusing one `str` object per key saves the allocation and UTF-8 decoding, and — as
//! important — the reused object carries its cached hash, so `PyDict_SetItem` does not hash
//! it again. Same idea as orjson's key cache: direct-mapped, short keys only, bounded size.

use crate::ffi::{self, GilCell, PyOwned, Python};

/// Keys longer than this are not cached (rare, and would make the cache hold big strings).
const MAX_CACHED_LEN: usize = 64;
/// Slots in the direct-mapped cache (a power of two).
const SLOTS: usize = 1024;

struct Entry {
    hash: u64,
    text: Box<str>,
    object: PyOwned,
}

static CACHE: GilCell<Vec<Option<Entry>>> = GilCell::new(Vec::new());

/// A `str` object for `key`, shared with earlier calls for the same text when possible.
#[inline]
pub(crate) fn key_object(py: Python<'_>, key: &str) -> PyOwned {
    key_object_hashed(py, key, hash(key.as_bytes()))
}

/// [`key_object`] for a caller that already has `hash(key)` (and needs it for more).
#[inline]
pub(crate) fn key_object_hashed(py: Python<'_>, key: &str, hash: u64) -> PyOwned {
    if key.len() > MAX_CACHED_LEN {
        return ffi::new_str(py, key);
    }
    let slot = (hash as usize) & (SLOTS - 1);
    let hit = CACHE.with(py, |cache| match cache.get(slot) {
        Some(Some(entry)) if entry.hash == hash && &*entry.text == key => {
            Some(entry.object.clone_ref(py))
        }
        _ => None,
    });
    if let Some(object) = hit {
        return object;
    }
    // Allocate outside the cache borrow (see GilCell's contract).
    let object = ffi::new_str(py, key);
    let entry = Entry {
        hash,
        text: key.into(),
        object: object.clone_ref(py),
    };
    let evicted = CACHE.with(py, |cache| {
        if cache.is_empty() {
            cache.resize_with(SLOTS, || None);
        }
        cache[slot].replace(entry)
    });
    drop(evicted); // released after the borrow ended: a str has no finalizer, but be strict.
    object
}

/// A hash of the length and (up to) the first, middle and last 8 bytes. The three words are
/// multiplied independently, so the CPU overlaps them, unlike a word-by-word chain; keys that
/// agree on all of those bytes only share a slot, which costs a cache miss, never a wrong key
/// (the text is compared in full).
#[inline]
pub(crate) fn hash(bytes: &[u8]) -> u64 {
    const K1: u64 = 0x517c_c1b7_2722_0a95;
    const K2: u64 = 0x9e37_79b9_7f4a_7c15;
    const K3: u64 = 0xc2b2_ae3d_27d4_eb4f;
    let len = bytes.len();
    let (first, middle, last) = if len >= 8 {
        let mid = (len - 8) / 2;
        (
            word(&bytes[..8]),
            word(&bytes[mid..mid + 8]),
            word(&bytes[len - 8..]),
        )
    } else {
        let mut buf = [0u8; 8];
        buf[..len].copy_from_slice(bytes);
        (u64::from_le_bytes(buf), 0, 0)
    };
    let h = (first ^ len as u64).wrapping_mul(K1)
        ^ middle.wrapping_mul(K2)
        ^ last.rotate_left(29).wrapping_mul(K3);
    h ^ (h >> 32)
}

#[inline]
fn word(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes.try_into().expect("8 bytes"))
}

#[cfg(test)]
mod tests {
    use super::hash;

    #[test]
    fn hash_tells_short_keys_apart() {
        let keys = [
            "a",
            "b",
            "ab",
            "ba",
            "statusCode",
            "headers",
            "body",
            "isBase64Encoded",
        ];
        let mut hashes: Vec<u64> = keys.iter().map(|k| hash(k.as_bytes())).collect();
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), keys.len());
        assert_ne!(hash(b""), hash(b"\0"));
        // Keys of one length that differ only in their first, middle or last word.
        let long = [
            "ApproximateReceiveCount",
            "ApproximateReceiveCounu",
            "BpproximateReceiveCount",
            "ApproximateRfceiveCount",
        ];
        let mut hashes: Vec<u64> = long.iter().map(|k| hash(k.as_bytes())).collect();
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), long.len());
    }
}
