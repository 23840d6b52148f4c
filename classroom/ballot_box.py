"""Group commit of a class's votes within one process.

When a room votes at once, a transaction per vote is a commit per vote: on SQLite's rollback
journal each commit waits for the disk (about 16 ms here), so 500 votes queue for seconds. The
box instead keeps, per class, the votes that arrive while the previous batch is being written,
and writes them together (``control.vote_many``: one transaction, one commit); each learner's
confirmation waits for the commit that holds their vote, so a confirmed vote is never lost.

No timer: the first vote of a burst is written at once, and whatever arrives during that
commit forms the next batch, so a lone vote is not delayed and a burst is written in a few
batches. After each batch the presenters are told once (not once per vote) to redraw the tally.
"""

import asyncio
import logging
import weakref

from channels.db import database_sync_to_async

from . import control

logger = logging.getLogger(__name__)

# One box per event loop, as the fan-out's relays: tests run each case in a loop of its own.
_boxes: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = weakref.WeakKeyDictionary()


class ClassBallots:
    """The votes of one class waiting for their batch in this process, and the writer task."""

    def __init__(self, write, announce, idle=lambda: None):
        self.write = write
        self.announce = announce
        self.idle = idle  # called once nothing waits: the process forgets the box (and its announce)
        self.waiting = []
        self.writer = None

    def cast(self, learner, choice) -> asyncio.Future:
        outcome = asyncio.get_running_loop().create_future()
        self.waiting.append((learner, choice, outcome))
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self.write_batches())
        return outcome

    async def write_batches(self):
        while self.waiting:
            batch, self.waiting = self.waiting, []
            try:
                outcomes = await self.write([(learner, choice) for learner, choice, _ in batch])
            except Exception as error:  # the whole batch failed (busy, unreachable): each voter hears why
                for _, _, outcome in batch:
                    if not outcome.done():
                        outcome.set_exception(error)
                continue
            for (_, _, outcome), result in zip(batch, outcomes, strict=True):
                if not outcome.done():  # a voter who left no longer waits
                    outcome.set_result(result)
            if any(not isinstance(result, control.VoteRefused) for result in outcomes):
                try:
                    await self.announce()
                except Exception:  # the votes are stored; the presenter's next recount shows them
                    logger.exception("Could not tell the presenters about a batch of votes")
        # No await since the loop found nothing waiting, so no vote can arrive in between.
        self.idle()


async def cast(class_pk, learner, choice, announce):
    """Vote, batched with the votes this process receives for the class meanwhile. Returns
    the stored Vote; raises VoteRefused (closed, unknown answer) or the write's error.
    ``announce`` is awaited once after each batch that stored a vote, until the burst is written."""
    boxes = _boxes.setdefault(asyncio.get_running_loop(), {})
    box = boxes.get(class_pk)
    if box is None:
        write = database_sync_to_async(lambda ballots: control.vote_many(class_pk, ballots))
        box = boxes[class_pk] = ClassBallots(write, announce, idle=lambda: boxes.pop(class_pk, None))
    result = await box.cast(learner, choice)
    if isinstance(result, control.VoteRefused):
        raise result
    return result
