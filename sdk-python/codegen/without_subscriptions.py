"""Copy GraphQL documents, leaving out subscription operations.

ariadne-codegen refuses subscriptions when it builds a sync client, so the sync run reads the
operations through this filter (fragments and every query and mutation are kept as written).
Usage: without_subscriptions.py SOURCE_DIR TARGET_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

from graphql import DocumentNode, OperationDefinitionNode, OperationType, parse, print_ast


def main(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.graphql")):
        document = parse(path.read_text())
        kept = tuple(
            d
            for d in document.definitions
            if not (isinstance(d, OperationDefinitionNode) and d.operation is OperationType.SUBSCRIPTION)
        )
        if kept:
            (target / path.name).write_text(print_ast(DocumentNode(definitions=kept)) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
