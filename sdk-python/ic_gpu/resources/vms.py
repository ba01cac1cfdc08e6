"""client.vm_templates (the catalogue) and client.vms: create, list, get, update, start, stop, reboot,
delete, wait_for_status, and a VM's networks (attach_network, networks, detach_network)."""

from __future__ import annotations

import asyncio
import builtins
import time
from typing import Any

from .._pagination import AsyncPage, Page, SyncPage
from ..generated import aio as a
from ..generated import sync as g
from ..generated.sync.base_model import UNSET, UnsetType
from ._base import AsyncResource, SyncResource
from ._common import given, upper

# A VM in one of these states will not reach another state without a call (start, delete).
SETTLED = frozenset({"STOPPED", "ERROR", "TERMINATED"})


class VmNotInStatus(RuntimeError):
    """wait_for_status gave up: the VM settled in another state (stopped, error, terminated), or the
    timeout passed."""


def create_input(name: str, template_id: str, cpu: int | None, memory_gb: int | None, disk_gb: int | None,
                 ssh_key: str | None, ssh_key_group: str | None, gpu_tier: str | None, team_id: str | None,
                 auto_stop_after_minutes: int | None) -> dict[str, Any]:
    return given(name=name, template_id=template_id, cpu=cpu, memory_gb=memory_gb, disk_gb=disk_gb, ssh_key=ssh_key,
                 ssh_key_group=ssh_key_group, gpu_tier=gpu_tier, team_id=team_id,
                 auto_stop_after_minutes=auto_stop_after_minutes)


def update_input(name: str | None, auto_stop_after_minutes: int | UnsetType | None) -> dict[str, Any]:
    """``auto_stop_after_minutes``: left out when not given; None is sent as null (auto-stop off)."""
    fields = given(name=name)
    if not isinstance(auto_stop_after_minutes, UnsetType):
        fields["auto_stop_after_minutes"] = auto_stop_after_minutes
    return fields


def _reached(vm: g.VmFields | a.VmFields, status: str, deadline: float) -> bool:
    """True once the VM is in ``status``; raises when it settled elsewhere or time is up."""
    now = vm.status.value
    if now == status:
        return True
    if now in SETTLED or time.monotonic() >= deadline:
        raise VmNotInStatus(f"VM {vm.id} is {now.lower()}, not {status.lower()}: {vm.status_reason}")
    return False


class VmTemplates(SyncResource):
    def list(self) -> list[g.VmTemplateFields]:
        """The template catalogue (one list, not paged)."""
        return list(self._gen.list_vm_templates().vm_templates)

    def get(self, id: str) -> g.VmTemplateFields:
        return self._gen.get_vm_template(id).vm_template


class AsyncVmTemplates(AsyncResource):
    async def list(self) -> list[a.VmTemplateFields]:
        return list((await self._gen.list_vm_templates()).vm_templates)

    async def get(self, id: str) -> a.VmTemplateFields:
        return (await self._gen.get_vm_template(id)).vm_template


class Vms(SyncResource):
    def create(self, *, name: str, template_id: str, ssh_key: str | None = None, ssh_key_group: str | None = None,
               cpu: int | None = None, memory_gb: int | None = None, disk_gb: int | None = None,
               gpu_tier: str | None = None, team_id: str | None = None, auto_stop_after_minutes: int | None = None,
               dry_run: bool = False) -> g.CreateVmCreateVm:
        """``cpu``, ``memory_gb`` and ``disk_gb`` default to the template's; ``ssh_key`` or ``ssh_key_group``
        is required; ``gpu_tier`` overrides a GPU template's tier."""
        spec = create_input(name, template_id, cpu, memory_gb, disk_gb, ssh_key, ssh_key_group, gpu_tier, team_id,
                            auto_stop_after_minutes)
        return self._gen.create_vm(g.CreateVmInput(**spec), dry_run=dry_run).create_vm

    def list(self, *, max_results: int | None = None, status: str | None = None) -> SyncPage[g.VmFields]:
        """Your VMs and your teams', oldest first; terminated ones only with ``status="terminated"``."""
        def fetch(token: str | None) -> Page[g.VmFields]:
            res = self._gen.list_vms(max_results=max_results, next_token=token,
                                     status=g.VmStatus(upper(status)) if status else None).vms
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def get(self, id: str) -> g.VmFields:
        return self._gen.get_vm(id).vm

    def update(self, id: str, *, name: str | None = None, auto_stop_after_minutes: int | UnsetType | None = UNSET,
               dry_run: bool = False) -> g.UpdateVmUpdateVm:
        """Rename the VM or change its auto-stop time; ``auto_stop_after_minutes=None`` turns auto-stop off."""
        changes = g.UpdateVmInput(**update_input(name, auto_stop_after_minutes))
        return self._gen.update_vm(id, changes, dry_run=dry_run).update_vm

    def start(self, id: str, *, dry_run: bool = False) -> g.StartVmStartVm:
        return self._gen.start_vm(id, dry_run=dry_run).start_vm

    def stop(self, id: str, *, dry_run: bool = False) -> g.StopVmStopVm:
        return self._gen.stop_vm(id, dry_run=dry_run).stop_vm

    def reboot(self, id: str, *, dry_run: bool = False) -> g.RebootVmRebootVm:
        return self._gen.reboot_vm(id, dry_run=dry_run).reboot_vm

    def delete(self, id: str, *, dry_run: bool = False) -> g.DeleteVmDeleteVm:
        """Terminate the VM (its boot disk is released, its networks detached)."""
        return self._gen.delete_vm(id, dry_run=dry_run).delete_vm

    def wait_for_status(self, id: str, status: str = "RUNNING", *, timeout: float = 600.0,
                        interval: float = 1.0) -> g.VmFields:
        """Poll until the VM is in ``status`` (any case); VmNotInStatus if it settles in another state
        (stopped, error, terminated) or after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            vm = self.get(id)
            if _reached(vm, upper(status), deadline):
                return vm
            time.sleep(interval)

    def attach_network(self, vm_id: str, *, name: str, cidr: str | None = None,
                       dry_run: bool = False) -> g.AttachVmNetworkAttachVmNetwork:
        """Attach the VM to your network ``name`` (created with ``cidr`` as its first subnet when new)."""
        spec = g.AttachVmNetworkInput(**given(name=name, cidr=cidr))
        return self._gen.attach_vm_network(vm_id, spec, dry_run=dry_run).attach_vm_network

    def networks(self, vm_id: str) -> builtins.list[g.VmNetworkAttachmentFields]:
        """The networks the VM is attached to (at most 16: one list)."""
        return list(self._gen.list_vm_network_attachments(vm_id).vm_network_attachments)

    def detach_network(self, vm_id: str, network_id: str, *,
                       dry_run: bool = False) -> g.DetachVmNetworkDetachVmNetwork:
        return self._gen.detach_vm_network(vm_id, network_id, dry_run=dry_run).detach_vm_network


class AsyncVms(AsyncResource):
    async def create(self, *, name: str, template_id: str, ssh_key: str | None = None,
                     ssh_key_group: str | None = None, cpu: int | None = None, memory_gb: int | None = None,
                     disk_gb: int | None = None, gpu_tier: str | None = None, team_id: str | None = None,
                     auto_stop_after_minutes: int | None = None, dry_run: bool = False) -> a.CreateVmCreateVm:
        spec = create_input(name, template_id, cpu, memory_gb, disk_gb, ssh_key, ssh_key_group, gpu_tier, team_id,
                            auto_stop_after_minutes)
        return (await self._gen.create_vm(a.CreateVmInput(**spec), dry_run=dry_run)).create_vm

    def list(self, *, max_results: int | None = None, status: str | None = None) -> AsyncPage[a.VmFields]:
        async def fetch(token: str | None) -> Page[a.VmFields]:
            res = (await self._gen.list_vms(max_results=max_results, next_token=token,
                                            status=a.VmStatus(upper(status)) if status else None)).vms
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    async def get(self, id: str) -> a.VmFields:
        return (await self._gen.get_vm(id)).vm

    async def update(self, id: str, *, name: str | None = None,
                     auto_stop_after_minutes: int | UnsetType | None = UNSET,
                     dry_run: bool = False) -> a.UpdateVmUpdateVm:
        changes = a.UpdateVmInput(**update_input(name, auto_stop_after_minutes))
        return (await self._gen.update_vm(id, changes, dry_run=dry_run)).update_vm

    async def start(self, id: str, *, dry_run: bool = False) -> a.StartVmStartVm:
        return (await self._gen.start_vm(id, dry_run=dry_run)).start_vm

    async def stop(self, id: str, *, dry_run: bool = False) -> a.StopVmStopVm:
        return (await self._gen.stop_vm(id, dry_run=dry_run)).stop_vm

    async def reboot(self, id: str, *, dry_run: bool = False) -> a.RebootVmRebootVm:
        return (await self._gen.reboot_vm(id, dry_run=dry_run)).reboot_vm

    async def delete(self, id: str, *, dry_run: bool = False) -> a.DeleteVmDeleteVm:
        return (await self._gen.delete_vm(id, dry_run=dry_run)).delete_vm

    async def wait_for_status(self, id: str, status: str = "RUNNING", *,
                              timeout: float = 600.0,  # noqa: ASYNC109 (the sync signature)
                              interval: float = 1.0) -> a.VmFields:
        """As Vms.wait_for_status, awaited."""
        deadline = time.monotonic() + timeout
        while True:
            vm = await self.get(id)
            if _reached(vm, upper(status), deadline):
                return vm
            await asyncio.sleep(interval)

    async def attach_network(self, vm_id: str, *, name: str, cidr: str | None = None,
                             dry_run: bool = False) -> a.AttachVmNetworkAttachVmNetwork:
        spec = a.AttachVmNetworkInput(**given(name=name, cidr=cidr))
        return (await self._gen.attach_vm_network(vm_id, spec, dry_run=dry_run)).attach_vm_network

    async def networks(self, vm_id: str) -> builtins.list[a.VmNetworkAttachmentFields]:
        return list((await self._gen.list_vm_network_attachments(vm_id)).vm_network_attachments)

    async def detach_network(self, vm_id: str, network_id: str, *,
                             dry_run: bool = False) -> a.DetachVmNetworkDetachVmNetwork:
        return (await self._gen.detach_vm_network(vm_id, network_id, dry_run=dry_run)).detach_vm_network
