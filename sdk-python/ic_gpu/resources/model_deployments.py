"""client.model_deployments: model deployments addressed by name (deploy, list, get, scale, stop,
delete) and the platform's model catalogue. The Hugging Face token is write-only: responses only
say whether one is set (``huggingface_token_set``)."""

from __future__ import annotations

import builtins

from .._pagination import AsyncPage, Page, SyncPage
from ..generated import aio as a
from ..generated import sync as g
from ._base import AsyncResource, SyncResource
from ._common import given


class ModelDeployments(SyncResource):
    def deploy(self, *, name: str, model: str, engine: str | None = None, kind: str | None = None,
               min_replicas: int | None = None, max_replicas: int | None = None,
               resource_profile: str | None = None, huggingface_token: str | None = None,
               team_id: str | None = None, dry_run: bool = False) -> g.DeployModelDeployModel:
        spec = given(name=name, model=model, engine=engine, kind=kind, min_replicas=min_replicas,
                     max_replicas=max_replicas, resource_profile=resource_profile,
                     huggingface_token=huggingface_token, team_id=team_id)
        return self._gen.deploy_model(g.DeployModelInput(**spec), dry_run=dry_run).deploy_model

    def list(self, *, max_results: int | None = None) -> SyncPage[g.ModelDeploymentFields]:
        def fetch(token: str | None) -> Page[g.ModelDeploymentFields]:
            res = self._gen.list_model_deployments(max_results=max_results, next_token=token).model_deployments
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def get(self, name: str) -> g.ModelDeploymentFields:
        return self._gen.get_model_deployment(name).model_deployment

    def scale(self, name: str, *, min_replicas: int | None = None, max_replicas: int | None = None,
              dry_run: bool = False) -> g.ScaleModelScaleModel:
        spec = given(min_replicas=min_replicas, max_replicas=max_replicas)
        return self._gen.scale_model(name, g.ScaleModelInput(**spec), dry_run=dry_run).scale_model

    def stop(self, name: str, *, dry_run: bool = False) -> g.StopModelStopModel:
        """Scale to zero now; the next call to the model wakes it."""
        return self._gen.stop_model(name, dry_run=dry_run).stop_model

    def delete(self, name: str, *, dry_run: bool = False) -> g.DeleteModelDeleteModel:
        return self._gen.delete_model(name, dry_run=dry_run).delete_model

    def catalogue(self) -> builtins.list[g.CatalogueModelFields]:
        """The platform's pre-tested models, callable by alias."""
        return list(self._gen.model_catalogue().model_catalogue)


class AsyncModelDeployments(AsyncResource):
    async def deploy(self, *, name: str, model: str, engine: str | None = None, kind: str | None = None,
                     min_replicas: int | None = None, max_replicas: int | None = None,
                     resource_profile: str | None = None, huggingface_token: str | None = None,
                     team_id: str | None = None, dry_run: bool = False) -> a.DeployModelDeployModel:
        spec = given(name=name, model=model, engine=engine, kind=kind, min_replicas=min_replicas,
                     max_replicas=max_replicas, resource_profile=resource_profile,
                     huggingface_token=huggingface_token, team_id=team_id)
        return (await self._gen.deploy_model(a.DeployModelInput(**spec), dry_run=dry_run)).deploy_model

    def list(self, *, max_results: int | None = None) -> AsyncPage[a.ModelDeploymentFields]:
        async def fetch(token: str | None) -> Page[a.ModelDeploymentFields]:
            res = (await self._gen.list_model_deployments(max_results=max_results,
                                                          next_token=token)).model_deployments
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    async def get(self, name: str) -> a.ModelDeploymentFields:
        return (await self._gen.get_model_deployment(name)).model_deployment

    async def scale(self, name: str, *, min_replicas: int | None = None, max_replicas: int | None = None,
                    dry_run: bool = False) -> a.ScaleModelScaleModel:
        spec = given(min_replicas=min_replicas, max_replicas=max_replicas)
        return (await self._gen.scale_model(name, a.ScaleModelInput(**spec), dry_run=dry_run)).scale_model

    async def stop(self, name: str, *, dry_run: bool = False) -> a.StopModelStopModel:
        return (await self._gen.stop_model(name, dry_run=dry_run)).stop_model

    async def delete(self, name: str, *, dry_run: bool = False) -> a.DeleteModelDeleteModel:
        return (await self._gen.delete_model(name, dry_run=dry_run)).delete_model

    async def catalogue(self) -> builtins.list[a.CatalogueModelFields]:
        return list((await self._gen.model_catalogue()).model_catalogue)
