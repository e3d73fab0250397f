"""Facilities fragments that floor pages embed: the greeter tablet's 「自助设备暂停使用」 notice with the greeter's guide
tasks, and the supervisor board's environment panel. Each refreshes itself on the hall's bus (``floor/live.js``)."""

from __future__ import annotations

from django import template

from facilities import selectors

register = template.Library()


def greeter_context(*, hall, user) -> dict:
    return {
        "hall": hall,
        "down": selectors.self_service_down(hall=hall),
        "tasks": list(selectors.guide_tasks_for(user).filter(hall=hall)) if user is not None else [],
    }


def board_context(*, hall) -> dict:
    return {"hall": hall, "b": selectors.board_summary(hall=hall)}


@register.inclusion_tag("facilities/_greeter.html", takes_context=True)
def facilities_greeter(context, hall):
    request = context.get("request")
    return greeter_context(hall=hall, user=getattr(request, "user", None))


@register.inclusion_tag("facilities/_board_panel.html")
def facilities_board_panel(hall):
    return board_context(hall=hall)
