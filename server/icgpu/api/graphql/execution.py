"""GraphQL execution with a short path for plain data fields.

A list response is mostly plain data fields: an attribute read from the parent object, with no
resolver, arguments, permission classes or field extensions (strawberry's "basic" fields). For
each one graphql-core builds a GraphQLResolveInfo, checks for middleware and arguments and calls
strawberry's resolver, which ignores the info and reads the attribute, then completes the value
through the generic type dispatch. That machinery costs several times the read itself. Here such
fields, when their type is a scalar, an enum or an object type with no ``is_type_of`` check, are
read and completed directly, with the same results, errors and null handling; every other field
takes graphql-core's path unchanged, and so does every field when a schema extension hooks
``resolve`` (graphql-core middleware).

Lists of objects go further: when every field the query selects on the item type (after
fragments, aliases and @skip/@include, as graphql-core collects them) is plain, down through
nested plain objects, the items are completed by a plan made once per list: read, serialize,
next. Anything the plan does not expect (a null in a non-null field, a value a scalar refuses, an
awaitable) abandons the plan for that list, and graphql-core completes it from the start, with its
own errors. A resolver may hand a list over as rows (``RowItems``), with a view that reads the item
type's attributes from a row: the plan then reads the rows, and graphql-core, when it completes the
list instead, gets the objects the view makes. tests/server/test_response_equality.py holds the
output to graphql-core's, byte for byte.

A DateTime in UTC (or without an offset) is left in the result as the ``datetime`` it is: the
response's encoder writes it as the text strawberry's ``isoformat`` would give, for a tenth of the
cost of formatting it here (orjson: ``api/encoding.py``, whose stdlib fallback formats it the same
way). Any other offset is formatted here, because orjson drops an offset's seconds. So this
executor's results are for ``api/encoding.py`` to encode: the router's responses and messages, and
the idempotency extension's stored copy, are.
"""

from __future__ import annotations

import contextlib
import inspect
import math
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from operator import attrgetter
from typing import Any, Protocol

from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path
from graphql.pyutils.undefined import Undefined, UndefinedType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.schema.types.base_scalars import isoformat
from strawberry.types.field import StrawberryField


@dataclass(frozen=True, slots=True)
class _Plain:
    read: Callable[[Any, str], object]  # what strawberry's basic resolver does: read(source, attr)
    attr: str
    non_null: bool
    named: GraphQLScalarType | GraphQLEnumType | GraphQLObjectType


_UNSEEN = object()


class _Fallback(Exception):
    """The plan met something only graphql-core's completion knows how to report."""


class RowView(Protocol):
    """How a resolver's rows stand for the objects of a list's item type (``RowItems``)."""

    def reader(self, attrs: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]] | None:
        """A function giving a row's values of these attributes (``__class__``: anything), as
        the object made from the row would hold them; None when one is not known."""

    def objects(self) -> list[Any]:
        """The objects themselves, for graphql-core's completion."""


class RowItems(list[Any]):
    """A list field's items handed over as rows, without making an object per row: the list's
    plan reads the rows through ``view.reader``; when there is no plan, or it gives up, graphql-core
    completes ``view.objects()``. Only the fast path's executor knows them (``ICGPU_FAST_PATHS``)."""

    __slots__ = ("view",)

    def __init__(self, rows: Iterable[Any], view: RowView) -> None:
        super().__init__(rows)
        self.view = view


_Plan = Callable[..., dict[str, Any]]
# Plans by (schema, type, selection nodes, Boolean variables), across operations: Executor._cached_plan.
_PLANS: dict[tuple[Any, ...], tuple[Any, GraphQLObjectType, tuple[Any, ...],
                                    tuple[_Plan, list[Any]] | None]] = {}
_MAX_PLANS = 512


def _plain(field_def: GraphQLField) -> _Plain | None:
    """How to read and complete ``field_def`` directly, or None when graphql-core must."""
    field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(field, StrawberryField) or not field.is_basic_field or field_def.args:
        return None
    type_ = field_def.type
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLScalarType | GraphQLEnumType) \
            or (isinstance(inner, GraphQLObjectType) and inner.is_type_of is None):
        return _Plain(field.default_resolver, field.python_name, isinstance(type_, GraphQLNonNull), inner)
    return None


class Executor(StrawberryGraphQLCoreExecutionContext):
    """One per operation: graphql-core's executor, with plain data fields read directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        self._direct = not (middleware is not None and middleware.middlewares)
        # By the field definition's identity: definitions are not hashable, and the schema keeps
        # them alive (so their ids stay theirs) at least as long as this operation runs.
        self._plain: dict[int, _Plain | None] = {}

    def _plain_field(self, field_def: GraphQLField) -> _Plain | None:
        plain = self._plain.get(id(field_def), _UNSEEN)
        if plain is _UNSEEN:
            plain = self._plain[id(field_def)] = _plain(field_def)
        return plain  # type: ignore[return-value]

    def complete_iterable_value(self, item_type: GraphQLOutputType, field_details_list: FieldDetailsList,
                                info: Any, path: Path, items: Iterable[Any], position_context: Any) -> Any:
        inner = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        rows = items if type(items) is RowItems else None
        if self._direct and isinstance(inner, GraphQLObjectType) and inner.is_type_of is None \
                and isinstance(items, list | tuple) and self.get_stream_usage(field_details_list, path) is None:
            compiled = self._cached_plan(inner, field_details_list)
            if compiled is not None:
                plan, memos = compiled
                non_null = isinstance(item_type, GraphQLNonNull)
                attrs: tuple[str, ...] | None = getattr(plan, "attrs", None)
                read = rows.view.reader(attrs) if rows is not None and attrs is not None else None
                try:
                    if read is not None:  # the plan reads the rows themselves
                        return [plan(item, read) for item in items]
                    if rows is None:
                        return [plan(item) if item is not None else _null(non_null) for item in items]
                except Exception:  # a _Fallback, or a read that failed: graphql-core completes and reports
                    pass
                finally:
                    for memo in memos:
                        memo.clear()
        if rows is not None:  # graphql-core reads objects
            items = rows.view.objects()
        return super().complete_iterable_value(item_type, field_details_list, info, path, items, position_context)

    def _cached_plan(self, obj_type: GraphQLObjectType,
                     field_details_list: FieldDetailsList) -> tuple[_Plan, list[Any]] | None:
        """The plan for this selection, made once per (schema, type, selection nodes, Boolean
        variables): documents are parsed once per text (documents.py), so a query sent again
        brings the same nodes, and only Boolean variables can change what @skip/@include
        collect. The entry holds what its key names by identity, so no id in it is reused."""
        nodes = tuple(details.node for details in field_details_list)
        flags = tuple((name, value) for name, value in self.variable_values.coerced.items()
                      if value is None or type(value) is bool)
        key = (id(self.schema), id(obj_type), tuple(map(id, nodes)), flags)
        entry = _PLANS.get(key)
        if entry is not None and entry[0] is self.schema and entry[1] is obj_type \
                and all(a is b for a, b in zip(entry[2], nodes, strict=True)):
            return entry[3]
        memos: list[Any] = []
        plan = self._object_plan(obj_type, field_details_list, memos)
        compiled = (plan, memos) if plan is not None else None
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        _PLANS[key] = (self.schema, obj_type, nodes, compiled)
        return compiled

    def _object_plan(self, obj_type: GraphQLObjectType, field_details_list: FieldDetailsList,
                     memos: list[Any]) -> _Plan | None:
        """A function completing one ``obj_type`` value for this selection, or None if a selected
        field is not plain (or uses @defer). A nested object is completed once per list for each
        object it holds (a page's items share a few tiers and owners): its finisher keeps what it
        made in a memo of ``memos``, which the list empties when it is done."""
        collected = self.collect_subfields(obj_type, field_details_list)
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            return None
        steps: list[tuple[str, _Plain | None, Callable[[Any], Any]]] = []
        type_name = obj_type.name
        for key, group in collected.grouped_field_set.items():
            name = group[0].node.name.value
            if name == "__typename":
                steps.append((key, None, _constant(type_name)))
                continue
            field_def = obj_type.fields.get(name)
            plain = self._plain_field(field_def) if field_def is not None else None
            if plain is None:
                return None
            finish: Callable[[Any], Any]
            if isinstance(plain.named, GraphQLObjectType):
                if plain.named.is_type_of is not None:
                    return None
                sub = self._object_plan(plain.named, group, memos)
                if sub is None:
                    return None
                memo: dict[int, Any] = {}
                held: list[Any] = []
                memos += (memo, held)
                finish = _object_finisher(sub, plain.non_null, memo, held)
            else:
                finish = _finisher(plain.named, plain.non_null)
            steps.append((key, plain, finish))
        if len(steps) > 1 and all(plain is None or plain.read is getattr for _, plain, _ in steps):
            # Every field is an attribute: read them all in one call (``__class__`` stands in for
            # __typename, whose finisher ignores it), then finish each value.
            attrs = tuple("__class__" if plain is None else plain.attr for _, plain, _ in steps)
            return _compiled(attrs, [(key, None if plain is None else plain.named, finish)
                                        for key, plain, finish in steps])

        def complete(source: Any) -> dict[str, Any]:
            return {key: finish(None if plain is None else plain.read(source, plain.attr))
                    for key, plain, finish in steps}

        return complete

    def execute_field(self, parent_type: GraphQLObjectType, source: Any, field_details_list: FieldDetailsList,
                      path: Path, position_context: Any) -> Any | UndefinedType:
        if self._direct:
            field_def = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
            if field_def is not None:
                plain = self._plain_field(field_def)
                if isinstance(plain, _Plain):
                    return self._execute_plain(plain, field_def, parent_type, source, field_details_list, path,
                                               position_context)
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    def _execute_plain(self, plain: _Plain, field_def: GraphQLField, parent_type: GraphQLObjectType, source: Any,
                       field_details_list: FieldDetailsList, path: Path, position_context: Any) -> Any:
        """graphql-core's execute_field and complete_value for a plain field: the value is what
        strawberry's basic resolver returns, and errors are located and propagated the same way."""
        return_type = field_def.type
        try:
            result = plain.read(source, plain.attr)
            if self.is_awaitable(result):  # an attribute holding an awaitable: graphql-core's way
                info = self.build_resolve_info(field_def, to_nodes(field_details_list), parent_type, path)
                return self.complete_awaitable_value(return_type, field_details_list, info, path, result,
                                                     position_context)
            if isinstance(result, Exception):
                raise result
            if result is None:
                if plain.non_null:
                    name = field_details_list[0].node.name.value
                    raise TypeError(f"Cannot return null for non-nullable field {parent_type}.{name}.")
                return None
            if not isinstance(plain.named, GraphQLObjectType):
                return self.complete_leaf_value(plain.named, result)
            completed = self.collect_and_execute_subfields(plain.named, field_details_list, path, result,
                                                           position_context)
            if self.is_awaitable(completed):
                return self._await_plain(completed, return_type, field_details_list, path)
            return completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None

    async def _await_plain(self, completed: Awaitable[Any], return_type: GraphQLOutputType,
                           field_details_list: FieldDetailsList, path: Path) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None


def _compiled(attrs: tuple[str, ...],
              fields: list[tuple[str, GraphQLScalarType | GraphQLEnumType | GraphQLObjectType | None,
                                 Callable[[Any], Any]]]) -> _Plan:
    """Completing one object whose selected fields are all attributes, as one function written for
    this selection (some 40% faster than a loop over the fields): the values read in one
    call, then one dict display, where a str of a String or ID field and an int of an Int field
    in range are put as they are (what their finishers return for them), so is a UTC DateTime (for
    the encoder to write), a nested object already completed in this list and an enum member
    are looked up inline by their id, and every other value
    goes through its finisher; ``__typename`` (no named type) is the finisher's constant. The
    source names nothing from the query: keys, finishers and constants are bound by position."""
    scope: dict[str, Any] = {"read_all": attrgetter(*attrs), "type": type, "str": str, "int": int, "id": id,
                             "datetime": datetime, "utc": UTC}
    parts = []
    for i, (key, named, finish) in enumerate(fields):
        scope[f"k{i}"], scope[f"f{i}"] = key, finish
        if named is None:
            scope[f"c{i}"] = finish(None)
            parts.append(f"k{i}: c{i}")
        elif isinstance(named, GraphQLScalarType) and named.serialize in _STRING_SERIALIZERS:
            parts.append(f"k{i}: v{i} if type(v{i}) is str else f{i}(v{i})")
        elif isinstance(finish, _Memoized):  # a nested object done before in this list, or now
            scope[f"m{i}"] = finish.memo
            parts.append(f"k{i}: m{i}.get(id(v{i})) or f{i}(v{i})")
        elif isinstance(finish, _EnumFinisher):  # a member's name (never empty), or the finisher's answer
            scope[f"e{i}"] = finish.by_id
            parts.append(f"k{i}: e{i}.get(id(v{i})) or f{i}(v{i})")
        elif isinstance(named, GraphQLScalarType) and named.serialize is isoformat:
            parts.append(f"k{i}: v{i} if type(v{i}) is datetime and (v{i}.tzinfo is utc or v{i}.tzinfo is None) "
                         f"else f{i}(v{i})")
        elif isinstance(named, GraphQLScalarType) and named.serialize is GraphQLInt.serialize:
            parts.append(f"k{i}: v{i} if type(v{i}) is int and {GRAPHQL_MIN_INT} <= v{i} <= {GRAPHQL_MAX_INT} "
                         f"else f{i}(v{i})")
        else:
            parts.append(f"k{i}: f{i}(v{i})")
    values = ", ".join(f"v{i}" for i in range(len(fields)))
    source = (f"def complete(source, read=read_all):\n    {values}, = read(source)\n"
              f"    return {{{', '.join(parts)}}}\n")
    exec(compile(source, "<graphql list plan>", "exec"), scope)  # source made from the names above only
    complete = scope["complete"]
    complete.attrs = attrs  # what ``read`` gives, in order: a RowView's reader may stand in for it
    return complete  # type: ignore[no-any-return]


def _null(non_null: bool) -> Any:
    if non_null:
        raise _Fallback
    return None


# Never an exception or an awaitable (exact types: a subclass could be either).
_PRIMITIVES = frozenset({str, int, float, bool, datetime, date})
_STRING_SERIALIZERS = (GraphQLString.serialize, GraphQLID.serialize)  # a str comes out as it is
# Serializers that give back a value of this exact type as it is, when it passes the check.
_SAME_VALUE: dict[Callable[[Any], Any], tuple[type, Callable[[Any], bool]]] = {
    GraphQLInt.serialize: (int, lambda v: GRAPHQL_MIN_INT <= v <= GRAPHQL_MAX_INT),
    GraphQLFloat.serialize: (float, math.isfinite),
    GraphQLBoolean.serialize: (bool, lambda v: True),
}


def _constant(value: Any) -> Callable[[Any], Any]:
    def constant(_: Any) -> Any:
        return value
    return constant


class _Memoized:
    """A nested object's completion, once per object and list: ``memo`` maps the object's id to
    its completion, and ``held`` keeps every object in it alive (so its id stays its own) until
    the list ends and empties both. A completion is a dict with at least one key (a selection is
    never empty), so a compiled plan reads the memo inline: ``memo.get(id(v)) or finish(v)``."""

    __slots__ = ("held", "memo", "non_null", "sub")

    def __init__(self, sub: _Plan, non_null: bool, memo: dict[int, Any], held: list[Any]) -> None:
        self.sub, self.non_null, self.memo, self.held = sub, non_null, memo, held

    def __call__(self, value: Any) -> Any:
        if value is None:
            return _null(self.non_null)
        done = self.memo.get(id(value))
        if done is None:
            done = self.sub(value)
            self.memo[id(value)] = done
            self.held.append(value)
        return done


def _object_finisher(sub: _Plan, non_null: bool, memo: dict[int, Any], held: list[Any]) -> Callable[[Any], Any]:
    return _Memoized(sub, non_null, memo, held)


class _EnumFinisher:
    """A strawberry enum's finisher, with its members' names by the member's id for a compiled
    plan (an enum member lives as long as its class, so no other object has its id; and the id
    avoids ``Enum.__hash__``, a Python call)."""

    __slots__ = ("by_id", "finish")

    def __init__(self, finish: Callable[[Any], Any], names: dict[Any, Any]) -> None:
        self.finish = finish
        self.by_id = {id(member): name for member, name in names.items() if name}

    def __call__(self, value: Any) -> Any:
        return self.finish(value)


def _leaf(named: GraphQLScalarType | GraphQLEnumType, value: Any) -> Any:
    """graphql-core's complete_leaf_value, with its refusals left to graphql-core."""
    if type(value) not in _PRIMITIVES and (isinstance(value, Exception) or inspect.isawaitable(value)):
        raise _Fallback
    try:
        serialized = named.serialize(value)
    except Exception:
        raise _Fallback from None
    if serialized is None or serialized is Undefined:
        raise _Fallback
    return serialized


# By the type's identity and nullability (the entry holds the type, so its id stays its own);
# schemas are few.
_FINISHERS: dict[tuple[int, bool], tuple[GraphQLScalarType | GraphQLEnumType, Callable[[Any], Any]]] = {}
_MAX_FINISHERS = 1000


def _finisher(named: GraphQLScalarType | GraphQLEnumType, non_null: bool) -> Callable[[Any], Any]:
    """What graphql-core's completion makes of a value read for a field of this type: null (or a
    _Fallback when the field is non-null), else ``_leaf``, with the answers it would give worked
    out ahead where they are fixed: a str as a String or an ID is itself, and a member of a
    strawberry enum always serializes to the same name (found once per member here)."""
    known = _FINISHERS.get((id(named), non_null))
    if known is not None and known[0] is named:
        return known[1]
    if len(_FINISHERS) >= _MAX_FINISHERS:
        _FINISHERS.clear()
    finish = _FINISHERS[id(named), non_null] = named, _make_finisher(named, non_null)
    return finish[1]


def _make_finisher(named: GraphQLScalarType | GraphQLEnumType, non_null: bool) -> Callable[[Any], Any]:
    if isinstance(named, GraphQLScalarType) and named.serialize in _STRING_SERIALIZERS:
        def string(value: Any) -> Any:
            if type(value) is str:
                return value
            return _null(non_null) if value is None else _leaf(named, value)
        return string
    if isinstance(named, GraphQLScalarType) and named.serialize in _SAME_VALUE:
        exact, accepts = _SAME_VALUE[named.serialize]

        def same(value: Any) -> Any:
            if type(value) is exact and accepts(value):
                return value
            return _null(non_null) if value is None else _leaf(named, value)
        return same
    if isinstance(named, GraphQLScalarType) and named.serialize is isoformat:
        def iso(value: Any) -> Any:
            if type(value) is datetime and (value.tzinfo is UTC or value.tzinfo is None):
                return value  # written by the response's encoder (see _raw_datetime)
            if type(value) is datetime or type(value) is date:
                return value.isoformat()
            return _null(non_null) if value is None else _leaf(named, value)
        return iso
    enum_cls = getattr(named, "wrapped_cls", None)
    if isinstance(named, GraphQLEnumType) and isinstance(enum_cls, type) and issubclass(enum_cls, Enum):
        names: dict[Any, Any] = {}
        for member in enum_cls:
            with contextlib.suppress(Exception):
                out = named.serialize(member)
                if out is not None and out is not Undefined:
                    names[member] = out

        def enum(value: Any) -> Any:
            if type(value) is enum_cls and value in names:
                return names[value]
            return _null(non_null) if value is None else _leaf(named, value)
        return _EnumFinisher(enum, names)

    def leaf(value: Any) -> Any:
        return _null(non_null) if value is None else _leaf(named, value)
    return leaf
