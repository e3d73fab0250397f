"""Keep password history and session tracking in step with auth events."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone

from staff.models import PasswordHistory, StaffProfile, UserSession

User = get_user_model()


@receiver(pre_save, sender=User)
def _on_user_save(sender, instance, **kwargs):
    if not instance.pk:
        return
    old = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    if old["password"] != instance.password and old["password"]:
        PasswordHistory.objects.create(user=instance, password=old["password"])
        StaffProfile.objects.filter(user=instance).update(
            password_changed_at=timezone.now(), must_change_password=False
        )
    if old["is_active"] and not instance.is_active:
        end_user_sessions(instance)


def end_user_sessions(user) -> int:
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    deleted, _ = Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return deleted


@receiver(user_logged_in)
def _track_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        from staff.middleware import STARTED_KEY, TRACKED_KEY

        # The absolute session lifetime counts from here.
        request.session[STARTED_KEY] = time.time()
        if not request.session.session_key:
            request.session.save()
        request.session[TRACKED_KEY] = request.session.session_key
        UserSession.objects.get_or_create(session_key=request.session.session_key, defaults={"user": user})
