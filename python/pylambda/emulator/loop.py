"""A minimal single-threaded event loop over `selectors`.

Why not threads or asyncio: every invocation crosses the Runtime API twice (`/next`, then
`/response`) and reads the function's log pipe. Serving all of it from the thread that called
`Function.invoke` avoids thread hand-offs and GIL ping-pong on the hot path, and an asyncio loop
would add a layer of futures and callbacks for the same three file descriptors. The loop only runs
while someone is waiting on the function; in between, the function is parked in `GET /next`, which
is exactly Lambda's "frozen" environment.
"""

from __future__ import annotations

import selectors
import time
from collections.abc import Callable

READ = selectors.EVENT_READ
WRITE = selectors.EVENT_WRITE

Callback = Callable[[int], None]


class Loop:
    """Dispatches readiness events on registered file objects to their callbacks."""

    def __init__(self) -> None:
        self._selector = selectors.DefaultSelector()

    def add(self, fileobj, events: int, callback: Callback) -> None:
        """Watch `fileobj` for `events`; `callback(mask)` runs when it is ready."""
        self._selector.register(fileobj, events, callback)

    def modify(self, fileobj, events: int, callback: Callback) -> None:
        self._selector.modify(fileobj, events, callback)

    def remove(self, fileobj) -> None:
        """Stop watching `fileobj`; a no-op when it is not registered."""
        try:
            self._selector.unregister(fileobj)
        except (KeyError, ValueError):
            pass

    def run_until(self, done: Callable[[], bool], deadline: float | None = None) -> bool:
        """Dispatch events until `done()` is true (returns True) or `deadline` passes (False).

        `deadline` is a `time.monotonic()` value; None waits for ever.
        """
        select = self._selector.select
        while not done():
            if deadline is None:
                timeout = None
            else:
                timeout = deadline - time.monotonic()
                if timeout <= 0:
                    return done()
            for key, mask in select(timeout):
                key.data(mask)
        return True

    def close(self) -> None:
        self._selector.close()
