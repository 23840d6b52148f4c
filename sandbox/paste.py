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

from .document import items, normalize

CIDR_KEYS = ("CidrIp", "CidrIpv6", "CidrIpv4", "CidrBlock", "Ipv6CidrBlock")
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


def non_canonical_cidrs(value: Any, path: str = "") -> list[str]:
    """Warnings for CIDRs with host bits set (2.2.2.2/28): AWS keeps them as 2.2.2.0/28."""
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            where = f"{path}.{key}" if path else key
            if key in CIDR_KEYS and isinstance(inner, str):
                try:
                    network = ipaddress.ip_network(inner, strict=False)
                except ValueError:
                    continue
                if str(network) != inner.strip():
                    found.append(f"{where}: {inner} has host bits set; AWS (and the sandbox) read it as {network}")
            else:
                found.extend(non_canonical_cidrs(inner, where))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            found.extend(non_canonical_cidrs(inner, f"{path}[{i}]"))
    return found


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
    shapes, a value AWS would never print) leave the document unchanged."""
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError) as error:
        return Imported(None, "", "", faults=(f"This is not JSON: {error}. Paste the output of the aws command as it is printed (--output json).",))
    shape = shape_of(parsed)
    if shape is None:
        return Imported(None, "", "", faults=(
            "This is JSON but not describe-security-groups, describe-security-group-rules or describe-network-acls output "
            '(an object with "SecurityGroups", "SecurityGroupRules" or "NetworkAcls", or just its list).',
        ))
    doc = copy.deepcopy(document) if isinstance(document, dict) else {}
    try:
        if shape == SHAPES["NetworkAcls"]:
            acls, notices = import_network_acls(parsed)
            incoming = network_acls_to_aws(acls)["NetworkAcls"]
            merged, replaced, added = _merge(items(doc, "network_acls"), incoming, "NetworkAclId")
            doc["network_acls"] = merged
            what = "network ACLs"
        else:
            if shape == SHAPES["SecurityGroups"]:
                groups, notices = import_security_groups(parsed)
                incoming = security_groups_to_aws(groups)["SecurityGroups"]
            else:
                rules, notices = import_security_group_rules(parsed)
                incoming = _groups_from_rules(security_group_rules_to_aws(rules))
            merged, replaced, added = _merge(items(doc, "security_groups"), incoming, "GroupId")
            doc["security_groups"] = merged
            what = "security groups"
    except ScenarioError as error:
        return Imported(None, shape, "", faults=tuple(str(fault) for fault in error.faults))
    doc.setdefault("instances", [])
    warnings = tuple(str(notice) for notice in notices) + tuple(non_canonical_cidrs(parsed))
    summary = f"Imported {shape} output: {added} {what} added, {replaced} replaced."
    return Imported(normalize(doc), shape, summary, warnings)
