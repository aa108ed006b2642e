//! The one error type of the conversion engine: what went wrong, and where.
//!
//! The path is collected on the way *out* of a failed conversion (each list or dict level
//! prepends its index or key), so the success path pays nothing for it — the same idea as
//! `serde_path_to_error`, built in.

use std::fmt;

/// A conversion failure, with the path to the offending value (`Records[3].body`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    message: String,
    /// Innermost segment first (segments are pushed while unwinding).
    path_rev: Vec<Segment>,
}

/// What kind of failure, which decides the Python exception raised for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A Python object of a type with no JSON meaning (`set`, `datetime`, a custom class, a
    /// tuple as a dict key): raised as `TypeError`, like `json.dumps` does.
    UnsupportedType,
    /// The data does not fit the Rust type (wrong type, missing field, out of range...).
    Invalid,
    /// Nested deeper than the depth limit (deep or cyclic data).
    TooDeep,
}

/// One step of a path into a nested value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A list or tuple index.
    Index(usize),
    /// A dict key (or struct field, or enum variant), as text.
    Key(String),
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                path_rev: Vec::new(),
            }),
        }
    }

    /// Adds the enclosing segment (called while the error propagates outwards).
    #[cold]
    pub(crate) fn within(mut self, segment: Segment) -> Error {
        self.inner.path_rev.push(segment);
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The message without the path.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The path from the root to the failing value, outermost first.
    pub fn path(&self) -> impl Iterator<Item = &Segment> {
        self.inner.path_rev.iter().rev()
    }

    /// The path rendered as in `Records[3].body` (empty at the root). Very long paths (deep
    /// or cyclic data) keep their first and last steps: `self.self…(108 more)….self`.
    pub fn path_string(&self) -> String {
        const KEEP: usize = 10;
        let segments: Vec<&Segment> = self.path().collect();
        if segments.len() <= 3 * KEEP {
            return render(&segments);
        }
        let head = render(&segments[..KEEP]);
        let tail = render(&segments[segments.len() - KEEP..]);
        let dot = if tail.starts_with('[') { "" } else { "." };
        format!("{head}…({} more)…{dot}{tail}", segments.len() - 2 * KEEP)
    }
}

/// Renders segments as a JavaScript-style accessor path.
fn render(segments: &[&Segment]) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
            Segment::Key(key) if is_plain_key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Key(key) => {
                out.push('[');
                out.push_str(&serde_json::to_string(key).unwrap_or_default());
                out.push(']');
            }
        }
    }
    out
}

/// Keys that read unambiguously after a dot: identifier-like, as in `requestContext.http`.
fn is_plain_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '$')
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path_string();
        if path.is_empty() {
            f.write_str(&self.inner.message)
        } else {
            write!(f, "{path}: {}", self.inner.message)
        }
    }
}

impl std::error::Error for Error {}

impl serde::de::Error for Error {
    #[cold]
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::new(ErrorKind::Invalid, msg.to_string())
    }
}

impl serde::ser::Error for Error {
    #[cold]
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::new(ErrorKind::Invalid, msg.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_renders_like_a_javascript_accessor() {
        let e = Error::new(
            ErrorKind::Invalid,
            "invalid type: integer `5`, expected a string",
        )
        .within(Segment::Key("body".into()))
        .within(Segment::Index(3))
        .within(Segment::Key("Records".into()));
        assert_eq!(
            e.to_string(),
            "Records[3].body: invalid type: integer `5`, expected a string"
        );
    }

    #[test]
    fn odd_keys_are_quoted_and_root_indexes_stand_alone() {
        let e = Error::new(ErrorKind::TooDeep, "x")
            .within(Segment::Key("a b".into()))
            .within(Segment::Index(0));
        assert_eq!(e.path_string(), "[0][\"a b\"]");
        assert_eq!(Error::new(ErrorKind::Invalid, "m").to_string(), "m");
    }

    #[test]
    fn long_paths_keep_both_ends() {
        let mut e = Error::new(ErrorKind::TooDeep, "deep");
        for _ in 0..128 {
            e = e.within(Segment::Key("self".into()));
        }
        let head = ["self"; 10].join(".");
        assert_eq!(e.to_string(), format!("{head}…(108 more)….{head}: deep"));
        let mut e = Error::new(ErrorKind::TooDeep, "deep");
        for _ in 0..40 {
            e = e.within(Segment::Index(0));
        }
        assert_eq!(
            e.path_string(),
            format!("{0}…(20 more)…{0}", "[0]".repeat(10))
        );
    }
}
