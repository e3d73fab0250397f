"""A logging filter that masks anything shaped like a Chinese mobile or ID-card number, and device tokens
(``tw_…``: a display is paired once through a URL carrying its token, which the server's access log would keep)."""

from __future__ import annotations

import logging
import re

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID = re.compile(r"(?<![\dA-Za-z])(\d{3})\d{11}(\d{3}[\dXx])(?![\dA-Za-z])")
_TOKEN = re.compile(r"\b(tw_)[A-Za-z0-9_\-]{8,}")


def scrub(text: str) -> str:
    text = _ID.sub(lambda m: f"{m.group(1)}***********{m.group(2)}", text)
    text = _TOKEN.sub(r"\1********", text)
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


class MaskPersonalInformationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
