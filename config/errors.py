"""The site's answer to a request it cannot read (Django's ``handler400``, config/urls.py),
and to an address with nothing at it (``handler404``).

Django answers a post over DATA_UPLOAD_MAX_NUMBER_FIELDS or DATA_UPLOAD_MAX_MEMORY_SIZE (and
any other SuspiciousOperation) through this view; left to itself it sends a bare "Bad Request
(400)". A post too large to read gets 413 and says so: a page in the site's layout without
JavaScript, a sentence that static/js/editor.js shows in the sandbox's status with it (the
editor's fields are left as typed).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import requires_csrf_token

TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def limits():
    """What the site reads of one post, in words."""
    megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024**2
    return f"the site reads at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields and {megabytes:g} MB in one post"


@requires_csrf_token
def bad_request(request, exception):
    too_large = isinstance(exception, TOO_LARGE)
    status = 413 if too_large else 400
    if request.headers.get("HX-Request") == "true":
        if too_large:
            text = f"Not saved: this form is too large to send ({limits()}). What you typed is still here: make it smaller (fewer rows or shorter text), then save again."
        else:
            text = "Not saved: the server could not read this request. What you typed is still here: save again, or reload the page."
        response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
        response["HX-Reswap"] = "none"  # never in place of the form
        return response
    return render(request, "400.html", {"too_large": too_large, "limits": limits()}, status=status)


class NotFound(Http404):
    """A 404 whose message is written for the learner, which the 404 page shows (Django's own
    messages, "No Snapshot matches the given query.", are for developers and are not shown)."""


@requires_csrf_token
def not_found(request, exception):
    """The 404 page: what is true of any address, the view's own sentence when it raised
    NotFound, and under a lesson's address that the lesson may have moved."""
    said = str(exception) if isinstance(exception, NotFound) else ""
    lesson_root = reverse("lessons:lesson", args=["x"]).removesuffix("x/")
    return render(request, "404.html", {"said": said, "lesson_address": request.path.startswith(lesson_root)}, status=404)
