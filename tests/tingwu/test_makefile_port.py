"""`make run PORT=…` (README quick start): the demo's printed links and the mobile ticket's QR code address follow the
port the server listens on, unless an operator set TINGWU_PUBLIC_BASE_URL (found on a clean clone at PORT=8100:
the links said :8000)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = "show-base: ; @echo $$TINGWU_PUBLIC_BASE_URL"


def _base(port: str | None, env_base: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "TINGWU_PUBLIC_BASE_URL"}
    if env_base:
        env["TINGWU_PUBLIC_BASE_URL"] = env_base
    args = ["make", "-s", "--no-print-directory", f"--eval={SHOW}", "show-base"]
    if port:
        args.append(f"PORT={port}")
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.strip()


def test_the_public_address_follows_the_port_served():
    assert _base(None) == "http://127.0.0.1:8000"
    assert _base("8100") == "http://127.0.0.1:8100"


def test_an_operators_public_address_is_kept():
    assert _base("8100", "https://tingwu.example.cn") == "https://tingwu.example.cn"
