"""The sandbox's pages: the editor on a learner's draft, starting points, JSON and AWS
import, sharing and the shared snapshot. The document work is done by the pure modules
(document, editor, paste, compare); these views load, store and render.

The editor's views serve every workspace (sandbox.workspaces): the sandbox, and a lesson's
Try mode, whose routes give them the lesson's ``slug``."""

import json
import time
from dataclasses import dataclass
from functools import lru_cache, wraps

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from csp.decorators import csp_replace

from config.errors import NotFound

from learners.identity import Learner, when_not_busy
from lessons import mode_pages
from lessons.models import LessonMode
from lessons.sources import visible_lessons
from player import walkthrough
from player.pages import player_page
from player.walkthrough import checked
from sgviz.engine import dump_scenario, load_scenario, security_groups_to_aws, validate_scenario
from sgviz.engine.errors import escaped

from . import document as documents
from . import undo as undos
from .analysis import analysis, run_results, runnable
from .editor import SAVE_ONLY, Post, incomplete_rows, landing, read_post, row_differences, typed
from .gallery import BY_SLUG, GALLERY, StartingPoint
from .models import Draft, Snapshot
from .paste import import_paste
from .workspaces import Workspace, lesson_scenario

SHARES_KEY = "sandbox_shares"
# The snapshot this session has just shared: its page says "here is your link" once, on arrival.
JUST_SHARED_KEY = "sandbox_just_shared"
# What the JSON box's last save did, shown once at the box on the page it redirects to; what
# the last import into a draft did, its warnings included, shown at the paste box until the
# next import or until the draft is replaced (a starting point, a copy, a saved JSON). Each
# names the draft it is about, so a report shows in its own workspace only.
JSON_REPORT_KEY = "sandbox_json_report"
IMPORT_REPORT_KEY = "sandbox_import_report"
# Share creation per session: at most this many in this many seconds.
SHARE_LIMIT, SHARE_WINDOW = 10, 600
SNAPSHOT_ID_LENGTH = 20
NO_SNAPSHOT = "No shared scenario has this link: check that it was copied whole."
SNAPSHOT_BODIES_CACHED = 128  # rendered snapshot pages (one per snapshot, step and view) kept in memory
PROTOCOL_SUGGESTIONS = ("tcp", "udp", "icmp", "icmpv6", "-1")


# ---------------------------------------------------------------- the draft


def _workspace(request, slug):
    """The workspace a request's address names: a lesson's Try mode (``slug``), else the sandbox."""
    return Workspace(_lesson(request, slug) if slug is not None else None)


def _lesson(request, slug):
    return get_object_or_404(visible_lessons(request.user), slug=slug)


def _draft(request, workspace, create=False):
    """The learner's draft in ``workspace``; None when they have none, unless ``create``
    (a post makes it, from what the workspace starts from: reading a page never writes)."""
    learner = Learner.of(request, create=create)
    draft = Draft.of(learner, workspace.lesson) if learner else None
    if draft is None and create:
        draft = when_not_busy(lambda: Draft.start(learner, workspace.lesson, workspace.start_document()))
    return draft


def _document(draft, workspace):
    """The document a workspace's pages show, run, share and download: the learner's draft,
    else what the workspace starts from."""
    return draft.document if draft else workspace.start_document()


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


@dataclass(frozen=True)
class Refusal:
    """Why a write was not stored, and the status its page answers with."""

    message: str
    stale: bool = False  # the draft was changed after the page was loaded (409), else the input is refused (400)

    @property
    def status(self):
        return 409 if self.stale else 400


# A stale post from the JSON box or the AWS paste box: its text stays in the box, under the
# latest draft's version, so pressing the box's button again is the learner's choice to apply it.
STALE_BOX = (
    "Not {done}: this draft was changed in another tab or window after this page was loaded. This page now "
    "shows the latest draft, and your {text} is still in its box: press “{button}” again to {effect}, or "
    "reload the page to discard it."
)
STALE_JSON = STALE_BOX.format(done="saved", text="JSON", button="Save the JSON", effect="replace the latest draft with it")
STALE_DISCARD = "Not discarded: this draft was changed in another tab or window after this page was loaded. This page now shows the latest draft."
STALE_PASTE = STALE_BOX.format(done="imported", text="paste", button="Import into my scenario", effect="import it into the latest draft")
# A stale editor post that did not carry the document its page was drawn from (a page served
# before the editor carried one, or a post changed on the way): its positional field names
# cannot be placed on the latest draft.
STALE_UNPLACEABLE = (
    "Not saved: this draft was changed in another tab or window after this page was loaded, and the post did "
    "not carry the draft this page was drawn from, so what you typed could not be placed. This page now shows "
    "the latest draft: make your change again on it."
)
STALE_EDITOR = "Not saved: this draft was changed in another tab or window after this page was loaded."
# A refused Share or Run is told beside the button pressed (the page opens there, and its box
# takes the focus and is an alert), not at the top of a page thousands of pixels long: the
# message's extra tag names its place, each place's box has this id.
PLACES = {"share": "share-message", "run_top": "run-top-message", "run_end": "run-end-message", "undo": "undo-message"}
# The two Run buttons: above the editor and below the timeline (editor.html).
RUN_BUTTONS = {"run": "run_top", "run:end": "run_end"}
NOT_RUN = "Not run: the scenario runs once its faults are fixed; each is shown at its field."
NOT_SHARED_FAULTS = "Not shared: this scenario has faults, each shown at its field; fix them, then share it."
NOT_SHARED_LIMIT = f"Not shared: you have shared {SHARE_LIMIT} scenarios in the last {SHARE_WINDOW // 60} minutes; wait a few minutes, then share again."
NOT_UNDONE = "Nothing undone: that was undone already, or the draft was replaced again since (in another tab?). This page shows the draft as it is now."
# A draft stored, before the storage check, with a value nested hundreds of levels deep: too
# deep to copy, so no form can be laid over it nor a paste merged into it.
TOO_DEEP = (
    "Not saved: this draft holds a value nested too deeply to edit here (it was stored before the sandbox refused "
    "such values). Replace the scenario: save other JSON in the JSON box, or start from one of the starting points."
)


def _store(request, draft, expected_version, replacing=None, before=None, **changes):
    """Store changes to the draft unless a value cannot be stored at all, the document breaks
    a cap or the draft changed since the page was loaded; returns the Refusal to tell the
    learner, or None when stored. ``replacing``: the change replaces the draft (sandbox/undo.py's
    replacement), which is kept for one Undo (``before``: as the learner's post had it)."""
    for name, value in changes.items():
        problems = _storage_problems(name, value)
        if problems:
            return _unstorable(problems)
    if "document" in changes:
        problems = documents.cap_problems(changes["document"], documents.encoded_size(changes["document"]))
        if problems:
            return Refusal(" ".join(problems) + " Nothing was saved.")
    stored = draft.replace(expected_version, replacing, before, **changes) if replacing else draft.save_changes(expected_version, **changes)
    if not stored:
        draft.refresh_from_db()  # the latest version, for the page that says so
        return Refusal(STALE_EDITOR, stale=True)
    return None


def _unstorable(problems):
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return Refusal(f"This cannot be stored: {'; '.join(problems[:3])}{more}. Nothing was saved.")


def _storage_problems(name, value):
    """The engine's storage check of a value to store (a document, or a text kept as typed).
    A scenario the engine reads holds none of what it refuses, and it is checked once per
    content for the page anyway: the walk of its every value is made only for one that is not."""
    if name == "document" and isinstance(value, dict) and checked(value).validation.scenario is not None:
        return []
    return documents.storage_problems(value)


def _version(request, name="version"):
    value = request.POST.get(name, "")
    return int(value) if value.isascii() and value.isdigit() else -1


# The editor form carries the document its fields were drawn from (editor.read_post), signed
# so that a post cannot pass off another document as its page's, and compressed: a big
# scenario's base is about a seventh of its JSON.
BASE_SALT = "sandbox.editor.base"


def signed_base(doc):
    return signing.dumps(doc, salt=BASE_SALT, compress=True)


def _posted_base(request):
    try:
        return signing.loads(request.POST.get("base", ""), salt=BASE_SALT)
    except signing.BadSignature:
        return None


# ---------------------------------------------------------------- what a page shows


def addresses(doc):
    """Addresses a packet or rule of ``doc`` may name (its instances' and labels'): the editor's suggestions."""
    found = []
    for instance in documents.items(doc, "instances"):
        if isinstance(instance, dict):
            found += [instance.get(key) for key in ("private_ip", "public_ip", "ipv6")]
    labels = doc.get("labels") if isinstance(doc, dict) and isinstance(doc.get("labels"), dict) else {}
    found += list(labels)
    # Of any type as typed in the JSON box (a list is not a dictionary key): only text suggests.
    return list(dict.fromkeys(address for address in found if isinstance(address, str) and address))


def group_ids(doc):
    return [g["GroupId"] for g in documents.items(doc, "security_groups") if isinstance(g, dict) and isinstance(g.get("GroupId"), str)]


def prefix_list_ids(doc):
    """The prefix lists' ids: the editor suggests them as a rule's source or destination."""
    return [list_id for list_id in documents.keyed(doc, "prefix_lists") if list_id]


def _caps():
    return {
        "timeline": documents.MAX_TIMELINE_ENTRIES,
        "groups": documents.MAX_GROUPS,
        "instances": documents.MAX_INSTANCES,
        "subnets": documents.MAX_SUBNETS,
        "network_acls": documents.MAX_NETWORK_ACLS,
        "prefix_lists": documents.MAX_PREFIX_LISTS,
        "kilobytes": documents.MAX_DOCUMENT_BYTES // 1024,
    }


def _gallery(lesson):
    points = list(GALLERY)
    if lesson is not None:
        points.insert(0, StartingPoint(f"lesson:{lesson.slug}", f"This lesson: {lesson.title}", "The lesson's own scenario, to change and replay.", None))
    return points


def _editor_context(request, draft, workspace, problem="", unsaved=None, version=None, conflict=None, wait=documents.DEFAULT_WAIT, wait_errors=()):
    """``unsaved``: a document to show in the forms instead of the stored one (typing kept
    after a refused save); ``version``: the version the page keeps instead of the stored one
    (after a refused save); ``conflict``: what the status says of a stale page (views._refused);
    ``wait``: the wait field's value (as posted, after a button); ``wait_errors``: why it was refused."""
    doc = _shown_document(draft, workspace, unsaved)
    context = _with_results_table(analysis(doc), walkthrough.content_key(doc) if isinstance(doc, dict) else "")
    context.update(
        {
            "draft": draft,
            "version": version if version is not None else draft.version if draft else 0,
            "base": signed_base(doc),
            "conflict": conflict,
            "workspace": workspace,
            "gallery": _gallery(workspace.lesson),
            "problem": problem,
            "addresses": addresses(doc),
            "group_ids": group_ids(doc),
            "prefix_list_ids": prefix_list_ids(doc),
            "protocols": PROTOCOL_SUGGESTIONS,
            "caps": _caps(),
            "wait": wait,
            "wait_errors": wait_errors,
            "default_wait": documents.DEFAULT_WAIT,
            "undo": undos.offer(draft.replaced, draft.version) if draft else None,
        }
    )
    return context


def _shown_document(draft, workspace, unsaved=None):
    return unsaved if unsaved is not None else _document(draft, workspace)


def _boxes(draft, doc, box, problem, json_text, paste_text, reports):
    """What the page's JSON box and paste box show (only the whole page has them). ``box``:
    the box ("json" or "paste") ``problem`` is told at; ``json_text``, ``paste_text``: a box's
    text posted and not stored; ``reports``: what the JSON box's last save and the last import
    into the draft did."""
    kept = draft.json_text if json_text is None and draft else ""  # typed in the box, not the scenario yet
    pasted = paste_text if paste_text is not None else (draft.paste_text if draft else "")
    return {
        "box": box,
        "box_problem": problem if box else "",
        "json_text": json_text if json_text is not None else kept or _json_of(doc),
        "json_kept": bool(kept),
        "json_faults": _json_faults(kept) if kept else [],
        "paste_text": pasted,
        "paste_faults": import_paste({}, pasted).faults if pasted else (),  # a paste's own, whatever it is merged into
        "reports": reports or {},
    }


def _json_of(doc):
    """The document as the JSON box shows it (and the scenario's download)."""
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _with_results_table(context, key):
    """``context`` with ``results_table``: the run's table, rendered when a template first
    shows it and then once per content (``key``: its content key; the editor after a save on
    change, the run page, a shared snapshot: the same table for the same scenario)."""
    if context["results"]:
        table = {"results": context["results"]}
        context["results_table"] = lambda: walkthrough.content_fragment(
            key, "results", (), lambda: render_to_string("sandbox/partials/results_table.html", table)
        )
    return context


def _json_faults(text):
    """Why the JSON box's kept text is not the scenario yet."""
    read = documents.read_json(text)
    return [read.not_yet] if read.not_yet else list(read.unstorable)


def _render(request, template, context, status=200):
    """``render``, but a page of a draft stored before the storage check was made holds what
    UTF-8 cannot encode (a lone surrogate): written as its \\u escape, the page shows where it
    is, and what the learner posts back replaces it."""
    return HttpResponse(_encoded(render_to_string(template, context, request)), status=status)


def _encoded(text):
    try:
        return text.encode()
    except UnicodeEncodeError:
        return escaped(text).encode()


def _page(request, draft, workspace, status=200, problem="", box=None, json_text=None, paste_text=None, reports=None, **extra):
    """The whole page: the editor (``extra``: see _editor_context), the JSON box and the paste
    box (see _boxes), and a lesson's header in its Try mode. A problem is told at its box, else
    in the editor's status."""
    context = _editor_context(request, draft, workspace, problem="" if box else problem, **extra)
    context.update(_boxes(draft, _shown_document(draft, workspace, extra.get("unsaved")), box, problem, json_text, paste_text, reports))
    context.update(_lesson_header(workspace), **_placed_messages(request))
    return _render(request, "sandbox/try.html", context, status=status)


def _placed_messages(request):
    """The messages waiting for this page: ``placed`` (a place of PLACES -> its messages) are
    shown beside the button that was pressed, ``messages`` (the others) in the page's list."""
    placed, general = {place: [] for place in PLACES}, []
    for message in messages.get_messages(request):
        (placed[message.extra_tags] if message.extra_tags in placed else general).append(message)
    return {"placed": placed, "messages": general}


def _refuse_at(request, workspace, place, message):
    """A refusal told beside the button pressed, on the page the redirect opens there."""
    messages.error(request, message, extra_tags=place)
    return _back(workspace, PLACES[place])


def _lesson_header(workspace):
    """In a lesson's Try mode, what the lesson's header and its mode bar need
    (lessons/partials/header.html), Try marked."""
    if workspace.lesson is None:
        return {}
    return {"lesson": workspace.lesson, "modes": mode_pages.mode_bar(workspace.lesson, current=LessonMode.Mode.TRY)}


def _back(workspace, section):
    """Back to a section of the workspace's page (its id: editor, json, import, share)."""
    return redirect(f"{workspace.url('try')}#{section}")


def _post_only(where):
    """A form's address, which only a POST uses: a GET of it (the address bar after a post
    without JavaScript, a reload, a bookmark) is sent on to the page ``where(request, **kwargs)``
    names, rather than answered by a bare 405 that the browser shows as its own error page."""

    def decorate(view):
        posted = require_POST(view)

        @wraps(view)
        def answer(request, **kwargs):
            if request.method in ("GET", "HEAD"):
                return redirect(where(request, **kwargs))
            return posted(request, **kwargs)

        return answer

    return decorate


def _section_of(section):
    """``where`` for _post_only: the workspace's page at one of its sections."""
    return lambda request, slug=None: f"{_workspace(request, slug).url('try')}#{section}"


# ---------------------------------------------------------------- the editor


@require_GET
def try_page(request, slug=None):
    """The editor on the learner's draft in this workspace; in a lesson's Try mode, the
    lesson's scenario until they change it, and the lesson's scenario first among the
    starting points."""
    workspace = _workspace(request, slug)
    draft = _draft(request, workspace)
    reports = {name: _report(request, key, draft, pop=name == "json") for name, key in (("json", JSON_REPORT_KEY), ("paste", IMPORT_REPORT_KEY))}
    return _page(request, draft, workspace, reports=reports)


def _report(request, key, draft, pop):
    """What the session says the last JSON save or import into ``draft`` did (None: nothing,
    or about another draft); ``pop``: shown once."""
    report = request.session.get(key)
    if not (draft and report and report.get("draft") == draft.pk):
        return None
    if pop:
        del request.session[key]
    return report


@_post_only(_section_of("h-gallery"))
def start(request, slug=None):
    """Replace the workspace's draft with a starting point of the gallery (or a lesson's scenario)."""
    workspace = _workspace(request, slug)
    choice = request.POST.get("start", "")
    if choice.startswith("lesson:"):
        lesson = _lesson(request, choice.removeprefix("lesson:"))
        doc, title = lesson_scenario(lesson), lesson.title
    elif choice in BY_SLUG:
        doc, title = BY_SLUG[choice].document(), BY_SLUG[choice].title
    else:
        raise Http404("There is no such starting point.")
    return _replaced(request, workspace, undos.replacement(undos.START, title), document=doc, json_text="", paste_text="")


def _replaced(request, workspace, by, **changes):
    """Replace the workspace's draft (a starting point, a copy, Undo), keeping what it replaced
    for one Undo, and open the page at the notice that offers it, the editor below (at the
    editor when there is nothing to bring back: an empty draft was replaced). The boxes' kept
    text and what the last import did go with the draft they were about."""
    draft = _draft(request, workspace, create=True)
    refusal = _store(request, draft, draft.version, replacing=by, **changes)
    if refusal:
        messages.error(request, refusal.message)
    else:
        request.session.pop(IMPORT_REPORT_KEY, None)
    return _back(workspace, "replaced" if undos.offer(draft.replaced, draft.version) else "editor")


@_post_only(_section_of("editor"))
def undo(request, slug=None):
    """Undo the last replacement of the workspace's draft (``at``: the version it made, as the
    page's Undo names it): the draft it replaced comes back, and what replaced it is kept in
    its turn, so Undo again brings that back."""
    workspace = _workspace(request, slug)
    draft = _draft(request, workspace)
    kept = draft.replaced if draft else None
    if not kept or str(kept.get("at")) != request.POST.get("at") or undos.offer(kept, draft.version) is None:
        return _refuse_at(request, workspace, "undo", NOT_UNDONE)
    return _replaced(request, workspace, undos.undone(kept["by"]), document=kept["document"], json_text=kept["json_text"], paste_text=kept["paste_text"])


@_post_only(_section_of("editor"))
def save(request, slug=None):
    """A post of the whole editor: every field, plus the button pressed (``action``). htmx
    posts it on every change too (action "autosave"): then only the faults, the results, the
    version and the page's document are sent back, never the fields, so what the learner is
    typing is not touched."""
    workspace = _workspace(request, slug)
    draft = _draft(request, workspace, create=True)
    keep = _version(request, "keep")
    pressed = request.POST.get("action", "save")
    post = Post(
        request.POST,
        action="run" if pressed in RUN_BUTTONS else pressed,
        version=_version(request),
        base=_posted_base(request),
        keep=keep if keep >= 0 else None,
        wait=typed(request.POST.get("wait", "")),
    )
    try:
        edit = read_post(post, draft.document, draft.version)
    except RecursionError:
        if _is_htmx(request):
            return _fields_untouched(_render(request, "sandbox/partials/autosave.html", _editor_context(request, draft, workspace, problem=TOO_DEEP), status=400))
        return _page(request, draft, workspace, status=400, problem=TOO_DEEP)
    if edit.doc is None:
        # Nothing to lay the typing over: the page shows the latest draft, at its version.
        if _is_htmx(request):
            return _render(request, "sandbox/partials/editor_answer.html", _editor_context(request, draft, workspace, problem=STALE_UNPLACEABLE), status=409)
        return _page(request, draft, workspace, status=409, problem=STALE_UNPLACEABLE)
    # The JSON box's kept text stays: it is the learner's until they save it, replace the
    # draft another way or discard it.
    # Removing a whole group, instance, subnet, ACL or prefix list is kept for one Undo.
    removal = None if edit.problem else undos.removal(post.action, edit.typed)
    refusal = Refusal(edit.problem) if edit.problem else _store(request, draft, edit.expected_version, replacing=removal, before=edit.typed, document=edit.doc)
    if refusal:
        return _refused(request, draft, workspace, post, edit, refusal)
    if post.action == "run":
        return _run_redirect(request, draft, workspace, RUN_BUTTONS[pressed], lambda: edit.rewritten(post.data))
    if _is_htmx(request) and post.action == "autosave":
        return _fields_kept(request, _editor_context(request, draft, workspace), edit.rewritten(post.data))
    # Where the page opens after a button: the row it added, the one after the row it removed,
    # the entry it moved (with htmx, editor.js moves the focus there after the swap); after a
    # removal kept for Undo, its offer, which says what went and how to bring it back.
    land = "replaced" if removal else landing(post.action, edit.doc)
    if _is_htmx(request):
        return _render(request, "sandbox/partials/editor_answer.html", {**_editor_context(request, draft, workspace, wait=post.wait), "land": land})
    return _back(workspace, land or "editor")


def _refused(request, draft, workspace, post, edit, refusal):
    """The answer to a refused post: the learner's version of the document is what the fields
    show, and the page keeps the version it was drawn at, so nothing it posts next is stored
    over a change it has not been told about. On a stale page the status offers the choice:
    "Keep mine" (a button posting the latest version as ``keep``) or discard and load the latest."""
    conflict = None
    if refusal.stale:
        conflict = {
            "latest": draft.version,
            "differences": row_differences(edit.doc, draft.document),
            "pressed": post.action not in SAVE_ONLY,
        }
    shown = {"problem": refusal.message, "version": post.version, "conflict": conflict, "wait": post.wait}
    if edit.problem_field == "wait":
        shown["wait_errors"] = [edit.problem]
    if _is_htmx(request):
        if post.action in SAVE_ONLY or not refusal.stale:
            # The fields stay as the learner left them (a refused button is not applied).
            context = _editor_context(request, draft, workspace, unsaved=edit.typed, **shown)
            return _fields_kept(request, context, edit.rewritten(post.data), status=refusal.status)
        # A button pressed on a stale page: its rows are shown, as a stored press would show them.
        return _render(request, "sandbox/partials/editor_answer.html", _editor_context(request, draft, workspace, unsaved=edit.doc, **shown), status=refusal.status)
    return _page(request, draft, workspace, status=refusal.status, unsaved=edit.doc, **shown)


def _fields_untouched(response):
    """An htmx answer that swaps only its out-of-band parts (status, faults, results, version, base)."""
    response["HX-Reswap"] = "none"
    return response


def _fields_kept(request, context, rewritten, status=200):
    """The answer to an htmx post of the editor that leaves its fields as they are, but for
    ``rewritten`` (editor.rewritten_fields: what the server rewrote in rows the post did not
    carry, as a renamed group's references), which editor.js writes in."""
    context["rewritten"] = rewritten
    return _fields_untouched(_render(request, "sandbox/partials/autosave.html", context, status=status))


def _run_redirect(request, draft, workspace, place, rewritten):
    """Run: to the player at its first step when the scenario runs, else the refusal beside
    the Run button pressed (``place``); with htmx the page stays, its fields untouched but for
    ``rewritten()`` (see _fields_kept: computed only then). At
    step 0, not at the last step a lesson's page shows without ``?step=``: the page beside the
    player already lists every packet's verdict, and the player starts at step 0 anyway once
    its websocket connects."""
    if not runnable(draft.document):
        if not _is_htmx(request):
            return _refuse_at(request, workspace, place, NOT_RUN)
        context = _editor_context(request, draft, workspace)
        context["placed"] = {place: [NOT_RUN]}
        return _fields_kept(request, context, rewritten())
    target = workspace.url("run") + "?step=0"
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def _player_context(query, document, key, page_url, ws_path, title):
    """What the player's partials need (templates/player/partials/), for one scenario opened
    with ``query`` (the address's parameters)."""
    player = player_page(walkthrough.for_document(document, key), query, page_url, ws_path)
    return {
        "player": player,
        "frame": player.frame,
        "projector": player.projector,
        "step_error": player.step_error,
        "title": title,
        "flow_summary": "",
        "table_note": "",
        "playing": False,
        "speed": 1,
    }


@require_GET
def run(request, slug=None):
    """The learner's draft in the same player as a lesson, ``?step=k`` included; in a lesson's
    Try mode, under the lesson's header and mode bar."""
    workspace = _workspace(request, slug)
    document = _document(_draft(request, workspace), workspace)
    key = walkthrough.content_key(document) if isinstance(document, dict) else ""
    context = run_results(document, key)
    if not context["valid"]:
        return _refuse_at(request, workspace, "run_top", NOT_RUN)
    _with_results_table(context, key)
    context.update(_player_context(request.GET, document, key, workspace.url("run"), workspace.ws_path, "Your scenario"))
    context.update(workspace=workspace, focus_player=True, **_lesson_header(workspace))
    return render(request, "sandbox/run.html", context)


@require_http_methods(["GET", "POST"])
def json_box(request, slug=None):
    """GET: the JSON box's text for the draft as stored, with its version: after each save of
    the editor, editor.js shows the saved document in a box the learner has not typed in.
    POST: save the box's text as the draft, or discard text kept as typed (``action``)."""
    workspace = _workspace(request, slug)
    if request.method == "GET":
        draft = _draft(request, workspace)
        text = draft.json_text if draft and draft.json_text else _json_of(_document(draft, workspace))
        return JsonResponse({"version": draft.version if draft else 0, "text": text})
    return _save_json(request, workspace)


def _save_json(request, workspace):
    draft = _draft(request, workspace, create=True)
    text = request.POST.get("json", "")
    discard = request.POST.get("action") == "discard"
    read = None
    if discard:
        refusal = _store(request, draft, _version(request), json_text="")
    elif len(text.encode()) > documents.MAX_DOCUMENT_BYTES:
        refusal = Refusal(f"The JSON is {len(text.encode()) // 1024} KB; the sandbox keeps at most {documents.MAX_DOCUMENT_BYTES // 1024} KB. Nothing was saved.")
    else:
        read = documents.read_json(text)
        if read.unstorable:
            refusal = _unstorable(read.unstorable)
        elif read.not_yet:  # kept as typed, and the page says why
            refusal = _store(request, draft, _version(request), json_text=text)
        else:
            refusal = _store(request, draft, _version(request), replacing=undos.replacement(undos.JSON), document=read.document, json_text="")
    if refusal:
        problem = (STALE_DISCARD if discard else STALE_JSON) if refusal.stale else refusal.message
        return _page(request, draft, workspace, status=refusal.status, problem=problem, json_text=text, box="json")
    if discard:
        request.session[JSON_REPORT_KEY] = {"draft": draft.pk, "summary": "Discarded the text you typed: the box shows the scenario's JSON again."}
    elif read.document is not None:
        # "saved": the box's report then says how many faults the saved scenario has, and
        # links to the first (box_report.html), rather than a bare "Saved" far below them.
        request.session[JSON_REPORT_KEY] = {"draft": draft.pk, "summary": "Saved: the scenario is this JSON now.", "saved": True}
        request.session.pop(IMPORT_REPORT_KEY, None)  # what the draft was imported from is replaced
    return _back(workspace, "json")


@_post_only(_section_of("import"))
def paste(request, slug=None):
    """Import pasted describe-… output into the draft; a paste that cannot be read is kept
    with its faults beside it, one holding a value no draft can keep is refused."""
    workspace = _workspace(request, slug)
    draft = _draft(request, workspace, create=True)
    text = request.POST.get("paste", "")
    if len(text.encode()) > documents.MAX_DOCUMENT_BYTES:
        refusal = Refusal(f"The paste is {len(text.encode()) // 1024} KB; the sandbox takes at most {documents.MAX_DOCUMENT_BYTES // 1024} KB. Nothing was imported.")
    else:
        try:
            imported = import_paste(draft.document, text)
        except RecursionError:
            return _page(request, draft, workspace, status=400, problem=TOO_DEEP, paste_text=text, box="paste")
        if not imported.storable:
            refusal = Refusal("Nothing was imported or stored: the paste holds values no draft can keep, listed below. Fix them, then import again.")
        elif imported.document is None:
            refusal = _store(request, draft, _version(request), paste_text=text)
        else:
            refusal = _store(request, draft, _version(request), replacing=undos.replacement(undos.IMPORT), document=imported.document, paste_text="", json_text="")
    if refusal:
        problem = STALE_PASTE if refusal.stale else refusal.message
        return _page(request, draft, workspace, status=refusal.status, problem=problem, paste_text=text, box="paste")
    if imported.document is not None:
        request.session[IMPORT_REPORT_KEY] = {"draft": draft.pk, "summary": imported.summary, "warnings": list(imported.warnings)}
    return _back(workspace, "import")


# ---------------------------------------------------------------- downloads


def _download(data, filename):
    response = HttpResponse(_encoded(_json_of(data)), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def download_draft(request, what, slug=None):
    workspace = _workspace(request, slug)
    doc = _document(_draft(request, workspace), workspace)
    if what == "scenario":
        return _download(doc, "sgviz-scenario.json")
    # The page offers this link only when the scenario runs (templates/sandbox/partials/downloads.html).
    if not runnable(doc):
        return HttpResponse(
            "Not exported: your scenario has faults, so its groups are not what AWS would print. Each fault is shown at its "
            f"field in the sandbox ({workspace.url('try')}): fix them, then download its groups again.",
            status=400, content_type="text/plain; charset=utf-8",
        )
    return _download(security_groups_to_aws(checked(doc).validation.scenario.security_groups), "describe-security-groups.json")


# ---------------------------------------------------------------- sharing


def allow_share(times, now, limit=SHARE_LIMIT, window=SHARE_WINDOW):
    """(allowed, the share times to keep): at most ``limit`` shares in ``window`` seconds."""
    recent = [t for t in times if isinstance(t, (int, float)) and now - t < window]
    if len(recent) >= limit:
        return False, recent
    return True, [*recent, now]


@_post_only(_section_of("share"))
def share(request, slug=None):
    workspace = _workspace(request, slug)
    doc = _document(_draft(request, workspace), workspace)
    scenario = validate_scenario(doc).scenario
    if scenario is None or incomplete_rows(doc):
        return _refuse_at(request, workspace, "share", NOT_SHARED_FAULTS)
    allowed, times = allow_share(request.session.get(SHARES_KEY, []), time.time())
    request.session[SHARES_KEY] = times
    if not allowed:
        return _refuse_at(request, workspace, "share", NOT_SHARED_LIMIT)
    canonical = dump_scenario(scenario)
    snapshot = Snapshot.store(documents.content_id(canonical), canonical)
    request.session[JUST_SHARED_KEY] = snapshot.id
    # No fragment in the address: the address bar is the link too, and may be copied from there.
    return redirect("sandbox:snapshot", snapshot_id=snapshot.id)


def _snapshot(snapshot_id, *fields):
    """The snapshot with this id, else a 404; with ``fields``, only those are loaded."""
    if len(snapshot_id) == SNAPSHOT_ID_LENGTH and snapshot_id.isalnum():
        found = (Snapshot.objects.only(*fields) if fields else Snapshot.objects).filter(id=snapshot_id).first()
        if found:
            return found
    raise NotFound(NO_SNAPSHOT)


def _snapshot_page(request, snapshot_id, name, **extra):
    """A shared snapshot's page (``name``: snapshot or embed). A snapshot never changes, so
    all of its page but the per-visitor parts (``extra``, the "Edit a copy" form) is rendered
    once per step asked; the document (tens of kilobytes of JSON) is read only when a body is
    rendered."""
    snapshot = _snapshot(snapshot_id, "id")
    page_url = reverse(f"sandbox:{name}", args=[snapshot.id])
    embed_url = request.build_absolute_uri(reverse("sandbox:embed", args=[snapshot.id]))
    body = _snapshot_body(name, snapshot.id, request.GET.get("step"), request.GET.get("projector"), page_url, embed_url)
    return render(request, f"sandbox/{name}.html", {"snapshot": snapshot, "body": body, **extra})


@lru_cache(maxsize=SNAPSHOT_BODIES_CACHED)
def _snapshot_body(name, snapshot_id, step, projector, page_url, embed_url):
    document = Snapshot.objects.values_list("document", flat=True).get(id=snapshot_id)
    query = {key: value for key, value in (("step", step), ("projector", projector)) if value is not None}
    key = walkthrough.content_key(document)
    context = _with_results_table(analysis(document), key)
    context.update(_player_context(query, document, key, page_url, f"/ws/s/{snapshot_id}/", "A shared scenario"))
    context.update({"snapshot_id": snapshot_id, "embed_url": embed_url})
    return render_to_string(f"sandbox/partials/{name}_body.html", context)


@require_GET
def snapshot(request, snapshot_id):
    """A shared scenario; on arrival from Share, its page says what the link is and offers to copy it."""
    just_shared = request.session.pop(JUST_SHARED_KEY, None) == snapshot_id
    link = request.build_absolute_uri(reverse("sandbox:snapshot", args=[snapshot_id])) if just_shared else ""
    return _snapshot_page(request, snapshot_id, "snapshot", link=link)


# Only the embed page may be framed, by any site: it is meant for course pages and blogs.
@require_GET
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def embed(request, snapshot_id):
    return _snapshot_page(request, snapshot_id, "embed")


@require_GET
def download_snapshot(request, snapshot_id, what):
    snapshot = _snapshot(snapshot_id)
    if what == "scenario":
        return _download(snapshot.document, f"sgviz-{snapshot.id}.json")
    return _download(security_groups_to_aws(load_scenario(snapshot.document).security_groups), f"describe-security-groups-{snapshot.id}.json")


@_post_only(lambda request, snapshot_id: reverse("sandbox:snapshot", args=[snapshot_id]))
def copy_snapshot(request, snapshot_id):
    """"Edit a copy": the shared scenario becomes the learner's sandbox draft (the snapshot stays)."""
    snapshot = _snapshot(snapshot_id)
    return _replaced(request, Workspace(None), undos.replacement(undos.COPY, snapshot.id), document=documents.normalize(snapshot.document), json_text="", paste_text="")
