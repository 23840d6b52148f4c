"""Django's template engine, with each render's context let go as soon as the page is drawn.

Django's ``RequestContext`` holds ``ContextDict``s that point back at it: a reference cycle, so
what a page's context holds (the editor's thousands of rows and fields for a big draft, a
player's frames) is freed by the cyclic garbage collector, not when the render ends. A render
of a big draft allocates enough for the young collections to promote that context to the
oldest generation while it is still alive; dead there, it fed the full collections that stall
every socket of the process (up to 40 ms each, one every few Runs: benchmarks/try.py). Emptying
the context's list of dicts after the render breaks the cycle, and reference counting frees it
at once. Nothing reads a context after its render: the test client's ``response.context``
keeps copies taken during the render, with their own lists.

    TEMPLATES = [{"BACKEND": "config.templates.DjangoTemplates", ...}]
"""

from django.template import TemplateDoesNotExist
from django.template.backends import django as django_backend
from django.template.context import make_context


class Template(django_backend.Template):
    def render(self, context=None, request=None):
        context = make_context(context, request, autoescape=self.backend.engine.autoescape)
        try:
            return self.template.render(context)
        except TemplateDoesNotExist as exc:
            django_backend.reraise(exc, self.backend)
        finally:
            context.dicts.clear()


class DjangoTemplates(django_backend.DjangoTemplates):
    def from_string(self, template_code):
        return Template(self.engine.from_string(template_code), self)

    def get_template(self, template_name):
        try:
            return Template(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            django_backend.reraise(exc, self)
