"""BIZ-3: what reaches a log line never carries a phone number, an ID number or a device token."""

from __future__ import annotations

import logging

from privacy.logging import MaskPersonalInformationFilter, scrub


def test_access_log_line_with_a_pairing_token_is_masked():
    line = '127.0.0.1:5000 - "GET /floor/display/3/?token=tw_demo_0123456789abcdef HTTP/1.1" 302'
    assert "tw_demo_0123456789abcdef" not in scrub(line)
    assert "token=tw_********" in scrub(line)


def test_filter_masks_phone_and_id_in_formatted_records():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "call %s id %s", ("13800138000", "11010519491231002X"), None
    )
    MaskPersonalInformationFilter().filter(record)
    message = record.getMessage()
    assert "13800138000" not in message and "138****8000" in message
    assert "11010519491231002X" not in message
