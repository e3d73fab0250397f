"""Outbox texts of the training app (STF-3.1). Registered at start-up; names are prefixed with the app."""

from __future__ import annotations

from notify.messages import register_template

register_template(
    "training_coverage_missing",
    "【培训提醒】{hall_name}{month}尚有{count}名员工未完成本月业务培训：{names}。距月底还有{days}天，请尽快安排。",
    subject="培训提醒",
)
