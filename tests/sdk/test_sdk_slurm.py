"""client.slurm_environments (Python SDK, sync and async) against a live server, through the SDK only."""

from __future__ import annotations

import pytest
from ic_gpu import ICGPU, AsyncICGPU, ConflictError, NotFoundError, ValidationError
from ic_gpu.resources.slurm import NotReady

from tests.support.server import Server

pytestmark = pytest.mark.db_independent


def test_slurm_lifecycle(client: ICGPU) -> None:
    envs = client.slurm_environments
    dry = envs.create(name="dry", max_nodes=2, gpu_per_node=1, dry_run=True)
    assert dry.dry_run and dry.valid and dry.slurm_environment.status.value == "PENDING"
    assert list(envs.list()) == []

    made = envs.create(name="distributed-training", max_nodes=2, gpu_per_node=2)
    env = made.slurm_environment
    assert not made.dry_run and env.id.startswith("slurm-") and env.gpu_tier == "dedicated"
    assert (env.max_nodes, env.gpu_per_node, env.total_gpus) == (2, 2, 4)
    ready = envs.wait_ready(env.id, timeout=30, interval=0.1)
    assert ready.ssh_user == "gpuuser" and ready.ssh_host and ready.ssh_port and ready.gpus_placed == 4
    assert [e.id for e in envs.list(max_results=1)] == [env.id]
    assert envs.get(env.id).status.value == "READY"

    gone = envs.delete(env.id)
    assert gone.slurm_environment.status.value == "TERMINATED"
    with pytest.raises(NotReady):
        envs.wait_ready(env.id, timeout=5, interval=0.1)
    with pytest.raises(ConflictError):
        envs.delete(env.id)
    with pytest.raises(NotFoundError):
        envs.get("slurm-doesnotexist")


def test_slurm_validation_errors(client: ICGPU) -> None:
    for kwargs, field in (({"max_nodes": 0, "gpu_per_node": 1}, "maxNodes"),
                          ({"max_nodes": 1, "gpu_per_node": 1, "gpu_tier": "h100"}, "gpuTier"),
                          ({"max_nodes": 5, "gpu_per_node": 1}, "max_nodes")):
        with pytest.raises(ValidationError) as err:
            client.slurm_environments.create(name="bad", **kwargs)  # type: ignore[arg-type]
        assert err.value.field == field, err.value
    assert list(client.slurm_environments.list()) == []


async def test_async_slurm(server: Server, fresh_key: str) -> None:
    async with AsyncICGPU(api_key=fresh_key, base_url=server.url, timeout=30) as client:
        envs = client.slurm_environments
        made = (await envs.create(name="async-env", max_nodes=1, gpu_per_node=1, gpu_tier="mig")).slurm_environment
        ready = await envs.wait_ready(made.id, timeout=30, interval=0.1)
        assert ready.gpu_tier == "mig" and ready.ssh_user == "gpuuser"
        assert [e.id async for e in envs.list()] == [made.id]
        assert (await envs.get(made.id)).id == made.id
        assert (await envs.delete(made.id, dry_run=True)).dry_run is True
        assert (await envs.delete(made.id)).slurm_environment.status.value == "TERMINATED"
        assert [e.id async for e in envs.list()] == []
