from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("业务培训")

    def ready(self) -> None:
        from training import notices  # noqa: F401  (registers the outbox template)
