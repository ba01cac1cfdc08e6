"""The ``icgpu`` command: serve | worker | db upgrade | admin bootstrap | auth token | schema export."""

from __future__ import annotations

import asyncio
import json
import logging
import shlex
import signal
from enum import StrEnum
from pathlib import Path
from typing import NoReturn

import typer
from pydantic import ValidationError

from icgpu.auth.dev_issuer import dev_subject, loopback_issuer_url
from icgpu.settings import Settings

app = typer.Typer(help="IC GPU control plane.", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
admin_app = typer.Typer(help="Operator tasks.", no_args_is_help=True)
auth_app = typer.Typer(help="Development credentials.", no_args_is_help=True)
schema_app = typer.Typer(help="GraphQL schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(admin_app, name="admin")
app.add_typer(auth_app, name="auth")
app.add_typer(schema_app, name="schema")

SCHEMA_PATH = Path("schema/schema.graphql")
OPENAPI_PATH = Path("schema/openapi.json")


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _settings() -> Settings:
    """Settings from the environment; a bad ICGPU_ variable is a one-line error, not a traceback."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"ICGPU_{'_'.join(str(part) for part in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        _fail(f"invalid setting: {problems}")


def _loopback_url(host: str, port: int) -> str:
    """The URL a local client reaches ``icgpu serve --host host --port port`` at."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class LogLevel(StrEnum):
    critical = "critical"
    error = "error"
    warning = "warning"
    info = "info"
    debug = "debug"
    trace = "trace"


TRACE = 5  # uvicorn's level below DEBUG


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = typer.Option(8000, min=1, max=65535),
    log_level: LogLevel = typer.Option(LogLevel.info, case_sensitive=False),
) -> None:
    """Serve the API and run the workers (reconciler, event bus)."""
    import uvicorn

    from icgpu.app import create_app
    from icgpu.platform import Platform

    level = TRACE if log_level is LogLevel.trace else log_level.value.upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = _settings()
    platform = Platform(settings)
    url = settings.public_url or _loopback_url(host, port)

    async def first_start() -> None:
        await platform.db.migrate()
        if await platform.accounts.is_empty():
            email = "owner@example.com"
            boot = await platform.accounts.bootstrap("default", email)
            # Unset ICGPU_PUBLIC_URL: the token names the port this server listens on (accepted either way).
            issuer = None if settings.public_url else loopback_issuer_url(port)
            token = _dev_token(settings, dev_subject(boot.tenant, email), email, boot.tenant, issuer=issuer)
            print("Empty database: created a development owner (shown once, keep them safe):", flush=True)
            print(f"  tenant:  {boot.tenant}\n  account: {boot.account_id} ({email})", flush=True)
            print("Paste these lines into the shell you call the API from:", flush=True)
            print(_exports(url=url, api_key=boot.api_key, token=token), flush=True)
        await platform.db.close()  # its connections belong to this loop, not uvicorn's

    asyncio.run(first_start())
    uvicorn.run(create_app(settings, platform=platform), host=host, port=port, log_level=log_level.value,
                ws="websockets-sansio", lifespan="on")


@app.command()
def worker() -> None:
    """Run only the workers (for deployments that split API and workers)."""
    from icgpu.platform import Platform

    settings = _settings()

    async def run() -> None:
        platform = Platform(settings)
        await platform.start(workers=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await platform.stop()

    asyncio.run(run())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the configured database to the newest schema."""
    from icgpu.db.database import Database

    async def run() -> None:
        db = Database(_settings().resolved_database_url)
        await db.migrate()
        await db.close()

    asyncio.run(run())
    typer.echo("database is at the newest schema")


@admin_app.command("bootstrap")
def bootstrap(tenant: str = typer.Option(...), email: str = typer.Option(...),
              export: bool = typer.Option(False, "--export", help="print `export ICGPU_...=` lines, not JSON")
              ) -> None:
    """Create or reuse a tenant and its owner; print an API key and a dev-issuer token as JSON."""
    from icgpu.auth.bootstrap import bootstrap as make
    from icgpu.errors import ApiError

    settings = _settings()
    try:
        result = asyncio.run(make(settings, tenant, email))
    except ApiError as err:
        _fail(err.message)
    if export:
        typer.echo(_exports(url=settings.public_url, api_key=result["api_key"], token=result["oidc_token"]))
    else:
        typer.echo(json.dumps(result))


quota_app = typer.Typer(help="Per-tenant limits.", no_args_is_help=True)
admin_app.add_typer(quota_app, name="quota")


@quota_app.command("set")
def quota_set(tenant: str = typer.Option(..., help="the tenant's name"),
              gpus: int | None = typer.Option(None, help="GPUs its live workloads may hold at once"),
              storage_gb: int | None = typer.Option(None, "--storage-gb", help="its storage quota in GB")) -> None:
    """Override a tenant's GPU limit and/or storage quota; print its limits and usage as JSON."""
    from icgpu.db.database import Database
    from icgpu.errors import ApiError
    from icgpu.services.quotas import QuotaService

    settings = _settings()

    async def run() -> dict[str, object]:
        db = Database(settings.resolved_database_url)
        try:
            await db.migrate()
            row, u = await QuotaService(db, settings).set_limits(tenant, gpus=gpus, storage_gb=storage_gb)
        finally:
            await db.close()
        return {"tenant": row.name, "tenant_id": row.id, "gpu_limit": u.gpu_limit, "gpus_used": u.gpus_used,
                "storage_quota_gb": u.storage_limit_gb, "storage_used_gb": u.storage_used_gb}

    try:
        result = asyncio.run(run())
    except ApiError as err:
        _fail(err.message)
    typer.echo(json.dumps(result))


tokens_app = typer.Typer(help="Prepaid tokens (docs/tokens.md).", no_args_is_help=True)  # issue 11
admin_app.add_typer(tokens_app, name="tokens")


@tokens_app.command("grant")
def tokens_grant(tenant: str = typer.Option(..., help="the tenant's name (or id)"),
                 amount: int = typer.Option(..., help="tokens to add to its balance"),
                 note: str | None = typer.Option(None, help="why (kept with the grant)")) -> None:
    """Credit a tenant's token balance (whether or not self-service purchase is on); print the grant as JSON."""
    from icgpu.db.database import Database
    from icgpu.errors import ApiError
    from icgpu.services.pagination import PageCodec
    from icgpu.services.tokens import TokenService

    settings = _settings()

    async def run() -> dict[str, object]:
        db = Database(settings.resolved_database_url)
        try:
            await db.migrate()
            grant = await TokenService(db, settings, PageCodec(settings.resolved_secret_key)).grant(
                tenant, amount, note=note)
        finally:
            await db.close()
        return {"id": grant.id, "tenant_id": grant.tenant_id, "amount": grant.amount, "note": grant.note,
                "balance": grant.balance_after, "created_at": grant.created_at.isoformat()}

    try:
        result = asyncio.run(run())
    except ApiError as err:
        _fail(err.message)
    typer.echo(json.dumps(result))


@auth_app.command("token")
def token(tenant: str = typer.Option(...), email: str = typer.Option(...),
          subject: str | None = typer.Option(None, help="defaults to 'dev:<tenant>/<email>', as admin bootstrap")
          ) -> None:
    """Print a token from the built-in development issuer (the same account as admin bootstrap's)."""
    settings = _settings()
    if not settings.dev_issuer_enabled:
        _fail("the development issuer is off because ICGPU_OIDC_ISSUER is set")
    tenant, email = tenant.strip(), email.strip().lower()
    if not tenant or "@" not in email:
        _fail("--tenant must not be empty and --email must be an email address")
    typer.echo(_dev_token(settings, subject or dev_subject(tenant, email), email, tenant))


@schema_app.command("export")
def schema_export(
    path: Path = SCHEMA_PATH,
    openapi_path: Path = OPENAPI_PATH,
    check: bool = typer.Option(False, help="fail if a file differs instead of writing it"),
) -> None:
    """Write the GraphQL SDL (schema/schema.graphql) and the REST OpenAPI document (schema/openapi.json)."""
    from icgpu.api.graphql.schema import export_sdl
    from icgpu.app import export_openapi

    for target, text in ((path, export_sdl()), (openapi_path, export_openapi())):
        if check:
            if not target.exists() or target.read_text() != text:
                _fail(f"{target} is out of date: run 'make schema'")
            typer.echo(f"{target} is up to date")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        typer.echo(f"wrote {target}")


def _exports(*, url: str | None, api_key: str | None, token: str | None) -> str:
    """Shell lines that set the URL and credentials (quoted only if a value needs it)."""
    pairs = (("ICGPU_URL", url), ("ICGPU_API_KEY", api_key), ("ICGPU_TOKEN", token))
    return "\n".join(f"export {name}={shlex.quote(value)}" for name, value in pairs if value)


def _dev_token(settings: Settings, subject: str, email: str, tenant: str, *, issuer: str | None = None) -> str | None:
    from icgpu.auth.bootstrap import dev_token

    return dev_token(settings, subject, email, tenant, issuer=issuer)


def main() -> None:
    app(prog_name="icgpu")


if __name__ == "__main__":
    main()
