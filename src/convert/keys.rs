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
    if key.len() > MAX_CACHED_LEN {
        return ffi::new_str(py, key);
    }
    let hash = hash(key.as_bytes());
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

/// FxHash-style multiplicative hash over 8-byte words: fast for short keys, and collisions
/// only cost a cache miss.
#[inline]
fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        h = (h.rotate_left(5) ^ word).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut buf = [0u8; 8];
        buf[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(buf)).wrapping_mul(K);
    }
    h ^ (h >> 29)
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
    }
}
