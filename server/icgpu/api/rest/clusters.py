"""/api/v1/clusters: virtual Kubernetes clusters and their kubeconfig. Protocol mapping only:
every rule is in services/clusters.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ConfigDict, Field
from pydantic.config import JsonDict

from icgpu.api.encoding import dumps_utf8
from icgpu.api.kubeconfig_parts import KubeconfigParts
from icgpu.api.rest import schemas
from icgpu.api.rest.body import read_json
from icgpu.api.rest.deps import CurrentPrincipal, DryRun, PageDep, PlatformDep
from icgpu.api.rest.docs import operation
from icgpu.api.rest.dry_run import created, written
from icgpu.api.rest.identity import iso
from icgpu.api.rest.reply import ok
from icgpu.api.rest.route import AuthedRoute
from icgpu.db.tables_clusters import Cluster as ClusterRow
from icgpu.services.cluster_states import ClusterStatus
from icgpu.services.clusters import VERSIONS, ClusterCreate
from icgpu.services.kubeconfig import Kubeconfig as KubeconfigView
from icgpu.services.validation import parse

router = APIRouter(prefix="/api/v1/clusters", tags=["clusters"], route_class=AuthedRoute)
YAML = "application/yaml"


# -- documented shapes --------------------------------------------------------------------------------

class Cluster(schemas.Shape):
    id: str
    name: str
    version: str = schemas.one_of(VERSIONS)
    status: str = schemas.one_of(s.value for s in ClusterStatus)
    status_reason: str | None
    team_id: str | None
    server_url: str | None = Field(description="the API server's URL, once the control plane has one")
    account_id: str
    created_at: datetime
    updated_at: datetime
    terminated_at: datetime | None


class ClusterList(schemas.Shape):
    clusters: list[Cluster]
    nextToken: str | None = Field(description="pass as nextToken for the next page; null on the last")


class DryRunCluster(schemas.DryRun):
    cluster: Cluster


CREDENTIAL_KINDS: JsonDict = {"oneOf": [
    {"title": "bearer token", "properties": {"token": {"type": "string"}, "client_certificate_data": {"type": "null"},
                                             "client_key_data": {"type": "null"}}},
    {"title": "client certificate", "properties": {"token": {"type": "null"},
                                                   "client_certificate_data": {"type": "string"},
                                                   "client_key_data": {"type": "string"}}},
]}


class Kubeconfig(schemas.Shape):
    """With ``Accept: application/json``: the kubeconfig and its parts. Otherwise the answer is the
    kubeconfig itself, as ``application/yaml``. The user authenticates with a bearer token or with a
    client certificate and its key: exactly one of the two is set, the other null."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=CREDENTIAL_KINDS)

    cluster_id: str
    context: str = Field(description="the kubeconfig's current context (the cluster's name)")
    namespace: str
    server_url: str
    certificate_authority_data: str = Field(description="the cluster CA's PEM certificate, base64")
    token: str | None = Field(description="the cluster's bearer credential; revoked when the cluster is deleted; "
                                          "null when the user authenticates with a client certificate")
    client_certificate_data: str | None = Field(
        description="the user's PEM client certificate, base64 (kubeconfig's client-certificate-data); "
                    "null when the user authenticates with a token")
    client_key_data: str | None = Field(
        description="the client certificate's PEM private key, base64 (kubeconfig's client-key-data); "
                    "null when the user authenticates with a token")
    kubeconfig: str = Field(description="the whole kubeconfig, YAML")


# -- JSON ----------------------------------------------------------------------------------------------

def cluster_json(c: ClusterRow) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "version": c.version, "status": c.status, "status_reason": c.status_reason,
            "team_id": c.team_id, "server_url": c.server_url, "account_id": c.account_id,
            "created_at": iso(c.created_at), "updated_at": iso(c.updated_at), "terminated_at": iso(c.terminated_at)}


def kubeconfig_json(k: KubeconfigView) -> dict[str, Any]:
    parts = KubeconfigParts.of(k)
    return {"cluster_id": k.cluster_id, "context": k.context, "namespace": k.namespace, "server_url": k.server_url,
            "certificate_authority_data": parts.certificate_authority_data, "token": parts.token,
            "client_certificate_data": parts.client_certificate_data, "client_key_data": parts.client_key_data,
            "kubeconfig": k.yaml()}


def wants_json(accept: str | None) -> bool:
    """JSON only when asked for it (and YAML not); curl's ``*/*`` and kubectl tooling get YAML."""
    accept = (accept or "").lower()
    return "application/json" in accept and "yaml" not in accept


# -- routes --------------------------------------------------------------------------------------------

@router.post("", **operation(Cluster, status=201, body=ClusterCreate, dry_run=DryRunCluster))
async def create_cluster(request: Request, response: Response, platform: PlatformDep, principal: CurrentPrincipal,
                         dry_run: DryRun) -> dict[str, Any]:
    data = parse(ClusterCreate, await read_json(request))
    c = await platform.clusters.create(principal, data, dry_run=dry_run)
    return created(response, dry_run, "cluster", cluster_json(c), f"/api/v1/clusters/{c.id}")


@router.get("", **operation(ClusterList))
async def list_clusters(platform: PlatformDep, principal: CurrentPrincipal, page: PageDep) -> Response | dict[str, Any]:
    result = await platform.clusters.list(principal, page)
    return ok(platform, {"clusters": [cluster_json(c) for c in result.items], "nextToken": result.next_token})


@router.get("/{cluster_id}", **operation(Cluster))
async def get_cluster(cluster_id: str, platform: PlatformDep, principal: CurrentPrincipal) -> Response | dict[str, Any]:
    return ok(platform, cluster_json(await platform.clusters.get(principal, cluster_id)))


def _obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}


def _named(key: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "minItems": 1, "maxItems": 1, "items": _obj(name={"type": "string"}, **{key: body})}


STR = {"type": "string"}
# The kubeconfig document as YAML readers see it (one cluster, one user, one context).
KUBECONFIG_YAML = {**_obj(
    apiVersion={"const": "v1"}, kind={"const": "Config"},
    clusters=_named("cluster", _obj(**{"server": STR, "certificate-authority-data": STR})),
    users=_named("user", {"oneOf": [_obj(token=STR),  # a bearer token, or a client certificate and its key
                                     _obj(**{"client-certificate-data": STR, "client-key-data": STR})]}),
    contexts=_named("context", _obj(cluster=STR, user=STR, namespace=STR)),
    **{"current-context": STR, "preferences": {"type": "object"}}),
    "description": "a kubeconfig file (YAML)"}
_KUBECONFIG = operation(Kubeconfig, summary="Download Kubeconfig")
_KUBECONFIG["responses"][200]["content"] = {YAML: {"schema": KUBECONFIG_YAML}}
_KUBECONFIG["responses"][200]["description"] = (
    "the kubeconfig as application/yaml (current context, server URL, CA data, and a bearer token or a "
    "client certificate and its key); "
    "with Accept: application/json, the Kubeconfig object")
_KUBECONFIG["responses"][409] = {"model": schemas.Error,
                                 "description": "ConflictException (ClusterNotReady): the control plane has no "
                                                "address yet; retry once the cluster is running"}


@router.get("/{cluster_id}/kubeconfig", **_KUBECONFIG)
async def get_kubeconfig(cluster_id: str, request: Request, platform: PlatformDep,
                         principal: CurrentPrincipal) -> Response:
    k = await platform.clusters.kubeconfig(principal, cluster_id)
    headers = {"Cache-Control": "no-store"}  # it holds a credential
    if wants_json(request.headers.get("accept")):
        return Response(dumps_utf8(kubeconfig_json(k)), media_type="application/json", headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="kubeconfig-{k.context}.yaml"'
    return Response(k.yaml(), media_type=YAML, headers=headers)


@router.delete("/{cluster_id}", **operation(Cluster, dry_run=DryRunCluster))
async def delete_cluster(cluster_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                         dry_run: DryRun) -> dict[str, Any]:
    return written(dry_run, "cluster", cluster_json(await platform.clusters.delete(principal, cluster_id,
                                                                                   dry_run=dry_run)))
