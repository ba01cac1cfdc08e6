"""Tenants' persistent VM disks and VM networks as cluster objects: a PersistentVolumeClaim per live disk
(disks.py ``disk_claim``) and a NetworkPolicy per network with its firewall rules (network_policy.py),
in the tenant's namespace.

They are not workloads: they hold no GPU, outlive the VMs they are attached to, and no workload
record owns them. Each carries ``app.kubernetes.io/managed-by: icgpu``, the tenant label, its own
label (``icgpu.dev/disk`` or ``icgpu.dev/vm-network``) and, in the annotation ``icgpu.dev/spec-digest``,
the digest of what was rendered. One ``sync`` is level-triggered, over every tenant or over some:

- it renders every wanted object, lists the PVCs and NetworkPolicies that carry those labels (two
  calls: in every namespace, or in each given tenant's namespace), applies (server-side, field manager
  ``icgpu``) each that is missing or whose digest differs, and deletes each that is no longer wanted;
  a sync of some tenants is given exactly those tenants' rows and touches only their namespaces;
- it compares with the cluster every time it is called: the worker (workers/vm_disk_network_sync.py)
  decides how often, syncing the tenants whose rows changed at once and every tenant once per full
  resync period, which is what repairs a change made behind the platform's back (a deleted claim);
- it answers the tenants whose objects are not yet as wanted (an apply refused, a claim still being
  deleted before it can be made anew, a failed delete), which the worker syncs again later;
- an apply the cluster refuses (a claim grown where the StorageClass cannot expand it, a namespace
  being deleted) is logged once per digest and retried no sooner than ``RETRY_SECONDS``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
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
        self._refused: dict[Key, tuple[str, float]] = {}  # an object the cluster refused: (its digest, when)
        # (tenant id, network id) -> the network's rules it cannot enforce (logged when they change)
        self._unenforced: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def wanted(self, disks: Sequence[VmDisk], networks: Sequence[tuple[VmNetwork, Sequence[FirewallRule]]],
               tenants: Collection[str] | None = None) -> dict[Key, Wanted]:
        """The objects of these rows (every tenant's, or exactly those of ``tenants``)."""
        out: dict[Key, Wanted] = {}
        for disk in disks:
            claim = _stamped(disk_claim(disk, namespace(disk.tenant_id), _labels(disk.tenant_id)))
            out[_key(PERSISTENT_VOLUME_CLAIM, claim)] = Wanted(PERSISTENT_VOLUME_CLAIM, disk.tenant_id, claim)
        for network, rules in networks:
            rendered = network_policy(network, rules, namespace(network.tenant_id), _labels(network.tenant_id))
            self._note_unenforced((network.tenant_id, network.id), rendered.unenforced)
            policy = _stamped(rendered.manifest)
            out[_key(NETWORK_POLICY, policy)] = Wanted(NETWORK_POLICY, network.tenant_id, policy)
        live = {(network.tenant_id, network.id) for network, _ in networks}
        self._unenforced = {net: rules for net, rules in self._unenforced.items()
                            if net in live or (tenants is not None and net[0] not in tenants)}
        return out

    async def sync(self, disks: Sequence[VmDisk], networks: Sequence[tuple[VmNetwork, Sequence[FirewallRule]]],
                   tenants: Collection[str] | None = None) -> set[str]:
        """Make the cluster hold exactly these objects: of every tenant (``tenants`` None), or of the
        given tenants only (the rows are exactly theirs; other namespaces are neither listed nor
        touched). Answers the tenants whose objects are not yet as wanted."""
        wanted = self.wanted(disks, networks, tenants)
        now = time.monotonic()
        resources = self._resources()
        existing: dict[Key, tuple[ObjectType, Manifest]] = {}
        scopes: list[str | None] = [None] if tenants is None else [namespace(t) for t in sorted(tenants)]
        for ns in scopes:
            for type_, label in TYPES:
                listed = await resources.list(type_, ns, label_selector=f"{MANAGED_SELECTOR},{label}")
                existing.update({_key(type_, obj): (type_, obj) for obj in listed.get("items") or []})
        # The tenant of a namespace: the given ones, or those of the wanted objects (an object with no
        # wanted one beside it in its namespace whose delete fails waits for the next full sync).
        tenant_of = {namespace(t): t for t in (tenants if tenants is not None else [])}
        tenant_of.update({key[1]: want.tenant_id for key, want in wanted.items()})
        unclean: set[str] = set()
        for key, (type_, obj) in existing.items():
            if key not in wanted and not _meta(obj).get("deletionTimestamp"):
                if not await self._delete(resources, type_, key) and key[1] in tenant_of:
                    unclean.add(tenant_of[key[1]])
        for key, want in wanted.items():
            found = existing.get(key)
            stored = found[1] if found is not None else None
            if stored is not None and (_meta(stored).get("annotations") or {}).get(DIGEST) == want.digest:
                continue
            if stored is not None and _meta(stored).get("deletionTimestamp"):
                unclean.add(want.tenant_id)  # still going (a claim in use): made anew once it is gone
                continue
            if not await self._apply(resources, key, want, now):
                unclean.add(want.tenant_id)
        in_scope = set(scopes) if tenants is not None else None
        self._refused = {key: seen for key, seen in self._refused.items()
                         if key in wanted or (in_scope is not None and key[1] not in in_scope)}
        return unclean

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

    def _note_unenforced(self, network: tuple[str, str], unenforced: list[tuple[str, str]]) -> None:
        """Log the rules NetworkPolicy cannot say, when they change (not every pass)."""
        if self._unenforced.get(network, []) == unenforced:
            return
        self._unenforced[network] = list(unenforced)
        for rule_id, why in unenforced:
            log.warning("network %s: firewall rule %s is not enforced: %s", network[1], rule_id, why)
