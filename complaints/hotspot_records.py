"""The monthly hot-spot record (CMP-3, issue 10 §6): on the 1st the worker keeps last month's analysis per hall.

``hotspot_sweep`` is a single idempotent pass (called every worker pass): for the month before ``now`` it creates the
missing ``HotspotReport`` of each active hall and does nothing once they exist, so a worker that was down on the
1st catches up on its next pass and several workers never write a month twice (the unique (hall, month) row)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from complaints.analysis import monthly_hotspots, previous_month
from complaints.models import Complaint, HotspotReport


def _figures(data: dict) -> dict:
    """PI-free figures: counts by dimension, keywords, phrases, group words and sizes (no complaint text).

    Kept language-neutral: a dimension row keeps its key (business type id, responsibility value) and a group its
    words, never a label rendered in the language the worker happened to run in; the page names them in the
    reader's language (issue 10 §3)."""
    keep = ("key", "count", "previous", "change")
    return {
        "change": data["change"],
        "by_business_type": [{k: r[k] for k in keep} for r in data["by_business_type"]],
        "by_responsibility": [{k: r[k] for k in keep} for r in data["by_responsibility"]],
        "keywords": [
            {"word": k["word"], "weight": k["weight"], "complaints": k["complaints"]}
            for k in data["keywords"]
        ],
        "phrases": [{"phrase": p["phrase"], "complaints": p["complaints"]} for p in data["phrases"]],
        "groups": [{"words": g["words"], "count": g["count"]} for g in data["groups"]],
    }


def hotspot_sweep(*, now: datetime | None = None) -> dict:
    from halls.models import Hall

    now = now or timezone.now()
    month = previous_month(timezone.localdate(now))
    done = set(HotspotReport.objects.filter(month=month).values_list("hall_id", flat=True))
    created = 0
    for hall in Hall.objects.filter(is_active=True).exclude(pk__in=done).order_by("pk"):
        data = monthly_hotspots(queryset=Complaint.objects.filter(hall=hall), month=month)
        try:
            with transaction.atomic():
                HotspotReport.objects.create(
                    hall=hall,
                    month=month,
                    total=data["total"],
                    previous_total=data["previous_total"],
                    data=_figures(data),
                    created_at=now,
                )
        except IntegrityError:  # another worker kept it first
            continue
        created += 1
    return {"month": month.isoformat(), "created": created}
