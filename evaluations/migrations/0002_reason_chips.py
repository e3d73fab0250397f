"""Seed the reason chips offered below the top two levels (editable afterwards)."""

from django.db import migrations

CHIPS = [
    ("impatient", "沟通不耐心", "Impatient communication"),
    ("cumbersome", "流程繁琐", "Cumbersome process"),
    ("long_wait", "等候时间长", "Long wait"),
    ("unskilled", "业务不熟练", "Unfamiliar with the business"),
    ("other", "其他", "Other"),
]


def seed(apps, schema_editor):
    ReasonChip = apps.get_model("evaluations", "ReasonChip")
    for i, (code, name, name_en) in enumerate(CHIPS, 1):
        ReasonChip.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "sort_order": i})


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
