"""Mutation payloads: one pattern for every mutation.

Every mutation takes ``dryRun: Boolean! = false`` and answers ``{ dryRun, valid, <resource> }``:
the resource as it is after the call or, in a dry run, as it would be (every check ran, nothing was
written, no event was sent; a dry-run create shows an id that is not reserved). ``valid`` is true
whenever a payload comes back: a call that fails a check answers an error instead.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from icgpu.api.graphql.types.identity import ApiKey, SshKey, SshKeyGroup, Team, TeamMember
from icgpu.api.graphql.types.instance import Instance

DRY_RUN = "True when nothing was written: the resource is shown as the call would leave it."
DryRun = Annotated[bool, strawberry.argument(
    description="Run every check and write nothing; the payload shows what the call would do.")]
VALID = "True: the call passed every check (a call that fails one answers an error instead)."


@strawberry.type(description="The fields every mutation payload starts with.")
class MutationPayload:
    dry_run: bool = strawberry.field(description=DRY_RUN)
    valid: bool = strawberry.field(description=VALID)


@strawberry.type(description="An instance as a mutation left it (or would leave it, in a dry run).")
class InstancePayload(MutationPayload):
    instance: Instance


@strawberry.type(description="A team as a mutation left it (or would leave it, in a dry run).")
class TeamPayload(MutationPayload):
    team: Team


@strawberry.type(description="A team membership as a mutation left it (or would leave it, in a dry run).")
class TeamMemberPayload(MutationPayload):
    member: TeamMember


@strawberry.type(description="An API key as a mutation left it (or would leave it, in a dry run).")
class ApiKeyPayload(MutationPayload):
    api_key: ApiKey


@strawberry.type(description="A new API key and, once, its secret.")
class CreatedApiKey(MutationPayload):
    api_key: ApiKey
    key: str | None = strawberry.field(description=(
        "The full secret key, shown once: store it now. Null in a dry run (no key was made) and when "
        "the response is an Idempotency-Key replay (the secret is never stored)."))


@strawberry.type(description="An SSH key as a mutation left it (or would leave it, in a dry run).")
class SshKeyPayload(MutationPayload):
    ssh_key: SshKey


@strawberry.type(description="A generated SSH key pair: the public half is stored, the private half shown once.")
class GeneratedSshKey(MutationPayload):
    ssh_key: SshKey
    private_key: str | None = strawberry.field(description=(
        "The OpenSSH private key, shown once and never stored. Null in a dry run (the public key shown "
        "is a sample) and when the response is an Idempotency-Key replay."))


@strawberry.type(description="An SSH key group as a mutation left it (or would leave it, in a dry run).")
class SshKeyGroupPayload(MutationPayload):
    ssh_key_group: SshKeyGroup
