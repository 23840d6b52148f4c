"""The rules panel, from the engine's results alone (no database)."""

import pytest
from hypothesis import given

from conftest import SEED_SCENARIO
from sgviz.engine import load_scenario, simulate
from sgviz.engine.model import NaclEntry, Rule
from sgviz.narration.rules import rules_panels
from sgviz.narration.timeline import packet_steps
from tests.engine import test_properties as engine_properties
from tests.engine.factories import IN, OUT, group, instance, nacl, nacl_entry, packet, revoke, scenario, subnet
from tests.support.seed_panels import CHECKED, HTTP_RULE, NO_OUTBOUND_RULES, NO_RULE_MATCHED, RULE_OUTCOMES, RULES_CHECKED
from tests.support.strategies import generated, mixed_scenario, timelines

def panels_of(lesson):
    return rules_panels(lesson, simulate(lesson).results)


@pytest.fixture(scope="module")
def seed():
    return panels_of(load_scenario(SEED_SCENARIO))


@pytest.fixture(scope="module")
def mixed():
    """Two instances, NACLs, a prefix list, rule and NACL changes mid-timeline."""
    return panels_of(mixed_scenario())


def decided(interface):
    return [line for g in interface.groups for rules in g.lists for line in rules.lines if "is-decided" in line.kinds]


def lines(interface, direction):
    return [line for g in interface.groups for line in g.lists[0 if direction == IN else 1].lines]


def test_before_the_first_packet_every_interface_is_shown_with_nothing_marked(seed):
    (web,) = seed[0].interfaces
    assert web.outcome is None and web.direction == ""
    assert [line.plain for line in lines(web, IN)] == [HTTP_RULE]
    assert all(not line.marks for line in lines(web, IN))


@pytest.mark.parametrize("number", sorted(RULE_OUTCOMES))
def test_each_seed_step_marks_what_decided(seed, number):
    kind, rule = RULE_OUTCOMES[number]
    (web,) = seed[number].interfaces
    assert web.outcome.kind == kind
    assert [line.plain for line in decided(web)] == ([rule] if rule else [])


def test_the_deciding_rule_reads_in_plain_words_and_in_aws_terms(seed):
    (line,) = decided(seed[1].interfaces[0])
    assert line.plain == HTTP_RULE
    assert [(t.name, t.value) for t in line.terms] == [("IpProtocol", "tcp"), ("FromPort", "80"), ("ToPort", "80"), ("CidrIpv4", "0.0.0.0/0")]
    assert line.description == "HTTP from anywhere"
    assert [(m.glyph, m.words) for m in line.marks] == [("▶", "decided: allowed this packet")]


def test_no_rule_matched_is_said_as_such(seed):
    outcome = seed[3].interfaces[0].outcome
    assert not outcome.allowed and outcome.glyph == "✗"
    assert outcome.words == f"{NO_RULE_MATCHED}: no inbound rule allows tcp port 22 from IP A (198.51.100.10)"


def test_a_group_without_outbound_rules_says_so(seed):
    web = seed[4].interfaces[0]
    outbound = web.groups[0].lists[1]
    assert outbound.lines == () and outbound.empty == NO_OUTBOUND_RULES and outbound.checked
    assert web.outcome.words == NO_OUTBOUND_RULES


@pytest.mark.parametrize("number", sorted(RULES_CHECKED))
def test_only_rules_the_packet_was_judged_against_are_marked_checked(seed, number):
    web = seed[number].interfaces[0]
    met, other = web.groups[0].lists if web.direction == "inbound" else web.groups[0].lists[::-1]
    assert (met.checked, met.unchecked or CHECKED) == (RULES_CHECKED[number] == CHECKED, RULES_CHECKED[number])
    assert not other.checked and other.unchecked == ""  # the packet never met that direction


def test_a_reply_by_state_checks_no_rule(seed):
    web = seed[2].interfaces[0]
    assert web.outcome.allowed and web.direction == "outbound"
    assert "tracked connection" in web.outcome.words


def test_a_scenario_without_network_acls_shows_none(seed):
    assert all(interface.nacl is None for panel in seed for interface in panel.interfaces)


def test_a_packet_between_two_instances_shows_both_with_the_deciding_side_marked(mixed):
    web, db = mixed[2].interfaces
    assert (web.instance, web.direction, db.instance, db.direction) == ("web", "outbound", "db", "inbound")
    assert [m.words for line in lines(web, OUT) for m in line.marks] == ["matched: let it through here"]
    assert [line.plain for line in decided(db)] == ["Lets in TCP to port 5432 from instances in sg-web (web)"]
    assert [(t.name, t.value) for t in decided(db)[0].terms][-1] == ("ReferencedGroupInfo.GroupId", "sg-web")


def test_network_acl_entries_show_lowest_number_first_with_the_entry_that_matched(mixed):
    db = mixed[2].interfaces[1]
    assert (db.nacl.acl_id, db.nacl.subnet_id) == ("acl-db", "subnet-db")
    inbound = db.nacl.lists[0]
    assert inbound.checked
    assert [line.plain for line in inbound.lines] == [
        "Rule 100 allows TCP to port 5432 in from any address in 10.0.1.0/24",
        "Rule * denies all traffic in from anywhere on IPv4 (0.0.0.0/0)",
    ]
    assert [m.kind for m in inbound.lines[0].marks] == ["matched"]
    web = mixed[2].interfaces[0]
    assert web.nacl.acl_id == "the default network ACL"  # subnet-web has no ACL of its own: AWS's default


def test_a_rule_authorized_before_a_packet_is_marked_added_at_that_step_only(mixed):
    added = [line for line in lines(mixed[3].interfaces[0], IN) if line.marks and line.marks[-1].kind == "added"]
    assert [(line.plain, line.marks[-1].words) for line in added] == [
        ("Lets in TCP to port 22 from the addresses of prefix list pl-office", "added before this packet")
    ]
    assert all(not line.marks for line in lines(mixed[4].interfaces[0], IN) if "port 22" in line.plain)


def test_a_rule_revoked_after_the_last_packet_is_struck_through_at_the_last_step(mixed):
    (gone,) = [line for line in lines(mixed[4].interfaces[0], IN) if line.removed]
    assert gone.plain == "Lets in TCP to port 80 from anywhere on IPv4 (0.0.0.0/0)"
    assert [(m.glyph, m.words) for m in gone.marks] == [("−", "removed after this packet")]
    assert len(mixed[4].changes) == 2  # the NACL entry removed and the rule revoked, told as well


WEB_GROUP = "sg-web"
HTTP_IN = ("tcp", 80, "0.0.0.0/0")


def test_a_rule_revoked_before_a_packet_is_struck_through_then_gone():
    lesson = scenario(
        [group(WEB_GROUP, ingress=[HTTP_IN, ("tcp", 22, "203.0.113.0/24")])],
        [instance("web", "10.0.1.10", WEB_GROUP)],
        [
            (0, packet("198.51.100.10:50000", "10.0.1.10:80")),
            (1, revoke(WEB_GROUP, IN, *HTTP_IN)),
            (2, packet("198.51.100.10:50001", "10.0.1.10:80")),
            (3, packet("198.51.100.10:50002", "10.0.1.10:80")),
        ],
    )
    panels = panels_of(lesson)
    struck = [line for line in lines(panels[2].interfaces[0], IN) if line.removed]
    assert [(line.plain, [m.words for m in line.marks]) for line in struck] == [
        ("Lets in TCP to port 80 from anywhere on IPv4 (0.0.0.0/0)", ["removed before this packet"])
    ]
    assert panels[2].interfaces[0].outcome.kind == "no-match"  # revoked before it was judged
    assert [line.plain for line in lines(panels[3].interfaces[0], IN)] == ["Lets in TCP to port 22 from any address in 203.0.113.0/24"]


def test_a_network_acl_deny_decides_before_the_rules():
    lesson = scenario(
        [group(WEB_GROUP, ingress=[HTTP_IN])],
        [instance("web", "10.0.1.10", WEB_GROUP, subnet="subnet-web")],
        [(0, packet("198.51.100.10:50000", "10.0.1.10:80"))],
        subnets=(subnet("subnet-web", "10.0.1.0/24"),),
        network_acls=(nacl("acl-web", nacl_entry(50, "deny", "tcp", (80, 80), "198.51.100.0/24"), nacl_entry(100, "allow"), subnets=("subnet-web",)),),
    )
    web = panels_of(lesson)[1].interfaces[0]
    assert web.outcome.kind == "nacl" and not web.outcome.allowed
    (denied,) = [line for line in web.nacl.lists[0].lines if line.marks]
    assert denied.plain == "Rule 50 denies TCP to port 80 in from any address in 198.51.100.0/24"
    assert [(m.glyph, m.words) for m in denied.marks] == [("✗", "decided: denied this packet")]
    assert decided(web) == []  # the security group's rules were never reached
    inbound = web.groups[0].lists[0]
    assert not inbound.checked and inbound.unchecked == "not reached: the network ACL denied it first"
    assert web.nacl.lists[0].checked


# -- properties over generated scenarios ----------------------------------------------------


@engine_properties.PROPERTY_SETTINGS
@given(engine_properties.worlds(), timelines())
def test_the_deciding_rule_is_the_one_line_marked_decided(world, items):
    lesson = generated(world, items)
    run = simulate(lesson)
    panels = rules_panels(lesson, run.results)
    # Deterministic, and lazy: a frame is the same whichever frames were made before it
    # (``[::-1]`` makes the last frame first).
    assert tuple(panels) == rules_panels(lesson, run.results)[::-1][::-1]
    steps = packet_steps(run.results)
    assert len(panels) == len(steps) + 1
    for step, panel in zip(steps, panels[1:]):
        result = step.result
        met = {(e.instance, e.direction.value) for e in result.steps}
        assert {(i.instance, "ingress" if i.direction == "inbound" else "egress") for i in panel.interfaces} == met
        marked = [
            line
            for interface in panel.interfaces
            for lists in [lists for g in interface.groups for lists in g.lists] + list(interface.nacl.lists if interface.nacl else [])
            for line in lists.lines
            if "is-decided" in line.kinds
        ]
        deciding = result.steps[result.deciding_step].matched
        if isinstance(deciding, (Rule, NaclEntry)):
            assert len({line.plain for line in marked}) == 1, "the rule that decided is marked"
            assert all(not line.removed for line in marked)
        else:
            assert marked == []
        deciding_interface = next(i for i in panel.interfaces if i.instance == result.steps[result.deciding_step].instance)
        assert deciding_interface.outcome.allowed == (result.verdict.value == "ALLOW")
        for interface in panel.interfaces:
            group_lists = [rules for g in interface.groups for rules in g.lists]
            if interface.outcome.kind == "state":
                assert not any(rules.checked for rules in group_lists), "a packet let through by state reads no rule"
