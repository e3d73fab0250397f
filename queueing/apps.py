from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    name = "queueing"
    verbose_name = _("排队叫号")

    def ready(self):
        # The hot path's accepted credentials (queueing.hotpath.identity). The other per-process memos (standard,
        # businesses, estimate inputs, the hot path's counter and business rows) are lib.memo's, forgotten on their
        # models' own signals.
        from queueing.hotpath import identity

        identity.connect_signals()
