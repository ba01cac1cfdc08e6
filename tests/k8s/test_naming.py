"""The names the Kubernetes provisioner gives things (naming.py), that the test cluster's fake nodes
offer exactly the GPU resources the provisioner asks for (one definition for both), and that a kind
without a renderer is refused by name. No cluster needed."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from icgpu.provisioning.base import PRIORITY_BATCH, PRIORITY_INTERACTIVE, WorkloadKind
from icgpu.provisioning.kubernetes.naming import (
    BATCH_CLASS,
    INTERACTIVE_CLASS,
    PLATFORM_NAMESPACE,
    dns_label,
    gpu_resources,
    labels,
    namespace,
    object_name,
    priority_class,
)
from icgpu.provisioning.kubernetes.registry import RENDERERS, UnsupportedKind, renderer

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

ROOT = Path(__file__).resolve().parents[2]
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"


def test_namespaces_and_object_names_are_dns_labels() -> None:
    assert namespace("tnt-0abc") == "icgpu-tnt-0abc"
    assert namespace(None) == PLATFORM_NAMESPACE
    assert object_name("inst-x1y2") == "inst-x1y2"
    # Case alone is folded; anything else gets a hash, so different ids never share a name.
    assert object_name("INST-X") == "inst-x"
    assert object_name("dep.a_1") != object_name("dep-a-1") and object_name("dep.a_1").startswith("dep-a-1-")
    for text in ("a" * 100, "--x--", "Ünïcode.id", "slurm-abc.0"):
        name = dns_label(text)
        assert len(name) <= 63 and re.match(DNS_LABEL, name), (text, name)
    assert len(namespace("t" * 80)) <= 63


def test_every_object_carries_the_workload_labels() -> None:
    got = labels("inst-abc", WorkloadKind.INSTANCE, "tnt-1", "mig")
    assert got == {"app.kubernetes.io/managed-by": "icgpu", "icgpu.dev/workload": "inst-abc",
                   "icgpu.dev/kind": "instance", "icgpu.dev/tenant": "tnt-1", "icgpu.dev/gpu-tier": "mig"}
    assert labels("dep-1", WorkloadKind.MODEL_REPLICA, None, "dedicated")["icgpu.dev/tenant"] == "platform"


def test_priority_classes_by_workload_priority() -> None:
    assert priority_class(PRIORITY_INTERACTIVE) == INTERACTIVE_CLASS
    assert priority_class(PRIORITY_BATCH) == BATCH_CLASS


@pytest.mark.parametrize(("inventory", "mig"), [("dedicated=4,mig=2x7,timesliced=2x4", "nvidia.com/mig-1g.10gb"),
                                                ("dedicated=1,mig=1x3,timesliced=1x2", "nvidia.com/mig-2g.20gb")])
def test_the_fake_nodes_offer_what_the_provisioner_asks_for(inventory: str, mig: str) -> None:
    sys.path.insert(0, str(ROOT / "scripts/k8s"))
    try:
        from objects import gpu_nodes  # scripts/k8s/objects.py, as k8s-up.sh runs it
    finally:
        sys.path.remove(str(ROOT / "scripts/k8s"))
    wanted = gpu_resources(inventory)
    assert wanted == {"dedicated": "nvidia.com/gpu", "mig": mig, "timesliced": "nvidia.com/gpu.shared"}
    for node in gpu_nodes(inventory):
        tier = node["metadata"]["labels"]["icgpu.dev/gpu-tier"]
        offered = {r for r in node["status"]["allocatable"] if r.startswith("nvidia.com/")}
        assert offered == {wanted[tier]}, (tier, offered)


def test_a_kind_without_a_renderer_is_refused_by_name() -> None:
    assert renderer(WorkloadKind.INSTANCE) is RENDERERS[WorkloadKind.INSTANCE]
    assert renderer("instance").kind is WorkloadKind.INSTANCE
    with pytest.raises(UnsupportedKind, match="no renderer for workload kind 'teleporter'"):
        renderer("teleporter")
