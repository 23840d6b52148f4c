"""A browser's view of the live player, kept from the websocket's messages as htmx would
apply them: the rows and tracker texts it holds, and the last state message."""

import re
from dataclasses import dataclass, field

from .html import text

DELETE_ROWS = re.compile(r'hx-swap-oob="delete:#exec-steps > tbody:nth-of-type\(n\+(\d+)\)"')
RESET_ROWS = 'hx-swap-oob="innerHTML:#exec-steps"'
RESET_TRACKER = 'hx-swap-oob="delete:#tracker-cells > td:nth-child(n+2) > .tracker-text"'
ADDED_ROW = re.compile(r'<tbody class="step-row"[^>]*data-step="(\d+)"><tr[^>]*>(.*?)</tr></tbody>', re.S)
TRACKER_TEXT = re.compile(r'hx-swap-oob="beforeend:#tracker-cell-(\d+)"><span class="tracker-text">(.*?)</span>', re.S)
ANSWER_END = 'id="player-error"'  # the state message and the error fragment both end with it


@dataclass
class LiveView:
    rows: dict = field(default_factory=dict)  # step -> the row's cell texts
    tracker: dict = field(default_factory=dict)  # step -> tracker text
    state: str = ""  # the last state message (#flow-state, caption, status...)
    errors: list = field(default_factory=list)
    rows_received: int = 0  # how many rows the server has sent, old ones again included

    def apply(self, message):
        # A message resets or deletes before it adds (rows_reset.html, rows_delete.html come first).
        if RESET_ROWS in message:
            self.rows = {}
        if RESET_TRACKER in message:
            self.tracker = {}
        for found in DELETE_ROWS.finditer(message):
            keep = int(found.group(1)) - 2
            self.rows = {n: row for n, row in self.rows.items() if n <= keep}
            self.tracker = {n: cell for n, cell in self.tracker.items() if n <= keep}
        for number, row in ADDED_ROW.findall(message):
            self.rows_received += 1
            self.rows[int(number)] = [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for number, cell in TRACKER_TEXT.findall(message):
            if number != "0":  # Start's text, put back by a reset: not a step's
                self.tracker[int(number)] = text(cell)
        if 'id="flow-state"' in message:
            self.state = message
        elif ANSWER_END in message:
            self.errors.append(message)

    def table(self):
        return [self.rows[n] for n in sorted(self.rows)]

    def tracker_texts(self):
        return [self.tracker[n] for n in sorted(self.tracker)]


async def receive_answer(communicator, view, timeout=3):
    """Every message up to and including the one that ends an answer; returns that one."""
    while True:
        message = await communicator.receive_from(timeout=timeout)
        view.apply(message)
        if ANSWER_END in message:
            return message
