//! `libpyo3_routes`: PyO3 + pythonize routes.
//!
//! | function | route |
//! |---|---|
//! | `value` | Python → `serde_json::Value` → Python (`depythonize`, `pythonize`) |
//! | `apigw` | `ApiGatewayProxyRequest` in, `ApiGatewayProxyResponse` out, through pythonize |
//!
//! Like pylambda, each call converts with the GIL held and runs the handler body without it.

use aws_lambda_events::apigw::ApiGatewayProxyRequest;
use pyo3::prelude::*;
use pythonize::{depythonize, pythonize};
use serde_json::Value;

/// The identity round trip into `serde_json::Value`.
#[pyfunction]
fn value<'py>(py: Python<'py>, event: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let value: Value = depythonize(event)?;
    let value = py.detach(move || value);
    Ok(pythonize(py, &value)?)
}

/// The typed API Gateway route.
#[pyfunction]
fn apigw<'py>(py: Python<'py>, event: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let request: ApiGatewayProxyRequest = depythonize(event)?;
    let response = py.detach(|| bench_common::respond(&request));
    Ok(pythonize(py, &response)?)
}

#[pymodule]
fn libpyo3_routes(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(value, m)?)?;
    m.add_function(wrap_pyfunction!(apigw, m)?)?;
    Ok(())
}
