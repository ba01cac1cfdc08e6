"""The ``icgpu`` command: serve | worker | db upgrade | admin bootstrap | auth token | schema export."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from pathlib import Path

import typer

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


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, log_level: str = "info") -> None:
    """Serve the API and run the workers (reconciler, event bus)."""
    import uvicorn

    from icgpu.app import create_app
    from icgpu.platform import Platform

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings()
    platform = Platform(settings)

    async def first_start() -> None:
        await platform.db.migrate()
        if await platform.accounts.is_empty():
            boot = await platform.accounts.bootstrap("default", "owner@example.com")
            token = _dev_token(settings, boot.account_id, "owner@example.com", boot.tenant)
            print("Empty database: created a development owner (shown once, keep them safe):", flush=True)
            print(f"  tenant:  {boot.tenant}\n  account: {boot.account_id}\n  API key: {boot.api_key}", flush=True)
            if token:
                print(f"  OIDC token (dev issuer): {token}", flush=True)
        await platform.db.close()  # its connections belong to this loop, not uvicorn's

    asyncio.run(first_start())
    uvicorn.run(create_app(settings, platform=platform), host=host, port=port, log_level=log_level,
                ws="websockets-sansio", lifespan="on")


@app.command()
def worker() -> None:
    """Run only the workers (for deployments that split API and workers)."""
    from icgpu.platform import Platform

    settings = Settings()

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
        db = Database(Settings().resolved_database_url)
        await db.migrate()
        await db.close()

    asyncio.run(run())
    typer.echo("database is at the newest schema")


@admin_app.command("bootstrap")
def bootstrap(tenant: str = typer.Option(...), email: str = typer.Option(...)) -> None:
    """Create or reuse a tenant and its owner; print an API key and a dev-issuer token as JSON."""
    from icgpu.db.database import Database
    from icgpu.errors import ApiError
    from icgpu.services.accounts import AccountService

    settings = Settings()

    async def run() -> dict[str, str | None]:
        db = Database(settings.resolved_database_url)
        try:
            await db.migrate()
            boot = await AccountService(db).bootstrap(tenant, email)
        finally:
            await db.close()
        return {
            "tenant": boot.tenant,
            "account_id": boot.account_id,
            "api_key": boot.api_key,
            "oidc_token": _dev_token(settings, boot.account_id, email.strip().lower(), boot.tenant),
        }

    try:
        result = asyncio.run(run())
    except ApiError as err:
        _fail(err.message)
    typer.echo(json.dumps(result))


@auth_app.command("token")
def token(tenant: str = typer.Option(...), email: str = typer.Option(...),
          subject: str | None = typer.Option(None, help="defaults to 'dev:<tenant>/<email>'")) -> None:
    """Print a token from the built-in development issuer."""
    settings = Settings()
    if not settings.dev_issuer_enabled:
        _fail("the development issuer is off because ICGPU_OIDC_ISSUER is set")
    email = email.strip().lower()
    typer.echo(_dev_token(settings, subject or f"dev:{tenant}/{email}", email, tenant))


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


def _dev_token(settings: Settings, subject: str, email: str, tenant: str) -> str | None:
    if not settings.dev_issuer_enabled:
        return None
    from icgpu.auth.dev_issuer import DevIssuer

    return DevIssuer(settings).mint(subject=subject, email=email, tenant=tenant)


def main() -> None:
    app(prog_name="icgpu")


if __name__ == "__main__":
    main()
