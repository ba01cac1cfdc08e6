"""The control plane from scripts/k8s-up.sh: fake GPU nodes that mirror the local simulator's inventory,
the PriorityClasses the provisioner uses, RBAC, and k8s-up.sh's pid bookkeeping."""

from __future__ import annotations

import os
from collections import Counter

import pytest
from kubernetes_asyncio import client

from icgpu.provisioning.local.inventory import parse_inventory
from icgpu.settings import Settings
from tests.k8s.control_plane import ControlPlane, wait_for

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

# The extended resource each tier's slots are advertised as (the GPU operator's names).
TIER_RESOURCE = {"dedicated": "nvidia.com/gpu", "mig": "nvidia.com/mig-1g.10gb", "timesliced": "nvidia.com/gpu.shared"}


def gpu_resources(node: client.V1Node) -> dict[str, int]:
    return {k: int(v) for k, v in (node.status.allocatable or {}).items() if k.startswith("nvidia.com/")}


async def test_fake_gpu_nodes_mirror_the_simulator_inventory(core: client.CoreV1Api) -> None:
    slots = parse_inventory(Settings().local_inventory)
    expected = Counter(TIER_RESOURCE[s.tier] for s in slots)

    nodes = (await core.list_node(label_selector="nvidia.com/gpu.present=true")).items
    by_tier = {n.metadata.labels["icgpu.dev/gpu-tier"]: n for n in nodes}
    assert sorted(by_tier) == sorted({s.tier for s in slots})
    total: Counter[str] = Counter()
    for tier, node in by_tier.items():
        resources = gpu_resources(node)
        assert list(resources) == [TIER_RESOURCE[tier]], (tier, resources)
        assert node.status.capacity[TIER_RESOURCE[tier]] == node.status.allocatable[TIER_RESOURCE[tier]]
        total.update(resources)
        # kwok plays the kubelet: the node is Ready, on the loopback address.
        ready = {c.type: c.status for c in node.status.conditions}
        assert ready["Ready"] == "True", node.status.conditions
        assert node.metadata.annotations["kwok.x-k8s.io/node"] == "fake"
        assert {a.type: a.address for a in node.status.addresses}["InternalIP"] == "127.0.0.1"
    assert dict(total) == dict(expected)


async def test_nodes_carry_the_gpu_operator_labels(core: client.CoreV1Api) -> None:
    slots = parse_inventory(Settings().local_inventory)
    gpus_per_tier = {tier: len({s.name.split("/")[0] for s in slots if s.tier == tier}) for tier in TIER_RESOURCE}
    nodes = {n.metadata.labels["icgpu.dev/gpu-tier"]: n.metadata.labels
             for n in (await core.list_node(label_selector="nvidia.com/gpu.present=true")).items}

    dedicated = nodes["dedicated"]
    assert dedicated["nvidia.com/gpu.product"] == "NVIDIA-H100-80GB-HBM3"
    assert dedicated["nvidia.com/gpu.count"] == str(gpus_per_tier["dedicated"])
    assert dedicated["nvidia.com/mig.strategy"] == "mixed"
    assert dedicated["nvidia.com/gpu.sharing-strategy"] == "none"

    mig = nodes["mig"]
    assert mig["nvidia.com/gpu.count"] == str(gpus_per_tier["mig"])
    assert mig["nvidia.com/mig.config"] == "all-1g.10gb"
    assert mig["nvidia.com/mig-1g.10gb.count"] == str(sum(s.tier == "mig" for s in slots))
    assert mig["nvidia.com/mig-1g.10gb.product"] == "NVIDIA-H100-80GB-HBM3-MIG-1g.10gb"

    shared = nodes["timesliced"]
    shares = sum(s.tier == "timesliced" for s in slots)
    assert shared["nvidia.com/gpu.product"] == "NVIDIA-H100-80GB-HBM3-SHARED"
    assert shared["nvidia.com/gpu.sharing-strategy"] == "time-slicing"
    assert shared["nvidia.com/gpu.replicas"] == str(shares // gpus_per_tier["timesliced"])


async def test_priority_classes_rank_interactive_above_batch(kube: client.ApiClient) -> None:
    scheduling = client.SchedulingV1Api(kube)
    classes = {pc.metadata.name: pc for pc in (await scheduling.list_priority_class()).items}
    interactive, batch = classes["icgpu-interactive"], classes["icgpu-batch"]
    assert interactive.value > batch.value
    assert interactive.preemption_policy == "PreemptLowerPriority"
    assert batch.preemption_policy == "Never"  # batch work waits; it never evicts anyone
    assert not interactive.global_default and not batch.global_default


async def test_rbac_is_enforced(kube: client.ApiClient, core: client.CoreV1Api, namespace: str) -> None:
    # A ServiceAccount's token (signed by the API server's service-account key) authenticates ...
    await core.create_namespaced_service_account(namespace, client.V1ServiceAccount(
        metadata=client.V1ObjectMeta(name="reader")))
    request = client.AuthenticationV1TokenRequest(spec=client.V1TokenRequestSpec(audiences=[], expiration_seconds=600))
    token = (await core.create_namespaced_service_account_token("reader", namespace, request)).status.token
    configuration = client.Configuration(host=kube.configuration.host, api_key={"BearerToken": token},
                                         api_key_prefix={"BearerToken": "Bearer"})
    configuration.ssl_ca_cert = kube.configuration.ssl_ca_cert
    async with client.ApiClient(configuration) as as_reader:
        reader = client.CoreV1Api(as_reader)
        # ... but, without a binding, RBAC refuses it.
        with pytest.raises(client.ApiException) as refused:
            await reader.list_namespaced_pod(namespace)
        assert refused.value.status == 403
        assert f"system:serviceaccount:{namespace}:reader" in str(refused.value.body), refused.value.body
        rbac = client.RbacAuthorizationV1Api(kube)
        await rbac.create_namespaced_role(namespace, client.V1Role(
            metadata=client.V1ObjectMeta(name="pod-reader"),
            rules=[client.V1PolicyRule(api_groups=[""], resources=["pods"], verbs=["list"])]))
        await rbac.create_namespaced_role_binding(namespace, client.V1RoleBinding(
            metadata=client.V1ObjectMeta(name="reader-reads-pods"),
            role_ref=client.V1RoleRef(api_group="rbac.authorization.k8s.io", kind="Role", name="pod-reader"),
            subjects=[client.RbacV1Subject(kind="ServiceAccount", name="reader", namespace=namespace)]))

        async def allowed() -> bool | None:
            try:
                await reader.list_namespaced_pod(namespace)
            except client.ApiException as err:
                assert err.status == 403, err
                return None
            return True

        await wait_for("the RoleBinding to take effect", allowed, within=30)
        # The binding is for pods in this namespace only.
        with pytest.raises(client.ApiException) as other:
            await reader.list_node()
        assert other.value.status == 403


def test_up_is_idempotent_and_records_its_pids(control_plane: ControlPlane) -> None:
    pids = control_plane.pids()
    assert sorted(pids) == sorted(["etcd", "kube-apiserver", "kube-scheduler", "kube-controller-manager", "kwok"])
    for name, pid in pids.items():
        cmdline = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
        assert os.path.basename(cmdline[0].decode()) == name, cmdline[:1]
        assert any(str(control_plane.state).encode() in arg for arg in cmdline), name
    # A second k8s-up.sh with the same state directory reuses the running control plane.
    again = ControlPlane(control_plane.state)
    again.start()
    assert again.kubeconfig == control_plane.kubeconfig
    assert control_plane.pids() == pids
    assert again.up_seconds < 30
