from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    name = "queueing"
    verbose_name = _("排队叫号")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from halls.models import Counter
        from queueing import standard_memo
        from queueing.selectors import forget_estimate_inputs
        from standard.models import StandardParameter, StandardVersion

        def _counter_changed(sender, instance=None, **kwargs):
            hall_id = getattr(instance, "hall_id", None) if isinstance(instance, Counter) else None
            forget_estimate_inputs(hall_id)  # business types edited from their side: forget every hall

        post_save.connect(_counter_changed, sender=Counter, dispatch_uid="queueing_estimate_counter")
        post_delete.connect(_counter_changed, sender=Counter, dispatch_uid="queueing_estimate_counter_del")
        m2m_changed.connect(
            _counter_changed,
            sender=Counter.business_types.through,
            dispatch_uid="queueing_estimate_counter_bt",
        )

        from catalog.models import BusinessType
        from queueing.services._common import forget_businesses

        post_save.connect(forget_businesses, sender=BusinessType, dispatch_uid="queueing_businesses")
        post_delete.connect(forget_businesses, sender=BusinessType, dispatch_uid="queueing_businesses_del")
        m2m_changed.connect(
            forget_businesses, sender=BusinessType.halls.through, dispatch_uid="queueing_businesses_halls"
        )

        for model in (StandardVersion, StandardParameter):
            post_save.connect(
                standard_memo.clear, sender=model, dispatch_uid=f"queueing_standard_memo_{model.__name__}"
            )
            post_delete.connect(
                standard_memo.clear, sender=model, dispatch_uid=f"queueing_standard_memo_del_{model.__name__}"
            )

        # The hot path's per-process memos (queueing.hotpath): accepted credentials, counter and business rows.
        from queueing.hotpath import identity, ops

        identity.connect_signals()
        for model in (Counter, BusinessType):
            post_save.connect(ops.forget_rows, sender=model, dispatch_uid=f"hotpath_rows_{model.__name__}")
            post_delete.connect(
                ops.forget_rows, sender=model, dispatch_uid=f"hotpath_rows_del_{model.__name__}"
            )
