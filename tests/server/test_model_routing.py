"""ModelRouter's name resolution, in order: a deployment of the caller's tenant by name, a catalogue
alias (a shared platform deployment), the Hugging Face id of one of the caller's deployments; and
callable_models listing exactly what resolves. On the platform the server runs, workers off (no
replica is needed to resolve a name)."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import pytest

from icgpu.errors import AccessDenied, NotFound
from icgpu.services.model_catalogue import CATALOGUE, by_huggingface_id
from icgpu.services.models import ModelDeploy
from icgpu.services.teams import MemberAdd, TeamCreate
from tests.server.test_model_scaling import deploy, local_platform, owner


async def test_resolution_order(tmp_path: Path) -> None:
    async with local_platform(tmp_path) as platform:
        router = platform.model_router
        me = await owner(platform)
        llama = CATALOGUE["llama-3-8b"]

        # 2. A catalogue alias: the shared deployment, the catalogue's multiplier and context.
        alias = await router.resolve(me, "llama-3-8b")
        assert (alias.source, alias.upstream_model, alias.kind) == ("catalogue", llama.huggingface_id, "chat")
        assert (alias.token_multiplier, alias.context_length, alias.dev_engine) == \
            (llama.token_multiplier, llama.context_length, True)

        # 3. The Hugging Face id of one of my deployments (the oldest): my deployment, not the catalogue's.
        with pytest.raises(NotFound) as nf:
            await router.resolve(me, llama.huggingface_id)
        assert nf.value.code == "ModelNotFound"
        mine = await deploy(platform, me, name="my-llama", model=llama.huggingface_id)
        await deploy(platform, me, name="my-llama-2", model=llama.huggingface_id)
        by_id = await router.resolve(me, llama.huggingface_id)
        assert (by_id.source, by_id.deployment_id, by_id.upstream_model) == ("huggingface_id", mine.id,
                                                                             llama.huggingface_id)
        assert by_id.token_multiplier == llama.token_multiplier  # the catalogue knows the model

        # 1. A deployment's name comes first.
        by_name = await router.resolve(me, "my-llama")
        assert (by_name.source, by_name.deployment_id, by_name.name) == ("deployment", mine.id, "my-llama")
        assert dataclasses.replace(by_name, name="x", source="huggingface_id") == \
            dataclasses.replace(by_id, name="x")

        # An unknown model: its own code, whatever the name.
        for name in ("gpt-4", "my-llama-3", "", "x" * 300):
            with pytest.raises(NotFound) as nf:
                await router.resolve(me, name)
            assert nf.value.code == "ModelNotFound"

        # A model the catalogue does not know: multiplier 1 and the default context length.
        custom = await deploy(platform, me, name="tiny", model="org/tiny-embedder", kind="embedding")
        route = await router.resolve(me, "org/tiny-embedder")
        assert (route.deployment_id, route.kind, route.token_multiplier) == (custom.id, "embedding", 1.0)
        assert by_huggingface_id("org/tiny-embedder") is None


async def test_other_callers_see_only_their_own(tmp_path: Path) -> None:
    # No route cache: a team membership change (which sends no signal) applies to the next call.
    async with local_platform(tmp_path, model_route_cache_seconds=0.0) as platform:
        router = platform.model_router
        alice = await owner(platform)
        bob = await owner(platform)  # another tenant
        d = await deploy(platform, alice, name="private-model", model="org/private")
        assert (await router.resolve(alice, "private-model")).deployment_id == d.id
        for name in ("private-model", "org/private"):
            with pytest.raises(NotFound):
                await router.resolve(bob, name)
        # Both tenants share the catalogue's deployment.
        assert (await router.resolve(alice, "mistral-7b")).deployment_id == \
            (await router.resolve(bob, "mistral-7b")).deployment_id

        # In the same tenant, a deployment shared with a team resolves for its members only.
        carol_boot = await platform.accounts.bootstrap((await platform.accounts.me(alice)).tenant.name,
                                                       "carol@example.com")
        carol = await platform.accounts.principal_for_api_key(carol_boot.api_key)
        with pytest.raises(NotFound):
            await router.resolve(carol, "private-model")
        team = (await platform.teams.create(alice, TeamCreate(name=f"t-{uuid.uuid4().hex[:6]}"))).team
        shared = await deploy(platform, alice, name="team-model", model="org/team", teamId=team.id)
        with pytest.raises(NotFound):
            await router.resolve(carol, "team-model")
        await platform.teams.add_member(alice, team.id, _member(carol.account_id))
        assert (await router.resolve(carol, "team-model")).deployment_id == shared.id


def _member(account_id: str) -> MemberAdd:
    return MemberAdd.model_validate({"account_id": account_id, "role": "member"})


async def test_callable_models_lists_exactly_what_resolves(tmp_path: Path) -> None:
    async with local_platform(tmp_path, model_upstreams={"mistral-7b": "http://127.0.0.1:9/v1"}) as platform:
        router = platform.model_router
        me = await owner(platform)
        d = await deploy(platform, me, name="my-llama", model="meta-llama/Llama-3.1-8B-Instruct")
        models = await router.callable_models(me)
        ids = [m.id for m in models]
        assert ids == ["my-llama", *CATALOGUE, "meta-llama/Llama-3.1-8B-Instruct"]
        assert len(set(ids)) == len(ids)
        for m in models:
            route = await router.resolve(me, m.id)
            assert route.kind == m.kind and route.dev_engine == m.dev_engine
        by = {m.id: m for m in models}
        assert by["my-llama"].owned_by == me.tenant_id and by["my-llama"].created == int(d.created_at.timestamp())
        assert by["llama-3-8b"].owned_by == "icgpu" and by["bge-large-en-v1.5"].kind == "embedding"
        assert by["mistral-7b"].dev_engine is False and by["llama-3-8b"].dev_engine is True
        # A deployment's model that is also a catalogue model's id is listed once, under each name.
        other = await owner(platform)
        assert [m.id for m in await router.callable_models(other)] == list(CATALOGUE)


async def test_routing_needs_the_models_scope(tmp_path: Path) -> None:
    async with local_platform(tmp_path) as platform:
        me = await owner(platform)
        no_models = dataclasses.replace(me, scopes=frozenset({"instances"}))
        with pytest.raises(AccessDenied) as denied:
            await platform.model_router.resolve(no_models, "llama-3-8b")
        assert denied.value.code == "ScopeNotGranted"
        with pytest.raises(AccessDenied):
            await platform.model_router.callable_models(no_models)
        read_only = dataclasses.replace(me, permissions=frozenset({"read"}))
        assert (await platform.model_router.resolve(read_only, "llama-3-8b")).source == "catalogue"


async def test_the_route_cache_follows_changes_at_once(tmp_path: Path) -> None:
    async with local_platform(tmp_path, model_route_cache_seconds=600.0) as platform:
        router = platform.model_router
        me = await owner(platform)
        assert [m.id for m in await router.callable_models(me)] == list(CATALOGUE)  # cached now
        d = await deploy(platform, me, name="fresh", model="org/fresh")
        assert (await router.resolve(me, "fresh")).deployment_id == d.id  # the deploy cleared it
        await platform.model_deployments.delete(me, "fresh")
        with pytest.raises(NotFound):
            await router.resolve(me, "fresh")
        with pytest.raises(NotFound):
            await router.resolve(me, "org/fresh")
        # A dry run changes nothing, so nothing new resolves.
        await platform.model_deployments.deploy(me, ModelDeploy.model_validate({"name": "dry", "model": "o/d"}),
                                                dry_run=True)
        with pytest.raises(NotFound):
            await router.resolve(me, "dry")
