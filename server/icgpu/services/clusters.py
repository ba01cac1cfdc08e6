"""Virtual Kubernetes clusters: creation (with a CA and a bearer credential), reads, deletion and
the kubeconfig. The cluster reconciler (workers/cluster_reconciler.py) moves clusters through the
control-plane states; both sides change status only through ``move``.

A cluster holds no GPU of the shared inventory and no storage quota: its control plane runs beside
the GPU nodes (the local simulator records its server URL; issue 12's provisioner runs vCluster).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth.principal import Principal
from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables_clusters import Cluster
from icgpu.errors import AccessDenied, Conflict, NotFound
from icgpu.events import outbox
from icgpu.ids import new_id, well_formed
from icgpu.provisioning.clusters import BearerToken, ClusterProvisioner
from icgpu.services import access, kubeconfig
from icgpu.services.cluster_states import CREDENTIAL_LIVE, EVENT_FOR, ClusterStatus, can_move
from icgpu.services.pagination import Page, PageCodec, PageRequest
from icgpu.services.signals import Signals
from icgpu.services.validation import NAME_RE, Input, resource_name
from icgpu.settings import Settings

SCOPE = "clusters"
PREFIX = "cls"
# Kubernetes minor versions a new cluster may run, oldest first; the last is the default.
VERSIONS: tuple[str, ...] = ("1.29", "1.30", "1.31")
DEFAULT_VERSION = VERSIONS[-1]
_VERSION_LIST = ", ".join(VERSIONS)


class ClusterCreate(Input):
    """What a caller may send to create a cluster (REST body and GraphQL input alike)."""

    name: str = Field(min_length=1, max_length=63, json_schema_extra={"pattern": NAME_RE.pattern})
    version: str = Field(default=DEFAULT_VERSION, max_length=20, json_schema_extra={"enum": list(VERSIONS)},
                         description="Kubernetes minor version")
    team_id: str | None = Field(default=None, max_length=40, description="share with this team")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return resource_name(v)

    @field_validator("version", mode="before")
    @classmethod
    def _version_type(cls, v: Any) -> Any:
        # Before the type check, so a number (1.31) is told the supported versions too.
        if not isinstance(v, str):
            raise ValueError(f"unsupported Kubernetes version {type(v).__name__} {str(v)[:40]}; "
                             f"choose one of: {_VERSION_LIST} (a string)")
        return v

    @field_validator("version")
    @classmethod
    def _version(cls, v: str) -> str:
        if v not in VERSIONS:
            raise ValueError(f"unsupported Kubernetes version {v[:40]!r}; choose one of: {_VERSION_LIST}")
        return v


def snapshot(c: Cluster) -> dict[str, Any]:
    """What events say about a cluster (never a credential)."""
    return {"id": c.id, "name": c.name, "version": c.version, "status": c.status,
            "status_reason": c.status_reason, "team_id": c.team_id, "server_url": c.server_url}


def move(session: AsyncSession, c: Cluster, target: ClusterStatus, *, reason: str | None = None) -> None:
    """Change status in the caller's transaction and write the matching event. Leaving the states
    with a credential revokes it and drops the CA's key."""
    previous = c.status
    if not can_move(previous, target):
        raise Conflict(f"cluster {c.id} is {previous}; it cannot become {target.value}",
                       code="InvalidStateTransition")
    now = utcnow()
    c.status = target.value
    c.status_reason = reason
    c.updated_at = now
    if target not in CREDENTIAL_LIVE:
        c.token_hash = None
        c.token_salt = None
        c.ca_key_pem = None
    if target is ClusterStatus.TERMINATED:
        c.terminated_at = now
        c.server_url = None
    outbox.record(session, EVENT_FOR[target], tenant_id=c.tenant_id, account_id=c.account_id, team_id=c.team_id,
                  resource_type="cluster", resource_id=c.id, data={**snapshot(c), "previous_status": previous})


class ClusterService:
    def __init__(self, db: Database, settings: Settings, pages: PageCodec, signals: Signals,
                 provisioner: ClusterProvisioner) -> None:
        self.db = db
        self.settings = settings
        self.pages = pages
        self.signals = signals
        self.provisioner = provisioner

    @staticmethod
    def versions() -> list[str]:
        return list(VERSIONS)

    # -- reads -----------------------------------------------------------------------------------

    async def get_many(self, principal: Principal, ids: Sequence[str]) -> list[Cluster | None]:
        wanted = [i for i in ids if well_formed(i, PREFIX)]
        async with self.db.read() as s:
            rows = (await s.scalars(select(Cluster).where(Cluster.id.in_(wanted)))).all() if wanted else []
            found = {r.id: r for r in rows if await access.can_see(s, principal, r)}
        return [found.get(i) for i in ids]

    async def list(self, principal: Principal, page: PageRequest) -> Page[Cluster]:
        """Clusters the caller can see (their own and their teams'), oldest first, terminated ones aside."""
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            teams = sorted(await access.team_ids(s, principal))
            owner = Cluster.account_id == principal.account_id
            if teams:
                owner = or_(owner, Cluster.team_id.in_(teams))
            stmt = select(Cluster).where(and_(Cluster.tenant_id == principal.tenant_id, owner,
                                              Cluster.status != ClusterStatus.TERMINATED.value))
            return await self.pages.fetch(s, stmt, page, scope=f"clusters:{principal.account_id}", model=Cluster)

    async def get(self, principal: Principal, cluster_id: str) -> Cluster:
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            c: Cluster = await access.load_visible(s, principal, Cluster, cluster_id, PREFIX, "cluster")
        return c

    async def kubeconfig(self, principal: Principal, cluster_id: str) -> kubeconfig.Kubeconfig:
        """The kubeconfig of a live cluster. Its token acts on the cluster, so it goes to those who
        may use the cluster, not to everyone who may see it: a credential with the ``clusters``
        scope and write permission, held by the cluster's creator or a member (not a viewer) of its
        team. A deleted cluster's credential is revoked: 404. Before the control plane has an
        address: 409 ClusterNotReady. With the Kubernetes provisioner the host cluster issued the
        credential (a ServiceAccount token, or vCluster's client certificate): it is read from there on
        each download, and 409 until it is issued."""
        principal.require(SCOPE, "write")
        c = await self.get(principal, cluster_id)
        if c.account_id != principal.account_id:
            async with self.db.read() as s:
                role = await access.team_role(s, principal, c.team_id)
            if not access.at_least(role, "member"):
                raise AccessDenied("only the cluster's creator and its team's members (not viewers) can download "
                                   "its kubeconfig: it holds a credential that acts on the cluster",
                                   code="TeamRoleTooLow")
        if c.status not in CREDENTIAL_LIVE or c.token_salt is None:
            raise NotFound(f"cluster {cluster_id} not found (deleted clusters have no kubeconfig)")
        not_ready = Conflict(f"cluster {c.id} is {c.status}: its API server has no address yet; "
                             "retry once it is running", code="ClusterNotReady")
        if c.server_url is None:
            raise not_ready
        if self.provisioner.issues_credentials:
            # The host cluster issued the credential (a ServiceAccount token, or the client certificate
            # of vCluster's kubeconfig): read it from there.
            issued = await self.provisioner.credential(c.id)
            if issued is None:
                raise not_ready
            return kubeconfig.Kubeconfig(cluster_id=c.id, context=c.name, server_url=issued.server_url,
                                         ca_cert_pem=issued.ca_cert_pem, credential=issued.user,
                                         namespace=issued.namespace)
        return kubeconfig.Kubeconfig(cluster_id=c.id, context=c.name, server_url=c.server_url,
                                     ca_cert_pem=c.ca_cert_pem,
                                     credential=BearerToken(kubeconfig.token_for(self._secret, c.id, c.token_salt)))

    async def authenticate(self, token: str) -> Cluster | None:
        """The live cluster a bearer token belongs to, or None (for a control plane checking it)."""
        async with self.db.read() as s:
            c = await s.scalar(select(Cluster).where(Cluster.token_hash == kubeconfig.token_hash(token)))
        return c if c is not None and c.status in CREDENTIAL_LIVE else None

    # -- writes ----------------------------------------------------------------------------------

    async def create(self, principal: Principal, data: ClusterCreate, *, dry_run: bool = False) -> Cluster:
        principal.require(SCOPE, "write")
        cluster_id = new_id(PREFIX)
        ca = kubeconfig.make_ca(self._secret, cluster_id, data.name)
        salt = kubeconfig.new_token_salt()
        async with self.db.transaction(dry_run=dry_run) as s:
            await access.check_share_team(s, principal, data.team_id)
            await self._check_name_free(s, principal, data.name)
            now = utcnow()
            c = Cluster(
                id=cluster_id,
                tenant_id=principal.tenant_id,
                account_id=principal.account_id,
                team_id=data.team_id,
                name=data.name,
                version=data.version,
                status=ClusterStatus.PENDING.value,
                ca_cert_pem=ca.cert_pem,
                ca_key_pem=ca.key_pem,
                token_salt=salt,
                token_hash=kubeconfig.token_hash(kubeconfig.token_for(self._secret, cluster_id, salt)),
                created_at=now,
                updated_at=now,
            )
            s.add(c)
            outbox.record(s, "cluster.created", tenant_id=c.tenant_id, account_id=c.account_id, team_id=c.team_id,
                          resource_type="cluster", resource_id=c.id, data={**snapshot(c), "previous_status": None})
            try:
                await s.flush()
            except IntegrityError:
                raise self._name_taken(data.name) from None
        self._changed(dry_run)
        return c

    async def delete(self, principal: Principal, cluster_id: str, *, dry_run: bool = False) -> Cluster:
        """Revoke the credential at once and tear the control plane down (deleting -> terminated)."""
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            c: Cluster = await access.load_visible(s, principal, Cluster, cluster_id, PREFIX, "cluster",
                                                   for_update=True)
            await access.require_manage(s, principal, c, "cluster")
            if c.status in (ClusterStatus.DELETING.value, ClusterStatus.TERMINATED.value):
                raise Conflict(f"cluster {c.id} is already {c.status}", code="InvalidStateTransition")
            move(s, c, ClusterStatus.DELETING, reason="delete requested")
        self._changed(dry_run)
        return c

    # -- helpers ---------------------------------------------------------------------------------

    @property
    def _secret(self) -> bytes:
        return self.settings.resolved_secret_key

    def _changed(self, dry_run: bool) -> None:
        if not dry_run:
            self.signals.changed()

    async def _check_name_free(self, s: AsyncSession, principal: Principal, name: str) -> None:
        taken = await s.scalar(select(Cluster.id).where(
            Cluster.account_id == principal.account_id, Cluster.name == name,
            Cluster.status.not_in((ClusterStatus.DELETING.value, ClusterStatus.TERMINATED.value))))
        if taken:
            raise self._name_taken(name)

    @staticmethod
    def _name_taken(name: str) -> Conflict:
        return Conflict(f"a cluster named '{name}' already exists", code="ResourceAlreadyExists")
