"""SQL statements per request, counted on in-process copies of the apps (IC GPU and the baseline).

Each app runs under uvicorn in a thread of this process, on the run's database, with a SQLAlchemy
``before_cursor_execute`` listener on every engine it has. Background work is off (no workers; the
event bus polls once an hour), so every statement recorded between a request's start and a short
settle after its response is the request's own; a check that nothing runs while idle guards that.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx
from harness import HOST, START_TIMEOUT, BenchError, free_port

TX_CONTROL = frozenset({"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"})


@contextlib.contextmanager
def _serve_in_thread(app: Any, engines: Sequence[Any], name: str) -> Iterator[tuple[str, list[str]]]:
    import uvicorn
    from sqlalchemy import event

    statements: list[str] = []

    def _record(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(statement)

    for engine in engines:
        event.listen(engine.sync_engine, "before_cursor_execute", _record)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    try:
        end = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > end:
                raise BenchError(f"the in-process {name} did not start")
            time.sleep(0.05)
        yield f"http://{HOST}:{port}", statements
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        if thread.is_alive():
            raise BenchError(f"the in-process {name} did not stop within 15 s")


@contextlib.contextmanager
def icgpu_in_process(env: dict[str, str], public_url: str) -> Iterator[tuple[str, list[str]]]:
    """The IC GPU app with the subprocess server's settings (from ``env``), the event bus quiet."""
    from icgpu.app import create_app
    from icgpu.platform import Platform
    from icgpu.settings import Settings

    same: dict[str, Any] = {k.removeprefix("ICGPU_").lower(): v for k, v in env.items() if k.startswith("ICGPU_")}
    same.update(public_url=public_url, run_workers=False, event_poll_interval_seconds=3600.0)
    settings = Settings.model_validate(same)
    platform = Platform(settings)
    # The store may keep a separate read engine (SQLite); listen on every engine it has.
    engines = getattr(platform.db, "engines", None) or (platform.db.engine,)
    with _serve_in_thread(create_app(settings, platform=platform), engines, "icgpu-in-process") as served:
        yield served


@contextlib.contextmanager
def baseline_in_process(database_url: str) -> Iterator[tuple[str, list[str]]]:
    from baseline_app import make_app

    app = make_app(database_url)
    with _serve_in_thread(app, (app.state.engine,), "baseline-in-process") as served:
        yield served


def count_statements(url: str, statements: list[str], headers: dict[str, str], method: str, path: str,
                     body: bytes | None, check: Callable[[httpx.Response], None]) -> list[str]:
    """The statements one request runs, after a warm-up request of the same kind."""
    with httpx.Client(base_url=url, headers=headers, timeout=30.0) as c:
        # Warm-up: the API key's last_used_at write (once a minute) and the OIDC account lookup
        # (memoised) happen here, not in the counted request.
        check(c.request(method, path, content=body))
        time.sleep(0.2)
        before = len(statements)
        time.sleep(0.2)
        if len(statements) != before:
            raise BenchError(f"statements ran while idle, the count would be wrong: {statements[before:]}")
        check(c.request(method, path, content=body))
        time.sleep(0.2)  # anything the request left running finishes inside the count
        return statements[before:]


def queries(statements: list[str]) -> int:
    """The statements that are not transaction control."""
    return sum(1 for x in statements if _verb(x) not in TX_CONTROL)


def describe(statements: list[str]) -> str:
    """"3 + 3 BEGIN + 3 ROLLBACK"-style: queries, plus each kind of transaction-control statement."""
    control = [_verb(x) for x in statements if _verb(x) in TX_CONTROL]
    return f"{queries(statements)}" + "".join(f" + {control.count(k)} {k}" for k in sorted(set(control)))


def _verb(statement: str) -> str:
    return statement.split(None, 1)[0].upper() if statement.strip() else ""
