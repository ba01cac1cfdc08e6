"""client.vm_disks: persistent VM disks (create, list, get, attach, detach, resize, delete)."""

from __future__ import annotations

from .._pagination import AsyncPage, Page, SyncPage
from ..generated import aio as a
from ..generated import sync as g
from ._base import AsyncResource, SyncResource
from ._common import given


class VmDisks(SyncResource):
    def create(self, *, name: str, size_gb: int, team_id: str | None = None,
               dry_run: bool = False) -> g.CreateVmDiskCreateVmDisk:
        spec = given(name=name, size_gb=size_gb, team_id=team_id)
        return self._gen.create_vm_disk(g.CreateVmDiskInput(**spec), dry_run=dry_run).create_vm_disk

    def list(self, *, max_results: int | None = None, vm_id: str | None = None) -> SyncPage[g.VmDiskFields]:
        """Your live disks and your teams' (``vm_id``: only those attached to that VM), every page."""
        def fetch(token: str | None) -> Page[g.VmDiskFields]:
            res = self._gen.list_vm_disks(max_results=max_results, next_token=token, vm_id=vm_id).vm_disks
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def get(self, id: str) -> g.VmDiskFields:
        return self._gen.get_vm_disk(id).vm_disk

    def attach(self, id: str, *, vm_id: str, dry_run: bool = False) -> g.AttachVmDiskAttachVmDisk:
        return self._gen.attach_vm_disk(id, vm_id, dry_run=dry_run).attach_vm_disk

    def detach(self, id: str, *, dry_run: bool = False) -> g.DetachVmDiskDetachVmDisk:
        return self._gen.detach_vm_disk(id, dry_run=dry_run).detach_vm_disk

    def resize(self, id: str, *, size_gb: int, dry_run: bool = False) -> g.ResizeVmDiskResizeVmDisk:
        """Grow the disk to ``size_gb`` (disks never shrink: a smaller size is a ValidationException)."""
        return self._gen.resize_vm_disk(id, size_gb, dry_run=dry_run).resize_vm_disk

    def delete(self, id: str, *, dry_run: bool = False) -> g.DeleteVmDiskDeleteVmDisk:
        return self._gen.delete_vm_disk(id, dry_run=dry_run).delete_vm_disk


class AsyncVmDisks(AsyncResource):
    async def create(self, *, name: str, size_gb: int, team_id: str | None = None,
                     dry_run: bool = False) -> a.CreateVmDiskCreateVmDisk:
        spec = given(name=name, size_gb=size_gb, team_id=team_id)
        return (await self._gen.create_vm_disk(a.CreateVmDiskInput(**spec), dry_run=dry_run)).create_vm_disk

    def list(self, *, max_results: int | None = None, vm_id: str | None = None) -> AsyncPage[a.VmDiskFields]:
        async def fetch(token: str | None) -> Page[a.VmDiskFields]:
            res = (await self._gen.list_vm_disks(max_results=max_results, next_token=token, vm_id=vm_id)).vm_disks
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    async def get(self, id: str) -> a.VmDiskFields:
        return (await self._gen.get_vm_disk(id)).vm_disk

    async def attach(self, id: str, *, vm_id: str, dry_run: bool = False) -> a.AttachVmDiskAttachVmDisk:
        return (await self._gen.attach_vm_disk(id, vm_id, dry_run=dry_run)).attach_vm_disk

    async def detach(self, id: str, *, dry_run: bool = False) -> a.DetachVmDiskDetachVmDisk:
        return (await self._gen.detach_vm_disk(id, dry_run=dry_run)).detach_vm_disk

    async def resize(self, id: str, *, size_gb: int, dry_run: bool = False) -> a.ResizeVmDiskResizeVmDisk:
        return (await self._gen.resize_vm_disk(id, size_gb, dry_run=dry_run)).resize_vm_disk

    async def delete(self, id: str, *, dry_run: bool = False) -> a.DeleteVmDiskDeleteVmDisk:
        return (await self._gen.delete_vm_disk(id, dry_run=dry_run)).delete_vm_disk
