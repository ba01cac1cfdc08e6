"""Replicas and scaling of model deployments, on the platform the server runs (its workers started,
real development-engine processes on loopback, the shared GPU inventory), driven through the
ModelRouter the /v1 gateway calls: a cold start from zero (502 ServiceUnavailable with Retry-After
while waking, a ready base URL after, the replica answering /health), the return to zero after the
idle period, stop and wake, scale-up by in-flight calls, a dead replica replaced, an operator's
external upstream, and no process left behind after delete or shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import select

from icgpu.auth.principal import Principal
from icgpu.db.tables import Event
from icgpu.db.tables_models import ModelDeployment
from icgpu.errors import ServiceUnavailable
from icgpu.platform import Platform
from icgpu.services import quotas
from icgpu.services.model_routing import Route
from icgpu.services.models import ModelDeploy, ModelScaling
from icgpu.settings import Settings
from tests.support.processes import engine_children, exited
from tests.support.server import drop_database, new_database_url

T = TypeVar("T")
FAST_MODELS = {
    "reconcile_interval_seconds": 0.1,
    "local_provision_seconds": 0.2,
    "local_stop_seconds": 0.1,
    "event_poll_interval_seconds": 0.05,
    "model_idle_seconds": 2.0,
    "model_scale_down_seconds": 0.0,
    "model_health_interval_seconds": 0.2,
    "tenant_gpu_limit": 1000,
}


@contextlib.asynccontextmanager
async def local_platform(tmp: Path, **overrides: Any) -> AsyncIterator[Platform]:
    """The server's platform in this process, workers running, on a fresh SQLite or PostgreSQL
    database (ICGPU_TEST_DATABASE); stopped (every replica with it) and dropped at the end."""
    with ThreadPoolExecutor(1) as pool:
        url, pg_name = pool.submit(new_database_url, tmp).result(timeout=60)
    settings = Settings(data_dir=tmp / "data", database_url=url, **{**FAST_MODELS, **overrides})
    platform = Platform(settings)
    await platform.start(workers=True)
    try:
        yield platform
    finally:
        await platform.stop()
        if pg_name:
            with ThreadPoolExecutor(1) as pool:
                pool.submit(drop_database, pg_name).result(timeout=60)


async def owner(platform: Platform, tenant: str | None = None) -> Principal:
    boot = await platform.accounts.bootstrap(tenant or f"t{uuid.uuid4().hex[:8]}", "owner@example.com")
    return await platform.accounts.principal_for_api_key(boot.api_key)


async def deploy(platform: Platform, p: Principal, **fields: Any) -> ModelDeployment:
    fields.setdefault("name", f"m-{uuid.uuid4().hex[:8]}")
    fields.setdefault("model", "org/dev-model")
    return await platform.model_deployments.deploy(p, ModelDeploy.model_validate(fields))


async def until(look: Callable[[], Awaitable[T | None]], what: str, within: float = 30.0) -> T:
    """Poll ``look`` until it gives a truthy value (bounded in time)."""
    deadline = time.monotonic() + within
    last: T | None = None
    while time.monotonic() < deadline:
        last = await look()
        if last:
            return last
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


async def status_of(platform: Platform, p: Principal, name: str) -> ModelDeployment:
    return await platform.model_deployments.get(p, name)


async def reaches(platform: Platform, p: Principal, name: str, status: str, *, ready: int | None = None,
                  within: float = 30.0) -> ModelDeployment:
    async def look() -> ModelDeployment | None:
        d = await status_of(platform, p, name)
        return d if d.status == status and (ready is None or d.ready_replicas == ready) else None

    return await until(look, f"{name} {status} with {ready} ready", within)


def pids(platform: Platform, deployment_id: str) -> list[int]:
    return [r.pid for r in platform.model_replicas.replicas.get(deployment_id, []) if r.pid is not None]




async def all_gone(ids: list[int]) -> bool:
    return all(exited(pid) for pid in ids)


async def workloads(platform: Platform, deployment_id: str) -> list[str]:
    return [w for w in await platform.provisioner.workloads() if w.startswith(deployment_id + ".")]


async def event_types(platform: Platform, resource_id: str) -> list[str]:
    async with platform.db.read() as s:
        rows = await s.scalars(select(Event.type).where(Event.resource_id == resource_id).order_by(Event.seq))
        return [str(t) for t in rows]


async def health(base_url: str) -> int:
    async with httpx.AsyncClient(timeout=5.0) as c:
        return (await c.get(base_url.removesuffix("/v1") + "/health")).status_code


async def gpus_used(platform: Platform, p: Principal) -> int:
    async with platform.db.read() as s:
        return (await quotas.gpus_in_use(s, p.tenant_id))["models"]


# -- cold start and scale to zero ---------------------------------------------------------------------

async def test_cold_start_wakes_then_returns_to_zero(tmp_path: Path) -> None:
    async with local_platform(tmp_path) as platform:
        p = await owner(platform)
        d = await deploy(platform, p, minReplicas=0, maxReplicas=2, resourceProfile="nvidia-gpu-dedicated",
                         huggingfaceToken="hf_notshown123")
        router = platform.model_router
        route = await router.resolve(p, d.name)
        assert (route.source, route.deployment_id, route.dev_engine, route.kind) == ("deployment", d.id, True, "chat")
        assert pids(platform, d.id) == [] and await workloads(platform, d.id) == []

        # The first call wakes it: with a short wait, 502 with Retry-After while the replica starts.
        with pytest.raises(ServiceUnavailable) as waking:
            await router.upstream(route, wait_seconds=0.05)
        assert waking.value.status == 502 and waking.value.code == "ModelWaking"
        assert int(waking.value.headers["Retry-After"]) > 0 and "waking" in waking.value.message
        url = await router.upstream(route, wait_seconds=30.0)
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        assert await health(url) == 200
        async with httpx.AsyncClient(timeout=5.0) as c:
            served = (await c.get(url + "/models")).json()
        assert [m["id"] for m in served["data"]] == [d.model]

        ready = await reaches(platform, p, d.name, "ready", ready=1)
        assert (ready.desired_replicas, ready.gpu_replicas) == (1, 1)
        (workload,) = await workloads(platform, d.id)
        assert workload.startswith(f"{d.id}.r0-")
        assert await gpus_used(platform, p) == 1
        (pid,) = pids(platform, d.id)
        assert not exited(pid)
        # The token reaches the replica's environment, and nothing else.
        assert b"HF_TOKEN=hf_notshown123" in await asyncio.to_thread(Path(f"/proc/{pid}/environ").read_bytes)

        # No call for model_idle_seconds: back to zero, process and GPU slot released.
        await reaches(platform, p, d.name, "scaled_to_zero", ready=0, within=30.0)
        await until(lambda: all_gone([pid]), "the replica process to exit")
        await until(lambda: _none(workloads(platform, d.id)), "the GPU slot to be released")
        assert await gpus_used(platform, p) == 0
        assert await event_types(platform, d.id) == ["model.deployed", "model.ready", "model.scaled_to_zero"]

        # The next call wakes it again.
        url = await router.upstream(route, wait_seconds=30.0)
        assert await health(url) == 200


async def _none(values: Awaitable[list[str]]) -> bool:
    return not await values


async def test_stop_then_wake_then_delete_leaves_no_process(tmp_path: Path) -> None:
    async with local_platform(tmp_path, model_idle_seconds=60.0) as platform:
        p = await owner(platform)
        d = await deploy(platform, p, minReplicas=1, maxReplicas=1, resourceProfile="nvidia-gpu-mig")
        await reaches(platform, p, d.name, "ready", ready=1)  # the minimum needs no call
        (first,) = pids(platform, d.id)

        stopped = await platform.model_deployments.stop(p, d.name)
        assert stopped.status in ("stopped", "scaling")
        await reaches(platform, p, d.name, "stopped", ready=0)
        await until(lambda: all_gone([first]), "the stopped replica to exit")
        assert await gpus_used(platform, p) == 0

        route = await platform.model_router.resolve(p, d.name)
        url = await platform.model_router.upstream(route, wait_seconds=30.0)
        assert await health(url) == 200
        woken = await reaches(platform, p, d.name, "ready", ready=1)
        assert woken.stopped is False and woken.min_replicas == 1
        (second,) = pids(platform, d.id)
        assert second != first

        await platform.model_deployments.delete(p, d.name)
        await until(lambda: all_gone([second]), "the deleted deployment's replica to exit")
        await until(lambda: _none(workloads(platform, d.id)), "the GPU slot to be released")
        assert platform.model_replicas.replicas.get(d.id) is None
        assert await gpus_used(platform, p) == 0
        types = await event_types(platform, d.id)
        assert types[0] == "model.deployed" and types[-1] == "model.deleted"
        assert "model.stopped" in types and "model.woken" in types


async def test_in_flight_calls_scale_up_to_max_and_back(tmp_path: Path) -> None:
    async with local_platform(tmp_path, model_target_inflight_per_replica=1, model_idle_seconds=2.0) as platform:
        p = await owner(platform)
        d = await deploy(platform, p, minReplicas=0, maxReplicas=2, resourceProfile="nvidia-gpu-timesliced")
        route = await platform.model_router.resolve(p, d.name)
        with platform.model_router.inflight(d.id), platform.model_router.inflight(d.id), \
                platform.model_router.inflight(d.id):
            await platform.model_router.upstream(route, wait_seconds=30.0)
            # Three calls in flight, one per replica wanted: capped at maxReplicas.
            both = await reaches(platform, p, d.name, "ready", ready=2)
            assert both.desired_replicas == 2 and len(set(pids(platform, d.id))) == 2
            urls = {await platform.model_router.upstream(route, wait_seconds=1.0) for _ in range(4)}
            assert len(urls) == 2  # round robin over both replicas
        every = pids(platform, d.id)
        await reaches(platform, p, d.name, "scaled_to_zero", ready=0)
        await until(lambda: all_gone(every), "both replicas to exit")


async def test_a_dead_replica_is_replaced(tmp_path: Path) -> None:
    async with local_platform(tmp_path, model_idle_seconds=60.0) as platform:
        p = await owner(platform)
        d = await deploy(platform, p, minReplicas=1, maxReplicas=1, resourceProfile="cpu")
        await reaches(platform, p, d.name, "ready", ready=1)
        (first,) = pids(platform, d.id)
        assert await workloads(platform, d.id) == []  # a CPU replica holds no GPU slot
        os.killpg(first, signal.SIGKILL)

        async def replaced() -> list[int] | None:
            now = pids(platform, d.id)
            ready = platform.model_replicas.ready_urls(d.id)
            return now if now and first not in now and ready else None

        (second,) = await until(replaced, "a new replica in place of the killed one")
        route = await platform.model_router.resolve(p, d.name)
        url = await platform.model_router.upstream(route, wait_seconds=10.0)
        assert await health(url) == 200

        # The gateway's report of a connect error takes a replica out at once, and it is replaced too.
        platform.model_router.mark_unhealthy(d.id, url)
        assert platform.model_replicas.ready_urls(d.id) == []

        async def third() -> list[int] | None:
            now = pids(platform, d.id)
            return now if now and second not in now and platform.model_replicas.ready_urls(d.id) else None

        await until(third, "a replica in place of the reported one")
        await until(lambda: all_gone([first, second]), "the replaced replicas to exit")


async def test_server_shutdown_stops_every_replica(tmp_path: Path) -> None:
    started: list[int] = []
    async with local_platform(tmp_path, model_idle_seconds=60.0) as platform:
        p = await owner(platform)
        for profile in ("nvidia-gpu-dedicated", "cpu"):
            d = await deploy(platform, p, minReplicas=1, maxReplicas=1, resourceProfile=profile)
            await reaches(platform, p, d.name, "ready", ready=1)
            started += pids(platform, d.id)
        assert len(started) == 2 and not any(exited(pid) for pid in started)
    assert all(exited(pid) for pid in started)


async def test_catalogue_alias_scales_a_shared_deployment_from_zero(tmp_path: Path) -> None:
    async with local_platform(tmp_path) as platform:
        alice, bob = await owner(platform), await owner(platform)
        a = await platform.model_router.resolve(alice, "bge-large-en-v1.5")
        b = await platform.model_router.resolve(bob, "bge-large-en-v1.5")
        assert a == b and (a.source, a.kind, a.upstream_model) == ("catalogue", "embedding", "BAAI/bge-large-en-v1.5")
        with pytest.raises(ServiceUnavailable):
            await platform.model_router.upstream(a, wait_seconds=0.0)
        url = await platform.model_router.upstream(a, wait_seconds=30.0)
        async with httpx.AsyncClient(timeout=5.0) as c:
            r = await c.post(url + "/embeddings", json={"model": a.upstream_model, "input": "GPU computing"})
        assert r.status_code == 200 and r.json()["data"][0]["embedding"]
        # The shared deployment belongs to no tenant: nobody's GPU usage, nobody's list.
        assert await gpus_used(platform, alice) == 0
        assert (await platform.model_deployments.list(alice, _first_page())).items == []
        async with platform.db.read() as s:
            shared = await s.get(ModelDeployment, a.deployment_id)
        assert shared is not None and shared.tenant_id is None and shared.name == "bge-large-en-v1.5"
        assert await event_types(platform, a.deployment_id) == []


def _first_page() -> Any:
    from icgpu.services.pagination import PageRequest

    return PageRequest(None, None)


async def test_external_upstream_starts_no_replica(tmp_path: Path) -> None:
    ext = "http://127.0.0.1:9/v1"
    async with local_platform(tmp_path, model_upstreams={"llama-3-8b": ext,
                                                         "org/external-model": ext + "/"}) as platform:
        p = await owner(platform)
        route = await platform.model_router.resolve(p, "llama-3-8b")
        assert route.dev_engine is False
        assert await platform.model_router.upstream(route, wait_seconds=0.0) == ext
        d = await deploy(platform, p, model="org/external-model", minReplicas=1, maxReplicas=1)
        mine = await platform.model_router.resolve(p, d.name)
        assert mine.dev_engine is False and await platform.model_router.upstream(mine, wait_seconds=0.0) == ext
        await reaches(platform, p, d.name, "ready", ready=0)
        assert pids(platform, d.id) == [] and pids(platform, route.deployment_id) == []
        assert await workloads(platform, d.id) == []
        assert platform.model_deployments.upstream_kind(await status_of(platform, p, d.name)) == "external"
        listed = {m.id: m for m in await platform.model_router.callable_models(p)}
        assert listed["llama-3-8b"].dev_engine is False and listed[d.name].dev_engine is False
        assert listed["mistral-7b"].dev_engine is True


def _route_type_is_the_contract() -> Route:  # the gateway's contract is this dataclass
    return Route(name="x", deployment_id="mdl-x", source="deployment", upstream_model="x", kind="chat",
                 token_multiplier=1.0, context_length=1, dev_engine=True)


# -- end to end: a real server, the official openai client on /v1 --------------------------------------


def test_cold_start_over_v1_with_the_openai_client(make_server: Any) -> None:
    import openai

    from tests.support.server import wait_for

    server = make_server(ICGPU_MODEL_IDLE_SECONDS="3", ICGPU_MODEL_WAKE_WAIT_SECONDS="0.1",
                         ICGPU_MODEL_SCALE_DOWN_SECONDS="0", ICGPU_MODEL_HEALTH_INTERVAL_SECONDS="0.3")
    assert server.proc is not None
    boot = server.bootstrap("cold", "owner@example.com")
    with server.client(boot["api_key"]) as api:
        assert api.post("/api/v1/tokens/purchase", json={"amount": 1_000_000}).status_code == 201
        r = api.post("/api/v1/models", json={"name": "my-llama", "model": "meta-llama/Llama-3.1-8B-Instruct",
                                             "minReplicas": 0, "maxReplicas": 1,
                                             "resourceProfile": "nvidia-gpu-dedicated"})
        assert r.status_code == 201, r.text
        assert engine_children(server.proc.pid) == []

        llm = openai.OpenAI(base_url=server.url + "/v1", api_key=boot["api_key"], max_retries=0, timeout=30.0)
        messages = [{"role": "user", "content": "Explain GPU time-slicing in one paragraph."}]
        with pytest.raises(openai.InternalServerError) as waking:
            llm.chat.completions.create(model="my-llama", messages=messages, max_tokens=8)  # type: ignore[arg-type]
        assert waking.value.status_code == 502 and int(waking.value.response.headers["Retry-After"]) > 0
        assert "waking" in str(waking.value.message)

        def answered() -> Any:
            try:
                return llm.chat.completions.create(model="my-llama", messages=messages,  # type: ignore[arg-type]
                                                   max_tokens=8)
            except openai.InternalServerError:
                return None

        done = wait_for(answered, timeout=60, interval=0.2, what="the woken deployment to answer")
        assert done.choices[0].message.content and done.usage is not None
        ready = api.get("/api/v1/models/my-llama").json()
        assert (ready["status"], ready["ready_replicas"], ready["desired_replicas"]) == ("ready", 1, 1)
        (pid,) = engine_children(server.proc.pid)
        assert "my-llama" in [m.id for m in llm.models.list()]

        # No call for the idle period: back to zero, the process gone.
        wait_for(lambda: api.get("/api/v1/models/my-llama").json()["status"] == "scaled_to_zero", timeout=60,
                 interval=0.2, what="scale to zero")
        wait_for(lambda: exited(pid), timeout=20, what="the replica process to exit")

        # Woken again, then deleted: no engine process is left.
        wait_for(answered, timeout=60, interval=0.2, what="a second wake")
        assert len(engine_children(server.proc.pid)) == 1
        assert api.delete("/api/v1/models/my-llama").status_code == 200
        wait_for(lambda: engine_children(server.proc.pid) == [], timeout=20, what="no engine process left")
        llm.close()


async def test_replica_processes_are_capped_per_host(tmp_path: Path) -> None:
    async with local_platform(tmp_path, model_max_local_replicas=1, model_idle_seconds=60.0) as platform:
        p = await owner(platform)
        first = await deploy(platform, p, minReplicas=1, maxReplicas=1, resourceProfile="cpu")
        await reaches(platform, p, first.name, "ready", ready=1)
        second = await deploy(platform, p, minReplicas=1, maxReplicas=1, resourceProfile="cpu")

        async def capped() -> ModelDeployment | None:
            d = await status_of(platform, p, second.name)
            return d if d.status_reason and "ICGPU_MODEL_MAX_LOCAL_REPLICAS" in d.status_reason else None

        waiting = await until(capped, "the second deployment to wait for the cap")
        assert waiting.ready_replicas == 0 and pids(platform, second.id) == []
        await platform.model_deployments.delete(p, first.name)
        await reaches(platform, p, second.name, "ready", ready=1)


async def test_a_failing_start_backs_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from icgpu.workers import model_scaler

    real = model_scaler.launch
    starts: list[float] = []

    async def broken(*args: Any) -> Any:
        starts.append(time.monotonic())
        raise RuntimeError("the engine could not start")

    monkeypatch.setattr(model_scaler, "launch", broken)
    async with local_platform(tmp_path, model_idle_seconds=60.0) as platform:
        p = await owner(platform)
        d = await deploy(platform, p, minReplicas=1, maxReplicas=1, resourceProfile="cpu")

        async def failed() -> ModelDeployment | None:
            got = await status_of(platform, p, d.name)
            return got if len(starts) >= 3 and got.status_reason and "failed to start" in got.status_reason else None

        await until(failed, "three failed starts", within=30.0)
        # Passes run every 0.1 s, yet starts are spaced out: 2 s, then 4 s, ... apart.
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        assert gaps[0] >= 1.9 and gaps[1] >= 3.9, gaps
        monkeypatch.setattr(model_scaler, "launch", real)
        await reaches(platform, p, d.name, "ready", ready=1, within=30.0)


async def test_a_scale_down_drains_a_replica_serving_calls(tmp_path: Path) -> None:
    async with local_platform(tmp_path, model_idle_seconds=60.0) as platform:
        p = await owner(platform)
        d = await deploy(platform, p, minReplicas=2, maxReplicas=2, resourceProfile="cpu")
        await reaches(platform, p, d.name, "ready", ready=2)
        both = pids(platform, d.id)
        route = await platform.model_router.resolve(p, d.name)
        with platform.model_router.inflight(d.id):
            await platform.model_router.upstream(route, wait_seconds=5.0)
            await platform.model_deployments.scale(p, d.name, ModelScaling.model_validate(
                {"minReplicas": 1, "maxReplicas": 1}))
            await reaches(platform, p, d.name, "ready", ready=1)
            kept = pids(platform, d.id)
            (drained,) = set(both) - set(kept)
            # Out of rotation at once, but its process serves the call in flight.
            assert len(platform.model_replicas.ready_urls(d.id)) == 1
            assert not exited(drained)
        # The call ended: the drained replica stops.
        await until(lambda: all_gone([drained]), "the drained replica to exit")
        assert pids(platform, d.id) == kept and not exited(kept[0])


async def test_an_api_process_reaches_the_workers_replicas(tmp_path: Path) -> None:
    """``icgpu serve`` with ICGPU_RUN_WORKERS=false beside ``icgpu worker`` on one database: the
    API process's router finds the replicas the worker's scaler runs (their URLs are in the
    database), and its calls reach the worker as demand (wake, keep warm, then idle to zero)."""
    async with local_platform(tmp_path, model_idle_seconds=3.0) as worker:
        overrides: dict[str, Any] = {**FAST_MODELS, "model_idle_seconds": 3.0}
        settings = Settings(data_dir=tmp_path / "api", database_url=worker.settings.database_url, **overrides)
        api = Platform(settings)
        await api.start(workers=False)
        try:
            assert api.model_replicas.local is False and worker.model_replicas.local is True
            p = await owner(api)
            d = await deploy(api, p, minReplicas=0, maxReplicas=1, resourceProfile="cpu")
            route = await api.model_router.resolve(p, d.name)
            with pytest.raises(ServiceUnavailable):
                await api.model_router.upstream(route, wait_seconds=0.0)
            url = await api.model_router.upstream(route, wait_seconds=30.0)
            assert await health(url) == 200
            assert url in worker.model_replicas.ready_urls(d.id)
            (pid,) = pids(worker, d.id)
            ready = await reaches(api, p, d.name, "ready", ready=1)
            assert ready.endpoints == [{"url": url, "model": None}]  # a development engine: no model name

            # Calls keep it warm past the idle period; then, without calls, it goes to zero.
            calls_until = time.monotonic() + 4.5  # calls, spaced out, for longer than the idle period
            while time.monotonic() < calls_until:
                assert await api.model_router.upstream(route, wait_seconds=5.0) == url
                assert pids(worker, d.id) == [pid] and not exited(pid)
                await asyncio.sleep(0.5)  # the pace of the calls
            await reaches(api, p, d.name, "scaled_to_zero", ready=0)
            await until(lambda: all_gone([pid]), "the worker's replica to exit")
            assert (await status_of(api, p, d.name)).endpoints == []
        finally:
            await api.stop()

