"""Halls created before the punctuation pass (issue 10 §3) keep the old default 过号规则 with an ASCII comma, printed
on every ticket: rewrite exactly that default (a hall's own wording is left alone)."""

from django.db import migrations

OLD = "过号请到引导台重新激活,30分钟内有效"
NEW = "过号请到引导台重新激活，30分钟内有效"


def forwards(apps, schema_editor):
    apps.get_model("halls", "Hall").objects.filter(missed_number_rule=OLD).update(missed_number_rule=NEW)


class Migration(migrations.Migration):
    dependencies = [("halls", "0005_fullwidth_labels")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
