"""/api/v1/vm-templates, /api/v1/vms and a VM's networks: protocol mapping only, every rule is in
the services (services/vms.py, services/vm_networks.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from icgpu.api.rest import vm_schemas as schemas
from icgpu.api.rest.body import read_json
from icgpu.api.rest.deps import CurrentPrincipal, DryRun, PageDep, PlatformDep
from icgpu.api.rest.docs import operation
from icgpu.api.rest.dry_run import created, written
from icgpu.api.rest.reply import ok
from icgpu.api.rest.route import AuthedRoute, CheckedRoute
from icgpu.db.tables_vms import Subnet, Vm, VmNetwork, VmNetworkAttachment
from icgpu.services.validation import parse
from icgpu.services.vm_networks import VmNetworkAttach
from icgpu.services.vm_states import VmStatus
from icgpu.services.vm_templates import VmTemplate
from icgpu.services.vms import VmCreate, VmUpdate

public = APIRouter(prefix="/api/v1", tags=["vm-templates"], route_class=CheckedRoute)
router = APIRouter(prefix="/api/v1/vms", tags=["vms"], route_class=AuthedRoute)


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def template_json(t: VmTemplate) -> dict[str, Any]:
    return {
        "id": t.id, "name": t.name, "description": t.description, "os": t.os, "gpu": t.gpu,
        "gpu_tier": t.gpu_tier, "default_cpu": t.default_cpu, "max_cpu": t.max_cpu,
        "default_memory_gb": t.default_memory_gb, "max_memory_gb": t.max_memory_gb,
        "default_disk_gb": t.default_disk_gb, "min_disk_gb": t.min_disk_gb, "max_disk_gb": t.max_disk_gb,
    }


def vm_json(vm: Vm) -> dict[str, Any]:
    return {
        "id": vm.id, "name": vm.name, "template_id": vm.template_id, "cpu": vm.cpu, "memory_gb": vm.memory_gb,
        "disk_gb": vm.disk_gb, "gpu_tier": vm.gpu_tier, "ssh_key": vm.ssh_key, "ssh_key_group": vm.ssh_key_group_id,
        "team_id": vm.team_id, "status": vm.status, "status_reason": vm.status_reason, "ssh_host": vm.ssh_host,
        "ssh_port": vm.ssh_port, "auto_stop_after_minutes": vm.auto_stop_after_minutes,
        "auto_stop_at": _time(vm.auto_stop_at), "account_id": vm.account_id, "created_at": vm.created_at.isoformat(),
        "updated_at": vm.updated_at.isoformat(), "terminated_at": _time(vm.terminated_at),
    }


def attachment_json(att: VmNetworkAttachment, net: VmNetwork, subnet: Subnet) -> dict[str, Any]:
    return {"vm_id": att.vm_id, "network_id": net.id, "name": net.name, "subnet_id": subnet.id,
            "cidr": subnet.cidr, "ip_address": att.ip_address, "created_at": att.created_at.isoformat()}


@public.get("/vm-templates", **operation(schemas.VmTemplateList, summary="List VM Templates"))
async def list_vm_templates(platform: PlatformDep) -> Response | dict[str, Any]:
    return ok(platform, {"vm_templates": [template_json(t) for t in platform.vm_templates.list()]})


@public.get("/vm-templates/{template_id}", **operation(schemas.VmTemplate, summary="Get VM Template"))
async def get_vm_template(template_id: str, platform: PlatformDep) -> Response | dict[str, Any]:
    return ok(platform, template_json(platform.vm_templates.get(template_id)))


@router.post("", **operation(schemas.Vm, status=201, body=VmCreate, dry_run=schemas.DryRunVm))
async def create_vm(request: Request, response: Response, platform: PlatformDep, principal: CurrentPrincipal,
                    dry_run: DryRun) -> dict[str, Any]:
    data = parse(VmCreate, await read_json(request))
    vm = await platform.vms.create(principal, data, dry_run=dry_run)
    return created(response, dry_run, "vm", vm_json(vm), f"/api/v1/vms/{vm.id}")


@router.get("", **operation(schemas.VmList))
async def list_vms(
    platform: PlatformDep, principal: CurrentPrincipal, page: PageDep,
    status: Annotated[VmStatus | None, Query(description="only VMs in this status (terminated included)")] = None,
) -> Response | dict[str, Any]:
    result = await platform.vms.list(principal, page, status=status.value if status else None)
    return ok(platform, {"vms": [vm_json(v) for v in result.items], "nextToken": result.next_token})


@router.get("/{vm_id}", **operation(schemas.Vm))
async def get_vm(vm_id: str, platform: PlatformDep, principal: CurrentPrincipal) -> Response | dict[str, Any]:
    return ok(platform, vm_json(await platform.vms.get(principal, vm_id)))


@router.patch("/{vm_id}", **operation(schemas.Vm, body=VmUpdate, dry_run=schemas.DryRunVm, summary="Update Vm"))
async def update_vm(vm_id: str, request: Request, platform: PlatformDep, principal: CurrentPrincipal,
                    dry_run: DryRun) -> dict[str, Any]:
    data = parse(VmUpdate, await read_json(request))
    return written(dry_run, "vm", vm_json(await platform.vms.update(principal, vm_id, data, dry_run=dry_run)))


@router.post("/{vm_id}/start", **operation(schemas.Vm, dry_run=schemas.DryRunVm))
async def start_vm(vm_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                   dry_run: DryRun) -> dict[str, Any]:
    return written(dry_run, "vm", vm_json(await platform.vms.start(principal, vm_id, dry_run=dry_run)))


@router.post("/{vm_id}/stop", **operation(schemas.Vm, dry_run=schemas.DryRunVm))
async def stop_vm(vm_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                  dry_run: DryRun) -> dict[str, Any]:
    return written(dry_run, "vm", vm_json(await platform.vms.stop(principal, vm_id, dry_run=dry_run)))


@router.post("/{vm_id}/reboot", **operation(schemas.Vm, dry_run=schemas.DryRunVm))
async def reboot_vm(vm_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                    dry_run: DryRun) -> dict[str, Any]:
    return written(dry_run, "vm", vm_json(await platform.vms.reboot(principal, vm_id, dry_run=dry_run)))


@router.delete("/{vm_id}", **operation(schemas.Vm, dry_run=schemas.DryRunVm))
async def delete_vm(vm_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                    dry_run: DryRun) -> dict[str, Any]:
    return written(dry_run, "vm", vm_json(await platform.vms.delete(principal, vm_id, dry_run=dry_run)))


@router.post("/{vm_id}/networks", **operation(schemas.VmNetworkAttachment, status=201, body=VmNetworkAttach,
                                              dry_run=schemas.DryRunVmNetworkAttachment,
                                              summary="Attach Vm To Network"))
async def attach_vm_network(vm_id: str, request: Request, response: Response, platform: PlatformDep,
                            principal: CurrentPrincipal, dry_run: DryRun) -> dict[str, Any]:
    data = parse(VmNetworkAttach, await read_json(request))
    att, net, subnet = await platform.vm_networks.attach(principal, vm_id, data, dry_run=dry_run)
    return created(response, dry_run, "vm_network", attachment_json(att, net, subnet))


@router.get("/{vm_id}/networks", **operation(schemas.VmNetworkAttachmentList, summary="List Vm Networks"))
async def list_vm_networks(vm_id: str, platform: PlatformDep, principal: CurrentPrincipal) -> Response | dict[str, Any]:
    rows = await platform.vm_networks.vm_networks(principal, vm_id)
    return ok(platform, {"vm_networks": [attachment_json(*r) for r in rows], "nextToken": None})


@router.delete("/{vm_id}/networks/{network_id}", **operation(schemas.VmNetworkAttachment,
                                                             dry_run=schemas.DryRunVmNetworkAttachment,
                                                             summary="Detach Vm From Network"))
async def detach_vm_network(vm_id: str, network_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                            dry_run: DryRun) -> dict[str, Any]:
    att, net, subnet = await platform.vm_networks.detach(principal, vm_id, network_id, dry_run=dry_run)
    return written(dry_run, "vm_network", attachment_json(att, net, subnet))
