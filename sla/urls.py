from __future__ import annotations

from django.urls import path

from sla import actions, views

urlpatterns = [
    path("", views.board, name="board"),
    path("clocks/<int:pk>/pause", actions.pause, name="clock_pause"),
    path("clocks/<int:pk>/resume", actions.resume, name="clock_resume"),
]
