"""Scoring (SUP-1.1): Σ weight·score ÷ Σ weight·max over answered, non-N/A items; a failed critical item fails the
run. Pure functions over the frozen item copies, shared by self-inspections, appearance checks and visits."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from lib.errors import ServiceError


@dataclass
class ItemScore:
    code: str
    result: str  # pass / fail / na
    score: float | None  # points on the 0…max scale (None when N/A or not scored)
    maximum: float  # max points (0 when not scored)
    weight: float


@dataclass
class Score:
    num: float = 0.0
    den: float = 0.0
    failed_critical: bool = False
    sections: dict = field(default_factory=dict)
    items: list = field(default_factory=list)

    @property
    def pct(self) -> float | None:
        return round(100 * self.num / self.den, 1) if self.den else None


def _number(value, *, code: str):
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ServiceError("invalid_number", _("请填写数字"), field=code) from None


def score_item(item: dict, answer: dict) -> ItemScore:
    """Normalise one answer: ``{"result": "pass"|"fail"|"na"}`` or ``{"score": n}`` or ``{"number": x}``."""
    code, kind = item["code"], item["response_type"]
    maximum, weight = float(item.get("max_score") or 1), float(item.get("weight") or 1)
    if answer.get("result") == "na":
        if not item.get("na_allowed"):
            raise ServiceError("na_not_allowed", _("该项不允许选择「不适用」"), field=code)
        return ItemScore(code, "na", None, 0.0, weight)
    if kind == "pass_fail":
        result = answer.get("result")
        if result not in ("pass", "fail"):
            raise ServiceError("answer_required", _("请为每一项选择结果"), field=code)
        return ItemScore(code, result, maximum if result == "pass" else 0.0, maximum, weight)
    if kind == "score":
        value = _number(answer.get("score"), code=code)
        if value is None:
            raise ServiceError("answer_required", _("请为每一项选择结果"), field=code)
        if not 0 <= value <= maximum:
            raise ServiceError("score_out_of_range", _("得分须在0到满分之间"), field=code)
        return ItemScore(code, "pass" if value >= maximum else "fail", value, maximum, weight)
    value = _number(answer.get("number"), code=code)
    if value is None:
        raise ServiceError("answer_required", _("请为每一项选择结果"), field=code)
    low, high = item.get("limit_min"), item.get("limit_max")
    if low is None and high is None:  # recorded, not scored
        return ItemScore(code, "na", None, 0.0, weight)
    ok = (low is None or value >= low) and (high is None or value <= high)
    return ItemScore(code, "pass" if ok else "fail", maximum if ok else 0.0, maximum, weight)


def score_run(items: list[dict], answers: dict[str, dict]) -> Score:
    """Every item of the frozen copy must be answered; unknown item codes are refused."""
    unknown = set(answers) - {i["code"] for i in items}
    if unknown:
        raise ServiceError("unknown_item", _("存在不属于本模板的检查项"), field=sorted(unknown)[0])
    total = Score()
    for item in items:
        scored = score_item(item, answers.get(item["code"]) or {})
        total.items.append(scored)
        section = total.sections.setdefault(item.get("section", ""), {"num": 0.0, "den": 0.0})
        if scored.score is None:
            continue
        total.num += scored.weight * scored.score
        total.den += scored.weight * scored.maximum
        section["num"] += scored.weight * scored.score
        section["den"] += scored.weight * scored.maximum
        if item.get("critical") and scored.result == "fail":
            total.failed_critical = True
    return total
