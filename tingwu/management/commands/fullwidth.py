"""``manage.py fullwidth [--check]``: full-width punctuation in the Chinese text of templates, code strings and the
gettext msgids of every app's English catalogue (``lib.fullwidth``). Mechanical and idempotent: re-run it after a
merge. Model files are left alone (a changed verbose_name or choice label is a migration of that app)."""

from __future__ import annotations

import re
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


def _sources(root: Path, *, models: bool = False):
    """The files to rewrite, or (``models``) the model files left as they are."""
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if path.suffix not in SUFFIXES or SKIP_DIRS & set(rel[:-1]) or not path.is_file():
            continue
        is_model = path.name == "models.py" or "models" in rel[:-1]
        if path.name != "fullwidth.py" and is_model == models:
            yield path


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


def fix_po(text: str, keep: str = "") -> str:
    """Rewrite msgid lines (and their continuation lines); msgstr stays; a msgid that now repeats is dropped. A msgid
    found in ``keep`` (the model files' text, not rewritten) stays as it is."""
    out_entries, seen = [], set()
    for entry in text.split("\n\n"):
        lines, in_id = entry.split("\n"), False
        old = _msgid(lines)
        for i, line in enumerate(lines):
            if old and old in keep:
                break
            if MSGID.match(line):
                in_id = True
            elif not line.startswith('"'):
                in_id = False
            if in_id:
                lines[i] = fix(line)
        msgid = "\n".join(line for line in lines if MSGID.match(line) or line.startswith('"'))
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
            new = fix(text)
            if new != text:
                changed.append(path)
                if not check:
                    path.write_text(new)
        keep = "\n".join(path.read_text() for path in _sources(root, models=True))
        for po in sorted(root.glob("*/locale/*/LC_MESSAGES/django.po")):
            text = po.read_text()
            new = fix_po(text, keep)
            if new != text:
                changed.append(po)
                if not check:
                    po.write_text(new)
        for path in changed:
            self.stdout.write(str(path.relative_to(root)))
        if check and changed:
            raise CommandError(f"{len(changed)} files have ASCII punctuation in Chinese text")
