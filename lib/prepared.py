"""An ORM SELECT compiled once per shape and process; later runs bind new values into the same SQL.

The ORM builds and compiles a queryset anew on every call: for call-next's pick (a tier ``Case``, two ``Exists``,
a join) that was over half the operation's CPU on Django's path (issue 14, docs/performance.md "Issue 14 (session 9)"). The
queryset stays the one rule — written once, with the ORM — and ``Prepared`` only remembers what it compiled to:

* ``shape`` is every choice that changes the SQL's text (a counter that serves all types or not, …);
* ``inputs`` are the values that only change bound parameters (ids, the date, the instant).

The first run of a shape builds the queryset twice with two sets of sentinel inputs and compiles both. Each bound
parameter is then either an input (its sentinel sits there, the same in both compilations) or a constant of the
shape (equal in both). Anything else — an input used inside an expression, SQL text that depends on an input —
makes the two compilations disagree, and ``Prepared`` refuses the shape (``NotPreparable``) instead of guessing.
The pick has a handful of shapes and its test prepares every one and compares it with a fresh compilation
(``tests/queueing/test_call_pick_prepared.py``), so a refusal shows in CI, not at a counter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from django.db import connections
from django.db.models import QuerySet


class NotPreparable(Exception):
    """The queryset's SQL or parameters depend on an input in a way ``Prepared`` cannot restate."""


def _sentinel(kind: type, i: int, round_: int):
    if kind is int:
        return -(10**15) - 1000 * round_ - i
    if kind is datetime:
        return datetime(1901, 1 + round_, 1 + i, 1, 2, 3, 456789, tzinfo=UTC)
    if kind is date:
        return date(1902, 1 + round_, 1 + i)
    if kind is str:
        return f"\x00prepared-{round_}-{i}"
    raise TypeError(f"no sentinel for {kind!r}")


def _adapter(kind: type, connection) -> Callable:
    if kind is datetime:
        return connection.ops.adapt_datetimefield_value
    if kind is date:
        return connection.ops.adapt_datefield_value
    return lambda value: value


class Prepared:
    def __init__(self, build: Callable[..., QuerySet], *, inputs: dict[str, type]):
        self._build = build
        self._inputs = inputs
        self._shapes: dict[tuple, tuple[str, tuple]] = {}

    def _compile(self, connection, shape: tuple, round_: int) -> tuple[str, list, dict]:
        values = {name: _sentinel(kind, i, round_) for i, (name, kind) in enumerate(self._inputs.items())}
        sql, params = self._build(*shape, **values).query.get_compiler(connection=connection).as_sql()
        adapted = {name: _adapter(self._inputs[name], connection)(v) for name, v in values.items()}
        return sql, list(params), adapted

    def _prepare(self, connection, shape: tuple) -> tuple[str, tuple]:
        sql, params, first = self._compile(connection, shape, 0)
        sql2, params2, second = self._compile(connection, shape, 1)
        if sql != sql2 or len(params) != len(params2):
            raise NotPreparable("the SQL's text depends on an input")
        by_value = {v: name for name, v in first.items()}
        slots = []
        for p, p2 in zip(params, params2, strict=True):
            name = by_value.get(p) if not isinstance(p, bool) else None
            if name is not None:
                if second[name] != p2:
                    raise NotPreparable(f"input {name} is not bound as itself")
                slots.append((True, name))
            elif p == p2 and type(p) is type(p2):
                slots.append((False, p))
            else:
                raise NotPreparable("a parameter depends on an input in an expression")
        return sql, tuple(slots)

    def statement(self, shape: tuple, *, using: str = "default", **values) -> tuple[str, list]:
        """The SQL of ``build(*shape, **values)`` and its parameters, compiled once per shape and database."""
        connection = connections[using]
        key = (using, connection.vendor, shape)
        prepared = self._shapes.get(key)
        if prepared is None:
            prepared = self._shapes[key] = self._prepare(connection, shape)
        sql, slots = prepared
        adapt = {name: _adapter(kind, connection) for name, kind in self._inputs.items()}
        return sql, [adapt[v](values[v]) if is_input else v for is_input, v in slots]
