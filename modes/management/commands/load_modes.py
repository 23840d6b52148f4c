"""`manage.py load_modes`: the explanation modes' content files into the database.

Idempotent: running it again leaves the same rows (updated in place, extras removed), so
`make run` calls it after every migrate. A lesson that is not in the database is skipped
with a note (content for a lesson another command has not loaded yet)."""

from django.core.management.base import BaseCommand

from modes.storage import load_modes


class Command(BaseCommand):
    help = "Load the Learn, Why, Deep and Perf modes from content/modes/ (idempotent)."

    def handle(self, *args, **options):
        loaded, skipped = load_modes()
        for note in skipped:
            self.stdout.write(note)
        self.stdout.write(f"load_modes: {loaded} modes loaded")
