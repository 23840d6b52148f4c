""""Explain my groups": each group of a scenario document in plain words, which flows AWS
would leave untracked, and which rules are risky. Pure, no Django.

Each group is judged on its own rules (an export says nothing of which groups share an
interface). Untracked follows the engine's test (docs/engine.md, "Untracked replies"), per
address family: a TCP or UDP rule open to every address (0.0.0.0/0 or ::/0) opens untracked
flows when the other direction lets every address of that family use every port of the
protocol back (protocol -1, or the protocol with ports 0-65535); otherwise its flows are
tracked. A rule for all traffic (-1) leaves only its TCP and UDP flows untracked: ICMP, and
every other protocol, is always tracked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .document import DIRECTIONS, items
from .editor import peer_of

EVERYTHING = {"0.0.0.0/0": 4, "::/0": 6}
PROTOCOL_WORDS = {"-1": "all traffic", "tcp": "TCP", "udp": "UDP", "icmp": "ICMP", "icmpv6": "ICMPv6", "6": "TCP", "17": "UDP", "1": "ICMP", "58": "ICMPv6"}
RISKY_PORTS = {22: "SSH", 3389: "RDP"}
TRACKED_PROTOCOLS = {"tcp", "udp", "6", "17", "-1"}


@dataclass
class GroupExplanation:
    group_id: str
    name: str
    rules: list[str] = field(default_factory=list)
    untracked: list[str] = field(default_factory=list)
    tracked: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)


def _protocol(permission: dict) -> str:
    return str(permission.get("IpProtocol", "")).strip().lower()


def _ports(permission: dict) -> tuple[int, int] | None:
    low, high = permission.get("FromPort"), permission.get("ToPort")
    return (low, high) if isinstance(low, int) and isinstance(high, int) else None


def rule_words(permission: dict, inbound: bool) -> str:
    """"Inbound TCP port 22 from 203.0.113.7/32 — “SSH from the admin”" (its description quoted)."""
    protocol = _protocol(permission)
    words = PROTOCOL_WORDS.get(protocol, f"protocol {protocol}")
    ports = _ports(permission)
    if protocol in ("icmp", "icmpv6", "1", "58"):
        if ports and ports[0] != -1:
            words += f" type {ports[0]}" + (f" code {ports[1]}" if ports[1] != -1 else "")
        else:
            words += " (every type)"
    elif ports and protocol != "-1":
        words += f" port {ports[0]}" if ports[0] == ports[1] else " on every port" if ports == (0, 65535) else f" ports {ports[0]}-{ports[1]}"
    peer, detail = peer_of(permission)
    where = "anywhere (every IPv4 address)" if peer == "0.0.0.0/0" else "anywhere (every IPv6 address)" if peer == "::/0" else f"members of {peer}" if peer.startswith("sg-") else peer
    text = f"{'Inbound' if inbound else 'Outbound'} {words} {'from' if inbound else 'to'} {where}"
    return text + (f" — “{detail['Description']}”" if isinstance(detail.get("Description"), str) else "")


def _returns_everything(permissions: list, version: int, protocol: str) -> bool:
    for permission in permissions:
        if not isinstance(permission, dict) or EVERYTHING.get(peer_of(permission)[0]) != version:
            continue
        other = _protocol(permission)
        if other == "-1" or (PROTOCOL_WORDS.get(other) == PROTOCOL_WORDS.get(protocol) and _ports(permission) == (0, 65535)):
            return True
    return False


def _risks(permission: dict, inbound: bool, known: set[str]) -> list[str]:
    peer = peer_of(permission)[0]
    found = []
    if peer.startswith("sg-") and peer not in known:
        found.append(f"{rule_words(permission, inbound)}: {peer} is not in this export, so nothing here says who its members are (another VPC or account?)")
    if not inbound or peer not in EVERYTHING:
        return found
    protocol, ports = _protocol(permission), _ports(permission)
    if protocol == "-1":
        found.append(f"{rule_words(permission, inbound)}: all traffic from anywhere reaches every port of every instance in the group")
    elif protocol in ("tcp", "6") and ports:
        for port, service in RISKY_PORTS.items():
            if ports[0] <= port <= ports[1]:
                found.append(f"{rule_words(permission, inbound)}: {service} (port {port}) is open to the whole internet; allow it only from known addresses")
    return found


def explain_groups(doc: dict) -> list[GroupExplanation]:
    groups = [g for g in items(doc, "security_groups") if isinstance(g, dict)]
    known = {g.get("GroupId") for g in groups if isinstance(g.get("GroupId"), str)}  # of any type as typed in the JSON box
    explained = []
    for group in groups:
        explanation = GroupExplanation(str(group.get("GroupId", "")), str(group.get("GroupName", "")))
        for short, key in DIRECTIONS.items():
            inbound = short == "in"
            other = items(group, DIRECTIONS["out" if inbound else "in"])
            for permission in items(group, key):
                if not isinstance(permission, dict):
                    continue
                words = rule_words(permission, inbound)
                explanation.rules.append(words)
                explanation.risks.extend(_risks(permission, inbound, known))
                version = EVERYTHING.get(peer_of(permission)[0])
                if version is None or _protocol(permission) not in TRACKED_PROTOCOLS:
                    continue
                back = "outbound" if inbound else "inbound"
                if _returns_everything(other, version, _protocol(permission)):
                    if _protocol(permission) == "-1":
                        # Only TCP and UDP flows can be untracked (spec §2: "ICMP is always tracked").
                        explanation.untracked.append(f"{words}: TCP and UDP untracked, because the group also allows all {back} IPv{version} traffic back")
                        explanation.tracked.append(f"{words}: ICMP and every other protocol tracked, because AWS always tracks ICMP and only TCP and UDP flows go untracked")
                    else:
                        explanation.untracked.append(f"{words}: untracked, because the group also allows all {back} IPv{version} traffic back")
                else:
                    towards = "to" if inbound else "from"
                    explanation.tracked.append(
                        f"{words}: tracked. AWS would leave it untracked only if an {back} rule allowed every port {towards} every IPv{version} address, and none does"
                    )
        explained.append(explanation)
    return explained
