"""The ballot box's group commit, with a stand-in for the database write: a burst of votes is
written in few batches, every voter hears their own outcome, and the presenters are told once
per batch."""

import asyncio

import pytest

from classroom.ballot_box import ClassBallots
from classroom.control import VoteRefused


class Recorder:
    """A write that takes a moment (as a commit does) and answers each ballot with its choice,
    or refuses the choice "bad"; and an announce that counts its calls."""

    def __init__(self, fail_first=None):
        self.batches = []
        self.announced = 0
        self.fail_first = fail_first

    async def write(self, ballots):
        self.batches.append(ballots)
        await asyncio.sleep(0.01)
        if self.fail_first is not None and len(self.batches) == 1:
            raise self.fail_first
        return [VoteRefused("unknown answer") if choice == "bad" else f"{learner}:{choice}" for learner, choice in ballots]

    async def announce(self):
        self.announced += 1


def run(scenario):
    return asyncio.run(scenario())


def test_a_burst_is_written_in_two_batches_and_each_voter_gets_their_own_outcome():
    async def scenario():
        recorder = Recorder()
        box = ClassBallots(recorder.write, recorder.announce)
        first = box.cast("L0", "a")
        await asyncio.sleep(0)  # the first vote's write is under way when the rest arrive
        rest = [box.cast(f"L{n}", "b") for n in range(1, 100)]
        results = await asyncio.gather(first, *rest)
        return recorder, results

    recorder, results = run(scenario)
    assert [len(batch) for batch in recorder.batches] == [1, 99]
    assert results == ["L0:a"] + [f"L{n}:b" for n in range(1, 100)]
    assert recorder.announced == 2


def test_a_refused_vote_does_not_spoil_the_others_and_a_batch_of_refusals_is_not_announced():
    async def scenario():
        recorder = Recorder()
        box = ClassBallots(recorder.write, recorder.announce)
        refused = await box.cast("L1", "bad")
        mixed = await asyncio.gather(box.cast("L2", "bad"), box.cast("L3", "a"))
        return recorder, refused, mixed

    recorder, refused, mixed = run(scenario)
    assert isinstance(refused, VoteRefused)
    assert isinstance(mixed[0], VoteRefused) and mixed[1] == "L3:a"
    assert recorder.announced == 1


def test_a_failed_write_reaches_every_voter_of_its_batch_and_the_next_batch_is_still_written():
    async def scenario():
        recorder = Recorder(fail_first=OSError("database unreachable"))
        box = ClassBallots(recorder.write, recorder.announce)
        first = [box.cast("L1", "a"), box.cast("L2", "a")]
        await asyncio.sleep(0)
        later = box.cast("L3", "a")
        outcomes = await asyncio.gather(*first, later, return_exceptions=True)
        return outcomes

    first, second, later = run(scenario)
    assert isinstance(first, OSError) and isinstance(second, OSError)
    assert later == "L3:a"


def test_a_voter_who_stops_waiting_does_not_stop_the_others():
    async def scenario():
        recorder = Recorder()
        box = ClassBallots(recorder.write, recorder.announce)
        leaving = asyncio.ensure_future(box.cast("L1", "a"))
        staying = box.cast("L2", "a")
        await asyncio.sleep(0)
        leaving.cancel()
        return await staying

    assert run(scenario) == "L2:a"


@pytest.mark.parametrize("votes", [1, 7])
def test_nothing_is_left_waiting_after_a_burst(votes):
    async def scenario():
        recorder = Recorder()
        box = ClassBallots(recorder.write, recorder.announce)
        await asyncio.gather(*(box.cast(f"L{n}", "a") for n in range(votes)))
        await box.writer
        return box

    box = run(scenario)
    assert box.waiting == [] and box.writer.done()


def test_the_box_is_forgotten_once_its_burst_is_written():
    """The process keeps no box (nor the announce of the consumer that made it) between bursts."""
    forgotten = []

    async def scenario():
        recorder = Recorder()
        box = ClassBallots(recorder.write, recorder.announce, idle=lambda: forgotten.append(True))
        await asyncio.gather(box.cast("L1", "a"), box.cast("L2", "a"))
        await box.writer

    run(scenario)
    assert forgotten == [True]
