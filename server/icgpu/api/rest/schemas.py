"""The REST response shapes, for the OpenAPI document only.

Handlers build plain dicts (FastAPI never validates responses through these models: that would
cost time on every call); tests/server/test_rest_routes.py checks real responses against the
schemas generated from these classes, so the two cannot drift apart unnoticed. Enumerations are
taken from the services, so the document follows the rules it describes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from icgpu.auth.principal import ALL_SCOPES, PERMISSIONS
from icgpu.errors import ERROR_TYPES
from icgpu.services.instance_states import Status
from icgpu.services.teams import Role
from icgpu.services.tiers import TIERS, WORKLOAD_TYPES


def one_of(values: Iterable[str], description: str | None = None) -> Any:
    """A string field restricted to ``values`` (an enum in the document)."""
    return Field(json_schema_extra={"enum": list(values)}, description=description)


def list_of(values: Iterable[str]) -> Any:
    return Field(json_schema_extra={"items": {"type": "string", "enum": list(values)}})


TIER_IDS = tuple(TIERS)
STATUSES = tuple(s.value for s in Status)
ERROR_TYPE_NAMES = tuple(sorted({e.type for e in ERROR_TYPES}))


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class Shape(BaseModel):
    """A documented response object: every field listed, nothing else sent."""

    model_config = ConfigDict(extra="forbid")


# -- errors -------------------------------------------------------------------------------------------

class ErrorDetail(Shape):
    type: str = one_of(ERROR_TYPE_NAMES)
    code: str = Field(description="a finer reason, e.g. InvalidStateTransition; equals type when none")
    message: str
    request_id: str | None = Field(description="the X-Request-Id of the call")
    field: str | SkipJsonSchema[None] = Field(
        default=None, description="the input field at fault, when there is one; absent otherwise",
        json_schema_extra=_no_default)


class Error(Shape):
    """The body of every error response."""

    error: ErrorDetail


# -- GPU tiers and instances -------------------------------------------------------------------------

class Tier(Shape):
    id: str = one_of(TIER_IDS)
    name: str
    isolation: str
    description: str
    gpu_memory_gb: int
    price_per_hour: float
    batch_price_per_hour: float
    batch_discount_percent: int
    capacity: int | None = Field(description="slots of this tier in the cluster; null when unknown")
    available: int | None


class TierList(Shape):
    tiers: list[Tier]


class Instance(Shape):
    id: str
    name: str
    tier: str = one_of(TIER_IDS)
    workload_type: str = one_of(WORKLOAD_TYPES)
    storage_gb: int
    ssh_key: str | None
    ssh_key_group: str | None
    team_id: str | None
    status: str = one_of(STATUSES)
    status_reason: str | None
    ssh_host: str | None
    ssh_port: int | None
    hourly_price: float
    account_id: str
    created_at: datetime
    updated_at: datetime
    terminated_at: datetime | None
    auto_stop_after_minutes: int | None = Field(
        description="stopped after running this many minutes (each start counts anew); null: never")
    auto_stop_at: datetime | None = Field(description="when a running instance will be auto-stopped")


class InstanceList(Shape):
    instances: list[Instance]
    nextToken: str | None = Field(description="pass as nextToken for the next page; null on the last")


# -- identity -----------------------------------------------------------------------------------------

class Team(Shape):
    id: str
    name: str
    description: str
    created_by: str
    created_at: datetime
    role: Role | None = Field(
        description="the caller's role in the team; null when not a member")


class TeamList(Shape):
    teams: list[Team]
    nextToken: str | None


class Member(Shape):
    id: str
    team_id: str
    account_id: str
    email: str
    role: Role
    created_at: datetime


class MemberList(Shape):
    members: list[Member]
    nextToken: str | None


class ApiKey(Shape):
    id: str
    name: str
    prefix: str
    scopes: list[str] = list_of(ALL_SCOPES)
    permissions: list[str] = list_of(PERMISSIONS)
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class CreatedApiKey(ApiKey):
    key: str | None = Field(description="the secret, shown once; null when an Idempotency-Key replays the call")


class ApiKeyList(Shape):
    api_keys: list[ApiKey]
    nextToken: str | None


class Tenant(Shape):
    id: str
    name: str


class TeamMembership(Shape):
    team: Team
    role: Role


class Me(Shape):
    """The caller; the same fields as GraphQL ``viewer`` (snake_case here)."""

    id: str
    email: str
    role: str
    tenant: Tenant
    teams: list[TeamMembership]
    credential_type: Literal["oidc", "api_key"]
    api_key_id: str | None
    scopes: list[str] = list_of(ALL_SCOPES)
    permissions: list[str] = list_of(PERMISSIONS)


# -- SSH keys -----------------------------------------------------------------------------------------

class SshKey(Shape):
    id: str
    name: str
    public_key: str
    fingerprint: str
    key_type: str
    bits: int
    created_at: datetime


class SshKeyList(Shape):
    ssh_keys: list[SshKey]
    nextToken: str | None


class GeneratedSshKey(Shape):
    ssh_key: SshKey
    private_key: str | None = Field(description="OpenSSH private key, shown once; null on an Idempotency-Key replay")


class SshKeyGroup(Shape):
    id: str
    name: str
    description: str
    created_at: datetime
    keys: list[SshKey]


class SshKeyGroupList(Shape):
    ssh_key_groups: list[SshKeyGroup]
    nextToken: str | None


# -- dry runs: {"dryRun": true, "valid": true, "<resource>": <the resource as it would be after>} -------

class DryRun(Shape):
    dryRun: Literal[True]
    valid: Literal[True]


class DryRunInstance(DryRun):
    instance: Instance


class DryRunTeam(DryRun):
    team: Team


class DryRunMember(DryRun):
    member: Member


class DryRunApiKey(DryRun):
    api_key: ApiKey


class DryRunSshKey(DryRun):
    ssh_key: SshKey


class DryRunSshKeyGroup(DryRun):
    ssh_key_group: SshKeyGroup


# -- health (documented here for health.py's routes) ---------------------------------------------------

class Health(Shape):
    status: Literal["ok"]


class Ready(Shape):
    status: Literal["ready"]
    database: Literal["sqlite", "postgresql"]
