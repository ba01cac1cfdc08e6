"""client.ssh_keys (create = upload, generate, list, get, delete) and client.ssh_key_groups."""

from __future__ import annotations

from .._pagination import AsyncPage, Page, SyncPage
from ..generated import aio as a
from ..generated import sync as g
from ._base import AsyncResource, SyncResource
from ._common import given


class SshKeys(SyncResource):
    def create(self, *, name: str, public_key: str, dry_run: bool = False) -> g.UploadSshKeyUploadSshKey:
        """Upload an OpenSSH public key."""
        return self._gen.upload_ssh_key(g.UploadSshKeyInput(name=name, public_key=public_key),
                                        dry_run=dry_run).upload_ssh_key

    def generate(self, *, name: str, dry_run: bool = False) -> g.GenerateSshKeyGenerateSshKey:
        """A new ed25519 pair; ``.private_key`` is shown this once and never stored."""
        return self._gen.generate_ssh_key(name, dry_run=dry_run).generate_ssh_key

    def list(self, *, max_results: int | None = None) -> SyncPage[g.SshKeyFields]:
        def fetch(token: str | None) -> Page[g.SshKeyFields]:
            res = self._gen.list_ssh_keys(max_results=max_results, next_token=token).ssh_keys
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def get(self, id: str) -> g.SshKeyFields:
        return self._gen.get_ssh_key(id).ssh_key

    def delete(self, id: str, *, dry_run: bool = False) -> g.DeleteSshKeyDeleteSshKey:
        return self._gen.delete_ssh_key(id, dry_run=dry_run).delete_ssh_key


class SshKeyGroups(SyncResource):
    def create(self, *, name: str, description: str | None = None,
               dry_run: bool = False) -> g.CreateSshKeyGroupCreateSshKeyGroup:
        spec = g.CreateSshKeyGroupInput(**given(name=name, description=description))
        return self._gen.create_ssh_key_group(spec, dry_run=dry_run).create_ssh_key_group

    def list(self, *, max_results: int | None = None) -> SyncPage[g.SshKeyGroupFields]:
        def fetch(token: str | None) -> Page[g.SshKeyGroupFields]:
            res = self._gen.list_ssh_key_groups(max_results=max_results, next_token=token).ssh_key_groups
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def get(self, id: str) -> g.SshKeyGroupFields:
        return self._gen.get_ssh_key_group(id).ssh_key_group

    def add_key(self, group_id: str, ssh_key_id: str, *,
                dry_run: bool = False) -> g.AddSshKeyToGroupAddSshKeyToGroup:
        return self._gen.add_ssh_key_to_group(group_id, ssh_key_id, dry_run=dry_run).add_ssh_key_to_group

    def remove_key(self, group_id: str, ssh_key_id: str, *,
                   dry_run: bool = False) -> g.RemoveSshKeyFromGroupRemoveSshKeyFromGroup:
        return self._gen.remove_ssh_key_from_group(group_id, ssh_key_id, dry_run=dry_run).remove_ssh_key_from_group

    def delete(self, id: str, *, dry_run: bool = False) -> g.DeleteSshKeyGroupDeleteSshKeyGroup:
        return self._gen.delete_ssh_key_group(id, dry_run=dry_run).delete_ssh_key_group


class AsyncSshKeys(AsyncResource):
    async def create(self, *, name: str, public_key: str, dry_run: bool = False) -> a.UploadSshKeyUploadSshKey:
        """Upload an OpenSSH public key."""
        return (await self._gen.upload_ssh_key(a.UploadSshKeyInput(name=name, public_key=public_key),
                                               dry_run=dry_run)).upload_ssh_key

    async def generate(self, *, name: str, dry_run: bool = False) -> a.GenerateSshKeyGenerateSshKey:
        """A new ed25519 pair; ``.private_key`` is shown this once and never stored."""
        return (await self._gen.generate_ssh_key(name, dry_run=dry_run)).generate_ssh_key

    def list(self, *, max_results: int | None = None) -> AsyncPage[a.SshKeyFields]:
        async def fetch(token: str | None) -> Page[a.SshKeyFields]:
            res = (await self._gen.list_ssh_keys(max_results=max_results, next_token=token)).ssh_keys
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    async def get(self, id: str) -> a.SshKeyFields:
        return (await self._gen.get_ssh_key(id)).ssh_key

    async def delete(self, id: str, *, dry_run: bool = False) -> a.DeleteSshKeyDeleteSshKey:
        return (await self._gen.delete_ssh_key(id, dry_run=dry_run)).delete_ssh_key


class AsyncSshKeyGroups(AsyncResource):
    async def create(self, *, name: str, description: str | None = None,
                     dry_run: bool = False) -> a.CreateSshKeyGroupCreateSshKeyGroup:
        spec = a.CreateSshKeyGroupInput(**given(name=name, description=description))
        return (await self._gen.create_ssh_key_group(spec, dry_run=dry_run)).create_ssh_key_group

    def list(self, *, max_results: int | None = None) -> AsyncPage[a.SshKeyGroupFields]:
        async def fetch(token: str | None) -> Page[a.SshKeyGroupFields]:
            res = (await self._gen.list_ssh_key_groups(max_results=max_results, next_token=token)).ssh_key_groups
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    async def get(self, id: str) -> a.SshKeyGroupFields:
        return (await self._gen.get_ssh_key_group(id)).ssh_key_group

    async def add_key(self, group_id: str, ssh_key_id: str, *,
                      dry_run: bool = False) -> a.AddSshKeyToGroupAddSshKeyToGroup:
        return (await self._gen.add_ssh_key_to_group(group_id, ssh_key_id, dry_run=dry_run)).add_ssh_key_to_group

    async def remove_key(self, group_id: str, ssh_key_id: str, *,
                         dry_run: bool = False) -> a.RemoveSshKeyFromGroupRemoveSshKeyFromGroup:
        res = await self._gen.remove_ssh_key_from_group(group_id, ssh_key_id, dry_run=dry_run)
        return res.remove_ssh_key_from_group

    async def delete(self, id: str, *, dry_run: bool = False) -> a.DeleteSshKeyGroupDeleteSshKeyGroup:
        return (await self._gen.delete_ssh_key_group(id, dry_run=dry_run)).delete_ssh_key_group
