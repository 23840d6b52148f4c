from django.core.validators import MinValueValidator
from django.db import migrations, models

SLUG = "stateful-security-groups"
# The seed's five sample lines: the first three narrate step 1 (the request comes in and is
# recorded), the last two step 2 (the reply leaves by state).
SEED_SAMPLE_STEPS = {1: 1, 2: 1, 3: 1, 4: 2, 5: 2}


def mark_seed_sample_steps(apps, schema_editor):
    SampleLine = apps.get_model("lessons", "SampleLine")
    for order, step in SEED_SAMPLE_STEPS.items():
        SampleLine.objects.filter(lesson__slug=SLUG, order=order).update(step=step)


class Migration(migrations.Migration):
    dependencies = [("lessons", "0003_mode_scenario")]

    operations = [
        migrations.AddField(
            model_name="sampleline",
            name="step",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="The step (packet, from 1) this line narrates: the player marks it at that step. "
                "Empty: a line of no one step.",
                null=True,
                validators=[MinValueValidator(1)],
            ),
        ),
        migrations.RunPython(mark_seed_sample_steps, migrations.RunPython.noop),
    ]
