"""Swagger UI (/docs) and GraphiQL (/graphql) render in headless Chromium on a machine with no network.

The test re-runs this module as a script inside new network and PID namespaces (``unshare``): the
only interface there is loopback, so anything a page tried to load from a CDN would fail. A real
``icgpu serve`` and Chromium both run inside; the script writes what Chromium rendered (its DOM
after the scripts ran) to files that the test then checks. When the namespace's first process
exits, the kernel ends every process left in it, Chromium's included.

It does not depend on the database (it always uses SQLite): marked ``db_independent`` so the
PostgreSQL run can deselect it.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.support.server import ROOT, Server

pytestmark = pytest.mark.db_independent

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
PAGES = {"docs": "/docs", "graphiql": "/graphql"}
PAGE_TIMEOUT = 60.0  # seconds for one page in Chromium
TOTAL_TIMEOUT = 240.0  # the whole run inside the namespace


def chromium() -> str:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    raise AssertionError("headless Chromium is missing: run `make test-deps` (scripts/test-deps.sh)")


# -- outside: the test ------------------------------------------------------------------------------


def test_swagger_ui_and_graphiql_render_without_network(tmp_path: Path) -> None:
    run_in_namespace(tmp_path, chromium())
    assert_rendered(tmp_path)


def run_in_namespace(out_dir: Path, browser: str) -> None:
    unshare = shutil.which("unshare")
    assert unshare, "unshare (util-linux) is missing: run `make test-deps`"
    cmd = [unshare, "--net", "--pid", "--fork", "--mount-proc", "--kill-child",
           sys.executable, "-m", "tests.e2e.test_offline_ui", str(out_dir), browser]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=TOTAL_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the namespace's init dies: the kernel ends the rest
        out, _ = proc.communicate(timeout=30)
        raise AssertionError("the offline run timed out:\n" + out.decode(errors="replace")[-4000:]) from None
    log = out.decode(errors="replace")
    assert proc.returncode == 0, log[-6000:]


def assert_rendered(out_dir: Path) -> None:
    # The run had no network: loopback was its only interface.
    assert (out_dir / "interfaces").read_text().split() == ["lo"]

    # The pages themselves name no other host: every script and style comes from this server.
    for name in PAGES:
        page = (out_dir / f"{name}.html").read_text()
        sources = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page)
        assert sources, page[:2000]
        assert all(s.startswith("/_assets/") for s in sources), (name, sources)

    # Swagger UI rendered the operations of the OpenAPI document (it fetched /openapi.json itself).
    docs = (out_dir / "docs.dom").read_text()
    assert 'class="swagger-ui' in docs, docs[:3000]
    assert docs.count('class="opblock opblock-') >= 5, docs[:3000]
    assert "/api/v1/instances" in docs

    # GraphiQL rendered its editors (CodeMirror) and the toolbar, not a blank page or "Loading...".
    ide = (out_dir / "graphiql.dom").read_text()
    assert 'class="graphiql-container' in ide, ide[:3000]
    assert ide.count('class="CodeMirror ') >= 2, ide[:3000]  # query editor and result viewer at least
    assert "graphiql-execute-button" in ide, ide[:3000]
    assert "Loading..." not in ide


# -- inside the namespace: this module run as a script ----------------------------------------------

SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1


def bring_up_loopback() -> None:
    """A new network namespace has only ``lo``, and it is down."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(s, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))


def interfaces() -> list[str]:
    lines = Path("/proc/self/net/dev").read_text().splitlines()[2:]
    return sorted(line.split(":")[0].strip() for line in lines)


def dump_dom(browser: str, url: str, profile: Path) -> str:
    """Chromium's DOM of ``url`` after its scripts ran (virtual time lets timers and fetches finish)."""
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--virtual-time-budget=20000",
           "--window-size=1400,1000", "--dump-dom", url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=PAGE_TIMEOUT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"chromium exited with {done.returncode}: {done.stderr[-3000:]}")
    return done.stdout


def run_inside(out_dir: Path, browser: str) -> None:
    bring_up_loopback()
    (out_dir / "interfaces").write_text("\n".join(interfaces()))
    os.environ["ICGPU_TEST_DATABASE"] = "sqlite"
    import httpx

    server = Server(tmp=Path(tempfile.mkdtemp(dir=out_dir, prefix="srv-"))).start()
    try:
        for name, path in PAGES.items():
            page = httpx.get(server.url + path, headers={"Accept": "text/html"}, timeout=10.0)
            page.raise_for_status()
            (out_dir / f"{name}.html").write_text(page.text)
            profile = Path(tempfile.mkdtemp(dir=out_dir, prefix=f"chromium-{name}-"))
            (out_dir / f"{name}.dom").write_text(dump_dom(browser, server.url + path, profile))
    finally:
        server.stop()


if __name__ == "__main__":
    run_inside(Path(sys.argv[1]), sys.argv[2])
