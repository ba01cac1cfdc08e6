"""A real ``icgpu serve`` process on 127.0.0.1 for tests, on SQLite or PostgreSQL.

Each server gets its own data dir and its own database (a fresh SQLite file, or a fresh
PostgreSQL database created on the test cluster from ``ICGPU_TEST_DATABASE_URL``). It is stopped
by its own process id.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
ICGPU = str(Path(sys.executable).parent / "icgpu")
START_TIMEOUT = 60.0

# Fast, deterministic timings for the local provisioner and workers in tests.
FAST = {
    "ICGPU_LOCAL_PROVISION_SECONDS": "0.3",
    "ICGPU_LOCAL_STOP_SECONDS": "0.2",
    "ICGPU_RECONCILE_INTERVAL_SECONDS": "0.1",
    "ICGPU_EVENT_POLL_INTERVAL_SECONDS": "0.05",
    "ICGPU_RATE_LIMIT_API": "100000",
    "ICGPU_RATE_LIMIT_LLM": "100000",
    "ICGPU_TENANT_GPU_LIMIT": "100000",  # suites that make hundreds of instances; test_quotas.py sets its own
    "ICGPU_LOCAL_FUNCTION_EXEC": "true",  # GPU function runs execute on the test host
}

# Settings that bootstrapping reads (the database, the development issuer's keys, URL and claims): a
# server given one of these as an extra setting bootstraps through the command, which reads them all.
BOOTSTRAP_READS = ("ICGPU_DATA_DIR", "ICGPU_DATABASE_URL", "ICGPU_PUBLIC_URL", "ICGPU_OIDC_", "ICGPU_DEV_",
                   "ICGPU_SECRET_KEY")


def backend() -> str:
    return os.environ.get("ICGPU_TEST_DATABASE", "sqlite")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_admin_url() -> str:
    url = os.environ.get("ICGPU_TEST_DATABASE_URL")
    if not url:
        raise RuntimeError("ICGPU_TEST_DATABASE=postgresql needs ICGPU_TEST_DATABASE_URL (make test sets it)")
    return url


def _pg_exec(sql: str) -> None:
    import asyncio

    import asyncpg

    dsn = _pg_admin_url().replace("postgresql+asyncpg://", "postgresql://")

    async def run() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


def new_database_url(tmp: Path) -> tuple[str, str | None]:
    """A fresh, empty database for one server; returns (url, postgres db name or None)."""
    if backend() == "postgresql":
        name = "t_" + uuid.uuid4().hex[:12]
        _pg_exec(f'CREATE DATABASE "{name}"')
        base, _, _ = _pg_admin_url().rpartition("/")
        return f"{base}/{name}", name
    return f"sqlite+aiosqlite:///{tmp / 'icgpu.db'}", None


class _Template:
    """One migrated database per test process, copied for each server: migrating a fresh database
    takes a server 1-4 s (about a second of CPU), and a run starts a hundred and more servers. A
    SQLite file is copied; PostgreSQL copies a template database (CREATE DATABASE ... TEMPLATE)."""

    sqlite_file: Path | None = None
    pg_name: str | None = None

    @classmethod
    def _migrate(cls, url: str) -> None:
        from sqlalchemy.ext.asyncio import create_async_engine
        from sqlalchemy.pool import NullPool

        from icgpu.db.migrate import upgrade

        async def run() -> None:
            engine = create_async_engine(url, poolclass=NullPool)
            try:
                await upgrade(engine)
            finally:
                await engine.dispose()

        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, run()).result(timeout=300)

    @classmethod
    def sqlite(cls) -> Path:
        if cls.sqlite_file is None:
            import atexit
            import tempfile

            home = Path(tempfile.mkdtemp(prefix="icgpu-template-"))
            atexit.register(shutil.rmtree, home, True)
            path = home / "icgpu.db"
            cls._migrate(f"sqlite+aiosqlite:///{path}")
            cls.sqlite_file = path
        return cls.sqlite_file

    @classmethod
    def postgresql(cls) -> str:
        if cls.pg_name is None:
            import atexit

            name = "tmpl_" + uuid.uuid4().hex[:12]
            _pg_exec(f'CREATE DATABASE "{name}"')
            base, _, _ = _pg_admin_url().rpartition("/")
            cls._migrate(f"{base}/{name}")
            atexit.register(drop_database, name)
            cls.pg_name = name
        return cls.pg_name


def migrated_database_url(tmp: Path) -> tuple[str, str | None]:
    """A fresh database at the newest schema for one server (a copy of the process's template);
    returns (url, postgres db name or None)."""
    if backend() == "postgresql":
        template = _Template.postgresql()
        name = "t_" + uuid.uuid4().hex[:12]
        _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        base, _, _ = _pg_admin_url().rpartition("/")
        return f"{base}/{name}", name
    shutil.copyfile(_Template.sqlite(), tmp / "icgpu.db")
    return f"sqlite+aiosqlite:///{tmp / 'icgpu.db'}", None


def drop_database(name: str) -> None:
    _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Server:
    tmp: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    db_url: str = ""
    pg_name: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ICGPU_")}
        env.update(FAST)
        env.update({
            "ICGPU_DATA_DIR": str(self.tmp / "data"),
            "ICGPU_DATABASE_URL": self.db_url,
            "ICGPU_PUBLIC_URL": self.url,
        })
        env.update(self.extra_env)
        return env

    def start(self) -> Server:
        if not self.db_url:
            self.db_url, self.pg_name = migrated_database_url(self.tmp)
        if not self.port:
            self.port = free_port()
        log = open(self.tmp / f"server-{self.port}.log", "ab")
        self.proc = subprocess.Popen(
            [ICGPU, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "info"],
            env=self.env(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log()[-3000:]}")
            try:
                if httpx.get(self.url + "/readyz", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not become ready: " + self.log()[-3000:])

    def stop(self, *, drop: bool = True) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None
        if drop and self.pg_name:
            drop_database(self.pg_name)
            self.pg_name = None

    def kill(self) -> None:
        """Stop abruptly (SIGKILL), keeping the database: a crash mid-transition."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=5)
            self.proc = None

    def log(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.tmp.glob("server-*.log")))

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([ICGPU, *args], env=self.env(), cwd=ROOT, capture_output=True, text=True,
                              check=check, timeout=60)

    def bootstrap(self, tenant: str, email: str) -> dict[str, Any]:
        """What ``icgpu admin bootstrap`` prints for this server. Made in this process by the code the
        command runs (icgpu.auth.bootstrap) when the server's settings that code reads are all ones
        this fixture sets: a process start costs about a second of CPU, and a run bootstraps hundreds
        of tenants. The command itself is tested in tests/server/test_cli.py."""
        settings = self._bootstrap_settings()
        if settings is None:
            return dict(json.loads(self.cli("admin", "bootstrap", "--tenant", tenant, "--email", email).stdout))
        from icgpu.auth.bootstrap import bootstrap

        return _in_thread(bootstrap(settings, tenant, email, migrate=False))

    def token(self, tenant: str, email: str) -> str:
        """What ``icgpu auth token`` prints (in this process, as ``bootstrap``)."""
        settings = self._bootstrap_settings()
        if settings is None:
            return self.cli("auth", "token", "--tenant", tenant, "--email", email).stdout.strip()
        from icgpu.auth.bootstrap import dev_token
        from icgpu.auth.dev_issuer import dev_subject

        tenant, email = tenant.strip(), email.strip().lower()
        minted = dev_token(settings, dev_subject(tenant, email), email, tenant)
        assert minted is not None
        return minted

    def _bootstrap_settings(self) -> Any:
        """The server's Settings as bootstrapping reads them, or None when its extra settings include
        one that could change what bootstrapping does (then the command runs, reading them all)."""
        if any(key.startswith(BOOTSTRAP_READS) for key in self.extra_env):
            return None
        from icgpu.settings import Settings

        env = self.env()
        fields = {"ICGPU_DATA_DIR": "data_dir", "ICGPU_DATABASE_URL": "database_url", "ICGPU_PUBLIC_URL": "public_url"}
        given = {field: env[key] for key, field in fields.items() if key in env}
        return Settings(**given)

    def client(self, credential: str | None = None, **headers: str) -> httpx.Client:
        h = dict(headers)
        if credential:
            h["Authorization"] = f"Bearer {credential}"
        return httpx.Client(base_url=self.url, headers=h, timeout=30.0)


def _in_thread(coro: Any) -> Any:
    """Run a coroutine to completion on a loop of its own in another thread (a test may already be
    running an event loop in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=60)


def wait_for(fn: Any, *, timeout: float = 20.0, interval: float = 0.05, what: str = "condition") -> Any:
    """Poll ``fn`` until it returns a truthy value (bounded in time)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}; last value: {last!r}")
