from django.db import migrations


def forwards(apps, schema_editor):
    from inspections.bank import seed

    seed(
        apps.get_model("inspections", "Item"),
        apps.get_model("inspections", "InspectionTemplate"),
        apps.get_model("inspections", "TemplateVersion"),
    )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
