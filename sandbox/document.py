"""The sandbox's scenario document: pure helpers, no Django.

The draft a learner edits is the engine's scenario document itself (docs/engine.md), stored as
typed, valid or not: the engine's validator says what is wrong and where, and the editor shows
it at the field. This module keeps that document in the one shape the forms edit (each
IpPermission with one peer, AWS's response wrappers removed), applies the editor's structural
actions (add, remove, reorder, "reply to packet k", "wait before entry k"), enforces the sandbox's size caps and gives
a valid scenario its content id for sharing.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import ipaddress
import json
import math
from dataclasses import dataclass
from typing import Any

from sgviz.engine.errors import ScenarioError, parse_json, storage_faults

# Caps of the sandbox (issue 9), checked before anything is stored: beyond them a learner gets
# a message and the stored draft stays as it was. AWS's own rule quotas are the engine's.
MAX_DOCUMENT_BYTES = 256 * 1024
MAX_TIMELINE_ENTRIES = 200
MAX_GROUPS = 20
MAX_INSTANCES = 20
# 60 IPv4 and 60 IPv6 rules per direction is AWS's default quota; the engine reports a group
# over it at the group, this cap only stops a document far beyond it from being stored.
MAX_RULES_PER_DIRECTION = 120
MAX_NACL_ENTRIES = 80
# One subnet per instance, each with its own network ACL: more add nothing a scenario can show,
# and without a cap the 256 KB alone let a document hold ~82,000 empty ACL entries, an editor of
# ~660,000 fields that no page could show nor post.
MAX_SUBNETS = 20
MAX_NETWORK_ACLS = 20
# A prefix list is one row of two fields (its CIDRs in one); 20 are more than any rule set a
# lesson needs, and the cap bounds the editor's fields (editor.most_fields_posted).
MAX_PREFIX_LISTS = 20

DIRECTIONS = {"in": "IpPermissions", "out": "IpPermissionsEgress"}
PEER_LISTS = ("IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs")
# How long to wait, by default, between one timeline entry and the next one added (seconds).
DEFAULT_WAIT = 1

BLANK = {"security_groups": [], "instances": [], "timeline": []}


def blank() -> dict:
    return copy.deepcopy(BLANK)


# ---------------------------------------------------------------- the editable shape


def normalize(doc: Any) -> Any:
    """The document in the shape the forms edit, saying the same to the engine: AWS's
    ``{"SecurityGroups": [...]}`` and ``{"NetworkAcls": [...]}`` wrappers removed and every
    IpPermission split into one per peer (one form row per rule, as
    describe-security-group-rules has it). Anything not of the expected shape is left alone
    for the engine to report."""
    if not isinstance(doc, dict):
        return doc
    doc = copy.deepcopy(doc)
    for key, wrapper in (("security_groups", "SecurityGroups"), ("network_acls", "NetworkAcls")):
        value = doc.get(key)
        if isinstance(value, dict) and set(value) == {wrapper}:
            doc[key] = value[wrapper]
    for group in doc.get("security_groups") if isinstance(doc.get("security_groups"), list) else []:
        if isinstance(group, dict):
            for key in DIRECTIONS.values():
                if isinstance(group.get(key), list):
                    group[key] = [one for permission in group[key] for one in split_permission(permission)]
    return doc


def split_permission(permission: Any) -> list:
    """One IpPermission per peer; a permission with no peer or of an odd shape stays whole."""
    if not isinstance(permission, dict) or not all(isinstance(permission.get(key, []), list) for key in PEER_LISTS):
        return [permission]
    peers = [(key, peer) for key in PEER_LISTS for peer in permission.get(key, [])]
    if len(peers) <= 1:
        return [permission]
    base = {key: value for key, value in permission.items() if key not in PEER_LISTS}
    return [{**base, key: [peer]} for key, peer in peers]


def items(doc: Any, key: str) -> list:
    """doc[key] when it is a list (the forms can show it), else []."""
    value = doc.get(key) if isinstance(doc, dict) else None
    return value if isinstance(value, list) else []


def keyed(doc: Any, key: str) -> dict:
    """doc[key] when it is an object (prefix_lists: id -> CIDRs), else {}."""
    value = doc.get(key) if isinstance(doc, dict) else None
    return value if isinstance(value, dict) else {}


# ---------------------------------------------------------------- caps


def cap_problems(doc: Any, size: int) -> list[str]:
    """Why this document may not be stored (empty when it may). ``size`` is its size in bytes
    as sent."""
    problems = []
    if size > MAX_DOCUMENT_BYTES:
        problems.append(f"The scenario is {size // 1024} KB; the sandbox keeps at most {MAX_DOCUMENT_BYTES // 1024} KB. Remove some entries.")
    for key, cap, what in (
        ("timeline", MAX_TIMELINE_ENTRIES, "timeline entries"),
        ("security_groups", MAX_GROUPS, "security groups"),
        ("instances", MAX_INSTANCES, "instances"),
        ("subnets", MAX_SUBNETS, "subnets"),
        ("network_acls", MAX_NETWORK_ACLS, "network ACLs"),
    ):
        if len(items(doc, key)) > cap:
            problems.append(f"{len(items(doc, key))} {what}: the sandbox allows at most {cap}.")
    if len(keyed(doc, "prefix_lists")) > MAX_PREFIX_LISTS:
        problems.append(f"{len(doc['prefix_lists'])} prefix lists: the sandbox allows at most {MAX_PREFIX_LISTS}.")
    for group in items(doc, "security_groups"):
        for key, word in (("IpPermissions", "inbound"), ("IpPermissionsEgress", "outbound")):
            if isinstance(group, dict) and len(items(group, key)) > MAX_RULES_PER_DIRECTION:
                problems.append(f"{group.get('GroupId')!s}: {len(group[key])} {word} rules; the sandbox allows at most {MAX_RULES_PER_DIRECTION}.")
    for acl in items(doc, "network_acls"):
        if isinstance(acl, dict) and len(items(acl, "Entries")) > MAX_NACL_ENTRIES:
            problems.append(f"{acl.get('NetworkAclId')!s}: {len(acl['Entries'])} entries; the sandbox allows at most {MAX_NACL_ENTRIES}.")
    return problems


def encoded_size(doc: Any) -> int:
    return len(json.dumps(doc, separators=(",", ":")).encode())


def storage_problems(value: Any) -> list[str]:
    """Why ``value`` (a document, or a text kept as typed) cannot be stored at all: the
    engine's storage check (NaN, Infinity, a lone surrogate, NUL, a number beyond 64 bits,
    nesting deeper than a scenario's), each fault naming its place and the fix."""
    return [str(fault) if fault.path else f"The text {fault.message}" for fault in storage_faults(value)]


# ---------------------------------------------------------------- the JSON box


@dataclass(frozen=True)
class JsonText:
    """What the JSON box's text holds: a document to store, or why not. ``not_yet``: the text
    is not a document yet (it is kept as typed, the draft unchanged); ``unstorable``: it holds
    values no draft can keep (refused: nothing is stored)."""

    document: Any = None
    not_yet: str = ""
    unstorable: tuple[str, ...] = ()


def read_json(text: str) -> JsonText:
    """The JSON box's text, read as the engine reads a scenario file (a number of thousands of
    digits is a value the storage check names, not a syntax error). Not a document yet: not
    JSON (a line and column), nested too deeply to read, or JSON's null, which no draft holds.
    Checked for storage before anything else walks it: a value nested thousands deep is
    refused before it is copied."""
    try:
        value = parse_json(text)
    except ScenarioError as error:
        return JsonText(not_yet=f"This is not JSON yet: {error.faults[0].message}. Your text is kept as typed.")
    if value is None:
        return JsonText(not_yet=('This is JSON\'s null, not a scenario: a scenario is an object, {"security_groups": [...], '
                                 '"instances": [...], "timeline": [...]}. Your text is kept as typed.'))
    unstorable = storage_problems(value)
    if unstorable:
        return JsonText(unstorable=tuple(unstorable))
    return JsonText(document=normalize(value))


def counted(number: int, one: str, many: str) -> str:
    """"1 rule", "2 rules", "no rules": a count with its noun, for the page's sentences."""
    return f"1 {one}" if number == 1 else f"{number or 'no'} {many}"


# ---------------------------------------------------------------- sharing


def canonical_json(doc: dict) -> str:
    """One text for one document: sorted keys, no spaces (the engine's dump gives the rest)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_id(doc: dict) -> str:
    """A short id derived from the canonical document: identical scenarios share one link,
    and 100 bits cannot be enumerated."""
    digest = hashlib.sha256(canonical_json(doc).encode()).digest()
    return base64.b32encode(digest).decode().lower()[:20]


# ---------------------------------------------------------------- structural actions


class ActionError(ValueError):
    """An action that names something the document does not have (a stale page), or that is
    given a value it cannot use. ``field``: the form field (outside the rows) at fault, e.g.
    "wait", whose message the page shows beside it; empty for the action as a whole."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def apply_action(doc: dict, action: str, wait: Any = DEFAULT_WAIT) -> dict:
    """The document after one editor action ("add_rule:0:in", "reply:3", "move_up:2", ...).
    ``wait`` is the pause in seconds before an entry added to the timeline. Raises
    ActionError when the action is unknown or names a row that is not there."""
    name, _, rest = action.partition(":")
    handler = ACTIONS.get(name)
    if handler is None:
        raise ActionError(f"unknown action {action!r}")
    args = rest.split(":") if rest else []
    doc = copy.deepcopy(doc)
    try:
        handler(doc, *args, wait=wait)
    except ActionError:
        raise
    except (TypeError, IndexError, KeyError, ValueError):
        raise ActionError(f"{action!r} names something this scenario does not have; reload the page") from None
    return doc


def _index(value: str, sequence: list) -> int:
    index = int(value)
    if not 0 <= index < len(sequence):
        raise IndexError(index)
    return index


def _section(doc: dict, key: str) -> list:
    """doc[key] as a list, created when absent; a section of another type cannot be edited."""
    value = doc.setdefault(key, [])
    if not isinstance(value, list):
        raise TypeError(key)
    return value


def _unused(prefix: str, taken: set) -> str:
    number = 1
    while f"{prefix}{number}" in taken:
        number += 1
    return f"{prefix}{number}"


def _add_group(doc, *, wait):
    groups = _section(doc, "security_groups")
    group_id = _unused("sg-", {g.get("GroupId") for g in groups if isinstance(g, dict)})
    groups.append({"GroupId": group_id, "GroupName": f"group {group_id[3:]}", "IpPermissions": [], "IpPermissionsEgress": []})


def _remove_from(key):
    def remove(doc, index, *, wait):
        section = _section(doc, key)
        del section[_index(index, section)]

    return remove


def _add_rule(doc, group, direction, *, wait):
    groups = _section(doc, "security_groups")
    rules = _section(groups[_index(group, groups)], DIRECTIONS[direction])
    rules.append({"IpProtocol": "tcp"})


def _remove_rule(doc, group, direction, rule, *, wait):
    groups = _section(doc, "security_groups")
    rules = _section(groups[_index(group, groups)], DIRECTIONS[direction])
    del rules[_index(rule, rules)]


# Where a scenario's first instance goes: a private address past the few AWS keeps in a subnet.
FIRST_PRIVATE_IP = ipaddress.IPv4Address("10.0.1.10")


def _addresses(instances: list) -> list[ipaddress.IPv4Address]:
    """The instances' private IPv4 addresses, in their order, those typed as one."""
    found = []
    for instance in instances:
        try:
            found.append(ipaddress.IPv4Address(instance.get("private_ip") if isinstance(instance, dict) else None))
        except ValueError:
            continue
    return found


def free_private_ip(instances: list) -> str:
    """An address for a new instance that no instance has: the next free one after the last
    instance's in its /24 (then from .4, the first AWS does not keep, up to it), or, when that
    /24 is full or no instance has an address yet, FIRST_PRIVATE_IP upward. A new row so starts
    as a working instance, beside the others, instead of as an empty field in error."""
    addresses = _addresses(instances)
    taken = set(addresses)
    candidates = []
    if addresses:
        last = int(addresses[-1])
        block = ipaddress.IPv4Network(f"{addresses[-1]}/24", strict=False)
        first, broadcast = int(block.network_address) + 4, int(block.broadcast_address)
        candidates = [ipaddress.IPv4Address(n) for n in (*range(max(last + 1, first), broadcast), *range(first, last))]
    # One more than the addresses taken: one of them is free.
    fallback = [FIRST_PRIVATE_IP + n for n in range(len(taken) + 1)]
    return str(next(address for address in (*candidates, *fallback) if address not in taken))


def _add_instance(doc, *, wait):
    instances = _section(doc, "instances")
    name = _unused("instance ", {i.get("name") for i in instances if isinstance(i, dict)})
    groups = [g["GroupId"] for g in items(doc, "security_groups")[:1] if isinstance(g, dict) and "GroupId" in g]
    instances.append({"name": name, "private_ip": free_private_ip(instances), "security_groups": groups})


def _add_subnet(doc, *, wait):
    subnets = _section(doc, "subnets")
    subnets.append({"id": _unused("subnet-", {s.get("id") for s in subnets if isinstance(s, dict)}), "cidr": ""})


def _add_acl(doc, *, wait):
    acls = _section(doc, "network_acls")
    acl_id = _unused("acl-", {a.get("NetworkAclId") for a in acls if isinstance(a, dict)})
    acls.append({"NetworkAclId": acl_id, "Associations": [], "Entries": []})


def _add_acl_entry(doc, acl, *, wait):
    acls = _section(doc, "network_acls")
    entries = _section(acls[_index(acl, acls)], "Entries")
    numbers = {e.get("RuleNumber") for e in entries if isinstance(e, dict)}
    number = next(n for n in range(100, 40000, 100) if n not in numbers)
    entries.append({"RuleNumber": number, "Protocol": "-1", "RuleAction": "allow", "Egress": False, "CidrBlock": "0.0.0.0/0"})


def _remove_acl_entry(doc, acl, entry, *, wait):
    acls = _section(doc, "network_acls")
    entries = _section(acls[_index(acl, acls)], "Entries")
    del entries[_index(entry, entries)]


def next_time(timeline: list, wait: Any) -> float | int:
    """When an entry added after a wait of ``wait`` seconds happens: the first at 0."""
    times = [e["at"] for e in timeline if isinstance(e, dict) and _is_number(e.get("at"))]
    pause = _pause(wait)  # checked even for the first entry: the field's value is refused the same way
    if not timeline:
        return 0
    return _later(max(times, default=0), pause)


def _pause(wait: Any) -> float | int:
    """The pause before an added entry: ``wait`` seconds (0: at the same time as the entry
    before, as time order allows), DEFAULT_WAIT when the field is left empty; anything else is
    refused at the wait field, so no entry lands at a time the learner did not ask for."""
    if _is_empty(wait):
        return DEFAULT_WAIT
    if not (_is_number(wait) and 0 <= wait < math.inf):
        raise ActionError(
            f"the wait “{wait}” is not a number of seconds (0 or more): write how long after the entry before the new one comes, "
            f"e.g. 5, or leave it empty for {DEFAULT_WAIT}",
            field="wait",
        )
    return wait


def _is_empty(wait: Any) -> bool:
    """The wait field left empty (editor.typed keeps text that is no number as typed)."""
    return isinstance(wait, str) and not wait.strip()


def _later(time: float | int, pause: float | int) -> float | int:
    """``time`` + ``pause`` without binary fractions' noise (0.1 + 0.2 shown as 0.30000000000000004):
    times are typed with at most 6 decimals (editor.typed)."""
    total = time + pause
    return total if isinstance(total, int) else round(total, 6)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _append_entry(doc, body: dict, wait):
    timeline = _section(doc, "timeline")
    timeline.append({"at": next_time(timeline, wait), **body})


def _shift(entries: list, pause: float | int) -> None:
    """Move entries later by ``pause``: their spacing is kept, so their order in time is too
    (an ``at`` that is not a number, the engine's to report, stays as typed)."""
    for entry in entries:
        if isinstance(entry, dict) and _is_number(entry.get("at")):
            entry["at"] = _later(entry["at"], pause)


def _insert_after(doc, index: int, body: dict, wait) -> None:
    """Insert an entry right after entry ``index``, ``wait`` seconds after it (as next_time
    would append it after that entry); the entries after it move later by the same wait, so
    the timeline stays in time order, which the engine requires."""
    timeline = _section(doc, "timeline")
    at = next_time(timeline[: index + 1], wait)
    _shift(timeline[index + 1 :], _pause(wait))
    timeline.insert(index + 1, {"at": at, **body})


# A new packet's defaults: a client from a documentation address (TEST-NET-2, as the lessons'
# clients) on an ephemeral port opens a TCP connection to a web server's port.
OUTSIDE_CLIENT = "198.51.100.10"
CLIENT_PORT = 50000
SERVER_PORT = 80


def new_packet(doc: dict) -> dict:
    """A new packet that can run as it is: with two instances or more, from the one before the
    last to the last (the last added is most often the server of the one before); with one,
    from a client outside to it; with none, its addresses left for the learner to write. It goes
    to the port the server's first inbound TCP rule lets in (else 80) and, from outside, from the
    one address that rule names, if it names one: the packet a learner who just wrote "SSH from
    my address" means to send. The client's port is one no packet of the timeline comes from
    yet, so it opens a new connection."""
    addresses = [str(address) for address in _addresses(items(doc, "instances"))][-2:]
    if not addresses:
        return {"src": "", "dst": "", "protocol": "tcp", "flags": "SYN"}
    client, server = ([OUTSIDE_CLIENT] + addresses)[-2:]
    server_port, only_client = _first_tcp_rule_into(doc, server) or (SERVER_PORT, None)
    if client == OUTSIDE_CLIENT and only_client:
        client = only_client
    used = {str(e["packet"].get("src")) for e in items(doc, "timeline") if isinstance(e, dict) and isinstance(e.get("packet"), dict)}
    port = next(port for port in range(CLIENT_PORT, CLIENT_PORT + len(used) + 1) if f"{client}:{port}" not in used)
    return {"src": f"{client}:{port}", "dst": f"{server}:{server_port}", "protocol": "tcp", "flags": "SYN"}


def _first_tcp_rule_into(doc: Any, server: str) -> tuple[int, str | None] | None:
    """(its lowest port, the one IPv4 address it lets in or None) of the first inbound TCP rule
    of the groups of the instance whose private IP is ``server``; None without one."""
    instance = next((i for i in items(doc, "instances") if isinstance(i, dict) and i.get("private_ip") == server), None)
    names = instance.get("security_groups") if instance else None
    groups = {group.get("GroupId"): group for group in items(doc, "security_groups") if isinstance(group, dict) and isinstance(group.get("GroupId"), str)}
    for name in names if isinstance(names, list) else []:
        group = groups.get(name) if isinstance(name, str) else None
        for rule in items(group, "IpPermissions"):
            port = rule.get("FromPort") if isinstance(rule, dict) else None
            if str(rule.get("IpProtocol") if isinstance(rule, dict) else "").lower() in ("tcp", "6") and type(port) is int and 0 <= port <= 65535:
                return port, _one_address(rule)
    return None


def _one_address(rule: dict) -> str | None:
    """The address a rule's first /32 IPv4 range names, if it has one."""
    for allowed in items(rule, "IpRanges"):
        cidr = allowed.get("CidrIp") if isinstance(allowed, dict) else None
        if isinstance(cidr, str) and cidr.endswith("/32"):
            try:
                return str(ipaddress.IPv4Address(cidr.removesuffix("/32")))
            except ValueError:
                continue
    return None


def _add_packet(doc, *, wait):
    _append_entry(doc, {"packet": new_packet(doc)}, wait)


# A reply's ICMP type: echo reply for echo request (ICMP 8 -> 0, ICMPv6 128 -> 129).
ECHO_REPLIES = {("icmp", 8): 0, ("icmpv6", 128): 129}


def reply_to(packet: dict) -> dict:
    """The reply to a packet: the endpoints reversed, the same protocol; a TCP SYN is answered
    by SYN,ACK and anything else by ACK, an echo request by an echo reply."""
    reply = {"src": packet.get("dst", ""), "dst": packet.get("src", ""), "protocol": packet.get("protocol", "tcp")}
    protocol = str(reply["protocol"]).lower()
    if protocol in ("tcp", "6"):
        flags = packet.get("flags", "")
        names = {f.strip().upper() for f in (flags.split(",") if isinstance(flags, str) else flags if isinstance(flags, list) else []) if isinstance(f, str)}
        reply["flags"] = "SYN,ACK" if names == {"SYN"} else "ACK"
    if "icmp_type" in packet:
        reply["icmp_type"] = ECHO_REPLIES.get((protocol, packet["icmp_type"]), packet["icmp_type"])
        for key in ("icmp_code", "icmp_id"):
            if key in packet:
                reply[key] = packet[key]
    return reply


def _reply(doc, entry, *, wait):
    """The reply to packet ``entry``, right after it (a learner reads the exchange in order)."""
    timeline = _section(doc, "timeline")
    index = _index(entry, timeline)
    packet = timeline[index]["packet"]
    if not isinstance(packet, dict):
        raise TypeError("packet")
    _insert_after(doc, index, {"packet": reply_to(packet)}, wait)


def _wait_before(doc, entry, *, wait):
    """A pause of ``wait`` seconds before entry ``entry``: it and every later entry move later
    by the wait ("the connection idles 400 s, then the reply comes"). Only a positive number
    of seconds is a pause: anything else is refused at the wait field."""
    timeline = _section(doc, "timeline")
    index = _index(entry, timeline)
    if not (_is_number(wait) and 0 < wait < math.inf):
        said = "is empty" if _is_empty(wait) else f"“{wait}” is not a positive number of seconds"
        raise ActionError(f"the wait {said}: write how many seconds entry {index + 1} and those after it move later, e.g. 400", field="wait")
    _shift(timeline[index:], wait)


def _add_rule_change(doc, *, wait):
    groups = [g.get("GroupId", "") for g in items(doc, "security_groups") if isinstance(g, dict)]
    permission = {"IpProtocol": "tcp"}
    _append_entry(doc, {"change": {"group": groups[0] if groups else "", "direction": "ingress", "action": "authorize", "permission": permission}}, wait)


def _add_nacl_change(doc, *, wait):
    acls = [a.get("NetworkAclId", "") for a in items(doc, "network_acls") if isinstance(a, dict)]
    entry = {"RuleNumber": 50, "Protocol": "-1", "RuleAction": "deny", "Egress": False, "CidrBlock": "0.0.0.0/0"}
    _append_entry(doc, {"change": {"network_acl": acls[0] if acls else "", "action": "add", "entry": entry}}, wait)


def _prefix_lists(doc) -> dict:
    """doc["prefix_lists"], created when absent: an object, id -> CIDRs."""
    lists = doc.setdefault("prefix_lists", {})
    if not isinstance(lists, dict):
        raise TypeError("prefix_lists")
    return lists


def _add_prefix_list(doc, *, wait):
    lists = _prefix_lists(doc)
    lists[_unused("pl-", set(lists))] = []


def _remove_prefix_list(doc, index, *, wait):
    """Remove the prefix list at position ``index`` of the object's key order (its row)."""
    ids = list(_prefix_lists(doc))
    del doc["prefix_lists"][ids[_index(index, ids)]]


def _move(step):
    """Swap an entry with its neighbour; the times stay where they were, so moving an entry
    never makes time run backwards."""

    def move(doc, entry, *, wait):
        timeline = _section(doc, "timeline")
        first = _index(entry, timeline)
        second = _index(str(first + step), timeline)
        a, b = timeline[first], timeline[second]
        if not (isinstance(a, dict) and isinstance(b, dict)):
            raise TypeError("entry")
        a_at, b_at = a.get("at"), b.get("at")
        timeline[first], timeline[second] = {**b, "at": a_at}, {**a, "at": b_at}

    return move


ACTIONS = {
    "add_group": _add_group,
    "remove_group": _remove_from("security_groups"),
    "add_rule": _add_rule,
    "remove_rule": _remove_rule,
    "add_instance": _add_instance,
    "remove_instance": _remove_from("instances"),
    "add_subnet": _add_subnet,
    "remove_subnet": _remove_from("subnets"),
    "add_acl": _add_acl,
    "remove_acl": _remove_from("network_acls"),
    "add_acl_entry": _add_acl_entry,
    "remove_acl_entry": _remove_acl_entry,
    "add_packet": _add_packet,
    "reply": _reply,
    "add_rule_change": _add_rule_change,
    "add_nacl_change": _add_nacl_change,
    "move_up": _move(-1),
    "move_down": _move(1),
    "remove_entry": _remove_from("timeline"),
    "wait_before": _wait_before,
    "add_prefix_list": _add_prefix_list,
    "remove_prefix_list": _remove_prefix_list,
}
