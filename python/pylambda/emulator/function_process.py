"""The function process: the real runtime client, `python -m awslambdaric MODULE.FUNC`.

Its stdout and stderr share one pipe, read on the emulator's loop, so the function's output keeps
its order whichever stream (or Rust's `println!` on fd 1) wrote it. Exit is watched through a
pidfd, so a crash wakes the loop at once instead of being noticed by polling.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import time
from collections.abc import Callable

from .loop import READ, Loop

_CHUNK = 1 << 16


def _no_core_dumps() -> None:  # pragma: no cover - runs in the child between fork and exec
    # Lambda writes no core files; neither should a crashing function fill the task directory.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class FunctionProcess:
    """One runtime process, registered on `loop` until it ends."""

    def __init__(
        self,
        loop: Loop,
        argv: list[str],
        cwd: str,
        env: dict[str, str],
        on_output: Callable[[bytes], None],
    ) -> None:
        self._loop = loop
        self._on_output = on_output
        read_fd, write_fd = os.pipe()
        cores_allowed = resource.getrlimit(resource.RLIMIT_CORE)[0] != 0
        try:
            self._popen = subprocess.Popen(
                argv,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=write_fd,
                stderr=write_fd,
                # Its own process group, so a timeout kills all of it and a Ctrl-C meant for us
                # does not reach it; but in our session, so that if we die while it is frozen,
                # the kernel finds a stopped, newly orphaned group and sends it SIGHUP+SIGCONT.
                process_group=0,
                preexec_fn=_no_core_dumps if cores_allowed else None,
            )
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        self.pid = self._popen.pid
        self.started = time.monotonic()
        #: The raw `waitpid` status once the process has ended, else None.
        self.wait_status: int | None = None
        self._max_rss_kb = 0
        self._status_fd: int | None = None
        self.frozen = False
        self._out: int | None = read_fd
        os.set_blocking(read_fd, False)
        loop.add(read_fd, READ, self._readable)
        self._pidfd: int | None = os.pidfd_open(self.pid)
        loop.add(self._pidfd, READ, self._exit_ready)

    @property
    def exited(self) -> bool:
        return self.wait_status is not None

    def drain(self) -> None:
        """Pass on everything the process has written so far, without blocking."""
        fd = self._out
        if fd is None:
            return
        while True:
            try:
                chunk = os.read(fd, _CHUNK)
            except (BlockingIOError, InterruptedError):
                return
            if not chunk:
                self._close_output()
                return
            self._on_output(chunk)

    def _readable(self, _mask: int) -> None:
        self.drain()

    def _close_output(self) -> None:
        if self._out is not None:
            self._loop.remove(self._out)
            os.close(self._out)
            self._out = None

    def _exit_ready(self, _mask: int) -> None:
        self._reap(block=False)

    def _reap(self, block: bool) -> None:
        if self.wait_status is not None:
            return
        try:
            pid, status, rusage = os.wait4(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            pid, status, rusage = self.pid, 0, None
        if pid == 0:
            return
        self.wait_status = status
        self._popen.returncode = os.waitstatus_to_exitcode(status)
        if rusage is not None:
            self._max_rss_kb = max(self._max_rss_kb, rusage.ru_maxrss)
        if self._pidfd is not None:
            self._loop.remove(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = None
        # Lambda tears the whole sandbox down: take any children with it, then collect the
        # output that was still in the pipe.
        self._kill_group()
        self.drain()

    def poll(self) -> bool:
        """True if the process has ended (reaping it if so)."""
        self._reap(block=False)
        return self.exited

    def max_memory_used_mb(self) -> int:
        """The resident-set high-water mark (VmHWM) in MB, as Lambda's Max Memory Used."""
        if not self.exited:
            try:
                if self._status_fd is None:
                    # Kept open: a /proc file re-reads fresh from offset 0, saving an open per call.
                    self._status_fd = os.open(f"/proc/{self.pid}/status", os.O_RDONLY)
                status = os.pread(self._status_fd, 8192, 0)
                start = status.index(b"VmHWM:") + 6
                kb = int(status[start : status.index(b"kB", start)])
                self._max_rss_kb = max(self._max_rss_kb, kb)
            except (OSError, ValueError):
                pass
        return -(-self._max_rss_kb // 1024)

    def freeze(self) -> None:
        """Stop every process of the group, as Lambda freezes an idle environment."""
        if not self.exited and not self.frozen:
            self._signal_group(signal.SIGSTOP)
            self.frozen = True

    def thaw(self) -> None:
        if self.frozen:
            self.frozen = False
            self._signal_group(signal.SIGCONT)

    def _signal_group(self, signo: int) -> None:
        try:
            os.killpg(self.pid, signo)
        except (ProcessLookupError, PermissionError):
            pass

    def _kill_group(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def kill(self) -> None:
        """SIGKILL the process group, reap it and collect its remaining output."""
        if not self.exited:
            self._kill_group()
            self._reap(block=True)
        self.close()

    def close(self) -> None:
        """Stop watching the process; kills it first if it is still running."""
        if not self.exited:
            self.kill()
            return
        self.drain()
        self._close_output()
        if self._status_fd is not None:
            os.close(self._status_fd)
            self._status_fd = None
