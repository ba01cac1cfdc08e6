"""schema/operations: every root field has an operation, and every document is valid against the schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    build_schema,
    parse,
    validate,
)
from graphql.language import DocumentNode

pytestmark = pytest.mark.db_independent

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema" / "schema.graphql"
OPERATIONS = ROOT / "schema" / "operations"
PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def load_schema() -> GraphQLSchema:
    return build_schema(SCHEMA.read_text())


def load_documents() -> dict[str, DocumentNode]:
    files = sorted(OPERATIONS.glob("*.graphql"))
    assert files, f"no operations in {OPERATIONS}"
    return {f.name: parse(f.read_text()) for f in files}


def merged(documents: dict[str, DocumentNode]) -> DocumentNode:
    return DocumentNode(definitions=tuple(d for doc in documents.values() for d in doc.definitions))


def operations(documents: dict[str, DocumentNode]) -> list[OperationDefinitionNode]:
    return [d for doc in documents.values() for d in doc.definitions if isinstance(d, OperationDefinitionNode)]


def root_fields_covered(ops: list[OperationDefinitionNode]) -> dict[OperationType, set[str]]:
    covered: dict[OperationType, set[str]] = {t: set() for t in OperationType}
    for op in ops:
        for sel in op.selection_set.selections:
            if isinstance(sel, FieldNode):
                covered[op.operation].add(sel.name.value)
    return covered


def missing_root_fields(schema: GraphQLSchema, ops: list[OperationDefinitionNode]) -> list[str]:
    covered = root_fields_covered(ops)
    roots = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }
    missing = []
    for kind, root in roots.items():
        if root is None:
            continue
        missing += [f"{root.name}.{name}" for name in root.fields if name not in covered[kind]]
    return sorted(missing)


def test_every_root_field_has_an_operation() -> None:
    missing = missing_root_fields(load_schema(), operations(load_documents()))
    assert missing == [], f"root fields without an operation in schema/operations: {missing}"


def test_a_new_root_field_without_an_operation_is_reported() -> None:
    schema = build_schema(SCHEMA.read_text() + "\nextend type Query { somethingNew: Int }\n")
    assert missing_root_fields(schema, operations(load_documents())) == ["Query.somethingNew"]


def test_every_document_is_valid_against_the_schema() -> None:
    schema = load_schema()
    errors = validate(schema, merged(load_documents()))
    assert [e.message for e in errors] == []


def test_operation_names_are_pascal_case_unique_and_never_a_schema_type_name() -> None:
    schema = load_schema()
    ops = operations(load_documents())
    names = [op.name.value if op.name else "" for op in ops]
    assert all(PASCAL.match(n) for n in names), names
    assert len(names) == len(set(names)), "duplicate operation names"
    clashes = sorted(set(names) & set(schema.type_map))
    assert clashes == [], f"operation names that are schema type names: {clashes}"


def test_one_fragment_per_resource_type_and_operations_select_through_them() -> None:
    documents = load_documents()
    fragments = [d for doc in documents.values() for d in doc.definitions if isinstance(d, FragmentDefinitionNode)]
    on_types = [f.type_condition.name.value for f in fragments]
    assert len(on_types) == len(set(on_types)), "two fragments on one type"
    assert all(f.name.value == f"{f.type_condition.name.value}Fields" for f in fragments)
    for resource in ("Instance", "GpuTier", "Team", "TeamMember", "ApiKey", "SshKey", "SshKeyGroup", "Event"):
        assert f"{resource}Fields" in {f.name.value for f in fragments}


def test_mutations_take_a_nullable_dry_run_and_select_dry_run_and_valid() -> None:
    for op in operations(load_documents()):
        if op.operation is not OperationType.MUTATION:
            continue
        variables = {v.variable.name.value: v for v in op.variable_definitions}
        assert "dryRun" in variables, op.name
        assert variables["dryRun"].type.kind == "named_type", f"{op.name}: $dryRun must be nullable"
        (field,) = op.selection_set.selections
        assert isinstance(field, FieldNode) and field.selection_set is not None
        selected = {s.name.value for s in field.selection_set.selections if isinstance(s, FieldNode)}
        assert {"dryRun", "valid"} <= selected, op.name
