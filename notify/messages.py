"""Message templates in zh-Hans with ``{variables}`` (CMP-1 receipt SMS, CMP-3 result SMS, BIZ-2.1 callback, SLA
notices). Customer-facing texts never quote the customer's name: an SMS is read on a lock screen."""

from __future__ import annotations

import string
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.errors import ServiceError

TEMPLATES: dict[str, str] = {
    "complaint_receipt_sms": (
        "【{hall_name}】尊敬的客户，您的投诉已受理，受理编号{number}，受理时间{accepted_at}。"
        "值班主管将于{contact_deadline}前与您联系，并于{feedback_deadline}前反馈处理结果。咨询电话{hall_phone}。"
    ),
    # CMP-2.1: a complex complaint is promised a progress report within 72 h, not its result.
    "complaint_receipt_complex_sms": (
        "【{hall_name}】尊敬的客户，您的投诉已受理，受理编号{number}，受理时间{accepted_at}。"
        "值班主管将于{contact_deadline}前与您联系，并于{feedback_deadline}前向您反馈处理进度。咨询电话{hall_phone}。"
    ),
    "complaint_progress_sms": (
        "【{hall_name}】尊敬的客户，您的投诉（编号{number}）处理进展：{progress}。"
        "我们将于{next_deadline}前再次向您反馈。咨询电话{hall_phone}。"
    ),
    "complaint_solution_sms": (
        "【{hall_name}】尊敬的客户，您的投诉（编号{number}）处理结果：原因：{cause}；解决方案：{solution}；"
        "补偿：{compensation}；后续承诺：{follow_up}。如有疑问请致电{hall_phone}。"
    ),
    "consultation_callback_sms": (
        "【{hall_name}】尊敬的客户，关于您{asked_at}咨询的问题，答复如下：{answer}。如有疑问请致电{hall_phone}。"
    ),
    "consultation_received_sms": (
        "【{hall_name}】尊敬的客户，您的咨询已登记（编号{number}），我们将于{deadline}前答复您。"
    ),
    "missing_materials_sms": (
        "【{hall_name}】尊敬的客户，办理「{business}」还需补充以下材料：{items}。{how_to_obtain}"
    ),
    "sla_warning": (
        "【时限预警】{hall_name}：{subject}的「{target}」将于{deadline}到期（已用{share}），请尽快处理。"
    ),
    "sla_breach": "【时限超时】{hall_name}：{subject}的「{target}」已于{deadline}超时，请立即处理。",
    "sla_escalation": (
        "【超时升级·第{level}级】{hall_name}：{subject}的「{target}」已于{deadline}超时，"
        "至今未完成，现上报{role}{name}督办。"
    ),
}

SUBJECTS: dict[str, str] = {
    "sla_warning": "时限预警",
    "sla_breach": "时限超时",
    "sla_escalation": "超时升级",
}


# What the outbox page shows for each template (never the raw code in the zh-Hans UI).
LABELS: dict[str, object] = {
    "complaint_receipt_sms": _("投诉受理回执短信"),
    "complaint_receipt_complex_sms": _("复杂投诉受理回执短信"),
    "complaint_progress_sms": _("投诉进度反馈短信"),
    "complaint_solution_sms": _("投诉处理结果短信"),
    "consultation_callback_sms": _("咨询答复短信"),
    "consultation_received_sms": _("咨询登记短信"),
    "missing_materials_sms": _("补充材料清单短信"),
    "sla_warning": _("时限预警"),
    "sla_breach": _("时限超时"),
    "sla_escalation": _("超时升级"),
}


def template_label(name: str):
    """The Chinese name of a template; another app's template without a label shows its subject, else 其他通知."""
    return LABELS.get(name) or SUBJECTS.get(name) or _("其他通知")


def register_template(name: str, text: str, subject: str = "") -> None:
    """Other apps may add their own texts at import time (names are global: prefix them with the app)."""
    TEMPLATES[name] = text
    if subject:
        SUBJECTS[name] = subject


def _fmt(value) -> str:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if value is None:
        return "无"
    return str(value)


def template_fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(TEMPLATES[template]) if f}


def render_template(template: str, context: dict) -> str:
    if template not in TEMPLATES:
        raise ServiceError("notify_unknown_template", _("未知的消息模板"), field="template")
    missing = template_fields(template) - set(context)
    if missing:
        raise ServiceError("notify_missing_variable", _("消息模板缺少变量"), field="context")
    return TEMPLATES[template].format_map({k: _fmt(v) for k, v in context.items()})
