//! pylambda (skeleton)
