"""What the process keeps of the scenarios it has played and analysed (player.walkthrough's
checked cache): each content's validation, engine run, walkthrough and sandbox analysis. They
are thousands of small objects for a big scenario, and every full garbage collection scans
every one the process keeps while each socket of the process waits, so the cache is bounded by
the objects its contents keep (``Checked.objects``, estimated from a content's size), not by
their count, and forgets the least recently used first."""

import copy
import gc
import json
from pathlib import Path

import pytest

from benchmarks._scenarios import big_scenario
from conftest import SEED_SCENARIO
from player import walkthrough
from sandbox.analysis import analysis
from sandbox.document import MAX_INSTANCES
from tests.support.strategies import MIXED_SCENARIO

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").rglob("*.json"))
ALL_TRAFFIC = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


def tracked_objects():
    """The objects the collector tracks now, garbage collected first."""
    gc.collect()
    return len(gc.get_objects())


def play_everything(document):
    """All the site makes of a content: the sandbox's analysis and, for a valid one, the
    walkthrough with every frame read, as a learner stepping through all of it reads it."""
    if not analysis(document)["valid"]:
        return
    steps = walkthrough.for_document(document)
    for number in range(steps.total + 1):
        frame = steps.frame(number)
        frame.rules, frame.connections, frame.tracker, frame.badges, frame.lane_paths


def renamed(document, name):
    """The same scenario as another content: its first instance labelled ``name``."""
    document = copy.deepcopy(document)
    document["labels"] = {**document.get("labels", {}), document["instances"][0]["private_ip"]: name}
    return document


def untracked_flows(document):
    """Its last group allowing all traffic both ways from anywhere: every flow is untracked,
    and the connection table says why at every packet."""
    document["security_groups"][-1] = {"GroupId": "sg-all", "IpPermissions": [ALL_TRAFFIC], "IpPermissionsEgress": [ALL_TRAFFIC]}
    document["instances"][0]["security_groups"][-1] = "sg-all"
    return document


def changing_rules(document):
    """Every other entry a rule change (the first group's first rule revoked, then authorized
    again, and so on): the rules panel keeps the lists as each change leaves them."""
    permission = document["security_groups"][0]["IpPermissions"][0]
    for index in range(0, len(document["timeline"]), 2):
        action = "revoke" if index % 4 == 0 else "authorize"
        document["timeline"][index] = {"at": index, "change": {"group": "sg-0", "direction": "ingress", "action": action, "permission": permission}}
    return document


def a_bad_packet(document):
    document["timeline"][0]["packet"]["protocol"] = "carrier-pigeon"
    return document


def every_packet_wrong(document):
    """A fault at every field of every packet."""
    for entry in document["timeline"]:
        entry["packet"] = {"src": "nowhere", "dst": "10.0.0.999:99999", "protocol": "carrier-pigeon", "flags": "PANIC"}
    return document


def many_instances(document):
    """The groups on the sandbox's most instances, each packet from one to the next: it meets two."""
    groups = document["instances"][0]["security_groups"]
    document["instances"] = [{"name": f"server {n}", "private_ip": f"10.0.0.{10 + n}", "security_groups": groups} for n in range(MAX_INSTANCES)]
    for index, entry in enumerate(document["timeline"]):
        port = entry["packet"]["dst" if index % 2 == 0 else "src"].split(":")[1]
        source, target = 10 + index % MAX_INSTANCES, 10 + (index + 1) % MAX_INSTANCES
        entry["packet"] = {"src": f"10.0.0.{source}:{40000 + index}", "dst": f"10.0.0.{target}:{port}", "protocol": "tcp", "flags": "SYN"}
    return document


VALID = {
    **{path.stem: json.loads(path.read_text()) for path in EXAMPLES},
    "mixed": json.loads(MIXED_SCENARIO.read_text()),
    "big": big_scenario(0),
    "big, untracked": untracked_flows(big_scenario(0)),
    "big, changing rules": changing_rules(big_scenario(0)),
    "big, many instances": many_instances(big_scenario(0)),
}
INVALID = {
    "big, a bad packet": a_bad_packet(big_scenario(0)),
    "big, every packet wrong": every_packet_wrong(big_scenario(0)),
}


@pytest.mark.parametrize("name", [*VALID, *INVALID])
def test_a_content_keeps_no_more_objects_than_the_checked_cache_counts_for_it(name):
    document = VALID.get(name) or INVALID[name]
    assert (walkthrough.checked(document).validation.scenario is not None) == (name in VALID)
    # The first use of a code path fills module-level caches (compiled patterns, ...) that
    # stay whatever is cached: a content of the same shape uses them first.
    play_everything(renamed(document, "first of its shape"))
    walkthrough._checked.clear()
    before = tracked_objects()
    play_everything(document)
    assert tracked_objects() - before <= walkthrough.checked(document).objects


def lesson(variant):
    """The seed lesson's scenario as a content of its own: a small lesson."""
    return renamed(SEED_SCENARIO, f"web server {variant}")


@pytest.mark.parametrize("played", [[lesson], [big_scenario], [big_scenario, lesson]], ids=["lessons", "drafts", "both"])
def test_the_checked_cache_keeps_no_more_objects_than_its_bound(played):
    """However many contents are played and analysed: small lessons, big sandbox drafts, or both."""
    smallest = min(walkthrough.checked(content("size")).objects for content in played)
    for content in played:  # see above
        play_everything(content("warm-up"))
    walkthrough._checked.clear()
    before = tracked_objects()
    for variant in range(walkthrough.CHECKED_CACHE_OBJECTS // smallest + 5):
        play_everything(played[variant % len(played)](variant))
    assert walkthrough._checked.objects <= walkthrough.CHECKED_CACHE_OBJECTS
    assert tracked_objects() - before <= walkthrough.CHECKED_CACHE_OBJECTS
    # type(), not isinstance(): asking a lazy object (a request's CSP nonce) its class would evaluate it
    assert sum(type(thing) is walkthrough.Run for thing in gc.get_objects()) <= walkthrough.CHECKED_CACHE_OBJECTS // smallest


def test_the_lesson_a_class_plays_stays_cached_while_big_drafts_come_and_go():
    walkthrough._checked.clear()
    lesson = walkthrough.checked(SEED_SCENARIO)
    first_draft = walkthrough.checked(big_scenario("first"))
    for variant in range(walkthrough.CHECKED_CACHE_OBJECTS // first_draft.objects + 2):
        play_everything(big_scenario(variant))
        play_everything(SEED_SCENARIO)
        assert walkthrough.checked(SEED_SCENARIO) is lesson
    assert walkthrough.checked(big_scenario("first")) is not first_draft  # forgotten, made again


def test_a_forgotten_content_is_made_again_the_same():
    document = big_scenario("made again")
    steps = walkthrough.for_document(document)
    run = walkthrough.checked(document).run
    shown = [(frame.rules, frame.connections, frame.tracker, frame.caption) for frame in map(steps.frame, range(steps.total + 1))]
    results = analysis(document)["results"]
    walkthrough._checked.clear()
    again = walkthrough.for_document(document)
    assert again is not steps and walkthrough.checked(document).run is not run
    assert walkthrough.checked(document).run == run
    assert [(frame.rules, frame.connections, frame.tracker, frame.caption) for frame in map(again.frame, range(again.total + 1))] == shown
    assert analysis(document)["results"] == results
