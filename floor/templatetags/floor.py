"""Floor fragments other apps embed: ``{% floor_staff_banner hall %}`` (console), kiosk notices data."""

from __future__ import annotations

from django import template

from floor import selectors

register = template.Library()


@register.inclusion_tag("floor/_staff_banner.html")
def floor_staff_banner(hall):
    """STF-3.2 / ENV-3: staff screens (console, greeter tablet, board) show the emergency notice while an incident
    is open and the announcements in force; ``floor/live.js`` refreshes it on the hall's events."""
    incident = selectors.open_incident(hall=hall) if hall is not None else None
    return {
        "hall": hall,
        "incident": incident,
        "notice": incident.customer_notice() if incident else "",
        "announcements": selectors.effective_announcements(hall=hall, limit=5) if hall is not None else [],
    }


@register.inclusion_tag("floor/_incident_report_form.html", takes_context=True)
def floor_incident_report(context, hall, counter=None):
    """STF-3.2: the console's one-tap report to the duty supervisor (``floor.services.incident_report``)."""
    request = context.get("request")
    return {
        "hall": hall,
        "counter": counter,
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("floor/_incident_reports.html")
def floor_incident_reports(hall):
    """STF-3.2: the duty supervisor's open reports (on the board)."""
    from floor.services import open_reports

    return {"hall": hall, "reports": open_reports(hall=hall)}


@register.simple_tag
def floor_kiosk_notices(hall):
    """Data for ``floor/_kiosk_notices.html``: the open incident and the announcements in force."""
    if hall is None:
        return {"incident": None, "announcements": []}
    incident = selectors.open_incident(hall=hall)
    return {
        "incident": incident,
        "notice": incident.customer_notice() if incident else "",
        "announcements": selectors.effective_announcements(hall=hall, limit=5),
    }
