"""client.vm_templates, client.vms and client.vm_networks (Python SDK, sync and async) against a live
server, through the SDK only."""

from __future__ import annotations

import pytest
from ic_gpu import ICGPU, AsyncICGPU, ConflictError, NotFoundError, ValidationError
from ic_gpu.resources.vms import VmNotInStatus

from tests.support.contracts import SSH
from tests.support.server import Server

pytestmark = pytest.mark.db_independent

WAIT = {"timeout": 30.0, "interval": 0.05}


def cpu_vm(client: ICGPU, name: str, **extra: object) -> str:
    made = client.vms.create(name=name, template_id="tpl-ubuntu-cpu", ssh_key=SSH, **extra)  # type: ignore[arg-type]
    return made.vm.id


def test_templates(client: ICGPU) -> None:
    templates = client.vm_templates.list()
    assert [t.id for t in templates] == ["tpl-ubuntu-gpu", "tpl-ubuntu-mig", "tpl-ubuntu-cpu"]
    cpu = client.vm_templates.get("tpl-ubuntu-cpu")
    assert not cpu.gpu and cpu.gpu_tier is None
    assert (cpu.default_cpu, cpu.max_cpu, cpu.min_disk_gb, cpu.default_disk_gb, cpu.max_disk_gb) == (2, 16, 10, 20, 500)
    assert client.vm_templates.get("tpl-ubuntu-gpu").gpu_tier == "dedicated"
    with pytest.raises(NotFoundError):
        client.vm_templates.get("tpl-doesnotexist")


def test_vm_lifecycle(client: ICGPU) -> None:
    vms = client.vms
    dry = vms.create(name="dry", template_id="tpl-ubuntu-cpu", ssh_key=SSH, dry_run=True)
    assert dry.dry_run and dry.valid and dry.vm.status.value == "PENDING" and dry.vm.cpu == 2
    assert list(vms.list()) == []

    made = vms.create(name="ml-workstation", template_id="tpl-ubuntu-cpu", ssh_key=SSH, cpu=4, memory_gb=8,
                      disk_gb=40, auto_stop_after_minutes=120)
    vm = made.vm
    assert not made.dry_run and vm.id.startswith("vm-") and vm.template_id == "tpl-ubuntu-cpu"
    assert (vm.cpu, vm.memory_gb, vm.disk_gb, vm.auto_stop_after_minutes) == (4, 8, 40, 120)
    running = vms.wait_for_status(vm.id, "running", **WAIT)
    assert running.ssh_host and running.ssh_port and running.auto_stop_at is not None
    assert [v.id for v in vms.list()] == [vm.id] and vms.get(vm.id).name == "ml-workstation"

    assert vms.update(vm.id, name="renamed", dry_run=True).vm.name == "renamed"
    assert vms.get(vm.id).name == "ml-workstation"
    kept = vms.update(vm.id, name="renamed").vm
    assert kept.name == "renamed" and kept.auto_stop_after_minutes == 120  # not given: unchanged
    off = vms.update(vm.id, auto_stop_after_minutes=None).vm
    assert off.name == "renamed" and off.auto_stop_after_minutes is None and off.auto_stop_at is None

    assert vms.reboot(vm.id).vm.status.value == "REBOOTING"
    vms.wait_for_status(vm.id, **WAIT)
    assert vms.stop(vm.id, dry_run=True).dry_run and vms.get(vm.id).status.value == "RUNNING"
    assert vms.stop(vm.id).vm.status.value == "STOPPING"
    vms.wait_for_status(vm.id, "STOPPED", **WAIT)
    with pytest.raises(VmNotInStatus):  # a stopped VM does not start by itself
        vms.wait_for_status(vm.id, "RUNNING", **WAIT)
    with pytest.raises(ConflictError) as bad_state:
        vms.reboot(vm.id)
    assert bad_state.value.code == "InvalidStateTransition" and vms.get(vm.id).status.value == "STOPPED"
    assert vms.start(vm.id).vm.status.value == "PENDING"
    vms.wait_for_status(vm.id, "running", **WAIT)

    assert vms.delete(vm.id, dry_run=True).vm.status.value == "TERMINATED"
    assert vms.get(vm.id).status.value == "RUNNING"
    gone = vms.delete(vm.id).vm
    assert gone.status.value == "TERMINATED" and gone.terminated_at is not None
    assert list(vms.list()) == []
    assert [v.id for v in vms.list(status="terminated")] == [vm.id]
    with pytest.raises(ConflictError):
        vms.start(vm.id)
    with pytest.raises(NotFoundError):
        vms.get("vm-doesnotexist")


def test_gpu_vm(client: ICGPU) -> None:
    made = client.vms.create(name="gpu-box", template_id="tpl-ubuntu-mig", ssh_key=SSH).vm
    assert made.gpu_tier == "mig" and made.disk_gb == 50
    assert client.vms.wait_for_status(made.id, **WAIT).status.value == "RUNNING"
    assert client.vms.delete(made.id).vm.status.value == "TERMINATED"


def test_vm_validation_errors(client: ICGPU) -> None:
    for kwargs, field in [({"cpu": 17}, "cpu"), ({"memory_gb": 65}, "memoryGb"), ({"disk_gb": 5}, "diskGb"),
                          ({"gpu_tier": "mig"}, "gpuTier"), ({"ssh_key": "not a key"}, "sshKey")]:
        with pytest.raises(ValidationError) as err:
            client.vms.create(name="bad", template_id="tpl-ubuntu-cpu", **{"ssh_key": SSH, **kwargs})  # type: ignore[arg-type]
        assert err.value.status == 400 and err.value.field == field, (kwargs, err.value)
    with pytest.raises(ValidationError) as err:
        client.vms.create(name="no-key", template_id="tpl-ubuntu-cpu")
    assert err.value.field == "sshKey"
    with pytest.raises(ValidationError) as err:
        client.vms.create(name="nope", template_id="tpl-doesnotexist", ssh_key=SSH)
    assert err.value.field == "templateId"
    with pytest.raises(ValidationError) as err:
        client.vms.create(name="Not_A_Name", template_id="tpl-ubuntu-cpu", ssh_key=SSH)
    assert err.value.field == "name"
    vm_id = cpu_vm(client, "valid")
    with pytest.raises(ValidationError) as err:
        client.vms.update(vm_id, auto_stop_after_minutes=0)
    assert err.value.field == "autoStopAfterMinutes"
    with pytest.raises(NotFoundError):
        client.vms.stop("vm-doesnotexist")
    assert [v.name for v in client.vms.list()] == ["valid"]  # nothing else was written


def test_networks_subnets_and_rules(client: ICGPU) -> None:
    nets = client.vm_networks
    dry = nets.create(name="dry-net", dry_run=True)
    assert dry.dry_run and dry.valid and dry.vm_network.name == "dry-net"
    assert list(nets.list()) == []
    net = nets.create(name="training-net", description="Isolated training network").vm_network
    assert net.id.startswith("net-") and net.description == "Isolated training network" and net.team_id is None
    assert nets.get(net.id).name == "training-net" and [n.id for n in nets.list()] == [net.id]
    with pytest.raises(ConflictError):
        nets.create(name="training-net")

    sub = nets.create_subnet(net.id, name="workers", cidr="10.100.0.0/24").subnet
    assert sub.id.startswith("subnet-") and sub.network_id == net.id and sub.cidr == "10.100.0.0/24"
    assert nets.create_subnet(net.id, name="dry", cidr="10.101.0.0/24", dry_run=True).dry_run
    with pytest.raises(ConflictError) as overlap:
        nets.create_subnet(net.id, name="overlap", cidr="10.100.0.0/16")
    assert overlap.value.code == "SubnetOverlap"
    for cidr in ["8.8.8.0/24", "10.100.0.1/24", "not-a-cidr"]:
        with pytest.raises(ValidationError) as bad:
            nets.create_subnet(net.id, name="bad", cidr=cidr)
        assert bad.value.field == "cidr", cidr
    assert [s.id for s in nets.subnets(net.id)] == [sub.id]

    rule = nets.create_firewall_rule(net.id, direction="ingress", protocol="tcp", port_range="22",
                                     source="0.0.0.0/0", action="allow", description="ssh").firewall_rule
    assert rule.id.startswith("fw-") and rule.port_range == "22" and rule.description == "ssh"
    icmp = nets.create_firewall_rule(net.id, direction="egress", protocol="icmp", source="10.0.0.0/8",
                                     action="deny").firewall_rule
    assert icmp.port_range is None and icmp.description == ""
    for kwargs, field in [({"direction": "sideways"}, "direction"), ({"port_range": "70000"}, "portRange"),
                          ({"port_range": None}, "portRange"), ({"source": "nowhere"}, "source"),
                          ({"action": "maybe"}, "action")]:
        spec = {"direction": "ingress", "protocol": "tcp", "port_range": "80", "source": "0.0.0.0/0",
                "action": "allow", **kwargs}
        with pytest.raises(ValidationError) as err:
            nets.create_firewall_rule(net.id, **spec)  # type: ignore[arg-type]
        assert err.value.field == field, (kwargs, err.value)
    assert [r.id for r in nets.firewall_rules(net.id)] == [rule.id, icmp.id]
    assert nets.delete_firewall_rule(net.id, icmp.id, dry_run=True).dry_run
    assert nets.delete_firewall_rule(net.id, icmp.id).firewall_rule.id == icmp.id
    assert [r.id for r in nets.firewall_rules(net.id)] == [rule.id]

    # A VM joins the network by name, on the subnet of that CIDR.
    vm_id = cpu_vm(client, "attached")
    assert client.vms.attach_network(vm_id, name="training-net", cidr="10.100.0.0/24", dry_run=True).dry_run
    assert client.vms.networks(vm_id) == []
    att = client.vms.attach_network(vm_id, name="training-net", cidr="10.100.0.0/24").vm_network
    assert (att.vm_id, att.network_id, att.subnet_id, att.ip_address) == (vm_id, net.id, sub.id, "10.100.0.2")
    assert [n.network_id for n in client.vms.networks(vm_id)] == [net.id]
    with pytest.raises(ConflictError) as twice:
        client.vms.attach_network(vm_id, name="training-net")
    assert twice.value.code == "AlreadyAttached"
    with pytest.raises(ConflictError) as in_use:
        nets.delete(net.id)
    assert in_use.value.code == "NetworkInUse"
    with pytest.raises(ConflictError) as sub_in_use:
        nets.delete_subnet(net.id, sub.id)
    assert sub_in_use.value.code == "SubnetInUse"
    # A new name makes a new network with the CIDR as its first subnet.
    fresh = client.vms.attach_network(vm_id, name="scratch-net", cidr="192.168.10.0/24").vm_network
    assert fresh.network_id != net.id and fresh.cidr == "192.168.10.0/24"
    assert {n.name for n in nets.list()} == {"training-net", "scratch-net"}

    assert client.vms.detach_network(vm_id, net.id, dry_run=True).dry_run
    assert [n.network_id for n in client.vms.networks(vm_id)] == [net.id, fresh.network_id]
    assert client.vms.detach_network(vm_id, net.id).vm_network.network_id == net.id
    with pytest.raises(NotFoundError):
        client.vms.detach_network(vm_id, net.id)
    assert nets.delete_subnet(net.id, sub.id).subnet.id == sub.id
    assert list(nets.subnets(net.id)) == []
    assert nets.delete(net.id, dry_run=True).dry_run and nets.get(net.id).id == net.id
    assert nets.delete(net.id).vm_network.id == net.id
    with pytest.raises(NotFoundError):
        nets.get(net.id)
    with pytest.raises(NotFoundError):
        nets.subnets("net-doesnotexist")
    assert [n.name for n in nets.list()] == ["scratch-net"]


def test_list_pages(client: ICGPU) -> None:
    ids = [cpu_vm(client, f"vm{i}") for i in range(5)]
    first = client.vms.list(max_results=2)
    assert [v.id for v in first.items] == ids[:2] and first.has_next_page()
    assert [v.id for v in first.next_page().items] == ids[2:4]
    assert [v.id for v in client.vms.list(max_results=2)] == ids
    assert len(list(client.vms.list(max_results=2).iter_pages())) == 3

    nets = [client.vm_networks.create(name=f"net{i}").vm_network.id for i in range(3)]
    assert [n.id for n in client.vm_networks.list(max_results=2)] == nets
    subs = [client.vm_networks.create_subnet(nets[0], name=f"s{i}", cidr=f"10.0.{i}.0/24").subnet.id
            for i in range(3)]
    assert [s.id for s in client.vm_networks.subnets(nets[0], max_results=2)] == subs
    rules = [client.vm_networks.create_firewall_rule(nets[0], direction="ingress", protocol="udp",
                                                     port_range=str(1000 + i), source="10.0.0.0/8",
                                                     action="allow").firewall_rule.id for i in range(3)]
    assert [r.id for r in client.vm_networks.firewall_rules(nets[0], max_results=2)] == rules


async def test_async_vms_and_networks(server: Server, fresh_key: str) -> None:
    async with AsyncICGPU(api_key=fresh_key, base_url=server.url, timeout=30) as client:
        assert [t.id for t in await client.vm_templates.list()][-1] == "tpl-ubuntu-cpu"
        assert (await client.vm_templates.get("tpl-ubuntu-mig")).gpu_tier == "mig"
        vms = client.vms
        assert (await vms.create(name="dry", template_id="tpl-ubuntu-cpu", ssh_key=SSH, dry_run=True)).dry_run
        vm = (await vms.create(name="async-vm", template_id="tpl-ubuntu-cpu", ssh_key=SSH)).vm
        await vms.wait_for_status(vm.id, **WAIT)
        assert [v.id async for v in vms.list()] == [vm.id]
        assert (await vms.update(vm.id, name="async-renamed")).vm.name == "async-renamed"
        assert (await vms.reboot(vm.id)).vm.status.value == "REBOOTING"
        await vms.wait_for_status(vm.id, "running", **WAIT)
        assert (await vms.stop(vm.id)).vm.status.value == "STOPPING"
        await vms.wait_for_status(vm.id, "stopped", **WAIT)
        assert (await vms.start(vm.id)).vm.status.value == "PENDING"

        nets = client.vm_networks
        net = (await nets.create(name="async-net", description="d")).vm_network
        assert [n.id async for n in nets.list()] == [net.id] and (await nets.get(net.id)).description == "d"
        sub = (await nets.create_subnet(net.id, name="a", cidr="172.16.0.0/24")).subnet
        assert [s.id async for s in nets.subnets(net.id)] == [sub.id]
        rule = (await nets.create_firewall_rule(net.id, direction="ingress", protocol="all", source="0.0.0.0/0",
                                                action="allow")).firewall_rule
        assert [r.id async for r in nets.firewall_rules(net.id)] == [rule.id]
        att = (await vms.attach_network(vm.id, name="async-net")).vm_network
        assert att.subnet_id == sub.id and att.ip_address == "172.16.0.2"
        assert [n.network_id for n in await vms.networks(vm.id)] == [net.id]
        with pytest.raises(ConflictError):
            await nets.delete(net.id)
        assert (await vms.detach_network(vm.id, net.id)).vm_network.network_id == net.id
        assert (await nets.delete_firewall_rule(net.id, rule.id)).firewall_rule.id == rule.id
        assert (await nets.delete_subnet(net.id, sub.id)).subnet.id == sub.id
        assert (await nets.delete(net.id)).vm_network.id == net.id
        assert (await vms.delete(vm.id)).vm.status.value == "TERMINATED"
        with pytest.raises(NotFoundError):
            await vms.get("vm-doesnotexist")
