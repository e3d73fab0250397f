from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardConfig(AppConfig):
    name = "standard"
    verbose_name = _("服务规范")
