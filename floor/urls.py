from __future__ import annotations

from django.urls import path

from floor.views import screens

urlpatterns = [
    path("display/<int:hall_id>/", screens.display, name="display"),
    path("display/<int:hall_id>/events", screens.events, name="events"),
    path("display/<int:hall_id>/state.json", screens.display_state, name="display_state"),
    path("kiosk/<int:hall_id>/notices", screens.kiosk_notices, name="kiosk_notices"),
    path("halls/<int:hall_id>/staff-banner", screens.staff_banner, name="staff_banner"),
]

from floor.views import manage  # noqa: E402

urlpatterns += [
    path("", manage.index, name="index"),
    path("halls/<int:hall_id>/announcements/", manage.announcements, name="announcements"),
    path(
        "halls/<int:hall_id>/announcements/<int:pk>/withdraw",
        manage.announcement_withdraw,
        name="announcement_withdraw",
    ),
    path("halls/<int:hall_id>/emergency/", manage.emergency, name="emergency"),
]
