"""SSH keys and key groups. A key belongs to the account that uploaded it; its fingerprint is
unique in the tenant. Groups collect the owner's keys; an instance created with a group grants
every key in it."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth.principal import Principal
from icgpu.db.database import Database
from icgpu.db.tables import SshKey, SshKeyGroup, SshKeyGroupMember
from icgpu.errors import Conflict, NotFound
from icgpu.ids import new_id, well_formed
from icgpu.services import access
from icgpu.services.pagination import Page, PageCodec, PageRequest
from icgpu.services.ssh_material import generate_ed25519, parse_public_key
from icgpu.services.validation import Input

SCOPE = "keys"


class SshKeyUpload(Input):
    name: str = Field(min_length=1, max_length=100)
    public_key: str = Field(min_length=1, max_length=16384)


class SshKeyGenerate(Input):
    name: str = Field(min_length=1, max_length=100)


class GroupCreate(Input):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=2000)


class GroupAddKey(Input):
    ssh_key_id: str = Field(min_length=1, max_length=40)


@dataclass(frozen=True)
class GeneratedKey:
    key: SshKey
    private_key: str | None  # returned once, never stored; None in a dry run


@dataclass(frozen=True)
class GroupView:
    group: SshKeyGroup
    keys: list[SshKey]


class SshKeyService:
    def __init__(self, db: Database, pages: PageCodec) -> None:
        self.db = db
        self.pages = pages

    # -- keys ------------------------------------------------------------------------------------

    async def upload(self, principal: Principal, data: SshKeyUpload, *, dry_run: bool = False) -> SshKey:
        principal.require(SCOPE, "write")
        parsed = parse_public_key(data.public_key)
        return await self._store(principal, data.name, parsed.public_key, parsed.key_type, parsed.bits,
                                 parsed.fingerprint, dry_run=dry_run)

    async def generate(self, principal: Principal, data: SshKeyGenerate, *, dry_run: bool = False) -> GeneratedKey:
        """A new ed25519 pair; the private key is returned once and never stored (nor made in a dry run,
        whose preview carries a sample public key)."""
        principal.require(SCOPE, "write")
        public, private = generate_ed25519(data.name)
        parsed = parse_public_key(public)
        key = await self._store(principal, data.name, parsed.public_key, parsed.key_type, parsed.bits,
                                parsed.fingerprint, dry_run=dry_run)
        return GeneratedKey(key, None if dry_run else private)

    async def get(self, principal: Principal, key_id: str) -> SshKey:
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            return await self._own_key(s, principal, key_id)

    async def _store(self, principal: Principal, name: str, public_key: str, key_type: str, bits: int,
                     fp: str, *, dry_run: bool) -> SshKey:
        key = SshKey(id=new_id("key"), tenant_id=principal.tenant_id, account_id=principal.account_id, name=name,
                     public_key=public_key, key_type=key_type, bits=bits, fingerprint=fp)
        try:
            async with self.db.transaction(dry_run=dry_run) as s:
                if await s.scalar(select(SshKey.id).where(SshKey.tenant_id == principal.tenant_id,
                                                          SshKey.fingerprint == fp)):
                    raise self._duplicate(fp)
                s.add(key)
                await s.flush()
        except IntegrityError:
            raise self._duplicate(fp) from None
        return key

    @staticmethod
    def _duplicate(fp: str) -> Conflict:
        return Conflict(f"an SSH key with fingerprint {fp} already exists in this tenant",
                        code="ResourceAlreadyExists")

    async def list(self, principal: Principal, page: PageRequest) -> Page[SshKey]:
        principal.require(SCOPE, "read")
        stmt = select(SshKey).where(access.owned_by(principal, SshKey))
        async with self.db.read() as s:
            return await self.pages.fetch(s, stmt, page, scope=f"ssh-keys:{principal.account_id}", model=SshKey)

    async def delete(self, principal: Principal, key_id: str, *, dry_run: bool = False) -> SshKey:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            key = await self._own_key(s, principal, key_id)
            await s.execute(delete(SshKeyGroupMember).where(SshKeyGroupMember.ssh_key_id == key.id))
            await s.delete(key)
        return key

    # -- groups ----------------------------------------------------------------------------------

    async def create_group(self, principal: Principal, data: GroupCreate, *, dry_run: bool = False) -> GroupView:
        principal.require(SCOPE, "write")
        group = SshKeyGroup(id=new_id("grp"), tenant_id=principal.tenant_id, account_id=principal.account_id,
                            name=data.name, description=data.description)
        try:
            async with self.db.transaction(dry_run=dry_run) as s:
                s.add(group)
                await s.flush()
        except IntegrityError:
            raise Conflict(f"a key group named '{data.name}' already exists", code="ResourceAlreadyExists") from None
        return GroupView(group, [])

    async def list_groups(self, principal: Principal, page: PageRequest) -> Page[GroupView]:
        principal.require(SCOPE, "read")
        stmt = select(SshKeyGroup).where(access.owned_by(principal, SshKeyGroup))
        async with self.db.read() as s:
            groups = await self.pages.fetch(s, stmt, page, scope=f"ssh-key-groups:{principal.account_id}",
                                            model=SshKeyGroup)
            keys = await _keys_of(s, [g.id for g in groups.items])
        return Page([GroupView(g, keys.get(g.id, [])) for g in groups.items], groups.next_token)

    async def get_group(self, principal: Principal, group_id: str) -> GroupView:
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            group = await self._own_group(s, principal, group_id)
            return GroupView(group, (await _keys_of(s, [group.id])).get(group.id, []))

    async def add_key(self, principal: Principal, group_id: str, data: GroupAddKey, *,
                      dry_run: bool = False) -> GroupView:
        principal.require(SCOPE, "write")
        try:
            async with self.db.transaction(dry_run=dry_run) as s:
                group = await self._own_group(s, principal, group_id)
                key = await self._own_key(s, principal, data.ssh_key_id)
                if await s.get(SshKeyGroupMember, (group.id, key.id)) is not None:
                    raise Conflict(f"key {key.id} is already in group {group.id}", code="ResourceAlreadyExists")
                s.add(SshKeyGroupMember(group_id=group.id, ssh_key_id=key.id))
                await s.flush()
                keys = (await _keys_of(s, [group.id])).get(group.id, [])
        except IntegrityError:
            raise Conflict(f"key {data.ssh_key_id} is already in group {group_id}",
                           code="ResourceAlreadyExists") from None
        return GroupView(group, keys)

    async def remove_key(self, principal: Principal, group_id: str, key_id: str, *,
                         dry_run: bool = False) -> GroupView:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            group = await self._own_group(s, principal, group_id)
            link = await s.get(SshKeyGroupMember, (group.id, key_id)) if well_formed(key_id, "key") else None
            if link is None:
                raise NotFound(f"key {key_id} is not in group {group.id}")
            await s.delete(link)
            await s.flush()
            keys = (await _keys_of(s, [group.id])).get(group.id, [])
        return GroupView(group, keys)

    async def delete_group(self, principal: Principal, group_id: str, *, dry_run: bool = False) -> GroupView:
        """Delete a key group; its keys stay. Instances created with it no longer name a group."""
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            group = await self._own_group(s, principal, group_id)
            keys = (await _keys_of(s, [group.id])).get(group.id, [])
            await s.execute(delete(SshKeyGroupMember).where(SshKeyGroupMember.group_id == group.id))
            await s.delete(group)
        return GroupView(group, keys)

    async def require_group(self, s: AsyncSession, principal: Principal, group_id: str) -> SshKeyGroup:
        return await self._own_group(s, principal, group_id)

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    async def _own_key(s: AsyncSession, principal: Principal, key_id: str) -> SshKey:
        key: SshKey = await access.load_visible(s, principal, SshKey, key_id, "key", "SSH key")
        return key

    @staticmethod
    async def _own_group(s: AsyncSession, principal: Principal, group_id: str) -> SshKeyGroup:
        group: SshKeyGroup = await access.load_visible(s, principal, SshKeyGroup, group_id, "grp", "SSH key group")
        return group


async def _keys_of(s: AsyncSession, group_ids: list[str]) -> dict[str, list[SshKey]]:
    if not group_ids:
        return {}
    rows = (await s.execute(
        select(SshKeyGroupMember.group_id, SshKey).join(SshKey, SshKey.id == SshKeyGroupMember.ssh_key_id)
        .where(SshKeyGroupMember.group_id.in_(group_ids)).order_by(SshKeyGroupMember.created_at, SshKey.id)
    )).all()
    out: dict[str, list[SshKey]] = {}
    for gid, key in rows:
        out.setdefault(gid, []).append(key)
    return out


async def authorized_keys(s: AsyncSession, ssh_key: str | None, group_id: str | None) -> str:
    """The authorized_keys file for an instance: its own key line, then every key of its group."""
    lines = [ssh_key] if ssh_key else []
    if group_id:
        for key in (await _keys_of(s, [group_id])).get(group_id, []):
            if key.public_key not in lines:
                lines.append(key.public_key)
    return "".join(line + "\n" for line in lines)
