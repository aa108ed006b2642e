//! `libpyo3_routes`: PyO3 + pythonize routes, with serde_json as its users get it by default
//! (objects are `BTreeMap`s: keys come back sorted).
//!
//! | function | route |
//! |---|---|
//! | `value` | Python → `serde_json::Value` → Python (`depythonize`, `pythonize`) |
//! | `apigw` | `ApiGatewayProxyRequest` in, `ApiGatewayProxyResponse` out, through pythonize |
//!
//! Like pylambda, each call converts with the GIL held and runs the handler body without it.

include!("functions.rs");

#[pymodule]
fn libpyo3_routes(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(value, m)?)?;
    m.add_function(wrap_pyfunction!(apigw, m)?)?;
    Ok(())
}
