"""Two drains at the same moment deliver each notification exactly once (conditional UPDATE claim)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from notify.models import Notification, NotificationStatus
from notify.services import notification_drain, notification_enqueue

DELIVERED: Counter = Counter()
_LOCK = threading.Lock()


class CountingBackend:
    def send(self, notification):
        with _LOCK:
            DELIVERED[notification.pk] += 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_drains_send_each_notification_once(world, settings):
    settings.TINGWU_NOTIFY_BACKENDS = {
        **settings.TINGWU_NOTIFY_BACKENDS,
        "wecom": "tests.notify.test_drain_concurrency.CountingBackend",
    }
    settings.TINGWU_NOTIFY_PROMPT = False
    DELIVERED.clear()
    ctx = {"hall_name": "甲", "subject": "TS", "target": "t", "deadline": timezone.now()}
    for i in range(30):
        notification_enqueue(
            hall=world["hall_a"],
            channel="wecom",
            recipient="default",
            template="sla_breach",
            context=ctx,
            dedupe_key=f"c{i}",
        )
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(notification_drain(now=timezone.now()))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sum(r["sent"] for r in results) == 30
    assert len(DELIVERED) == 30 and set(DELIVERED.values()) == {1}
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 30
