"""Parsing and validating GraphQL documents once per query text, with the limits, as one extension.

Strawberry's MaxTokensLimiter, ParserCache, AddValidationRules and ValidationCache do this as four
extensions, and every extension costs each operation its own hooks (built, entered and left at
four steps). ``Documents`` does what the four did, in the same order:

- the token limit is a parse option, so a document over it fails to parse;
- parsed documents are cached under the query text and the parse options; a query that fails to
  parse is left to strawberry's own parse step, which reports the error as it reports every other
  one (an error raised here would escape that handling), and failures are not cached;
- the limit rules (depth, aliases, cost, introspection depth: ``schema.py``) join the validation
  rules, and validation results are cached under the schema, the (cached, so identical) document
  and the rules: a cached document has passed every limit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from graphql import ASTValidationRule, GraphQLError, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

MAX_TOKENS = 4000
CACHE_SIZE = 256


class Documents(SchemaExtension):
    def __init__(self, rules: Sequence[type[ASTValidationRule]], parse_cached: Callable[..., Any],
                 validate_cached: Callable[..., Any]) -> None:
        self.rules = tuple(rules)
        self.parse_cached = parse_cached
        self.validate_cached = validate_cached

    def on_operation(self) -> Iterator[None]:
        ec = self.execution_context
        ec.parse_options["max_tokens"] = MAX_TOKENS
        ec.validation_rules = ec.validation_rules + self.rules
        yield

    def on_parse(self) -> Iterator[None]:
        ec = self.execution_context
        with contextlib.suppress(GraphQLError):
            ec.graphql_document = self.parse_cached(ec.query, **ec.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        ec.pre_execution_errors = self.validate_cached(ec.schema._schema, ec.graphql_document, ec.validation_rules)
        yield


def documents(rules: Sequence[type[ASTValidationRule]]) -> Callable[[], Documents]:
    """A factory of per-operation ``Documents`` extensions sharing one parse and one validation cache."""
    parse_cached = lru_cache(maxsize=CACHE_SIZE)(parse)
    validate_cached = lru_cache(maxsize=CACHE_SIZE)(validate_document)

    def make() -> Documents:
        return Documents(rules, parse_cached, validate_cached)

    return make
