//! Fuzz input → a Python object, structure-aware: every byte chooses among the shapes an event
//! can take (and many it should not), so coverage feedback steers the fuzzer through the
//! engine's branches instead of through a text parser.

use arbitrary::{Result, Unstructured};

use crate::py::{self, Obj};

/// What the generated object contains, for deciding which properties apply.
#[derive(Default, Debug)]
pub struct Info {
    /// Holds an object of a hostile subclass (see `py::HELPERS`).
    pub hostile: bool,
    /// Holds a container that contains itself.
    pub cyclic: bool,
}

/// Containers deeper than this are only made by the `Deep` shape (a straight nest).
const MAX_BRANCHING_DEPTH: u32 = 8;
const MAX_LEN: usize = 8;

/// Integers at the edges the engine treats differently (i64, u64, 128 bits).
const EDGE_INTS: &[&str] = &[
    "0",
    "-1",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "170141183460469231731687303715884105727",
    "170141183460469231731687303715884105728",
    "-170141183460469231731687303715884105728",
    "-170141183460469231731687303715884105729",
    "340282366920938463463374607431768211455",
    "340282366920938463463374607431768211456",
];

const EDGE_FLOATS: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    0.1,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    1.7976931348623157e308,
    9007199254740993.0,
    1e16,
    1e-7,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
];

const DECIMAL_TEXTS: &[&str] = &[
    "0",
    "-0",
    "1",
    "0.1",
    "1E+2",
    "1.10",
    "-7.25",
    "1e-400",
    "1e400",
    "NaN",
    "sNaN",
    "-NaN",
    "Infinity",
    "-Infinity",
    "123456789012345678901234567890",
    "0.1000000000000000000001",
    "4.2E+1",
    "-0.0",
    "1E+39",
];

pub struct Gen<'a, 'u> {
    u: &'u mut Unstructured<'a>,
    pub info: Info,
    /// Containers being filled, outermost first: a `Cycle` shape refers back to one of them.
    open: Vec<Obj>,
}

impl<'a, 'u> Gen<'a, 'u> {
    pub fn new(u: &'u mut Unstructured<'a>) -> Self {
        Gen {
            u,
            info: Info::default(),
            open: Vec::new(),
        }
    }

    pub fn object(&mut self) -> Result<Obj> {
        self.value(0)
    }

    fn value(&mut self, depth: u32) -> Result<Obj> {
        let containers = depth < MAX_BRANCHING_DEPTH;
        let tag = self.u.int_in_range(0..=if containers { 24 } else { 12 })?;
        Ok(match tag {
            0 => py::none(),
            1 => py::boolean(self.u.arbitrary()?),
            2 => py::int_i64(i64::from(self.u.arbitrary::<i8>()?)),
            3 => py::int_i64(self.u.arbitrary()?),
            4 => py::int_text(self.u.choose(EDGE_INTS)?),
            5 => py::int_text(&self.digits()?),
            6 => py::float(f64::from_bits(self.u.arbitrary()?)),
            7 => py::float(*self.u.choose(EDGE_FLOATS)?),
            8 | 9 => self.text()?,
            10 => py::bytes(self.u.arbitrary()?),
            11 => py::bytearray(self.u.arbitrary()?),
            12 => self.decimal()?,
            13..=15 => self.list(depth, false)?,
            16 => self.list(depth, true)?,
            17..=19 => self.dict(depth)?,
            20 => self.exotic(depth)?,
            21 => self.subclass(depth)?,
            22 => self.hostile()?,
            23 => self.cycle(depth)?,
            _ => self.deep(depth)?,
        })
    }

    /// Decimal digits of any length up to 60, either sign: mostly beyond 64 bits.
    fn digits(&mut self) -> Result<String> {
        let len = self.u.int_in_range(1..=60)?;
        let mut s = String::new();
        if self.u.arbitrary()? {
            s.push('-');
        }
        for i in 0..len {
            let d: u8 = self.u.int_in_range(if i == 0 { 1 } else { 0 }..=9)?;
            s.push(char::from(b'0' + d));
        }
        Ok(s)
    }

    /// A str: arbitrary UTF-8, or arbitrary code points including lone surrogates, sometimes
    /// long (past the key cache's 64-byte limit), sometimes empty or with NULs.
    fn text(&mut self) -> Result<Obj> {
        match self.u.int_in_range(0..=3)? {
            0 => {
                let s: String = self.u.arbitrary()?;
                Ok(py::str_utf8(&s))
            }
            1 => {
                let n = self.u.int_in_range(0..=6)?;
                let mut utf32 = Vec::new();
                for _ in 0..n {
                    let cp: u32 = self.u.int_in_range(0..=0x10FFFF)?;
                    utf32.extend_from_slice(&cp.to_le_bytes());
                }
                let mk_str = py::global(c"mk_str");
                Ok(py::call1(&mk_str, py::bytes(&utf32)))
            }
            2 => {
                let unit: String = self.u.arbitrary()?;
                let times = self.u.int_in_range(1..=200)?;
                Ok(py::str_utf8(&unit.repeat(times)))
            }
            _ => Ok(py::str_utf8(self.u.choose(&[
                "",
                "\0",
                "a",
                "statusCode",
                "é",
                "🎉",
                "\u{2028}",
                "Records",
            ])?)),
        }
    }

    fn decimal(&mut self) -> Result<Obj> {
        let text = if self.u.arbitrary()? {
            (*self.u.choose(DECIMAL_TEXTS)?).to_owned()
        } else {
            let mut t = self.digits()?;
            if self.u.arbitrary()? {
                let at = self.u.int_in_range(1..=t.len())?;
                if t.is_char_boundary(at) && !t[..at].ends_with('-') {
                    t.insert(at, '.');
                }
            }
            if self.u.arbitrary()? {
                let e: i16 = self.u.arbitrary()?;
                t.push_str(&format!("E{e:+}"));
            }
            t
        };
        let mk = py::global(c"mk_decimal");
        Ok(py::call1(&mk, py::str_utf8(&text)))
    }

    fn list(&mut self, depth: u32, tuple: bool) -> Result<Obj> {
        let len = self.u.int_in_range(0..=MAX_LEN)?;
        if tuple {
            let mut items = Vec::with_capacity(len);
            for _ in 0..len {
                items.push(self.value(depth + 1)?);
            }
            return Ok(py::tuple(items));
        }
        let list = py::list();
        self.open.push(list.clone_ref());
        for _ in 0..len {
            let item = self.value(depth + 1)?;
            py::list_append(&list, &item);
        }
        self.open.pop();
        Ok(list)
    }

    fn dict(&mut self, depth: u32) -> Result<Obj> {
        let len = self.u.int_in_range(0..=MAX_LEN)?;
        let dict = py::dict();
        self.open.push(dict.clone_ref());
        for _ in 0..len {
            let key = self.key()?;
            let value = self.value(depth + 1)?;
            py::dict_set(&dict, &key, &value);
        }
        self.open.pop();
        Ok(dict)
    }

    /// Dict keys: mostly str, and every other kind JSON spells (int, float, bool, None) plus
    /// kinds it cannot (tuple, bytes, frozenset-like), subclasses and hostile ones.
    fn key(&mut self) -> Result<Obj> {
        Ok(match self.u.int_in_range(0..=14)? {
            0..=5 => self.text()?,
            6 => py::int_i64(self.u.arbitrary()?),
            7 => py::int_text(self.u.choose(EDGE_INTS)?),
            8 => py::float(*self.u.choose(EDGE_FLOATS)?),
            9 => py::float(f64::from_bits(self.u.arbitrary()?)),
            10 => py::boolean(self.u.arbitrary()?),
            11 => py::none(),
            12 => py::tuple(vec![py::int_i64(1), py::none()]),
            13 => py::bytes(self.u.arbitrary()?),
            _ => {
                let n = self.u.int_in_range(0..=4)?;
                if n >= 3 {
                    self.info.hostile = true;
                }
                let class = [
                    c"IntSub",
                    c"FloatSub",
                    c"StrSub",
                    c"HostileInt",
                    c"HostileFloat",
                ][n as usize];
                let arg = match n {
                    0 | 3 => py::int_text(self.u.choose(EDGE_INTS)?),
                    1 | 4 => py::float(*self.u.choose(EDGE_FLOATS)?),
                    _ => py::str_utf8("sub"),
                };
                py::call1(&py::global(class), arg)
            }
        })
    }

    /// Objects JSON has no meaning for: a set (of anything hashable) or a plain object.
    fn exotic(&mut self, depth: u32) -> Result<Obj> {
        Ok(if self.u.arbitrary()? {
            let item = self.value(depth + 1)?;
            py::set_of(vec![item, py::int_i64(1)])
        } else {
            py::object()
        })
    }

    /// Well-behaved subclasses, which convert as their base type.
    fn subclass(&mut self, depth: u32) -> Result<Obj> {
        Ok(match self.u.int_in_range(0..=7)? {
            0 => py::call1(
                &py::global(c"IntSub"),
                py::int_text(self.u.choose(EDGE_INTS)?),
            ),
            1 => py::call1(&py::global(c"StrSub"), self.text()?),
            2 => py::call1(
                &py::global(c"FloatSub"),
                py::float(*self.u.choose(EDGE_FLOATS)?),
            ),
            3 => py::call1(&py::global(c"ListSub"), self.list(depth, false)?),
            4 => py::call1(&py::global(c"DictSub"), self.dict(depth)?),
            5 => py::call1(&py::global(c"TupleSub"), self.list(depth, false)?),
            6 => py::call1(&py::global(c"BytesSub"), py::bytes(self.u.arbitrary()?)),
            _ => {
                let value = if self.u.arbitrary()? {
                    "1"
                } else {
                    "1180591620717411303424"
                };
                py::call1(&py::global(c"Color"), py::int_text(value))
            }
        })
    }

    /// Subclasses whose overridable methods must never be called by the engine.
    fn hostile(&mut self) -> Result<Obj> {
        self.info.hostile = true;
        Ok(match self.u.int_in_range(0..=4)? {
            0 => py::call1(
                &py::global(c"HostileInt"),
                py::int_text(self.u.choose(EDGE_INTS)?),
            ),
            1 => py::call1(
                &py::global(c"HostileFloat"),
                py::float(*self.u.choose(EDGE_FLOATS)?),
            ),
            2 => py::call1(&py::global(c"HostileStr"), self.text()?),
            // Unconvertible, and naming its type in the error must not run its metaclass.
            3 => py::call1(&py::global(c"HostileOpaque"), py::str_utf8("x")),
            _ => py::call1(&py::global(c"HostileDecimal"), py::str_utf8("1.5")),
        })
    }

    /// A reference back to an enclosing container (a cycle), or a fresh list if none is open.
    fn cycle(&mut self, depth: u32) -> Result<Obj> {
        if self.open.is_empty() {
            return self.list(depth, false);
        }
        self.info.cyclic = true;
        let i = self.u.choose_index(self.open.len())?;
        Ok(self.open[i].clone_ref())
    }

    /// A straight nest around the depth limit (128): lists or single-key dicts.
    fn deep(&mut self, depth: u32) -> Result<Obj> {
        let levels = self.u.int_in_range(120..=136)?;
        let dicts: bool = self.u.arbitrary()?;
        let mut obj = self.value(MAX_BRANCHING_DEPTH.max(depth + 1))?;
        for _ in 0..levels {
            if dicts {
                let d = py::dict();
                py::dict_set(&d, &py::str_utf8("k"), &obj);
                obj = d;
            } else {
                let l = py::list();
                py::list_append(&l, &obj);
                obj = l;
            }
        }
        Ok(obj)
    }
}
