"""Challenge and Project: pages for a lesson that the engine grades (sgviz.grading)."""

import json
import uuid
from dataclasses import dataclass, field

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from learners.identity import DatabaseBusy, Learner
from lessons import mode_pages
from lessons.sources import visible_lessons
from player import walkthrough
from player.pages import PlayerPage
from sgviz.engine import ScenarioError, dump_scenario, load_scenario, security_groups_to_aws
from sgviz.engine.results import Basis, Verdict
from sgviz.grading import grade_prediction, grade_project, grade_puzzle, packet_results, revealed_scenario, tally

from sandbox import views as sandbox_views
from sandbox.editor import editor_rows, incomplete_rows
from sandbox.views import PROTOCOL_SUGGESTIONS

from . import editing, wording
from .forms import MAX_GROUPS_CHARACTERS, GroupsForm, PredictionForm
from .models import Prediction, ProjectSubmission, ProjectTask, Puzzle, PuzzleAttempt
from .records import KeyOfAnotherLearner, predict, store_once


def _lesson(request, slug):
    return get_object_or_404(visible_lessons(request.user), slug=slug)


def _mode_bar(lesson, current):
    return {"modes": mode_pages.mode_bar(lesson, current=current)}


def challenge_scenario(lesson):
    """The Challenge mode's own scenario if it has one, else the lesson's."""
    mode = lesson.modes.filter(mode="challenge").first()
    return load_scenario(mode.engine_scenario if mode else lesson.scenario)


@dataclass(frozen=True)
class StepView:
    number: int
    packet: str
    mark: object  # PredictionMark once predicted, else None
    is_current: bool

    @property
    def said(self):
        return f"{wording.verdict_words(self.mark.verdict)}, because of {wording.BASES[self.mark.basis]}"

    @property
    def verdict(self):
        return wording.verdict_words(self.mark.result.verdict)

    @property
    def basis(self):
        return wording.BASES[self.mark.result.basis]


def challenge(request, slug, form=None, form_step=None, status=200):
    """The Challenge page; for htmx (the prediction form's post) only its #challenge-play region
    and the live region's words. htmx swaps no 4xx or 5xx response, so there a refused
    prediction comes back as 200 with its errors at their fields, as the page would show them."""
    lesson = _lesson(request, slug)
    scenario = challenge_scenario(lesson)
    results = packet_results(scenario)
    learner = Learner.of(request)
    stored = {p.step: p for p in learner.records(Prediction).filter(lesson=lesson)} if learner else {}
    marks = [
        grade_prediction(result, Verdict(stored[n].verdict), Basis(stored[n].basis)) if n in stored else None
        for n, result in enumerate(results, 1)
    ]
    current = next((n for n, mark in enumerate(marks, 1) if mark is None), None)
    revealed = (current or len(results) + 1) - 1  # the steps are revealed in order
    steps = [StepView(n, wording.packet_words(result.packet), marks[n - 1], n == current) for n, result in enumerate(results, 1) if n <= (current or len(results))]
    bases = _bases(results)
    puzzles = list(Puzzle.objects.filter(lesson=lesson))
    attempts = learner.records(PuzzleAttempt).filter(puzzle__in=puzzles) if learner else PuzzleAttempt.objects.none()
    player = _revealed_player(request, scenario, revealed)
    context = {
        "lesson": lesson,
        **_mode_bar(lesson, "challenge"),
        "groups": wording.groups_in_words(scenario.security_groups),
        "labels": scenario.labels,
        "revealed_steps": steps[:revealed],
        "open_step": steps[revealed] if revealed < len(steps) else None,
        "latest": steps[revealed - 1] if revealed else None,
        "total": len(results),
        "tally": tally(marks),
        "form": form if form is not None and form_step == current else PredictionForm(bases=bases),
        "puzzles": [(puzzle, _status(attempts, puzzle)) for puzzle in puzzles],
        "player": player,
        "frame": player.frame if player else None,
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "practice/partials/challenge_swap.html", context)
    return render(request, "practice/challenge.html", context, status=status)


def _revealed_player(request, scenario, revealed):
    """The lesson's player (player.pages) at the last revealed step, built from the scenario
    through that step only (grading.revealed_scenario), so that no part of it, the chart's
    shape included, tells a step not yet predicted. None before the first reveal. Not the live
    player: its controls and websocket would step past what the learner has predicted."""
    if not revealed:
        return None
    steps = walkthrough.for_document(dump_scenario(revealed_scenario(scenario, revealed)))
    return PlayerPage(frame=steps.frame(revealed), page_url=request.path, ws_url="", projector=False, step_error=None)


def _status(attempts, puzzle):
    mine = [attempt for attempt in attempts if attempt.puzzle_id == puzzle.pk]
    return {"tried": len(mine), "solved": any(attempt.solved for attempt in mine)}


def _bases(results):
    rare = [result.basis for result in results if result.basis not in wording.COMMON_BASES]
    return [*wording.COMMON_BASES, *dict.fromkeys(rare)]


@require_POST
def predict_step(request, slug, step):
    lesson = _lesson(request, slug)
    results = packet_results(challenge_scenario(lesson))
    if not 1 <= step <= len(results):
        raise Http404("This lesson has no such step.")
    form = PredictionForm(request.POST, bases=_bases(results))
    if not form.is_valid():
        return challenge(request, slug, form=form, form_step=step, status=400)
    learner = Learner.of(request, create=True)
    done = set(learner.records(Prediction).filter(lesson=lesson).values_list("step", flat=True))
    first_open = next(n for n in range(1, len(results) + 2) if n not in done)
    if step > first_open:
        form.add_error(None, f"Predict step {first_open} first: the steps are revealed in order.")
        return challenge(request, slug, form=form, form_step=first_open, status=400)
    mark = grade_prediction(results[step - 1], Verdict(form.cleaned_data["verdict"]), Basis(form.cleaned_data["basis"]))
    try:
        predict(learner, lesson, mark, step)
    except DatabaseBusy:
        form.add_error(None, "The site is busy and your prediction was not recorded. Send it again.")
        return challenge(request, slug, form=form, form_step=step, status=503)
    if request.headers.get("HX-Request") == "true":
        return challenge(request, slug)  # the revealed step, swapped in; a reload shows the same
    return redirect(reverse("practice:challenge", kwargs={"slug": slug}) + f"#step-{step}")


def puzzle(request, slug, puzzle_slug):
    lesson = _lesson(request, slug)
    task = get_object_or_404(Puzzle, lesson=lesson, slug=puzzle_slug)
    graded = task.task()
    return _graded_task_page(
        request,
        lesson,
        mode="challenge",
        task=task,
        records=PuzzleAttempt,
        owner={"puzzle": task},
        start=graded.start_groups,
        grade=lambda groups: grade_puzzle(graded, groups),
        summary=lambda outcome: {"solved": outcome.solved},
        present=wording.puzzle_outcome,
        template="practice/puzzle.html",
        editor_scenario=graded.scenario,
        extra={
            "goals": [(goal, wording.EXPECTATIONS[goal.expect]) for goal in graded.goals],
            "constraints": [wording.constraint_text(constraint) for constraint in graded.constraints],
        },
    )


def project_index(request, slug):
    lesson = _lesson(request, slug)
    first = ProjectTask.objects.filter(lesson=lesson).first()
    if first is None:
        raise Http404("This lesson has no project.")
    return redirect("practice:project", slug=slug, task_slug=first.slug)


def project(request, slug, task_slug):
    lesson = _lesson(request, slug)
    task = get_object_or_404(ProjectTask, lesson=lesson, slug=task_slug)
    graded = task.task()
    return _graded_task_page(
        request,
        lesson,
        mode="project",
        task=task,
        records=ProjectSubmission,
        owner={"task": task},
        start=load_scenario(task.scenario).security_groups,
        grade=lambda groups: grade_project(graded, groups),
        summary=lambda outcome: {
            "flows_met": outcome.flows_met,
            "flows_total": outcome.flows_total,
            "checks_passed": outcome.checks_passed,
            "checks_total": len(outcome.review),
        },
        present=wording.project_outcome,
        template="practice/project.html",
        extra={
            "required": graded.required,
            "forbidden": graded.forbidden,
            "checks": [wording.review_text(check) for check in graded.review],
        },
    )


def _graded_task_page(request, lesson, *, mode, task, records, owner, start, grade, summary, present, template, extra, editor_scenario=None):
    """A task the learner answers with security groups: GET shows the form (with the
    submission ``?submission=<id>`` reopened and its grade), POST grades and stores once, then
    redirects to the stored submission (a reload never posts again). With ``editor_scenario`` (the
    task's scenario) the page also has the rule editor (practice.editing): a post carrying
    ``base`` is the editor's."""
    learner = Learner.of(request, create=request.method == "POST")
    mine = learner.records(records).filter(**owner) if learner else records.objects.none()
    shown, outcome, status = None, None, 200
    start_text = json.dumps(security_groups_to_aws(start), indent=2)
    editor, editor_groups = None, security_groups_to_aws(start)
    if request.method == "POST" and editor_scenario is not None and "base" in request.POST:
        form = GroupsForm(initial={"groups": start_text, "key": uuid.uuid4()})
        editor, stored = _editor_post(request, learner, records, owner, editor_groups, grade, summary)
        if stored is not None:
            return stored
        status = editor.status
    elif request.method == "POST":
        form = GroupsForm(request.POST)
        if form.is_valid():
            text, groups = form.cleaned_data["groups"]
            result = _grade_and_store(request, learner, records, owner, form.cleaned_data["key"], text, groups, grade, summary)
            if result.stored is not None:
                return result.stored
            for fault in result.faults:
                form.add_error("groups", str(fault))
            if result.problem:
                form.add_error(None, result.problem)
        status = 400
    else:
        chosen = request.GET.get("submission", "")
        if chosen:
            shown = mine.filter(pk=int(chosen) if chosen.isascii() and chosen.isdigit() and len(chosen) < 19 else -1).first()
            if shown is None:
                raise Http404("You have no such submission.")
            outcome = present(grade(json.loads(shown.groups)))
        text = shown.groups if shown else start_text
        form = GroupsForm(initial={"groups": text, "key": uuid.uuid4()})
        editor_groups = json.loads(text)
    context = {
        "lesson": lesson,
        **_mode_bar(lesson, mode),
        "task": task,
        "start": wording.groups_in_words(start),
        "form": form,
        "shown": shown,
        "outcome": outcome,
        "submissions": list(mine),
        **extra,
    }
    if editor_scenario is not None:
        context.update((editor or EditorState(editing.groups_document(editor_groups))).context(editor_scenario))
    return render(request, template, context, status=status)


@dataclass(frozen=True)
class Stored:
    """What grading and storing a submission came to: the redirect to the stored row, or why not."""

    stored: object = None  # the redirect once stored
    faults: tuple = ()  # the engine's faults (path, message) about the groups
    problem: str = ""  # about the post as a whole


def _grade_and_store(request, learner, records, owner, key, text, groups, grade, summary):
    try:
        graded = grade(groups)
        row = store_once(records, learner, key, groups=text, **owner, **summary(graded))
        return Stored(stored=redirect(f"{request.path}?submission={row.pk}#result"))
    except ScenarioError as error:
        return Stored(faults=error.faults)
    except KeyOfAnotherLearner:
        return Stored(problem="This form was already sent from another browser. Reload the page and send it again.")
    except DatabaseBusy:
        return Stored(problem="The site is busy and your rules were not recorded. Send them again.")


@dataclass
class EditorState:
    """The rule editor as the page shows it: the groups document, faults at their fields."""

    doc: dict
    faults: list = field(default_factory=list)  # (path, message)
    problem: str = ""
    key: object = None
    status: int = 200

    def context(self, scenario):
        suggestions = {**scenario, "security_groups": self.doc["security_groups"]}
        return {
            "editor": editor_rows(self.doc, self.faults),
            "editor_base": editing.base_text(self.doc),
            "editor_key": self.key or uuid.uuid4(),
            "editor_problem": self.problem,
            "protocols": PROTOCOL_SUGGESTIONS,
            "addresses": sandbox_views.addresses(suggestions),
            "group_ids": sandbox_views.group_ids(suggestions),
            "prefix_list_ids": sandbox_views.prefix_list_ids(suggestions),
        }


def _editor_post(request, learner, records, owner, start_groups, grade, summary):
    """A post of the rule editor: (None, the redirect) once "Check" has stored the groups,
    else (the editor to show again, None). Any other button only redraws the editor."""
    key = request.POST.get("key", "")
    try:
        key = uuid.UUID(key)
        base = editing.read_base(request.POST.get("base", ""), MAX_GROUPS_CHARACTERS)
        edited = editing.edit(base, request.POST, request.POST.get("action", editing.CHECK))
    except ValueError as error:  # EditError, or a garbled key
        message = str(error) if isinstance(error, editing.EditError) else editing.STALE
        return EditorState(editing.groups_document(start_groups), problem=message, status=400), None
    if not edited.check:
        return EditorState(edited.doc, key=key), None
    unfinished = incomplete_rows(edited.doc)
    if unfinished:
        return EditorState(edited.doc, faults=unfinished, key=key, status=400), None
    groups = edited.doc["security_groups"]
    result = _grade_and_store(request, learner, records, owner, key, json.dumps({"SecurityGroups": groups}, indent=2), groups, grade, summary)
    if result.stored is not None:
        return None, result.stored
    return EditorState(edited.doc, faults=[(fault.path, fault.message) for fault in result.faults], problem=result.problem, key=key, status=400), None
