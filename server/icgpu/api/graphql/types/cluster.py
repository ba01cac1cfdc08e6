"""GraphQL types for virtual Kubernetes clusters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry
from strawberry.types import Info

from icgpu.api.graphql.loaders import selects
from icgpu.api.graphql.types.common import Account
from icgpu.api.graphql.types.payloads import MutationPayload
from icgpu.api.kubeconfig_parts import KubeconfigParts
from icgpu.db.tables_clusters import Cluster as ClusterRow
from icgpu.services.cluster_states import ClusterStatus as Status
from icgpu.services.clusters import DEFAULT_VERSION
from icgpu.services.kubeconfig import Kubeconfig as KubeconfigView

ClusterStatus = strawberry.enum(Status, name="ClusterStatus", description="Lifecycle status of a cluster.")


@strawberry.type(description="A virtual Kubernetes cluster with its own control plane and kubeconfig.")
class Cluster:
    id: strawberry.ID
    name: str
    version: str = strawberry.field(description="Kubernetes minor version (one of clusterVersions).")
    status: ClusterStatus  # type: ignore[valid-type]
    status_reason: str | None
    team_id: str | None
    server_url: str | None = strawberry.field(description="The API server's URL, once the control plane has one.")
    created_at: datetime
    updated_at: datetime
    terminated_at: datetime | None
    owner: Account | None = strawberry.field(description="The account that created the cluster.")

    @classmethod
    async def many(cls, info: Info, rows: Sequence[ClusterRow]) -> list[Cluster]:
        owners: dict[str, Account | None] = {}
        if rows and selects(info.selected_fields, "owner"):
            found = await info.context.loaders.accounts(r.account_id for r in rows)
            owners = {id_: Account.from_row(a) if a else None for id_, a in found.items()}
        return [cls(id=strawberry.ID(r.id), name=r.name, version=r.version, status=Status(r.status),
                    status_reason=r.status_reason, team_id=r.team_id, server_url=r.server_url,
                    created_at=r.created_at, updated_at=r.updated_at, terminated_at=r.terminated_at,
                    owner=owners.get(r.account_id)) for r in rows]

    @classmethod
    async def one(cls, info: Info, row: ClusterRow) -> Cluster:
        return (await cls.many(info, [row]))[0]


@strawberry.type(description="One page of clusters.")
class ClusterConnection:
    items: list[Cluster]
    next_token: str | None


@strawberry.type(description="A cluster's kubeconfig and its parts. It holds the cluster's credential: a bearer "
                             "token, or a client certificate and its key (exactly one of the two is set, the other "
                             "null).")
class Kubeconfig:
    cluster_id: strawberry.ID
    context: str = strawberry.field(description="The current context (the cluster's name).")
    namespace: str
    server_url: str
    certificate_authority_data: str = strawberry.field(description="The cluster CA's PEM certificate, base64.")
    token: str | None = strawberry.field(description="The bearer credential; revoked when the cluster is deleted. "
                                                     "Null when the user authenticates with a client certificate.")
    client_certificate_data: str | None = strawberry.field(
        description="The user's PEM client certificate, base64 (kubeconfig's client-certificate-data). Null when "
                    "the user authenticates with a token.")
    client_key_data: str | None = strawberry.field(
        description="The client certificate's PEM private key, base64 (kubeconfig's client-key-data). Null when "
                    "the user authenticates with a token.")
    kubeconfig: str = strawberry.field(description="The whole kubeconfig, YAML.")

    @classmethod
    def from_view(cls, k: KubeconfigView) -> Kubeconfig:
        parts = KubeconfigParts.of(k)
        return cls(cluster_id=strawberry.ID(k.cluster_id), context=k.context, namespace=k.namespace,
                   server_url=k.server_url, certificate_authority_data=parts.certificate_authority_data,
                   token=parts.token, client_certificate_data=parts.client_certificate_data,
                   client_key_data=parts.client_key_data, kubeconfig=k.yaml())


@strawberry.input(description="A new virtual Kubernetes cluster.")
class CreateClusterInput:
    name: str
    version: str = strawberry.field(default=DEFAULT_VERSION, description="one of clusterVersions")
    team_id: str | None = strawberry.field(default=None, description="share the cluster with this team")


@strawberry.type(description="A cluster as a mutation left it (or would leave it, in a dry run).")
class ClusterPayload(MutationPayload):
    cluster: Cluster
