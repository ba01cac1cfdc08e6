"""Whether a process a test started (or made the server start) has ended."""

from __future__ import annotations

from pathlib import Path


def exited(pid: int) -> bool:
    """The process no longer runs: absent, or a zombie left for its reaper (PID 1 of a container
    may never reap an orphan). Reading ``/proc`` races the exit itself: a process reaped between the
    open and the read raises ProcessLookupError, which also means it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"
