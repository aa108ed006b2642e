"""Just enough HTTP/1.1 server for the Runtime API, on non-blocking sockets and our `Loop`.

Runtime clients keep one connection alive and send one request at a time (awslambdaric's C++
client is libcurl with `Expect:` cleared; other clients may send `Expect: 100-continue` or a
chunked body, so both are handled). Each response is written with a single `send` when it fits,
which sidesteps Nagle/delayed-ACK stalls without relying on socket options alone.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field

from .loop import READ, WRITE, Loop

REASONS = {
    100: "Continue",
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
}

_MAX_HEADER_BYTES = 1024 * 1024


class BadRequest(Exception):
    """The peer sent something that is not HTTP/1.x; the connection is closed."""


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]  # names lower-cased
    body: bytes = b""
    keep_alive: bool = True


@dataclass
class _Pending:
    """A request whose headers are parsed and whose body is still arriving."""

    request: Request
    length: int | None  # Content-Length, or None for chunked
    chunks: list[bytes] = field(default_factory=list)


class RequestReader:
    """Incremental parser: `feed(data)` returns the requests completed by `data`."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._pending: _Pending | None = None
        self.wants_continue = False  # set when a `100 Continue` should be sent now

    def feed(self, data: bytes) -> list[Request]:
        self._buf += data
        done: list[Request] = []
        while True:
            if self._pending is None:
                end = self._buf.find(b"\r\n\r\n")
                if end < 0:
                    if len(self._buf) > _MAX_HEADER_BYTES:
                        raise BadRequest("header block too large")
                    return done
                head = bytes(self._buf[:end])
                del self._buf[: end + 4]
                self._pending = self._parse_head(head)
            request = self._take_body()
            if request is None:
                return done
            done.append(request)

    def _parse_head(self, head: bytes) -> _Pending:
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            raise BadRequest(f"bad request line {lines[0]!r}") from None
        if not version.startswith("HTTP/1."):
            raise BadRequest(f"unsupported protocol {version!r}")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                raise BadRequest(f"bad header line {line!r}")
            name = name.strip().lower()
            value = value.strip()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        connection = headers.get("connection", "").lower()
        keep_alive = "close" not in connection and (
            version != "HTTP/1.0" or "keep-alive" in connection
        )
        request = Request(method, target, headers, b"", keep_alive)
        if "chunked" in headers.get("transfer-encoding", "").lower():
            length = None
        else:
            try:
                length = int(headers.get("content-length", "0"))
            except ValueError:
                raise BadRequest("bad Content-Length") from None
            if length < 0:
                raise BadRequest("negative Content-Length")
        if headers.get("expect", "").lower() == "100-continue" and length != 0:
            self.wants_continue = True
        return _Pending(request, length)

    def _take_body(self) -> Request | None:
        pending = self._pending
        assert pending is not None
        if pending.length is not None:
            if len(self._buf) < pending.length:
                return None
            pending.request.body = bytes(self._buf[: pending.length])
            del self._buf[: pending.length]
        elif not self._take_chunks(pending):
            return None
        self._pending = None
        return pending.request

    def _take_chunks(self, pending: _Pending) -> bool:
        """Consume complete chunks; True once the terminating chunk and trailers are in."""
        buf = self._buf
        while True:
            eol = buf.find(b"\r\n")
            if eol < 0:
                return False
            size_text = bytes(buf[:eol]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise BadRequest(f"bad chunk size {size_text!r}") from None
            if size == 0:
                # The last chunk is followed by optional trailer lines and an empty line.
                if bytes(buf[eol + 2 : eol + 4]) == b"\r\n":
                    end = eol
                else:
                    end = buf.find(b"\r\n\r\n", eol)
                    if end < 0:
                        return False
                del buf[: end + 4]
                pending.request.body = b"".join(pending.chunks)
                return True
            start = eol + 2
            if len(buf) < start + size + 2:
                return False
            pending.chunks.append(bytes(buf[start : start + size]))
            del buf[: start + size + 2]


def build_response(status: int, headers: list[tuple[str, str]], body: bytes = b"") -> bytes:
    """One buffer holding the status line, headers (plus Content-Length) and body."""
    head = [f"HTTP/1.1 {status} {REASONS.get(status, 'Unknown')}"]
    head.extend(f"{name}: {value}" for name, value in headers)
    head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


Handler = Callable[["Connection", Request], None]


class Connection:
    """One accepted socket: parses requests, hands them to `handler`, buffers what it writes."""

    def __init__(self, loop: Loop, sock: socket.socket, handler: Handler, on_close) -> None:
        self.loop = loop
        self.sock = sock
        self._handler = handler
        self._on_close = on_close
        self._reader = RequestReader()
        self._out: memoryview | None = None
        self._close_after_write = False
        self.closed = False
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        loop.add(sock, READ, self._ready)

    def _ready(self, mask: int) -> None:
        if mask & WRITE:
            self._flush()
        if mask & READ and not self.closed:
            self._read()

    def _read(self) -> None:
        try:
            data = self.sock.recv(1 << 20)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.close()
            return
        if not data:
            self.close()
            return
        try:
            requests = self._reader.feed(data)
        except BadRequest:
            self.write(build_response(400, [("Connection", "close")]), close=True)
            return
        if self._reader.wants_continue:
            self._reader.wants_continue = False
            if not requests:
                self.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        for request in requests:
            if self.closed:
                return
            self._handler(self, request)
            if not request.keep_alive:
                self._close_after_write = True
                if self._out is None:
                    self.close()

    def write(self, data: bytes, close: bool = False) -> None:
        """Send `data`, queueing whatever the socket does not take at once."""
        if self.closed:
            return
        self._close_after_write = self._close_after_write or close
        if self._out is not None:
            self._out = memoryview(bytes(self._out) + data)
            return
        try:
            sent = self.sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self.close()
            return
        if sent < len(data):
            self._out = memoryview(data)[sent:]
            self.loop.modify(self.sock, READ | WRITE, self._ready)
        elif self._close_after_write:
            self.close()

    def _flush(self) -> None:
        out = self._out
        if out is None:
            return
        try:
            sent = self.sock.send(out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.close()
            return
        out = out[sent:]
        if len(out):
            self._out = out
            return
        self._out = None
        if self._close_after_write:
            self.close()
        else:
            self.loop.modify(self.sock, READ, self._ready)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.loop.remove(self.sock)
        try:
            self.sock.close()
        finally:
            self._on_close(self)


class Listener:
    """A loopback listening socket whose accepted connections are served on `loop`."""

    def __init__(self, loop: Loop, handler: Handler, host: str = "127.0.0.1", port: int = 0):
        self.loop = loop
        self._handler = handler
        self.connections: set[Connection] = set()
        self.sock = socket.create_server((host, port), backlog=16)
        self.sock.setblocking(False)
        self.address = "{}:{}".format(*self.sock.getsockname()[:2])
        loop.add(self.sock, READ, self._accept)

    def _accept(self, _mask: int) -> None:
        while True:
            try:
                sock, _ = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            self.connections.add(
                Connection(self.loop, sock, self._handler, self.connections.discard)
            )

    def close_connections(self) -> None:
        for conn in list(self.connections):
            conn.close()

    def close(self) -> None:
        self.close_connections()
        self.loop.remove(self.sock)
        self.sock.close()
