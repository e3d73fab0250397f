"""A model's statements written once per process from its ``_meta``: read a row (``one``, ``by_pk``) and turn it
into an instance exactly as the ORM would (the backend's converters, then ``Model.from_db``); insert, update and
save named fields with each field's ``pre_save`` / ``get_db_prep_save``, as the ORM's compilers do.

For the statements every request makes (the session row, the user with the staff profile, a queue operation's
ticket, events and status change): the ORM's compiler built the same SQL again on every request, ≈ 40 % of a small
authenticated API request's CPU (issue 14, docs/performance.md "Issue 14 (session 9)"). Nothing else should need
this: a statement a page makes once is the ORM's job. The list of users is in docs/architecture.md.
"""

from __future__ import annotations

import re
from functools import cache

from django.db import connections
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.db.transaction import TransactionManagementError


@cache
def _columns(model: type[Model]) -> tuple[tuple[str, ...], tuple]:
    """(attnames, fields) of the model's concrete columns, in ``_meta`` order."""
    fields = tuple(model._meta.concrete_fields)
    return tuple(f.attname for f in fields), fields


def select_list(model: type[Model], alias: str, using: str = "default") -> str:
    """``"alias"."col", …`` for every concrete column of ``model``, in the order ``hydrate`` expects."""
    conn = connections[using]
    _names, fields = _columns(model)
    q = conn.ops.quote_name
    return ", ".join(f"{q(alias)}.{q(f.column)}" for f in fields)


def width(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


@cache
def _converters(model: type[Model], using: str, vendor: str) -> tuple:
    conn = connections[using]
    _names, fields = _columns(model)
    out = []
    for field in fields:
        # Converters receive the column expression, as in the compiler.
        col = field.get_col(model._meta.db_table)
        out.append((col, tuple(conn.ops.get_db_converters(col) + col.get_db_converters(conn))))
    return tuple(out)


def hydrate(model: type[Model], values, using: str = "default") -> Model:
    """An instance of ``model`` from its columns' raw values (as ``select_list`` orders them)."""
    conn = connections[using]
    names, _fields = _columns(model)
    converted = []
    for value, (col, converters) in zip(values, _converters(model, using, conn.vendor), strict=True):
        for convert in converters:
            value = convert(value, col, conn)
        converted.append(value)
    return model.from_db(using, names, converted)


@cache
def _one_statement(model: type[Model], related: tuple[str, ...], where: tuple, lock: bool, using: str) -> str:
    conn = connections[using]
    q = conn.ops.quote_name
    table = model._meta.db_table
    parts, joins, locked = [select_list(model, table, using)], [], [q(table)]
    for name in related:
        field = model._meta.get_field(name)
        other = field.related_model
        alias = f"r_{name}"
        parts.append(select_list(other, alias, using))
        on = f"{q(alias)}.{q(field.target_field.column)} = {q(table)}.{q(field.column)}"
        joins.append(f"{'INNER' if lock else 'LEFT'} JOIN {q(other._meta.db_table)} {q(alias)} ON {on}")
        locked.append(q(alias))
    conditions = [
        f"{q(table)}.{q(model._meta.get_field(name).column)} {'IS NULL' if is_null else '= %s'}"
        for name, is_null in where
    ]
    sql = (
        f"SELECT {', '.join(parts)} FROM {q(table)} {' '.join(joins)} WHERE {' AND '.join(conditions)} "
        f"ORDER BY {q(table)}.{q(model._meta.pk.column)} LIMIT 1"
    )
    if lock and conn.features.has_select_for_update:
        # As select_for_update(no_key=True, of=(self, *related)); SQLite has no row locks (BEGIN IMMEDIATE).
        sql += f" FOR NO KEY UPDATE OF {', '.join(locked)}"
    return sql


def one(
    model: type[Model], *, related: tuple[str, ...] = (), lock: bool = False, using: str = "default", **equals
) -> Model | None:
    """``model.objects.select_related(*related).filter(**equals).first()`` (forward keys; a ``None`` value means
    ``IS NULL``), by a statement built once per process. ``lock``: ``select_for_update(no_key=True, of=…)`` of
    the row and its related rows, inside a transaction (the joins are then inner, as PostgreSQL locks no
    outer-joined row). No scope: the caller checks the row's hall (``staff.access.may_see_hall``)."""
    conn = connections[using]
    if lock and not conn.in_atomic_block:
        raise TransactionManagementError("rows.one(lock=True) outside a transaction")
    where = tuple((name, value is None) for name, value in equals.items())
    params = [value for value in equals.values() if value is not None]
    with conn.cursor() as cursor:
        cursor.execute(_one_statement(model, related, where, lock, using), params)
        row = cursor.fetchone()
    if row is None:
        return None
    start = width(model)
    instance = hydrate(model, row[:start], using)
    for name in related:
        field = model._meta.get_field(name)
        other = field.related_model
        values = row[start : start + width(other)]
        start += width(other)
        found = values[other._meta.concrete_fields.index(other._meta.pk)] is not None  # the LEFT JOIN matched
        field.set_cached_value(instance, hydrate(other, values, using) if found else None)
    return instance


def by_pk(model: type[Model], pk, *, related: tuple[str, ...] = (), using: str = "default") -> Model | None:
    """``one`` by primary key."""
    return one(model, related=related, using=using, **{model._meta.pk.name: pk})


@cache
def _insert_fields(model: type[Model]) -> tuple | None:
    """The columns an INSERT writes (the auto key aside), or None when ``save()`` must do it (a database default,
    a generated column, a parent model)."""
    meta = model._meta
    if meta.parents or any(
        getattr(f, "generated", False) or f.has_db_default() for f in meta.concrete_fields
    ):
        return None
    return tuple(f for f in meta.concrete_fields if not (f.primary_key and f.db_returning))


@cache
def _insert_statement(model: type[Model], using: str) -> str:
    conn = connections[using]
    q = conn.ops.quote_name
    fields = _insert_fields(model)
    sql = (
        f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if conn.features.can_return_columns_from_insert:
        sql += f" RETURNING {q(model._meta.pk.column)}"
    return sql


def insert(instance: Model, *, using: str = "default") -> Model:
    """``instance.save(force_insert=True)`` by a statement built once per process (issue 14: every queue
    operation writes a ticket event, and the ORM compiled the same INSERT each time). Values go through each
    field's ``pre_save`` and ``get_db_prep_save``, as the ORM's insert does. A model with a ``pre_save`` /
    ``post_save`` receiver, a database default or a parent is saved by ``save()``: nothing is skipped."""
    model = type(instance)
    fields = _insert_fields(model)
    if fields is None or pre_save.has_listeners(model) or post_save.has_listeners(model):
        instance.save(force_insert=True, using=using)
        return instance
    conn = connections[using]
    values = [f.get_db_prep_save(f.pre_save(instance, True), conn) for f in fields]
    with conn.cursor() as cursor:
        cursor.execute(_insert_statement(model, using), values)
        if conn.features.can_return_columns_from_insert:
            pk = cursor.fetchone()[0]
        else:
            pk = conn.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)
    if model._meta.pk.db_returning:
        setattr(instance, model._meta.pk.attname, pk)
    instance._state.adding = False
    instance._state.db = using
    return instance


_LITERAL = re.compile(r"^[a-z_]+$")


def literal_list(values) -> str:
    """``'called', 'serving'``: status values written into a statement (SQLite uses a partial index only when the
    WHERE states its condition term for term, which a bound ``IN (?, ?)`` never does). Checked: only lower-case
    words, so nothing from a request can reach the SQL text this way."""
    words = [str(v) for v in values]
    if not words or not all(_LITERAL.match(w) for w in words):
        raise ValueError(f"not status literals: {words!r}")
    return ", ".join(f"'{w}'" for w in words)


@cache
def _update_statement(model: type[Model], names: tuple[str, ...], only_if: tuple | None, using: str) -> str:
    q = connections[using].ops.quote_name
    meta = model._meta
    sets = ", ".join(f"{q(meta.get_field(n).column)} = %s" for n in names)
    sql = f"UPDATE {q(meta.db_table)} SET {sets} WHERE {q(meta.pk.column)} = %s"
    if only_if is not None:
        name, literals = only_if
        sql += f" AND {q(meta.get_field(name).column)} IN ({literal_list(literals)})"
    return sql


def update(model: type[Model], pk, *, only_if: tuple | None = None, using: str = "default", **changes) -> int:
    """``model.objects.filter(pk=pk[, <only_if[0]>__in=only_if[1]]).update(**changes)`` for plain values (no
    expressions), by a statement built once per process; the number of rows changed. Values are prepared as the
    ORM's update prepares them (a model instance by its key, then the field's ``get_db_prep_save``); like the ORM's
    update, no signal is sent."""
    conn = connections[using]
    meta = model._meta
    values = []
    for name, value in changes.items():
        field = meta.get_field(name)
        if hasattr(value, "resolve_expression"):
            raise TypeError(f"rows.update: {name} is an expression; use the ORM's update")
        if hasattr(value, "prepare_database_save"):
            value = value.prepare_database_save(field)
        values.append(field.get_db_prep_save(value, conn))
    only = None if only_if is None else (only_if[0], tuple(str(v) for v in only_if[1]))
    with conn.cursor() as cursor:
        cursor.execute(_update_statement(model, tuple(changes), only, using), [*values, pk])
        return cursor.rowcount


def save_fields(instance: Model, fields: tuple[str, ...], *, using: str = "default") -> None:
    """``instance.save(update_fields=fields)`` by ``update``'s statement; a model with a ``pre_save`` /
    ``post_save`` receiver is saved by ``save()`` (nothing is skipped)."""
    model = type(instance)
    if pre_save.has_listeners(model) or post_save.has_listeners(model):
        instance.save(update_fields=fields, using=using)
        return
    meta = model._meta
    changes = {}
    for name in fields:
        field = meta.get_field(name)
        changes[field.attname] = field.pre_save(instance, False)
    if update(model, instance.pk, using=using, **changes) != 1:
        raise model.DoesNotExist(f"{model.__name__} {instance.pk} is gone")  # as save(update_fields) refuses
