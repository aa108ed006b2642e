//! `libpyo3_ordered_routes`: the routes of `pyo3_routes`, with serde_json's `preserve_order`
//! (objects are `IndexMap`s), so that dict key order survives as it does through pylambda.
//! The exact-semantics comparison: what keeping the order costs pythonize.

include!("../../pyo3_routes/src/functions.rs");

#[pymodule]
fn libpyo3_ordered_routes(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(value, m)?)?;
    m.add_function(wrap_pyfunction!(apigw, m)?)?;
    Ok(())
}
