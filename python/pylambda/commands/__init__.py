"""One module per `python -m pylambda` subcommand; each exposes `register(subparsers)`.

`register` adds the subcommand's parser and sets `run=<callable(args) -> int>` as its default.
"""
