"""An ORM SELECT compiled once per shape and process; later runs bind new values into the same SQL.

The ORM builds and compiles a queryset anew on every call: for call-next's pick (a tier ``Case``, two ``Exists``,
a join) that was over half the operation's CPU on Django's path (issue 14, docs/performance.md "Issue 14 (session 9)"). The
queryset stays the one rule — written once, with the ORM — and ``Prepared`` only remembers what it compiled to:

* ``shape`` is every choice that changes the SQL's text (a counter that serves all types or not, …);
* ``inputs`` are the values that only change bound parameters (ids, the date, the instant); a ``Many(kind)``
  input is a sequence bound element by element (``field__in=…``): its length changes the SQL's text, so each
  length is a shape of its own.

The first run of a shape builds the queryset twice with two sets of sentinel inputs and compiles both. Each bound
parameter is then either an input (its sentinel sits there, the same in both compilations) or a constant of the
shape (equal in both). Anything else — an input used inside an expression, SQL text that depends on an input —
makes the two compilations disagree, and ``Prepared`` refuses the shape (``NotPreparable``) instead of guessing.
The pick has a handful of shapes and its test prepares every one and compares it with a fresh compilation
(``tests/queueing/test_call_pick_prepared.py``), so a refusal shows in CI, not at a counter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from django.db import connections
from django.db.models import QuerySet


class NotPreparable(Exception):
    """The queryset's SQL or parameters depend on an input in a way ``Prepared`` cannot restate."""


class Many:
    """An input that is a sequence of ``kind`` (an ``__in`` list): each length compiles once."""

    def __init__(self, kind: type):
        self.kind = kind

    def __repr__(self):
        return f"Many({self.kind.__name__})"


def _sentinel(kind: type, i: int, round_: int):
    if kind is int:
        return -(10**15) - 10**7 * round_ - i
    if kind is datetime:
        return datetime(1901 + 10 * round_, 1, 1, 1, 2, 3, 456789, tzinfo=UTC) + timedelta(minutes=i)
    if kind is date:
        return date(1802 + 100 * round_, 1, 1) + timedelta(days=i)
    if kind is str:
        return f"\x00prepared-{round_}-{i}"
    raise TypeError(f"no sentinel for {kind!r}")


def _adapter(kind, connection) -> Callable:
    if isinstance(kind, Many):
        return _adapter(kind.kind, connection)
    if kind is datetime:
        return connection.ops.adapt_datetimefield_value
    if kind is date:
        return connection.ops.adapt_datefield_value
    return lambda value: value


def _lengths(inputs: dict, values: dict) -> tuple:
    return tuple(len(values[name]) for name, kind in inputs.items() if isinstance(kind, Many))


class Prepared:
    def __init__(self, build: Callable[..., QuerySet], *, inputs: dict[str, type | Many]):
        self._build = build
        self._inputs = inputs
        self._shapes: dict[tuple, tuple[str, tuple]] = {}

    def _compile(self, connection, shape: tuple, lengths: tuple, round_: int) -> tuple[str, list, dict]:
        values, sizes = {}, iter(lengths)
        for i, (name, kind) in enumerate(self._inputs.items()):
            if isinstance(kind, Many):
                # Sentinels apart from every single input's (i + 100 · (j + 1)).
                values[name] = [_sentinel(kind.kind, i + 100 * (j + 1), round_) for j in range(next(sizes))]
            else:
                values[name] = _sentinel(kind, i, round_)
        sql, params = self._build(*shape, **values).query.get_compiler(connection=connection).as_sql()
        adapted = {}
        for name, v in values.items():
            adapt = _adapter(self._inputs[name], connection)
            if isinstance(self._inputs[name], Many):
                adapted.update({(name, j): adapt(e) for j, e in enumerate(v)})
            else:
                adapted[name] = adapt(v)
        return sql, list(params), adapted

    def _prepare(self, connection, shape: tuple, lengths: tuple) -> tuple[str, tuple]:
        sql, params, first = self._compile(connection, shape, lengths, 0)
        sql2, params2, second = self._compile(connection, shape, lengths, 1)
        if sql != sql2 or len(params) != len(params2):
            raise NotPreparable("the SQL's text depends on an input")
        by_value = {v: slot for slot, v in first.items()}
        if len(by_value) != len(first):
            raise NotPreparable("two inputs' sentinels coincide")
        slots = []
        for p, p2 in zip(params, params2, strict=True):
            slot = by_value.get(p) if not isinstance(p, bool) else None
            if slot is not None:
                if second[slot] != p2:
                    raise NotPreparable(f"input {slot} is not bound as itself")
                slots.append((True, slot))
            elif p == p2 and type(p) is type(p2):
                slots.append((False, p))
            else:
                raise NotPreparable("a parameter depends on an input in an expression")
        return sql, tuple(slots)

    def statement(self, shape: tuple, *, using: str = "default", **values) -> tuple[str, list]:
        """The SQL of ``build(*shape, **values)`` and its parameters, compiled once per shape (and length of each
        ``Many`` input) and database."""
        connection = connections[using]
        lengths = _lengths(self._inputs, values)
        key = (using, connection.vendor, shape, lengths)
        prepared = self._shapes.get(key)
        if prepared is None:
            prepared = self._shapes[key] = self._prepare(connection, shape, lengths)
        sql, slots = prepared
        params = []
        for is_input, v in slots:
            if not is_input:
                params.append(v)
            elif isinstance(v, tuple):  # an element of a Many input
                name, j = v
                params.append(_adapter(self._inputs[name], connection)(values[name][j]))
            else:
                params.append(_adapter(self._inputs[v], connection)(values[v]))
        return sql, params
