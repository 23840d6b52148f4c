from django.core.management.base import BaseCommand

from practice.content import load_practice_content


class Command(BaseCommand):
    help = "Load the practice puzzles and projects from practice/content/*.json (idempotent)."

    def handle(self, *args, **options):
        count = load_practice_content()
        self.stdout.write(f"practice: {count} tasks loaded")
