"""The rules and connection-table partials print their panels (no database): the words a
learner reads at each seed step, and the marks that pair a glyph with words."""

import re

import pytest
from django.template.loader import render_to_string

from conftest import SEED_SCENARIO
from sgviz.engine import load_scenario, simulate
from sgviz.narration.connections import connections_panels
from sgviz.narration.rules import rules_panels
from tests.support.html import text
from tests.support.panels import OOB, connection_cards, connection_ends, decided_rules, outcome
from tests.support.seed_panels import CHECKED, CONNECTION_ENDS, CONNECTION_ROWS, HTTP_RULE, NO_OUTBOUND_RULES, NO_RULE_MATCHED, RULES_CHECKED
from tests.support.strategies import mixed_scenario


@pytest.fixture(scope="module")
def seed():
    lesson = load_scenario(SEED_SCENARIO)
    run = simulate(lesson)
    return rules_panels(lesson, run.results), connections_panels(lesson, run)


def rules_html(seed, number, oob=False):
    return render_to_string("player/partials/rules_panel.html", {"rules": seed[0][number], "oob": oob})


def connections_html(seed, number, oob=False):
    return render_to_string("player/partials/connections_panel.html", {"connections": seed[1][number], "oob": oob})


def test_step_1_marks_the_inbound_http_rule_with_a_glyph_and_words(seed):
    (rule,) = decided_rules(rules_html(seed, 1))
    assert rule.startswith("▶ decided: allowed this packet " + HTTP_RULE)
    assert "IpProtocol tcp FromPort 80 ToPort 80 CidrIpv4 0.0.0.0/0" in rule


def test_step_3_says_no_rule_matched(seed):
    html = rules_html(seed, 3)
    assert decided_rules(html) == []
    ((kind, words),) = outcome(html)
    assert kind == "no-match" and words.startswith(f"✗ {NO_RULE_MATCHED}:")


def test_step_4_says_there_are_no_outbound_rules(seed):
    html = rules_html(seed, 4)
    assert outcome(html) == [("no-rules", f"✗ {NO_OUTBOUND_RULES}")]
    assert f'<p class="rule-list__empty">{NO_OUTBOUND_RULES}</p>' in html
    assert text(html).count("checked for this packet") == 1  # the outbound list only


def test_step_2_says_why_the_outbound_rules_were_not_checked(seed):
    page = text(rules_html(seed, 2))
    assert CHECKED not in page  # the reply passed by connection state
    assert RULES_CHECKED[2] in page


def test_only_a_websocket_frame_swaps_the_panels_out_of_band(seed):
    for html, oob_html in [(rules_html(seed, 2), rules_html(seed, 2, oob=True)), (connections_html(seed, 2), connections_html(seed, 2, oob=True))]:
        assert OOB not in html
        assert oob_html.count(OOB) == 1 and oob_html.replace(OOB, "") == html


@pytest.mark.parametrize("number", sorted(CONNECTION_ROWS))
def test_the_connection_table_at_each_seed_step(seed, number):
    html = connections_html(seed, number)
    assert connection_cards(html) == CONNECTION_ROWS[number]
    assert connection_ends(html) == [CONNECTION_ENDS] * len(CONNECTION_ROWS[number])
    if not CONNECTION_ROWS[number]:
        assert "No tracked connections" in text(html)


def test_the_used_row_says_it_let_the_reply_through(seed):
    assert "▶ found: let this reply through" in text(connections_html(seed, 2))
    assert "+ recorded at this step" in text(connections_html(seed, 1))


def test_a_revoked_rule_is_struck_through_with_words_and_an_untracked_flow_says_why():
    lesson = mixed_scenario()
    run = simulate(lesson)
    rules, connections = rules_panels(lesson, run.results), connections_panels(lesson, run)
    html = render_to_string("player/partials/rules_panel.html", {"rules": rules[4]})
    (struck,) = re.findall(r'<li class="rule is-removed">(.*?)</li>', html, re.S)
    assert "− removed after this packet" in text(struck)
    assert "<del><span class=\"rule__plain\">Lets in TCP to port 80 from anywhere on IPv4 (0.0.0.0/0)</span>" in struck
    assert "Network ACL the default network ACL" in text(html)  # NACL entries appear when the scenario has NACLs
    untracked = render_to_string("player/partials/connections_panel.html", {"connections": connections[1]})
    assert "⊘ Not recorded: untracked flow. The inbound rule “tcp port 80 from 0.0.0.0/0”" in text(untracked)
