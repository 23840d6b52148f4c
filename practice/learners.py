"""Whose work a record is, and writing it when SQLite is busy.

A learner is a signed-in user or, for everyone else, a browser session (the quiz app keeps its
answers the same way: on merge the two should share this module). Every record is a row with
a unique constraint, never a value in the session: the session is saved whole at the end of a
request, so two requests in flight would each write back their own copy and one would be lost.
"""

import time
from dataclasses import dataclass

from django.db import OperationalError

# SQLite lets one writer in at a time; the others wait for busy_timeout (config/settings.py)
# and then fail with "database is locked". A class submitting at once can outlast that wait,
# so a write is tried again with doubling pauses before the learner is told it was not kept.
BUSY_ATTEMPTS = 4
FIRST_PAUSE_SECONDS = 0.1


class DatabaseBusy(Exception):
    """The database stayed locked through every attempt: nothing was written."""


def when_not_busy(write):
    """Run ``write()`` (which opens its own transaction), again while SQLite reports the database locked."""
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
            when_not_busy(session.save)
        return cls(None, session.session_key)

    @property
    def fields(self):
        return {"user_id": self.user_id, "session_key": self.session_key}

    def records(self, model):
        """The learner's rows of ``model`` (a LearnerRecord); none for no learner."""
        return model.objects.filter(**self.fields)
