"""Importing `aws ec2 describe-…` output pasted into the sandbox: pure, no Django.

The engine reads and checks the three shapes AWS prints; this module tells them apart, merges
what they hold into the learner's document (an object with the id of one already there
replaces it, others are added) and adds the warnings a learner should see: the engine's (a
group referenced but not in the paste) and non-canonical CIDRs, which AWS would store with
their host bits cleared.
"""

from __future__ import annotations

import copy
import ipaddress
import json
from dataclasses import dataclass
from typing import Any

from sgviz.engine import (
    ScenarioError,
    import_network_acls,
    import_security_group_rules,
    import_security_groups,
    network_acls_to_aws,
    security_group_rules_to_aws,
    security_groups_to_aws,
)

from sgviz.engine.errors import Notice, join, parse_json
from sgviz.engine.where import said

from .document import DIRECTIONS, counted, items, normalize, storage_problems
from .editor import peer_of

# The keys of CIDRs in AWS's output and in a scenario (a subnet's "cidr" and "ipv6_cidr").
CIDR_KEYS = ("CidrIp", "CidrIpv6", "CidrIpv4", "CidrBlock", "Ipv6CidrBlock", "cidr", "ipv6_cidr")
SHAPES = {
    "SecurityGroups": "describe-security-groups",
    "SecurityGroupRules": "describe-security-group-rules",
    "NetworkAcls": "describe-network-acls",
}


@dataclass(frozen=True)
class Imported:
    document: dict | None  # the merged document, None when the paste could not be read
    shape: str  # which describe-… output it was
    summary: str  # what was added or replaced
    warnings: tuple[str, ...] = ()
    faults: tuple[str, ...] = ()
    storable: bool = True  # False: the paste holds values no draft can keep (its faults say where), so not even its text is kept


def shape_of(doc: Any) -> str | None:
    """Which AWS output a parsed paste is: by its response key, or for a bare list by the keys
    of its first item."""
    if isinstance(doc, dict):
        return next((SHAPES[key] for key in SHAPES if key in doc), None)
    if isinstance(doc, list) and doc and isinstance(doc[0], dict):
        first = doc[0]
        if "SecurityGroupRuleId" in first or "IsEgress" in first:
            return SHAPES["SecurityGroupRules"]
        if "NetworkAclId" in first:
            return SHAPES["NetworkAcls"]
        if "GroupId" in first:
            return SHAPES["SecurityGroups"]
    return None


def non_canonical_cidrs(value: Any) -> list[Notice]:
    """Warnings for CIDRs with host bits set (2.2.2.2/28): AWS keeps them as 2.2.2.0/28. For a
    paste, and for the learner's draft, which may be nested as deeply as JSON allows: the walk
    keeps its own stack."""
    found = []
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        value, path = stack.pop()
        members = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        inner = []
        for key, child in members:
            where = join(path, key)
            if key in CIDR_KEYS and isinstance(child, str):
                found.extend(_host_bits(child, where))
            else:
                inner.append((child, where))
        stack.extend(reversed(inner))
    return found


def _host_bits(text: str, where: str) -> list[Notice]:
    if "/" not in text:  # not a CIDR at all: the engine says so
        return []
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return []
    if str(network) == text.strip():
        return []
    return [Notice(where, f"{text} has host bits set; AWS (and the sandbox) read it as {network}")]


def _merge(existing: list, incoming: list, id_key: str) -> tuple[list, int, int]:
    """Replace objects with the same id, append the others; (merged, replaced, added)."""
    merged = list(existing)
    positions = {obj.get(id_key): i for i, obj in enumerate(merged) if isinstance(obj, dict)}
    replaced = added = 0
    for obj in incoming:
        if obj[id_key] in positions:
            merged[positions[obj[id_key]]] = obj
            replaced += 1
        else:
            positions[obj[id_key]] = len(merged)
            merged.append(obj)
            added += 1
    return merged, replaced, added


def _rule_key(permission: dict) -> tuple:
    """What makes two one-peer rules the same rule (AWS's: protocol, ports and peer; a
    description is the rule's, not what it matches)."""
    return (str(permission.get("IpProtocol")).lower(), permission.get("FromPort"), permission.get("ToPort"), peer_of(permission)[0])


def _merge_rules(groups: list, incoming: list) -> tuple[list, int, int, int]:
    """describe-security-group-rules output merged into the groups: a group already there
    keeps its name, description and other rules, and gains the pasted ones (a rule it has
    already takes the pasted description); the others are added as they are.
    (merged, rules added, rules already there, groups added)."""
    merged = list(groups)
    positions = {group.get("GroupId"): i for i, group in enumerate(merged) if isinstance(group, dict)}
    rules_added = rules_there = groups_added = 0
    for pasted in incoming:
        if pasted["GroupId"] not in positions:
            positions[pasted["GroupId"]] = len(merged)
            merged.append(pasted)
            groups_added += 1
            rules_added += sum(len(pasted[key]) for key in DIRECTIONS.values())
            continue
        group = merged[positions[pasted["GroupId"]]]
        for key in DIRECTIONS.values():
            rules = group[key] = list(items(group, key))
            known = {_rule_key(rule): i for i, rule in enumerate(rules) if isinstance(rule, dict)}
            for rule in pasted[key]:
                if _rule_key(rule) in known:
                    rules[known[_rule_key(rule)]] = rule
                    rules_there += 1
                else:
                    rules.append(rule)
                    rules_added += 1
    return merged, rules_added, rules_there, groups_added


def _place_associations(doc: dict, incoming: list) -> tuple[list[str], int]:
    """Keep the pasted ACLs' associations the document can hold, so that an import never
    makes a fault of a reference; the warnings say what was done and how to add the rest:
    - a subnet the document does not have is left out of the ACL (a real export names every
      subnet an ACL is associated with, and describe-network-acls describes none of them);
    - a subnet the paste associates twice stays with the first ACL;
    - a subnet associated with an ACL of the document that the paste does not replace moves
      to the pasted ACL: a subnet has one network ACL, and the paste is what AWS says now.
    Returns (warnings, associations left out); changes ``doc`` and ``incoming`` in place."""
    subnets = {subnet.get("id") for subnet in items(doc, "subnets") if isinstance(subnet, dict)}
    pasted = sum(len(acl["Associations"]) for acl in incoming)
    warnings = []
    claimed: dict[str, str] = {}  # subnet -> the pasted ACL it is associated with
    for acl in incoming:
        acl_id, kept = acl["NetworkAclId"], []
        for association in acl["Associations"]:
            subnet = association["SubnetId"]
            if subnet not in subnets:
                warnings.append(
                    f"{acl_id}: {subnet} is not in your scenario, so the network ACL was imported without it. To associate "
                    f"it, add the subnet under “Subnets and network ACLs” (id {subnet}, and its CIDR, which "
                    f"aws ec2 describe-subnets --subnet-ids {subnet} prints), then add {subnet} to {acl_id}'s associated subnets."
                )
            elif subnet in claimed:
                warnings.append(f"{acl_id}: {subnet} is associated with {claimed[subnet]} earlier in the paste, and a subnet has one network ACL, so it was left out here.")
            else:
                claimed[subnet] = acl_id
                kept.append(association)
        acl["Associations"] = kept
    replaced = {acl["NetworkAclId"] for acl in incoming}
    for acl in items(doc, "network_acls"):
        if not isinstance(acl, dict) or acl.get("NetworkAclId") in replaced or not isinstance(acl.get("Associations"), list):
            continue
        moved = [a for a in acl["Associations"] if isinstance(a, dict) and a.get("SubnetId") in claimed]
        acl["Associations"] = [a for a in acl["Associations"] if a not in moved]
        warnings += [
            f"{a['SubnetId']} was associated with {acl.get('NetworkAclId')} in your scenario; the paste associates it with "
            f"{claimed[a['SubnetId']]}, so now it is (a subnet has one network ACL)."
            for a in moved
        ]
    return warnings, pasted - len(claimed)


def _groups_from_rules(rules_response: dict) -> list[dict]:
    """describe-security-group-rules items -> the groups they belong to, in the
    describe-security-groups shape (one permission per rule)."""
    groups: dict[str, dict] = {}
    for rule in rules_response["SecurityGroupRules"]:
        group = groups.setdefault(rule["GroupId"], {"GroupId": rule["GroupId"], "IpPermissions": [], "IpPermissionsEgress": []})
        permission: dict[str, Any] = {"IpProtocol": rule["IpProtocol"]}
        if rule.get("FromPort") not in (None, -1) or rule["IpProtocol"] in ("icmp", "icmpv6"):
            permission["FromPort"], permission["ToPort"] = rule.get("FromPort"), rule.get("ToPort")
        peer: dict[str, Any] = {"Description": rule["Description"]} if rule.get("Description") else {}
        if "CidrIpv4" in rule:
            permission["IpRanges"] = [{"CidrIp": rule["CidrIpv4"], **peer}]
        elif "CidrIpv6" in rule:
            permission["Ipv6Ranges"] = [{"CidrIpv6": rule["CidrIpv6"], **peer}]
        elif "PrefixListId" in rule:
            permission["PrefixListIds"] = [{"PrefixListId": rule["PrefixListId"], **peer}]
        else:
            permission["UserIdGroupPairs"] = [{**rule["ReferencedGroupInfo"], **peer}]
        group["IpPermissionsEgress" if rule["IsEgress"] else "IpPermissions"].append(permission)
    return list(groups.values())


def import_paste(document: Any, text: str) -> Imported:
    """Merge pasted describe-security-groups, describe-security-group-rules or
    describe-network-acls output into ``document``. Faults (not JSON, not one of the three
    shapes, a value AWS would never print) leave the document unchanged; a reference to
    something neither the paste nor the document has is a warning, never a fault."""
    try:
        parsed = parse_json(text)
    except ScenarioError as error:
        return Imported(None, "", "", faults=(f"This is not JSON: {error.faults[0].message}. Paste the output of the aws command as it is printed (--output json).",))
    unstorable = storage_problems(parsed)
    if unstorable:
        return Imported(None, "", "", faults=tuple(unstorable), storable=False)
    shape = shape_of(parsed)
    if shape is None:
        return Imported(None, "", "", faults=(
            "This is JSON but not describe-security-groups, describe-security-group-rules or describe-network-acls output "
            '(an object with "SecurityGroups", "SecurityGroupRules" or "NetworkAcls", or just its list).',
        ))
    doc = copy.deepcopy(document) if isinstance(document, dict) else {}
    placed: list[str] = []  # what became of the references the document cannot hold
    try:
        if shape == SHAPES["NetworkAcls"]:
            acls, notices = import_network_acls(parsed)
            incoming = network_acls_to_aws(acls)["NetworkAcls"]
            placed, left_out = _place_associations(doc, incoming)
            doc["network_acls"], replaced, added = _merge(items(doc, "network_acls"), incoming, "NetworkAclId")
            done = _done(added, replaced, "network ACL", "network ACLs")
            if left_out:
                done += f"; {counted(left_out, 'association', 'associations')} left out (see below)"
        elif shape == SHAPES["SecurityGroups"]:
            groups, notices = import_security_groups(parsed)
            incoming = security_groups_to_aws(groups)["SecurityGroups"]
            doc["security_groups"], replaced, added = _merge(items(doc, "security_groups"), incoming, "GroupId")
            done = _done(added, replaced, "security group", "security groups")
        else:
            rules, notices = import_security_group_rules(parsed)
            incoming = _groups_from_rules(security_group_rules_to_aws(rules))
            doc["security_groups"], rules_added, rules_there, groups_added = _merge_rules(items(doc, "security_groups"), incoming)
            done = f"{counted(rules_added, 'rule', 'rules')} added"
            if rules_there:
                done += f", {counted(rules_there, 'rule was', 'rules were')} there already"
            if groups_added:
                done += f", {counted(groups_added, 'security group', 'security groups')} added for {'it' if rules_added == 1 else 'them'}"
    except ScenarioError as error:
        return Imported(None, shape, "", faults=tuple(said(fault.path, fault.message, parsed) for fault in error.faults))
    doc.setdefault("instances", [])
    # Paths into the paste, said as the paste names its groups and rules.
    warnings = tuple(said(notice.path, notice.message, parsed) for notice in (*notices, *non_canonical_cidrs(parsed))) + tuple(placed)
    return Imported(normalize(doc), shape, f"Imported {shape} output: {done}.", warnings)


def _done(added: int, replaced: int, one: str, many: str) -> str:
    """"2 security groups added, 1 replaced"; "no network ACLs in it" for an empty paste."""
    if not added and not replaced:
        return f"no {many} in it"
    if not added:
        return f"{counted(replaced, one, many)} replaced"
    return f"{counted(added, one, many)} added" + (f", {replaced} replaced" if replaced else "")
