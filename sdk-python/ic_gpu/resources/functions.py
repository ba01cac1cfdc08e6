"""client.functions: GPU functions (create, list, get, update, delete) and their runs (run, runs,
get_run, cancel_run, wait_run). Secret env var values are write-only: only their names come back."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from .._pagination import AsyncPage, Page, SyncPage
from ..generated import aio as a
from ..generated import sync as g
from ._base import AsyncResource, SyncResource
from ._common import given, upper

LIVE = ("QUEUED", "RUNNING")


class RunNotFinished(RuntimeError):
    """wait_run gave up: the run was still queued or running when the timeout passed."""


def _spec(**values: Any) -> dict[str, Any]:
    return given(**values)


class Functions(SyncResource):
    def create(self, *, name: str, image: str, entrypoint: str, gpu_tier: str | None = None,
               timeout_seconds: int | None = None, env_vars: dict[str, str] | None = None,
               secret_env_vars: dict[str, str] | None = None, team_id: str | None = None,
               dry_run: bool = False) -> g.CreateFunctionCreateFunction:
        spec = _spec(name=name, image=image, entrypoint=entrypoint, gpu_tier=gpu_tier,
                     timeout_seconds=timeout_seconds, env_vars=env_vars, secret_env_vars=secret_env_vars,
                     team_id=team_id)
        return self._gen.create_function(g.CreateFunctionInput(**spec), dry_run=dry_run).create_function

    def list(self, *, max_results: int | None = None) -> SyncPage[g.GpuFunctionFields]:
        def fetch(token: str | None) -> Page[g.GpuFunctionFields]:
            res = self._gen.list_functions(max_results=max_results, next_token=token).functions
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def get(self, id: str) -> g.GpuFunctionFields:
        return self._gen.get_function(id).function

    def update(self, id: str, *, name: str | None = None, image: str | None = None, entrypoint: str | None = None,
               gpu_tier: str | None = None, timeout_seconds: int | None = None,
               env_vars: dict[str, str] | None = None, secret_env_vars: dict[str, str] | None = None,
               dry_run: bool = False) -> g.UpdateFunctionUpdateFunction:
        spec = _spec(name=name, image=image, entrypoint=entrypoint, gpu_tier=gpu_tier,
                     timeout_seconds=timeout_seconds, env_vars=env_vars, secret_env_vars=secret_env_vars)
        return self._gen.update_function(id, g.UpdateFunctionInput(**spec), dry_run=dry_run).update_function

    def delete(self, id: str, *, dry_run: bool = False) -> g.DeleteFunctionDeleteFunction:
        return self._gen.delete_function(id, dry_run=dry_run).delete_function

    def run(self, id: str, input: dict[str, Any] | None = None, *,
            dry_run: bool = False) -> g.RunFunctionRunFunction:
        """Queue a run with ``input`` (given to the entrypoint as JSON on stdin)."""
        return self._gen.run_function(id, input=input or {}, dry_run=dry_run).run_function

    def runs(self, function_id: str, *, status: Any = None,
             max_results: int | None = None) -> SyncPage[g.FunctionRunFields]:
        def fetch(token: str | None) -> Page[g.FunctionRunFields]:
            res = self._gen.list_function_runs(function_id, max_results=max_results, next_token=token,
                                               status=upper(status)).function_runs
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def get_run(self, run_id: str) -> g.FunctionRunFields:
        return self._gen.get_function_run(run_id).function_run

    def cancel_run(self, run_id: str, *, dry_run: bool = False) -> g.CancelFunctionRunCancelFunctionRun:
        return self._gen.cancel_function_run(run_id, dry_run=dry_run).cancel_function_run

    def wait_run(self, run_id: str, *, timeout: float = 600.0, interval: float = 0.5) -> g.FunctionRunFields:
        """Poll until the run has ended (succeeded, failed, timed_out or cancelled)."""
        deadline = time.monotonic() + timeout
        while True:
            run = self.get_run(run_id)
            if run.status.value not in LIVE:
                return run
            if time.monotonic() >= deadline:
                raise RunNotFinished(f"run {run_id} is still {run.status.value.lower()}")
            time.sleep(interval)


class AsyncFunctions(AsyncResource):
    async def create(self, *, name: str, image: str, entrypoint: str, gpu_tier: str | None = None,
                     timeout_seconds: int | None = None, env_vars: dict[str, str] | None = None,
                     secret_env_vars: dict[str, str] | None = None, team_id: str | None = None,
                     dry_run: bool = False) -> a.CreateFunctionCreateFunction:
        spec = _spec(name=name, image=image, entrypoint=entrypoint, gpu_tier=gpu_tier,
                     timeout_seconds=timeout_seconds, env_vars=env_vars, secret_env_vars=secret_env_vars,
                     team_id=team_id)
        return (await self._gen.create_function(a.CreateFunctionInput(**spec), dry_run=dry_run)).create_function

    def list(self, *, max_results: int | None = None) -> AsyncPage[a.GpuFunctionFields]:
        async def fetch(token: str | None) -> Page[a.GpuFunctionFields]:
            res = (await self._gen.list_functions(max_results=max_results, next_token=token)).functions
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    async def get(self, id: str) -> a.GpuFunctionFields:
        return (await self._gen.get_function(id)).function

    async def update(self, id: str, *, name: str | None = None, image: str | None = None,
                     entrypoint: str | None = None, gpu_tier: str | None = None, timeout_seconds: int | None = None,
                     env_vars: dict[str, str] | None = None, secret_env_vars: dict[str, str] | None = None,
                     dry_run: bool = False) -> a.UpdateFunctionUpdateFunction:
        spec = _spec(name=name, image=image, entrypoint=entrypoint, gpu_tier=gpu_tier,
                     timeout_seconds=timeout_seconds, env_vars=env_vars, secret_env_vars=secret_env_vars)
        return (await self._gen.update_function(id, a.UpdateFunctionInput(**spec), dry_run=dry_run)).update_function

    async def delete(self, id: str, *, dry_run: bool = False) -> a.DeleteFunctionDeleteFunction:
        return (await self._gen.delete_function(id, dry_run=dry_run)).delete_function

    async def run(self, id: str, input: dict[str, Any] | None = None, *,
                  dry_run: bool = False) -> a.RunFunctionRunFunction:
        return (await self._gen.run_function(id, input=input or {}, dry_run=dry_run)).run_function

    def runs(self, function_id: str, *, status: Any = None,
             max_results: int | None = None) -> AsyncPage[a.FunctionRunFields]:
        async def fetch(token: str | None) -> Page[a.FunctionRunFields]:
            res = (await self._gen.list_function_runs(function_id, max_results=max_results, next_token=token,
                                                      status=upper(status))).function_runs
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    async def get_run(self, run_id: str) -> a.FunctionRunFields:
        return (await self._gen.get_function_run(run_id)).function_run

    async def cancel_run(self, run_id: str, *, dry_run: bool = False) -> a.CancelFunctionRunCancelFunctionRun:
        return (await self._gen.cancel_function_run(run_id, dry_run=dry_run)).cancel_function_run

    async def wait_run(self, run_id: str, *, timeout: float = 600.0,  # noqa: ASYNC109
                       interval: float = 0.5) -> a.FunctionRunFields:
        """As Functions.wait_run, awaited."""
        deadline = time.monotonic() + timeout
        while True:
            run = await self.get_run(run_id)
            if run.status.value not in LIVE:
                return run
            if time.monotonic() >= deadline:
                raise RunNotFinished(f"run {run_id} is still {run.status.value.lower()}")
            await asyncio.sleep(interval)
