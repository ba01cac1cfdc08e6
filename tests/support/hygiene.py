"""Helpers for the input-hygiene and refusal tests: every write that stores text (enumerated from
the services' ``Input`` models), row counts of every table, raw HTTP for bodies httpx will not
send, and the refusal body ``/graphql`` answers."""

from __future__ import annotations

import importlib
import pkgutil
import select as io_select
import socket
import time
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.db.base import Base
from icgpu.services.validation import Input
from tests.support.auth import run_db
from tests.support.server import Server

SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILtGK3OPT3yb55+33+VIorEs5hTYuNnb4X3/Waa9Si6w alice@laptop"
JSON = {"Content-Type": "application/json"}
FAKE = {"instance": "inst-aaaaaaaaaaaa", "team": "team-aaaaaaaaaaaa", "group": "grp-aaaaaaaaaaaa",
        "vm": "vm-aaaaaaaaaaaa", "network": "net-aaaaaaaaaaaa", "disk": "disk-aaaaaaaaaaaa",
        "function": "fn-aaaaaaaaaaaa"}


def input_models() -> dict[str, type[Input]]:
    """Every service input model, by class name (the services' modules imported first)."""
    import icgpu.services as services

    for mod in pkgutil.iter_modules(services.__path__):
        importlib.import_module(f"icgpu.services.{mod.name}")
    found: dict[str, type[Input]] = {}
    todo = list(Input.__subclasses__())
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    return found


def text_fields(model: type[Input]) -> dict[str, bool]:
    """The model's fields that hold free text: name -> whether it is a list of strings."""
    out: dict[str, bool] = {}
    for name, info in model.model_fields.items():
        ann = info.annotation
        args = typing.get_args(ann)
        if ann is str or (typing.get_origin(ann) in (typing.Union, type(str | None)) and str in args):
            out[name] = False
        elif typing.get_origin(ann) is list and args == (str,):
            out[name] = True
    return out


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


@dataclass(frozen=True)
class Write:
    """One write that stores text: its REST route and GraphQL mutation, and a valid value for each
    text field (the body sent is ``base`` plus the one field under test)."""

    method: str
    path: str
    base: dict[str, Any]
    samples: dict[str, Any]
    mutation: str
    variables: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda b: {"input": b})
    rest_camel: bool = False  # the REST body's documented names are camelCase (VMs, functions)

    def rest_name(self, name: str) -> str:
        """The field's name in the REST body, and in the 400 that names it."""
        return camel(name) if self.rest_camel else name

    def body(self, name: str, value: Any) -> dict[str, Any]:
        return {**self.base, self.rest_name(name): value}


def _m(op: str, args: str, call: str) -> str:
    return f"mutation({args}) {{ {op}({call}) {{ __typename }} }}"


WRITES: dict[str, Write] = {
    "InstanceCreate": Write(
        "POST", "/api/v1/instances", {"name": "hyg-a", "tier": "mig"},
        {"name": "hyg-a", "tier": "mig", "ssh_key": SSH, "ssh_key_group": FAKE["group"], "team_id": FAKE["team"]},
        _m("createInstance", "$input: CreateInstanceInput!", "input: $input")),
    "InstanceUpdate": Write(
        "PATCH", f"/api/v1/instances/{FAKE['instance']}", {}, {"name": "hyg-b"},
        _m("updateInstance", "$id: ID!, $input: UpdateInstanceInput!", "id: $id, input: $input"),
        lambda b: {"id": FAKE["instance"], "input": b}),
    "TeamCreate": Write(
        "POST", "/api/v1/teams", {"name": "hyg team"}, {"name": "hyg team", "description": "about"},
        _m("createTeam", "$input: CreateTeamInput!", "input: $input")),
    "MemberAdd": Write(
        "POST", f"/api/v1/teams/{FAKE['team']}/members", {},
        {"account_id": "acc-aaaaaaaaaaaa", "email": "bob@example.com"},
        _m("addTeamMember", "$teamId: ID!, $input: AddTeamMemberInput!", "teamId: $teamId, input: $input"),
        lambda b: {"teamId": FAKE["team"], "input": b}),
    "ApiKeyCreate": Write(
        "POST", "/api/v1/api-keys", {"name": "ci", "scopes": ["instances"]},
        {"name": "ci", "scopes": ["instances"], "permissions": ["read"]},
        _m("createApiKey", "$input: CreateApiKeyInput!", "input: $input")),
    "SshKeyUpload": Write(
        "POST", "/api/v1/ssh-keys", {"name": "laptop", "public_key": SSH}, {"name": "laptop", "public_key": SSH},
        _m("uploadSshKey", "$input: UploadSshKeyInput!", "input: $input")),
    "SshKeyGenerate": Write(
        "POST", "/api/v1/ssh-keys/generate", {"name": "made"}, {"name": "made"},
        _m("generateSshKey", "$name: String!", "name: $name"), lambda b: b),
    "GroupCreate": Write(
        "POST", "/api/v1/ssh-key-groups", {"name": "grp"}, {"name": "grp", "description": "about"},
        _m("createSshKeyGroup", "$input: CreateSshKeyGroupInput!", "input: $input")),
    "GroupAddKey": Write(
        "POST", f"/api/v1/ssh-key-groups/{FAKE['group']}/keys", {}, {"ssh_key_id": "key-aaaaaaaaaaaa"},
        _m("addSshKeyToGroup", "$groupId: ID!, $sshKeyId: ID!", "groupId: $groupId, sshKeyId: $sshKeyId"),
        lambda b: {"groupId": FAKE["group"], **b}),
    # Issue 10's families. Writes under a parent name a well-formed id that names no row: the body
    # is refused before the parent is looked up, so none needs to exist.
    "VmCreate": Write(
        "POST", "/api/v1/vms", {"name": "hyg-vm", "templateId": "tpl-ubuntu-gpu", "sshKey": SSH},
        {"name": "hyg-vm", "template_id": "tpl-ubuntu-gpu", "ssh_key": SSH, "ssh_key_group": FAKE["group"],
         "gpu_tier": "dedicated", "team_id": FAKE["team"]},
        _m("createVm", "$input: CreateVmInput!", "input: $input"), rest_camel=True),
    "VmUpdate": Write(
        "PATCH", f"/api/v1/vms/{FAKE['vm']}", {}, {"name": "hyg-vm-b"},
        _m("updateVm", "$id: ID!, $input: UpdateVmInput!", "id: $id, input: $input"),
        lambda b: {"id": FAKE["vm"], "input": b}, rest_camel=True),
    "VmNetworkAttach": Write(
        "POST", f"/api/v1/vms/{FAKE['vm']}/networks", {"name": "hyg-net"}, {"name": "hyg-net", "cidr": "10.9.0.0/24"},
        _m("attachVmNetwork", "$vmId: ID!, $input: AttachVmNetworkInput!", "vmId: $vmId, input: $input"),
        lambda b: {"vmId": FAKE["vm"], "input": b}, rest_camel=True),
    "NetworkCreate": Write(
        "POST", "/api/v1/vm-networks", {"name": "hyg-net"},
        {"name": "hyg-net", "description": "about", "team_id": FAKE["team"]},
        _m("createVmNetwork", "$input: CreateVmNetworkInput!", "input: $input")),
    "SubnetCreate": Write(
        "POST", f"/api/v1/vm-networks/{FAKE['network']}/subnets", {"name": "hyg-sub", "cidr": "10.9.1.0/24"},
        {"name": "hyg-sub", "cidr": "10.9.1.0/24"},
        _m("createSubnet", "$networkId: ID!, $input: CreateSubnetInput!", "networkId: $networkId, input: $input"),
        lambda b: {"networkId": FAKE["network"], "input": b}),
    "FirewallRuleCreate": Write(
        "POST", f"/api/v1/vm-networks/{FAKE['network']}/firewall-rules",
        {"direction": "ingress", "protocol": "tcp", "port_range": "22", "source": "0.0.0.0/0", "action": "allow"},
        {"port_range": "22", "source": "0.0.0.0/0", "description": "ssh"},
        _m("createFirewallRule", "$networkId: ID!, $input: CreateFirewallRuleInput!",
           "networkId: $networkId, input: $input"),
        lambda b: {"networkId": FAKE["network"], "input": b}),
    "DiskCreate": Write(
        "POST", "/api/v1/vm-disks", {"name": "hyg-disk", "size_gb": 10}, {"name": "hyg-disk", "team_id": FAKE["team"]},
        _m("createVmDisk", "$input: CreateVmDiskInput!", "input: $input")),
    "DiskAttach": Write(
        "POST", f"/api/v1/vm-disks/{FAKE['disk']}/attach", {}, {"vm_id": FAKE["vm"]},
        _m("attachVmDisk", "$id: ID!, $vmId: String!", "id: $id, vmId: $vmId"),
        lambda b: {"id": FAKE["disk"], **b}),
    "ClusterCreate": Write(
        "POST", "/api/v1/clusters", {"name": "hyg-cluster"},
        {"name": "hyg-cluster", "version": "1.31", "team_id": FAKE["team"]},
        _m("createCluster", "$input: CreateClusterInput!", "input: $input")),
    "SlurmEnvironmentCreate": Write(
        "POST", "/api/v1/slurm-environments", {"name": "hyg-slurm", "max_nodes": 1, "gpu_per_node": 1},
        {"name": "hyg-slurm", "gpu_tier": "dedicated", "team_id": FAKE["team"]},
        _m("createSlurmEnvironment", "$input: CreateSlurmEnvironmentInput!", "input: $input")),
    "FunctionCreate": Write(
        "POST", "/api/v1/functions", {"name": "hyg-fn", "image": "python:3.11", "entrypoint": "python main.py"},
        {"name": "hyg-fn", "image": "python:3.11", "entrypoint": "python main.py", "gpu_tier": "timesliced",
         "team_id": FAKE["team"]},
        _m("createFunction", "$input: CreateFunctionInput!", "input: $input"), rest_camel=True),
    "FunctionUpdate": Write(
        "PATCH", f"/api/v1/functions/{FAKE['function']}", {},
        {"name": "hyg-fn-b", "image": "python:3.12", "entrypoint": "python other.py", "gpu_tier": "dedicated"},
        _m("updateFunction", "$id: ID!, $input: UpdateFunctionInput!", "id: $id, input: $input"),
        lambda b: {"id": FAKE["function"], "input": b}, rest_camel=True),
    # issue 11: prepaid tokens and spending alerts
    "TokenPurchase": Write(
        "POST", "/api/v1/tokens/purchase", {}, {"package_id": "pkg-starter"},
        _m("purchaseTokens", "$input: PurchaseTokensInput!", "input: $input"), rest_camel=True),
    "AlertCreate": Write(
        "POST", "/api/v1/spending-alerts", {"threshold": 1000}, {"name": "hyg alert"},
        _m("createSpendingAlert", "$input: CreateSpendingAlertInput!", "input: $input")),
    "AlertUpdate": Write(
        "PATCH", "/api/v1/spending-alerts/alert-aaaaaaaaaaaa", {}, {"name": "hyg alert b"},
        _m("updateSpendingAlert", "$id: ID!, $input: UpdateSpendingAlertInput!", "id: $id, input: $input"),
        lambda b: {"id": "alert-aaaaaaaaaaaa", "input": b}),
    # issue 11: model deployments
    "ModelDeploy": Write(
        "POST", "/api/v1/models", {"name": "hyg-mdl", "model": "org/hyg-model"},
        {"name": "hyg-mdl", "model": "org/hyg-model", "engine": "vllm", "kind": "chat",
         "resource_profile": "nvidia-gpu-mig", "huggingface_token": "hf_hygieneToken", "team_id": FAKE["team"]},
        _m("deployModel", "$input: DeployModelInput!", "input: $input"), rest_camel=True),
}


def tainted(value: Any, ch: str, is_list: bool) -> Any:
    """``value`` with ``ch`` inside it (inside its first item for a list)."""
    if is_list:
        return [tainted(value[0], ch, False), *value[1:]]
    return value[:1] + ch + value[1:]


def graphql_variables(write: Write, body: dict[str, Any]) -> dict[str, Any]:
    return write.variables({camel(k): v for k, v in body.items()})


def table_counts(server: Server) -> dict[str, int]:
    """Rows in every table of the server's database that requests write (the local provisioner's
    own ``sim_*`` tables change as it works): any accepted write changes one."""

    async def count(s: AsyncSession) -> dict[str, int]:
        return {t.name: int(await s.scalar(select(func.count()).select_from(t)) or 0)
                for t in Base.metadata.sorted_tables if not t.name.startswith("sim_")}

    return run_db(server, count)


def assert_refusal(r: httpx.Response, status: int, type_: str, *, code: str | None = None,
                   field: str | None = None, graphql: bool = False) -> dict[str, Any]:
    """The shared error body (plus, on /graphql, the same error as a GraphQL ``errors`` array),
    its request id equal to the response's X-Request-Id."""
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text[:500]}"
    assert r.headers["content-type"].startswith("application/json"), r.headers
    data = r.json()
    assert set(data) == ({"error", "errors"} if graphql else {"error"}), data
    err: dict[str, Any] = data["error"]
    assert err["type"] == type_, err
    if code is not None:
        assert err["code"] == code, err
    if field is not None:
        assert err.get("field") == field, err
    assert isinstance(err["message"], str) and err["message"].strip() and "Traceback" not in r.text, err
    assert err["request_id"] and err["request_id"] == r.headers.get("x-request-id"), (err, r.headers)
    if graphql:
        (gerr,) = data["errors"]
        assert gerr["message"] == err["message"], data
        ext = gerr["extensions"]
        assert (ext["code"], ext["status"], ext["reason"]) == (type_, status, err["code"]), data
    return err


# -- raw HTTP -----------------------------------------------------------------------------------

@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def _read_response(sock: socket.socket, deadline: float) -> RawResponse:
    buf = b""
    while b"\r\n\r\n" not in buf:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed before a response: {buf!r}")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length and time.monotonic() < deadline:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return RawResponse(status, headers, rest[:length])


def _request_head(server: Server, method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}",
             *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode("latin-1")


def declared_only(server: Server, method: str, path: str, length: int, headers: dict[str, str] | None = None,
                  timeout: float = 10.0) -> RawResponse:
    """Send only the head of a request declaring ``Content-Length: length``, and read the answer:
    one that arrives proves the server decided without waiting for the body."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(_request_head(server, method, path, {**(headers or {}), "Content-Length": str(length),
                                                          "Content-Type": "application/json"}))
        return _read_response(sock, time.monotonic() + timeout)


def chunked_until_answered(server: Server, method: str, path: str, *, chunk: int = 64 * 1024,
                           max_bytes: int = 8 << 20, headers: dict[str, str] | None = None,
                           timeout: float = 20.0) -> tuple[RawResponse, int]:
    """Stream a chunked body (no Content-Length) until the server answers; returns the answer and
    how many bytes were sent. Bounded by ``max_bytes`` and ``timeout``."""
    deadline = time.monotonic() + timeout
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(_request_head(server, method, path, {**(headers or {}), "Transfer-Encoding": "chunked",
                                                          "Content-Type": "application/json"}))
        piece = f"{chunk:x}\r\n".encode() + b"[" * chunk + b"\r\n"
        while sent < max_bytes and time.monotonic() < deadline:
            if io_select.select([sock], [], [], 0)[0]:
                break  # the answer is arriving
            try:
                sock.settimeout(max(0.1, min(5.0, deadline - time.monotonic())))
                sock.sendall(piece)
                sent += chunk
            except (TimeoutError, BrokenPipeError, ConnectionResetError):
                break  # the server stopped reading
        return _read_response(sock, deadline), sent


def odd_ids() -> Iterator[str]:
    yield from ("%00", "%F0%9F%92%A5", "x" * 300, "%E2%80%AE", "team-%00", "inst-%C3%A9")
