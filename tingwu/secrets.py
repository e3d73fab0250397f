"""Local secrets: generated once into ``var/secrets.json`` and reused.

In production (``TINGWU_ENV=production``) nothing is generated: every secret must come from the environment
(or ``NAME_FILE``), otherwise settings raise ``ImproperlyConfigured``.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from lib.env import env_str

SECRET_NAMES = ("SECRET_KEY", "TINGWU_ENCRYPTION_KEYS", "TINGWU_BLIND_INDEX_KEY")


def _new_values() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        # key ring "kid:base64key[,kid:base64key…]": the first key encrypts, all keys decrypt.
        "TINGWU_ENCRYPTION_KEYS": "k1:" + base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "TINGWU_BLIND_INDEX_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    }


def load_secrets(var_dir: Path, production: bool) -> dict[str, str]:
    values = {name: env_str(name) for name in SECRET_NAMES}
    missing = [name for name, value in values.items() if not value]
    if not missing:
        return values  # type: ignore[return-value]
    if production:
        raise ImproperlyConfigured(f"Missing required secrets in production: {', '.join(missing)}")
    path = var_dir / "secrets.json"
    stored: dict[str, str] = {}
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
    generated = _new_values()
    changed = False
    for name in missing:
        if name not in stored:
            stored[name] = generated[name]
            changed = True
        values[name] = stored[name]
    if changed:
        var_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stored, indent=2), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(path)
    return values  # type: ignore[return-value]
