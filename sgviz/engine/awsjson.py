"""AWS JSON in and out: the shapes of describe-security-groups, describe-security-group-rules
and describe-network-acls.

Readers accept real AWS output as it comes (the whole response object or just its list, extra
keys such as ``Tags`` ignored, CIDRs canonicalised as AWS does) and report every fault with its
path. Writers produce the same shapes, so import -> export -> import gives back equal model
objects. ``read_*`` functions collect into a shared ``Findings`` (the scenario loader uses them);
``import_*`` functions stand alone and raise ``ScenarioError``.
"""

from __future__ import annotations

import re
from typing import Any

from .addresses import Cidr, parse_cidr
from .errors import MISSING, Findings, Notice, ScenarioError, blank, describe, join, parse_json, storage_faults
from .model import (
    ALL_PROTOCOLS,
    ICMP,
    ICMPV6,
    PROTOCOL_NAMES,
    TCP,
    UDP,
    Direction,
    GroupRef,
    NaclAction,
    NaclEntry,
    NetworkAcl,
    Peer,
    PrefixListRef,
    Rule,
    SecurityGroup,
)
from .params import Parameters

PORTED = (TCP, UDP)
ICMPS = (ICMP, ICMPV6)
PROTOCOLS_ALLOWED = "tcp, udp, icmp, icmpv6, -1 (all) or an IANA protocol number 0-255"
# What to write in place of an empty id (Findings.as_string's ``what``).
GROUP_ID = "a security group id, e.g. sg-web"
SUBNET_ID = "a subnet id, e.g. subnet-web"
ACL_ID = "a network ACL id, e.g. acl-web"
# The "*" entries every network ACL ends with: rule numbers AWS shows for IPv4 and IPv6.
STAR_RULE_NUMBERS = {4: 32767, 6: 32768}
HIGHEST_RULE_NUMBER = 32766


# ---------------------------------------------------------------- protocol, ports, peers


def read_protocol(value: Any, path: str, findings: Findings) -> int | None:
    """"tcp", "6", 6 -> 6; "-1" -> -1. Names are AWS's; numbers are IANA's."""
    if value is MISSING:
        return None
    number = value
    if isinstance(value, str):
        text = value.strip().lower()
        named = {name: number for number, name in PROTOCOL_NAMES.items()}
        if text in named:
            return named[text]
        if not text:
            findings.fault(path, f"{blank(value)}; write a protocol: {PROTOCOLS_ALLOWED}")
            return None
        number = int(text) if re.fullmatch(r"-?[0-9]{1,20}", text) else None
    if isinstance(number, int) and not isinstance(number, bool):
        if number == ALL_PROTOCOLS or 0 <= number <= 255:
            return number
        findings.fault(path, f"{number} is outside 0-255 (IANA protocol numbers; -1 means all protocols)")
        return None
    what = repr(value) if isinstance(value, str) else describe(value)
    findings.fault(path, f"{what} is not a protocol; use {PROTOCOLS_ALLOWED}")
    return None


def protocol_name(protocol: int) -> str:
    """The name AWS prints in security group rules: tcp/udp/icmp/icmpv6/-1, else the number."""
    return PROTOCOL_NAMES.get(protocol, str(protocol))


def read_port_pair(
    protocol: int, first: Any, second: Any, paths: tuple[str, str], findings: Findings, *, absent_means_all: bool
) -> tuple[int | None, int | None]:
    """Ports for tcp/udp, ICMP type/code for icmp/icmpv6, None for protocols without ports.

    ``first``/``second`` are the raw values (missing keys as None); ``absent_means_all`` is
    AWS's rule that an icmpv6 security group rule without ports allows every type and code.
    """
    if protocol in PORTED:
        kind = protocol_name(protocol)
        low = findings.as_int(first, paths[0], 0, 65535, "ports") if first is not None else _missing(findings, paths[0], kind, "a port (0-65535)")
        high = findings.as_int(second, paths[1], 0, 65535, "ports") if second is not None else _missing(findings, paths[1], kind, "a port (0-65535)")
        if low is not None and high is not None and low > high:
            findings.fault(paths[0], f"the range starts at {low} but ends at {high}; a port range runs from low to high")
            return None, None
        return low, high
    if protocol in ICMPS:
        if first is None and second is None and absent_means_all:
            return -1, -1
        kind = protocol_name(protocol)
        icmp_type = findings.as_int(first, paths[0], -1, 255, f"{kind} type, -1 for all") if first is not None else _missing(findings, paths[0], kind, "a type (0-255, -1 for all)")
        icmp_code = findings.as_int(second, paths[1], -1, 255, f"{kind} code, -1 for all") if second is not None else _missing(findings, paths[1], kind, "a code (0-255, -1 for all)")
        if icmp_type == -1 and icmp_code not in (-1, None):
            findings.fault(paths[1], f"type -1 (all {kind} types) needs code -1 (all codes), not {icmp_code}")
            return None, None
        return icmp_type, icmp_code
    return None, None  # AWS ignores ports for -1 and for other protocols


def _missing(findings: Findings, path: str, protocol: str, what: str) -> None:
    """A port, ICMP type or code a rule of this protocol lacks: "a tcp rule needs a port (0-65535) here"."""
    findings.fault(path, f"{'an' if protocol.startswith('icmp') else 'a'} {protocol} rule needs {what} here")


def read_cidr(value: Any, path: str, version: int | None, findings: Findings) -> Cidr | None:
    if value is MISSING:
        return None
    try:
        return parse_cidr(value, version)
    except ValueError as error:
        findings.fault(path, str(error))
        return None


def peer_kind(peer: Peer) -> int:
    """The order describe-security-groups lists peers in: IpRanges, Ipv6Ranges, PrefixListIds, pairs."""
    if isinstance(peer, Cidr):
        return 0 if peer.version == 4 else 1
    return 2 if isinstance(peer, PrefixListRef) else 3


def _optional_string(obj: dict, key: str, path: str, findings: Findings) -> str | None:
    value = obj.get(key)
    return None if value is None else findings.as_string(value, join(path, key), empty_ok=True)


def _group_ref(obj: dict, path: str, findings: Findings) -> GroupRef | None:
    group_id = findings.as_string(findings.required(obj, "GroupId", path), join(path, "GroupId"), what=GROUP_ID)
    if group_id is None:
        return None
    findings.references.append((join(path, "GroupId"), group_id))
    return GroupRef(
        group_id,
        user_id=_optional_string(obj, "UserId", path, findings),
        vpc_id=_optional_string(obj, "VpcId", path, findings),
        vpc_peering_connection_id=_optional_string(obj, "VpcPeeringConnectionId", path, findings),
    )


def _prefix_list_ref(value: Any, path: str, findings: Findings) -> PrefixListRef | None:
    text = findings.as_string(value, path)
    if text is None:
        return None
    if not text.startswith("pl-"):
        findings.fault(path, f"{text!r} is not a prefix list id (they look like pl-0123abcd)")
        return None
    findings.references.append((path, text))
    return PrefixListRef(text)


# ---------------------------------------------------------------- describe-security-groups

# Each list of an IpPermission: its key, the key of the peer inside an item, and how to read it.
_PEER_LISTS = (
    ("IpRanges", "CidrIp", lambda v, p, f: read_cidr(v, p, 4, f)),
    ("Ipv6Ranges", "CidrIpv6", lambda v, p, f: read_cidr(v, p, 6, f)),
    ("PrefixListIds", "PrefixListId", _prefix_list_ref),
    ("UserIdGroupPairs", None, None),
)


def read_permission(perm: Any, path: str, group_id: str, direction: Direction, findings: Findings) -> list[Rule]:
    """One IpPermission -> one Rule per peer, in AWS's order (IPv4, IPv6, prefix lists, groups)."""
    perm = findings.as_object(perm, path)
    if perm is None:
        return []
    protocol = read_protocol(findings.required(perm, "IpProtocol", path), join(path, "IpProtocol"), findings)
    if protocol is None:
        return []
    from_port, to_port = read_port_pair(
        protocol, perm.get("FromPort"), perm.get("ToPort"), (join(path, "FromPort"), join(path, "ToPort")), findings,
        absent_means_all=protocol == ICMPV6,
    )
    rules = []
    for list_key, peer_key, read_peer in _PEER_LISTS:
        items = findings.as_list(perm.get(list_key, []), join(path, list_key)) or []
        for i, item in enumerate(items):
            item_path = join(join(path, list_key), i)
            item = findings.as_object(item, item_path)
            if item is None:
                continue
            if peer_key is None:
                peer = _group_ref(item, item_path, findings)
            else:
                peer = read_peer(findings.required(item, peer_key, item_path), join(item_path, peer_key), findings)
            description = _optional_string(item, "Description", item_path, findings)
            if peer is not None:
                rules.append(Rule(group_id, direction, protocol, from_port, to_port, peer, description))
    return rules


def read_security_group(group: Any, path: str, findings: Findings) -> SecurityGroup | None:
    group = findings.as_object(group, path)
    if group is None:
        return None
    group_id = findings.as_string(findings.required(group, "GroupId", path), join(path, "GroupId"), what=GROUP_ID)
    if group_id is None:
        return None
    lists = {}
    for key, direction in (("IpPermissions", Direction.INGRESS), ("IpPermissionsEgress", Direction.EGRESS)):
        perms = findings.as_list(group.get(key, []), join(path, key)) or []
        lists[direction] = tuple(
            rule for i, perm in enumerate(perms) for rule in read_permission(perm, join(join(path, key), i), group_id, direction, findings)
        )
    return SecurityGroup(
        group_id=group_id,
        name=_optional_string(group, "GroupName", path, findings) or "",
        description=_optional_string(group, "Description", path, findings) or "",
        vpc_id=_optional_string(group, "VpcId", path, findings),
        owner_id=_optional_string(group, "OwnerId", path, findings),
        ingress=lists[Direction.INGRESS],
        egress=lists[Direction.EGRESS],
    )


def _response_list(doc: Any, key: str, path: str, findings: Findings) -> tuple[list, str]:
    """A describe-* response object ({key: [...]}) or just its list -> (the list, its path)."""
    if isinstance(doc, dict) and key in doc:
        return findings.as_list(doc[key], join(path, key)) or [], join(path, key)
    if isinstance(doc, list):
        return doc, path
    if doc is not MISSING:
        findings.fault(path, f"expected the output of describe-* (an object with {key!r}) or its list, got {describe(doc)}")
    return [], path


def read_security_groups(
    doc: Any, path: str, findings: Findings, params: Parameters = Parameters(), prefix_lists: dict | None = None
) -> tuple[SecurityGroup, ...]:
    """describe-security-groups output (whole or its list) -> groups, checking ids and quotas."""
    items, list_path = _response_list(doc, "SecurityGroups", path, findings)
    groups = _unique(items, list_path, "GroupId", findings, lambda item, item_path: read_security_group(item, item_path, findings))
    for group, group_path in groups:
        check_rule_quota(group, group_path, findings, params, prefix_lists)
    return tuple(group for group, _ in groups)


def _unique(items: list, list_path: str, id_key: str, findings: Findings, read) -> list[tuple[Any, str]]:
    """Read each item with ``read(item, path)``; keep (object, path) pairs whose id is new and
    fault the repeats (AWS ids are unique)."""
    kept: list[tuple[Any, str]] = []
    first_seen: dict[str, str] = {}
    for i, item in enumerate(items):
        item_path = join(list_path, i)
        faults_before = len(findings.faults)
        thing = read(item, item_path)
        if thing is None:
            continue
        thing_id = item[id_key]
        if len(findings.faults) > faults_before:
            findings.suspect.add(thing_id)
        if thing_id in first_seen:
            findings.fault(join(item_path, id_key), f"{thing_id!r} is also {first_seen[thing_id]}; {id_key} values must be unique")
            continue
        first_seen[thing_id] = item_path
        kept.append((thing, item_path))
    return kept


def rule_count(rules: tuple[Rule, ...], version: int, prefix_lists: dict[str, tuple[Cidr, ...]] | None = None) -> int:
    """How many rules of one address family AWS counts against the per-group quota.

    A CIDR counts in its own family; a group reference counts once in each family; a prefix
    list counts as many rules as it has entries of that family (AWS counts its *maximum*
    entries, which a scenario does not state) and at least one.
    """
    count = 0
    for rule in rules:
        peer = rule.peer
        if isinstance(peer, Cidr):
            count += peer.version == version
        elif isinstance(peer, PrefixListRef):
            entries = (prefix_lists or {}).get(peer.prefix_list_id, ())
            count += max(1, sum(cidr.version == version for cidr in entries))
        else:
            count += 1
    return count


def check_rule_quota(
    group: SecurityGroup, path: str, findings: Findings, params: Parameters, prefix_lists: dict | None = None
) -> bool:
    """Fault (and False) when a group has more inbound/outbound rules than the quota allows."""
    within = True
    for rules, limit, word, key in (
        (group.ingress, params.inbound_rules_per_group, "inbound", "IpPermissions"),
        (group.egress, params.outbound_rules_per_group, "outbound", "IpPermissionsEgress"),
    ):
        for version in (4, 6):
            count = rule_count(rules, version, prefix_lists)
            if count > limit:
                within = False
                findings.fault(
                    join(path, key),
                    f"{count} IPv{version} {word} rules exceed the quota of {limit} {word} rules per group "
                    f"(IPv4 and IPv6 are counted separately)",
                )
    return within


def permissions_to_aws(rules: tuple[Rule, ...]) -> list[dict]:
    """Rules -> IpPermissions, merging neighbours with the same protocol and ports into one
    permission as AWS does, as long as that keeps the rules' order on the way back in."""
    permissions: list[dict] = []
    last_key: tuple | None = None
    last_kind = 0
    for rule in rules:
        key = (rule.protocol, rule.from_port, rule.to_port)
        kind = peer_kind(rule.peer)
        if key != last_key or kind < last_kind:
            permission: dict[str, Any] = {"IpProtocol": protocol_name(rule.protocol)}
            if rule.from_port is not None:
                permission["FromPort"] = rule.from_port
                permission["ToPort"] = rule.to_port
            permission.update(IpRanges=[], Ipv6Ranges=[], PrefixListIds=[], UserIdGroupPairs=[])
            permissions.append(permission)
        list_key, item = _peer_item(rule)
        permissions[-1][list_key].append(item)
        last_key, last_kind = key, kind
    return permissions


def _peer_item(rule: Rule) -> tuple[str, dict]:
    peer = rule.peer
    if isinstance(peer, Cidr):
        list_key, item = ("IpRanges", {"CidrIp": str(peer)}) if peer.version == 4 else ("Ipv6Ranges", {"CidrIpv6": str(peer)})
    elif isinstance(peer, PrefixListRef):
        list_key, item = "PrefixListIds", {"PrefixListId": peer.prefix_list_id}
    else:
        list_key, item = "UserIdGroupPairs", _group_ref_to_aws(peer)
    if rule.description is not None:
        item["Description"] = rule.description
    return list_key, item


def _group_ref_to_aws(ref: GroupRef) -> dict:
    fields = {"GroupId": ref.group_id, "UserId": ref.user_id, "VpcId": ref.vpc_id, "VpcPeeringConnectionId": ref.vpc_peering_connection_id}
    return {key: value for key, value in fields.items() if value is not None}


def security_group_to_aws(group: SecurityGroup) -> dict:
    out: dict[str, Any] = {"GroupId": group.group_id, "GroupName": group.name, "Description": group.description}
    if group.vpc_id is not None:
        out["VpcId"] = group.vpc_id
    if group.owner_id is not None:
        out["OwnerId"] = group.owner_id
    out["IpPermissions"] = permissions_to_aws(group.ingress)
    out["IpPermissionsEgress"] = permissions_to_aws(group.egress)
    return out


def security_groups_to_aws(groups: tuple[SecurityGroup, ...] | list[SecurityGroup]) -> dict:
    """Groups -> the describe-security-groups response object."""
    return {"SecurityGroups": [security_group_to_aws(group) for group in groups]}


# ---------------------------------------------------------------- describe-security-group-rules

_RULE_PEER_KEYS = ("CidrIpv4", "CidrIpv6", "PrefixListId", "ReferencedGroupInfo")


def read_security_group_rule(item: Any, path: str, findings: Findings) -> Rule | None:
    item = findings.as_object(item, path)
    if item is None:
        return None
    group_id = findings.as_string(findings.required(item, "GroupId", path), join(path, "GroupId"), what=GROUP_ID)
    is_egress = findings.as_bool(findings.required(item, "IsEgress", path), join(path, "IsEgress"))
    protocol = read_protocol(findings.required(item, "IpProtocol", path), join(path, "IpProtocol"), findings)
    ports = (None, None)
    if protocol is not None:
        ports = read_port_pair(
            protocol, item.get("FromPort"), item.get("ToPort"), (join(path, "FromPort"), join(path, "ToPort")), findings,
            absent_means_all=protocol == ICMPV6,
        )
    present = [key for key in _RULE_PEER_KEYS if key in item]
    if len(present) != 1:
        found = ", ".join(present) if present else "none"
        findings.fault(path, f"a rule needs exactly one of {', '.join(_RULE_PEER_KEYS)} (found: {found})")
        return None
    key = present[0]
    peer_path = join(path, key)
    peer: Peer | None
    if key == "CidrIpv4":
        peer = read_cidr(item[key], peer_path, 4, findings)
    elif key == "CidrIpv6":
        peer = read_cidr(item[key], peer_path, 6, findings)
    elif key == "PrefixListId":
        peer = _prefix_list_ref(item[key], peer_path, findings)
    else:
        info = findings.as_object(item[key], peer_path)
        peer = _group_ref(info, peer_path, findings) if info is not None else None
    description = _optional_string(item, "Description", path, findings)
    rule_id = _optional_string(item, "SecurityGroupRuleId", path, findings)
    if None in (group_id, is_egress, protocol, peer):
        return None
    direction = Direction.EGRESS if is_egress else Direction.INGRESS
    return Rule(group_id, direction, protocol, ports[0], ports[1], peer, description, rule_id)


def read_security_group_rules(doc: Any, path: str, findings: Findings) -> tuple[Rule, ...]:
    items, list_path = _response_list(doc, "SecurityGroupRules", path, findings)
    rules = (read_security_group_rule(item, join(list_path, i), findings) for i, item in enumerate(items))
    return tuple(rule for rule in rules if rule is not None)


def rule_to_aws(rule: Rule) -> dict:
    """One rule in the describe-security-group-rules shape (ports -1 where AWS ignores them)."""
    out: dict[str, Any] = {}
    if rule.rule_id is not None:
        out["SecurityGroupRuleId"] = rule.rule_id
    out.update(
        GroupId=rule.group_id,
        IsEgress=rule.direction is Direction.EGRESS,
        IpProtocol=protocol_name(rule.protocol),
        FromPort=-1 if rule.from_port is None else rule.from_port,
        ToPort=-1 if rule.to_port is None else rule.to_port,
    )
    peer = rule.peer
    if isinstance(peer, Cidr):
        out["CidrIpv4" if peer.version == 4 else "CidrIpv6"] = str(peer)
    elif isinstance(peer, PrefixListRef):
        out["PrefixListId"] = peer.prefix_list_id
    else:
        out["ReferencedGroupInfo"] = _group_ref_to_aws(peer)
    if rule.description is not None:
        out["Description"] = rule.description
    return out


def security_group_rules_to_aws(rules: tuple[Rule, ...] | list[Rule]) -> dict:
    """Rules -> the describe-security-group-rules response object."""
    return {"SecurityGroupRules": [rule_to_aws(rule) for rule in rules]}


def security_groups_from_rules(rules: tuple[Rule, ...]) -> tuple[SecurityGroup, ...]:
    """Group describe-security-group-rules output into groups (which it names only by id)."""
    order: dict[str, dict[Direction, list[Rule]]] = {}
    for rule in rules:
        order.setdefault(rule.group_id, {Direction.INGRESS: [], Direction.EGRESS: []})[rule.direction].append(rule)
    return tuple(
        SecurityGroup(group_id, ingress=tuple(lists[Direction.INGRESS]), egress=tuple(lists[Direction.EGRESS]))
        for group_id, lists in order.items()
    )


# ---------------------------------------------------------------- describe-network-acls


def read_nacl_entry(item: Any, path: str, findings: Findings, *, star_allowed: bool) -> NaclEntry | None:
    """One entry of a network ACL. ``star_allowed``: accept AWS's closing "*" entries (on import)."""
    item = findings.as_object(item, path)
    if item is None:
        return None
    number_path = join(path, "RuleNumber")
    raw_number = findings.required(item, "RuleNumber", path)
    star_number = star_allowed and type(raw_number) is int and raw_number in STAR_RULE_NUMBERS.values()
    number = raw_number if star_number else findings.as_int(raw_number, number_path, 1, HIGHEST_RULE_NUMBER, "rule numbers")
    protocol = read_protocol(findings.required(item, "Protocol", path), join(path, "Protocol"), findings)
    action_text = findings.as_string(findings.required(item, "RuleAction", path), join(path, "RuleAction"), what="allow or deny")
    action = None
    if action_text is not None:
        try:
            action = NaclAction(action_text.lower())
        except ValueError:
            findings.fault(join(path, "RuleAction"), f"{action_text!r} is not a rule action; use allow or deny")
    egress = findings.as_bool(findings.required(item, "Egress", path), join(path, "Egress"))
    cidr = _nacl_cidr(item, path, findings)
    # tcp/udp entries carry PortRange {From, To}; icmp/icmpv6 entries IcmpTypeCode {Type, Code}.
    pair = (None, None)
    pair_key, first, second = ("PortRange", "From", "To") if protocol in PORTED else ("IcmpTypeCode", "Type", "Code")
    if protocol in PORTED or protocol in ICMPS:
        pair_path = join(path, pair_key)
        values = findings.as_object(findings.required(item, pair_key, path), pair_path)
        if values is None:
            return None
        pair = read_port_pair(
            protocol, values.get(first), values.get(second), (join(pair_path, first), join(pair_path, second)), findings, absent_means_all=False
        )
        if None in pair:
            return None
    if None in (number, protocol, action, egress, cidr):
        return None
    port_from, port_to = pair if protocol in PORTED else (None, None)
    icmp_type, icmp_code = pair if protocol in ICMPS else (None, None)
    entry = NaclEntry(number, egress, protocol, action, cidr, port_from, port_to, icmp_type, icmp_code)
    if star_number and not is_star_entry(entry):
        findings.fault(
            number_path,
            f"{number} is reserved for AWS's closing '*' entry: deny, protocol -1, "
            f"{'0.0.0.0/0' if number == STAR_RULE_NUMBERS[4] else '::/0'}; your own rules use 1-{HIGHEST_RULE_NUMBER}",
        )
        return None
    return entry


def is_star_entry(entry: NaclEntry) -> bool:
    """AWS's last entry of each direction and family: deny everything, numbered 32767/32768."""
    return (
        entry.rule_number == STAR_RULE_NUMBERS[entry.cidr.version]
        and entry.action is NaclAction.DENY
        and entry.protocol == ALL_PROTOCOLS
        and entry.cidr.is_everything
    )


def _nacl_cidr(item: dict, path: str, findings: Findings) -> Cidr | None:
    present = [key for key in ("CidrBlock", "Ipv6CidrBlock") if key in item]
    if len(present) != 1:
        findings.fault(path, "an entry needs exactly one of CidrBlock (IPv4) or Ipv6CidrBlock (IPv6)")
        return None
    key = present[0]
    return read_cidr(item[key], join(path, key), 4 if key == "CidrBlock" else 6, findings)


def read_network_acl(acl: Any, path: str, findings: Findings, params: Parameters = Parameters()) -> NetworkAcl | None:
    acl = findings.as_object(acl, path)
    if acl is None:
        return None
    acl_id = findings.as_string(findings.required(acl, "NetworkAclId", path), join(path, "NetworkAclId"), what=ACL_ID)
    is_default = acl.get("IsDefault", False)
    is_default = findings.as_bool(is_default, join(path, "IsDefault")) or False
    subnet_ids = []
    associations = findings.as_list(acl.get("Associations", []), join(path, "Associations")) or []
    for i, association in enumerate(associations):
        association_path = join(join(path, "Associations"), i)
        association = findings.as_object(association, association_path)
        if association is not None:
            subnet_id = findings.as_string(findings.required(association, "SubnetId", association_path), join(association_path, "SubnetId"), what=SUBNET_ID)
            if subnet_id is not None:
                subnet_ids.append(subnet_id)
    entries: list[NaclEntry] = []
    entries_path = join(path, "Entries")
    used: dict[tuple[bool, int], int] = {}
    for i, item in enumerate(findings.as_list(acl.get("Entries", []), entries_path) or []):
        entry = read_nacl_entry(item, join(entries_path, i), findings, star_allowed=True)
        if entry is None:
            continue
        slot = (entry.egress, entry.rule_number)
        if slot in used:
            findings.fault(
                join(join(entries_path, i), "RuleNumber"),
                f"rule number {entry.rule_number} is also used by {join(entries_path, used[slot])} in the same direction; "
                "each direction's rule numbers must be unique",
            )
            continue
        used[slot] = i
        entries.append(entry)
    if acl_id is None:
        return None
    network_acl = NetworkAcl(
        acl_id,
        vpc_id=_optional_string(acl, "VpcId", path, findings),
        is_default=is_default,
        subnet_ids=tuple(subnet_ids),
        entries=tuple(entries),
        owner_id=_optional_string(acl, "OwnerId", path, findings),
    )
    check_nacl_quota(network_acl, entries_path, findings, params)
    return network_acl


def check_nacl_quota(acl: NetworkAcl, path: str, findings: Findings, params: Parameters) -> bool:
    """Fault (and False) when a direction holds more entries of one family than the quota allows."""
    within = True
    for egress in (False, True):
        for version in (4, 6):
            count = sum(
                1 for entry in acl.entries if entry.egress == egress and entry.cidr.version == version and not is_star_entry(entry)
            )
            if count > params.nacl_rules_per_direction:
                within = False
                word = "outbound" if egress else "inbound"
                findings.fault(
                    path,
                    f"{count} IPv{version} {word} entries exceed the quota of {params.nacl_rules_per_direction} "
                    f"rules per direction per network ACL (IPv4 and IPv6 counted separately, '*' entries not counted)",
                )
    return within


def read_network_acls(doc: Any, path: str, findings: Findings, params: Parameters = Parameters()) -> tuple[NetworkAcl, ...]:
    """describe-network-acls output (whole or its list) -> network ACLs with unique ids."""
    items, list_path = _response_list(doc, "NetworkAcls", path, findings)
    acls = _unique(items, list_path, "NetworkAclId", findings, lambda item, item_path: read_network_acl(item, item_path, findings, params))
    return tuple(acl for acl, _ in acls)


def nacl_entry_to_aws(entry: NaclEntry) -> dict:
    """One entry in the describe-network-acls shape (protocol as a number string, as AWS prints it)."""
    out: dict[str, Any] = {
        "RuleNumber": entry.rule_number,
        "Protocol": str(entry.protocol),
        "RuleAction": entry.action.value,
        "Egress": entry.egress,
        "CidrBlock" if entry.cidr.version == 4 else "Ipv6CidrBlock": str(entry.cidr),
    }
    if entry.port_from is not None:
        out["PortRange"] = {"From": entry.port_from, "To": entry.port_to}
    if entry.icmp_type is not None:
        out["IcmpTypeCode"] = {"Type": entry.icmp_type, "Code": entry.icmp_code}
    return out


def network_acl_to_aws(acl: NetworkAcl) -> dict:
    out: dict[str, Any] = {"NetworkAclId": acl.acl_id}
    if acl.vpc_id is not None:
        out["VpcId"] = acl.vpc_id
    if acl.owner_id is not None:
        out["OwnerId"] = acl.owner_id
    out["IsDefault"] = acl.is_default
    out["Associations"] = [{"NetworkAclId": acl.acl_id, "SubnetId": subnet_id} for subnet_id in acl.subnet_ids]
    out["Entries"] = [nacl_entry_to_aws(entry) for entry in acl.entries]
    return out


def network_acls_to_aws(acls: tuple[NetworkAcl, ...] | list[NetworkAcl]) -> dict:
    """Network ACLs -> the describe-network-acls response object."""
    return {"NetworkAcls": [network_acl_to_aws(acl) for acl in acls]}


# ---------------------------------------------------------------- standalone import


def unresolved_group_notices(findings: Findings, known_groups: set[str]) -> None:
    """Warn about rules that reference groups the input does not define: real exports often do
    (another VPC or account, a stale peer); such a rule imports but matches no address."""
    for path, ref in findings.references:
        if ref.startswith("sg-") and ref not in known_groups:
            findings.notice(path, f"{ref} is not defined here, so this rule matches no address (the group may be in another VPC or account)")


def _import(doc: Any, read) -> tuple[tuple, tuple[Notice, ...]]:
    if isinstance(doc, (str, bytes)):
        doc = parse_json(doc)
    unstorable = storage_faults(doc)  # before the readers, which print values in messages
    if unstorable:
        raise ScenarioError(unstorable)
    findings = Findings()
    items = read(doc, "", findings)
    findings.raise_if_faulty()
    return items, tuple(findings.notices)


def import_security_groups(doc: Any) -> tuple[tuple[SecurityGroup, ...], tuple[Notice, ...]]:
    """describe-security-groups output (object, list or JSON text) -> (groups, warnings).
    Raises ScenarioError listing every fault."""

    def read(value: Any, path: str, findings: Findings) -> tuple[SecurityGroup, ...]:
        groups = read_security_groups(value, path, findings)
        unresolved_group_notices(findings, {group.group_id for group in groups})
        return groups

    return _import(doc, read)


def import_security_group_rules(doc: Any) -> tuple[tuple[Rule, ...], tuple[Notice, ...]]:
    """describe-security-group-rules output (object, list or JSON text) -> (rules, warnings)."""

    def read(value: Any, path: str, findings: Findings) -> tuple[Rule, ...]:
        rules = read_security_group_rules(value, path, findings)
        unresolved_group_notices(findings, {rule.group_id for rule in rules})
        return rules

    return _import(doc, read)


def import_network_acls(doc: Any) -> tuple[tuple[NetworkAcl, ...], tuple[Notice, ...]]:
    """describe-network-acls output (object, list or JSON text) -> (network ACLs, warnings)."""
    return _import(doc, read_network_acls)
