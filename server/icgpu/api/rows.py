"""Reading a page of rows by position instead of by name.

A list service returns plain SQLAlchemy ``Row`` objects (``services/instances.py``). Reading one
of their fields by name goes through the row's key lookup, about as slow as building a small
dict; a page of 100 instances does it 1,600 times. ``getter`` hands back one ``itemgetter`` for
the whole page, which reads the wanted fields of a row as a tuple in one C call. It is given only
when every row comes from the same result (the same columns in the same order); anything else
(ORM objects, an empty page, rows of different results) gets None, and the caller reads by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy.engine import Row


def getter(rows: Sequence[Any], names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]] | None:
    if not rows or type(rows[0]) is not Row:
        return None
    first = rows[0]
    parent = first._parent  # the result's metadata, shared by every row of that result
    if any(type(row) is not Row or row._parent is not parent for row in rows):
        return None
    fields = first._fields
    try:
        return itemgetter(*(fields.index(name) for name in names))
    except ValueError:  # a column this page does not have
        return None
