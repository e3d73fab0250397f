"""The hot path's contract with the services: fingerprints of every rule written twice (issue 9 §1).

``queueing.hotpath.sql.MIRRORS`` lists each rule the hot path restates — the Python function(s) of
``queueing.services`` / ``queueing.selectors`` / the models on one side, the SQL statement(s) (or hot-path function)
on the other. ``fingerprints()`` hashes both sides: a Python function by its syntax tree without its docstring
(formatting and comments do not count, code does), a statement by its final text (table names and enum values
included). ``tests/queueing/test_hot_path_mirrors.py`` compares them with the committed record
(``queueing/hotpath/mirrors.json``) and names the side that changed and its twin. After changing both sides
together — and checking the differential test on both databases — record again::

    make hotpath-mirrors        # .venv/bin/python -m queueing.hotpath.mirrors --record
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import inspect
import json
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

RECORD = Path(__file__).with_name("mirrors.json")
RECORD_COMMAND = "make hotpath-mirrors"


@dataclass(frozen=True)
class Mirror:
    """One rule of the services that the hot path restates."""

    rule: str
    python: tuple[str, ...]  # dotted names: the rule's one home in Django's path
    hot: tuple[
        str, ...
    ]  # dotted names: its twins on the hot path (statements of sql.py, functions of ops.py …)
    note: str = ""


def resolve(dotted: str):
    """The object a dotted name points to (a module attribute, or a class's attribute)."""
    parts = dotted.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for name in parts[i:]:
            obj = inspect.getattr_static(obj, name) if inspect.isclass(obj) else getattr(obj, name)
        return obj
    raise LookupError(dotted)


def home(dotted: str) -> str:
    """``queueing/hotpath/sql.py: CALL_SQL`` — how a docstring names a twin."""
    obj = resolve(dotted)
    if isinstance(obj, str):
        module, _dot, name = dotted.rpartition(".")
        return f"{module.replace('.', '/')}.py: {name}"
    fn = _function(obj)
    return f"{fn.__module__.replace('.', '/')}.py: {fn.__qualname__}"


def _function(obj):
    if isinstance(obj, property):
        return obj.fget
    if isinstance(obj, (staticmethod, classmethod)):
        return obj.__func__
    return obj


def fingerprint(dotted: str) -> str:
    obj = resolve(dotted)
    if isinstance(obj, str):
        text = obj
    else:
        tree = ast.parse(textwrap.dedent(inspect.getsource(_function(obj))))
        node = tree.body[0]
        body = getattr(node, "body", None)
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(getattr(body[0], "value", None), ast.Constant)
        ):
            node.body = body[1:] or [ast.Pass()]  # the docstring does not count (it names the twin)
        text = ast.dump(node, include_attributes=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprints() -> dict[str, dict[str, dict[str, str]]]:
    import tingwu.api  # noqa: F401 - builds the API before its modules are imported one by one (its import cycle)
    from queueing.hotpath.sql import MIRRORS

    return {
        m.rule: {
            "python": {name: fingerprint(name) for name in m.python},
            "hot": {name: fingerprint(name) for name in m.hot},
        }
        for m in MIRRORS
    }


def recorded() -> dict:
    return json.loads(RECORD.read_text()) if RECORD.exists() else {}


def problems() -> list[str]:
    """What changed since the record, one sentence per rule, saying what to do."""
    from queueing.hotpath.sql import MIRRORS

    now, then = fingerprints(), recorded()
    out = []
    for m in MIRRORS:
        old = then.get(m.rule)
        if old is None:
            out.append(f"rule {m.rule!r} is not recorded yet: record it with `{RECORD_COMMAND}`")
            continue
        changed = {
            side: [n for n, h in now[m.rule][side].items() if old.get(side, {}).get(n) != h]
            for side in ("python", "hot")
        }
        if changed["python"] and not changed["hot"]:
            out.append(
                f"rule {m.rule!r}: you changed {', '.join(changed['python'])}; change its mirror "
                f"{', '.join(m.hot)} to match (or confirm it needs no change), then re-record with `{RECORD_COMMAND}`"
            )
        elif changed["hot"] and not changed["python"]:
            out.append(
                f"rule {m.rule!r}: you changed {', '.join(changed['hot'])}; it mirrors "
                f"{', '.join(m.python)} — change that too (the rule has one home), then re-record with "
                f"`{RECORD_COMMAND}`"
            )
        elif changed["python"]:
            out.append(
                f"rule {m.rule!r}: both sides changed ({', '.join(changed['python'] + changed['hot'])}); run the "
                f"differential test on both databases (make test-pg), then re-record with `{RECORD_COMMAND}`"
            )
    stale = set(then) - {m.rule for m in MIRRORS}
    out += [
        f"rule {r!r} is recorded but no longer in MIRRORS: re-record with `{RECORD_COMMAND}`" for r in stale
    ]
    return out


def record() -> None:
    RECORD.write_text(json.dumps(fingerprints(), indent=2, sort_keys=True) + "\n")


def main(argv: list[str]) -> int:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tingwu.settings")
    django.setup()
    if "--record" in argv:
        record()
        print(f"recorded {RECORD}")
        return 0
    found = problems()
    print("\n".join(found) or "every mirror matches its record")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
