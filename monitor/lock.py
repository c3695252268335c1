"""One monitor at a time per database: `monitor run` and `monitor daemon` hold a lock.

An advisory `flock` on `<database>.lock`: the kernel releases it when the holder exits,
however it exits (even SIGKILL), so a crash never leaves a stale lock for cron to trip on.
The file keeps the holder's pid and command, so the message can name who holds it.
"""
import fcntl
import os
from datetime import datetime, timezone
from pathlib import Path

from .errors import UserError

LOCKED_EXIT = 75    # EX_TEMPFAIL (sysexits.h): try again later


class Locked(UserError):
    """Another monitor holds the lock; the CLI exits with LOCKED_EXIT."""
    exit_status = LOCKED_EXIT


class RunLock:
    def __init__(self, database):
        self.path = Path(str(database) + ".lock")
        self._fd = None

    def acquire(self, what: str) -> "RunLock":
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "another monitor"
            os.close(fd)
            raise Locked(f"skipped: {holder} is using this database ({self.path})",
                         hint="overlapping runs are not started twice; if this repeats, run less often "
                              "or stop the daemon") from None
        os.ftruncate(fd, 0)
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        os.write(fd, f"monitor {what} (pid {os.getpid()}, since {started})\n".encode())
        self._fd = fd
        return self

    def holder(self) -> str | None:
        """Who holds the lock now ("monitor daemon (pid …, since …)"), or None."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return os.read(fd, 200).decode("utf-8", "replace").strip() or "another monitor"
        finally:
            os.close(fd)
        return None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)      # closing the descriptor drops the flock
            self._fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()
