"""The Python SDK's cost: `make generate` from scratch, and the SDK's overhead per call.

    .venv/bin/python bench/sdk_overhead.py [--calls 50]

1. Time of the Python generator from scratch into a temp dir (sdk-python/codegen/generate.sh;
   needs .venv/codegen, which `make generate` creates), and of the TypeScript one when
   sdk-typescript/node_modules exists.
2. instances.list of 100 items through ICGPU against a raw httpx POST of the same query, same
   server, one run: mean ms per call and the ratio. The server is a private `icgpu serve` on
   127.0.0.1 (tests/support/server.py), stopped at the end.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ic_gpu import ICGPU  # noqa: E402

from tests.support.server import Server  # noqa: E402

ITEMS = 100


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, timeout=600)
    return time.perf_counter() - start


def generate_times() -> None:
    with tempfile.TemporaryDirectory() as out:
        print(f"make generate, Python SDK from scratch: {timed(['sdk-python/codegen/generate.sh', out], ROOT):.2f} s")
    if (ROOT / "sdk-typescript/node_modules/.bin").is_dir():
        seconds = timed(["npm", "--prefix", "sdk-typescript", "run", "generate"], ROOT)
        print(f"make generate, TypeScript SDK: {seconds:.2f} s")


def list_query(client: ICGPU) -> str:
    """The exact document the SDK sends for ListInstances (taken from a real request)."""
    sent: list[str] = []
    http = client._transport.http
    original = http.post

    def spy(url: str, **kwargs: object) -> httpx.Response:
        sent.append(kwargs["json"]["query"])  # type: ignore[index]
        return original(url, **kwargs)  # type: ignore[arg-type]

    http.post = spy  # type: ignore[method-assign]
    client.instances.list(max_results=ITEMS)
    http.post = original  # type: ignore[method-assign]
    return sent[0]


def overhead(calls: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        srv = Server(tmp=Path(tmp), extra_env={"ICGPU_TENANT_STORAGE_QUOTA_GB": "100000"}).start()
        try:
            key = srv.bootstrap("bench-sdk", "bench@example.com")["api_key"]
            with ICGPU(api_key=key, base_url=srv.url, timeout=60) as client:
                pub = client.ssh_keys.generate(name="bench").ssh_key.public_key
                for n in range(ITEMS):
                    client.instances.create(name=f"b{n}", tier="mig", ssh_key=pub)
                query = list_query(client)
                raw = httpx.Client(base_url=srv.url, headers={"Authorization": f"Bearer {key}"}, timeout=60)
                body = {"query": query, "operationName": "ListInstances", "variables": {"maxResults": ITEMS}}
                assert len(raw.post("/graphql", json=body).json()["data"]["instances"]["items"]) == ITEMS
                assert len(client.instances.list(max_results=ITEMS).items) == ITEMS

                def sdk() -> None:
                    client.instances.list(max_results=ITEMS)

                def plain() -> None:
                    raw.post("/graphql", json=body).json()

                results = {}
                for name, fn in (("raw httpx POST", plain), ("ic_gpu instances.list", sdk)):
                    fn()
                    start = time.perf_counter()
                    for _ in range(calls):
                        fn()
                    results[name] = (time.perf_counter() - start) / calls * 1000
                raw.close()
            for name, ms in results.items():
                print(f"{name:<24} {ms:8.2f} ms per call ({ITEMS} items, {calls} calls)")
            ratio = results["ic_gpu instances.list"] / results["raw httpx POST"]
            print(f"SDK overhead: {results['ic_gpu instances.list'] - results['raw httpx POST']:.2f} ms per call, "
                  f"ratio {ratio:.2f}x")
        finally:
            srv.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    generate_times()
    overhead(args.calls)


if __name__ == "__main__":
    main()
