"""Prompt delivery through Django's tasks API (django-tasks-db backend); the worker's drain is the safety net."""

from __future__ import annotations

from django.tasks import task


@task
def deliver_notification(notification_id: int) -> str:
    from notify.services import notification_deliver

    return notification_deliver(notification_id=notification_id)
