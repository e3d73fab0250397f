from __future__ import annotations

from django.urls import path

from evaluations.views import pad, pages

urlpatterns = [
    path("", pages.index, name="index"),
    path("flagged/", pages.flagged, name="flagged"),
    path("<int:pk>/review", pages.review, name="review"),
    path("follow-ups/", pages.follow_ups, name="follow_ups"),
    path("halls/<int:hall_id>/pads/", pages.pads, name="pads"),
    path("r/<str:token>/", pages.phone, name="phone"),
    path("pad/", pad.pad, name="pad"),
    path("pad/pair/", pad.pair, name="pad_pair"),
    path("pad/panel", pad.pad_panel, name="pad_panel"),
    path("pad/submit", pad.pad_submit, name="pad_submit"),
    path("pad/events", pad.pad_events, name="pad_events"),
]
