"""Monthly evaluation figures (SUP-1.2) per clerk / hall / region, from ONE queryset so the list and the percentage
never disagree (Odoo #25120): satisfaction = （非常满意 + 满意） ÷ valid, n = valid, response rate = answered ÷
invited (invitations of the month, whatever their channel), low-score reasons ranked, comment keywords.

Keywords reuse the complaint hot-spot analysis (``complaints.analysis``: jieba + telecom dictionary, tf·idf over the
month's corpus) — the comments are fed to it as documents; no second text analysis is written here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count

from complaints.analysis import TOP_KEYWORDS, month_bounds, tfidf_vectors
from evaluations.models import TOP_LEVELS, Evaluation, EvaluationInvitation, InvitationStatus, Level
from kpi.selectors import figure_for
from lib.i18n import in_ui_language

GROUPS = {"clerk": "clerk_id", "hall": "hall_id", "region": "region_id"}


def pct(num: int, den: int) -> float | None:
    return None if not den else round(num * 100.0 / den, 1)


def _labels(group: str, keys) -> dict:
    from django.contrib.auth import get_user_model

    from halls.models import Hall, Region

    keys = [k for k in keys if k is not None]
    if group == "clerk":
        users = get_user_model().objects.filter(pk__in=keys).select_related("staff_profile")
        return {
            u.pk: (
                f"{u.staff_profile.full_name}({u.staff_profile.employee_number})"
                if hasattr(u, "staff_profile")
                else u.username
            )
            for u in users
        }
    model = Hall if group == "hall" else Region
    return dict(model.objects.filter(pk__in=keys).values_list("pk", "name"))


def monthly(*, evaluations, invitations, month: date, group: str = "clerk") -> dict:
    """``evaluations`` / ``invitations``: querysets already scoped (``for_user``, a clerk's own)."""
    field = GROUPS[group]
    start, end = month_bounds(month)
    evs = evaluations.filter(submitted_at__gte=start, submitted_at__lt=end)
    invs = invitations.filter(invited_at__gte=start, invited_at__lt=end)
    rows: dict = defaultdict(
        lambda: {"invited": 0, "answered": 0, "valid": 0, "top": 0, "excluded": 0, "total": 0}
    )
    for r in invs.values(field).annotate(n=Count("pk")).order_by():
        rows[r[field]]["invited"] += r["n"]
    for r in invs.filter(status=InvitationStatus.ANSWERED).values(field).annotate(n=Count("pk")).order_by():
        rows[r[field]]["answered"] += r["n"]
    for r in evs.values(field, "valid", "level").annotate(n=Count("pk")).order_by():
        row = rows[r[field]]
        row["total"] += r["n"]
        if r["valid"]:
            row["valid"] += r["n"]
            if r["level"] in TOP_LEVELS:
                row["top"] += r["n"]
        else:
            row["excluded"] += r["n"]
    labels = _labels(group, rows.keys())
    table = []
    for key, row in rows.items():
        table.append(
            {
                "key": key,
                "label": labels.get(key, "—"),
                **row,
                "satisfaction": pct(row["top"], row["valid"]),
                "response_rate": pct(row["answered"], row["invited"]),
                "figure": _satisfaction(row, month),
            }
        )
    table.sort(key=lambda r: (r["satisfaction"] is None, r["satisfaction"] or 0, str(r["label"])))
    totals = {
        k: sum(r[k] for r in table) for k in ("invited", "answered", "valid", "top", "excluded", "total")
    }
    totals["satisfaction"] = pct(totals["top"], totals["valid"])
    totals["response_rate"] = pct(totals["answered"], totals["invited"])
    totals["figure"] = _satisfaction(totals, month)
    by_level = dict(evs.valid().values_list("level").annotate(n=Count("pk")).order_by())
    levels = [{"level": v, "label": label, "count": by_level.get(v, 0)} for v, label in Level.choices]
    return {
        "month": month.replace(day=1),
        "group": group,
        "rows": table,
        "totals": totals,
        "levels": levels,
        "reasons": reasons_ranked(evs),
        "keywords": comment_keywords(evs),
    }


def _satisfaction(row: dict, month: date):
    """The KPI's own figure (SUP-2): same target, minimum sample and 样本不足 marker as the KPI pages."""
    return figure_for(
        "satisfaction", row["top"], row["valid"], month=month.replace(day=1), source="evaluation"
    )


def reasons_ranked(evs) -> list[dict]:
    """Reasons of the valid evaluations below the top two, most frequent first."""
    low = evs.valid().filter(level__lt=Level.SATISFIED)
    through = Evaluation.reasons.through
    counts = (
        through.objects.filter(evaluation__in=low)
        .values("reasonchip_id", "reasonchip__name", "reasonchip__name_en")
        .annotate(n=Count("evaluation_id", distinct=True))
        .order_by("-n", "reasonchip_id")
    )
    n_low = low.count()
    return [
        {
            "name": in_ui_language(r["reasonchip__name"], r["reasonchip__name_en"]),
            "count": r["n"],
            "share": pct(r["n"], n_low),
        }
        for r in counts
    ]


def comment_keywords(evs) -> list[dict]:
    """The comments' keywords by the complaint hot-spot method (Σ tf·idf over the month's comments)."""
    comments = [c for c in evs.exclude(comment="").values_list("comment", flat=True) if c]
    docs, _idf = tfidf_vectors((c, c) for c in comments)
    weight: dict[str, float] = defaultdict(float)
    freq: Counter = Counter()
    for doc in docs:
        for w, v in doc.vector.items():
            weight[w] += v
        freq.update(set(doc.words))
    return [
        {"word": w, "weight": round(v, 3), "comments": freq[w]}
        for w, v in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_KEYWORDS]
    ]


def scoped(user):
    """(evaluations, invitations) the user may read: everything in their halls with ``evaluation.view``; a clerk
    without it sees their own."""
    from staff.access import hall_ids_with

    ids = hall_ids_with(user, "evaluation.view")
    evs, invs = Evaluation.objects.all(), EvaluationInvitation.objects.all()
    if ids is None:
        return evs, invs
    if ids:
        return evs.filter(hall_id__in=ids), invs.filter(hall_id__in=ids)
    own = hall_ids_with(user, "evaluation.own") or set()
    return (
        evs.filter(hall_id__in=own, clerk_id=user.pk),
        invs.filter(hall_id__in=own, clerk_id=user.pk),
    )
