from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("客户评价")

    def ready(self):
        from evaluations import messages  # noqa: F401  (notify templates)
