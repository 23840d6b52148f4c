"""Who the learner is, and writing their records while SQLite is busy: one home for the quiz,
practice and recall (and later the classroom).

A learner is a signed-in user or, for everyone else, a browser session. Every record of a
learner is a row with a unique constraint, never a value in the session: the session is saved
whole at the end of a request, so two requests in flight would each write back their own copy
and one would be lost.
"""

import time
from dataclasses import dataclass

from django.db import OperationalError, models
from django.db.models import Q

# SQLite lets one writer in at a time; the others wait up to the connection's busy_timeout
# (config/settings.py) and then fail with "database is locked". A classroom submitting at once
# can outlast that wait, so a write is tried again, a few times, with pauses that double,
# before the learner is told it was not kept. PostgreSQL never raises this.
BUSY_ATTEMPTS = 4
FIRST_PAUSE_SECONDS = 0.1


class DatabaseBusy(Exception):
    """The database stayed locked through every attempt: nothing was written."""


def when_not_busy(write):
    """Run ``write()`` (a function that opens its own transaction), trying again while SQLite
    reports the database locked; raise DatabaseBusy once the attempts run out."""
    for attempt in range(BUSY_ATTEMPTS):
        try:
            return write()
        except OperationalError as error:
            if "database is locked" not in str(error):
                raise
            if attempt + 1 == BUSY_ATTEMPTS:
                raise DatabaseBusy from error
            time.sleep(FIRST_PAUSE_SECONDS * 2**attempt)


@dataclass(frozen=True)
class Learner:
    """Whose records: a signed-in user's (``session_key`` "") or else a browser session's."""

    user_id: int | None
    session_key: str

    @classmethod
    def of(cls, request, create=False):
        """The request's learner; None for a browser without a session unless ``create``
        (submitting starts one: reading a page never writes)."""
        if request.user.is_authenticated:
            return cls(request.user.pk, "")
        session = request.session
        session.keys()  # loads it: a cookie naming an expired or unknown session is dropped here
        if session.session_key is None:
            if not create:
                return None
            when_not_busy(session.save)  # a new, empty session: it gets a key and the response a cookie
        return cls(None, session.session_key)

    @classmethod
    def of_scope(cls, scope):
        """A websocket connection's learner, from the user and session Channels' auth
        middleware put in its scope; None for a browser without a session."""
        if scope["user"].is_authenticated:
            return cls(scope["user"].pk, "")
        session = scope["session"]
        session.keys()  # loads it: a cookie naming an expired or unknown session is dropped here
        return cls(None, session.session_key) if session.session_key else None

    @property
    def fields(self):
        """The two columns that say whose a row is, as keyword arguments."""
        return {"user_id": self.user_id, "session_key": self.session_key}

    def records(self, model):
        """The learner's rows of ``model`` (any model with ``user`` and ``session_key``)."""
        return model.objects.filter(**self.fields)


def one_learner_constraint(name):
    """The check every table of learners' rows makes: exactly one of ``user`` and
    ``session_key`` is set (Learner.fields)."""
    return models.CheckConstraint(
        condition=(Q(user__isnull=True) & ~Q(session_key="")) | (Q(user__isnull=False) & Q(session_key="")), name=name
    )
