"""The sandbox's pages: the editor on a learner's draft, starting points, JSON and AWS
import, sharing and the shared snapshot. The document work is done by the pure modules
(document, editor, paste, compare); these views load, store and render."""

import json
import time
from dataclasses import dataclass
from functools import lru_cache

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_POST
from csp.decorators import csp_replace

from lessons.models import Lesson, LessonMode
from player import walkthrough
from player.pages import player_page
from sgviz.engine import dump_scenario, load_scenario, security_groups_to_aws, validate_scenario

from . import document as documents
from . import undo as undos
from .analysis import analysis, run_results, runnable
from .editor import SAVE_ONLY, Post, incomplete_rows, read_post, row_differences, typed
from .gallery import BY_SLUG, GALLERY, StartingPoint
from .models import Draft, Snapshot
from .paste import import_paste
from .sources import SESSION_KEY

SHARES_KEY = "sandbox_shares"
# The snapshot this session has just shared: its page says "here is your link" once, on arrival.
JUST_SHARED_KEY = "sandbox_just_shared"
# Share creation per session: at most this many in this many seconds.
SHARE_LIMIT, SHARE_WINDOW = 10, 600
SNAPSHOT_ID_LENGTH = 20
SNAPSHOT_BODIES_CACHED = 128  # rendered snapshot pages (one per snapshot, step and view) kept in memory
PROTOCOL_SUGGESTIONS = ("tcp", "udp", "icmp", "icmpv6", "-1")


# ---------------------------------------------------------------- the draft


def _draft(request, create=False):
    token = request.session.get(SESSION_KEY)
    draft = Draft.objects.filter(token=token).first() if token else None
    if draft is None and create:
        draft = Draft.objects.create(document=documents.blank())
        request.session[SESSION_KEY] = draft.token
    return draft


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


def _store(request, draft, expected_version, replacing=None, **changes):
    """Store changes to the draft unless the document breaks a cap or the draft changed since
    the page was loaded; returns the Refusal to tell the learner, or None when stored.
    ``replacing``: the change replaces the draft (sandbox/undo.py's replacement), which is
    kept for one Undo."""
    if "document" in changes:
        problems = documents.cap_problems(changes["document"], documents.encoded_size(changes["document"]))
        if problems:
            return Refusal(" ".join(problems) + " Nothing was saved.")
    stored = draft.replace(expected_version, replacing, **changes) if replacing else draft.save_changes(expected_version, **changes)
    if not stored:
        draft.refresh_from_db()  # the latest version, for the page that says so
        return Refusal(STALE_EDITOR, stale=True)
    return None


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
    return [address for address in dict.fromkeys(found) if isinstance(address, str) and address]


def group_ids(doc):
    return [g["GroupId"] for g in documents.items(doc, "security_groups") if isinstance(g, dict) and isinstance(g.get("GroupId"), str)]


def _caps():
    return {
        "timeline": documents.MAX_TIMELINE_ENTRIES,
        "groups": documents.MAX_GROUPS,
        "instances": documents.MAX_INSTANCES,
        "kilobytes": documents.MAX_DOCUMENT_BYTES // 1024,
    }


def _gallery(lesson):
    points = list(GALLERY)
    if lesson is not None:
        points.insert(0, StartingPoint(f"lesson:{lesson.slug}", f"This lesson: {lesson.title}", "The lesson's own scenario, to change and replay.", None))
    return points


def _editor_context(request, draft, lesson=None, problem="", json_text=None, paste_text=None, unsaved=None, version=None, conflict=None):
    """``unsaved``: a document to show in the forms instead of the stored one (typing kept
    after a refused save); ``version``: the version the page keeps instead of the stored one
    (after a refused save); ``conflict``: what the status says of a stale page (views._refused)."""
    doc = unsaved if unsaved is not None else draft.document if draft else documents.blank()
    context = _with_results_table(analysis(doc), walkthrough.content_key(doc) if isinstance(doc, dict) else "")
    pasted = paste_text if paste_text is not None else (draft.paste_text if draft else "")
    context.update(
        {
            "draft": draft,
            "version": version if version is not None else draft.version if draft else 0,
            "base": signed_base(doc),
            "conflict": conflict,
            "lesson": lesson,
            "gallery": _gallery(lesson),
            "problem": problem,
            "json_text": json_text if json_text is not None else (draft.json_text if draft and draft.json_text else json.dumps(doc, indent=2, ensure_ascii=False)),
            "json_faults": [] if json_text is None and not (draft and draft.json_text) else _json_faults(json_text if json_text is not None else draft.json_text),
            "paste_text": pasted,
            "paste_faults": import_paste(doc, pasted).faults if pasted else (),
            "addresses": addresses(doc),
            "group_ids": group_ids(doc),
            "protocols": PROTOCOL_SUGGESTIONS,
            "caps": _caps(),
            "wait": documents.DEFAULT_WAIT,
        }
    )
    return context


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
    try:
        value = json.loads(text)
    except ValueError as error:
        return [f"This is not JSON yet: {error}. Your text is kept as typed."]
    except RecursionError:
        return ["This JSON nests too deeply to be read; a scenario nests a few levels. Your text is kept as typed."]
    if value is None:
        return ['This is JSON\'s null, not a scenario: a scenario is an object, {"security_groups": [...], "instances": [...], "timeline": [...]}. Your text is kept as typed.']
    return []


def _page(request, draft, lesson=None, status=200, **extra):
    context = _editor_context(request, draft, lesson, **extra)
    context.update(_placed_messages(request), undo=undos.offer(draft.replaced) if draft else None)
    return render(request, "sandbox/try.html", context, status=status)


def _placed_messages(request):
    """The messages waiting for this page: ``placed`` (a place of PLACES -> its messages) are
    shown beside the button that was pressed, ``messages`` (the others) in the page's list."""
    placed, general = {place: [] for place in PLACES}, []
    for message in messages.get_messages(request):
        (placed[message.extra_tags] if message.extra_tags in placed else general).append(message)
    return {"placed": placed, "messages": general}


def _refuse_at(request, place, message):
    """A refusal told beside the button pressed, on the page the redirect opens there."""
    messages.error(request, message, extra_tags=place)
    return redirect(f"{reverse('sandbox:try')}#{PLACES[place]}")


# ---------------------------------------------------------------- the editor


@require_GET
def try_page(request):
    return _page(request, _draft(request))


@require_GET
def lesson_try(request, slug):
    """The lesson's Try mode: the sandbox, with the lesson's scenario first among the starting points."""
    return _page(request, _draft(request), lesson=_lesson(slug))


def _lesson(slug):
    return get_object_or_404(Lesson.objects.published(), slug=slug)


def _lesson_scenario(lesson):
    mode = lesson.modes.filter(mode=LessonMode.Mode.TRY).first()
    return documents.normalize(mode.engine_scenario if mode else lesson.scenario)


@require_POST
def start(request):
    """Replace the draft with a starting point of the gallery (or a lesson's scenario)."""
    choice = request.POST.get("start", "")
    if choice.startswith("lesson:"):
        lesson = _lesson(choice.removeprefix("lesson:"))
        doc, title = _lesson_scenario(lesson), lesson.title
    elif choice in BY_SLUG:
        doc, title = BY_SLUG[choice].document(), BY_SLUG[choice].title
    else:
        raise Http404("There is no such starting point.")
    draft = _draft(request, create=True)
    return _replaced(request, draft, undos.replacement(undos.START, title), document=doc, json_text="", paste_text="")


def _replaced(request, draft, by, **changes):
    """Replace the draft (a starting point, a copy, Undo), keeping what it replaced for one
    Undo, and open the page at the notice that offers it, the editor below (at the editor when
    there is nothing to bring back: an empty draft was replaced)."""
    refusal = _store(request, draft, draft.version, replacing=by, **changes)
    if refusal:
        messages.error(request, refusal.message)
    return redirect(f"{reverse('sandbox:try')}#{'replaced' if undos.offer(draft.replaced) else 'editor'}")


@require_POST
def undo(request):
    """Undo the last replacement of the draft (``at``: the version it made, as the page's
    Undo names it): the draft it replaced comes back, and what replaced it is kept in its
    turn, so Undo again brings that back."""
    draft = _draft(request)
    kept = draft.replaced if draft else None
    if not kept or str(kept.get("at")) != request.POST.get("at"):
        return _refuse_at(request, "undo", NOT_UNDONE)
    return _replaced(request, draft, undos.undone(kept["by"]), document=kept["document"], json_text=kept["json_text"], paste_text=kept["paste_text"])


@require_POST
def save(request):
    """A post of the whole editor: every field, plus the button pressed (``action``). htmx
    posts it on every change too (action "autosave"): then only the faults, the results, the
    version and the page's document are sent back, never the fields, so what the learner is
    typing is not touched."""
    draft = _draft(request, create=True)
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
    edit = read_post(post, draft.document, draft.version)
    if edit.doc is None:
        # Nothing to lay the typing over: the page shows the latest draft, at its version.
        if _is_htmx(request):
            return render(request, "sandbox/partials/editor.html", _editor_context(request, draft, problem=STALE_UNPLACEABLE), status=409)
        return _page(request, draft, status=409, problem=STALE_UNPLACEABLE)
    refusal = Refusal(edit.problem) if edit.problem else _store(request, draft, edit.expected_version, document=edit.doc, json_text="")
    if refusal:
        return _refused(request, draft, post, edit, refusal)
    if post.action == "run":
        return _run_redirect(request, draft, RUN_BUTTONS[pressed])
    if _is_htmx(request):
        if post.action == "autosave":
            return _fields_untouched(render(request, "sandbox/partials/autosave.html", _editor_context(request, draft)))
        return render(request, "sandbox/partials/editor.html", _editor_context(request, draft))
    return redirect("/try/#editor")


def _refused(request, draft, post, edit, refusal):
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
    shown = {"problem": refusal.message, "version": post.version, "conflict": conflict}
    if _is_htmx(request):
        if post.action in SAVE_ONLY or not refusal.stale:
            # The fields stay as the learner left them (a refused button is not applied).
            context = _editor_context(request, draft, unsaved=edit.typed, **shown)
            return _fields_untouched(render(request, "sandbox/partials/autosave.html", context, status=refusal.status))
        # A button pressed on a stale page: its rows are shown, as a stored press would show them.
        return render(request, "sandbox/partials/editor.html", _editor_context(request, draft, unsaved=edit.doc, **shown), status=refusal.status)
    return _page(request, draft, status=refusal.status, unsaved=edit.doc, **shown)


def _fields_untouched(response):
    """An htmx answer that swaps only its out-of-band parts (status, faults, results, version,
    base). It carries the faults of the faulty rows and fields only; its ``faultsReplaced``
    event has the page clear every fault it shows first (static/js/editor.js)."""
    response["HX-Reswap"] = "none"
    response["HX-Trigger"] = "faultsReplaced"
    return response


def _run_redirect(request, draft, place):
    """Run: to the player at its first step when the scenario runs, else the refusal beside
    the Run button pressed (``place``); with htmx the page stays, its fields untouched. At
    step 0, not at the last step a lesson's page shows without ``?step=``: the page beside the
    player already lists every packet's verdict, and the player starts at step 0 anyway once
    its websocket connects."""
    if not runnable(draft.document):
        if not _is_htmx(request):
            return _refuse_at(request, place, NOT_RUN)
        context = _editor_context(request, draft)
        context["placed"] = {place: [NOT_RUN]}
        return _fields_untouched(render(request, "sandbox/partials/autosave.html", context))
    target = reverse("sandbox:run") + "?step=0"
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
def run(request):
    """The learner's draft in the same player as a lesson, ``?step=k`` included."""
    draft = _draft(request)
    document = draft.document if draft else None
    key = walkthrough.content_key(document) if isinstance(document, dict) else ""
    context = run_results(document, key)
    if not context["valid"]:
        return _refuse_at(request, "run_top", NOT_RUN)
    _with_results_table(context, key)
    context.update(_player_context(request.GET, document, key, reverse("sandbox:run"), "/ws/sandbox/draft/", "Your scenario"))
    return render(request, "sandbox/run.html", context)


@require_POST
def edit_json(request):
    draft = _draft(request, create=True)
    text = request.POST.get("json", "")
    if len(text.encode()) > documents.MAX_DOCUMENT_BYTES:
        problem = f"The JSON is {len(text.encode()) // 1024} KB; the sandbox keeps at most {documents.MAX_DOCUMENT_BYTES // 1024} KB. Nothing was saved."
        return _page(request, draft, status=400, problem=problem, json_text=text)
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        doc = None
    if doc is None:  # not JSON yet, or JSON's null, which no draft holds: kept as typed, with its fault
        refusal = _store(request, draft, _version(request), json_text=text)
    else:
        refusal = _store(request, draft, _version(request), replacing=undos.replacement(undos.JSON), document=documents.normalize(doc), json_text="")
    if refusal:
        return _page(request, draft, status=refusal.status, problem=STALE_JSON if refusal.stale else refusal.message, json_text=text)
    return redirect("/try/#json")


@require_POST
def paste(request):
    """Import pasted describe-… output into the draft; a paste that cannot be read is kept
    with its faults beside it."""
    draft = _draft(request, create=True)
    text = request.POST.get("paste", "")
    if len(text.encode()) > documents.MAX_DOCUMENT_BYTES:
        problem = f"The paste is {len(text.encode()) // 1024} KB; the sandbox takes at most {documents.MAX_DOCUMENT_BYTES // 1024} KB. Nothing was imported."
        return _page(request, draft, status=400, problem=problem, paste_text=text)
    imported = import_paste(draft.document, text)
    if imported.document is None:
        refusal = _store(request, draft, _version(request), paste_text=text)
    else:
        refusal = _store(request, draft, _version(request), replacing=undos.replacement(undos.IMPORT), document=imported.document, paste_text="", json_text="")
        if refusal is None:
            messages.success(request, imported.summary)
            for warning in imported.warnings:
                messages.warning(request, warning)
    if refusal:
        return _page(request, draft, status=refusal.status, problem=STALE_PASTE if refusal.stale else refusal.message, paste_text=text)
    return redirect("/try/#import")


# ---------------------------------------------------------------- downloads


def _download(data, filename):
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def download_draft(request, what):
    draft = _draft(request)
    doc = draft.document if draft else documents.blank()
    if what == "scenario":
        return _download(doc, "sgviz-scenario.json")
    scenario = validate_scenario(doc).scenario
    if scenario is None:
        return HttpResponse("The scenario has faults; fix them in the sandbox before exporting its groups.", status=400, content_type="text/plain; charset=utf-8")
    return _download(security_groups_to_aws(scenario.security_groups), "describe-security-groups.json")


# ---------------------------------------------------------------- sharing


def allow_share(times, now, limit=SHARE_LIMIT, window=SHARE_WINDOW):
    """(allowed, the share times to keep): at most ``limit`` shares in ``window`` seconds."""
    recent = [t for t in times if isinstance(t, (int, float)) and now - t < window]
    if len(recent) >= limit:
        return False, recent
    return True, [*recent, now]


@require_POST
def share(request):
    draft = _draft(request)
    scenario = validate_scenario(draft.document).scenario if draft else None
    if scenario is None or incomplete_rows(draft.document):
        return _refuse_at(request, "share", NOT_SHARED_FAULTS)
    allowed, times = allow_share(request.session.get(SHARES_KEY, []), time.time())
    request.session[SHARES_KEY] = times
    if not allowed:
        return _refuse_at(request, "share", NOT_SHARED_LIMIT)
    canonical = dump_scenario(scenario)
    snapshot = Snapshot.store(documents.content_id(canonical), canonical)
    request.session[JUST_SHARED_KEY] = snapshot.id
    # No fragment in the address: the address bar is the link too, and may be copied from there.
    return redirect("sandbox:snapshot", snapshot_id=snapshot.id)


def _snapshot(snapshot_id, *fields):
    """The snapshot with this id, else a 404; with ``fields``, only those are loaded."""
    if len(snapshot_id) != SNAPSHOT_ID_LENGTH or not snapshot_id.isalnum():
        raise Http404("There is no shared scenario with this id.")
    return get_object_or_404(Snapshot.objects.only(*fields) if fields else Snapshot, id=snapshot_id)


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


@require_POST
def copy_snapshot(request, snapshot_id):
    """"Edit a copy": the shared scenario becomes the learner's draft (the snapshot stays)."""
    snapshot = _snapshot(snapshot_id)
    draft = _draft(request, create=True)
    return _replaced(request, draft, undos.replacement(undos.COPY, snapshot.id), document=documents.normalize(snapshot.document), json_text="", paste_text="")
