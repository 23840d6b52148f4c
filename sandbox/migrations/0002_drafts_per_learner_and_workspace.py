"""Drafts become the learner's rows, one per workspace (the sandbox, or a lesson's Try mode),
instead of a row whose token the browser session held.

Every draft a live session held becomes that session's sandbox draft, or its user's when the
session is signed in (of a user's several drafts, one per browser, the one changed last; the
others could no longer be reached). A draft no live session holds could not be reached
before either (its session expired or signed out) and is deleted. Going back puts a token
in the session again for each session's sandbox draft; lesson drafts and users' drafts,
which the old model cannot reach, are deleted.
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth import SESSION_KEY as USER_ID_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone

import sandbox.models

DRAFT_TOKEN_KEY = "sandbox_draft"  # the session's key for its draft's token, before this migration


def _live_sessions(apps):
    """(session row, its data) of every session not expired."""
    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    for session in Session.objects.filter(expire_date__gt=timezone.now()):
        yield session, store.decode(session.session_data)


def give_drafts_to_their_learners(apps, schema_editor):
    Draft = apps.get_model("sandbox", "Draft")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    users = {str(pk) for pk in User.objects.values_list("pk", flat=True)}
    owners = {}  # token -> (user id or None, session key)
    for session, data in _live_sessions(apps):
        token = data.get(DRAFT_TOKEN_KEY)
        if isinstance(token, str):
            user = data.get(USER_ID_KEY)
            owners[token] = (user, "") if user in users else (None, session.session_key)
    kept_for_user = set()
    for draft in Draft.objects.order_by("-updated", "-pk"):
        user, session_key = owners.get(draft.token, (None, ""))
        if (user is None and not session_key) or (user is not None and user in kept_for_user):
            draft.delete()
            continue
        if user is not None:
            kept_for_user.add(user)
        Draft.objects.filter(pk=draft.pk).update(user_id=user, session_key=session_key)


def give_drafts_back_to_sessions(apps, schema_editor):
    Draft = apps.get_model("sandbox", "Draft")
    Session = apps.get_model("sessions", "Session")
    Draft.objects.filter(Q(lesson__isnull=False) | Q(user__isnull=False)).delete()
    store = SessionStore()
    for draft in Draft.objects.all():
        token = sandbox.models.new_token()
        Draft.objects.filter(pk=draft.pk).update(token=token)
        session = Session.objects.filter(session_key=draft.session_key).first()
        if session is not None:
            data = store.decode(session.session_data)
            data[DRAFT_TOKEN_KEY] = token
            session.session_data = store.encode(data)
            session.save()


class Migration(migrations.Migration):

    dependencies = [
        ("lessons", "0006_quiz_question_expect"),
        ("sandbox", "0001_initial"),
        ("sessions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="draft",
            name="user",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="draft",
            name="session_key",
            field=models.CharField(blank=True, default="", max_length=40),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="draft",
            name="lesson",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="lessons.lesson",
                help_text="The lesson whose Try mode this draft is in; empty: the sandbox (/try/).",
            ),
        ),
        # Not unique while the drafts change hands: going back, every row gets a new token
        # before the constraint is back.
        migrations.AlterField(
            model_name="draft",
            name="token",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(give_drafts_to_their_learners, give_drafts_back_to_sessions),
        migrations.RemoveField(model_name="draft", name="token"),
        migrations.AddConstraint(
            model_name="draft",
            constraint=models.UniqueConstraint(condition=Q(user__isnull=True, lesson__isnull=True), fields=("session_key",), name="one_sandbox_draft_per_session"),
        ),
        migrations.AddConstraint(
            model_name="draft",
            constraint=models.UniqueConstraint(condition=Q(user__isnull=True, lesson__isnull=False), fields=("session_key", "lesson"), name="one_lesson_draft_per_session"),
        ),
        migrations.AddConstraint(
            model_name="draft",
            constraint=models.UniqueConstraint(condition=Q(user__isnull=False, lesson__isnull=True), fields=("user",), name="one_sandbox_draft_per_user"),
        ),
        migrations.AddConstraint(
            model_name="draft",
            constraint=models.UniqueConstraint(condition=Q(user__isnull=False, lesson__isnull=False), fields=("user", "lesson"), name="one_lesson_draft_per_user"),
        ),
        migrations.AddConstraint(
            model_name="draft",
            constraint=models.CheckConstraint(
                condition=(Q(user__isnull=True) & ~Q(session_key="")) | (Q(user__isnull=False) & Q(session_key="")),
                name="draft_of_a_user_or_a_session",
            ),
        ),
    ]
