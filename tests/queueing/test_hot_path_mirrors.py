"""Issue 9 §1: the hot path's contract with the services (``queueing.hotpath.sql.MIRRORS``).

Every rule the hot path restates has one home in Django's path; the fingerprints of both sides are recorded together
(``queueing/hotpath/mirrors.json``), so a change to one side alone fails here with the name of its twin — on SQLite
too, where the differential test cannot tell (see test_hot_path_http.py)."""

from __future__ import annotations

import inspect

from queueing.hotpath import mirrors, sql
from queueing.hotpath.mirrors import RECORD_COMMAND, fingerprints, home, problems, resolve


def test_every_mirror_matches_its_record():
    found = problems()
    assert not found, "\n".join(found)


def test_every_mirrored_function_names_its_twin_in_its_docstring():
    missing = []
    for m in sql.MIRRORS:
        for name in m.python:
            obj = resolve(name)
            doc = inspect.getdoc(getattr(obj, "fget", obj)) or ""
            # The SQLite twins (sqlite_sql, lite) are named in MIRRORS and fingerprinted; the docstring names the
            # PostgreSQL statement and the hot-path functions.
            for twin in [
                h
                for h in m.hot
                if not h.startswith(("queueing.hotpath.sqlite_sql.", "queueing.hotpath.lite."))
            ]:
                if "mirrored in" not in doc.lower() or home(twin) not in " ".join(doc.split()):
                    missing.append(f"{name}: its docstring must say 'Mirrored in {home(twin)}'")
    assert not missing, "\n".join(missing)


def test_every_statement_that_restates_a_rule_is_in_the_table():
    from queueing.hotpath import sqlite_sql

    statements = {f"queueing.hotpath.sql.{n}" for n in dir(sql) if n.endswith("_SQL") and n != "ACTIVE_SQL"}
    # SQLite: the reads that restate a rule (the writes only store what lite.py computed with the services' code)
    statements |= {
        f"queueing.hotpath.sqlite_sql.{n}"
        for n in (
            "ISSUE_SEQ",
            "ISSUE_AHEAD",
            "CALL_STATE",
            "CALL_PICK",
            "CALL_CLAIM",
            "START_READ",
            "FINISH_READ",
        )
    }
    assert all(hasattr(sqlite_sql, n.rsplit(".", 1)[1]) for n in statements if "sqlite_sql" in n)
    listed = {h for m in sql.MIRRORS for h in m.hot}
    assert statements <= listed, statements - listed


def test_a_one_sided_change_fails_with_the_twin_named(monkeypatch):
    """The check itself can fail: a Python side changed alone, a statement changed alone, both changed."""
    now = fingerprints()

    def record_with(**changed):
        def recorded():
            old = {rule: {side: dict(h) for side, h in sides.items()} for rule, sides in now.items()}
            for side, name in changed.items():
                old["calling order"][side][name] = "0" * 16
            return old

        return recorded

    monkeypatch.setattr(mirrors, "recorded", record_with(python="queueing.services.calling.call_candidates"))
    (message,) = problems()
    assert "you changed queueing.services.calling.call_candidates" in message
    assert "change its mirror queueing.hotpath.sql.CALL_SQL" in message and RECORD_COMMAND in message

    monkeypatch.setattr(mirrors, "recorded", record_with(hot="queueing.hotpath.sql.CALL_SQL"))
    (message,) = problems()
    assert "you changed queueing.hotpath.sql.CALL_SQL" in message and "call_candidates" in message

    both = record_with(
        python="queueing.services.calling.call_candidates", hot="queueing.hotpath.sql.CALL_SQL"
    )
    monkeypatch.setattr(mirrors, "recorded", both)
    (message,) = problems()
    assert "both sides changed" in message and "make test-pg" in message


def test_a_docstring_or_a_comment_is_not_a_change():
    """The Python side is fingerprinted by its syntax tree without the docstring: only code counts."""
    source = "def f(x):\n    '''Doc.'''\n    return x + 1  # why\n"
    other = "def f(x):\n    '''Another doc, naming the twin.'''\n\n    return (x +\n            1)\n"
    changed = "def f(x):\n    return x + 2\n"

    def tree(text):
        import ast

        node = ast.parse(text).body[0]
        if isinstance(node.body[0], ast.Expr):
            node.body = node.body[1:]
        return ast.dump(node)

    assert tree(source) == tree(other) != tree(changed)
