//! Placeholder; replaced below.
#[test]
fn placeholder() {}
