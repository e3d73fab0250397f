from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("客户评价")

    def ready(self):
        from evaluations import messages  # noqa: F401  (notify templates)
        from queueing.signals import ticket_finished

        # SUP-1.2: every finished ticket is invited, never at the clerk's discretion (the sweep covers the hot path).
        ticket_finished.connect(_on_ticket_finished, dispatch_uid="evaluations.invite")


def _on_ticket_finished(sender, *, ticket_id: int, **kwargs) -> None:
    from evaluations.services import invitation_after_finish

    invitation_after_finish(ticket_id)
