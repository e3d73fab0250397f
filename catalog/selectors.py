from __future__ import annotations

from django.db.models import Q

from catalog.models import GlossaryTerm, StandardPhrase
from lib.errors import NotFound


def standard_or_none():
    """The standard in force now, or None before any version is published (pages still render)."""
    from standard.services import standard_in_force

    try:
        return standard_in_force()
    except NotFound:
        return None


def time_limit_in_force(bt, standard) -> int | None:
    """Minutes allowed for ``bt`` (BIZ-2.2): its own override, else the standard's figure for its category."""
    return bt.time_limit(standard) if standard is not None else bt.time_limit_minutes


def glossary_search(*, query: str, limit: int = 50):
    query = (query or "").strip()
    qs = GlossaryTerm.objects.all()
    if query:
        qs = qs.filter(Q(term__icontains=query) | Q(plain__icontains=query) | Q(plain_en__icontains=query))
    return qs[:limit]


def phrase_search(*, query: str = "", kind: str = "", limit: int = 50):
    qs = StandardPhrase.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if query:
        qs = qs.filter(Q(text__icontains=query) | Q(text_en__icontains=query))
    return qs[:limit]
