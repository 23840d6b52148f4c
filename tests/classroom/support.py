"""Shared by the classroom's tests: a class on the seed lesson, a share link, a presenter and learners."""

import re
from html import unescape

from django.contrib.auth.models import User
from django.test import Client

from classroom.models import ClassSession
from classroom.views import LEARNERS, PRESENTING
from conftest import SEED_SLUG
from lessons.models import Lesson

ORIGIN = (b"origin", b"http://localhost:8000")


def start_class(username="teacher"):
    teacher = User.objects.create_user(username, is_staff=True)
    return ClassSession.objects.start(owner=teacher, lesson=Lesson.objects.get(slug=SEED_SLUG))


def share_link(starting_point="three-tier"):
    """The address of a sandbox share link (``/s/<id>/``), made as a learner makes one: a
    starting point of the sandbox's gallery, then Share."""
    sharer = Client()
    sharer.post("/try/start/", {"start": starting_point})
    return sharer.post("/try/share/")["Location"]


def session_cookie(**values):
    """A saved session holding ``values``, as the Cookie header of a websocket handshake."""
    client = Client()
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()
    return (b"cookie", f"sessionid={session.session_key}".encode())


def presenter_cookie(class_session):
    return session_cookie(**{PRESENTING: [class_session.pk]})


def learner_cookie(class_session, name=""):
    learner = class_session.learners.create(display_name=name)
    return session_cookie(**{LEARNERS: {str(class_session.pk): learner.key}}), learner


def frame_step(message):
    """(sequence, step) of a frame, or None for another message."""
    found = re.search(r'id="class-state"[^>]*data-sequence="(\d+)" data-step="(\d+)"', message)
    return (int(found.group(1)), int(found.group(2))) if found else None


def error_text(message):
    found = re.search(r'<div id="player-error"[^>]*><p class="error-message"><strong>(.*?)</strong> (.*?)</p></div>', message)
    return unescape(f"{found.group(1)} {found.group(2)}") if found else None
