"""Every method of the Python SDK, sync and async, against a live server, through the SDK only."""

from __future__ import annotations

import itertools
import threading

import pytest
from ic_gpu import ICGPU, AsyncICGPU, NotFoundError

from tests.support.server import Server

# The SDK's behaviour does not depend on the server's database (tests/server covers the server on
# each): run once, in the SQLite run.
pytestmark = pytest.mark.db_independent

MAX_EVENTS = 50


def test_tiers_me_and_unauthenticated_tiers(server: Server, client: ICGPU) -> None:
    tiers = client.gpu_tiers.list()
    assert {"mig", "dedicated"} <= {t.id for t in tiers}
    assert all(t.batch_price_per_hour < t.price_per_hour for t in tiers)
    with ICGPU(base_url=server.url, api_key="") as anonymous:
        assert [t.id for t in anonymous.gpu_tiers.list()] == [t.id for t in tiers]
    me = client.me()
    assert me.credential_type == "api_key" and me.api_key_id and me.tenant.name.startswith("sdk-")


def test_instance_lifecycle_with_watch_seeing_the_stop(client: ICGPU) -> None:
    key = client.ssh_keys.generate(name="lifecycle")
    dry = client.instances.create(name="dry", tier="mig", ssh_key=key.ssh_key.public_key, dry_run=True)
    assert dry.dry_run and dry.valid and list(client.instances.list()) == []

    made = client.instances.create(name="box", tier="mig", ssh_key=key.ssh_key.public_key, storage_gb=80,
                                   workload_type="interactive")
    assert not made.dry_run and made.instance.storage_gb == 80 and made.instance.status.value == "PENDING"
    iid = made.instance.id

    seen = []
    for event in itertools.islice(client.instances.watch(iid), MAX_EVENTS):
        seen.append(event.status.value)
        if event.status.value == "RUNNING":
            inst = client.instances.get(iid)
            assert inst.ssh_host and inst.ssh_port and inst.tier_info.id == "mig"
            assert client.instances.stop(iid).instance.status.value in ("STOPPING", "STOPPED")
        if event.status.value == "STOPPED":
            break
    assert seen[-1] == "STOPPED" and "RUNNING" in seen

    assert client.instances.update(iid, name="renamed").instance.name == "renamed"
    assert client.instances.start(iid).instance.status.value in ("PENDING", "PROVISIONING")
    gone = client.instances.delete(iid)
    assert gone.instance.id == iid
    final = [e.status.value for e in itertools.islice(client.instances.watch(iid), MAX_EVENTS)]
    assert final[-1] == "TERMINATED"  # watch ends by itself once the instance is terminated
    assert [i.id for i in client.instances.list(status="terminated")] == [iid]


def test_requeue_reaches_the_server(client: ICGPU) -> None:
    key = client.ssh_keys.generate(name="rq").ssh_key.public_key
    iid = client.instances.create(name="batchy", tier="mig", ssh_key=key, workload_type="BATCH").instance.id
    # Not preempted: the server refuses it, proving the call went through with the id.
    with pytest.raises(Exception) as err:
        client.instances.requeue(iid)
    assert getattr(err.value, "status", None) == 409


def test_pagination_walks_every_page(client: ICGPU) -> None:
    key = client.ssh_keys.generate(name="pages").ssh_key.public_key
    made = [client.instances.create(name=f"p{i}", tier="mig", ssh_key=key).instance.id for i in range(5)]
    first = client.instances.list(max_results=2)
    assert len(first.items) == 2 and first.next_token
    assert [i.id for i in first] == made  # iterating walks all three pages, in order
    assert len(list(first.iter_pages())) == 3
    second = first.next_page()
    assert [i.id for i in second.items] == made[2:4]


def test_teams(server: Server, client: ICGPU) -> None:
    me = client.me()
    with ICGPU(api_key=server.token(me.tenant.name, "second@example.com"), base_url=server.url) as second_client:
        second = second_client.me()  # signing in once makes the account
    team = client.teams.create(name="ml", description="the ML team").team
    assert team.role is not None and team.role.value == "OWNER"
    assert client.teams.get(team.id).name == "ml"
    assert [t.id for t in client.teams.my()] == [team.id]
    assert team.id in [t.id for t in client.teams.list()]
    with pytest.raises(NotFoundError):
        client.teams.add_member(team.id, email="nobody@example.com")
    by_email = client.teams.add_member(team.id, email="second@example.com", role="viewer").member
    assert by_email.account_id == second.id and by_email.role.value == "VIEWER"
    assert client.teams.update_member(team.id, by_email.id, role="admin").member.role.value == "ADMIN"
    assert client.teams.remove_member(team.id, by_email.id).member.id == by_email.id
    by_id = client.teams.add_member(team.id, account_id=second.id).member
    assert by_id.email == "second@example.com"
    assert {m.account_id for m in client.teams.members(team.id)} == {me.id, second.id}


def test_api_keys(client: ICGPU) -> None:
    made = client.api_keys.create(name="ci", scopes=["models"], permissions=["read"], expires_in_days=7)
    assert made.key and made.key.startswith(made.api_key.prefix)
    assert client.api_keys.get(made.api_key.id).name == "ci"
    assert made.api_key.id in [k.id for k in client.api_keys.list()]
    revoked = client.api_keys.revoke(made.api_key.id)
    assert revoked.api_key.revoked_at is not None
    with pytest.raises(NotFoundError):
        client.api_keys.get(made.api_key.id)


def test_ssh_keys_and_groups(client: ICGPU) -> None:
    generated = client.ssh_keys.generate(name="gen")
    assert generated.private_key and "PRIVATE KEY" in generated.private_key
    uploaded = client.ssh_keys.create(name="up", public_key=client.ssh_keys.generate(name="tmp", dry_run=True)
                                      .ssh_key.public_key).ssh_key
    assert client.ssh_keys.get(uploaded.id).fingerprint == uploaded.fingerprint
    assert {generated.ssh_key.id, uploaded.id} <= {k.id for k in client.ssh_keys.list()}

    group = client.ssh_key_groups.create(name="devs", description="everyone").ssh_key_group
    assert client.ssh_key_groups.add_key(group.id, uploaded.id).ssh_key_group.keys[0].id == uploaded.id
    assert [g.id for g in client.ssh_key_groups.list()] == [group.id]
    assert client.ssh_key_groups.remove_key(group.id, uploaded.id).ssh_key_group.keys == []
    assert client.ssh_key_groups.delete(group.id).ssh_key_group.id == group.id
    assert client.ssh_keys.delete(uploaded.id).ssh_key.id == uploaded.id
    with pytest.raises(NotFoundError):
        client.ssh_keys.get(uploaded.id)


def test_events_stream_sees_a_create(client: ICGPU) -> None:
    key = client.ssh_keys.generate(name="ev").ssh_key.public_key
    made: list[str] = []
    got = threading.Event()

    def create_until_seen() -> None:  # the stream subscribes asynchronously: create until an event arrives
        for n in range(MAX_EVENTS):
            if got.wait(0.2):
                return
            made.append(client.instances.create(name=f"evt{n}", tier="mig", ssh_key=key).instance.id)

    writer = threading.Thread(target=create_until_seen)
    writer.start()
    stream = client.events.stream(types=["instance.*"])
    try:
        event = next(stream)
    finally:
        got.set()
        writer.join(30)
        stream.close()  # type: ignore[attr-defined]
    assert event.type_.startswith("instance.") and event.resource_id in made


async def test_async_client_every_namespace(server: Server, fresh_key: str) -> None:
    async with AsyncICGPU(api_key=fresh_key, base_url=server.url) as c:
        assert (await c.me()).credential_type == "api_key"
        assert len(await c.gpu_tiers.list()) >= 1
        key = await c.ssh_keys.generate(name="a")
        ids = [(await c.instances.create(name=f"a{i}", tier="mig", ssh_key=key.ssh_key.public_key)).instance.id
               for i in range(3)]
        page = await c.instances.list(max_results=2)
        assert len(page.items) == 2 and page.next_token
        assert [i.id async for i in c.instances.list(max_results=2)] == ids
        statuses = []
        async for event in c.instances.watch(ids[0]):
            statuses.append(event.status.value)
            if event.status.value == "RUNNING":
                await c.instances.delete(ids[0])
            if len(statuses) > MAX_EVENTS:
                break
        assert statuses[-1] == "TERMINATED"
        assert (await c.instances.get(ids[1])).name == "a1"
        team = (await c.teams.create(name="t")).team
        assert [t.id async for t in c.teams.my()] == [team.id]
        made = await c.api_keys.create(name="k", scopes=["models"])
        assert made.key and (await c.api_keys.get(made.api_key.id)).id == made.api_key.id
        group = (await c.ssh_key_groups.create(name="g")).ssh_key_group
        assert (await c.ssh_key_groups.add_key(group.id, key.ssh_key.id)).ssh_key_group.keys
        assert [g.id async for g in c.ssh_key_groups.list()] == [group.id]
        assert [k.id async for k in c.ssh_keys.list()] == [key.ssh_key.id]
