"""The Kubernetes provisioner: the Provisioner protocol (provisioning/base.py) on a real cluster.

Kind-agnostic: each workload is the objects its kind's renderer makes (registry.py), server-side
applied with the field manager ``icgpu`` in the tenant's namespace (naming.py), plus one object of
its own, the workload's **record**: a ConfigMap named like the workload that

- owns every other object of the workload (ownerReferences with blockOwnerDeletion), so stopping
  is one foreground delete of the record: the garbage collector deletes the pod, PVC, Service and
  Secret first, and the record goes last (TERMINATING until then, then ABSENT);
  a VM is halted instead when stopped (``halt``, base.VmHalting): its VirtualMachine's runStrategy
  Halted, everything kept, its record's digest cleared so a start applies it all again;
- lists the workloads (``workloads()``), whatever their kind, and says how to observe them (kind,
  tier, priority);
- keeps, in annotations, what must outlive the pod: that the scheduler preempted it (EVICTED,
  reason "Preempted ...") or that the cluster removed or failed it (FAILED with the reason: node
  lost, pod garbage-collected, evicted ...). The pod is gone moments after, but the record stays
  until ``ensure_running(replace_failed=True)`` or ``ensure_stopped``, across server restarts.

Two watches (watch.py) keep records and pods cached; ``observe`` reads the caches (falling back to a
list before the first one arrived), and every change wakes the reconcilers (``Signals``). A tenant's
namespace gets a ResourceQuota of ``tenant_gpu_limit`` slots per GPU resource on first use; the
per-tenant overrides (``icgpu admin quota set``) live in the database and are enforced by the
control plane before a workload is created (services/quotas.py), not by the cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection, Sequence
from typing import Any

from kubernetes_asyncio import client

from icgpu.db.tables_disks import VmDisk
from icgpu.db.tables_vms import FirewallRule, VmNetwork
from icgpu.provisioning.base import (
    NO_GPU_TIER,
    ModelEndpoint,
    Observation,
    Phase,
    TierCapacity,
    WorkloadKind,
    WorkloadResult,
    WorkloadSpec,
)
from icgpu.provisioning.kubernetes.client import KubeClient
from icgpu.provisioning.kubernetes.digests import DIGEST, digest  # of the objects last applied
from icgpu.provisioning.kubernetes.function_run import JOB, run_result
from icgpu.provisioning.kubernetes.kinds import KindRenderer, Manifest, ObjectType, RenderContext
from icgpu.provisioning.kubernetes.naming import (
    MANAGED_BY,
    MANAGED_SELECTOR,
    MANAGER,
    TENANT_LABEL,
    TIER_LABEL,
    WORKLOAD_LABEL,
    dns_label,
    gpu_resources,
    labels,
    namespace,
    object_name,
    priority_class,
)
from icgpu.provisioning.kubernetes.pods import pod_observation
from icgpu.provisioning.kubernetes.registry import renderer
from icgpu.provisioning.kubernetes.resources import (
    CONFIG_MAP,
    EVENT,
    NODE,
    POD,
    Resources,
    api_message,
    type_of,
)
from icgpu.provisioning.kubernetes.vm import (
    HALT_PATCH,
    HALTED,
    VIRTUAL_MACHINE,
    VmRenderer,
    cdi_installed,
    halted,
    run_strategy,
)
from icgpu.provisioning.kubernetes.vm_disks_networks import VmDiskNetworkObjects
from icgpu.provisioning.kubernetes.watch import ObjectWatch, PodWatch
from icgpu.provisioning.kubernetes.workload_pods import CONTAINER
from icgpu.provisioning.local.inventory import TIERS
from icgpu.services.signals import Signals
from icgpu.settings import Settings
from icgpu.tasks import stop_task

log = logging.getLogger(__name__)

ROLE_LABEL = "icgpu.dev/role"
RECORD_SELECTOR = f"{MANAGED_SELECTOR},{ROLE_LABEL}=workload"
WORKLOAD_ID = "icgpu.dev/workload-id"  # the id itself (the label holds its DNS form)
OUTCOME = "icgpu.dev/outcome"  # Evicted | Failed: what the cluster did to the workload
OUTCOME_REASON = "icgpu.dev/outcome-reason"
OUTCOME_POD = "icgpu.dev/outcome-pod"  # the uid of the pod it happened to
POD_UID = "icgpu.dev/pod-uid"  # the status pod last made: its scheduler events outlive it
QUOTA_NAME = "icgpu-gpus"
LOG_SECONDS = 10.0  # how long reading a finished run's log may take
SYNC_SECONDS = 10.0  # how long a read waits for a watch's first list before listing itself
FINAL = (Phase.EVICTED, Phase.FAILED)


def _meta(obj: Manifest) -> Manifest:
    return dict(obj.get("metadata") or {})


def _annotations(obj: Manifest) -> dict[str, str]:
    return dict(_meta(obj).get("annotations") or {})


def _workload_id(record: Manifest) -> str:
    return _annotations(record).get(WORKLOAD_ID) or str(_meta(record)["name"])


def _deleting(obj: Manifest) -> bool:
    return bool(_meta(obj).get("deletionTimestamp"))


def _same_type(a: ObjectType, b: ObjectType) -> bool:
    return (a.group, a.version, a.plural) == (b.group, b.version, b.plural)


def _quantity(value: Any) -> int:
    """An extended resource's quantity (whole numbers: "4", "14")."""
    try:
        return int(str(value))
    except ValueError:
        return 0


def refused(err: client.ApiException) -> bool:
    """The cluster refused the objects themselves (retrying the same objects cannot succeed): 400 or
    422, or the 500 server-side apply answers when a custom object does not fit its CRD's schema
    ("failed to create typed patch object")."""
    return err.status in (400, 422) or (err.status == 500 and "typed patch object" in str(err.body or ""))


class KubernetesProvisioner:
    # A function run's Job runs the function: the runner follows it instead of executing on the host.
    runs_functions = True
    # A model replica's KubeAI Model serves the model: calls go to KubeAI's endpoint, naming the Model.
    serves_models = True
    # A CPU-only VM is a VirtualMachine too (no GPU device): vm.py.
    runs_cpu_vms = True

    def __init__(self, settings: Settings, kube: KubeClient, signals: Signals | None = None) -> None:
        self.settings = settings
        self.kube = kube
        self.signals = signals
        self.gpu_resources = gpu_resources(settings.local_inventory)  # tier -> extended resource
        self._resources: Resources | None = None
        self.records: ObjectWatch | None = None
        self.pods: PodWatch | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._namespaces: set[str] = set()  # made (with their quota) by this process
        # VMs' root disks: CDI DataVolumes where CDI is installed (decided by start()), else containerDisks.
        self.vms = VmRenderer()
        # Tenants' VM disks and networks (not workloads): PVCs and NetworkPolicies of their own.
        self.vm_disks_networks = VmDiskNetworkObjects(lambda: self.resources, self._ensure_namespace,
                                                      self._namespaces.discard)

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        await self.kube.start()
        self._resources = Resources(self.kube.api)
        self.vms = VmRenderer(import_root=await cdi_installed(self._resources))
        self.records = ObjectWatch(self._resources, CONFIG_MAP, label_selector=RECORD_SELECTOR,
                                   changed=self._changed)
        # The pods, and the nodes they run on: a pod on a lost node is inspected as failed (watch.py).
        self.pods = PodWatch(self._resources, inspect=self._inspect_pod, changed=self._changed)
        self._tasks = [asyncio.create_task(self.records.run(), name="kubernetes-watch-records"),
                       asyncio.create_task(self.pods.run(), name="kubernetes-watch-pods")]

    async def stop(self) -> None:
        for task in self._tasks:
            await stop_task(task)
        self._tasks = []
        await self.kube.close()

    @property
    def resources(self) -> Resources:
        if self._resources is None:
            raise RuntimeError("the Kubernetes provisioner is not started")
        return self._resources

    def _changed(self) -> None:
        if self.signals is not None:
            self.signals.changed()

    # -- the workload's record ---------------------------------------------------------------

    def context(self, workload_id: str, kind: WorkloadKind, tenant_id: str | None, tier: str,
                 priority: int) -> RenderContext:
        return RenderContext(
            namespace=namespace(tenant_id), name=object_name(workload_id),
            labels=labels(workload_id, kind, tenant_id, tier),
            gpu_resource=self.gpu_resources[tier] if tier != NO_GPU_TIER else "",  # a CPU-only VM: none
            priority_class=priority_class(priority))

    def record_manifest(self, spec: WorkloadSpec, ctx: RenderContext, applied: str) -> Manifest:
        return {
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": ctx.name, "namespace": ctx.namespace,
                         "labels": {**ctx.labels, ROLE_LABEL: "workload"},
                         "annotations": {WORKLOAD_ID: spec.instance_id, DIGEST: applied}},
            "data": {"kind": spec.kind.value, "tier": spec.tier, "priority": str(spec.priority),
                     "tenant": spec.tenant_id or ""},
        }

    def _record_context(self, record: Manifest) -> RenderContext:
        data = record.get("data") or {}
        return self.context(_workload_id(record), WorkloadKind(data["kind"]),
                             data.get("tenant") or None, data["tier"], int(data["priority"]))

    async def _synced(self, watch: ObjectWatch | None) -> ObjectWatch | None:
        """The watch once it has listed (None if it has not within SYNC_SECONDS: read the API)."""
        if watch is None:
            return None
        if not watch.synced.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SYNC_SECONDS):
                    await watch.synced.wait()
        return watch if watch.synced.is_set() else None

    async def _record(self, workload_id: str) -> Manifest | None:
        name = object_name(workload_id)
        records = await self._synced(self.records)
        if records is not None:
            found = records.by_workload(name)
        else:
            listed = await self.resources.list(CONFIG_MAP, label_selector=f"{RECORD_SELECTOR},{WORKLOAD_LABEL}={name}")
            found = list(listed.get("items") or [])
        return found[0] if found else None

    @staticmethod
    def status_name(kind: KindRenderer, workload_id: str, ctx: RenderContext) -> str:
        """The status object's name: the workload's, unless its renderer names it (``status_name``: a
        Slurm head's pod is its StatefulSet's ``<name>-0``)."""
        named = getattr(kind, "status_name", None)
        return str(named(workload_id, ctx)) if named is not None else ctx.name

    async def _status_object(self, kind: KindRenderer, workload_id: str, ctx: RenderContext) -> Manifest | None:
        name = self.status_name(kind, workload_id, ctx)
        if _same_type(kind.status_type, POD):
            pods = await self._synced(self.pods)
            if pods is not None:
                return pods.get(ctx.namespace, name)
        return await self.resources.get(kind.status_type, ctx.namespace, name)

    def _observe_status(self, kind: KindRenderer, status: Manifest | None, ctx: RenderContext) -> Observation:
        """The kind's phase from its status object; a Job still waiting for its pod says why the pod waits
        (the scheduler's reason, from the pod cache), as an instance's pod does."""
        obs = kind.observe(status, ctx)
        if obs.phase is Phase.STARTING and _same_type(kind.status_type, JOB) and self.pods is not None:
            for pod in self.pods.by_workload(ctx.name):
                waiting = pod_observation(pod)
                if _meta(pod).get("namespace") == ctx.namespace and waiting.phase is Phase.UNSCHEDULABLE:
                    return waiting
        return obs

    async def _observe_record(self, record: Manifest) -> Observation:
        if _deleting(record):
            return Observation(Phase.TERMINATING)
        notes = _annotations(record)
        if notes.get(OUTCOME):
            return Observation(Phase(notes[OUTCOME]), reason=notes.get(OUTCOME_REASON))
        ctx = self._record_context(record)
        kind = renderer((record.get("data") or {})["kind"])
        status = await self._status_object(kind, _workload_id(record), ctx)
        if status is None and notes.get(POD_UID) and _same_type(kind.status_type, POD):
            missed = await self._missed_preemption(record, notes[POD_UID])
            if missed is not None:
                return missed
        return self._observe_status(kind, status, ctx)

    async def _missed_preemption(self, record: Manifest, pod_uid: str) -> Observation | None:
        """The workload's pod is gone and nobody saw it go (no server was watching): if the scheduler
        preempted it, its ``Preempted`` event (kept an hour) says so; recorded like a watched one."""
        meta = _meta(record)
        events = await self.resources.list(EVENT, meta.get("namespace"),
                                           field_selector=f"involvedObject.uid={pod_uid},reason=Preempted")
        found = events.get("items") or []
        if not found:
            return None
        obs = Observation(Phase.EVICTED, reason="Preempted by the scheduler for a higher-priority workload "
                                                f"({found[0].get('message') or 'Preempted'})")
        await self._write_outcome(meta.get("namespace"), meta["name"], obs, pod_uid)
        return obs

    # -- preemption and failures, recorded as the watch sees them ------------------------------

    async def _inspect_pod(self, event: str, pod: Manifest) -> None:
        """A pod the cluster preempted, evicted or failed: write it on the workload's record before
        the pod leaves the cache (it is deleted moments later; the record stays)."""
        obs = pod_observation(pod)
        if obs.phase not in FINAL:
            return
        meta = _meta(pod)
        workload = (meta.get("labels") or {}).get(WORKLOAD_LABEL)
        records = self.records
        if workload is None or records is None:
            return
        record = records.get(meta.get("namespace", ""), workload)
        if record is None or _deleting(record) or _annotations(record).get(OUTCOME):
            return
        kind = renderer((record.get("data") or {})["kind"])
        if meta.get("name") != self.status_name(kind, _workload_id(record), self._record_context(record)):
            return  # only the workload's status object decides its fate (not, say, a Job's retried pod)
        await self._write_outcome(meta.get("namespace"), workload, obs, meta.get("uid", ""))

    async def _write_outcome(self, ns: str | None, name: str, obs: Observation, pod_uid: str) -> None:
        try:
            patched = await self.resources.merge_patch(CONFIG_MAP, ns, name, {
                "metadata": {"annotations": {OUTCOME: obs.phase.value, OUTCOME_REASON: obs.reason or obs.phase.value,
                                             OUTCOME_POD: pod_uid}}})
        except (client.ApiException, OSError) as err:
            log.warning("could not record that workload %s is %s: %s", name, obs.phase.value, err)
            return
        if self.records is not None:
            self.records.put(patched)
        log.info("workload %s: %s (%s)", name, obs.phase.value, obs.reason)

    async def _clear_outcome(self, record: Manifest, kind: KindRenderer, ctx: RenderContext) -> bool:
        """Ready to replace an evicted or failed workload: its old status object gone (deleted now if
        need be) and the outcome removed from the record. False while the old one is going."""
        old = await self._status_object(kind, _workload_id(record), ctx)
        if old is not None:
            if not _deleting(old):
                await self.resources.delete(kind.status_type, ctx.namespace, _meta(old)["name"])
            return False
        patched = await self.resources.merge_patch(CONFIG_MAP, ctx.namespace, ctx.name, {
            "metadata": {"annotations": {OUTCOME: None, OUTCOME_REASON: None, OUTCOME_POD: None, POD_UID: None}}})
        if self.records is not None:
            self.records.put(patched)
        return True

    # -- desired state -----------------------------------------------------------------------

    def namespace_manifests(self, tenant_id: str | None) -> list[Manifest]:
        """The tenant's namespace and, for a tenant, its ResourceQuota: ``tenant_gpu_limit`` slots of
        each GPU resource (requests; extended resources have no limits in a quota)."""
        ns = namespace(tenant_id)
        tenant = dns_label(tenant_id) if tenant_id is not None else "platform"
        out: list[Manifest] = [{"apiVersion": "v1", "kind": "Namespace",
                                "metadata": {"name": ns, "labels": {MANAGED_BY: MANAGER, TENANT_LABEL: tenant}}}]
        if tenant_id is not None:
            limit = str(self.settings.tenant_gpu_limit)
            out.append({
                "apiVersion": "v1", "kind": "ResourceQuota",
                "metadata": {"name": QUOTA_NAME, "namespace": ns, "labels": {MANAGED_BY: MANAGER}},
                "spec": {"hard": {f"requests.{r}": limit for r in sorted(set(self.gpu_resources.values()))}},
            })
        return out

    async def _ensure_namespace(self, ns: str, tenant_id: str | None) -> None:
        if ns in self._namespaces:
            return
        for manifest in self.namespace_manifests(tenant_id):
            await self.resources.apply(manifest, namespace=_meta(manifest).get("namespace"))
        self._namespaces.add(ns)

    async def sync_vm_disks_and_networks(
            self, disks: Sequence[VmDisk], networks: Sequence[tuple[VmNetwork, Sequence[FirewallRule]]],
            tenants: Collection[str] | None = None) -> set[str]:
        """base.VmDisksAndNetworks: the disks' PVCs and the networks' NetworkPolicies (vm_disks_networks.py)."""
        return await self.vm_disks_networks.sync(disks, networks, tenants)

    async def ensure_running(self, spec: WorkloadSpec, *, replace_failed: bool) -> Observation:
        kind = self.vms if spec.kind is WorkloadKind.VM else renderer(spec.kind)  # the VMs' root disk way
        ctx = self.context(spec.instance_id, spec.kind, spec.tenant_id, spec.tier, spec.priority)
        record = await self._record(spec.instance_id)
        if record is not None:
            if _deleting(record):
                return Observation(Phase.TERMINATING)  # being stopped: made afresh once it is gone
            seen = await self._observe_record(record)
            if seen.phase in FINAL:
                if not replace_failed:
                    return seen
                if not await self._clear_outcome(record, kind, ctx):
                    return Observation(Phase.UNSCHEDULABLE, reason=f"replacing the workload ({seen.reason})")
        manifests = kind.render(spec, ctx)
        applied = digest(manifests)
        if (record is not None and _annotations(record).get(DIGEST) == applied
                and (status := await self._status_object(kind, spec.instance_id, ctx)) is not None):
            return self._observe_status(kind, status, ctx)  # everything is in place
        try:
            return await self._apply(spec, kind, ctx, manifests, applied)
        except client.ApiException as err:
            self._namespaces.discard(ctx.namespace)  # made again next time, in case it went
            message = f"the cluster refused the workload: {api_message(err)}"
            if refused(err):
                return Observation(Phase.FAILED, reason=message)
            return Observation(Phase.UNSCHEDULABLE, reason=message)  # quota, conflict, overload: retried

    async def _apply(self, spec: WorkloadSpec, kind: KindRenderer, ctx: RenderContext, manifests: list[Manifest],
                     applied: str) -> Observation:
        await self._ensure_namespace(ctx.namespace, spec.tenant_id)
        record = await self.resources.apply(self.record_manifest(spec, ctx, applied), namespace=ctx.namespace)
        if self.records is not None:
            self.records.put(record)
        owner = {"apiVersion": "v1", "kind": "ConfigMap", "name": ctx.name, "uid": _meta(record)["uid"],
                 "controller": True, "blockOwnerDeletion": True}
        status: Manifest | None = None
        status_name = self.status_name(kind, spec.instance_id, ctx)
        for manifest in manifests:
            owned = {**manifest, "metadata": {**manifest["metadata"], "ownerReferences": [owner]}}
            stored = await self.resources.apply(owned, namespace=ctx.namespace)
            if _same_type(type_of(stored), kind.status_type) and _meta(stored).get("name") == status_name:
                status = stored
                if self.pods is not None and _same_type(kind.status_type, POD):
                    self.pods.put(stored)
        if status is None:  # made by a controller from what was applied (a StatefulSet's pod)
            status = await self._status_object(kind, spec.instance_id, ctx)
        uid = _meta(status or {}).get("uid")
        if uid and _same_type(kind.status_type, POD) and _annotations(record).get(POD_UID) != uid:
            record = await self.resources.merge_patch(CONFIG_MAP, ctx.namespace, ctx.name,
                                                      {"metadata": {"annotations": {POD_UID: uid}}})
            if self.records is not None:
                self.records.put(record)
        return self._observe_status(kind, status, ctx)

    async def ensure_stopped(self, instance_id: str) -> Observation:
        record = await self._record(instance_id)
        if record is None:
            return Observation(Phase.ABSENT)
        if not _deleting(record):
            meta = _meta(record)
            # Foreground: the garbage collector deletes what the record owns first, the record last.
            await self.resources.delete(CONFIG_MAP, meta.get("namespace"), meta["name"], propagation="Foreground")
        return Observation(Phase.TERMINATING)

    async def halt(self, workload_id: str) -> Observation:
        """base.VmHalting: a VM's VirtualMachine gets ``runStrategy: Halted`` (vm.py), its record's digest
        is cleared first so the next ``ensure_running`` applies everything again (``runStrategy: Always``),
        and everything is kept: ABSENT once no compute is left (``vm.halted``). Any other kind is stopped."""
        record = await self._record(workload_id)
        if record is None:
            return Observation(Phase.ABSENT)
        if _deleting(record):
            return Observation(Phase.TERMINATING)
        if WorkloadKind((record.get("data") or {})["kind"]) is not WorkloadKind.VM:
            return await self.ensure_stopped(workload_id)
        ctx = self._record_context(record)
        vm = await self.resources.get(VIRTUAL_MACHINE, ctx.namespace, ctx.name)
        if vm is not None and run_strategy(vm) != HALTED:
            if _annotations(record).get(DIGEST) != HALTED:
                record = await self.resources.merge_patch(CONFIG_MAP, ctx.namespace, ctx.name,
                                                          {"metadata": {"annotations": {DIGEST: HALTED}}})
                if self.records is not None:
                    self.records.put(record)
            vm = await self.resources.merge_patch(VIRTUAL_MACHINE, ctx.namespace, ctx.name, HALT_PATCH)
            log.info("workload %s: VirtualMachine halted (its disks kept)", ctx.name)
        return halted(vm, await self._workload_pods(ctx))

    async def _workload_pods(self, ctx: RenderContext) -> list[Manifest]:
        """The workload's pods (a VM's launcher pods carry its template's labels), from the pod cache."""
        pods = await self._synced(self.pods)
        if pods is not None:
            return [p for p in pods.by_workload(ctx.name) if _meta(p).get("namespace") == ctx.namespace]
        listed = await self.resources.list(POD, ctx.namespace, label_selector=f"{WORKLOAD_LABEL}={ctx.name}")
        return list(listed.get("items") or [])

    # -- observation -------------------------------------------------------------------------

    async def observe(self, instance_ids: list[str]) -> dict[str, Observation]:
        out: dict[str, Observation] = {}
        for workload_id in instance_ids:
            record = await self._record(workload_id)
            out[workload_id] = Observation(Phase.ABSENT) if record is None else await self._observe_record(record)
        return out

    async def workloads(self) -> list[str]:
        records = await self._synced(self.records)
        if records is not None:
            found = list(records.objects.values())
        else:
            found = list((await self.resources.list(CONFIG_MAP, label_selector=RECORD_SELECTOR)).get("items") or [])
        return [_workload_id(r) for r in found]

    async def capacity(self) -> list[TierCapacity]:
        """Per tier: the allocatable slots of the tier's nodes, and those not requested by a pod bound
        there that has not ended (whoever made it: the scheduler counts them all)."""
        nodes = (await self.resources.list(NODE, label_selector=TIER_LABEL)).get("items") or []
        pods = (await self.resources.list(POD, field_selector="status.phase!=Succeeded,status.phase!=Failed"))
        requested: dict[tuple[str, str], int] = {}
        for pod in pods.get("items") or []:
            node = (pod.get("spec") or {}).get("nodeName")
            if not node:
                continue
            for container in (pod.get("spec") or {}).get("containers") or []:
                for resource, amount in ((container.get("resources") or {}).get("requests") or {}).items():
                    requested[node, resource] = requested.get((node, resource), 0) + _quantity(amount)
        out = []
        for tier in TIERS:
            resource = self.gpu_resources[tier]
            mine = [n for n in nodes if (_meta(n).get("labels") or {}).get(TIER_LABEL) == tier]
            total = sum(_quantity(((n.get("status") or {}).get("allocatable") or {}).get(resource, 0)) for n in mine)
            used = sum(requested.get((_meta(n)["name"], resource), 0) for n in mine)
            out.append(TierCapacity(tier, total, max(0, total - used)))
        return out

    # -- where a served model replica is called (model replicas: the Model serves it) ----------

    def model_endpoint(self, workload_id: str) -> ModelEndpoint | None:
        """KubeAI's OpenAI-compatible endpoint (``ICGPU_KUBEAI_URL``), with the replica's Model's name as
        the ``model``: KubeAI routes a call to a ready pod of the Model of that name."""
        return ModelEndpoint(base_url=self.settings.kubeai_url.rstrip("/"), model=object_name(workload_id))

    # -- what a finished run left (function runs: the Job is the run) --------------------------

    async def workload_result(self, instance_id: str) -> WorkloadResult:
        """The exit code of the run's container (from its pod's status), its log (the API server's
        ``pods/log``: none when no container ran, as on kwok's nodes) and whether the Job's deadline
        ended it. Read before the run's workload is released: deleting it deletes the pod."""
        record = await self._record(instance_id)
        if record is None:
            return WorkloadResult()
        ctx = self._record_context(record)
        job = await self._status_object(renderer((record.get("data") or {})["kind"]), instance_id, ctx)
        pods = await self.resources.list(POD, ctx.namespace, label_selector=f"{WORKLOAD_LABEL}={ctx.name}")
        pod = max(pods.get("items") or [{}], key=lambda p: str(_meta(p).get("creationTimestamp", "")))
        return run_result(job, pod or None, await self._pod_log(ctx.namespace, pod) if pod else None)

    async def _pod_log(self, ns: str, pod: Manifest) -> str | None:
        limit = self.settings.function_output_limit_bytes + self.settings.function_log_limit_bytes
        try:
            text = await client.CoreV1Api(self.kube.api).read_namespaced_pod_log(
                _meta(pod)["name"], ns, container=CONTAINER, limit_bytes=limit, _request_timeout=LOG_SECONDS)
        except (client.ApiException, OSError, TimeoutError) as err:
            status = err.status if isinstance(err, client.ApiException) else type(err).__name__
            log.info("no log for pod %s/%s (%s)", ns, _meta(pod).get("name"), status)
            return None
        return str(text) if text else None
