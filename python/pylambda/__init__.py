"""pylambda's Python side: run Rust Lambda functions built with the `pylambda` crate.

The command line (`python -m pylambda ...`) is in :mod:`pylambda.cli`.
"""

__version__ = "0.1.0"
