"""Notification texts of evaluations (registered with notify at import). No customer name or phone in any text."""

from __future__ import annotations

from notify.messages import register_template

register_template(
    "evaluation_invite_sms",
    "【{hall_name}】感谢您办理「{business}」。请回复数字评价本次服务：5非常满意，4满意，3一般，2不满意，"
    "1非常不满意；回复0不参与评价。也可打开链接评价：{link}",
)
register_template(
    "evaluation_help_sms",
    "【{hall_name}】抱歉，未能识别您的回复。请回复一个数字：5非常满意，4满意，3一般，2不满意，1非常不满意；回复0不参与评价。",
)
register_template("evaluation_thanks_sms", "【{hall_name}】感谢您的评价，我们将持续改进服务。")
register_template(
    "evaluation_low_score",
    "【差评提醒】{hall_name}{counter}号窗口（{clerk}）办理的{number}号收到「{level}」评价，原因：{reasons}。"
    "请{name}于{deadline}前回访客户并记录结果。",
    subject="差评提醒",
)
