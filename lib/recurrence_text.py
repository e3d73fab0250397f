"""An RFC 5545 recurrence rule said in words, for people (the standard page shows 「每周周一」， not
``FREQ=WEEKLY;BYDAY=MO``). Covers what Tingwu's plans use; anything else reads 「自定义周期」 rather than a raw code."""

from __future__ import annotations

from django.utils.translation import pgettext


def _(text: str) -> str:
    # A context of their own: 「周一」 alone is translated elsewhere (opening hours) differently.
    return pgettext("recurrence", text)


_FREQ = {
    "DAILY": ("天", "每天"),
    "WEEKLY": ("周", "每周"),
    "MONTHLY": ("个月", "每月"),
    "YEARLY": ("年", "每年"),
}
_DAYS = {"MO": "周一", "TU": "周二", "WE": "周三", "TH": "周四", "FR": "周五", "SA": "周六", "SU": "周日"}
_KNOWN = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY"}


def looks_like_rule(value) -> bool:
    return isinstance(value, str) and value.upper().startswith("FREQ=")


def describe(rule: str) -> str:
    try:
        parts = dict(p.split("=", 1) for p in rule.upper().split(";") if p)
    except ValueError:
        return _("自定义周期")
    freq = _FREQ.get(parts.get("FREQ", ""))
    if freq is None or set(parts) - _KNOWN:
        return _("自定义周期")
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or int(interval) < 1:
        return _("自定义周期")
    text = _(freq[1]) if interval == "1" else _("每%(n)s%(unit)s") % {"n": interval, "unit": _(freq[0])}
    if "BYDAY" in parts:
        days = [_DAYS.get(d) for d in parts["BYDAY"].split(",")]
        if None in days:
            return _("自定义周期")
        text += "、".join(_(d) for d in days)
    if "BYMONTHDAY" in parts:
        days = parts["BYMONTHDAY"].split(",")
        if not all(d.lstrip("-").isdigit() for d in days):
            return _("自定义周期")
        text += "、".join(_("%(d)s日") % {"d": d} if not d.startswith("-") else _("最后一天") for d in days)
    return text
