"""/api/v1/ssh-keys and /api/v1/ssh-key-groups: protocol mapping only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from icgpu.api.rest.body import read_json
from icgpu.api.rest.deps import CurrentPrincipal, PageDep, PlatformDep
from icgpu.api.rest.identity import iso
from icgpu.api.rest.route import AuthedRoute, json_body
from icgpu.db.tables import SshKey
from icgpu.services.ssh_keys import GroupAddKey, GroupCreate, GroupView, SshKeyGenerate, SshKeyUpload
from icgpu.services.validation import parse

router = APIRouter(prefix="/api/v1", route_class=AuthedRoute, tags=["ssh-keys"])


def ssh_key_json(k: SshKey) -> dict[str, Any]:
    return {"id": k.id, "name": k.name, "public_key": k.public_key, "fingerprint": k.fingerprint,
            "key_type": k.key_type, "bits": k.bits, "created_at": iso(k.created_at)}


def group_json(v: GroupView) -> dict[str, Any]:
    g = v.group
    return {"id": g.id, "name": g.name, "description": g.description, "created_at": iso(g.created_at),
            "keys": [ssh_key_json(k) for k in v.keys]}


@router.get("/ssh-keys")
async def list_ssh_keys(platform: PlatformDep, principal: CurrentPrincipal, page: PageDep) -> dict[str, Any]:
    result = await platform.ssh_keys.list(principal, page)
    return {"ssh_keys": [ssh_key_json(k) for k in result.items], "nextToken": result.next_token}


@router.post("/ssh-keys", status_code=201, openapi_extra=json_body(SshKeyUpload))
async def upload_ssh_key(request: Request, platform: PlatformDep, principal: CurrentPrincipal) -> dict[str, Any]:
    data = parse(SshKeyUpload, await read_json(request))
    return ssh_key_json(await platform.ssh_keys.upload(principal, data))


@router.post("/ssh-keys/generate", status_code=201,
             openapi_extra=json_body(SshKeyGenerate, secrets=("private_key",)))
async def generate_ssh_key(request: Request, platform: PlatformDep, principal: CurrentPrincipal) -> dict[str, Any]:
    data = parse(SshKeyGenerate, await read_json(request))
    made = await platform.ssh_keys.generate(principal, data)
    return {"ssh_key": ssh_key_json(made.key), "private_key": made.private_key}


@router.delete("/ssh-keys/{key_id}")
async def delete_ssh_key(key_id: str, platform: PlatformDep, principal: CurrentPrincipal) -> dict[str, Any]:
    return ssh_key_json(await platform.ssh_keys.delete(principal, key_id))


@router.post("/ssh-key-groups", status_code=201, openapi_extra=json_body(GroupCreate))
async def create_group(request: Request, platform: PlatformDep, principal: CurrentPrincipal) -> dict[str, Any]:
    data = parse(GroupCreate, await read_json(request))
    return group_json(await platform.ssh_keys.create_group(principal, data))


@router.get("/ssh-key-groups")
async def list_groups(platform: PlatformDep, principal: CurrentPrincipal, page: PageDep) -> dict[str, Any]:
    result = await platform.ssh_keys.list_groups(principal, page)
    return {"ssh_key_groups": [group_json(g) for g in result.items], "nextToken": result.next_token}


@router.get("/ssh-key-groups/{group_id}")
async def get_group(group_id: str, platform: PlatformDep, principal: CurrentPrincipal) -> dict[str, Any]:
    return group_json(await platform.ssh_keys.get_group(principal, group_id))


@router.post("/ssh-key-groups/{group_id}/keys", openapi_extra=json_body(GroupAddKey))
async def add_group_key(group_id: str, request: Request, platform: PlatformDep,
                        principal: CurrentPrincipal) -> dict[str, Any]:
    data = parse(GroupAddKey, await read_json(request))
    return group_json(await platform.ssh_keys.add_key(principal, group_id, data))


@router.delete("/ssh-key-groups/{group_id}/keys/{key_id}")
async def remove_group_key(group_id: str, key_id: str, platform: PlatformDep,
                           principal: CurrentPrincipal) -> dict[str, Any]:
    return group_json(await platform.ssh_keys.remove_key(principal, group_id, key_id))
