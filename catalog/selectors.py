from __future__ import annotations

from django.db.models import Q

from catalog.models import GlossaryTerm, StandardPhrase


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
