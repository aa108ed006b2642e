// The PyO3 + pythonize route functions, shared by `pyo3_routes` and `pyo3_ordered_routes`
// (which differ only in serde_json's features) through `include!`.

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
