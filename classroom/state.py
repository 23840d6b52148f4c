"""A class's shared state and how the presenter's actions change it. Pure (no Django, no I/O).

One class has one state, stored in the database (``ClassSession``) so that any daphne process
can serve any of its learners. ``apply(state, action)`` gives the next state; every change
raises ``sequence`` by one, and an action that changes nothing keeps the state as it was
(same sequence), so a follower can tell a missed message (a gap) from a repeated press.

Rules, in order of the actions below:

- Moving (step, back, go to, first) stops autoplay: the presenter took over.
- Play starts from the first step when the class is at the end; a scenario with no packets
  cannot play. ``clock`` names the one connection whose timer advances the class, so two
  presenters pressing Play never advance it twice: a tick from any other clock does nothing.
- A tick advances one step; at the last step autoplay stops.
- A question is asked (open), then closed, then revealed; revealing an open question closes it
  too. Asking another replaces the one on screen; Dismiss clears it.
- When the connection holding the clock ends, its clock stops (StopClock).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum


class Phase(str, Enum):
    NONE = "none"  # no question on screen
    OPEN = "open"  # learners may vote (and change their vote)
    CLOSED = "closed"  # votes are final, the answer still hidden
    REVEALED = "revealed"  # the right answer and its explanation are shown


@dataclass(frozen=True, slots=True)
class ClassState:
    step: int
    total: int  # the scenario's packets: steps run from 0 to total
    playing: bool = False
    clock: str = ""
    question: str = ""  # the key of the question on screen (classroom.questions), "" for none
    phase: Phase = Phase.NONE
    sequence: int = 0


@dataclass(frozen=True, slots=True)
class Step:
    pass


@dataclass(frozen=True, slots=True)
class Back:
    pass


@dataclass(frozen=True, slots=True)
class GoTo:
    step: int


@dataclass(frozen=True, slots=True)
class First:
    pass


@dataclass(frozen=True, slots=True)
class Play:
    clock: str


@dataclass(frozen=True, slots=True)
class Pause:
    pass


@dataclass(frozen=True, slots=True)
class Tick:
    clock: str


@dataclass(frozen=True, slots=True)
class StopClock:
    clock: str


@dataclass(frozen=True, slots=True)
class Ask:
    question: str


@dataclass(frozen=True, slots=True)
class Close:
    pass


@dataclass(frozen=True, slots=True)
class Reveal:
    pass


@dataclass(frozen=True, slots=True)
class Dismiss:
    pass


Action = Step | Back | GoTo | First | Play | Pause | Tick | StopClock | Ask | Close | Reveal | Dismiss


def apply(state: ClassState, action: Action) -> ClassState:
    """The state after ``action``; raises ValueError for a step outside 0..total."""
    following = _next(state, action)
    if following == state:
        return state
    return replace(following, sequence=state.sequence + 1)


def _next(state: ClassState, action: Action) -> ClassState:
    stopped = replace(state, playing=False, clock="")
    match action:
        case Step():
            return replace(stopped, step=min(state.step + 1, state.total))
        case Back():
            return replace(stopped, step=max(state.step - 1, 0))
        case GoTo(step=step):
            if not 0 <= step <= state.total:
                raise ValueError(f"step {step} is outside 0..{state.total}")
            return replace(stopped, step=step)
        case First():
            return replace(stopped, step=0)
        case Play(clock=clock):
            if not state.total:
                return state
            start = 0 if state.step == state.total else state.step
            return replace(state, step=start, playing=True, clock=clock)
        case Pause():
            return stopped
        case Tick(clock=clock):
            if not state.playing or clock != state.clock:
                return state
            step = state.step + 1
            return replace(state, step=step) if step < state.total else replace(stopped, step=state.total)
        case StopClock(clock=clock):
            return stopped if clock == state.clock else state
        case Ask(question=question):
            return replace(state, question=question, phase=Phase.OPEN)
        case Close():
            return replace(state, phase=Phase.CLOSED) if state.phase == Phase.OPEN else state
        case Reveal():
            return replace(state, phase=Phase.REVEALED) if state.phase in (Phase.OPEN, Phase.CLOSED) else state
        case Dismiss():
            return replace(state, question="", phase=Phase.NONE)
    raise TypeError(f"not a class action: {action!r}")
