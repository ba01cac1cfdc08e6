"""client.clusters (Python SDK, sync and async) against a live server, through the SDK only."""

from __future__ import annotations

import base64

import pytest
from ic_gpu import ICGPU, AsyncICGPU, ConflictError, NotFoundError, ValidationError
from ic_gpu.resources.clusters import ClusterNotRunning

from tests.support.server import Server

pytestmark = pytest.mark.db_independent


def test_cluster_lifecycle(client: ICGPU) -> None:
    clusters = client.clusters
    assert clusters.versions() == ["1.29", "1.30", "1.31"]
    dry = clusters.create(name="dry", dry_run=True)
    assert dry.dry_run and dry.valid and dry.cluster.status.value == "PENDING" and dry.cluster.version == "1.31"
    assert list(clusters.list()) == []

    made = clusters.create(name="training-cluster", version="1.30")
    c = made.cluster
    assert not made.dry_run and c.id.startswith("cls-") and c.version == "1.30" and c.owner is not None
    running = clusters.wait_running(c.id, timeout=30, interval=0.1)
    assert running.server_url == f"https://{c.id}.clusters.127.0.0.1:6443"
    assert [x.id for x in clusters.list(max_results=1)] == [c.id]

    k = clusters.kubeconfig(c.id)
    assert k.cluster_id == c.id and k.context == "training-cluster" and k.server_url == running.server_url
    assert k.token is not None and k.token.startswith("icgpu-kc-") and f"token: \"{k.token}\"" in k.kubeconfig
    assert k.client_certificate_data is None and k.client_key_data is None  # a token's user
    assert base64.b64decode(k.certificate_authority_data).startswith(b"-----BEGIN CERTIFICATE-----")

    gone = clusters.delete(c.id)
    assert gone.cluster.status.value == "DELETING"
    with pytest.raises(NotFoundError):
        clusters.kubeconfig(c.id)
    with pytest.raises(ClusterNotRunning):
        clusters.wait_running(c.id, timeout=5, interval=0.1)
    with pytest.raises(ConflictError):
        clusters.delete(c.id)
    with pytest.raises(NotFoundError):
        clusters.get("cls-doesnotexist")


def test_cluster_validation_errors(client: ICGPU) -> None:
    with pytest.raises(ValidationError) as err:
        client.clusters.create(name="bad", version="9.99")
    assert err.value.field == "version" and "1.29, 1.30, 1.31" in str(err.value)
    with pytest.raises(ValidationError) as err:
        client.clusters.create(name="Not_A_Name")
    assert err.value.field == "name"
    client.clusters.create(name="twice")
    with pytest.raises(ConflictError):
        client.clusters.create(name="twice")
    assert [c.name for c in client.clusters.list()] == ["twice"]


async def test_async_clusters(server: Server, fresh_key: str) -> None:
    async with AsyncICGPU(api_key=fresh_key, base_url=server.url, timeout=30) as client:
        clusters = client.clusters
        assert await clusters.versions() == ["1.29", "1.30", "1.31"]
        made = (await clusters.create(name="async-cluster")).cluster
        running = await clusters.wait_running(made.id, timeout=30, interval=0.1)
        assert running.version == "1.31"
        assert [c.id async for c in clusters.list()] == [made.id]
        assert (await clusters.kubeconfig(made.id)).context == "async-cluster"
        assert (await clusters.delete(made.id, dry_run=True)).dry_run is True
        assert (await clusters.delete(made.id)).cluster.status.value == "DELETING"
        with pytest.raises(NotFoundError):
            await clusters.kubeconfig(made.id)
