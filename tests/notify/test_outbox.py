"""The outbox (CMP-1, CMP-3): idempotent enqueue, encrypted recipient, templates, retries with back-off,
masked logs, and real HTTP deliveries to a local server (WeCom robot JSON, SMS gateway)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from lib.errors import ServiceError
from notify.backends import wecom_webhook_url
from notify.messages import render_template
from notify.models import Notification, NotificationStatus
from notify.services import backoff_seconds, notification_drain, notification_enqueue

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
PHONE = "13812345678"
RECEIPT = {
    "hall_name": "甲营业厅",
    "number": "TS20260302-0001",
    "accepted_at": NOW,
    "contact_deadline": NOW + timedelta(hours=2),
    "feedback_deadline": NOW + timedelta(hours=24),
    "hall_phone": "0755-10086000",
}


def _sms(hall, key="k1", **kw):
    return notification_enqueue(
        hall=hall,
        channel="sms",
        recipient=PHONE,
        template="complaint_receipt_sms",
        context=RECEIPT,
        dedupe_key=key,
        **kw,
    )


def test_receipt_sms_renders_the_computed_deadlines():
    """CMP-1: the receipt states the acceptance time and the feedback deadline."""
    text = render_template("complaint_receipt_sms", RECEIPT)
    assert "2026-03-02 10:00" in text and "2026-03-02 12:00" in text and "2026-03-03 10:00" in text
    assert text.startswith("【甲营业厅】")


def test_unknown_template_and_missing_variable_are_refused(world):
    with pytest.raises(ServiceError) as exc:
        render_template("nope", {})
    assert exc.value.code == "notify_unknown_template"
    with pytest.raises(ServiceError) as exc:
        notification_enqueue(
            hall=world["hall_a"],
            channel="sms",
            recipient=PHONE,
            template="complaint_receipt_sms",
            context={"hall_name": "x"},
            dedupe_key="k",
        )
    assert exc.value.code == "notify_missing_variable"
    assert not Notification.objects.exists()


def test_enqueue_is_idempotent_on_the_dedupe_key(world):
    first = _sms(world["hall_a"])
    second = _sms(world["hall_a"])
    assert first.pk == second.pk and Notification.objects.count() == 1


def test_recipient_and_body_are_encrypted_and_shown_masked(world):
    n = _sms(world["hall_a"])
    assert n.recipient_masked == "138****5678"
    with connection.cursor() as cur:
        cur.execute("SELECT recipient, body FROM notify_notification WHERE id = %s", [n.pk])
        raw_recipient, raw_body = cur.fetchone()
    assert raw_recipient.startswith("enc1:") and PHONE not in raw_recipient
    assert raw_body.startswith("enc1:")
    assert Notification.objects.get(pk=n.pk).recipient == PHONE


@pytest.mark.parametrize("bad", ["12345", "2381234567", "138123456789", "abc"])
def test_invalid_phone_is_refused_and_nothing_saved(world, bad):
    with pytest.raises(ServiceError) as exc:
        notification_enqueue(
            hall=world["hall_a"],
            channel="sms",
            recipient=bad,
            template="complaint_receipt_sms",
            context=RECEIPT,
            dedupe_key="bad",
        )
    assert exc.value.code == "invalid_phone" and exc.value.status == 400
    assert not Notification.objects.exists()


def test_phone_with_country_code_and_spaces_is_normalised(world):
    n = notification_enqueue(
        hall=world["hall_a"],
        channel="sms",
        recipient="+86 138-1234-5678",
        template="complaint_receipt_sms",
        context=RECEIPT,
        dedupe_key="n",
    )
    assert n.recipient == PHONE


def test_default_backend_records_and_logs_masked(world, caplog):
    _sms(world["hall_a"])
    with caplog.at_level(logging.INFO, logger="tingwu.notify"):
        result = notification_drain(now=timezone_now_plus())
    assert result["sent"] == 1
    n = Notification.objects.get()
    assert n.status == NotificationStatus.SENT and n.attempts == 1 and n.sent_at is not None
    assert PHONE not in caplog.text and "138****5678" in caplog.text


def test_default_backend_keeps_free_text_out_of_the_log(world, caplog):
    """BIZ-3: a solution or answer is free text that may name the customer; the log line must not carry it."""
    notification_enqueue(
        hall=world["hall_a"],
        channel="sms",
        recipient=PHONE,
        template="consultation_callback_sms",
        context={
            "hall_name": "甲营业厅",
            "asked_at": "3月2日",
            "answer": "张三丰先生,您的宽带已于今日恢复",
            "hall_phone": "0755-10086000",
        },
        dedupe_key="free-text",
    )
    with caplog.at_level(logging.INFO, logger="tingwu.notify"):
        assert notification_drain(now=timezone_now_plus())["sent"] == 1
    assert "consultation_callback_sms" in caplog.text and "138****5678" in caplog.text
    assert "张三丰" not in caplog.text


def timezone_now_plus(seconds=1):
    from django.utils import timezone

    return timezone.now() + timedelta(seconds=seconds)


def test_wecom_robot_receives_the_real_webhook_json(world, settings, http_server):
    """The WeCom group robot gets {"msgtype": "text", "text": {"content", "mentioned_list"}} at its webhook."""
    settings.TINGWU_NOTIFY_BACKENDS = {
        **settings.TINGWU_NOTIFY_BACKENDS,
        "wecom": "notify.backends.WeComRobotBackend",
    }
    settings.TINGWU_WECOM_WEBHOOK_URL = f"{http_server.url}/cgi-bin/webhook/send?key=test-key"
    notification_enqueue(
        hall=world["hall_a"],
        channel="wecom",
        recipient="default",
        template="sla_breach",
        context={"hall_name": "甲营业厅", "subject": "TS-1", "target": "投诉首次联系", "deadline": NOW},
        dedupe_key="w1",
        options={"mentioned_list": ["supervisor_a"], "mentioned_mobile_list": [PHONE]},
    )
    notification_enqueue(
        hall=world["hall_a"],
        channel="wecom",
        recipient="default",
        template="sla_breach",
        context={"hall_name": "甲营业厅", "subject": "TS-2", "target": "投诉首次联系", "deadline": NOW},
        dedupe_key="w2",
        options={"msgtype": "markdown"},
    )
    assert notification_drain(now=timezone_now_plus())["sent"] == 2
    first, second = http_server.requests
    assert first["path"] == "/cgi-bin/webhook/send?key=test-key"
    assert first["json"] == {
        "msgtype": "text",
        "text": {
            "content": "【时限超时】甲营业厅：TS-1的「投诉首次联系」已于2026-03-02 10:00超时，请立即处理。",
            "mentioned_list": ["supervisor_a"],
            "mentioned_mobile_list": [PHONE],
        },
    }
    assert second["json"]["msgtype"] == "markdown" and "TS-2" in second["json"]["markdown"]["content"]


def test_wecom_error_code_is_retried_with_back_off_then_fails(world, settings, http_server):
    settings.TINGWU_NOTIFY_BACKENDS = {
        **settings.TINGWU_NOTIFY_BACKENDS,
        "wecom": "notify.backends.WeComRobotBackend",
    }
    settings.TINGWU_WECOM_WEBHOOK_URL = f"{http_server.url}/send?key=k"
    http_server.responses = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"}), (500, {})]
    n = notification_enqueue(
        hall=world["hall_a"],
        channel="wecom",
        recipient="",
        template="sla_breach",
        context={"hall_name": "甲", "subject": "TS-1", "target": "t", "deadline": NOW},
        dedupe_key="w",
    )
    n.max_attempts = 3
    n.save(update_fields=["max_attempts"])
    t = timezone_now_plus()
    assert notification_drain(now=t)["retry"] == 1
    n.refresh_from_db()
    assert n.status == NotificationStatus.QUEUED and n.last_error.endswith("errcode 93000")
    assert n.next_attempt_at == t + timedelta(seconds=60)
    assert notification_drain(now=t + timedelta(seconds=30))["sent"] == 0  # not yet due
    assert notification_drain(now=t + timedelta(seconds=60))["retry"] == 1
    n.refresh_from_db()
    assert n.next_attempt_at == t + timedelta(seconds=60 + 120) and "HTTP 500" in n.last_error
    http_server.responses = [(500, {})]
    assert notification_drain(now=t + timedelta(seconds=180))["failed"] == 1
    n.refresh_from_db()
    assert n.status == NotificationStatus.FAILED and n.attempts == 3
    assert len(http_server.requests) == 3


def test_backoff_doubles_and_is_capped():
    assert [backoff_seconds(a) for a in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff_seconds(30) == 6 * 3600


def test_sms_gateway_gets_generic_json_and_errors_are_masked(world, settings, http_server):
    settings.TINGWU_NOTIFY_BACKENDS = {
        **settings.TINGWU_NOTIFY_BACKENDS,
        "sms": "notify.backends.SmsHttpBackend",
    }
    settings.TINGWU_SMS_URL = f"{http_server.url}/sms"
    settings.TINGWU_SMS_TOKEN = "gateway-token"
    _sms(world["hall_a"])
    assert notification_drain(now=timezone_now_plus())["sent"] == 1
    req = http_server.requests[0]
    assert req["json"]["phone"] == PHONE and req["json"]["template"] == "complaint_receipt_sms"
    assert "TS20260302-0001" in req["json"]["content"]
    assert req["headers"]["Authorization"] == "Bearer gateway-token"


def test_failure_message_never_carries_the_phone(world, settings):
    settings.TINGWU_NOTIFY_BACKENDS = {
        **settings.TINGWU_NOTIFY_BACKENDS,
        "sms": "tests.notify.test_outbox.LeakyBackend",
    }
    _sms(world["hall_a"])
    notification_drain(now=timezone_now_plus())
    n = Notification.objects.get()
    assert PHONE not in n.last_error and "138****5678" in n.last_error


class LeakyBackend:
    def send(self, notification):
        raise RuntimeError(f"gateway refused {notification.recipient}")


def test_email_backend_uses_django_mail(world, settings, mailoutbox):
    settings.TINGWU_NOTIFY_BACKENDS = {
        **settings.TINGWU_NOTIFY_BACKENDS,
        "email": "notify.backends.EmailBackend",
    }
    notification_enqueue(
        hall=world["hall_a"],
        channel="email",
        recipient="manager@example.com",
        template="sla_breach",
        context={"hall_name": "甲", "subject": "TS-1", "target": "t", "deadline": NOW},
        dedupe_key="e",
    )
    assert notification_drain(now=timezone_now_plus())["sent"] == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["manager@example.com"] and mailoutbox[0].subject == "时限超时"


def test_invalid_email_is_refused(world):
    with pytest.raises(ServiceError) as exc:
        notification_enqueue(
            hall=world["hall_a"],
            channel="email",
            recipient="not-an-address",
            template="sla_breach",
            context={"hall_name": "甲", "subject": "TS-1", "target": "t", "deadline": NOW},
            dedupe_key="e",
        )
    assert exc.value.code == "invalid_email"


def test_stale_claim_is_requeued(world):
    n = _sms(world["hall_a"])
    Notification.objects.filter(pk=n.pk).update(
        status=NotificationStatus.SENDING, claimed_at=timezone_now_plus(-3600), attempts=1
    )
    result = notification_drain(now=timezone_now_plus())
    assert result["requeued"] == 1 and result["sent"] == 1


def test_wecom_webhook_names():
    assert wecom_webhook_url("abc-key").endswith("/cgi-bin/webhook/send?key=abc-key")
    assert wecom_webhook_url("http://127.0.0.1:9/x") == "http://127.0.0.1:9/x"
