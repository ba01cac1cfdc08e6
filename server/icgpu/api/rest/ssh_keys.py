"""/api/v1/ssh-keys and /api/v1/ssh-key-groups: protocol mapping only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from icgpu.api.rest import schemas
from icgpu.api.rest.body import read_json
from icgpu.api.rest.deps import CurrentPrincipal, DryRun, PageDep, PlatformDep
from icgpu.api.rest.docs import operation
from icgpu.api.rest.dry_run import created, written
from icgpu.api.rest.identity import iso
from icgpu.api.rest.reply import ok
from icgpu.api.rest.route import AuthedRoute
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


@router.get("/ssh-keys", **operation(schemas.SshKeyList))
async def list_ssh_keys(platform: PlatformDep, principal: CurrentPrincipal, page: PageDep) -> Response | dict[str, Any]:
    result = await platform.ssh_keys.list(principal, page)
    return ok(platform, {"ssh_keys": [ssh_key_json(k) for k in result.items], "nextToken": result.next_token})


@router.post("/ssh-keys", **operation(schemas.SshKey, status=201, body=SshKeyUpload, dry_run=schemas.DryRunSshKey))
async def upload_ssh_key(request: Request, response: Response, platform: PlatformDep, principal: CurrentPrincipal,
                         dry_run: DryRun) -> dict[str, Any]:
    data = parse(SshKeyUpload, await read_json(request))
    key = await platform.ssh_keys.upload(principal, data, dry_run=dry_run)
    return created(response, dry_run, "ssh_key", ssh_key_json(key))


@router.post("/ssh-keys/generate", **operation(schemas.GeneratedSshKey, status=201, body=SshKeyGenerate,
                                               secrets=("private_key",), dry_run=schemas.DryRunSshKey))
async def generate_ssh_key(request: Request, response: Response, platform: PlatformDep, principal: CurrentPrincipal,
                           dry_run: DryRun) -> dict[str, Any]:
    data = parse(SshKeyGenerate, await read_json(request))
    made = await platform.ssh_keys.generate(principal, data, dry_run=dry_run)
    key = ssh_key_json(made.key)
    return created(response, dry_run, "ssh_key", key, real={"ssh_key": key, "private_key": made.private_key})


@router.get("/ssh-keys/{key_id}", **operation(schemas.SshKey))
async def get_ssh_key(key_id: str, platform: PlatformDep, principal: CurrentPrincipal) -> dict[str, Any]:
    return ssh_key_json(await platform.ssh_keys.get(principal, key_id))


@router.delete("/ssh-keys/{key_id}", **operation(schemas.SshKey, dry_run=schemas.DryRunSshKey))
async def delete_ssh_key(key_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                         dry_run: DryRun) -> dict[str, Any]:
    return written(dry_run, "ssh_key", ssh_key_json(await platform.ssh_keys.delete(principal, key_id,
                                                                                    dry_run=dry_run)))


@router.post("/ssh-key-groups", **operation(schemas.SshKeyGroup, status=201, body=GroupCreate,
                                            dry_run=schemas.DryRunSshKeyGroup))
async def create_group(request: Request, response: Response, platform: PlatformDep, principal: CurrentPrincipal,
                       dry_run: DryRun) -> dict[str, Any]:
    data = parse(GroupCreate, await read_json(request))
    group = await platform.ssh_keys.create_group(principal, data, dry_run=dry_run)
    return created(response, dry_run, "ssh_key_group", group_json(group))


@router.get("/ssh-key-groups", **operation(schemas.SshKeyGroupList))
async def list_groups(platform: PlatformDep, principal: CurrentPrincipal, page: PageDep) -> Response | dict[str, Any]:
    result = await platform.ssh_keys.list_groups(principal, page)
    return ok(platform, {"ssh_key_groups": [group_json(g) for g in result.items], "nextToken": result.next_token})


@router.get("/ssh-key-groups/{group_id}", **operation(schemas.SshKeyGroup))
async def get_group(group_id: str, platform: PlatformDep, principal: CurrentPrincipal) -> dict[str, Any]:
    return group_json(await platform.ssh_keys.get_group(principal, group_id))


@router.delete("/ssh-key-groups/{group_id}", **operation(schemas.SshKeyGroup, dry_run=schemas.DryRunSshKeyGroup))
async def delete_group(group_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                       dry_run: DryRun) -> dict[str, Any]:
    return written(dry_run, "ssh_key_group", group_json(await platform.ssh_keys.delete_group(principal, group_id,
                                                                                              dry_run=dry_run)))


@router.post("/ssh-key-groups/{group_id}/keys", **operation(schemas.SshKeyGroup, body=GroupAddKey,
                                                            dry_run=schemas.DryRunSshKeyGroup))
async def add_group_key(group_id: str, request: Request, platform: PlatformDep,
                        principal: CurrentPrincipal, dry_run: DryRun) -> dict[str, Any]:
    data = parse(GroupAddKey, await read_json(request))
    group = await platform.ssh_keys.add_key(principal, group_id, data, dry_run=dry_run)
    return written(dry_run, "ssh_key_group", group_json(group))


@router.delete("/ssh-key-groups/{group_id}/keys/{key_id}", **operation(schemas.SshKeyGroup,
                                                                       dry_run=schemas.DryRunSshKeyGroup))
async def remove_group_key(group_id: str, key_id: str, platform: PlatformDep,
                           principal: CurrentPrincipal, dry_run: DryRun) -> dict[str, Any]:
    group = await platform.ssh_keys.remove_key(principal, group_id, key_id, dry_run=dry_run)
    return written(dry_run, "ssh_key_group", group_json(group))
