"""Install the test objects in a fresh control plane and wait until it can run pods.

Run by scripts/k8s-up.sh once the API server answers /readyz:

    python bootstrap.py --server https://127.0.0.1:PORT --pki DIR --scheduler-port P --controller-manager-port P

It creates the PriorityClasses and the fake GPU nodes of objects.py, and the CustomResourceDefinitions
of crds/ (KubeVirt's VirtualMachine and KubeAI's Model, which the Kubernetes provisioner renders VMs and
model replicas as); an object that already exists is left as it is. Then it polls, within --timeout
seconds, until every fake node is Ready with its GPU allocatable (kwok plays their kubelet), every CRD
is Established, the ``default`` ServiceAccount exists (the controller-manager runs) and the scheduler
and controller-manager answer /healthz. Standard library and PyYAML only (HTTPS with the admin client
certificate); every message goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import ssl
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml  # PyYAML, a dependency of kubernetes-asyncio
from objects import gpu_nodes, priority_classes

POLL_SECONDS = 0.2
CRD_DIR = Path(__file__).resolve().parent / "crds"
CRD_COLLECTION = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def log(message: str) -> None:
    print(f"k8s-up: {message}", file=sys.stderr, flush=True)


class Api:
    def __init__(self, server: str, pki: str) -> None:
        self.server = server.rstrip("/")
        self.ssl = ssl.create_default_context(cafile=f"{pki}/ca.crt")
        self.ssl.load_cert_chain(f"{pki}/admin.crt", f"{pki}/admin.key")

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.server}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, context=self.ssl, timeout=10) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def create(self, collection: str, obj: dict[str, Any]) -> None:
        status, answer = self.request("POST", collection, obj)
        kind, name = obj["kind"], obj["metadata"]["name"]
        if status == 409:
            log(f"{kind} {name} exists already")
        elif status != 201:
            raise SystemExit(f"k8s-up: creating {kind} {name} failed: {status} {answer}")


def healthy(port: int) -> bool:
    """The component's /healthz on its self-signed serving certificate (anonymous access is allowed there)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(f"https://127.0.0.1:{port}/healthz", context=context, timeout=5) as resp:
            return bool(resp.status == 200 and resp.read() == b"ok")
    except OSError:
        return False


def node_ready(node: dict[str, Any], expected: dict[str, Any]) -> bool:
    conditions = {c["type"]: c["status"] for c in node.get("status", {}).get("conditions", [])}
    allocatable = node.get("status", {}).get("allocatable", {})
    wanted = expected["status"]["allocatable"]
    return conditions.get("Ready") == "True" and all(allocatable.get(k) == v for k, v in wanted.items())


def custom_resource_definitions() -> list[dict[str, Any]]:
    """The CRDs of crds/, one per file, in name order."""
    return [yaml.safe_load(path.read_text()) for path in sorted(CRD_DIR.glob("*.yaml"))]


def established(api: Api, name: str) -> bool:
    """Has the API server accepted the CRD's names and started serving it (condition Established)?"""
    status, crd = api.request("GET", f"{CRD_COLLECTION}/{name}")
    # A CRD just created has no status yet (null conditions)
    conditions = {c["type"]: c["status"] for c in ((crd or {}).get("status") or {}).get("conditions") or []}
    return status == 200 and conditions.get("Established") == "True"


def waiting_for(api: Api, nodes: list[dict[str, Any]], scheduler_port: int, controller_manager_port: int,
                crds: list[str] | None = None) -> list[str]:
    """What is not ready yet (empty when everything is)."""
    missing: list[str] = [f"CRD {name} Established" for name in crds or [] if not established(api, name)]
    for expected in nodes:
        status, node = api.request("GET", f"/api/v1/nodes/{expected['metadata']['name']}")
        if status != 200 or not node_ready(node, expected):
            missing.append(f"node {expected['metadata']['name']} Ready")
    if api.request("GET", "/api/v1/namespaces/default/serviceaccounts/default")[0] != 200:
        missing.append("ServiceAccount default/default")
    if not healthy(scheduler_port):
        missing.append("kube-scheduler /healthz")
    if not healthy(controller_manager_port):
        missing.append("kube-controller-manager /healthz")
    return missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--pki", required=True)
    parser.add_argument("--scheduler-port", type=int, required=True)
    parser.add_argument("--controller-manager-port", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()

    api = Api(args.server, args.pki)
    for pc in priority_classes():
        api.create("/apis/scheduling.k8s.io/v1/priorityclasses", pc)
    nodes = gpu_nodes()
    for node in nodes:
        api.create("/api/v1/nodes", node)
    log(f"created {len(nodes)} fake GPU nodes: {', '.join(n['metadata']['name'] for n in nodes)}")
    crds = custom_resource_definitions()
    for crd in crds:
        api.create(CRD_COLLECTION, crd)
    crd_names = [crd["metadata"]["name"] for crd in crds]
    log(f"created {len(crds)} CustomResourceDefinitions: {', '.join(crd_names)}")

    deadline = time.monotonic() + args.timeout
    while missing := waiting_for(api, nodes, args.scheduler_port, args.controller_manager_port, crd_names):
        if time.monotonic() > deadline:
            raise SystemExit(f"k8s-up: not ready after {args.timeout:.0f} s: {', '.join(missing)}")
        time.sleep(POLL_SECONDS)


if __name__ == "__main__":
    main()
