"""client.instances: create, list, get, update (rename), start, stop, requeue, delete, watch."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from .._pagination import AsyncPage, Page, SyncPage
from .._streams import iterate_in_thread, mapped, ws_client
from ..generated import aio as a
from ..generated import sync as g
from ._base import AsyncResource, SyncResource
from ._common import given, upper

TERMINAL = "TERMINATED"


def create_input(name: str, tier: str, ssh_key: str | None, storage_gb: int | None, workload_type: str | None,
                 ssh_key_group: str | None, team_id: str | None,
                 auto_stop_after_minutes: int | None = None) -> dict[str, object]:
    return given(name=name, tier=tier, ssh_key=ssh_key, storage_gb=storage_gb, workload_type=upper(workload_type),
                 ssh_key_group=ssh_key_group, team_id=team_id, auto_stop_after_minutes=auto_stop_after_minutes)


class Instances(SyncResource):
    def create(self, *, name: str, tier: str, ssh_key: str | None = None, storage_gb: int | None = None,
               workload_type: str | None = None, ssh_key_group: str | None = None, team_id: str | None = None,
               auto_stop_after_minutes: int | None = None,
               dry_run: bool = False) -> g.CreateInstanceCreateInstance:
        """``auto_stop_after_minutes``: the server stops the instance after it has run that long."""
        spec = create_input(name, tier, ssh_key, storage_gb, workload_type, ssh_key_group, team_id,
                            auto_stop_after_minutes)
        return self._gen.create_instance(g.CreateInstanceInput(**spec), dry_run=dry_run).create_instance

    def list(self, *, max_results: int | None = None, status: str | None = None) -> SyncPage[g.InstanceFields]:
        def fetch(token: str | None) -> Page[g.InstanceFields]:
            res = self._gen.list_instances(max_results=max_results, next_token=token,
                                           status=g.InstanceStatus(upper(status)) if status else None).instances
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def get(self, id: str) -> g.InstanceFields:
        return self._gen.get_instance(id).instance

    def update(self, id: str, *, name: str | None = None, dry_run: bool = False) -> g.UpdateInstanceUpdateInstance:
        changes = g.UpdateInstanceInput(**given(name=name))
        return self._gen.update_instance(id, changes, dry_run=dry_run).update_instance

    def start(self, id: str, *, dry_run: bool = False) -> g.StartInstanceStartInstance:
        return self._gen.start_instance(id, dry_run=dry_run).start_instance

    def stop(self, id: str, *, dry_run: bool = False) -> g.StopInstanceStopInstance:
        return self._gen.stop_instance(id, dry_run=dry_run).stop_instance

    def requeue(self, id: str, *, dry_run: bool = False) -> g.RequeueInstanceRequeueInstance:
        return self._gen.requeue_instance(id, dry_run=dry_run).requeue_instance

    def delete(self, id: str, *, dry_run: bool = False) -> g.DeleteInstanceDeleteInstance:
        return self._gen.delete_instance(id, dry_run=dry_run).delete_instance

    def watch(self, id: str) -> Iterator[a.InstanceStatusEventFields]:
        """The instance's current status, then every change; ends once it is terminated."""
        config = self._config
        return iterate_in_thread(lambda: _watch(ws_client(config), id))


async def _watch(client: a.AsyncGeneratedClient, id: str) -> AsyncIterator[a.InstanceStatusEventFields]:
    try:
        async for event in mapped(client.watch_instance_status(id)):
            yield event.instance_status
            if event.instance_status.status.value == TERMINAL:
                return
    finally:
        await client.http_client.aclose()


class AsyncInstances(AsyncResource):
    async def create(self, *, name: str, tier: str, ssh_key: str | None = None, storage_gb: int | None = None,
                     workload_type: str | None = None, ssh_key_group: str | None = None, team_id: str | None = None,
                     auto_stop_after_minutes: int | None = None,
                     dry_run: bool = False) -> a.CreateInstanceCreateInstance:
        spec = create_input(name, tier, ssh_key, storage_gb, workload_type, ssh_key_group, team_id,
                            auto_stop_after_minutes)
        return (await self._gen.create_instance(a.CreateInstanceInput(**spec), dry_run=dry_run)).create_instance

    def list(self, *, max_results: int | None = None, status: str | None = None) -> AsyncPage[a.InstanceFields]:
        async def fetch(token: str | None) -> Page[a.InstanceFields]:
            res = (await self._gen.list_instances(max_results=max_results, next_token=token,
                                                  status=a.InstanceStatus(upper(status)) if status else None)).instances
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    async def get(self, id: str) -> a.InstanceFields:
        return (await self._gen.get_instance(id)).instance

    async def update(self, id: str, *, name: str | None = None,
                     dry_run: bool = False) -> a.UpdateInstanceUpdateInstance:
        changes = a.UpdateInstanceInput(**given(name=name))
        return (await self._gen.update_instance(id, changes, dry_run=dry_run)).update_instance

    async def start(self, id: str, *, dry_run: bool = False) -> a.StartInstanceStartInstance:
        return (await self._gen.start_instance(id, dry_run=dry_run)).start_instance

    async def stop(self, id: str, *, dry_run: bool = False) -> a.StopInstanceStopInstance:
        return (await self._gen.stop_instance(id, dry_run=dry_run)).stop_instance

    async def requeue(self, id: str, *, dry_run: bool = False) -> a.RequeueInstanceRequeueInstance:
        return (await self._gen.requeue_instance(id, dry_run=dry_run)).requeue_instance

    async def delete(self, id: str, *, dry_run: bool = False) -> a.DeleteInstanceDeleteInstance:
        return (await self._gen.delete_instance(id, dry_run=dry_run)).delete_instance

    def watch(self, id: str) -> AsyncIterator[a.InstanceStatusEventFields]:
        """The instance's current status, then every change; ends once it is terminated."""
        return _watch(ws_client(self._config), id)
