"""Django's ASGI handler, each request let go once its response is made.

Django keeps a request in reference cycles of its own making (``request.user`` is a lazy
object whose function points back at the request; so do ``request.auser`` and the messages'
storage), so what the request holds is freed by the cyclic garbage collector, not when the
response is sent. For a post of the sandbox's whole editor that is its parsed form: thousands
of lists, which, surviving as garbage into the oldest generation, fed the full collections that
stall every socket of the process (benchmarks/try.py: one every Run posted without JavaScript).

Once the view and the middleware have made the response, nothing reads the request again (the
handler sends the response and closes it), so its attributes are dropped: the cycles through
them break, and reference counting frees the form at once. A streaming response, whose content
is made while it is sent, keeps its request.
"""

import django
from django.core.handlers.asgi import ASGIHandler


class HttpHandler(ASGIHandler):
    async def run_get_response(self, request):
        response = await super().run_get_response(request)
        if not response.streaming:
            request.__dict__.clear()
        return response


def get_http_application():
    """What django.core.asgi.get_asgi_application returns, with the handler above."""
    django.setup(set_prefix=False)
    return HttpHandler()
