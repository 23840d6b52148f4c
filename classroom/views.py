"""The classroom's pages: start and end a class, join it, the projector, the presenter's
remote, the follower's page, and the results as CSV.

Who may drive a class: its owner (the staff member who started it) and whoever opened its
presenter link in this browser session (``PRESENTING``). Learners are identified by a key in
their session (``LEARNERS``), so reconnecting or reloading never makes a second learner.
"""

import csv
import secrets

import segno
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.admin.views.decorators import staff_member_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from lessons.models import Lesson
from player.pages import LESSON, player_page
from sandbox.models import Snapshot

from . import codes, control, frames
from .consumers import LAYER_ERRORS, group_names
from .models import DISPLAY_NAME_LENGTH, ClassSession, Learner

PRESENTING = "classroom:presenting"  # session key: ids of the classes this browser may drive
LEARNERS = "classroom:learners"  # session key: class id -> the learner's key
JOIN_ATTEMPTS_PER_MINUTE = 20  # per client address: a person retypes a code, a script guesses


def is_presenter(request_user, session, class_session):
    owner = request_user.is_authenticated and request_user.is_staff and class_session.owner_id == request_user.pk
    return owner or class_session.pk in session.get(PRESENTING, [])


@require_POST
@staff_member_required
def start(request, slug):
    lesson = get_object_or_404(Lesson, slug=slug)
    class_session = ClassSession.objects.start(owner=request.user, lesson=lesson)
    return redirect("classroom:projector", code=class_session.code)


@require_POST
@staff_member_required
def start_from_snapshot(request, snapshot_id):
    """A class on a sandbox share link (``/s/<id>/``): it plays the snapshot's document, copied
    into the class (a snapshot never changes, so the copy is the scenario the link shows).
    Without a lesson the class votes on the engine's packet questions only."""
    snapshot = get_object_or_404(Snapshot, id=snapshot_id)
    class_session = ClassSession.objects.start(owner=request.user, scenario=snapshot.document)
    return redirect("classroom:projector", code=class_session.code)


def _class(code):
    return get_object_or_404(ClassSession.objects.select_related("lesson"), code=code)


def _ended(request, class_session):
    return render(request, "classroom/ended.html", {"class_session": class_session}, status=410)


@staff_member_required
def projector(request, code):
    class_session = _class(code)
    if class_session.owner_id != request.user.pk:
        raise PermissionDenied("Only the staff member who started this class can project it.")
    if class_session.ended:
        return _ended(request, class_session)
    join_url = request.build_absolute_uri(reverse("classroom:join_code", kwargs={"code": class_session.code}))
    qr = segno.make(join_url, error="m")
    extra = {
        "join_url": join_url,
        "qr": qr.svg_inline(scale=1, border=2, omitsize=True, svgclass="join__qr", title=f"QR code: {join_url}", dark="#000"),
        "remote_url": request.build_absolute_uri(
            reverse("classroom:remote", kwargs={"code": class_session.code, "secret": class_session.presenter_secret})
        ),
    }
    return _live_page(request, class_session, frames.PRESENTER, "classroom/projector.html", extra)


def remote(request, code, secret):
    class_session = _class(code)
    if not secrets.compare_digest(secret, class_session.presenter_secret):
        raise PermissionDenied("This presenter link is not right: ask the class's owner for it again.")
    if class_session.ended:
        return _ended(request, class_session)
    presenting = request.session.get(PRESENTING, [])
    if class_session.pk not in presenting:
        request.session[PRESENTING] = presenting + [class_session.pk]
    return _live_page(request, class_session, frames.PRESENTER, "classroom/remote.html", {})


def _learner(request, class_session):
    learner_key = request.session.get(LEARNERS, {}).get(str(class_session.pk))
    return Learner.objects.filter(class_session=class_session, key=learner_key).first() if learner_key else None


def follow(request, code):
    class_session = _class(code)
    if class_session.ended:
        return _ended(request, class_session)
    learner = _learner(request, class_session)
    if learner is None:
        return redirect("classroom:join_code", code=class_session.code)
    return _live_page(request, class_session, frames.FOLLOWER, "classroom/follow.html", {"learner": learner})


def explore(request, code):
    """"Explore on my own": the lesson's own player, detached from the class (its websocket is
    the lesson's, ``?step=`` where the class was), with the way back to the class."""
    class_session = _class(code)
    lesson = class_session.lesson
    if lesson is None or not lesson.published:
        raise Http404("This class plays no published lesson to explore.")
    if _learner(request, class_session) is None:
        return redirect("classroom:join_code", code=class_session.code)
    steps = frames.walkthrough_for(class_session)
    player = player_page(steps, request.GET, page_url=request.path, ws_path=f"/ws/lessons/{lesson.slug}/", played=LESSON)
    context = {"class_session": class_session, "lesson": lesson, "player": player, "frame": player.frame, "playing": False, "speed": 1}
    return render(request, "classroom/explore.html", context)


def _live_page(request, class_session, role, template, extra):
    applied = control.current(class_session.pk)
    page = frames.context(applied.class_session, applied.state, role)
    lesson = applied.class_session.lesson
    key_moments = list(lesson.key_moments.all()) if lesson and role == frames.PRESENTER else []
    page.update(extra, ws_url=f"/ws/class/{class_session.code}/", key_moments=key_moments)
    return render(request, template, page)


def join(request, code=""):
    """The join form (``/join/``, or ``/join/<code>/`` from the QR code, the code filled in)."""
    values = {"code": code, "name": ""}
    if request.method != "POST":
        return render(request, "classroom/join.html", {"values": values})
    values = {"code": request.POST.get("code", "")[:40], "name": request.POST.get("name", "").strip()}
    if _too_many_joins(request):
        error = "Too many tries from this device in a minute. Wait a minute, then type the code again."
        return render(request, "classroom/join.html", {"values": values, "error": error}, status=429)
    typed = codes.normalise(values["code"])
    error = codes.problem(typed)
    class_session = None if error else ClassSession.objects.filter(code=typed).first()
    if not error and class_session is None:
        error = f"No class has the code {typed}. Check it on the projector and type it again."
    elif not error and len(values["name"]) > DISPLAY_NAME_LENGTH:
        error = f"A display name has at most {DISPLAY_NAME_LENGTH} characters; this one has {len(values['name'])}."
    if error:
        return render(request, "classroom/join.html", {"values": values, "error": error}, status=400)
    if class_session.ended:
        return _ended(request, class_session)
    learners = request.session.get(LEARNERS, {})
    learner = Learner.objects.filter(class_session=class_session, key=learners.get(str(class_session.pk), "")).first()
    if learner is None:
        learner = Learner.objects.create(class_session=class_session, display_name=values["name"])
        request.session[LEARNERS] = {**learners, str(class_session.pk): learner.key}
    elif values["name"] and values["name"] != learner.display_name:
        learner.display_name = values["name"]
        learner.save(update_fields=["display_name"])
    return redirect(class_session)


def _too_many_joins(request):
    """Counts join attempts per client address in the cache, a minute at a time."""
    key = f"classroom:join-attempts:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, timeout=60)
    try:
        return cache.incr(key) > JOIN_ATTEMPTS_PER_MINUTE
    except ValueError:  # the entry expired between add and incr: this is a first attempt
        cache.add(key, 1, timeout=60)
        return False


@require_POST
def end(request, code):
    class_session = _class(code)
    if not is_presenter(request.user, request.session, class_session):
        raise PermissionDenied("Only the class's presenter can end it.")
    control.end(class_session.pk)
    try:
        for group in group_names(class_session.pk):
            async_to_sync(get_channel_layer().group_send)(group, {"type": "class.ended"})
    except LAYER_ERRORS:  # a follower who missed it is told when they next connect
        pass
    return redirect(class_session.lesson or "lessons:index")


@staff_member_required
def results_csv(request, code):
    """Per question the class voted on: each option, its votes, its share, and the right one."""
    class_session = _class(code)
    if class_session.owner_id != request.user.pk and not request.user.is_superuser:
        raise PermissionDenied("Only the class's owner can download its results.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="class-{class_session.code}-results.csv"'
    writer = csv.writer(response)
    writer.writerow(["question", "about", "option", "votes", "share (%)", "right answer"])
    for question, result in results(class_session):
        for row in result.rows:
            writer.writerow(
                [_cell(question.prompt), _cell(question.detail), _cell(row.option.text), row.votes, row.percent, "yes" if row.right else "no"]
            )
    return response


def results(class_session):
    """(question, tally) for every question of the class that has votes, in question order."""
    voted = set(class_session.votes.values_list("question", flat=True))
    return [
        (question, frames.current_tally(class_session, question))
        for key, question in frames.questions_for(class_session).items()
        if key in voted
    ]


def _cell(text):
    """A CSV cell that a spreadsheet will not run as a formula (author text may start with =)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
