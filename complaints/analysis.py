"""Monthly complaint hot spots (CMP-3): counts with month-over-month change, keywords, phrases, similar groups.

Method (docs/complaints.md): each demand is segmented with jieba plus the telecom dictionary, stop words dropped.
Keyword weight = Σ over the month's complaints of tf·idf, idf = ln((N+1)/(df+1)) + 1 over that month's corpus.
Phrases = adjacent content-word pairs found in at least two complaints. Similar complaints = greedy single-pass
clustering of L2-normalised tf-idf vectors: a complaint joins the group whose centroid is closest if the cosine
similarity reaches ``SIMILARITY``, else starts a new group. No ML dependency; a month is a few hundred texts.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count
from django.utils.translation import gettext as _

from complaints.models import Responsibility
from complaints.text import terms
from lib.i18n import in_ui_language
from lib.months import month_bounds, previous_month

SIMILARITY = 0.3
TOP_KEYWORDS = 20
TOP_PHRASES = 10
MAX_EXAMPLES = 3


def _change(now: int, before: int) -> float | None:
    """Month-over-month change in percent; None when last month had none."""
    return None if before == 0 else round((now - before) * 100.0 / before, 1)


def _grouped(qs, field: str) -> dict:
    return {row[field]: row["n"] for row in qs.values(field).annotate(n=Count("pk")).order_by()}


@dataclass
class Doc:
    source: object  # the record the text came from (a complaint, an evaluation comment, …)
    words: list[str]
    vector: dict[str, float]


def tfidf_vectors(texts) -> tuple[list[Doc], dict[str, float]]:
    """The hot-spot method's vectors for a corpus of ``(source, text)`` pairs: each text segmented by
    ``complaints.text.terms`` (phone, ID and account numbers masked first, stop words dropped), then weighted by
    tf·idf with idf = ln((N+1)/(df+1)) + 1 over this corpus, and L2-normalised. Returns one ``Doc`` per pair, in
    order, and the idf. Public for other domains' free-text keywords (evaluations' comments); callers mask any
    name they know before passing the text (``CaseFile.mask_text``)."""
    docs = [(source, terms(text)) for source, text in texts]
    n = len(docs)
    df = Counter()
    for _source, words in docs:
        df.update(set(words))
    idf = {w: math.log((n + 1) / (d + 1)) + 1 for w, d in df.items()}
    out = []
    for source, words in docs:
        tf = Counter(words)
        vec = {w: (k / len(words)) * idf[w] for w, k in tf.items()} if words else {}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        out.append(Doc(source, words, {w: v / norm for w, v in vec.items()}))
    return out, idf


def complaint_vectors(complaints) -> tuple[list[Doc], dict[str, float]]:
    """Vectors of the complaints' demands, the anonymised files left out, each complainant's own name masked so
    no customer name reaches a keyword, a phrase or a group label (issue 10 §5)."""
    return tfidf_vectors((c, c.mask_text(c.demand)) for c in complaints if c.anonymised_at is None)


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


def _clusters(docs: list[Doc]) -> list[dict]:
    groups: list[dict] = []
    for doc in docs:
        if not doc.vector:
            continue
        best, best_sim = None, 0.0
        for g in groups:
            sim = _cosine(doc.vector, g["centroid"])
            if sim > best_sim:
                best, best_sim = g, sim
        if best is None or best_sim < SIMILARITY:
            groups.append({"centroid": dict(doc.vector), "sum": dict(doc.vector), "docs": [doc]})
            continue
        best["docs"].append(doc)
        for w, v in doc.vector.items():
            best["sum"][w] = best["sum"].get(w, 0.0) + v
        norm = math.sqrt(sum(v * v for v in best["sum"].values())) or 1.0
        best["centroid"] = {w: v / norm for w, v in best["sum"].items()}
    result = []
    for g in sorted(groups, key=lambda g: -len(g["docs"])):
        if len(g["docs"]) < 2:
            continue
        top = sorted(g["centroid"].items(), key=lambda kv: -kv[1])[:3]
        result.append(
            {
                "label": _("、").join(w for w, _v in top),
                "words": [w for w, _v in top],
                "count": len(g["docs"]),
                "examples": [
                    {"number": d.source.number, "summary": d.source.summary} for d in g["docs"][:MAX_EXAMPLES]
                ],
            }
        )
    return result


def monthly_hotspots(*, queryset, month: date) -> dict:
    """Everything the hot-spot page and the Excel export show, for the complaints in ``queryset`` (already
    scoped with ``for_user``) accepted in ``month``."""
    start, end = month_bounds(month)
    prev_start, prev_end = month_bounds(previous_month(month))
    current = queryset.filter(accepted_at__gte=start, accepted_at__lt=end)
    before = queryset.filter(accepted_at__gte=prev_start, accepted_at__lt=prev_end)

    def table(field: str, labels: dict) -> list[dict]:
        now_counts, prev_counts = _grouped(current, field), _grouped(before, field)
        keys = sorted(set(now_counts) | set(prev_counts), key=lambda k: (-now_counts.get(k, 0), str(k)))
        return [
            {
                "key": k,
                "label": str(labels.get(k, k or "—")),
                "count": now_counts.get(k, 0),
                "previous": prev_counts.get(k, 0),
                "change": _change(now_counts.get(k, 0), prev_counts.get(k, 0)),
            }
            for k in keys
        ]

    from catalog.models import BusinessType
    from halls.models import Hall

    type_ids = set(current.values_list("business_type_id", flat=True)) | set(
        before.values_list("business_type_id", flat=True)
    )
    hall_ids = set(current.values_list("hall_id", flat=True)) | set(before.values_list("hall_id", flat=True))
    type_names = {
        pk: in_ui_language(name, name_en)
        for pk, name, name_en in BusinessType.objects.filter(pk__in=type_ids).values_list(
            "pk", "name", "name_en"
        )
    }
    hall_names = dict(Hall.objects.filter(pk__in=hall_ids).values_list("pk", "name"))
    responsibility = {k: v for k, v in Responsibility.choices} | {"": _("未认定")}

    complaints = list(current.select_related("hall").order_by("accepted_at", "pk"))
    docs, idf = complaint_vectors(complaints)
    weight: dict[str, float] = defaultdict(float)
    doc_freq: Counter = Counter()
    phrases: Counter = Counter()
    for doc in docs:
        for w, v in doc.vector.items():
            weight[w] += v
        doc_freq.update(set(doc.words))
        phrases.update({f"{a}{b}" for a, b in zip(doc.words, doc.words[1:], strict=False) if a != b})
    keywords = [
        {"word": w, "weight": round(v, 3), "complaints": doc_freq[w]}
        for w, v in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_KEYWORDS]
    ]
    top_phrases = [
        {"phrase": p, "complaints": k}
        for p, k in sorted(phrases.items(), key=lambda kv: (-kv[1], kv[0]))
        if k >= 2
    ][:TOP_PHRASES]
    total, prev_total = len(complaints), before.count()
    return {
        "month": month.replace(day=1),
        "total": total,
        "previous_total": prev_total,
        "change": _change(total, prev_total),
        "by_business_type": table("business_type_id", type_names),
        "by_responsibility": table("responsibility", responsibility),
        "by_hall": table("hall_id", hall_names),
        "keywords": keywords,
        "phrases": top_phrases,
        "groups": _clusters(docs),
    }


def hotspots_workbook(data: dict) -> bytes:
    """The same figures as an Excel file (openpyxl), in the UI's language (sheet names, headers, labels)."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("统计")
    bold = Font(bold=True)
    month = data["month"].strftime(in_ui_language("%Y年%m月", "%Y-%m"))
    ws.append(
        [
            _("投诉热点分析 %(month)s") % {"month": month},
            "",
            _("合计 %(n)s") % {"n": data["total"]},
            _("上月 %(n)s") % {"n": data["previous_total"]},
        ]
    )
    ws["A1"].font = bold
    for title, rows in (
        (_("按业务类型"), data["by_business_type"]),
        (_("按责任归属"), data["by_responsibility"]),
        (_("按营业厅"), data["by_hall"]),
    ):
        ws.append([])
        ws.append([title, _("本月"), _("上月"), _("环比（%）")])
        ws.cell(ws.max_row, 1).font = bold
        for r in rows:
            ws.append(
                [r["label"], r["count"], r["previous"], r["change"] if r["change"] is not None else "—"]
            )
    kw = wb.create_sheet(_("关键词"))
    kw.append([_("关键词"), _("权重"), _("涉及投诉数")])
    for k in data["keywords"]:
        kw.append([k["word"], k["weight"], k["complaints"]])
    kw.append([])
    kw.append([_("短语"), _("涉及投诉数")])
    for p in data["phrases"]:
        kw.append([p["phrase"], p["complaints"]])
    gs = wb.create_sheet(_("相似投诉"))
    gs.append([_("主题"), _("投诉数"), _("示例编号"), _("示例摘要（已脱敏）")])
    for g in data["groups"]:
        for i, ex in enumerate(g["examples"]):
            gs.append(
                [g["label"] if i == 0 else "", g["count"] if i == 0 else "", ex["number"], ex["summary"]]
            )
    for sheet in wb.worksheets:
        sheet.column_dimensions["A"].width = 24
        sheet.column_dimensions["D"].width = 60
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
