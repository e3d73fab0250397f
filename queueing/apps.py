from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    name = "queueing"
    verbose_name = _("排队叫号")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from queueing import standard_memo
        from standard.models import StandardParameter, StandardVersion

        for model in (StandardVersion, StandardParameter):
            post_save.connect(
                standard_memo.clear, sender=model, dispatch_uid=f"queueing_standard_memo_{model.__name__}"
            )
            post_delete.connect(
                standard_memo.clear, sender=model, dispatch_uid=f"queueing_standard_memo_del_{model.__name__}"
            )
