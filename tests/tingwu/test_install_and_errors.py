"""Issue 10 §1: install and run as documented — `make run` sets up what the product needs at run time, every
declared make target exists, `make bench` has its script, `check --deploy` is clean without e-mail, and the
403/404/500 pages are Chinese pages in the base layout with a way back."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import path, reverse

from tingwu.urls import urlpatterns as _main_urlpatterns

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def _targets() -> dict[str, str]:
    """target → its prerequisites line."""
    return {m[1]: m[2] for m in re.finditer(r"^([A-Za-z][\w-]*):(?!=)(.*)$", MAKEFILE, re.M)}


def _recipe(target: str) -> str:
    m = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)*)", MAKEFILE, re.M)
    return m[1] if m else ""


def test_every_declared_phony_target_has_a_rule():
    phony = re.search(r"^\.PHONY:(.*)$", MAKEFILE, re.M)[1].split()
    missing = [t for t in phony if t not in _targets()]
    assert missing == []


def test_make_run_installs_the_cjk_font_the_pdfs_need():
    """A fresh machine: `make run` alone must leave the receipt PDF working (it needs a CJK font)."""
    targets = _targets()
    seen, todo = set(), ["run"]
    while todo:
        t = todo.pop()
        if t in seen or t not in targets:
            continue
        seen.add(t)
        todo.extend(targets[t].split())
    assert any("fonts-wqy-microhei" in _recipe(t) for t in seen), seen


def test_make_bench_runs_every_benchmark_script():
    script = ROOT / "bench" / "run_all.py"
    assert script.exists()
    out = subprocess.run(
        [sys.executable, str(script), "--dry-run"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    scripts = {
        p.stem for p in (ROOT / "bench").glob("*.py") if not p.stem.startswith("_") and p.stem != "run_all"
    }
    assert scripts and all(f"=== {name}:" in out.stdout for name in scripts)


def _deploy_check(tmp_path, **extra) -> subprocess.CompletedProcess:
    import base64

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "EMAIL_", "TINGWU_", "DJANGO_"))
    }
    env.update(
        TINGWU_ENV="production",
        SECRET_KEY="x" * 30 + "-deploy-check-" + "y" * 30,
        TINGWU_ENCRYPTION_KEYS="k1:" + base64.b64encode(b"k" * 32).decode(),
        TINGWU_BLIND_INDEX_KEY=base64.b64encode(b"b" * 32).decode(),
        ALLOWED_HOSTS="hall.example.org",
        TINGWU_VAR_DIR=str(tmp_path),
        **extra,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_without_email_as_the_readme_says(tmp_path):
    out = _deploy_check(tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "check --deploy" in readme and "EMAIL_HOST" in readme


def test_check_deploy_refuses_email_notices_without_a_host(tmp_path):
    out = _deploy_check(tmp_path, TINGWU_EMAIL_BACKEND="notify.backends.EmailBackend")
    assert out.returncode != 0 and "notify.E001" in out.stdout + out.stderr


def test_without_a_host_production_mail_is_refused_not_pretended(settings):
    from django.core.mail import EmailMessage

    from notify.mail import EmailDisabled

    settings.MAILERS = {"default": {"BACKEND": "notify.mail.DisabledEmailBackend"}}
    with pytest.raises(EmailDisabled):
        EmailMessage(subject="s", body="b", to=["a@example.org"]).send(using="default")


# --- Error pages -------------------------------------------------------------------------------------------


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [*_main_urlpatterns, path("__boom__/", _boom)]
handler500 = "tingwu.views.server_error"


def _assert_error_page(response, status: int, title: str):
    body = response.content.decode()
    assert response.status_code == status
    assert title in body
    assert 'class="topbar' in body  # the base layout
    assert f'href="{reverse("home")}"' in body and "返回首页" in body
    assert not re.search(r"\b(Not Found|Forbidden|Server Error)\b", body)


@pytest.mark.django_db
def test_404_is_chinese_in_the_base_layout(client, world, settings):
    settings.DEBUG = False
    client.force_login(world["clerk_a"])
    _assert_error_page(client.get("/no-such-page/"), 404, "页面不存在")


@pytest.mark.django_db
def test_403_is_chinese_in_the_base_layout(client, world, settings):
    settings.DEBUG = False
    client.force_login(world["clerk_a"])
    _assert_error_page(client.get(reverse("standard:publish")), 403, "没有权限")


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_500_is_chinese_in_the_base_layout(client, world, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    client.force_login(world["clerk_a"])
    response = client.get("/__boom__/")
    _assert_error_page(response, 500, "系统出错")
    assert world["clerk_a"].username in response.content.decode() or "退出" in response.content.decode()
