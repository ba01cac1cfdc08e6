"""Tenants' persistent VM disks and VM networks as cluster objects: a PersistentVolumeClaim per live disk
(disks.py ``disk_claim``) and a NetworkPolicy per network with its firewall rules (network_policy.py),
in the tenant's namespace.

They are not workloads: they hold no GPU, outlive the VMs they are attached to, and no workload
record owns them. Each carries ``app.kubernetes.io/managed-by: icgpu``, the tenant label, its own
label (``icgpu.dev/disk`` or ``icgpu.dev/vm-network``) and, in the annotation ``icgpu.dev/spec-digest``,
the digest of what was rendered. One ``sync`` is level-triggered:

- it renders every wanted object, lists the PVCs and NetworkPolicies that carry those labels in every
  namespace (two calls), applies (server-side, field manager ``icgpu``) each that is missing or whose
  digest differs, and deletes each that is no longer wanted;
- a sync whose wanted objects are those of the last clean one, less than ``RESYNC_SECONDS`` ago, does
  nothing: the worker calls it every reconcile interval, and a change in the cluster made behind the
  platform's back (a deleted claim) is repaired at the next full pass;
- an apply the cluster refuses (a claim grown where the StorageClass cannot expand it, a namespace
  being deleted) is logged once per digest and retried no sooner than ``RETRY_SECONDS``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from kubernetes_asyncio import client

from icgpu.db.tables_disks import VmDisk
from icgpu.db.tables_vms import FirewallRule, VmNetwork
from icgpu.provisioning.kubernetes.digests import DIGEST, digest
from icgpu.provisioning.kubernetes.disks import DISK_LABEL, PERSISTENT_VOLUME_CLAIM, disk_claim
from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType
from icgpu.provisioning.kubernetes.naming import (
    MANAGED_BY,
    MANAGED_SELECTOR,
    MANAGER,
    TENANT_LABEL,
    dns_label,
    namespace,
)
from icgpu.provisioning.kubernetes.network_policy import NETWORK_LABEL, NETWORK_POLICY, network_policy
from icgpu.provisioning.kubernetes.resources import Resources, api_message

log = logging.getLogger(__name__)

RESYNC_SECONDS = 30.0  # an unchanged wanted state is compared with the cluster this often
RETRY_SECONDS = 30.0  # a refused object (of the same digest) is applied again no sooner than this
TYPES = ((PERSISTENT_VOLUME_CLAIM, DISK_LABEL), (NETWORK_POLICY, NETWORK_LABEL))
Key = tuple[str, str, str]  # (plural, namespace, name)


@dataclass(frozen=True)
class Wanted:
    type_: ObjectType
    tenant_id: str
    manifest: Manifest  # with its digest annotation

    @property
    def digest(self) -> str:
        return str(self.manifest["metadata"]["annotations"][DIGEST])


def _meta(obj: Manifest) -> Manifest:
    return dict(obj.get("metadata") or {})


def _key(type_: ObjectType, obj: Manifest) -> Key:
    meta = _meta(obj)
    return type_.plural, str(meta.get("namespace")), str(meta["name"])


def _stamped(manifest: Manifest) -> Manifest:
    """The manifest with the digest of itself in its annotations."""
    meta = manifest["metadata"]
    return {**manifest, "metadata": {**meta, "annotations": {**(meta.get("annotations") or {}),
                                                             DIGEST: digest([manifest])}}}


def _labels(tenant_id: str) -> dict[str, str]:
    return {MANAGED_BY: MANAGER, TENANT_LABEL: dns_label(tenant_id)}


class VmDiskNetworkObjects:
    """The PVCs and NetworkPolicies of every tenant's disks and networks, kept as the database says."""

    def __init__(self, resources: Callable[[], Resources],
                 ensure_namespace: Callable[[str, str | None], Awaitable[None]],
                 forget_namespace: Callable[[str], None]) -> None:
        self._resources = resources
        self._ensure_namespace = ensure_namespace  # the tenant's namespace and quota, made once per process
        self._forget_namespace = forget_namespace  # made again next time (it may have gone)
        self._clean: tuple[str, float] | None = None  # (digest of the wanted objects, when) of the last clean sync
        self._refused: dict[Key, tuple[str, float]] = {}  # an object the cluster refused: (its digest, when)
        self._unenforced: dict[str, list[tuple[str, str]]] = {}  # network id -> rules it cannot enforce (logged)

    def wanted(self, disks: Sequence[VmDisk],
               networks: Sequence[tuple[VmNetwork, Sequence[FirewallRule]]]) -> dict[Key, Wanted]:
        out: dict[Key, Wanted] = {}
        for disk in disks:
            claim = _stamped(disk_claim(disk, namespace(disk.tenant_id), _labels(disk.tenant_id)))
            out[_key(PERSISTENT_VOLUME_CLAIM, claim)] = Wanted(PERSISTENT_VOLUME_CLAIM, disk.tenant_id, claim)
        for network, rules in networks:
            rendered = network_policy(network, rules, namespace(network.tenant_id), _labels(network.tenant_id))
            self._note_unenforced(network.id, rendered.unenforced)
            policy = _stamped(rendered.manifest)
            out[_key(NETWORK_POLICY, policy)] = Wanted(NETWORK_POLICY, network.tenant_id, policy)
        live = {network.id for network, _ in networks}
        self._unenforced = {net: rules for net, rules in self._unenforced.items() if net in live}
        return out

    async def sync(self, disks: Sequence[VmDisk],
                   networks: Sequence[tuple[VmNetwork, Sequence[FirewallRule]]]) -> None:
        wanted = self.wanted(disks, networks)
        state = digest([w.manifest for _, w in sorted(wanted.items())])
        now = time.monotonic()
        if self._clean is not None and self._clean[0] == state and now - self._clean[1] < RESYNC_SECONDS:
            return
        resources = self._resources()
        existing: dict[Key, tuple[ObjectType, Manifest]] = {}
        for type_, label in TYPES:
            listed = await resources.list(type_, label_selector=f"{MANAGED_SELECTOR},{label}")
            existing.update({_key(type_, obj): (type_, obj) for obj in listed.get("items") or []})
        clean = True
        for key, (type_, obj) in existing.items():
            if key not in wanted and not _meta(obj).get("deletionTimestamp"):
                clean &= await self._delete(resources, type_, key)
        for key, want in wanted.items():
            found = existing.get(key)
            stored = found[1] if found is not None else None
            if stored is not None and (_meta(stored).get("annotations") or {}).get(DIGEST) == want.digest:
                continue
            if stored is not None and _meta(stored).get("deletionTimestamp"):
                clean = False  # still going (a claim in use): made anew once it is gone
                continue
            clean &= await self._apply(resources, key, want, now)
        self._clean = (state, now) if clean else None
        self._refused = {key: seen for key, seen in self._refused.items() if key in wanted}

    async def _delete(self, resources: Resources, type_: ObjectType, key: Key) -> bool:
        _, ns, name = key
        try:
            await resources.delete(type_, ns, name)
        except client.ApiException as err:
            log.warning("could not delete %s %s/%s: %s", type_.kind, ns, name, api_message(err))
            return False
        log.info("deleted %s %s/%s", type_.kind, ns, name)
        return True

    async def _apply(self, resources: Resources, key: Key, want: Wanted, now: float) -> bool:
        _, ns, name = key
        refused = self._refused.get(key)
        if refused is not None and refused[0] == want.digest and now - refused[1] < RETRY_SECONDS:
            return False
        try:
            await self._ensure_namespace(ns, want.tenant_id)
            await resources.apply(want.manifest, namespace=ns)
        except client.ApiException as err:
            self._forget_namespace(ns)
            if refused is None or refused[0] != want.digest:  # once per digest, not once per retry
                log.warning("the cluster refused %s %s/%s: %s", want.type_.kind, ns, name, api_message(err))
            self._refused[key] = (want.digest, now)
            return False
        self._refused.pop(key, None)
        log.info("applied %s %s/%s", want.type_.kind, ns, name)
        return True

    def _note_unenforced(self, network_id: str, unenforced: list[tuple[str, str]]) -> None:
        """Log the rules NetworkPolicy cannot say, when they change (not every pass)."""
        if self._unenforced.get(network_id, []) == unenforced:
            return
        self._unenforced[network_id] = list(unenforced)
        for rule_id, why in unenforced:
            log.warning("network %s: firewall rule %s is not enforced: %s", network_id, rule_id, why)
