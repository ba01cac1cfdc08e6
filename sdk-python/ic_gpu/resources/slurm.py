"""client.slurm_environments: create, list, get, delete, and wait until ready."""

from __future__ import annotations

import asyncio
import time

from .._pagination import AsyncPage, Page, SyncPage
from ..generated import aio as a
from ..generated import sync as g
from ._base import AsyncResource, SyncResource
from ._common import given

READY = "READY"
STOPPED = ("ERROR", "TERMINATED")


def create_input(name: str, max_nodes: int, gpu_per_node: int, gpu_tier: str | None,
                 team_id: str | None) -> dict[str, object]:
    return given(name=name, max_nodes=max_nodes, gpu_per_node=gpu_per_node, gpu_tier=gpu_tier, team_id=team_id)


class NotReady(RuntimeError):
    """wait_ready gave up: the environment failed, was deleted, or the timeout passed."""


class SlurmEnvironments(SyncResource):
    def create(self, *, name: str, max_nodes: int, gpu_per_node: int, gpu_tier: str | None = None,
               team_id: str | None = None, dry_run: bool = False) -> g.CreateSlurmEnvironmentCreateSlurmEnvironment:
        spec = create_input(name, max_nodes, gpu_per_node, gpu_tier, team_id)
        return self._gen.create_slurm_environment(g.CreateSlurmEnvironmentInput(**spec),
                                                  dry_run=dry_run).create_slurm_environment

    def list(self, *, max_results: int | None = None) -> SyncPage[g.SlurmEnvironmentFields]:
        def fetch(token: str | None) -> Page[g.SlurmEnvironmentFields]:
            res = self._gen.list_slurm_environments(max_results=max_results, next_token=token).slurm_environments
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def get(self, id: str) -> g.SlurmEnvironmentFields:
        return self._gen.get_slurm_environment(id).slurm_environment

    def delete(self, id: str, *, dry_run: bool = False) -> g.DeleteSlurmEnvironmentDeleteSlurmEnvironment:
        return self._gen.delete_slurm_environment(id, dry_run=dry_run).delete_slurm_environment

    def wait_ready(self, id: str, *, timeout: float = 600.0, interval: float = 1.0) -> g.SlurmEnvironmentFields:
        """Poll until the environment is ready (its head node's SSH endpoint set); NotReady if it
        ends in error or terminated, or after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            env = self.get(id)
            if env.status.value == READY:
                return env
            if env.status.value in STOPPED or time.monotonic() >= deadline:
                raise NotReady(f"Slurm environment {id} is {env.status.value.lower()}: {env.status_reason}")
            time.sleep(interval)


class AsyncSlurmEnvironments(AsyncResource):
    async def create(self, *, name: str, max_nodes: int, gpu_per_node: int, gpu_tier: str | None = None,
                     team_id: str | None = None,
                     dry_run: bool = False) -> a.CreateSlurmEnvironmentCreateSlurmEnvironment:
        spec = create_input(name, max_nodes, gpu_per_node, gpu_tier, team_id)
        return (await self._gen.create_slurm_environment(a.CreateSlurmEnvironmentInput(**spec),
                                                         dry_run=dry_run)).create_slurm_environment

    def list(self, *, max_results: int | None = None) -> AsyncPage[a.SlurmEnvironmentFields]:
        async def fetch(token: str | None) -> Page[a.SlurmEnvironmentFields]:
            res = (await self._gen.list_slurm_environments(max_results=max_results,
                                                           next_token=token)).slurm_environments
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    async def get(self, id: str) -> a.SlurmEnvironmentFields:
        return (await self._gen.get_slurm_environment(id)).slurm_environment

    async def delete(self, id: str, *, dry_run: bool = False) -> a.DeleteSlurmEnvironmentDeleteSlurmEnvironment:
        return (await self._gen.delete_slurm_environment(id, dry_run=dry_run)).delete_slurm_environment

    async def wait_ready(self, id: str, *, timeout: float = 600.0,  # noqa: ASYNC109 (the sync signature)
                         interval: float = 1.0) -> a.SlurmEnvironmentFields:
        """As SlurmEnvironments.wait_ready, awaited (the same arguments as the sync client)."""
        deadline = time.monotonic() + timeout
        while True:
            env = await self.get(id)
            if env.status.value == READY:
                return env
            if env.status.value in STOPPED or time.monotonic() >= deadline:
                raise NotReady(f"Slurm environment {id} is {env.status.value.lower()}: {env.status_reason}")
            await asyncio.sleep(interval)
