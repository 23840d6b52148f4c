"""Once loaded the first lesson from a copy of its words kept here. Content now loads from
content/lessons/ through `manage.py load_lessons` (lessons/content.py), so this migration
does nothing; it stays so that databases that ran it keep a consistent history."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("lessons", "0001_initial")]

    operations = []
