from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "facilities"
    verbose_name = _("环境与设施")
