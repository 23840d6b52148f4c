"""What a request and its page's context hold is freed by reference counting as soon as the
answer is made (config/templates.py, config/http_handler.py), not left in reference cycles for
the garbage collector, whose full collections stall every socket of the server. Each test runs
with the collector off: an object still alive once the answer is made would be garbage only a
collection could free."""

import asyncio
import gc
import weakref
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from django.template import engines
from django.urls import path

from config.http_handler import HttpHandler


class Held:
    """Something a page's context or a view holds, observed through a weak reference."""


@contextmanager
def collector_off():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_a_rendered_context_is_freed_when_the_render_ends(rf):
    held = Held()
    observed = weakref.ref(held)
    template = engines["django"].from_string("{% for x in held_list %}{{ x }}{% endfor %}{{ request.path }}")
    with collector_off():
        page = template.render({"held_list": [held]}, rf.get("/somewhere/"))
        del held
        assert observed() is None, "the page's context outlived its render"
    assert page.endswith("/somewhere/")


seen = {}


def remember_the_form(request):
    """A view that reads the posted form and the user (the lazy object Django makes points
    back at the request), leaving a weak reference to the form's parsed values."""
    from django.http import HttpResponse

    seen["form"] = weakref.ref(request.POST)
    return HttpResponse(f"{len(request.POST)} fields for {request.user}")


urlpatterns = [path("form/", remember_the_form)]


async def answer(handler, body):
    """A POST of ``body`` (form-encoded) through ``handler``, as daphne calls it: (status, body)."""
    inbox = asyncio.Queue()
    await inbox.put({"type": "http.request", "body": body, "more_body": False})
    sent = []

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/form/",
        "raw_path": b"/form/",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/x-www-form-urlencoded")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    await handler(scope, inbox.get, send)
    return sent[0]["status"], b"".join(message.get("body", b"") for message in sent[1:])


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_posted_form_is_freed_when_the_response_is_made(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "Csrf" not in m]  # a bare post, no token
    body = urlencode({f"field-{number}": "value" for number in range(200)}).encode()
    handler = HttpHandler()
    with collector_off():
        status, page = asyncio.run(answer(handler, body))
        assert seen["form"]() is None, "the posted form outlived its request"
    assert (status, page) == (200, b"200 fields for AnonymousUser")


def test_daphne_leaves_a_posted_form_to_django():
    """Twisted parses nothing of a posted form for sgviz's daphne: daphne hands the body to
    Django as it came, and a parse (thousands of fields for the editor's whole form) would only
    be garbage (config/daphne_server.py)."""
    from types import SimpleNamespace

    from daphne.http_protocol import HTTPFactory
    from twisted.internet.address import IPv4Address
    from twisted.internet.testing import StringTransport
    from twisted.web.http import HTTPChannel

    from config.daphne_server import FormLeftToDjango, leave_forms_to_django

    server = SimpleNamespace(http_factory=None)
    server.http_factory = HTTPFactory(server)
    leave_forms_to_django(server)
    protocol = server.http_factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 5000))
    assert protocol.requestFactory is FormLeftToDjango
    channel = HTTPChannel()
    channel.factory = server.http_factory
    channel.makeConnection(StringTransport())
    server.protocol_connected = lambda request: None
    assert protocol.requestFactory(channel)._parsePOSTFormSubmission is False
