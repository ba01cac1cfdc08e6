"""examples/notebooks/quickstart.ipynb runs top to bottom on a real Jupyter kernel against a live server."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.support.server import Server

# The SDK's behaviour does not depend on the server's database (tests/server covers the server on
# each): run once, in the SQLite run.
pytestmark = pytest.mark.db_independent

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "notebooks" / "quickstart.ipynb"


def test_quickstart_notebook_runs(server: Server, fresh_key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ICGPU_API_KEY", fresh_key)  # the kernel inherits the environment
    monkeypatch.setenv("ICGPU_BASE_URL", server.url)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    where = {"metadata": {"path": str(NOTEBOOK.parent)}}
    NotebookClient(nb, timeout=60, kernel_name="python3", resources=where).execute()
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "RUNNING" in text and "ssh -p " in text and "mig" in text and "TERMINATED" in text
