"""Every object every kind of workload becomes is accepted by the real API server, and the validation
is real: server-side apply with dry run (``dryRun=All``, strict field validation) of each rendered
object, checked to come back with every field it was sent (nothing pruned as unknown); objects the
schemas must refuse are refused; and the CRD-backed kinds read their phase from the status their
controller would write (the test plays virt-controller and KubeAI by patching the status
subresource), the Job- and pod-backed ones from what kube-controller-manager, kube-scheduler and kwok
really do."""

from __future__ import annotations

import base64
import contextlib
import copy
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from kubernetes_asyncio import client

from icgpu.db.tables_disks import VmDisk
from icgpu.db.tables_vms import FirewallRule, VmNetwork
from icgpu.provisioning.base import PRIORITY_BATCH, PRIORITY_INTERACTIVE, Observation, Phase, WorkloadKind, WorkloadSpec
from icgpu.provisioning.details import (
    SLURM_NODE_IMAGE,
    FunctionRunDetails,
    ModelReplicaDetails,
    SlurmNodeDetails,
    VmDetails,
    WorkloadRefused,
)
from icgpu.provisioning.kubernetes import naming
from icgpu.provisioning.kubernetes.disks import PERSISTENT_VOLUME_CLAIM, disk_claim
from icgpu.provisioning.kubernetes.function_run import COMPLETED, JOB
from icgpu.provisioning.kubernetes.kinds import KindRenderer, Manifest, ObjectType, RenderContext
from icgpu.provisioning.kubernetes.model_replica import MODEL
from icgpu.provisioning.kubernetes.network_policy import member_label, network_policy
from icgpu.provisioning.kubernetes.provisioner import KubernetesProvisioner
from icgpu.provisioning.kubernetes.registry import RENDERERS
from icgpu.provisioning.kubernetes.resources import Resources, api_message, collection_path, object_path, type_of
from icgpu.provisioning.kubernetes.slurm import STATEFUL_SET, SlurmNodeRenderer
from icgpu.provisioning.kubernetes.vm import BOOT_IMAGES, VIRTUAL_MACHINE
from icgpu.settings import Settings
from tests.k8s.control_plane import ControlPlane, wait_for
from tests.server.test_model_scaling import deploy, local_platform, owner, until

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

TENANT = "tn-k2test000001"
KEYS = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOk2dryrunkey k2@test\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ k2@other\n"
GPU_RESOURCES = naming.gpu_resources(Settings().local_inventory)

NETWORKS = ("net-k4dryrun0001", "net-k4dryrun0002")
VM = VmDetails(cpu=12, memory_gb=48, template_id="tpl-ubuntu-gpu", os="ubuntu-22.04", network_ids=NETWORKS)
RUN = FunctionRunDetails(image="registry.example.com/team/embed:v3", command=("python", "-m", "embed", "--fast"),
                         timeout_seconds=120, env=(("BATCH", "16"), ("MODE", "prod")))
REPLICA = ModelReplicaDetails(model="Qwen/Qwen2.5-0.5B-Instruct", engine="vllm", kind="chat")
SLURM_IMAGE = "registry.example.com/hpc/slurm:24.05.3"

# One workload of every kind, as the workers ask for them (ids as services/ make them, details as the
# workers fill them in).
SPECS = {
    "instance": WorkloadSpec("inst-k2dryrun0001", "dedicated", PRIORITY_BATCH, 20, KEYS, WorkloadKind.INSTANCE, TENANT),
    "vm": WorkloadSpec("vm-k2dryrun00001", "dedicated", PRIORITY_INTERACTIVE, 50, KEYS, WorkloadKind.VM, TENANT,
                       details=VM),
    "slurm-head": WorkloadSpec("slurm-k2dryrun0001.0", "timesliced", PRIORITY_INTERACTIVE, 0, "",
                               WorkloadKind.SLURM_NODE, TENANT, details=SlurmNodeDetails("slurm-k2dryrun0001", 0)),
    "slurm-worker": WorkloadSpec("slurm-k2dryrun0001.1", "timesliced", PRIORITY_INTERACTIVE, 0, "",
                                 WorkloadKind.SLURM_NODE, TENANT,
                                 details=SlurmNodeDetails("slurm-k2dryrun0001", 1, image=SLURM_IMAGE)),
    "function-run": WorkloadSpec("run-k2dryrun00001", "mig", PRIORITY_INTERACTIVE, 0, "",
                                 WorkloadKind.FUNCTION_RUN, TENANT, details=RUN),
    "model-replica": WorkloadSpec("mdl-k2dryrun0001.r0-1a2b3c4d", "timesliced", PRIORITY_INTERACTIVE, 0, "",
                                  WorkloadKind.MODEL_REPLICA, None, details=REPLICA),
}


def context(spec: WorkloadSpec, namespace: str) -> RenderContext:
    """The context the provisioner gives a workload, in the test's namespace."""
    return RenderContext(namespace=namespace, name=naming.object_name(spec.instance_id),
                         labels=naming.labels(spec.instance_id, spec.kind, spec.tenant_id, spec.tier),
                         gpu_resource=GPU_RESOURCES[spec.tier], priority_class=naming.priority_class(spec.priority))


def render(case: str, namespace: str) -> tuple[KindRenderer, RenderContext, list[Manifest]]:
    spec = SPECS[case]
    kind = RENDERERS[spec.kind]  # the provisioner's own renderers
    ctx = context(spec, namespace)
    return kind, ctx, kind.render(spec, ctx)


class Api(Resources):
    """The provisioner's calls, plus strict field validation (an unknown field is an error, not pruned
    silently) and the status subresource, as a controller writes it."""

    async def apply_strict(self, manifest: Manifest, *, dry_run: bool) -> Manifest:
        query = {"fieldManager": naming.MANAGER, "force": "true", "fieldValidation": "Strict"}
        if dry_run:
            query["dryRun"] = "All"
        return await self._call("PATCH", object_path(type_of(manifest), manifest["metadata"]["namespace"],
                                                     manifest["metadata"]["name"]),
                                query=query, body=manifest, content_type="application/apply-patch+yaml")

    async def create(self, manifest: Manifest) -> Manifest:
        """A dry-run create (POST): the path where the schema's type errors are 422s (server-side apply
        refuses them earlier, building its typed patch, with a 500)."""
        return await self._call("POST", collection_path(type_of(manifest), manifest["metadata"]["namespace"]),
                                query={"dryRun": "All", "fieldValidation": "Strict"}, body=manifest)

    async def patch_status(self, type_: ObjectType, namespace: str, name: str, status: Manifest) -> Manifest:
        return await self._call("PATCH", object_path(type_, namespace, name) + "/status",
                                body={"status": status}, content_type="application/merge-patch+json")

    async def delete_all(self, type_: ObjectType, namespace: str) -> None:
        await self._call("DELETE", collection_path(type_, namespace))


@pytest.fixture
def api(kube: client.ApiClient) -> Api:
    return Api(kube)


@pytest.fixture
async def ns(namespace: str, core: client.CoreV1Api, api: Api) -> AsyncIterator[str]:
    """The test's namespace once pods can be admitted there (its ``default`` ServiceAccount exists);
    at the end the controllers' objects go first, so no StatefulSet or Job recreates a pod while the
    namespace fixture waits for its pods to be gone."""

    async def service_account() -> bool | None:
        try:
            await core.read_namespaced_service_account("default", namespace)
        except client.ApiException as err:
            if err.status == 404:
                return None
            raise
        return True

    await wait_for(f"the default ServiceAccount of {namespace}", service_account, within=30)
    try:
        yield namespace
    finally:
        for type_ in (STATEFUL_SET, JOB):
            await api.delete_all(type_, namespace)


def assert_kept(sent: Any, stored: Any, path: str = "") -> None:
    """Every field sent is in the stored object with the same value (the API server pruned nothing and
    changed nothing; it may add defaults). A Secret's ``stringData`` is write-only: it lands in ``data``."""
    if isinstance(sent, dict):
        assert isinstance(stored, dict), f"{path}: sent an object, stored {stored!r}"
        for key, value in sent.items():
            if key == "stringData":
                continue
            assert key in stored, f"{path}.{key} was dropped by the API server"
            assert_kept(value, stored[key], f"{path}.{key}")
    elif isinstance(sent, list):
        assert isinstance(stored, list) and len(stored) == len(sent), f"{path}: {sent!r} stored as {stored!r}"
        for i, (a, b) in enumerate(zip(sent, stored, strict=True)):
            assert_kept(a, b, f"{path}[{i}]")
    else:
        assert sent == stored, f"{path}: sent {sent!r}, stored {stored!r}"


async def refused(call: Awaitable[Any], status: int = 422) -> str:
    """The API server's message for a call it must refuse with `status`."""
    with pytest.raises(client.ApiException) as caught:
        await call
    assert caught.value.status == status, caught.value.body
    return api_message(caught.value)


# -- every kind's objects pass the API server's validation -------------------------------------------


@pytest.mark.parametrize("case", list(SPECS))
async def test_every_object_of_every_kind_passes_server_side_dry_run(api: Api, ns: str, case: str) -> None:
    kind, ctx, manifests = render(case, ns)
    assert manifests, f"{case} renders nothing"
    if case != "slurm-head":  # the head's status object is its StatefulSet's pod (SlurmNodeRenderer.status_name)
        rendered = [(m["kind"], m["metadata"]["name"]) for m in manifests]
        assert (kind.status_type.kind, ctx.name) in rendered, f"{case}: no status object among {rendered}"
    for manifest in manifests:
        assert manifest["metadata"]["namespace"] == ns
        assert manifest["metadata"]["labels"].items() >= ctx.labels.items(), manifest["metadata"]
        stored = await api.apply_strict(manifest, dry_run=True)
        assert_kept(manifest, stored, f"{manifest['kind']}/{manifest['metadata']['name']}")
    # A dry run stores nothing.
    for manifest in manifests:
        assert await api.get(type_of(manifest), ns, manifest["metadata"]["name"]) is None


def container_of(manifest: Manifest) -> Manifest:
    """The one container of a Pod, or of a Job's or StatefulSet's pod template."""
    spec = manifest["spec"] if manifest["kind"] == "Pod" else manifest["spec"]["template"]["spec"]
    [container] = spec["containers"]
    return dict(container)


def test_the_rendered_objects_carry_what_the_workloads_details_say() -> None:
    """No placeholders: each kind's objects carry the VM's size, image and networks, the function's image,
    command, env and timeout, the deployment's model and engine, and the Slurm nodes' image."""
    vm = next(m for m in render("vm", "ns")[2] if m["kind"] == "VirtualMachine")
    template = vm["spec"]["template"]
    domain = template["spec"]["domain"]
    assert (domain["cpu"], domain["memory"]) == ({"cores": 12}, {"guest": "48Gi"})
    assert template["spec"]["volumes"][0] == {"name": "bootdisk",
                                              "containerDisk": {"image": BOOT_IMAGES["ubuntu-22.04"]}}
    assert vm["metadata"]["labels"]["icgpu.dev/vm-template"] == "tpl-ubuntu-gpu"
    # The networks' NetworkPolicies select the VM's pod by these labels.
    assert all(template["metadata"]["labels"][member_label(n)] == "attached" for n in NETWORKS)
    selector = network_policy(VmNetwork(id=NETWORKS[0], name="n"), [], "ns", {}).manifest["spec"]["podSelector"]
    assert selector["matchLabels"].items() <= template["metadata"]["labels"].items()

    job = render("function-run", "ns")[2][0]
    container = container_of(job)
    assert job["spec"]["activeDeadlineSeconds"] == 120
    assert (container["image"], container["command"]) == (RUN.image, ["python", "-m", "embed", "--fast"])
    assert container["env"] == [{"name": "BATCH", "value": "16"}, {"name": "MODE", "value": "prod"}]

    model = render("model-replica", "ns")[2][0]["spec"]
    assert (model["url"], model["engine"], model["features"]) == (
        "hf://Qwen/Qwen2.5-0.5B-Instruct", "VLLM", ["TextGeneration"])
    embedding = replace(SPECS["model-replica"], details=ModelReplicaDetails("BAAI/bge-small-en-v1.5", "ollama",
                                                                            "embedding"))
    model = RENDERERS[WorkloadKind.MODEL_REPLICA].render(embedding, context(embedding, "ns"))[0]["spec"]
    assert (model["url"], model["engine"], model["features"]) == (
        "ollama://hf.co/BAAI/bge-small-en-v1.5", "OLlama", ["TextEmbedding"])  # tests/k8s/test_model_urls.py
    assert model["resourceProfile"] == "nvidia-gpu-timesliced:1"

    head = next(m for m in render("slurm-head", "ns")[2] if m["kind"] == "StatefulSet")
    assert container_of(head)["image"] == SLURM_NODE_IMAGE  # the platform's node image by default
    assert container_of(render("slurm-worker", "ns")[2][0])["image"] == SLURM_IMAGE


@pytest.mark.parametrize(("case", "wrong", "expected"), [
    ("vm", None, "carries no VmDetails (got none)"),
    ("function-run", None, "carries no FunctionRunDetails (got none)"),
    ("model-replica", None, "carries no ModelReplicaDetails (got none)"),
    ("slurm-head", None, "carries no SlurmNodeDetails (got none)"),
    ("function-run", VM, "carries no FunctionRunDetails (got VmDetails)"),  # another kind's are no better
    ("slurm-worker", SlurmNodeDetails("slurm-k2dryrun0001", 2), "carries the details of node 2"),  # another node's
])
def test_a_workload_without_its_details_is_refused_by_name(case: str, wrong: Any, expected: str) -> None:
    """A spec a worker built without the kind's details is an error naming the workload, never a
    placeholder object."""
    spec = replace(SPECS[case], details=wrong)
    with pytest.raises(WorkloadRefused) as caught:
        RENDERERS[spec.kind].render(spec, context(spec, "ns"))
    assert spec.instance_id in str(caught.value) and expected in str(caught.value), caught.value


@pytest.mark.parametrize(("case", "details", "expected"), [
    ("model-replica", ModelReplicaDetails("Qwen/Qwen2.5-0.5B-Instruct", "sglang"),
     "KubeAI, which has no engine for 'sglang'"),
    ("model-replica", ModelReplicaDetails("Qwen/Qwen2.5-0.5B-Instruct", "vllm", "rerank"), "no KubeAI feature"),
    ("vm", replace(VM, os="windows-2022"), "no boot image for a VM of OS 'windows-2022'"),
])
def test_what_kubernetes_cannot_run_is_refused_with_the_reason(case: str, details: Any, expected: str) -> None:
    spec = replace(SPECS[case], details=details)
    with pytest.raises(WorkloadRefused, match=expected):
        RENDERERS[spec.kind].render(spec, context(spec, "ns"))


async def test_vm_networks_firewall_rules_and_disks_pass_server_side_dry_run(api: Api, ns: str) -> None:
    net = VmNetwork(id="net-k2dryrun0001", name="training")
    rules = [
        FirewallRule(id="fw-ssh", network_id=net.id, direction="ingress", protocol="tcp", port_range="22",
                     source="0.0.0.0/0", action="allow"),
        FirewallRule(id="fw-noisy", network_id=net.id, direction="ingress", protocol="all", port_range=None,
                     source="203.0.113.0/24", action="deny"),
        FirewallRule(id="fw-web", network_id=net.id, direction="egress", protocol="tcp", port_range="8000-8100",
                     source="10.100.0.0/16", action="allow"),
        FirewallRule(id="fw-dns", network_id=net.id, direction="egress", protocol="udp", port_range="53",
                     source="10.0.0.10/32", action="allow"),
        FirewallRule(id="fw-ping", network_id=net.id, direction="ingress", protocol="icmp", port_range=None,
                     source="0.0.0.0/0", action="allow"),
    ]
    rendered = network_policy(net, rules, ns, {naming.MANAGED_BY: naming.MANAGER})
    stored = await api.apply_strict(rendered.manifest, dry_run=True)
    assert_kept(rendered.manifest, stored)
    ingress = stored["spec"]["ingress"]
    # Members of the network, then SSH from anywhere but the denied range; ICMP cannot be said.
    assert ingress[1] == {"from": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["203.0.113.0/24"]}}],
                          "ports": [{"protocol": "TCP", "port": 22}]}
    assert stored["spec"]["egress"][1]["ports"] == [{"protocol": "TCP", "port": 8000, "endPort": 8100}]
    assert [rule for rule, _ in rendered.unenforced] == ["fw-ping"]

    disk = VmDisk(id="disk-k2dryrun0001", name="data", size_gb=500)
    claim = disk_claim(disk, ns, {naming.MANAGED_BY: naming.MANAGER})
    stored = await api.apply_strict(claim, dry_run=True)
    assert stored["spec"]["resources"]["requests"]["storage"] == "500Gi"


def rule(rule_id: str, action: str, protocol: str, ports: str | None, source: str,
         direction: str = "ingress") -> FirewallRule:
    return FirewallRule(id=rule_id, network_id="net-k2", direction=direction, protocol=protocol,
                        port_range=ports, source=source, action=action)


@pytest.mark.parametrize(("rules", "peers", "unenforced"), [
    # A deny covering the allow's block and traffic removes it: deny wins.
    ([rule("a", "allow", "tcp", "22", "10.0.0.0/8"), rule("d", "deny", "all", None, "0.0.0.0/0")], [], []),
    # A deny of part of the allow's ports cannot be said: the allow stays whole, the deny is reported.
    ([rule("a", "allow", "tcp", "20-30", "10.0.0.0/8"), rule("d", "deny", "tcp", "22", "10.1.0.0/16")],
     [({"ipBlock": {"cidr": "10.0.0.0/8"}}, [{"protocol": "TCP", "port": 20, "endPort": 30}])], ["d"]),
    # A deny of other traffic, or of the other address family, changes nothing.
    ([rule("a", "allow", "tcp", "22", "10.0.0.0/8"), rule("d", "deny", "udp", "22", "10.1.0.0/16"),
      rule("d6", "deny", "all", None, "fd00::/8")],
     [({"ipBlock": {"cidr": "10.0.0.0/8"}}, [{"protocol": "TCP", "port": 22}])], []),
    # Protocol all is every port of every protocol; a deny of all traffic inside it is carved out.
    ([rule("a", "allow", "all", None, "10.0.0.0/8"), rule("d", "deny", "all", None, "10.9.0.0/16")],
     [({"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.9.0.0/16"]}}, None)], []),
    # An egress deny does not touch ingress.
    ([rule("a", "allow", "tcp", "22", "0.0.0.0/0"), rule("d", "deny", "all", None, "0.0.0.0/0", "egress")],
     [({"ipBlock": {"cidr": "0.0.0.0/0"}}, [{"protocol": "TCP", "port": 22}])], []),
])
def test_firewall_rules_become_network_policy_peers(rules: list[FirewallRule],
                                                     peers: list[tuple[Manifest, list[Manifest] | None]],
                                                     unenforced: list[str]) -> None:
    rendered = network_policy(VmNetwork(id="net-k2", name="n"), rules, "ns", {})
    ingress = rendered.manifest["spec"]["ingress"]
    assert ingress[0] == {"from": [{"podSelector": {"matchLabels": {"net.icgpu.dev/net-k2": "attached"}}}]}
    assert [(e["from"][0], e.get("ports")) for e in ingress[1:]] == peers
    assert [rule_id for rule_id, _ in rendered.unenforced] == unenforced


# -- the validation is real: what the schemas forbid is refused ----------------------------------------


def vm_manifest(ns: str) -> Manifest:
    return next(m for m in render("vm", ns)[2] if m["kind"] == "VirtualMachine")


def model_manifest(ns: str) -> Manifest:
    return render("model-replica", ns)[2][0]


async def test_the_virtual_machine_crd_refuses_a_wrong_type_and_a_missing_field(api: Api, ns: str) -> None:
    wrong = vm_manifest(ns)
    wrong["spec"]["template"]["spec"]["domain"]["cpu"]["cores"] = "four"
    message = await refused(api.create(wrong))
    assert "spec.template.spec.domain.cpu.cores" in message and "integer" in message, message
    # Server-side apply, as the provisioner sends it, is refused too (before validation, as a 500).
    message = await refused(api.apply_strict(wrong, dry_run=True), status=500)
    assert ".spec.template.spec.domain.cpu.cores: expected numeric" in message, message

    no_device = vm_manifest(ns)
    del no_device["spec"]["template"]["spec"]["domain"]["devices"]["gpus"][0]["deviceName"]
    message = await refused(api.create(no_device))
    assert "deviceName" in message and "Required" in message, message


async def test_the_virtual_machine_crd_refuses_an_unknown_field(api: Api, ns: str) -> None:
    """Structural schema: a misspelt field is not silently pruned (strict field validation refuses it)."""
    typo = vm_manifest(ns)
    typo["spec"]["template"]["spec"]["domain"]["devices"]["gpu"] = typo["spec"]["template"]["spec"]["domain"][
        "devices"].pop("gpus")
    message = await refused(api.create(typo), status=400)
    assert "unknown field" in message and "gpu" in message, message


@pytest.mark.parametrize(("change", "expected"), [
    (lambda m: m["spec"].update(engine="SGLang"), "Unsupported value"),
    (lambda m: m["spec"].update(url="https://huggingface.co/org/model"), "url must start with"),
    (lambda m: m["spec"].update(minReplicas=2), "minReplicas should be less than or equal to maxReplicas"),
    (lambda m: m["metadata"].update(name="m" * 41), "name must not exceed 40 characters"),
    (lambda m: m["spec"].pop("features"), "features"),
])
async def test_the_model_crd_refuses_what_kubeai_refuses(api: Api, ns: str, change: Callable[[Manifest], Any],
                                                         expected: str) -> None:
    model = model_manifest(ns)
    change(model)
    message = await refused(api.create(model))
    assert expected in message, message


async def test_a_job_without_containers_and_a_gpu_request_without_limit_are_refused(api: Api, ns: str) -> None:
    job = render("function-run", ns)[2][0]
    no_containers = copy.deepcopy(job)
    no_containers["spec"]["template"]["spec"]["containers"] = []
    message = await refused(api.create(no_containers))
    assert "spec.template.spec.containers" in message and "Required" in message, message

    unlimited = copy.deepcopy(job)
    unlimited["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"] = {}
    message = await refused(api.create(unlimited))
    assert "Limit must be set" in message, message


async def test_a_network_policy_carving_outside_its_block_is_refused(api: Api, ns: str) -> None:
    net = VmNetwork(id="net-k2dryrun0002", name="x")
    allow = FirewallRule(id="fw-a", network_id=net.id, direction="ingress", protocol="tcp", port_range="22",
                         source="10.0.0.0/8", action="allow")
    policy = network_policy(net, [allow], ns, {}).manifest
    policy["spec"]["ingress"][1]["from"][0]["ipBlock"]["except"] = ["192.168.0.0/16"]
    message = await refused(api.create(policy))
    assert "except" in message, message


# -- phases: the CRD-backed kinds from the status their controller writes ------------------------------


async def observe_after(api: Api, kind: KindRenderer, ctx: RenderContext, type_: ObjectType,
                        status: Manifest | None) -> Observation:
    """Write `status` as the kind's controller would (None: leave it unset), read back, observe."""
    if status is not None:
        await api.patch_status(type_, ctx.namespace, ctx.name, status)
    return kind.observe(await api.get(type_, ctx.namespace, ctx.name), ctx)


async def test_a_virtual_machine_reports_what_virt_controller_writes(api: Api, ns: str) -> None:
    kind, ctx, _ = render("vm", ns)
    await api.apply_strict(vm_manifest(ns), dry_run=False)
    assert (await observe_after(api, kind, ctx, VIRTUAL_MACHINE, None)).phase is Phase.STARTING

    unschedulable = {"printableStatus": "ErrorUnschedulable", "ready": False, "conditions": [
        {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
         "message": "0/3 nodes are available: 1 Insufficient nvidia.com/gpu."}]}
    obs = await observe_after(api, kind, ctx, VIRTUAL_MACHINE, unschedulable)
    assert obs.phase is Phase.UNSCHEDULABLE and "Insufficient nvidia.com/gpu" in (obs.reason or ""), obs

    obs = await observe_after(api, kind, ctx, VIRTUAL_MACHINE, {"printableStatus": "Starting", "conditions": []})
    assert obs.phase is Phase.STARTING, obs

    obs = await observe_after(api, kind, ctx, VIRTUAL_MACHINE, {"printableStatus": "Running", "ready": True})
    assert obs == Observation(Phase.RUNNING, host=f"{ctx.name}.{ns}.svc", port=22)

    crashing = {"printableStatus": "CrashLoopBackOff", "ready": False, "conditions": [
        {"type": "Failure", "status": "True", "reason": "FailedCreate", "message": "virt-launcher exited"}]}
    obs = await observe_after(api, kind, ctx, VIRTUAL_MACHINE, crashing)
    assert obs.phase is Phase.FAILED and "virt-launcher exited" in (obs.reason or ""), obs

    obs = await observe_after(api, kind, ctx, VIRTUAL_MACHINE, {"printableStatus": "Stopping", "conditions": []})
    assert obs.phase is Phase.TERMINATING

    # The status schema is enforced too: virt-controller could not write a string where a boolean goes.
    message = await refused(api.patch_status(VIRTUAL_MACHINE, ns, ctx.name, {"ready": "yes"}))
    assert "status.ready" in message, message


async def test_a_model_reports_its_replicas_as_kubeai_writes_them(api: Api, ns: str) -> None:
    kind, ctx, manifests = render("model-replica", ns)
    stored = await api.apply_strict(manifests[0], dry_run=False)
    assert stored["spec"]["targetRequests"] == 100  # the CRD's defaults apply, as KubeAI's do
    assert (await observe_after(api, kind, ctx, MODEL, None)).phase is Phase.STARTING
    obs = await observe_after(api, kind, ctx, MODEL, {"replicas": {"all": 1, "ready": 0}})
    assert obs.phase is Phase.STARTING and "none ready" in (obs.reason or ""), obs
    obs = await observe_after(api, kind, ctx, MODEL, {"replicas": {"all": 1, "ready": 1}})
    assert obs.phase is Phase.RUNNING
    message = await refused(api.patch_status(MODEL, ns, ctx.name, {"replicas": {"all": "one", "ready": 0}}))
    assert "status.replicas.all" in message, message


# -- phases: the Job- and pod-backed kinds from what the cluster really does ---------------------------


async def observed(api: Api, kind: KindRenderer, ctx: RenderContext, name: str, what: str,
                   done: Callable[[Observation], bool], within: float = 60) -> Observation:
    async def probe() -> Observation | None:
        obs = kind.observe(await api.get(kind.status_type, ctx.namespace, name), ctx)
        return obs if done(obs) else None

    return await wait_for(what, probe, within=within)


async def test_a_function_run_job_completes_and_one_past_its_deadline_fails(api: Api, ns: str) -> None:
    kind, ctx, manifests = render("function-run", ns)
    job = manifests[0]
    assert job["spec"]["backoffLimit"] == 0 and job["spec"]["activeDeadlineSeconds"] == RUN.timeout_seconds
    await api.apply_strict(job, dry_run=False)
    # kube-controller-manager makes the pod, kube-scheduler binds it to the MIG node, kwok completes it.
    obs = await observed(api, kind, ctx, ctx.name, "the run's Job to complete", lambda o: o.reason == COMPLETED)
    assert obs.phase is Phase.SUCCEEDED

    # A run whose GPU never comes (no node offers the resource) fails at its deadline.
    late = replace(SPECS["function-run"], details=replace(RUN, timeout_seconds=2))
    late_ctx = replace(ctx, name=ctx.name + "-late", gpu_resource="nvidia.com/mig-7g.80gb",
                       labels={**ctx.labels, naming.WORKLOAD_LABEL: ctx.name + "-late"})
    await api.apply_strict(kind.render(late, late_ctx)[0], dry_run=False)
    obs = await observed(api, kind, late_ctx, late_ctx.name, "the late run to fail",
                         lambda o: o.phase is Phase.FAILED)
    assert "DeadlineExceeded" in (obs.reason or ""), obs


async def test_slurm_head_and_worker_are_scheduled_and_run(api: Api, ns: str) -> None:
    head_kind, head_ctx, head = render("slurm-head", ns)
    worker_kind, worker_ctx, worker = render("slurm-worker", ns)
    assert [m["kind"] for m in head] == ["Service", "StatefulSet"] and [m["kind"] for m in worker] == ["Pod"]
    for manifest in head + worker:
        await api.apply_strict(manifest, dry_run=False)
    slurm = SlurmNodeRenderer()
    head_pod = slurm.status_name(SPECS["slurm-head"].instance_id, head_ctx)
    assert head_pod == f"{head_ctx.name}-0"
    obs = await observed(api, head_kind, head_ctx, head_pod, "the head's pod to run",
                         lambda o: o.phase is Phase.RUNNING)
    environment = SPECS["slurm-head"].instance_id.split(".")[0]
    assert obs.host == f"{head_pod}.{environment}.{ns}.svc" and obs.port == 22, obs
    assert obs.slot == "icgpu-gpu-timesliced"
    obs = await observed(api, worker_kind, worker_ctx, worker_ctx.name, "the worker to run",
                         lambda o: o.phase is Phase.RUNNING)
    assert obs.host is None and obs.slot == "icgpu-gpu-timesliced"
    # The head's StatefulSet pod carries the workload's labels: found by them, as by name.
    pods = await api.list(type_of(worker[0]), ns, label_selector=f"{naming.WORKLOAD_LABEL}={head_ctx.name}")
    assert [p["metadata"]["name"] for p in pods["items"]] == [head_pod]


async def test_a_slurm_worker_waits_for_a_gpu_with_the_schedulers_reason(api: Api, ns: str) -> None:
    kind, ctx, _ = render("slurm-worker", ns)
    starved = replace(ctx, gpu_resource="nvidia.com/mig-7g.80gb")
    await api.apply_strict(kind.render(SPECS["slurm-worker"], starved)[0], dry_run=False)
    obs = await observed(api, kind, starved, ctx.name, "the worker to be unschedulable",
                         lambda o: o.phase is Phase.UNSCHEDULABLE and "Insufficient" in (o.reason or ""))
    assert "nvidia.com/mig-7g.80gb" in (obs.reason or ""), obs


# -- the provisioner runs every kind through the registry ----------------------------------------------




async def test_the_provisioner_runs_vms_models_function_runs_and_slurm_workers(
        provisioner: KubernetesProvisioner, api: Api, core: client.CoreV1Api) -> None:
    """Through KubernetesProvisioner, as the workers call it: each kind's objects are applied, the phase
    follows what the cluster (or the controller played here) reports, and stopping removes them all."""
    tenant = f"tn-k2{uuid.uuid4().hex[:10]}"
    specs = {case: replace(SPECS[case], tenant_id=tenant)
             for case in ("vm", "model-replica", "function-run", "slurm-worker")}
    ns = naming.namespace(tenant)
    names = {case: naming.object_name(spec.instance_id) for case, spec in specs.items()}
    wanted = {"vm": Phase.RUNNING, "model-replica": Phase.RUNNING, "slurm-worker": Phase.RUNNING,
              "function-run": Phase.SUCCEEDED}
    try:
        async def controllers_played() -> bool | None:
            """Apply (a reconciler pass), then play virt-controller and KubeAI once their objects exist."""
            for spec in specs.values():
                await provisioner.ensure_running(spec, replace_failed=False)
            try:
                await api.patch_status(VIRTUAL_MACHINE, ns, names["vm"], {"printableStatus": "Running", "ready": True})
                await api.patch_status(MODEL, ns, names["model-replica"], {"replicas": {"all": 1, "ready": 1}})
            except client.ApiException as err:
                if err.status == 404:
                    return None
                raise
            return True

        await wait_for("the VM and the Model to be applied", controllers_played, within=60)

        async def phases() -> dict[str, Observation] | None:
            for spec in specs.values():
                await provisioner.ensure_running(spec, replace_failed=False)
            seen = await provisioner.observe([s.instance_id for s in specs.values()])
            got = {case: seen[spec.instance_id] for case, spec in specs.items()}
            return got if all(got[c].phase is p for c, p in wanted.items()) else None

        got = await wait_for(f"the phases {wanted}", phases, within=60)
        assert got["function-run"].reason == COMPLETED
        assert got["vm"].host == f"{names['vm']}.{ns}.svc"
        # The VM's disk and cloud-init were applied beside it, owned by the workload's record.
        assert await api.get(PERSISTENT_VOLUME_CLAIM, ns, f"{names['vm']}-disk") is not None
        secret = await core.read_namespaced_secret(f"{names['vm']}-cloud-init", ns)
        assert "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOk2dryrunkey" in base64.b64decode(secret.data["userdata"]).decode()

        for spec in specs.values():
            await provisioner.ensure_stopped(spec.instance_id)

        async def all_gone() -> bool | None:
            seen = await provisioner.observe([s.instance_id for s in specs.values()])
            return True if all(o.phase is Phase.ABSENT for o in seen.values()) else None

        await wait_for("every workload to be gone", all_gone, within=90)
        for type_ in (VIRTUAL_MACHINE, MODEL, JOB, PERSISTENT_VOLUME_CLAIM):
            assert not (await api.list(type_, ns)).get("items"), f"{type_.kind} left in {ns}"
    finally:
        with contextlib.suppress(client.ApiException):
            await core.delete_namespace(ns)


async def test_the_provisioner_refuses_an_sglang_replica_before_applying_anything(
        provisioner: KubernetesProvisioner, api: Api) -> None:
    """The refusal comes out of ensure_running (the model scaler writes it in the deployment's status:
    next test) and nothing of the workload reaches the cluster."""
    tenant = f"tn-k4{uuid.uuid4().hex[:10]}"
    spec = replace(SPECS["model-replica"], tenant_id=tenant,
                   details=ModelReplicaDetails("Qwen/Qwen2.5-0.5B-Instruct", "sglang"))
    with pytest.raises(WorkloadRefused, match="no engine for 'sglang'"):
        await provisioner.ensure_running(spec, replace_failed=True)
    assert (await provisioner.observe([spec.instance_id]))[spec.instance_id].phase is Phase.ABSENT
    assert await api.get(MODEL, naming.namespace(tenant), naming.object_name(spec.instance_id)) is None


async def test_an_sglang_deployment_says_in_its_status_why_kubernetes_does_not_serve_it(
        control_plane: ControlPlane, tmp_path: Path) -> None:
    """The platform on the Kubernetes provisioner, its workers running: an sglang deployment wanting a
    replica stays unserved, and its status says why (no KubeAI engine), instead of running the wrong engine."""
    async with local_platform(tmp_path, provisioner="kubernetes", kubeconfig=control_plane.kubeconfig) as platform:
        p = await owner(platform)
        d = await deploy(platform, p, engine="sglang", min_replicas=1, model="Qwen/Qwen2.5-0.5B-Instruct")

        async def explained() -> str | None:
            reason = (await platform.model_deployments.get(p, d.name)).status_reason or ""
            return reason if "no engine for 'sglang'" in reason else None

        reason = await until(explained, "the deployment's status to say why it is not served", within=60)
        assert reason.startswith("cannot be served here: the Kubernetes provisioner serves models with KubeAI")
        fresh = await platform.model_deployments.get(p, d.name)
        assert fresh.ready_replicas == 0
