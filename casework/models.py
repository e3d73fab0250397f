"""The case file's abstract models: what complaints, consultations and home visits share (CMP, BIZ-2.1, BIZ-1.2).

Abstract only — no table of its own: each domain keeps its columns and migrations; the kernel gives them the same
contact (name, encrypted phone, blind index), the same timeline rows and the same masked read-outs. See
docs/casework.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halls.models import HallScopedQuerySet
from lib.masking import mask_name, mask_names_in_text, mask_phone, mask_pi_in_text
from privacy import crypto
from privacy.fields import EncryptedTextField


def masked(field: str, mask=mask_pi_in_text, *, doc: str = ""):
    """A read-only property showing ``field`` through ``mask`` (free text by default: phone, ID and account numbers
    masked). Pages and the API read ``masked_<field>``; the stored value is unchanged."""
    return property(
        lambda self: mask(getattr(self, field) or ""), doc=doc or f"``{field}`` masked for display."
    )


class CaseCounter(models.Model):
    """One row per hall and day behind a case's daily number (``casework.services.next_number``): incremented in
    the recording transaction, so numbers are gapless (no sequences). Subclasses add the unique (hall, day)
    constraint under their own name."""

    hall = models.ForeignKey("halls.Hall", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.hall_id}:{self.day}:{self.last}"


class CaseFile(models.Model):
    """A case file of one hall: a number that names it without personal information (SLA board, notices), a detail
    page, and a contact — a name (``CONTACT_NAME_FIELD``, declared by the domain) and a phone stored encrypted with
    its blind index (a search by phone never decrypts the table)."""

    contact_phone = EncryptedTextField(_("联系电话"))
    phone_index = models.CharField(max_length=40, db_index=True, blank=True, editable=False)

    # Set by each domain: the URL name of the detail page and the field holding the contact's name.
    detail_url_name = ""
    CONTACT_NAME_FIELD = "customer_name"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.phone_index = crypto.blind_index("phone", self.contact_phone) if self.contact_phone else ""
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(self.detail_url_name, args=[self.pk])

    @property
    def sla_label(self) -> str:
        return self.number

    @property
    def contact_name(self) -> str:
        return getattr(self, self.CONTACT_NAME_FIELD) or ""

    @property
    def masked_name(self) -> str:
        return mask_name(self.contact_name)

    masked_phone = masked("contact_phone", mask_phone)

    def mask_text(self, text: str) -> str:
        """Free text of this case as aggregates and summaries show it: phone, ID and account numbers masked, and
        the case's own contact name masked wherever it was typed (张**). Hot-spot keywords, phrases and examples
        read this, so customer names never reach an aggregate (issue 10 §5)."""
        return mask_names_in_text(mask_pi_in_text(text or ""), [self.contact_name])


class TimelineEvent(models.Model):
    """A case file's timeline entry: every step with its actor and time. Append-only; written only by
    ``casework.services.timeline_add``. Concrete subclasses add the FK to their case (``related_name="events"``)
    and the ``kind`` choices."""

    hall = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("事件"), max_length=16)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("操作方"), max_length=100, blank=True)
    note = EncryptedTextField(_("说明"), blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    objects = HallScopedQuerySet.as_manager()

    # The FK to the case, named by each subclass (complaint, consultation, visit).
    CASE_FIELD = ""

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{getattr(self, self.CASE_FIELD + '_id')} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    masked_note = masked("note")
