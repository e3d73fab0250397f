"""Suggest general vs complex (CMP-2.1) from the complaint text and the business type; staff confirm.

CMP-2.1 names the examples: tariff questions and business not taking effect are *general*; contract disputes and
service errors are *complex*. The rules below extend those examples with the words customers actually use. Each
matched word scores its side; the business type's catalogue category adds a weight (a complaint about complex
business — handsets, contracts — leans complex). Ties go to *complex*: over-serving a complaint is cheaper than
missing the task force and the 72 h progress report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from complaints.models import Kind
from complaints.text import tokenizer

GENERAL_WORDS = {
    # tariff questions
    "资费": 2,
    "话费": 2,
    "扣费": 2,
    "乱扣费": 2,
    "多扣费": 2,
    "重复扣费": 2,
    "套餐费": 2,
    "月租": 1,
    "月租费": 1,
    "流量费": 2,
    "流量包": 1,
    "漫游费": 1,
    "增值业务": 1,
    "收费": 1,
    "账单": 1,
    "发票": 1,
    "积分": 1,
    "充值": 1,
    "未到账": 2,
    "到账": 1,
    # business not taking effect
    "未生效": 3,
    "没生效": 3,
    "不生效": 3,
    "生效": 1,
    "未开通": 2,
    "没开通": 2,
    "办理失败": 2,
}
COMPLEX_WORDS = {
    # contract disputes
    "合约": 3,
    "合约机": 3,
    "合约期": 3,
    "合同": 3,
    "合同纠纷": 3,
    "违约金": 3,
    "解约": 3,
    "提前解约": 3,
    "携号转网": 2,
    # service errors
    "办错": 3,
    "误办": 3,
    "操作失误": 3,
    "服务态度": 2,
    "态度差": 2,
    "态度恶劣": 3,
    "泄露": 3,
    "个人信息泄露": 3,
    "承诺未兑现": 2,
    "欺骗": 3,
    "诱导": 3,
    "赔偿": 2,
    "多次投诉": 2,
    "系统故障": 1,
}
CATEGORY_WEIGHT = {
    "complex": (Kind.COMPLEX, 2),
    "basic": (Kind.GENERAL, 1),
    "consultation": (Kind.GENERAL, 1),
}


@dataclass
class Suggestion:
    kind: str
    general_score: int = 0
    complex_score: int = 0
    reasons: list[str] = field(default_factory=list)


def suggest_kind(*, text: str, business_type=None) -> Suggestion:
    words = set(tokenizer().lcut(text or ""))
    # Substring matches catch words jieba splits differently ("没有生效" → 没有/生效）.
    general = {w: s for w, s in GENERAL_WORDS.items() if w in words or (len(w) > 2 and w in (text or ""))}
    complex_ = {w: s for w, s in COMPLEX_WORDS.items() if w in words or (len(w) > 2 and w in (text or ""))}
    g, c = sum(general.values()), sum(complex_.values())
    reasons = [f"general:{w}" for w in sorted(general)] + [f"complex:{w}" for w in sorted(complex_)]
    if business_type is not None and business_type.category in CATEGORY_WEIGHT:
        side, weight = CATEGORY_WEIGHT[business_type.category]
        if side == Kind.COMPLEX:
            c += weight
        else:
            g += weight
        reasons.append(f"category:{business_type.category}")
    kind = Kind.GENERAL if g > c else Kind.COMPLEX
    if g == 0 and c == 0:
        kind = Kind.GENERAL  # nothing known: the shorter clock, staff confirm at once
    return Suggestion(kind=kind, general_score=g, complex_score=c, reasons=reasons)
