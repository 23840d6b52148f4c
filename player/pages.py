"""The player on a page, for any scenario source: the step the address asks for, the chart's
cached HTML and everything the player's partials need (``templates/player/partials/``)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.template.loader import render_to_string

from . import machine, walkthrough
from .machine import BadMessage


# What a page plays, as its step errors name it: a lesson's own scenario, or any other.
LESSON, SCENARIO = "lesson", "scenario"


def requested_step(value: str | None, total: int, played: str = SCENARIO) -> tuple[int | None, BadMessage | None]:
    """The step asked for in an address: (step, None), (None, None) when none was asked for,
    or (None, why) for a value that is not a step of this scenario (any length: a typed
    parser, so 4,301 nines are explained, not a 500); ``played`` names what the page plays."""
    if value is None or value == "":
        return None, None
    try:
        return machine.parse_step(value, total), None
    except BadMessage:
        return None, BadMessage(
            f"There is no step “{machine.printable(value)}” in this {played}.", f"Steps run from 0 to {total}; showing step {total}."
        )


@dataclass(frozen=True)
class PlayerPage:
    frame: walkthrough.Frame
    page_url: str  # where the no-JavaScript forms go (?step=k)
    ws_url: str
    projector: bool
    step_error: BadMessage | None

    @property
    def constants(self) -> dict[str, str]:
        """Server constants the script reads from data-* attributes."""
        return machine.client_constants()

    @property
    def speeds(self) -> tuple[str, ...]:
        return tuple(f"{speed:g}" for speed in machine.SPEEDS)

    @property
    def panels(self) -> str:
        """The rules panel and the connection table at this step, the same for everyone."""
        steps, frame = self.frame.walkthrough, self.frame
        return walkthrough.fragment(
            steps, "panels", (frame.number, False),
            lambda: render_to_string("player/partials/panels.html", {"frame": frame, "oob": False}),
        )

    @property
    def flowchart(self) -> str:
        """The chart's HTML: about 200 SVG coordinates, the same for everyone at a given step."""
        steps, frame = self.frame.walkthrough, self.frame
        context = {"lanes": steps.lanes, "frame": frame, "projector": self.projector}
        return walkthrough.fragment(
            steps, "flowchart", (frame.number, self.projector),
            lambda: render_to_string("player/partials/flowchart_lanes.html", context),
        )


def player_page(steps: walkthrough.Walkthrough, query: dict, page_url: str, ws_path: str, played: str = SCENARIO) -> PlayerPage:
    """The player for a page opened with ``query`` (its GET parameters), playing a ``played``
    (LESSON on a lesson's own pages, else SCENARIO: a draft, a shared snapshot).

    Without ``?step=`` the page is rendered at the last step, so that without JavaScript the
    final state is what reads (the whole table, the tracker full), while the live player
    starts at step 0: a lesson opens at its start. With ``?step=k`` both show step k.
    """
    asked, error = requested_step(query.get("step"), steps.total, played)
    shown = steps.total if asked is None else asked
    live_start = 0 if asked is None and error is None else shown
    return PlayerPage(
        frame=steps.frame(shown),
        page_url=page_url,
        ws_url=f"{ws_path}?{urlencode({'step': live_start})}",
        projector=query.get("projector") == "1",
        step_error=error,
    )
