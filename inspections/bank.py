"""The default item bank and templates (SUP-1.1, SUP-1.3, STF-1, STF-2, ENV-*, BIZ-1.1), seeded by a migration.

Plain data plus one function that takes the model classes, so the data migration (historical models) and the
demo/tests (real models) seed the same thing. Editable afterwards: a template change publishes a new version.
"""

from __future__ import annotations

# code, section, text, clause, response_type, max_score, weight, limit_max, na_allowed, critical, photo_on_fail
ITEMS = [
    (
        "ENV-CLEAN",
        "environment",
        "大厅地面、台面整洁，无杂物",
        "ENV-1",
        "pass_fail",
        1,
        2,
        None,
        False,
        False,
        True,
    ),
    (
        "ENV-SIGN",
        "environment",
        "功能分区标识、业务公示清晰完整",
        "ENV-1",
        "pass_fail",
        1,
        1,
        None,
        False,
        False,
        True,
    ),
    (
        "ENV-SEAT",
        "environment",
        "等候座椅、饮水、便民设施完好可用",
        "ENV-2.1",
        "score",
        5,
        2,
        None,
        False,
        False,
        True,
    ),
    (
        "ENV-SAFE",
        "environment",
        "消防通道畅通，安全设施完好",
        "ENV-3",
        "pass_fail",
        1,
        3,
        None,
        False,
        True,
        True,
    ),
    (
        "ENV-ACCESS",
        "environment",
        "无障碍设施、爱心窗口可用",
        "ENV-2.1",
        "pass_fail",
        1,
        1,
        None,
        True,
        False,
        True,
    ),
    (
        "STF-GREET",
        "conduct",
        "首问问候语、送别语规范（您好/请慢走）",
        "STF-2.1",
        "pass_fail",
        1,
        2,
        None,
        False,
        False,
        False,
    ),
    (
        "STF-PLAIN",
        "conduct",
        "使用通俗用语，不使用行业术语",
        "STF-2.2",
        "pass_fail",
        1,
        1,
        None,
        False,
        False,
        False,
    ),
    (
        "STF-ATTITUDE",
        "conduct",
        "服务态度热情耐心，无推诿",
        "STF-2",
        "score",
        5,
        3,
        None,
        False,
        False,
        False,
    ),
    (
        "STF-BADGE",
        "conduct",
        "在岗人员佩戴工牌、着装统一",
        "STF-1",
        "pass_fail",
        1,
        1,
        None,
        False,
        False,
        True,
    ),
    (
        "BIZ-MATERIALS",
        "process",
        "一次性告知所需材料",
        "BIZ-1.1",
        "pass_fail",
        1,
        2,
        None,
        False,
        False,
        False,
    ),
    ("BIZ-ID", "process", "按规定核验身份证件并留存", "BIZ-3", "pass_fail", 1, 3, None, False, True, False),
    ("BIZ-WAIT", "process", "等候时间（分钟，不超过15）", "BIZ-2.2", "number", 1, 2, 15, True, False, False),
    (
        "BIZ-PUBLIC",
        "process",
        "资费、服务承诺公示准确",
        "BIZ-1.1",
        "pass_fail",
        1,
        1,
        None,
        True,
        False,
        True,
    ),
    ("APP-UNIFORM", "appearance", "工装整洁统一", "STF-1", "pass_fail", 1, 1, None, False, False, False),
    ("APP-BADGE", "appearance", "佩戴工牌", "STF-1", "pass_fail", 1, 1, None, False, False, False),
    ("APP-HAIR", "appearance", "发型整洁", "STF-1", "pass_fail", 1, 1, None, False, False, False),
    ("APP-MAKEUP", "appearance", "淡妆上岗、面容整洁", "STF-1", "pass_fail", 1, 1, None, False, False, False),
    (
        "APP-ACCESSORY",
        "appearance",
        "饰品佩戴符合要求",
        "STF-1",
        "pass_fail",
        1,
        1,
        None,
        False,
        False,
        False,
    ),
]

SELF_INSPECTION_CODES = [i[0] for i in ITEMS if i[1] != "appearance"]
APPEARANCE_CODES = [i[0] for i in ITEMS if i[1] == "appearance"]


def frozen(row) -> dict:
    code, section, text, clause, kind, max_score, weight, limit_max, na, critical, photo = row
    return {
        "code": code,
        "section": section,
        "text": text,
        "clause": clause,
        "response_type": kind,
        "max_score": max_score,
        "weight": weight,
        "limit_min": None,
        "limit_max": limit_max,
        "na_allowed": na,
        "critical": critical,
        "photo_on_fail": photo,
    }


def seed(Item, InspectionTemplate, TemplateVersion) -> None:
    """Idempotent: items by code, one template per kind (name), version 1 only when none exists."""
    rows = {}
    for row in ITEMS:
        data = frozen(row)
        code = data.pop("code")
        Item.objects.get_or_create(code=code, defaults=data)
        rows[code] = row
    for kind, name, codes in [
        ("self_inspection", "营业厅服务自查表", SELF_INSPECTION_CODES),
        ("appearance", "班前会仪容仪表检查表", APPEARANCE_CODES),
    ]:
        template, _created = InspectionTemplate.objects.get_or_create(kind=kind, name=name, region=None)
        if not TemplateVersion.objects.filter(template=template).exists():
            TemplateVersion.objects.create(
                template=template, number=1, items=[frozen(rows[c]) for c in codes]
            )


def seed_now() -> None:
    from inspections.models import InspectionTemplate, Item, TemplateVersion

    seed(Item, InspectionTemplate, TemplateVersion)
