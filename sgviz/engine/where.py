"""Where a fault or notice is, in words a learner reads.

The engine names the value a finding is about by its path in the document
(``security_groups[1].IpPermissions[5].UserIdGroupPairs[0].GroupId``): exact, and what the
sandbox uses to put a fault at its field, but not something a learner can read. ``where``
says the same place as the page does, from the document the path is into: "group
sg-55510831 (default), inbound rule 6", "instance web, private IP", "timeline entry 3",
"network ACL acl-1, entry 2". It reads a scenario and AWS's describe-… output alike (a
paste's paths are into the pasted JSON). A path it cannot follow is given as it is.
"""

from __future__ import annotations

import re
from typing import Any

# The fields a learner fills in, by their key in the document.
_FIELDS = {
    "name": "name",
    "private_ip": "private IP",
    "ipv6": "IPv6 address",
    "subnet": "subnet",
    "security_groups": "security groups",
    "nitro": "Nitro",
    "connection_tracking": "connection tracking",
    "conntrack_capacity": "tracking table size",
    "id": "id",
    "cidr": "CIDR",
    "ipv6_cidr": "IPv6 CIDR",
    "at": "time",
    "src": "source",
    "dst": "destination",
    "protocol": "protocol",
    "flags": "flags",
    "icmp_type": "ICMP type",
    "icmp_code": "ICMP code",
    "icmp_id": "ICMP id",
    "via": "via",
    "GroupId": "id",
    "GroupName": "name",
    "IpProtocol": "protocol",
    "FromPort": "from port",
    "ToPort": "to port",
    "RuleNumber": "rule number",
    "Protocol": "protocol",
    "RuleAction": "action",
    "PortRange": "ports",
    "IcmpTypeCode": "ICMP type and code",
    "CidrBlock": "CIDR",
    "Ipv6CidrBlock": "IPv6 CIDR",
    "Egress": "direction",
}
# A whole section, when its value is not what the format asks for.
_SECTIONS = {
    "security_groups": "the security groups",
    "instances": "the instances",
    "timeline": "the timeline",
    "network_acls": "the network ACLs",
    "subnets": "the subnets",
    "prefix_lists": "the prefix lists",
    "labels": "the labels",
    "parameters": "the parameters",
    "SecurityGroups": "the security groups",
    "SecurityGroupRules": "the security group rules",
    "NetworkAcls": "the network ACLs",
}
_RULE_LISTS = {"IpPermissions": "inbound rule", "IpPermissionsEgress": "outbound rule"}
_PEER_LISTS = ("IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs")
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _tokens(path: str) -> list[str | int]:
    return [int(index) if index else key for key, index in _TOKEN.findall(path)]


def _at(value: Any, key: str | int) -> Any:
    """The member ``key`` of ``value``, or None where the document has none."""
    if isinstance(key, int):
        return value[key] if isinstance(value, list) and 0 <= key < len(value) else None
    return value.get(key) if isinstance(value, dict) else None


def _named(kind: str, obj: Any, index: int, id_key: str, name_key: str | None = None) -> str:
    """``group sg-1 (web)``, ``instance web``; by its number when it has no id yet."""
    ident = _at(obj, id_key)
    if not isinstance(ident, str) or not ident.strip():
        return f"{kind} {index + 1}"
    name = _at(obj, name_key) if name_key else None
    return f"{kind} {ident} ({name})" if isinstance(name, str) and name.strip() and name != ident else f"{kind} {ident}"


def _count(value: Any) -> int:
    """How many peers a peer list holds: 0 for what is not a list (the engine faults it)."""
    return len(value) if isinstance(value, list) else 0


def _field(rest: list) -> list[str]:
    """The field a path ends at, when the learner knows it by a name."""
    return [_FIELDS[rest[0]]] if rest and rest[0] in _FIELDS else []


def _group(group: Any, index: int, rest: list) -> list[str]:
    words = [_named("group", group, index, "GroupId", "GroupName")]
    if len(rest) >= 2 and rest[0] in _RULE_LISTS and isinstance(rest[1], int):
        words.append(f"{_RULE_LISTS[rest[0]]} {rest[1] + 1}")
        permission, inner = _at(_at(group, rest[0]), rest[1]), rest[2:]
        peers = sum(_count(_at(permission, key)) for key in _PEER_LISTS)
        if len(inner) >= 2 and inner[0] in _PEER_LISTS and isinstance(inner[1], int) and peers > 1:
            # One AWS permission may hold several peers: which one, counted across its lists.
            before = sum(_count(_at(permission, key)) for key in _PEER_LISTS[: _PEER_LISTS.index(inner[0])])
            words.append(f"{'source' if rest[0] == 'IpPermissions' else 'destination'} {before + inner[1] + 1}")
        elif inner and inner[0] not in _PEER_LISTS:
            words += _field(inner)
    else:
        words += _field(rest)
    return words


def _acl(acl: Any, index: int, rest: list) -> list[str]:
    words = [_named("network ACL", acl, index, "NetworkAclId")]
    if len(rest) >= 2 and rest[0] == "Entries" and isinstance(rest[1], int):
        return words + [f"entry {rest[1] + 1}"] + _field(rest[2:])
    if len(rest) >= 2 and rest[0] == "Associations" and isinstance(rest[1], int):
        return words + [f"associated subnet {rest[1] + 1}"]
    return words + _field(rest)


def _listed(tokens: list, doc: Any, key: str) -> tuple[Any, int, list] | None:
    """(item, its index, the rest of the path) for ``key[i]…``, ``key.AwsKey[i]…`` (a whole
    describe output as the value) or, in a paste, ``AwsKey[i]…``."""
    aws = {"security_groups": "SecurityGroups", "network_acls": "NetworkAcls"}[key]
    for prefix in ([key], [key, aws], [aws]):
        depth = len(prefix)
        if tokens[:depth] == prefix and len(tokens) > depth and isinstance(tokens[depth], int):
            container = doc
            for part in prefix:
                container = _at(container, part)
            return _at(container, tokens[depth]), tokens[depth], tokens[depth + 1 :]
    return None


def _unwrapped(tokens: list, doc: Any) -> tuple[list, Any]:
    """A pasted bare list read as the response object AWS prints around it, told by its first
    item's keys as the paste's reader tells it."""
    first = _at(doc, 0)
    if not (tokens and isinstance(tokens[0], int) and isinstance(first, dict)):
        return tokens, doc
    if "SecurityGroupRuleId" in first or "IsEgress" in first:
        key = "SecurityGroupRules"
    elif "NetworkAclId" in first:
        key = "NetworkAcls"
    else:
        key = "SecurityGroups"
    return [key, *tokens], {key: doc}


def _words(path: str, doc: Any) -> list[str] | None:
    tokens, doc = _unwrapped(_tokens(path), doc)
    for key, describe in (("security_groups", _group), ("network_acls", _acl)):
        found = _listed(tokens, doc, key)
        if found is not None:
            return describe(*found)
    head, index, rest = (tokens + [None, None])[:2] + [tokens[2:]]
    if path in _SECTIONS:
        return [_SECTIONS[path]]
    if head == "SecurityGroupRules" and isinstance(index, int):
        rule = _at(_at(doc, head), index)
        words = _named("rule", rule, index, "SecurityGroupRuleId")
        group = _at(rule, "GroupId")
        return [f"{words} of group {group}" if isinstance(group, str) and group else words]
    if head == "instances" and isinstance(index, int):
        return [_named("instance", _at(_at(doc, head), index), index, "name")] + _field(rest)
    if head == "subnets" and isinstance(index, int):
        return [_named("subnet", _at(_at(doc, head), index), index, "id")] + _field(rest)
    if head == "timeline" and isinstance(index, int):
        inner = rest[1:] if rest[:1] in (["packet"], ["change"]) else rest
        return [f"timeline entry {index + 1}"] + _field(inner)
    if head == "prefix_lists" and path.startswith("prefix_lists."):
        return _prefix_list(path[len("prefix_lists.") :], _at(doc, head))
    if head in ("labels", "parameters") and path.startswith(f"{head}."):
        key, word = path[len(head) + 1 :], head[:-1]
        return [f"{word} {key}" if key else f"the {word} with an empty {'address' if head == 'labels' else 'name'}"]
    return None


def _prefix_list(rest: str, lists: Any) -> list[str]:
    """A prefix list's id may hold dots and brackets, so it is found among the document's ids."""
    for list_id in sorted(lists if isinstance(lists, dict) else (), key=len, reverse=True):
        if rest == list_id:
            return [f"prefix list {list_id}"]
        found = re.fullmatch(r"\[(\d+)\]", rest[len(list_id) :]) if rest.startswith(list_id) else None
        if found:
            return [f"prefix list {list_id}", f"CIDR {int(found.group(1)) + 1}"]
    return [f"prefix list {rest}"]


def where(path: str, doc: Any) -> str:
    """The place ``path`` names in ``doc``, in words; the path itself when it cannot be followed."""
    words = _words(path, doc) if path else None
    return ", ".join(words) if words else path


def said(path: str, message: str, doc: Any) -> str:
    """A finding as a learner reads it: "group sg-1 (web), inbound rule 2: …"."""
    return f"{where(path, doc)}: {message}" if path else message
