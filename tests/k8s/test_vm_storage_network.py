"""Tenants' persistent VM disks and VM networks on the Kubernetes provisioner: each live disk is a PVC and
each network (with its firewall rules) a NetworkPolicy in the tenant's namespace, server-side applied
by the field manager ``icgpu``, changed when the database changes and deleted with the disk or
network; a VM's VirtualMachine mounts its attached disks' claims and its pod carries its networks'
member labels, also when they are attached while it runs.

End to end with a real ``icgpu serve`` (REST only), then the sync itself against the cluster (applies
each object once, repairs what was deleted behind its back, removes only its own objects, logs a
refused change once), and the new objects through the API server's strict server-side dry run.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from kubernetes_asyncio import client
from sqlalchemy import event
from sqlalchemy.orm import Session

from icgpu.db.database import Database
from icgpu.db.tables import Account, Event
from icgpu.db.tables import Tenant as TenantRow
from icgpu.db.tables_disks import VmDisk
from icgpu.db.tables_vms import FirewallRule, VmNetwork
from icgpu.provisioning.base import VmDisksAndNetworks
from icgpu.provisioning.kubernetes import vm_disks_networks
from icgpu.provisioning.kubernetes.digests import DIGEST
from icgpu.provisioning.kubernetes.disks import DISK_LABEL, PERSISTENT_VOLUME_CLAIM, claim_name
from icgpu.provisioning.kubernetes.kinds import Manifest
from icgpu.provisioning.kubernetes.naming import MANAGED_BY, MANAGER, object_name
from icgpu.provisioning.kubernetes.naming import namespace as tenant_namespace
from icgpu.provisioning.kubernetes.network_policy import MEMBER, NETWORK_POLICY, member_label, policy_name
from icgpu.provisioning.kubernetes.provisioner import KubernetesProvisioner
from icgpu.provisioning.kubernetes.registry import renderer
from icgpu.provisioning.kubernetes.resources import NAMESPACE, Resources
from icgpu.provisioning.kubernetes.vm import VIRTUAL_MACHINE
from icgpu.provisioning.local.simulator import LocalProvisioner
from icgpu.settings import Settings
from icgpu.workers.vm_disk_network_sync import VmDiskNetworkSync
from tests.k8s.conftest import KubernetesServers
from tests.k8s.control_plane import wait_for
from tests.k8s.test_dry_run import SPECS, VM, Api, assert_kept, context
from tests.k8s.workloads import blocking
from tests.support.server import Server
from tests.support.tenants import Tenant
from tests.support.vms import NETWORKS, VMS, new_network, new_vm, vm_act, wait_vm

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

WITHIN = 30.0  # seconds for any one state to be reached (the sync runs every reconcile interval: 0.5 s)
DISKS = "/api/v1/vm-disks"
SSH_RULE = {"direction": "ingress", "protocol": "tcp", "port_range": "22", "source": "0.0.0.0/0", "action": "allow"}
DNS_RULE = {"direction": "egress", "protocol": "udp", "port_range": "53", "source": "10.0.0.0/8", "action": "allow"}
WEB_RULE = {"direction": "ingress", "protocol": "tcp", "port_range": "8000-8100", "source": "10.8.0.0/16",
            "action": "allow"}


@pytest.fixture
def api(kube: client.ApiClient) -> Api:
    return Api(kube)


def created(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def stored(api: Api, type_: Any, ns: str, name: str) -> Manifest | None:
    return await api.get(type_, ns, name)


async def until_stored(api: Api, type_: Any, ns: str, name: str, what: str, check: Any = bool) -> Manifest:
    """The object once ``check(object)`` holds (bounded by WITHIN)."""
    async def probe() -> Manifest | None:
        obj = await stored(api, type_, ns, name)
        return obj if obj is not None and check(obj) else None

    return await wait_for(what, probe, within=WITHIN)


async def until_gone(api: Api, type_: Any, ns: str, name: str, what: str) -> None:
    async def probe() -> bool | None:
        return True if await stored(api, type_, ns, name) is None else None

    await wait_for(what, probe, within=WITHIN)


def ingress_ports(policy: Manifest) -> list[Any]:
    """(cidr, ports) of each ingress rule after the members' own."""
    return [(rule["from"][0]["ipBlock"]["cidr"], rule.get("ports")) for rule in policy["spec"]["ingress"][1:]]


def applied_by_icgpu(obj: Manifest) -> bool:
    return any(f.get("manager") == MANAGER and f.get("operation") == "Apply"
               for f in obj["metadata"].get("managedFields") or [])


# -- end to end: REST on a real server -----------------------------------------------------------------


@pytest.fixture
def k8s_server(k8s_servers: KubernetesServers) -> Server:
    return k8s_servers()


@pytest.fixture
async def tenant(k8s_servers: KubernetesServers, k8s_server: Server, api: Api) -> AsyncIterator[Tenant]:
    """A tenant of the server; at the end its VMs, disks and networks are deleted over REST and their
    objects waited out (a claim left Pending would bind a volume another module makes), then
    ``k8s_servers`` deletes its namespace."""
    made = await k8s_servers.tenant(k8s_server, "k5")
    yield made
    for vm in (await blocking(made.api.get, VMS)).json()["vms"]:
        await blocking(vm_act, made.api, vm["id"], "delete")
    for disk in (await blocking(made.api.get, DISKS)).json()["vm_disks"]:
        await blocking(made.api.delete, f"{DISKS}/{disk['id']}")
    for net in (await blocking(made.api.get, NETWORKS)).json()["vm_networks"]:
        await blocking(made.api.delete, f"{NETWORKS}/{net['id']}")
    ns = tenant_namespace((await blocking(made.api.get, "/api/v1/me")).json()["tenant"]["id"])

    async def emptied() -> bool | None:
        left = [o for t in (PERSISTENT_VOLUME_CLAIM, NETWORK_POLICY, VIRTUAL_MACHINE)
                for o in (await api.list(t, ns)).get("items") or []]
        return True if not left else None

    await wait_for(f"the claims, policies and VMs of {ns} to be deleted", emptied, within=WITHIN * 2)


async def test_disks_and_networks_over_rest_become_claims_and_policies_the_vm_uses(tenant: Tenant, api: Api) -> None:
    rest = tenant.api
    ns = tenant_namespace((await blocking(rest.get, "/api/v1/me")).json()["tenant"]["id"])

    # A disk -> its claim, of its size, applied by icgpu, in the tenant's namespace.
    disk = created(await blocking(rest.post, DISKS, json={"name": "datasets", "size_gb": 7}))
    claim = await until_stored(api, PERSISTENT_VOLUME_CLAIM, ns, claim_name(disk["id"]), "the disk's claim")
    assert claim["spec"]["resources"]["requests"]["storage"] == "7Gi"
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert claim["metadata"]["labels"][MANAGED_BY] == MANAGER and claim["metadata"]["labels"][DISK_LABEL] == disk["id"]
    assert applied_by_icgpu(claim) and DIGEST in claim["metadata"]["annotations"]
    assert not claim["metadata"].get("ownerReferences")  # no workload owns it: it outlives VMs

    # A network with firewall rules -> its NetworkPolicy with the rules.
    net = await blocking(new_network, rest, "train-net")
    created(await blocking(rest.post, f"{NETWORKS}/{net['id']}/subnets", json={"name": "a", "cidr": "10.60.0.0/24"}))
    ssh = created(await blocking(rest.post, f"{NETWORKS}/{net['id']}/firewall-rules", json=SSH_RULE))
    created(await blocking(rest.post, f"{NETWORKS}/{net['id']}/firewall-rules", json=DNS_RULE))
    policy = await until_stored(api, NETWORK_POLICY, ns, policy_name(net["id"]), "the network's policy with its rules",
                                lambda p: len(p["spec"]["ingress"]) == 2 and len(p["spec"]["egress"]) == 2)
    members = {"matchLabels": {member_label(net["id"]): MEMBER}}
    assert policy["spec"]["podSelector"] == members and applied_by_icgpu(policy)
    assert ingress_ports(policy) == [("0.0.0.0/0", [{"protocol": "TCP", "port": 22}])]
    assert policy["spec"]["egress"][1] == {"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}],
                                           "ports": [{"protocol": "UDP", "port": 53}]}

    # A GPU VM, running (the test plays virt-controller); then the disk and the network are attached to it.
    vm = await blocking(new_vm, rest, "k5-vm")
    name = object_name(vm["id"])
    await until_stored(api, VIRTUAL_MACHINE, ns, name, "the VM's VirtualMachine")
    await api.patch_status(VIRTUAL_MACHINE, ns, name, {"printableStatus": "Running"})
    await blocking(wait_vm, rest, vm["id"], "running", WITHIN)
    created(await blocking(rest.post, f"{DISKS}/{disk['id']}/attach", json={"vm_id": vm["id"]}))
    created(await blocking(rest.post, f"{VMS}/{vm['id']}/networks", json={"name": "train-net"}))

    def has_both(obj: Manifest) -> bool:
        template = obj["spec"]["template"]
        volumes = [v["name"] for v in template["spec"]["volumes"]]
        return claim_name(disk["id"]) in volumes and \
            (template["metadata"].get("labels") or {}).get(member_label(net["id"])) == MEMBER

    machine = await until_stored(api, VIRTUAL_MACHINE, ns, name, "the VM to mount the disk and join the network",
                                 has_both)
    template = machine["spec"]["template"]
    assert {"name": claim_name(disk["id"]), "persistentVolumeClaim": {"claimName": claim_name(disk["id"])}} \
        in template["spec"]["volumes"]
    assert {"name": claim_name(disk["id"]), "serial": disk["id"], "disk": {"bus": "virtio"}} \
        in template["spec"]["domain"]["devices"]["disks"]
    # The policy selects the VM's pod by exactly that label.
    assert members["matchLabels"].items() <= template["metadata"]["labels"].items()
    assert (await blocking(rest.get, f"{VMS}/{vm['id']}")).json()["status"] == "running"

    # A rule changes -> the policy follows (added and removed).
    created(await blocking(rest.post, f"{NETWORKS}/{net['id']}/firewall-rules", json=WEB_RULE))
    assert (await blocking(rest.delete, f"{NETWORKS}/{net['id']}/firewall-rules/{ssh['id']}")).status_code == 200
    await until_stored(api, NETWORK_POLICY, ns, policy_name(net["id"]), "the policy to follow the rules",
                       lambda p: ingress_ports(p) == [("10.8.0.0/16", [{"protocol": "TCP", "port": 8000,
                                                                       "endPort": 8100}])])

    # Detached -> the VM no longer mounts the disk nor carries the label; the objects stay (they outlive VMs).
    created(await blocking(rest.post, f"{DISKS}/{disk['id']}/detach"))
    assert (await blocking(rest.delete, f"{VMS}/{vm['id']}/networks/{net['id']}")).status_code == 200
    await until_stored(api, VIRTUAL_MACHINE, ns, name, "the VM without the disk and the network",
                       lambda obj: not has_both(obj) and len(obj["spec"]["template"]["spec"]["volumes"]) == 3)
    assert await stored(api, PERSISTENT_VOLUME_CLAIM, ns, claim_name(disk["id"])) is not None
    assert await stored(api, NETWORK_POLICY, ns, policy_name(net["id"])) is not None

    # Deleted -> the objects go.
    assert (await blocking(rest.delete, f"{NETWORKS}/{net['id']}")).status_code == 200
    assert (await blocking(rest.delete, f"{DISKS}/{disk['id']}")).status_code == 200
    await until_gone(api, NETWORK_POLICY, ns, policy_name(net["id"]), "the network's policy to be deleted")
    await until_gone(api, PERSISTENT_VOLUME_CLAIM, ns, claim_name(disk["id"]), "the disk's claim to be deleted")


# -- the sync itself, in process --------------------------------------------------------------------




@pytest.fixture
async def tenant_id(api: Api) -> AsyncIterator[str]:
    """A tenant id of the test's own; its namespace (made by the sync) is deleted at the end."""
    made = f"tnt-k5{uuid.uuid4().hex[:10]}"
    yield made
    await api.delete(NAMESPACE, None, tenant_namespace(made))


def rows(tenant_id: str, *, size_gb: int = 10, rules: int = 1) -> tuple[VmDisk, VmNetwork, list[FirewallRule]]:
    disk = VmDisk(id=f"disk-{tenant_id[-10:]}", tenant_id=tenant_id, name="d", size_gb=size_gb, status="available")
    net = VmNetwork(id=f"net-{tenant_id[-10:]}", tenant_id=tenant_id, name="n")
    made = [FirewallRule(id=f"fw-{i}", network_id=net.id, direction="ingress", protocol="tcp", port_range=str(22 + i),
                         source="0.0.0.0/0", action="allow") for i in range(rules)]
    return disk, net, made


def versions(*objs: Manifest | None) -> list[str]:
    return [str((o or {}).get("metadata", {}).get("resourceVersion")) for o in objs]


async def test_the_sync_applies_once_repairs_and_removes_only_its_own(
        provisioner: KubernetesProvisioner, api: Api, tenant_id: str) -> None:
    assert isinstance(provisioner, VmDisksAndNetworks)
    assert not issubclass(LocalProvisioner, VmDisksAndNetworks)  # no worker runs on the simulator
    disk, net, rules = rows(tenant_id)
    ns = tenant_namespace(tenant_id)
    await provisioner.sync_vm_disks_and_networks([disk], [(net, rules)])
    claim = await stored(api, PERSISTENT_VOLUME_CLAIM, ns, claim_name(disk.id))
    policy = await stored(api, NETWORK_POLICY, ns, policy_name(net.id))
    assert claim is not None and policy is not None
    assert claim["spec"]["resources"]["requests"]["storage"] == "10Gi" and applied_by_icgpu(claim)

    # Objects of the namespace that are not a disk's or network's are not the sync's to delete.
    foreign_claim: Manifest = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                               "metadata": {"name": "foreign", "namespace": ns, "labels": {MANAGED_BY: MANAGER}},
                               "spec": {"accessModes": ["ReadWriteOnce"],
                                        "resources": {"requests": {"storage": "1Gi"}}}}
    foreign_policy: Manifest = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                                "metadata": {"name": "foreign", "namespace": ns}, "spec": {"podSelector": {}}}
    await api.apply(foreign_claim, namespace=ns)
    await api.apply(foreign_policy, namespace=ns)

    # Unchanged: compared with the cluster, nothing is written again.
    await provisioner.sync_vm_disks_and_networks([disk], [(net, rules)])
    assert versions(await stored(api, PERSISTENT_VOLUME_CLAIM, ns, claim_name(disk.id)),
                    await stored(api, NETWORK_POLICY, ns, policy_name(net.id))) == versions(claim, policy)

    # Deleted behind the sync's back: made again by the next sync.
    await api.delete(NETWORK_POLICY, ns, policy_name(net.id))
    await provisioner.sync_vm_disks_and_networks([disk], [(net, rules)])
    assert await stored(api, NETWORK_POLICY, ns, policy_name(net.id)) is not None

    # A rule more: the policy follows; the disk and network no longer wanted: their objects go, the others stay.
    _, _, more = rows(tenant_id, rules=2)
    await provisioner.sync_vm_disks_and_networks([disk], [(net, more)])
    assert len((await stored(api, NETWORK_POLICY, ns, policy_name(net.id)) or {})["spec"]["ingress"]) == 3
    await provisioner.sync_vm_disks_and_networks([], [])
    await until_gone(api, PERSISTENT_VOLUME_CLAIM, ns, claim_name(disk.id), "the claim of a deleted disk to go")
    assert await stored(api, NETWORK_POLICY, ns, policy_name(net.id)) is None
    assert await stored(api, PERSISTENT_VOLUME_CLAIM, ns, "foreign") is not None
    assert await stored(api, NETWORK_POLICY, ns, "foreign") is not None
    await api.delete(PERSISTENT_VOLUME_CLAIM, ns, "foreign")


async def test_a_change_the_cluster_refuses_is_logged_once_and_does_not_block_the_others(
        provisioner: KubernetesProvisioner, api: Api, tenant_id: str, caplog: pytest.LogCaptureFixture) -> None:
    """Growing an unbound claim without an expandable StorageClass is refused by the API server: the sync
    says so once (not once per pass), keeps the claim as it is, and still applies the network's change."""
    disk, net, rules = rows(tenant_id, size_gb=5)
    ns = tenant_namespace(tenant_id)
    await provisioner.sync_vm_disks_and_networks([disk], [(net, rules)])
    grown, _, more = rows(tenant_id, size_gb=9, rules=2)
    with caplog.at_level(logging.WARNING, logger=vm_disks_networks.__name__):
        for _ in range(3):
            await provisioner.sync_vm_disks_and_networks([grown], [(net, more)])
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1 and claim_name(disk.id) in refusals[0].getMessage(), caplog.text
    claim = await stored(api, PERSISTENT_VOLUME_CLAIM, ns, claim_name(disk.id))
    assert claim is not None and claim["spec"]["resources"]["requests"]["storage"] == "5Gi"
    assert len((await stored(api, NETWORK_POLICY, ns, policy_name(net.id)) or {})["spec"]["ingress"]) == 3
    await provisioner.sync_vm_disks_and_networks([], [])
    await until_gone(api, PERSISTENT_VOLUME_CLAIM, ns, claim_name(disk.id), "the claim to go")


# -- what this adds passes the API server's validation ------------------------------------------------------


async def test_a_vm_with_attached_disks_and_the_stamped_objects_pass_server_side_dry_run(
        provisioner: KubernetesProvisioner, api: Api, namespace: str) -> None:
    disks = ("disk-k5dryrun0001", "disk-k5dryrun0002")
    spec = replace(SPECS["vm"], details=replace(VM, disk_ids=disks))
    rendered = renderer(spec.kind).render(spec, context(spec, namespace))
    vm = next(m for m in rendered if m["kind"] == VIRTUAL_MACHINE.kind)
    assert [d["serial"] for d in vm["spec"]["template"]["spec"]["domain"]["devices"]["disks"][3:]] == list(disks)
    for manifest in [vm, *sync_manifests(provisioner, namespace)]:
        manifest = {**manifest, "metadata": {**manifest["metadata"], "namespace": namespace}}
        assert_kept(manifest, await api.apply_strict(manifest, dry_run=True), manifest["kind"])
    assert await api.get(VIRTUAL_MACHINE, namespace, vm["metadata"]["name"]) is None  # nothing stored


def sync_manifests(provisioner: KubernetesProvisioner, ns: str) -> list[Manifest]:
    """The claim and policy the sync would apply (with their digest annotation and labels)."""
    disk, net, rules = rows("tnt-k5dryrun000")
    wanted = provisioner.vm_disks_networks.wanted([disk], [(net, rules)])
    return [w.manifest for w in wanted.values()]


# -- the worker: a pass reads what changed; a full resync repairs drift -----------------------------------


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'sync.db'}")
    await db.migrate()
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture
async def two_tenants(database: Database, api: Api) -> AsyncIterator[tuple[str, str]]:
    """Two tenants in the database, each with a disk and a network with one firewall rule; their
    namespaces (made by the sync) are deleted at the end."""
    made = (f"tnt-k5{uuid.uuid4().hex[:10]}", f"tnt-k5{uuid.uuid4().hex[:10]}")
    async with database.transaction() as s:
        s.add_all([TenantRow(id=tenant_id, name=tenant_id) for tenant_id in made])
        await s.flush()
        for tenant_id in made:
            account = Account(id=f"acc-{tenant_id[-10:]}", tenant_id=tenant_id, email=f"{tenant_id}@k5.example.com")
            disk, net, rules = rows(tenant_id)
            disk.account_id = net.account_id = account.id
            for rule in rules:
                rule.id = f"fw-{tenant_id[-10:]}-{rule.id}"
            for batch in ([account], [disk, net], rules):  # in the order of their foreign keys
                s.add_all(batch)
                await s.flush()
    yield made
    for tenant_id in made:
        await api.delete(NAMESPACE, None, tenant_namespace(tenant_id))


class Reads:
    """The statements run on the database's read engine and the rows loaded, while entered."""

    def __init__(self, database: Database) -> None:
        self.engine = database.read_engine.sync_engine
        self.statements: list[tuple[str, Any]] = []  # (SQL, parameters)
        self.loaded: list[Any] = []

    @property
    def selects(self) -> list[tuple[str, Any]]:
        """The SELECTs of rows (not the outbox's)."""
        return [(sql, params) for sql, params in self.statements
                if sql.lstrip().upper().startswith("SELECT") and (sql, params) not in self.outbox]

    @property
    def outbox(self) -> list[tuple[str, Any]]:
        """The looks at the outbox (OutboxWatermark: one statement a pass)."""
        return [(sql, params) for sql, params in self.statements if "FROM events" in sql]

    def _statement(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        self.statements.append((statement, parameters))

    def _loaded(self, _session: Any, obj: Any) -> None:
        self.loaded.append(obj)

    def __enter__(self) -> Reads:
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(Session, "loaded_as_persistent", self._loaded)
        return self

    def __exit__(self, *_: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(Session, "loaded_as_persistent", self._loaded)


@pytest.fixture
def listed(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The namespace of every list call the provisioner makes (None: every namespace)."""
    calls: list[str | None] = []
    original = Resources.list

    async def recording(self: Resources, type_: Any, namespace: str | None = None, **kwargs: Any) -> Manifest:
        calls.append(namespace)
        return await original(self, type_, namespace, **kwargs)

    monkeypatch.setattr(Resources, "list", recording)
    return calls


async def test_a_pass_after_one_change_reads_only_that_tenants_rows(
        provisioner: KubernetesProvisioner, api: Api, database: Database, two_tenants: tuple[str, str],
        listed: list[str | None]) -> None:
    a, b = two_tenants
    sync = VmDiskNetworkSync(database, provisioner, Settings(), full_resync_seconds=3600.0)
    sync.changes.start()
    try:
        await sync.reconcile_once()  # the first pass is a full one: every tenant's objects
        for tenant_id in (a, b):
            disk, net, _ = rows(tenant_id)
            assert await stored(api, PERSISTENT_VOLUME_CLAIM, tenant_namespace(tenant_id), claim_name(disk.id))
            assert await stored(api, NETWORK_POLICY, tenant_namespace(tenant_id), policy_name(net.id))
        assert listed == [None, None]

        # Nothing changed: a pass reads nothing but the outbox's newest numbers, and lists nothing.
        listed.clear()
        with Reads(database) as reads:
            await sync.reconcile_once()
        assert (reads.selects, len(reads.outbox), reads.loaded, listed) == ([], 1, [], [])

        # A rule added to a's network (as the network service does: the network loaded, the rule added).
        _, net_a, _ = rows(a)
        async with database.transaction() as s:
            network = await s.get(VmNetwork, net_a.id)
            assert network is not None
            s.add(FirewallRule(id=f"fw-{a[-10:]}-web", network_id=network.id, direction="ingress", protocol="tcp",
                               port_range="8080", source="10.8.0.0/16", action="allow"))
        with Reads(database) as reads:
            await sync.reconcile_once()
        # Only a's rows: its disk, its network and its two rules, in three statements; only a's namespace listed.
        tenant_of_network = {rows(t)[1].id: t for t in (a, b)}
        tenants = {tenant_of_network[o.network_id] if isinstance(o, FirewallRule) else o.tenant_id
                   for o in reads.loaded}
        assert tenants == {a}, reads.loaded
        assert sorted(type(o).__name__ for o in reads.loaded) == ["FirewallRule", "FirewallRule", "VmDisk",
                                                                  "VmNetwork"]
        assert [tuple(params) for _, params in reads.selects] == [("deleted", a), (a,), (a,)], reads.selects
        assert listed == [tenant_namespace(a)] * 2
        policy = await stored(api, NETWORK_POLICY, tenant_namespace(a), policy_name(net_a.id))
        assert policy is not None and len(policy["spec"]["ingress"]) == 3  # the members' own + two rules

        # A rule deleted without its network in the session: the network's tenant is read first.
        async with database.transaction() as s:
            await s.delete(await s.get(FirewallRule, f"fw-{a[-10:]}-web"))
        listed.clear()
        with Reads(database) as reads:
            await sync.reconcile_once()
        assert [tuple(params) for _, params in reads.selects] == [(net_a.id,), ("deleted", a), (a,), (a,)], \
            reads.selects
        assert listed == [tenant_namespace(a)] * 2
        policy = await stored(api, NETWORK_POLICY, tenant_namespace(a), policy_name(net_a.id))
        assert policy is not None and len(policy["spec"]["ingress"]) == 2

        # A dry run (rolled back) marks nothing.
        listed.clear()
        async with database.transaction(dry_run=True) as s:
            disk = await s.get(VmDisk, rows(b)[0].id)
            assert disk is not None
            disk.size_gb = 99
        with Reads(database) as reads:
            await sync.reconcile_once()
        assert (reads.selects, len(reads.outbox), listed) == ([], 1, [])
    finally:
        sync.changes.stop()


@pytest.fixture
async def other_process(database: Database) -> AsyncIterator[Database]:
    """The same database as another process sees it: its own engine, whose commits this process's dirty
    set does not hear of (only the outbox tells)."""
    other = Database(database.url)
    try:
        yield other
    finally:
        await other.close()


async def add_rule(db: Database, tenant_id: str, rule_id: str, *, seq: int | None = None) -> None:
    """A firewall rule on ``tenant_id``'s network with its outbox event (numbered ``seq`` if given), as
    services/vm_networks.py writes them."""
    _, net, _ = rows(tenant_id)
    async with db.transaction() as s:
        s.add(FirewallRule(id=rule_id, network_id=net.id, direction="ingress", protocol="tcp", port_range="8080",
                           source="10.8.0.0/16", action="allow"))
        s.add(Event(seq=seq, id=f"evt-{rule_id}", type="vm_network.firewall_rule_created", tenant_id=tenant_id,
                    account_id=None, resource_type="vm_network", resource_id=net.id, data={"rule_id": rule_id}))


async def test_another_processs_writes_reach_the_next_pass_through_the_outbox(
        provisioner: KubernetesProvisioner, api: Api, database: Database, other_process: Database,
        two_tenants: tuple[str, str], listed: list[str | None]) -> None:
    """A rule another process adds to b's network: the next pass finds b in the outbox and syncs b only;
    an event numbered below one already taken that commits later (PostgreSQL numbers at insert) is taken
    too, once."""
    _, b = two_tenants
    _, net_b, _ = rows(b)
    sync = VmDiskNetworkSync(database, provisioner, Settings(), full_resync_seconds=3600.0)
    sync.changes.start()
    try:
        await sync.reconcile_once()  # full: sets the outbox floor
        floor = sync.outbox.floor
        assert floor is not None

        await add_rule(other_process, b, f"fw-{b[-10:]}-late", seq=floor + 5)
        listed.clear()
        with Reads(database) as reads:
            await sync.reconcile_once()
        assert {o.tenant_id for o in reads.loaded if not isinstance(o, FirewallRule)} == {b}
        assert listed == [tenant_namespace(b)] * 2
        policy = await stored(api, NETWORK_POLICY, tenant_namespace(b), policy_name(net_b.id))
        assert policy is not None and len(policy["spec"]["ingress"]) == 3

        # Numbered 2 below the one taken, committed after it: the next pass takes it; the one after, nothing.
        await add_rule(other_process, b, f"fw-{b[-10:]}-early", seq=floor + 3)
        listed.clear()
        await sync.reconcile_once()
        assert listed == [tenant_namespace(b)] * 2
        policy = await stored(api, NETWORK_POLICY, tenant_namespace(b), policy_name(net_b.id))
        assert policy is not None and len(policy["spec"]["ingress"]) == 4
        listed.clear()
        with Reads(database) as reads:
            await sync.reconcile_once()
        assert (reads.selects, len(reads.outbox), reads.loaded, listed) == ([], 1, [], [])
    finally:
        sync.changes.stop()


async def test_drift_is_repaired_within_the_full_resync_period(
        provisioner: KubernetesProvisioner, api: Api, database: Database, two_tenants: tuple[str, str]) -> None:
    """A claim and a policy deleted behind the platform's back (no write wakes anyone) are made again by the
    next full pass, within ``full_resync_seconds`` (here 2 s; the claim, still being deleted then, by a
    retry of its tenant once it is gone)."""
    period = 2.0
    _, b = two_tenants
    disk, net, _ = rows(b)
    ns = tenant_namespace(b)
    sync = VmDiskNetworkSync(database, provisioner, Settings(reconcile_interval_seconds=0.1),
                             full_resync_seconds=period, retry_seconds=0.2)
    sync.start()
    try:
        first = await until_stored(api, PERSISTENT_VOLUME_CLAIM, ns, claim_name(disk.id), "b's claim")
        policy = await until_stored(api, NETWORK_POLICY, ns, policy_name(net.id), "b's policy")
        began = time.monotonic()
        await api.delete(NETWORK_POLICY, ns, policy_name(net.id))
        await api.delete(PERSISTENT_VOLUME_CLAIM, ns, claim_name(disk.id))
        again = await until_stored(api, NETWORK_POLICY, ns, policy_name(net.id), "b's policy made again",
                                   lambda p: p["metadata"]["uid"] != policy["metadata"]["uid"])
        policy_back = time.monotonic() - began
        await until_stored(api, PERSISTENT_VOLUME_CLAIM, ns, claim_name(disk.id), "b's claim made again",
                           lambda c: c["metadata"]["uid"] != first["metadata"]["uid"])
        claim_back = time.monotonic() - began
    finally:
        await sync.stop()
    assert applied_by_icgpu(again)
    assert policy_back <= period + 1.0, policy_back  # one full pass (plus the pass's own time)
    assert claim_back <= period + 5.0, claim_back  # and the claim's deletion finishing, then a retry
