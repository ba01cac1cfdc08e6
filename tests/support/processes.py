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


def engine_children(server_pid: int) -> list[int]:
    """The development-engine processes a server started: its live children running the engine."""
    from icgpu.gateway.devengine.launcher import ENGINE_MODULE

    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == server_pid and ENGINE_MODULE in cmdline and not exited(int(entry.name)):
            found.append(int(entry.name))
    return found
