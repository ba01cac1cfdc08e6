"""client.model_deployments (Python SDK, sync and async) against a live server, through the SDK only:
deploy, list, get, scale, stop, delete by name, dry runs, the write-only Hugging Face token, errors
mapped to their classes, the catalogue, and a deployment whose replica the server really starts."""

from __future__ import annotations

import time

import pytest
from ic_gpu import ICGPU, AsyncICGPU, ConflictError, NotFoundError, ValidationError

from icgpu.services.model_catalogue import CATALOGUE
from tests.support.server import Server

pytestmark = pytest.mark.db_independent
TOKEN = "hf_sdkSecret0123456789"


def test_model_deployment_lifecycle(client: ICGPU) -> None:
    models = client.model_deployments
    dry = models.deploy(name="my-llama", model="meta-llama/Llama-3.1-8B-Instruct", dry_run=True)
    assert dry.dry_run and dry.valid and dry.model_deployment.status == "scaled_to_zero"
    assert list(models.list()) == []

    made = models.deploy(name="my-llama", model="meta-llama/Llama-3.1-8B-Instruct", engine="vllm", min_replicas=0,
                         max_replicas=2, resource_profile="nvidia-gpu-dedicated", huggingface_token=TOKEN)
    d = made.model_deployment
    assert d.id.startswith("mdl-") and (d.name, d.gpu_tier, d.upstream) == ("my-llama", "dedicated", "dev_engine")
    assert d.huggingface_token_set is True and TOKEN not in made.model_dump_json()
    assert [m.name for m in models.list()] == ["my-llama"] and models.get("my-llama").id == d.id

    scaled = models.scale("my-llama", max_replicas=3).model_deployment
    assert (scaled.min_replicas, scaled.max_replicas) == (0, 3)
    assert models.scale("my-llama", min_replicas=1, dry_run=True).model_deployment.min_replicas == 1
    assert models.get("my-llama").min_replicas == 0
    assert models.stop("my-llama").model_deployment.status == "stopped"
    assert models.delete("my-llama").model_deployment.status == "deleted"
    with pytest.raises(NotFoundError):
        models.get("my-llama")


def test_model_deployment_errors(client: ICGPU) -> None:
    models = client.model_deployments
    for kwargs, field in (({"min_replicas": 3, "max_replicas": 1}, "minReplicas"),
                          ({"resource_profile": "tpu"}, "resourceProfile"), ({"engine": "tgi"}, "engine"),
                          ({"name": "Bad Name"}, "name")):
        with pytest.raises(ValidationError) as info:
            models.deploy(**{"name": "ok", "model": "a/b", **kwargs})  # type: ignore[arg-type]
        assert info.value.field == field, (kwargs, info.value)
    with pytest.raises(ConflictError):
        models.deploy(name="llama-3-8b", model="a/b")
    models.deploy(name="taken", model="a/b")
    with pytest.raises(ConflictError):
        models.deploy(name="taken", model="c/d")
    with pytest.raises(NotFoundError):
        models.stop("nobody")
    assert [m.name for m in models.list()] == ["taken"]


def test_catalogue(client: ICGPU) -> None:
    entries = client.model_deployments.catalogue()
    assert [e.alias for e in entries] == list(CATALOGUE)
    llama = next(e for e in entries if e.alias == "llama-3-8b")
    assert llama.huggingface_id == CATALOGUE["llama-3-8b"].huggingface_id and llama.context_length > 0


async def test_async_and_a_replica_the_server_starts(server: Server, fresh_key: str) -> None:
    async with AsyncICGPU(api_key=fresh_key, base_url=server.url, timeout=30) as client:
        models = client.model_deployments
        d = (await models.deploy(name="always-on", model="org/small", min_replicas=1, max_replicas=1,
                                 resource_profile="cpu")).model_deployment
        assert d.status == "pending" and d.desired_replicas == 1
        deadline = time.monotonic() + 60
        while (got := await models.get("always-on")).ready_replicas < 1:
            assert time.monotonic() < deadline, got
            await _pause()
        assert (got.status, got.desired_replicas) == ("ready", 1)
        assert [m.name async for m in models.list()] == ["always-on"]
        assert (await models.scale("always-on", min_replicas=0)).model_deployment.min_replicas == 0
        assert (await models.stop("always-on")).model_deployment.status in ("stopped", "scaling")
        assert (await models.delete("always-on")).model_deployment.status == "deleted"
        assert [e.alias for e in await models.catalogue()] == list(CATALOGUE)


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(0.1)
