//! The conversion engine against a real interpreter embedded in the test binary.
//!
//! The pytest suites check the rules from Python, under every supported CPython; these tests
//! check what only Rust can see: borrowing (`Cow::Borrowed` pointing into the `str` object),
//! `Serialize` impls that lie about their length, enum shapes, the key cache under collisions,
//! and reference counts around conversions. `build.rs` links libpython into this binary only.

#![allow(unsafe_code)]

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::ffi::CString;
use std::sync::Once;

use pylambda::__private::testing;
use pylambda::convert::ErrorKind;
use python3_sys as ffi;
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

static INIT: Once = Once::new();

/// Runs `f` with the GIL held, starting the interpreter on first use.
fn with_python<T>(f: impl FnOnce() -> T) -> T {
    INIT.call_once(|| {
        std::env::set_var("PYTHONHOME", env!("PYLAMBDA_BUILD_PYTHONHOME"));
        // SAFETY: first and only initialization; then release the GIL so that every test
        // thread can take it with PyGILState_Ensure.
        unsafe {
            ffi::Py_InitializeEx(0);
            ffi::PyEval_SaveThread();
        }
    });
    /// Releases the GIL even when the test panics (a failed assertion must not leave the GIL
    /// held by a dead thread, which would hang every other test).
    struct Release(ffi::PyGILState_STATE);
    impl Drop for Release {
        fn drop(&mut self) {
            // SAFETY: pairs with the Ensure below, on the same thread.
            unsafe { ffi::PyGILState_Release(self.0) }
        }
    }
    // SAFETY: the interpreter is initialized.
    let _release = Release(unsafe { ffi::PyGILState_Ensure() });
    f()
}

/// Evaluates a Python expression (with `decimal`, `math`, `sys` imported) to a new reference.
fn eval(expr: &str) -> *mut ffi::PyObject {
    let code = CString::new(expr).unwrap();
    // SAFETY: GIL held by the caller (with_python); all references are released below.
    unsafe {
        let r = testing::run_in_main(c"import decimal, math, sys", testing::Code::Statements);
        assert!(!r.is_null());
        ffi::Py_DecRef(r);
        let obj = testing::run_in_main(&code, testing::Code::Expression);
        if obj.is_null() {
            ffi::PyErr_Print();
            panic!("could not evaluate {expr}");
        }
        obj
    }
}

fn decref(obj: *mut ffi::PyObject) {
    // SAFETY: called on references we own, GIL held.
    unsafe { ffi::Py_DecRef(obj) }
}

/// `repr(obj)` of a new reference, which is released.
fn repr_of(obj: *mut ffi::PyObject) -> String {
    // SAFETY: GIL held; obj is a new reference we own.
    unsafe {
        let r = ffi::PyObject_Repr(obj);
        let mut len = 0;
        let data = ffi::PyUnicode_AsUTF8AndSize(r, &mut len);
        let text = std::str::from_utf8(std::slice::from_raw_parts(data as *const u8, len as usize))
            .unwrap()
            .to_owned();
        ffi::Py_DecRef(r);
        decref(obj);
        text
    }
}

fn refcount(obj: *mut ffi::PyObject) -> isize {
    // SAFETY: sys.getrefcount through the C API would add a reference; read via Python.
    unsafe { (*obj).ob_refcnt }
}

#[test]
fn the_object_layout_check_passes_on_this_interpreter() {
    with_python(|| unsafe { testing::check_object_layout() }).unwrap();
}

#[test]
fn cow_str_targets_borrow_the_python_strings_utf8() {
    #[derive(Deserialize)]
    struct Event<'a> {
        #[serde(borrow)]
        ascii: Cow<'a, str>,
        #[serde(borrow)]
        unicode: Cow<'a, str>,
        plain: &'a str,
    }
    with_python(|| {
        let obj = eval("{'ascii': 'hello', 'unicode': 'héllo 🎉', 'plain': 'x'}");
        let event: Event = unsafe { testing::from_python(obj) }.unwrap();
        assert!(matches!(event.ascii, Cow::Borrowed("hello")));
        assert!(matches!(event.unicode, Cow::Borrowed("héllo 🎉")));
        assert_eq!(event.plain, "x");
        drop(event);
        decref(obj);
    });
}

/// A sequence that announces more (or fewer) elements than it yields.
struct Liar {
    announced: usize,
    actual: usize,
}

impl Serialize for Liar {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.announced))?;
        for i in 0..self.actual {
            seq.serialize_element(&i)?;
        }
        seq.end()
    }
}

#[test]
fn serialize_impls_that_lie_about_their_length_are_an_error_not_a_crash() {
    with_python(|| {
        for (announced, actual) in [(3, 2), (2, 3), (1, 0)] {
            let err = unsafe { testing::to_python(&Liar { announced, actual }) }.unwrap_err();
            assert!(
                err.to_string().contains("different number of elements"),
                "{err}"
            );
        }
        let ok = unsafe {
            testing::to_python(&Liar {
                announced: 2,
                actual: 2,
            })
        }
        .unwrap();
        assert_eq!(repr_of(ok), "[0, 1]");
    });
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Shape {
    Unit,
    Newtype(u8),
    Tuple(i32, String),
    Struct { a: i32 },
}

#[test]
fn enums_are_externally_tagged_both_ways() {
    with_python(|| {
        for (shape, python) in [
            (Shape::Unit, "'Unit'"),
            (Shape::Newtype(7), "{'Newtype': 7}"),
            (Shape::Tuple(1, "x".into()), "{'Tuple': [1, 'x']}"),
            (Shape::Struct { a: 2 }, "{'Struct': {'a': 2}}"),
        ] {
            let obj = unsafe { testing::to_python(&shape) }.unwrap();
            let back: Shape = unsafe { testing::from_python(obj) }.unwrap();
            assert_eq!(back, shape);
            assert_eq!(repr_of(obj), python);
        }
    });
}

#[test]
fn map_keys_become_strings_as_in_json() {
    with_python(|| {
        let map: BTreeMap<i64, bool> = BTreeMap::from([(-1, true), (2, false)]);
        assert_eq!(
            repr_of(unsafe { testing::to_python(&map) }.unwrap()),
            "{'-1': True, '2': False}"
        );
        let chars: BTreeMap<char, u8> = BTreeMap::from([('é', 1)]);
        assert_eq!(
            repr_of(unsafe { testing::to_python(&chars) }.unwrap()),
            "{'é': 1}"
        );
        let bools: BTreeMap<bool, u8> = BTreeMap::from([(true, 1)]);
        assert_eq!(
            repr_of(unsafe { testing::to_python(&bools) }.unwrap()),
            "{'true': 1}"
        );
        let floats: Vec<(f64, u8)> = vec![(1.5, 1)];
        let map: HashMap<String, u8> = floats.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        assert_eq!(
            repr_of(unsafe { testing::to_python(&map) }.unwrap()),
            "{'1.5': 1}"
        );
        let bad: BTreeMap<Vec<u8>, u8> = BTreeMap::from([(vec![1], 1)]);
        let err = unsafe { testing::to_python(&bad) }.unwrap_err();
        assert!(
            err.to_string().contains("a map key must be a string"),
            "{err}"
        );
    });
}

#[test]
fn the_key_cache_stays_correct_under_collisions() {
    with_python(|| {
        // Far more distinct keys than the cache has slots, twice, in different orders.
        let keys: Vec<String> = (0..5000).map(|i| format!("key-{i}")).collect();
        for round in 0..2 {
            let mut map = serde_json::Map::new();
            for (i, k) in keys.iter().enumerate() {
                let k = if round == 0 {
                    k.clone()
                } else {
                    keys[keys.len() - 1 - i].clone()
                };
                map.insert(k.clone(), Value::String(k));
            }
            let value = Value::Object(map);
            let obj = unsafe { testing::to_python(&value) }.unwrap();
            let back: Value = unsafe { testing::from_python_owned(obj) }.unwrap();
            assert_eq!(back, value);
            for (k, v) in back.as_object().unwrap() {
                assert_eq!(Some(k.as_str()), v.as_str());
            }
            decref(obj);
        }
    });
}

#[test]
fn the_direct_value_path_agrees_with_the_serde_path() {
    with_python(|| {
        let obj = eval(
            "{'a': [1, 2.5, -0.0, 'x', None, True, {'n': 2**64-1}], 'b': (1, 2), 3: {}, 1.5: [], \
             None: 0, 'd': decimal.Decimal('0.5'), 'e': -(2**63)}",
        );
        let direct: Value = unsafe { testing::from_python_owned(obj) }.unwrap();
        let serde: Value = unsafe { testing::from_python(obj) }.unwrap();
        assert_eq!(direct, serde);
        assert_eq!(
            serde_json::to_string(&direct).unwrap(),
            r#"{"a":[1,2.5,-0.0,"x",null,true,{"n":18446744073709551615}],"b":[1,2],"3":{},"1.5":[],"null":0,"d":0.5,"e":-9223372036854775808}"#
        );
        let mut bad = vec!["{1}", "[float('nan')]", "{(1,): 1}", "[b'x']"];
        if !cfg!(feature = "arbitrary_precision") {
            bad.push("{'k': 2**64}");
        }
        for bad in bad {
            let obj = eval(bad);
            let a = unsafe { testing::from_python_owned::<Value>(obj) }.unwrap_err();
            let b = unsafe { testing::from_python::<Value>(obj) }.unwrap_err();
            assert_eq!(
                (a.kind(), a.to_string()),
                (b.kind(), b.to_string()),
                "{bad}"
            );
            decref(obj);
        }
    });
}

#[test]
fn unsupported_objects_are_type_errors_with_paths() {
    with_python(|| {
        let obj = eval("{'Records': [{}, {'when': sys}]}");
        let err = unsafe { testing::from_python::<Value>(obj) }.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedType);
        assert!(
            err.to_string()
                .starts_with("Records[1].when: object of type module"),
            "{err}"
        );
        decref(obj);
    });
}

#[test]
fn conversions_leave_reference_counts_as_they_were() {
    with_python(|| {
        // A non-interned, non-immortal key and value, shared by many containers.
        let obj = eval("(lambda k, v: [{k: v, 'l': [v, v]} for _ in range(100)])('dynamic-' + str(id(0)), 'value-' + str(id(1)))");
        let first = unsafe { ffi::PyList_GetItem(obj, 0) };
        let mut key = std::ptr::null_mut();
        let mut value = std::ptr::null_mut();
        let mut pos = 0;
        unsafe { ffi::PyDict_Next(first, &mut pos, &mut key, &mut value) };
        let (key_before, value_before) = (refcount(key), refcount(value));
        for _ in 0..1000 {
            let v: Value = unsafe { testing::from_python_owned(obj) }.unwrap();
            let back = unsafe { testing::to_python(&v) }.unwrap();
            decref(back);
            let _: Value = unsafe { testing::from_python(obj) }.unwrap();
        }
        assert_eq!((refcount(key), refcount(value)), (key_before, value_before));
        decref(obj);
    });
}

#[test]
fn a_call_that_records_no_strings_passes_on_no_room() {
    with_python(|| {
        let big = eval("[str(i) + 'x' for i in range(5000)]");
        let empty = eval("{}");
        let out = unsafe { testing::call_value_handler(big, |_| {}) }.unwrap();
        decref(out);
        assert_eq!(testing::string_room_for_next_call(), 5000);
        // Passed on from the big event, every later `{}` would allocate room for 5000 strings.
        let out = unsafe { testing::call_value_handler(empty, |_| {}) }.unwrap();
        decref(out);
        assert_eq!(testing::string_room_for_next_call(), 0);
        decref(big);
        decref(empty);
    });
}

#[test]
fn depth_limit_applies_to_serialization_of_rust_values() {
    with_python(|| {
        let mut v = json!(0);
        for _ in 0..200 {
            v = json!({ "n": v });
        }
        let err = unsafe { testing::to_python(&v) }.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooDeep);
        assert!(err.to_string().starts_with("n.n.n.n"), "{err}");
    });
}

#[cfg(feature = "arbitrary_precision")]
#[test]
fn arbitrary_precision_keeps_every_digit_in_value() {
    with_python(|| {
        let obj = eval("[2**100, -(2**70), decimal.Decimal('0.1000000000000000000001'), 1.0, decimal.Decimal('3')]");
        let v: Value = unsafe { testing::from_python_owned(obj) }.unwrap();
        assert_eq!(v.to_string(), "[1267650600228229401496703205376,-1180591620717411303424,0.1000000000000000000001,1.0,3]");
        let back = unsafe { testing::to_python(&v) }.unwrap();
        assert_eq!(
            repr_of(back),
            "[1267650600228229401496703205376, -1180591620717411303424, Decimal('0.1000000000000000000001'), 1.0, 3]"
        );
        decref(obj);
    });
}
