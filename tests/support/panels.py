"""Reading the rules panel, the connection table and the execution sample from server-rendered
HTML (a page or a websocket message), as a reader sees them."""

import re

from .html import text

OOB = ' hx-swap-oob="true"'


def region(html, region_id):
    """The <section> with this id, as it would sit in the page (no out-of-band attribute)."""
    found = re.search(rf'<section id="{region_id}".*?</section>', html, re.S)
    return found.group(0).replace(OOB, "", 1) if found else None


def outcome(html):
    """(kind, text) of each interface's outcome in the rules panel."""
    return [(kind, text(words)) for kind, words in re.findall(r'<p class="rules-outcome[^"]*" data-outcome="([a-z-]+)">(.*?)</p>', html, re.S)]


def decided_rules(html):
    return [text(item) for item in re.findall(r'<li class="rule is-decided">(.*?)</li>', html, re.S)]


def _field(card, name):
    return text(re.search(rf'<dd data-field="{name}">(.*?)</dd>', card, re.S).group(1))


def connection_cards(html):
    """Each connection card as (marker, mark kind or None, state, idle timeout left)."""
    return [
        (f"#{number}", kind.strip().removeprefix("is-") or None, _field(card, "state"), _field(card, "timeout-left"))
        for kind, number, card in re.findall(r'<li class="connection( is-[a-z]+)?" data-connection="(\d+)">(.*?)</li>', html, re.S)
    ]


def connection_ends(html):
    return [(_field(card, "initiator"), _field(card, "responder")) for card in re.findall(r'<li class="connection[^"]*"[^>]*>(.*?)</li>', html, re.S)]


def sample_lines_now(html):
    """The order numbers of the execution sample's lines marked "now"."""
    return [int(order) for order in re.findall(r'<li data-order="(\d+)" data-step="\d+" class="is-now" aria-current="step">', html)]
