from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallsConfig(AppConfig):
    name = "halls"
    verbose_name = _("营业厅")
