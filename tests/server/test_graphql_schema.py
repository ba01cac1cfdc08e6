"""Schema guarantees, checked in-process: the committed SDL is current, and every operation field
except the public catalogues (GPU tiers, VM templates) names an authorization rule (a permission class)."""

from __future__ import annotations

from pathlib import Path

import pytest
import strawberry
from graphql import GraphQLNonNull, GraphQLObjectType, GraphQLSchema, get_introspection_query, get_nullable_type
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types.base import StrawberryObjectDefinition, get_object_definition

from icgpu.api.graphql.permissions import Authenticated, Requires
from icgpu.api.graphql.schema import build_schema, export_sdl
from icgpu.auth.principal import ALL_SCOPES, PERMISSIONS
from icgpu.settings import Settings

pytestmark = pytest.mark.db_independent  # runs once, not once per database

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schema" / "schema.graphql"
# Documented as public: "List GPU tiers (public, no auth)"; and the VM template catalogue, a list and
# one template by id (issue 10: "VM templates (public list ...)"; the REST docs: "List VM templates (public)").
PUBLIC_QUERIES = {"gpuTiers", "vmTemplates", "vmTemplate"}


def root_type(schema: strawberry.Schema, root: str) -> StrawberryObjectDefinition:
    cls = {"Query": schema.query, "Mutation": schema.mutation, "Subscription": schema.subscription}[root]
    assert cls is not None, f"the schema has no {root} type"
    return get_object_definition(cls, strict=True)


def permissions_by_field(schema: strawberry.Schema, root: str) -> dict[str, list[BasePermission]]:
    """Every field of the root type ``root`` with the permissions strawberry will run for it
    (``permission_classes=`` and explicit ``PermissionExtension``s alike)."""
    type_def = root_type(schema, root)
    out: dict[str, list[BasePermission]] = {}
    for field in type_def.fields:
        name = schema.config.name_converter.get_graphql_name(field)
        out[name] = [perm for ext in field.extensions if isinstance(ext, PermissionExtension)
                     for perm in ext.permissions]
    return out


def graphql_field_names(schema: strawberry.Schema, root: str) -> set[str]:
    gql_schema: GraphQLSchema = schema._schema
    gql_type = {"Query": gql_schema.query_type, "Mutation": gql_schema.mutation_type,
                "Subscription": gql_schema.subscription_type}[root]
    assert gql_type is not None, root
    return set(gql_type.fields)


def unprotected(schema: strawberry.Schema, root: str, public: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    return sorted(name for name, perms in permissions_by_field(schema, root).items()
                  if not perms and name not in public)


def test_committed_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.exists(), f"{SCHEMA_FILE} is missing: run `make schema` and commit it"
    committed = SCHEMA_FILE.read_text()
    assert committed == export_sdl(), (
        "schema/schema.graphql differs from the schema in code: run `make schema` and commit the result")


def test_export_is_the_served_schema() -> None:
    """What `make schema` writes is what /graphql serves (same types, same fields)."""
    served = build_schema(Settings())
    assert served.as_str() + "\n" == export_sdl()


def test_walk_sees_every_operation_field() -> None:
    schema = build_schema(Settings())
    for root in ("Query", "Mutation", "Subscription"):
        walked = set(permissions_by_field(schema, root))
        assert walked == graphql_field_names(schema, root), root
        assert walked, f"{root} has no fields"
    assert {"createInstance", "updateInstance", "startInstance", "stopInstance", "requeueInstance",
            "deleteInstance", "deleteSshKeyGroup"} <= set(permissions_by_field(schema, "Mutation"))
    assert {"instances", "instance", "gpuTiers", "apiKey", "sshKey", "sshKeyGroup"} <= \
        set(permissions_by_field(schema, "Query"))
    assert {"events", "instanceStatus"} <= set(permissions_by_field(schema, "Subscription"))


def test_every_mutation_requires_write_permission() -> None:
    schema = build_schema(Settings())
    perms = permissions_by_field(schema, "Mutation")
    assert unprotected(schema, "Mutation") == [], "mutations without an authorization rule"
    for name, rules in perms.items():
        requires = [p for p in rules if isinstance(p, Requires)]
        assert requires, f"mutation {name} must name the scope it writes (permissions.requires)"
        for rule in requires:
            assert rule.scope in ALL_SCOPES, (name, rule.scope)
            assert rule.permission == "write", f"mutation {name} only requires '{rule.permission}'"


def test_every_mutation_has_dry_run_and_the_payload_pattern() -> None:
    """``dryRun: Boolean! = false`` on every mutation, answered by ``{ dryRun: Boolean!, valid: Boolean!,
    <resource>! }``: one object type per mutation result, never the bare resource."""
    gql_schema: GraphQLSchema = build_schema(Settings())._schema
    assert gql_schema.mutation_type is not None
    for name, field in gql_schema.mutation_type.fields.items():
        dry_run = field.args.get("dryRun")
        assert dry_run is not None, f"mutation {name} has no dryRun argument"
        assert str(dry_run.type) == "Boolean!" and dry_run.default_value is False, (name, dry_run)
        payload = get_nullable_type(field.type)
        assert isinstance(field.type, GraphQLNonNull) and isinstance(payload, GraphQLObjectType), (name, field.type)
        assert list(payload.fields)[:2] == ["dryRun", "valid"], (name, list(payload.fields))
        for flag in ("dryRun", "valid"):
            assert str(payload.fields[flag].type) == "Boolean!", (name, flag)
        resources = [f for f in list(payload.fields)[2:] if isinstance(payload.fields[f].type, GraphQLNonNull)]
        assert len(resources) == 1, f"{name}: {payload.name} should carry exactly one resource, not {resources}"


def test_every_query_except_the_public_catalogues_requires_read_permission() -> None:
    schema = build_schema(Settings())
    perms = permissions_by_field(schema, "Query")
    assert unprotected(schema, "Query", PUBLIC_QUERIES) == [], "queries without an authorization rule"
    for public in sorted(PUBLIC_QUERIES):
        assert perms[public] == [], f"{public} is public by the API documentation (the tier list, VM templates)"
    for name, rules in perms.items():
        for rule in rules:
            assert isinstance(rule, Requires | Authenticated), (name, rule)
            if isinstance(rule, Requires):
                assert rule.scope in ALL_SCOPES and rule.permission in PERMISSIONS, (name, rule)


def test_every_subscription_requires_authentication() -> None:
    schema = build_schema(Settings())
    assert unprotected(schema, "Subscription") == [], "subscriptions without an authorization rule"
    for name, rules in permissions_by_field(schema, "Subscription").items():
        assert all(isinstance(r, Requires | Authenticated) for r in rules), name


def test_the_walk_catches_a_mutation_without_a_rule() -> None:
    """The guard itself: a schema with an unprotected mutation is reported by name."""

    @strawberry.type
    class Q:
        @strawberry.field
        def ping(self) -> str:
            return "pong"

    @strawberry.type
    class M:
        @strawberry.mutation(permission_classes=[Authenticated])
        def guarded(self) -> str:
            return "ok"

        @strawberry.mutation
        def forgot_the_rule(self) -> str:
            return "oops"

        @strawberry.mutation(extensions=[PermissionExtension([Authenticated()], use_directives=False)])
        def via_extension(self) -> str:
            return "ok"

    schema = strawberry.Schema(query=Q, mutation=M)
    assert unprotected(schema, "Mutation") == ["forgotTheRule"]
    assert unprotected(schema, "Query") == ["ping"]


async def test_standard_introspection_passes_every_limit() -> None:
    """GraphiQL and code generators send the standard introspection query; the depth, alias, token
    and cost limits must all let it through, and only it: one level deeper is refused."""
    schema = build_schema(Settings())
    query = get_introspection_query(descriptions=True, specified_by_url=True, directive_is_repeatable=True,
                                    schema_description=True, input_value_deprecation=True, one_of=True)
    result = await schema.execute(query)  # (the extensions are async)
    assert result.errors is None, result.errors
    assert result.data is not None and result.data["__schema"]["queryType"]["name"] == "Query"

    deeper = query.replace("ofType {\n                    name\n                    kind\n                  }",
                           "ofType {\n name\n kind\n ofType { name }\n }")
    assert deeper != query
    result = await schema.execute(deeper)
    assert result.errors and "depth" in result.errors[0].message, result.errors
