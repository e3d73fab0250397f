"""docs/configuration.md names every environment variable that settings read."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_variable_read_by_settings_is_documented():
    settings_src = (ROOT / "tingwu" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', settings_src))
    from tingwu.secrets import SECRET_NAMES

    names |= set(SECRET_NAMES)
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = sorted(n for n in names if f"`{n}`" not in doc)
    assert names and missing == []
