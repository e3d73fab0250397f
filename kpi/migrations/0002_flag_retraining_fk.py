"""Flag.training_ref (a CharField holding a RetrainingAssignment's id as text) becomes a real foreign key.

Forward: a ref that is the id of an existing assignment becomes the link; any other text is dropped (it pointed at
nothing). Backward: the link is written back as its id in text."""

import django.db.models.deletion
from django.db import migrations, models


def refs_to_links(apps, schema_editor):
    Flag = apps.get_model("kpi", "Flag")
    Assignment = apps.get_model("training", "RetrainingAssignment")
    for flag in Flag.objects.exclude(training_ref=""):
        ref = flag.training_ref.strip()
        if ref.isdigit() and Assignment.objects.filter(pk=int(ref)).exists():
            Flag.objects.filter(pk=flag.pk).update(retraining_id=int(ref))


def links_to_refs(apps, schema_editor):
    Flag = apps.get_model("kpi", "Flag")
    for flag in Flag.objects.filter(retraining__isnull=False):
        Flag.objects.filter(pk=flag.pk).update(training_ref=str(flag.retraining_id))


class Migration(migrations.Migration):
    dependencies = [
        ("kpi", "0001_initial"),
        ("training", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="flag",
            name="retraining",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="kpi_flags",
                to="training.retrainingassignment",
                verbose_name="培训安排",
            ),
        ),
        migrations.RunPython(refs_to_links, links_to_refs),
        migrations.RemoveField(model_name="flag", name="training_ref"),
    ]
