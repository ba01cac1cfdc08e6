"""Helpers for the VM and VM-network tests: REST calls on /api/v1/vms and /api/v1/vm-networks."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from icgpu.db.tables import Tenant
from tests.support.contracts import SSH
from tests.support.server import Server, wait_for

VMS = "/api/v1/vms"
NETWORKS = "/api/v1/vm-networks"


def vm_body(name: str, template: str = "tpl-ubuntu-gpu", **fields: Any) -> dict[str, Any]:
    return {"name": name, "templateId": template, "sshKey": SSH, **fields}


def create_vm(api: httpx.Client, name: str, template: str = "tpl-ubuntu-gpu", *, dry_run: bool = False,
              **fields: Any) -> httpx.Response:
    return api.post(VMS, json=vm_body(name, template, **fields), params={"dryRun": "true"} if dry_run else {})


def new_vm(api: httpx.Client, name: str, template: str = "tpl-ubuntu-gpu", **fields: Any) -> dict[str, Any]:
    r = create_vm(api, name, template, **fields)
    assert r.status_code == 201, r.text
    vm: dict[str, Any] = r.json()
    assert vm["id"].startswith("vm-") and vm["status"] == "pending", vm
    assert r.headers["location"] == f"{VMS}/{vm['id']}"
    return vm


def get_vm(api: httpx.Client, vm_id: str) -> dict[str, Any]:
    r = api.get(f"{VMS}/{vm_id}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def vm_act(api: httpx.Client, vm_id: str, verb: str, *, dry_run: bool = False) -> httpx.Response:
    params = {"dryRun": "true"} if dry_run else {}
    if verb == "delete":
        return api.delete(f"{VMS}/{vm_id}", params=params)
    return api.post(f"{VMS}/{vm_id}/{verb}", params=params)


def wait_vm(api: httpx.Client, vm_id: str, status: str, timeout: float = 15.0) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        vm = get_vm(api, vm_id)
        return vm if vm["status"] == status else None

    return dict(wait_for(reached, timeout=timeout, what=f"{vm_id} to be {status}"))


def new_network(api: httpx.Client, name: str, **fields: Any) -> dict[str, Any]:
    r = api.post(NETWORKS, json={"name": name, **fields})
    assert r.status_code == 201, r.text
    net: dict[str, Any] = r.json()
    assert net["id"].startswith("net-"), net
    return net


def storage_used(server: Server, api: httpx.Client) -> int:
    """The caller's tenant's used storage, read from the server's database."""
    tenant_id = api.get("/api/v1/me").json()["tenant"]["id"]

    async def run() -> int:
        engine = create_async_engine(server.db_url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                return int((await conn.execute(select(Tenant.storage_used_gb).where(Tenant.id == tenant_id)))
                           .scalar_one())
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result(timeout=60)
