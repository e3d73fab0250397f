"""Issue 10 §3 on an existing install: a hall created before the punctuation pass prints its old default 过号规则
(「…激活,30分钟内有效」) on every ticket; the data migration rewrites exactly that default and leaves a hall's own words."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from halls.models import Hall
from tests import factories as f

pytestmark = pytest.mark.django_db
migration = importlib.import_module("halls.migrations.0006_missed_rule_fullwidth_data")


def test_the_old_default_rule_becomes_full_width_and_a_halls_own_rule_stays():
    region = f.region("RM")
    old = f.hall(region, code="HM1")
    own = f.hall(region, code="HM2")
    Hall.objects.filter(pk=old.pk).update(missed_number_rule=migration.OLD)
    Hall.objects.filter(pk=own.pk).update(missed_number_rule="过号请重新取号,谢谢")
    migration.forwards(django_apps, None)
    assert Hall.objects.get(pk=old.pk).missed_number_rule == "过号请到引导台重新激活，30分钟内有效"
    assert Hall.objects.get(pk=own.pk).missed_number_rule == "过号请重新取号,谢谢"
    assert Hall._meta.get_field("missed_number_rule").default == migration.NEW  # new halls get the same words
