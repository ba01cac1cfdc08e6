"""client.vm_disks and client.quotas (Python SDK, sync and async) against a live server. The VM a
disk is attached to is made over REST (the VM namespace is another family's)."""

from __future__ import annotations

import httpx
import pytest
from ic_gpu import ICGPU, AsyncICGPU, ConflictError, NotFoundError, ValidationError

from tests.support.contracts import SSH
from tests.support.server import Server

pytestmark = pytest.mark.db_independent


def new_vm(server: Server, key: str, name: str) -> str:
    r = httpx.post(f"{server.url}/api/v1/vms", headers={"Authorization": f"Bearer {key}"},
                   json={"name": name, "templateId": "tpl-ubuntu-cpu", "diskGb": 20, "sshKey": SSH}, timeout=30)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_vm_disk_lifecycle_and_quotas(server: Server, fresh_key: str, client: ICGPU) -> None:
    disks = client.vm_disks
    base = client.quotas.get()
    assert base.storage.used_gb == 0 and base.gpus.used == 0
    assert base.storage.remaining_gb == base.storage.limit_gb
    dry = disks.create(name="dry", size_gb=10, dry_run=True)
    assert dry.dry_run and dry.valid and dry.vm_disk.status.value == "AVAILABLE"
    assert list(disks.list()) == []

    made = disks.create(name="data-volume", size_gb=500)
    disk = made.vm_disk
    assert not made.dry_run and disk.id.startswith("disk-") and disk.size_gb == 500 and disk.vm_id is None
    vm_id = new_vm(server, fresh_key, "ml-workstation")
    assert client.quotas.get().storage.used_gb == 520
    attached = disks.attach(disk.id, vm_id=vm_id).vm_disk
    assert attached.status.value == "ATTACHED" and attached.vm_id == vm_id
    assert [d.id for d in disks.list(vm_id=vm_id)] == [disk.id]
    assert disks.resize(disk.id, size_gb=1000).vm_disk.size_gb == 1000
    assert client.quotas.get().storage.used_gb == 1020
    with pytest.raises(ValidationError) as shrink:
        disks.resize(disk.id, size_gb=100)
    assert shrink.value.field == "size_gb" and shrink.value.code == "ShrinkNotAllowed"
    with pytest.raises(ConflictError) as busy:
        disks.delete(disk.id)
    assert busy.value.code == "DiskAttached"
    with pytest.raises(ConflictError) as twice:
        disks.attach(disk.id, vm_id=new_vm(server, fresh_key, "other"))
    assert twice.value.code == "DiskAlreadyAttached"
    assert disks.detach(disk.id).vm_disk.vm_id is None
    assert disks.get(disk.id).status.value == "AVAILABLE"
    assert disks.delete(disk.id).vm_disk.status.value == "DELETED"
    assert list(disks.list()) == []
    assert client.quotas.get().storage.used_gb == 40  # the two VMs' boot disks
    with pytest.raises(NotFoundError):
        disks.get("disk-doesnotexist")
    with pytest.raises(ValidationError) as bad:
        disks.create(name="bad", size_gb=0)
    assert bad.value.field == "sizeGb"
    with pytest.raises(ConflictError) as over:
        disks.create(name="huge", size_gb=65536)
    assert over.value.code == "StorageQuotaExceeded"


def test_list_pages(client: ICGPU) -> None:
    ids = [client.vm_disks.create(name=f"d{i}", size_gb=1).vm_disk.id for i in range(5)]
    assert [d.id for d in client.vm_disks.list(max_results=2)] == ids


async def test_async_vm_disks_and_quotas(server: Server, fresh_key: str) -> None:
    async with AsyncICGPU(api_key=fresh_key, base_url=server.url, timeout=30) as client:
        made = (await client.vm_disks.create(name="async-disk", size_gb=30)).vm_disk
        vm_id = new_vm(server, fresh_key, "async-vm")
        assert (await client.vm_disks.attach(made.id, vm_id=vm_id, dry_run=True)).dry_run is True
        assert (await client.vm_disks.get(made.id)).vm_id is None
        assert (await client.vm_disks.attach(made.id, vm_id=vm_id)).vm_disk.vm_id == vm_id
        assert (await client.vm_disks.resize(made.id, size_gb=40)).vm_disk.size_gb == 40
        assert [d.id async for d in client.vm_disks.list()] == [made.id]
        assert (await client.vm_disks.detach(made.id)).vm_disk.status.value == "AVAILABLE"
        assert (await client.vm_disks.delete(made.id)).vm_disk.status.value == "DELETED"
        quotas = await client.quotas.get()
        assert quotas.storage.used_gb == 20
        assert {f.family: f.used for f in quotas.gpus.by_family}.get("instances") == 0


def test_instance_auto_stop_through_the_sdk(client: ICGPU) -> None:
    made = client.instances.create(name="ttl", tier="mig", ssh_key=SSH, auto_stop_after_minutes=30, dry_run=True)
    assert made.instance.auto_stop_after_minutes == 30 and made.instance.auto_stop_at is None
    inst = client.instances.create(name="ttl", tier="mig", ssh_key=SSH, auto_stop_after_minutes=30).instance
    assert client.instances.get(inst.id).auto_stop_after_minutes == 30
    assert client.quotas.get().gpus.used == 1
