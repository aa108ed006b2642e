//! The fuzz harness for pylambda's conversion engine (see Cargo.toml and docs/guarantees.md).
//!
//! One input is split in two. The first part becomes a Python object (`gen`), converted
//! Python → Rust; the second a Rust value (`typed`), converted Rust → Python → Rust. The
//! properties checked, any of which failing is a crash the fuzzer reports:
//!
//! 1. No crash, no panic, no Python exception left set, and the object's reference count
//!    unchanged by the conversions.
//! 2. The direct `serde_json::Value` path and the generic serde path agree exactly: the same
//!    value, or the same error kind and message.
//! 3. The engine runs no Python code of the event's objects (overridden `__str__`, `__repr__`,
//!    comparisons of subclasses): such code could free what the engine is reading.
//! 4. A converted `Value` turns back into a Python object that converts to the same `Value`,
//!    and it equals what Python's own `json.dumps` says the object is (when that succeeds);
//!    an object the engine calls unsupported is one `json.dumps` refuses too.
//! 5. Typed Rust values survive Rust → Python → Rust unchanged (compared by `Debug`, so NaN,
//!    -0.0 and every integer width are exact); `Value`s do too, through both serializer
//!    paths, and `json.dumps` of the Python object parses back to the same `Value`; and a
//!    `Box<RawValue>` of the `Value`'s text (compact or pretty) comes back as the `Value`.
//! 6. A `Value` handler's whole call (event read, handler, response built) answers exactly
//!    what the handler returned, whether it hands the event's strings back unchanged (they
//!    come back as the event's own `str`s), changed in place, or in another order.

#![allow(unsafe_code)]

pub mod gen;
pub mod py;
pub mod typed;

use arbitrary::Unstructured;
use pylambda::__private::testing;
use pylambda::convert::ErrorKind;
use serde_json::Value;

use py::Obj;

/// Runs every property on one input.
pub fn run(data: &[u8]) {
    py::init();
    let split = data.first().map_or(0, |&b| usize::from(b)) * data.len() / 256;
    let (python_side, rust_side) = data.split_at(split.min(data.len()));
    let mut u = Unstructured::new(python_side.get(1..).unwrap_or_default());
    let mut gen = gen::Gen::new(&mut u);
    if let Ok(obj) = gen.object() {
        if std::env::var_os("PYLAMBDA_FUZZ_DESCRIBE").is_some() {
            eprintln!("shape: {:?}", gen.info);
            describe(&obj);
        }
        python_to_rust(&obj, &gen.info);
    }
    typed::rust_to_python(rust_side);
}

fn python_to_rust(obj: &Obj, info: &gen::Info) {
    let roots = py::global(c"roots");
    py::list_append(&roots, obj);
    let refs_before = obj.refcnt();
    let hooks_before = py::hook_calls();

    // SAFETY (all testing:: calls): the GIL is held and obj is alive.
    let direct = unsafe { testing::from_python_owned::<Value>(obj.ptr()) };
    no_error_pending("the direct Value path");
    let generic = unsafe { testing::from_python::<Value>(obj.ptr()) };
    no_error_pending("the serde Value path");
    match (&direct, &generic) {
        (Ok(a), Ok(b)) => assert_eq!(text(a), text(b), "the two Value paths differ"),
        (Err(a), Err(b)) => {
            assert_eq!(a.kind(), b.kind(), "error kinds differ: {a} / {b}");
            assert_eq!(a.to_string(), b.to_string(), "error messages differ");
        }
        _ => panic!("one Value path failed: direct {direct:?}, serde {generic:?}"),
    }
    typed::deserialize_all(obj);

    assert_eq!(
        py::hook_calls(),
        hooks_before,
        "the engine ran Python code of the event's objects (hostile={})",
        info.hostile
    );
    // Detach before the refcount check: `roots` holds one reference.
    clear_list(&roots);
    assert_eq!(
        obj.refcnt(),
        refs_before - 1,
        "conversion changed the refcount"
    );

    match direct {
        Ok(value) => {
            round_trip(&value);
            handler_calls(obj, &value);
            if let Some(expected) = json_dumps(obj) {
                assert_eq!(text(&value), text(&expected), "differs from json.dumps");
            }
        }
        Err(e) if e.kind() == ErrorKind::UnsupportedType && !info.cyclic => {
            assert!(
                json_dumps_text(obj).is_none(),
                "unsupported for pylambda but json.dumps takes it: {e}"
            );
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// `Value` → Python → `Value` is the identity (both serializer paths).
pub fn round_trip(value: &Value) {
    for via_serde in [false, true] {
        // SAFETY: GIL held.
        let obj = unsafe {
            if via_serde {
                testing::to_python(&typed::ViaSerde(value.clone()))
            } else {
                testing::to_python(value)
            }
        };
        no_error_pending("to_python");
        let Ok(obj) = obj else {
            // Only depth can fail Value → Python.
            assert!(depth(value) > pylambda::convert::max_depth() as usize);
            continue;
        };
        let obj = Obj::new(obj, "to_python");
        // SAFETY: GIL held, obj alive.
        let back = unsafe { testing::from_python_owned::<Value>(obj.ptr()) };
        no_error_pending("from_python");
        let back = back.expect("a built object converts back");
        assert_eq!(
            text(&back),
            text(value),
            "Value round trip (serde={via_serde})"
        );
    }
}

/// Property 6: `obj` read, changed by a handler, and built back, three ways.
fn handler_calls(obj: &Obj, value: &Value) {
    let changes: [(&str, fn(&mut Value)); 3] = [
        ("unchanged", |_| {}),
        ("uppercased in place", |v| {
            testing::each_string(v, &mut |s| s.make_ascii_uppercase())
        }),
        ("reversed", testing::reverse_all),
    ];
    for (name, change) in changes {
        let mut expected = value.clone();
        change(&mut expected);
        let refs_before = obj.refcnt();
        // SAFETY: GIL held, obj alive.
        let out = unsafe { testing::call_value_handler(obj.ptr(), change) };
        no_error_pending("a handler's call");
        let out = Obj::new(out.expect("read once, so read again"), "call_value_handler");
        // SAFETY: GIL held, out alive.
        let back = unsafe { testing::from_python_owned::<Value>(out.ptr()) };
        let back = back.expect("a built response converts back");
        assert_eq!(text(&back), text(&expected), "handler call, {name}");
        drop(out);
        assert_eq!(
            obj.refcnt(),
            refs_before,
            "handler call ({name}) changed the refcount"
        );
    }
}

/// Python's json.dumps of the object, parsed by serde_json (None if either refuses).
fn json_dumps(obj: &Obj) -> Option<Value> {
    serde_json::from_str(&json_dumps_text(obj)?).ok()
}

fn json_dumps_text(obj: &Obj) -> Option<String> {
    let out = py::call1(&py::global(c"dumps"), obj.clone_ref());
    py::as_string(&out)
}

/// Exact text of a Value: distinguishes -0.0 from 0.0 and keeps key order.
pub fn text(v: &Value) -> String {
    serde_json::to_string(v).expect("a Value always serializes")
}

pub fn depth(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

pub fn no_error_pending(after: &str) {
    if let Some(problem) = py::error_pending() {
        panic!("{problem} after {after}");
    }
}

/// Prints `repr(obj)` (capped), for triage: `PYLAMBDA_FUZZ_DESCRIBE=1 convert INPUT...`.
fn describe(obj: &Obj) {
    // SAFETY: GIL held; PyObject_Repr returns a new reference or NULL.
    let r = unsafe { python3_sys::PyObject_Repr(obj.ptr()) };
    if r.is_null() {
        // SAFETY: GIL held.
        unsafe { python3_sys::PyErr_Clear() };
        eprintln!("event: <repr failed>");
        return;
    }
    let r = Obj::new(r, "repr");
    let text = py::as_string(&r).unwrap_or_default();
    let cut: String = text.chars().take(400).collect();
    eprintln!("event: {cut}");
}

fn clear_list(list: &Obj) {
    // SAFETY: GIL held; a list slice assignment to NULL deletes the items.
    unsafe {
        python3_sys::PyList_SetSlice(list.ptr(), 0, isize::MAX, std::ptr::null_mut());
    }
}
