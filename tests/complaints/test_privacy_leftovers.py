"""Issue 10 §5 (BIZ-3, CMP-3): the related reference is personal information like the other free text — encrypted at
rest (with a reversible data migration for existing rows) and masked — and customer names typed into a demand never
reach the hot-spot keywords, phrases or examples."""

from __future__ import annotations

import importlib
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.urls import reverse

from complaints.analysis import monthly_hotspots
from complaints.models import Complaint
from privacy import crypto

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def _raw_reference(pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT related_reference FROM complaints_complaint WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_related_reference_is_stored_encrypted(intake):
    c = intake(related_reference="13912345678")
    raw = _raw_reference(c.pk)
    assert crypto.is_encrypted(raw) and "13912345678" not in raw
    assert Complaint.objects.get(pk=c.pk).related_reference == "13912345678"


def test_related_reference_is_masked_for_a_reader_without_reveal_right(client, world, intake):
    c = intake(related_reference="备用号13912345678")
    assert c.masked_related_reference == "备用号139****5678"
    client.force_login(world["clerk_a"])
    page = client.get(reverse("complaints:detail", args=[c.pk])).content.decode()
    assert "13912345678" not in page and "139****5678" in page


def test_the_data_migration_encrypts_old_clear_rows_and_reverses(intake):
    """Rows written before the migration hold the reference in clear; forwards encrypts them, backwards restores
    the clear text (the reversed column is varchar(64) again)."""
    migration = importlib.import_module("complaints.migrations.0004_encrypt_related_reference")
    c = intake(related_reference="A012")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE complaints_complaint SET related_reference = %s WHERE id = %s", ["A012", c.pk])
    editor = SimpleNamespace(
        connection=connection
    )  # what the functions read of the migration's schema editor
    migration.encrypt_existing(django_apps, editor)
    assert crypto.is_encrypted(_raw_reference(c.pk))
    assert Complaint.objects.get(pk=c.pk).related_reference == "A012"
    migration.encrypt_existing(django_apps, editor)  # idempotent: an encrypted value is left alone
    assert Complaint.objects.get(pk=c.pk).related_reference == "A012"
    migration.decrypt_existing(django_apps, editor)
    assert _raw_reference(c.pk) == "A012"


def test_customer_names_stay_out_of_hotspot_keywords_phrases_and_examples(world, intake, time_machine):
    time_machine.move_to(datetime(2026, 11, 12, 10, 0, tzinfo=SH), tick=False)
    for _ in range(2):
        intake(complainant_name="王建国", demand="王建国反映宽带经常断线,王建国要求上门维修宽带")
    data = monthly_hotspots(queryset=Complaint.objects.all(), month=datetime(2026, 11, 1).date())
    words = {k["word"] for k in data["keywords"]} | {p["phrase"] for p in data["phrases"]}
    assert words and not any("建国" in w or "王建" in w for w in words)
    assert "宽带" in words
    shown = str(data["groups"])
    assert data["groups"] and "王建国" not in shown and "王**" in shown


def test_tfidf_vectors_is_the_public_method_evaluations_use():
    """Evaluations' comment keywords use the hot-spot method through its public function (not a private helper)."""
    from complaints.analysis import tfidf_vectors

    docs, idf = tfidf_vectors([("a", "宽带经常断线"), ("b", "宽带安装很慢")])
    assert [d.source for d in docs] == ["a", "b"]
    assert "宽带" in idf and docs[0].vector and abs(sum(v * v for v in docs[0].vector.values()) - 1) < 1e-9
