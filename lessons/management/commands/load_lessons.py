from django.core.management.base import BaseCommand, CommandError

from lessons.content import ContentError, load_lessons


class Command(BaseCommand):
    help = (
        "Load lessons from content/lessons/*.json (or the files given): create the missing ones, "
        "bring untouched ones up to date, and keep lessons edited in the admin unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="content files to load (default: all of content/lessons/)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="overwrite lessons edited in the admin with their file (their learners' quiz answers go too)",
        )

    def handle(self, *args, files, replace, **options):
        try:
            outcomes = load_lessons(files or None, replace=replace)
        except ContentError as error:
            raise CommandError(str(error)) from None
        for outcome in outcomes:
            self.stdout.write(f"lesson {outcome}")
