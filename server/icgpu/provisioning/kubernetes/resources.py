"""Kind-agnostic calls on the Kubernetes API for any ``ObjectType``, on plain JSON manifests.

The provisioner applies, reads, lists and deletes the objects of every kind of workload (Pods,
PVCs, Jobs, KubeVirt VirtualMachines, KubeAI Models ...) the same way, so it talks to the API by
path with kubernetes-asyncio's ``ApiClient.call_api`` instead of one typed method per type.
Server-side apply uses the field manager ``icgpu`` and forces ownership of the fields it sets.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from kubernetes_asyncio import client

from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType
from icgpu.provisioning.kubernetes.naming import MANAGER

log = logging.getLogger(__name__)

AUTH = ["BearerToken"]
JSON_TYPES = {200: "object", 201: "object", 202: "object"}
REQUEST_TIMEOUT = 30.0  # seconds, for every call but a watch

CONFIG_MAP = ObjectType("", "v1", "configmaps", "ConfigMap")
NAMESPACE = ObjectType("", "v1", "namespaces", "Namespace")
NODE = ObjectType("", "v1", "nodes", "Node")
POD = ObjectType("", "v1", "pods", "Pod")
RESOURCE_QUOTA = ObjectType("", "v1", "resourcequotas", "ResourceQuota")
EVENT = ObjectType("", "v1", "events", "Event")
CRD = ObjectType("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition")
PLURALS = {"NetworkPolicy": "networkpolicies"}  # kinds whose plural is not the kind lower-cased + s


def collection_path(type_: ObjectType, namespace: str | None = None) -> str:
    """``/api/v1/namespaces/ns/pods``; without a namespace the type's objects in every namespace
    (or a cluster-scoped type's collection)."""
    base = f"/apis/{type_.group}/{type_.version}" if type_.group else f"/api/{type_.version}"
    if namespace is None:
        return f"{base}/{type_.plural}"
    return f"{base}/namespaces/{namespace}/{type_.plural}"


def object_path(type_: ObjectType, namespace: str | None, name: str) -> str:
    return f"{collection_path(type_, namespace)}/{name}"


def is_status(err: BaseException, *statuses: int) -> bool:
    return isinstance(err, client.ApiException) and err.status in statuses


def api_message(err: client.ApiException) -> str:
    """The API server's own message (the Status object's ``message``), else the HTTP reason."""
    try:
        return str(json.loads(err.body or "")["message"])
    except (TypeError, ValueError, KeyError):
        return f"{err.status} {err.reason}"


class Resources:
    def __init__(self, api: client.ApiClient) -> None:
        self.api = api

    async def _call(self, method: str, path: str, *, query: dict[str, Any] | None = None,
                    body: Any = None, content_type: str = "application/json") -> Manifest:
        result = await self.api.call_api(
            path, method, query_params=list((query or {}).items()),
            header_params={"Accept": "application/json", "Content-Type": content_type},
            body=body, response_types_map=JSON_TYPES, auth_settings=AUTH,
            _return_http_data_only=True, _request_timeout=REQUEST_TIMEOUT)
        return dict(result or {})

    async def apply(self, manifest: Manifest, *, namespace: str | None, dry_run: bool = False) -> Manifest:
        """Server-side apply of ``manifest`` (created if absent); returns the object as stored."""
        type_ = type_of(manifest)
        query: dict[str, Any] = {"fieldManager": MANAGER, "force": "true"}
        if dry_run:
            query["dryRun"] = "All"
        return await self._call("PATCH", object_path(type_, namespace, manifest["metadata"]["name"]), query=query,
                                body=manifest, content_type="application/apply-patch+yaml")

    async def merge_patch(self, type_: ObjectType, namespace: str | None, name: str, patch: Manifest) -> Manifest:
        """A JSON merge patch (a null value removes a key), as an update by the ``icgpu`` manager."""
        return await self._call("PATCH", object_path(type_, namespace, name), query={"fieldManager": MANAGER},
                                body=patch, content_type="application/merge-patch+json")

    async def get(self, type_: ObjectType, namespace: str | None, name: str) -> Manifest | None:
        try:
            return await self._call("GET", object_path(type_, namespace, name))
        except client.ApiException as err:
            if err.status == 404:
                return None
            raise

    async def list(self, type_: ObjectType, namespace: str | None = None, *, label_selector: str | None = None,
                   field_selector: str | None = None) -> Manifest:
        """The list object (``items`` and ``metadata.resourceVersion``)."""
        query = {k: v for k, v in (("labelSelector", label_selector), ("fieldSelector", field_selector)) if v}
        return await self._call("GET", collection_path(type_, namespace), query=query)

    async def delete(self, type_: ObjectType, namespace: str | None, name: str, *,
                     propagation: str = "Background", grace_seconds: int | None = None) -> bool:
        """Delete (idempotent); False when it was already gone."""
        body: Manifest = {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": propagation}
        if grace_seconds is not None:
            body["gracePeriodSeconds"] = grace_seconds
        try:
            await self._call("DELETE", object_path(type_, namespace, name), body=body)
        except client.ApiException as err:
            if err.status == 404:
                return False
            raise
        return True

    async def open_watch(self, type_: ObjectType, *, resource_version: str, label_selector: str | None,
                         timeout_seconds: int) -> Any:
        """A watch stream from ``resource_version`` (the raw aiohttp response: one JSON event a line).
        An error status (410 Gone for a version the server no longer has) raises ApiException."""
        query: dict[str, Any] = {"watch": "true", "resourceVersion": resource_version,
                                 "allowWatchBookmarks": "true", "timeoutSeconds": str(timeout_seconds)}
        if label_selector:
            query["labelSelector"] = label_selector
        response = await self.api.call_api(
            collection_path(type_), "GET", query_params=list(query.items()),
            header_params={"Accept": "application/json"}, auth_settings=AUTH, _preload_content=False,
            _request_timeout=timeout_seconds + 30)
        if not 200 <= response.status <= 299:
            body = await response.read()
            response.release()
            raise client.ApiException(status=response.status, reason=body.decode(errors="replace")[:500])
        return response


async def crd_installed(resources: Resources, name: str) -> bool:
    """Is the CRD ``name`` (``<plural>.<group>``) there? What an optional controller's objects need, asked
    once at start (VMs' CDI DataVolumes, vCluster's clusters). Reading CRDs needs a cluster-wide read;
    without it: not known, so no (logged)."""
    try:
        return await resources.get(CRD, None, name) is not None
    except client.ApiException as err:
        log.info("cannot tell whether %s is installed (%s)", name, api_message(err))
        return False


def type_of(manifest: Manifest) -> ObjectType:
    """The ObjectType of a manifest from its apiVersion and kind (plural: the kind lower-cased + s,
    which holds for every type the provisioner makes; a kind that differs says so in ``PLURALS``)."""
    group, _, version = manifest["apiVersion"].rpartition("/")
    kind = manifest["kind"]
    return ObjectType(group, version, PLURALS.get(kind, kind.lower() + "s"), kind)

