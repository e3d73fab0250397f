"""``manage.py fullwidth [--check]``: full-width punctuation in the Chinese text of templates, code strings and the
gettext msgids of every app's English catalogue (``lib.fullwidth``). Mechanical and idempotent: re-run it after a
merge. In templates a mark between template tags becomes a translated mark, ``{% translate "：" %}`` (English ": ",
tingwu/locale). In model files only the string literals change (labels, choices, defaults; never comments or docstrings), and a
changed verbose_name, choice label or default is a migration of that app: run ``manage.py makemigrations`` after it
(``--check`` of both says what is left)."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lib.fullwidth import fix

SKIP_DIRS = {
    ".venv",
    ".git",
    "tests",
    "docs",
    "bench",
    "var",
    "migrations",
    "node_modules",
    "vendor",
    "locale",
}
SUFFIXES = {".py", ".html", ".txt", ".js"}
MSGID = re.compile(r'^(msgid|msgid_plural) "')


def _sources(root: Path):
    """The files to rewrite: templates, code, and the shipped data files (the service standard's versions)."""
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if SKIP_DIRS & set(rel[:-1]) or not path.is_file() or path.name == "fullwidth.py":
            continue
        if path.suffix in SUFFIXES or (path.suffix == ".json" and "data" in rel[:-1]):
            yield path


def _is_model_file(path: Path) -> bool:
    return path.suffix == ".py" and (path.name == "models.py" or "models" in path.parts[:-1])


def _is_template(path: Path) -> bool:
    """A Django template: its own full-width marks become translated marks (``lib.fullwidth.translated_marks``)."""
    return path.suffix in (".html", ".txt") and "templates" in path.parts


def fix_literals(source: str) -> str:
    """``source`` (Python) with ``fix`` applied to its string literals only: a model file's labels, choices and
    defaults change, its comments and docstrings (often code-adjacent English) stay as they are."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    edits = []
    skip = {tokenize.NL, tokenize.COMMENT}
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.STRING:
            continue
        before = next((t for t in reversed(tokens[:i]) if t.type not in skip), None)
        after = next((t for t in tokens[i + 1 :] if t.type not in skip), None)
        statement = (
            before is None or before.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
        ) and (after is None or after.type in (tokenize.NEWLINE, tokenize.ENDMARKER))
        new = fix(tok.string)
        if not statement and new != tok.string:
            a = starts[tok.start[0] - 1] + tok.start[1]
            b = starts[tok.end[0] - 1] + tok.end[1]
            edits.append((a, b, new))
    for a, b, new in reversed(edits):
        source = source[:a] + new + source[b:]
    return source


def _msgid(lines: list[str]) -> str:
    parts, in_id = [], False
    for line in lines:
        if line.startswith("msgid "):
            in_id = True
        elif not line.startswith('"'):
            in_id = False
        if in_id:
            parts.append(line.split('"', 1)[1].rsplit('"', 1)[0])
    return "".join(parts).replace('\\"', '"')


def fix_po(text: str) -> str:
    """Rewrite msgid lines (and their continuation lines); msgstr stays; a msgid that now repeats is dropped."""
    out_entries, seen = [], set()
    for entry in text.split("\n\n"):
        lines, in_id = entry.split("\n"), False
        for i, line in enumerate(lines):
            if MSGID.match(line):
                in_id = True
            elif not line.startswith('"'):
                in_id = False
            if in_id:
                lines[i] = fix(line)
        # An entry is its context and its msgid: 问题 under msgctxt "review pack" is not a repeat of 问题.
        msgid = "\n".join(line for line in lines if MSGID.match(line) or line.startswith(('"', "msgctxt ")))
        if "msgid" in entry and msgid in seen and 'msgid ""' not in lines[0:1]:
            continue
        seen.add(msgid)
        out_entries.append("\n".join(lines))
    return "\n\n".join(out_entries)


class Command(BaseCommand):
    help = "Full-width punctuation in Chinese UI text (templates, code strings, gettext msgids)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="list what would change, change nothing")

    def handle(self, *args, check=False, **options):
        root = Path(settings.BASE_DIR)
        changed = []
        for path in _sources(root):
            text = path.read_text()
            new = fix_literals(text) if _is_model_file(path) else fix(text, template=_is_template(path))
            if new != text:
                changed.append(path)
                if not check:
                    path.write_text(new)
        for po in sorted(root.glob("*/locale/*/LC_MESSAGES/django.po")):
            text = po.read_text()
            new = fix_po(text)
            if new != text:
                changed.append(po)
                if not check:
                    po.write_text(new)
        for path in changed:
            self.stdout.write(str(path.relative_to(root)))
        if check and changed:
            raise CommandError(f"{len(changed)} files have ASCII punctuation in Chinese text")
