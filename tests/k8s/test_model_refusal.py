"""A model deployment the Kubernetes provisioner refuses is asked for once, not on every scaler pass.

The platform runs in this process on the real Kubernetes provisioner, its workers running (passes every
0.1 s). An sglang deployment wanting a replica is refused (KubeAI has no SGLang engine: WorkloadRefused):
the scaler asks the provisioner once, lets the replica go (no GPU counted in the tenant's usage), keeps the
reason in ``status_reason``, and asks no more over the following passes; a change of the deployment (here
its bounds) makes it ask once again. The test counts the provisioner's ``ensure_running`` calls for the
deployment's replicas and the scaler's passes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from icgpu.platform import Platform
from icgpu.provisioning.base import Observation, WorkloadSpec
from icgpu.provisioning.kubernetes.naming import namespace as tenant_namespace
from icgpu.provisioning.kubernetes.resources import NAMESPACE, Resources
from icgpu.services.models import ModelScaling, Status
from tests.k8s.control_plane import ControlPlane
from tests.server.test_model_scaling import deploy, local_platform, owner, until

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

PASSES = 10  # scaler passes watched after a refusal (1 s at the test's 0.1 s interval)
REASON = "cannot be served here: the Kubernetes provisioner serves models with KubeAI, which has no engine for 'sglang'"
# (then the engines it has)


class Watched:
    """The workload ids the provisioner is asked to run, and the scaler's passes, of a running platform."""

    def __init__(self, platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
        self.asked: list[str] = []
        self.passes = 0
        ensure_running, reconcile_once = platform.provisioner.ensure_running, platform.model_scaler.reconcile_once

        async def asking(spec: WorkloadSpec, *, replace_failed: bool) -> Observation:
            self.asked.append(spec.instance_id)
            return await ensure_running(spec, replace_failed=replace_failed)

        async def counted() -> None:
            await reconcile_once()
            self.passes += 1

        monkeypatch.setattr(platform.provisioner, "ensure_running", asking)
        monkeypatch.setattr(platform.model_scaler, "reconcile_once", counted)  # the loop looks it up every pass

    def of(self, deployment_id: str) -> list[str]:
        return [w for w in self.asked if w.startswith(f"{deployment_id}.r")]

    async def more_passes(self, count: int) -> None:
        target = self.passes + count

        async def done() -> bool:
            return self.passes >= target

        await until(done, f"{count} more scaler passes", within=30)


@pytest.fixture
async def platform(control_plane: ControlPlane, tmp_path: Path) -> AsyncIterator[Platform]:
    async with local_platform(tmp_path, provisioner="kubernetes", kubeconfig=control_plane.kubeconfig) as made:
        yield made


async def test_a_refused_deployment_is_asked_for_once_until_it_changes(
        platform: Platform, res: Resources, monkeypatch: pytest.MonkeyPatch) -> None:
    watched = Watched(platform, monkeypatch)
    p = await owner(platform)
    try:
        d = await deploy(platform, p, engine="sglang", min_replicas=1, model="Qwen/Qwen2.5-0.5B-Instruct")

        async def explained() -> Any:
            fresh = await platform.model_deployments.get(p, d.name)
            return fresh if (fresh.status_reason or "").startswith(REASON) else None

        reason = (await until(explained, "the status to say why it is not served", within=60)).status_reason
        await watched.more_passes(PASSES)
        assert len(watched.of(d.id)) == 1, watched.of(d.id)
        fresh = await platform.model_deployments.get(p, d.name)
        assert (fresh.status, fresh.status_reason) == (Status.PENDING, reason)
        assert (fresh.desired_replicas, fresh.ready_replicas, fresh.gpu_replicas) == (1, 0, 0)  # no GPU held
        assert not [w for w in await platform.provisioner.workloads() if w.startswith(d.id)]

        # A change of the deployment asks again, once.
        await platform.model_deployments.scale(p, d.name, ModelScaling.model_validate({"maxReplicas": 2}))

        async def asked_again() -> bool:
            return len(watched.of(d.id)) == 2

        await until(asked_again, "the provisioner to be asked again after the change", within=30)
        await watched.more_passes(PASSES)
        assert len(watched.of(d.id)) == 2, watched.of(d.id)
        fresh = await platform.model_deployments.get(p, d.name)
        assert (fresh.status, fresh.status_reason, fresh.gpu_replicas) == (Status.PENDING, reason, 0)
    finally:
        await res.delete(NAMESPACE, None, tenant_namespace(p.tenant_id))
