"""Template helpers for the clock actions partial (``sla/_clock_actions.html``) included by the case pages."""

from __future__ import annotations

from django import template

from sla.web import may_act_on

register = template.Library()


@register.filter
def sla_may_act(user, clock) -> bool:
    """True when ``user`` may pause/resume ``clock`` (a handling right in its hall)."""
    return bool(clock is not None and user is not None and may_act_on(user, clock))
