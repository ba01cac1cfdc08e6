"""The `icgpu` command's errors are one clear line (or a usage message), never a traceback.

These run the real command against a private SQLite data dir; none of them starts a server.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.auth import decode_segment
from tests.support.server import ICGPU, ROOT, free_port

pytestmark = pytest.mark.db_independent


def run(tmp: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ICGPU_")}
    clean.update(ICGPU_DATA_DIR=str(tmp / "data"),
                 ICGPU_DATABASE_URL=f"sqlite+aiosqlite:///{tmp / 'icgpu.db'}", **env)
    return subprocess.run([ICGPU, *args], env=clean, cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=False)


def assert_usage_error(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    for needle in needles:
        assert needle in done.stderr, done.stderr


@pytest.mark.parametrize("level", ["nonsense", "", "10"])
def test_serve_refuses_an_unknown_log_level(tmp_path: Path, level: str) -> None:
    done = run(tmp_path, "serve", "--port", str(free_port()), "--log-level", level)
    assert_usage_error(done, "Usage: icgpu serve", "--log-level", "critical", "trace")
    assert not (tmp_path / "icgpu.db").exists()  # refused before anything started


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_serve_refuses_a_bad_port(tmp_path: Path, port: str) -> None:
    assert_usage_error(run(tmp_path, "serve", "--port", port), "Usage: icgpu serve", "--port")
    assert not (tmp_path / "icgpu.db").exists()


@pytest.mark.parametrize("command", [
    ["serve"],
    ["worker"],
    ["db", "upgrade"],
    ["admin", "bootstrap", "--tenant", "t", "--email", "a@example.com"],
    ["auth", "token", "--tenant", "t", "--email", "a@example.com"],
])
def test_a_bad_setting_is_named_in_one_line(tmp_path: Path, command: list[str]) -> None:
    done = run(tmp_path, *command, ICGPU_RATE_LIMIT_API="lots")
    assert_usage_error(done, "error: invalid setting: ICGPU_RATE_LIMIT_API")
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stdout == ""


def test_bootstrap_refuses_a_bad_tenant_or_email_cleanly(tmp_path: Path) -> None:
    assert_usage_error(run(tmp_path, "admin", "bootstrap", "--tenant", " ", "--email", "a@example.com"),
                       "error: tenant name must be 1-100 characters")
    assert_usage_error(run(tmp_path, "admin", "bootstrap", "--tenant", "t", "--email", "nobody"),
                       "error: email must be an email address")


def test_auth_token_refuses_a_bad_tenant_or_email(tmp_path: Path) -> None:
    for args in (["--tenant", "  ", "--email", "a@example.com"], ["--tenant", "t", "--email", "nobody"]):
        done = run(tmp_path, "auth", "token", *args)
        assert_usage_error(done, "error: --tenant must not be empty and --email must be an email address")
        assert done.stdout == ""


def test_auth_token_names_the_person_as_bootstrap_does(tmp_path: Path) -> None:
    boot = json.loads(run(tmp_path, "admin", "bootstrap", "--tenant", "acme", "--email", "Alice@Example.com").stdout)
    token = run(tmp_path, "auth", "token", "--tenant", " acme ", "--email", " alice@example.COM").stdout.strip()
    boot_claims, claims = decode_segment(boot["oidc_token"], 1), decode_segment(token, 1)
    assert boot_claims["sub"] == claims["sub"] == "dev:acme/alice@example.com"
    assert boot_claims["email"] == claims["email"] == "alice@example.com"
    assert boot_claims["tenant"] == claims["tenant"] == "acme"
    # Without ICGPU_PUBLIC_URL both name the default URL: the server accepts it on any loopback port.
    assert boot_claims["iss"] == claims["iss"] == "http://127.0.0.1:8000/dev-oidc"
    custom = run(tmp_path, "auth", "token", "--tenant", "acme", "--email", "alice@example.com", "--subject", "x-1")
    assert decode_segment(custom.stdout.strip(), 1)["sub"] == "x-1"


def test_bootstrap_export_lines_set_the_credentials_in_a_shell(tmp_path: Path) -> None:
    out = run(tmp_path, "admin", "bootstrap", "--tenant", "acme", "--email", "bob@example.com", "--export",
              ICGPU_PUBLIC_URL="http://127.0.0.1:9000").stdout
    assert [line.split("=")[0] for line in out.splitlines()] == [
        "export ICGPU_URL", "export ICGPU_API_KEY", "export ICGPU_TOKEN"], out
    shell = subprocess.run(["bash", "-c", 'eval "$1"; printf "%s\\n" "$ICGPU_URL" "$ICGPU_API_KEY" "$ICGPU_TOKEN"',
                            "bash", out], capture_output=True, text=True, timeout=30, check=True)
    url, key, token = shell.stdout.splitlines()
    assert url == "http://127.0.0.1:9000" and key.startswith("sk-ic-")
    assert decode_segment(token, 1)["sub"] == "dev:acme/bob@example.com"
