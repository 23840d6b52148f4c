"""The scenario file: JSON in (validated, every fault reported with its path) and JSON out.

This is the one validator for scenarios, whoever asks: the command-line runner, the Django
admin and the sandbox. It takes a parsed dict or JSON text, never prints and never exits:

    result = validate_scenario(doc)      # (scenario or None, faults, notices)
    scenario = load_scenario(doc)        # the scenario, or ScenarioError listing all faults
    doc = dump_scenario(scenario)        # back to a JSON-ready dict; loading it gives it back

The format is described key by key in docs/engine.md.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from typing import Any, NamedTuple

from . import awsjson
from .addresses import Cidr, IpAddress, parse_cidr, parse_ip
from .errors import Fault, Findings, Notice, ScenarioError, blank, describe, join, parse_json, storage_faults
from .model import (
    ALL_PROTOCOLS,
    ICMP,
    ICMPV6,
    TCP,
    ChangeAction,
    ConnectionTrackingConfig,
    Direction,
    GroupRef,
    Instance,
    NITRO_GENERATIONS,
    NaclChange,
    NaclEntry,
    NetworkAcl,
    Packet,
    PrefixListRef,
    Rule,
    RuleChange,
    Scenario,
    SecurityGroup,
    Subnet,
    TimelineEntry,
)
from .params import UNTRACKED_JUDGEMENTS, Parameters
from .simulation import ICMP_ERRORS

TOP_KEYS = ("security_groups", "instances", "timeline", "network_acls", "prefix_lists", "subnets", "labels", "parameters")
INSTANCE_KEYS = ("name", "private_ip", "ipv6", "public_ip", "subnet", "security_groups", "connection_tracking", "conntrack_capacity", "nitro")
SUBNET_KEYS = ("id", "cidr", "ipv6_cidr")
ENTRY_KEYS = ("at", "packet", "change")
PACKET_KEYS = ("src", "dst", "protocol", "icmp_type", "icmp_code", "icmp_id", "flags", "via", "embedded")
RULE_CHANGE_KEYS = ("group", "direction", "action", "permission")
NACL_CHANGE_KEYS = ("network_acl", "action", "entry")
TCP_FLAGS = ("SYN", "ACK", "FIN", "RST", "PSH", "URG")
# How to mend a reference to a group the scenario does not have (a group removed, an id mistyped).
ADD_THE_GROUP = "add a security group with this id, or fix the id"
# AWS's names and allowed ranges for the per-interface idle timeouts (seconds).
TIMEOUTS = (
    ("TcpEstablishedTimeout", "tcp_established_timeout", 60, 432000),
    ("UdpTimeout", "udp_timeout", 30, 60),
    ("UdpStreamTimeout", "udp_stream_timeout", 60, 180),
)
# AWS's ceiling for security groups per network interface, and for NACL rules per direction.
MAX_GROUPS_PER_INTERFACE = 16
MAX_NACL_RULES_PER_DIRECTION = 40
NO_LIMIT = 10**12


@dataclasses.dataclass(frozen=True, slots=True)
class SizeLimits:
    """How large a scenario may be, for a validator that is asked to cap it (``limits=``).

    ``document_bytes`` is measured on the document as JSON indented by two spaces, in UTF-8:
    the way the admin shows it for editing, whatever layout it was written in.
    """

    timeline_entries: int
    document_bytes: int


# A lesson's scenario (and each learning mode's) plays in the live player and is edited in
# the admin; these caps keep both working at their limit (docs/engine.md, "Size limits"):
# - 500 entries: the player sends the execution table and tracker with each step, about
#   650 bytes a packet, so a frame stays near 330 KB, well under daphne's 1 MiB;
# - 128 KiB: a browser sends the form URL-encoded, at most 3 bytes a byte (%XX), and a
#   lesson's change form carries up to six scenarios (the lesson's and five engine modes'):
#   6 x 128 KiB x 3 = 2.25 MiB stays under Django's 2.5 MiB DATA_UPLOAD_MAX_MEMORY_SIZE.
LESSON_LIMITS = SizeLimits(timeline_entries=500, document_bytes=128 * 1024)


class Validation(NamedTuple):
    """What ``validate_scenario`` found: the scenario (None if any fault), faults, notices."""

    scenario: Scenario | None
    faults: tuple[Fault, ...]
    notices: tuple[Notice, ...]


def load_scenario(doc: dict | str | bytes, *, limits: SizeLimits | None = None) -> Scenario:
    """A valid scenario, or ScenarioError listing every fault. Notices are dropped; use
    validate_scenario to see them."""
    scenario, faults, _ = validate_scenario(doc, limits=limits)
    if faults:
        raise ScenarioError(faults)
    return scenario


def validate_scenario(doc: dict | str | bytes, *, limits: SizeLimits | None = None) -> Validation:
    """Check a scenario (a parsed dict or JSON text) and build it if it is valid; with
    ``limits`` (such as LESSON_LIMITS), also refuse one larger than they allow."""
    if isinstance(doc, (str, bytes)):
        try:
            doc = parse_json(doc)
        except ScenarioError as error:
            return Validation(None, error.faults, ())
    # Values nothing can store, and then a size over the limits, are reported alone: the
    # reader below would print such values in its messages, and a document that must be cut
    # down anyway is not worth reading through.
    faults = storage_faults(doc)
    if not faults and limits is not None:
        faults = size_faults(doc, limits)
    if faults:
        return Validation(None, tuple(faults), ())
    findings = Findings()
    scenario = _Reader(findings).scenario(doc)
    if findings.faults:
        return Validation(None, tuple(findings.faults), tuple(findings.notices))
    return Validation(scenario, (), tuple(findings.notices))


def size_faults(doc: Any, limits: SizeLimits) -> list[Fault]:
    """The ways ``doc`` exceeds ``limits`` (its values already known to be storable)."""
    faults = []
    timeline = doc.get("timeline") if isinstance(doc, dict) else None
    if isinstance(timeline, list) and len(timeline) > limits.timeline_entries:
        faults.append(Fault("timeline", f"{len(timeline):,} entries are more than the {limits.timeline_entries:,} a lesson can play; "
                                        "split the lesson in two, or keep the packets that teach something"))
    size = len(json.dumps(doc, ensure_ascii=False, indent=2).encode())
    if size > limits.document_bytes:
        faults.append(Fault("", f"the scenario is {size:,} bytes as indented JSON, more than the {limits.document_bytes:,} "
                                f"({limits.document_bytes // 1024} KiB) a lesson can hold and still be edited; "
                                "leave out what the lesson does not use (groups, rules, instances, AWS keys such as Tags)"))
    return faults


class _Reader:
    """Walks one scenario document, recording faults as it goes and carrying on after each."""

    def __init__(self, findings: Findings) -> None:
        self.f = findings
        self.params = Parameters()
        # Every subnet id, instance name and address the document defines, valid or not, so
        # a fault in one place is not reported again wherever it is referred to.
        self.subnet_ids: set[str] = set()
        self.names: dict[str, str] = {}
        self.addresses: dict[IpAddress, str] = {}
        self.addresses_complete = True  # False once an instance's address could not be read

    def scenario(self, doc: Any) -> Scenario | None:
        doc = self.f.as_object(doc, "")
        if doc is None:
            return None
        self.f.only_keys(doc, TOP_KEYS, "")
        self.params = self.parameters(doc.get("parameters", {}))
        prefix_lists = self.prefix_lists(doc.get("prefix_lists", {}))
        subnets = self.subnets(doc.get("subnets", []))
        groups = awsjson.read_security_groups(self.f.required(doc, "security_groups", ""), "security_groups", self.f, self.params, prefix_lists)
        acls = self.network_acls(doc.get("network_acls", []))
        instances = self.instances(self.f.required(doc, "instances", ""), {g.group_id: g for g in groups}, {s.subnet_id: s for s in subnets}, prefix_lists)
        timeline = _Timeline(self, groups, acls, prefix_lists).read(doc.get("timeline", []))
        labels = self.labels(doc.get("labels", {}))
        self.resolve_references({group.group_id for group in groups}, set(prefix_lists))
        if self.f.faults:
            return None
        return Scenario(
            security_groups=groups,
            instances=instances,
            timeline=timeline,
            network_acls=acls,
            prefix_lists=prefix_lists,
            subnets=subnets,
            labels=labels,
            parameters=self.params,
        )

    # -- top-level sections

    def parameters(self, value: Any) -> Parameters:
        obj = self.f.as_object(value, "parameters")
        if not obj:
            return Parameters()
        fields = {field.name: field for field in dataclasses.fields(Parameters)}
        chosen = {}
        for name, raw in obj.items():
            path = join("parameters", name)
            if name not in fields:
                self.f.fault(path, f"unknown parameter; the parameters are: {', '.join(fields)}")
                continue
            parsed = self.parameter(name, raw, fields[name].default, path)
            if parsed is not None:
                chosen[name] = parsed
        params = Parameters(**chosen)
        for word, per_group in (("inbound", params.inbound_rules_per_group), ("outbound", params.outbound_rules_per_group)):
            if per_group * params.groups_per_interface > params.rules_times_groups:
                self.f.fault(
                    "parameters",
                    f"{word}_rules_per_group {per_group} x groups_per_interface {params.groups_per_interface} = "
                    f"{per_group * params.groups_per_interface} exceeds rules_times_groups {params.rules_times_groups}; "
                    "AWS keeps rules per group x groups per interface at or below that quota",
                )
        return params

    def parameter(self, name: str, raw: Any, default: Any, path: str) -> Any:
        if isinstance(default, bool):
            return self.f.as_bool(raw, path)
        if isinstance(default, int):
            high = {"groups_per_interface": MAX_GROUPS_PER_INTERFACE, "nacl_rules_per_direction": MAX_NACL_RULES_PER_DIRECTION}.get(name, NO_LIMIT)
            low = 0 if name == "conntrack_capacity" else 1
            return self.f.as_int(raw, path, low, high)
        if isinstance(default, str):
            text = self.f.as_string(raw, path)
            if name == "untracked_judged_on" and text is not None and text not in UNTRACKED_JUDGEMENTS:
                self.f.fault(path, f"{text!r} is not a way to judge untracked flows; use {' or '.join(UNTRACKED_JUDGEMENTS)}")
                return None
            return text
        items = self.f.as_list(raw, path)
        if items is None:
            return None
        strings = tuple(self.f.as_string(item, join(path, i)) for i, item in enumerate(items))
        return None if None in strings else strings

    def prefix_lists(self, value: Any) -> dict[str, tuple[Cidr, ...]]:
        obj = self.f.as_object(value, "prefix_lists") or {}
        lists = {}
        for list_id, cidrs in obj.items():
            path = join("prefix_lists", list_id)
            if not list_id.startswith("pl-"):
                self.f.fault(path, f"{list_id!r} is not a prefix list id (they look like pl-0123abcd)")
                continue
            items = self.f.as_list(cidrs, path) or []
            parsed = tuple(self.cidr(item, join(path, i)) for i, item in enumerate(items))
            lists[list_id] = tuple(cidr for cidr in parsed if cidr is not None)
        return lists

    def cidr(self, value: Any, path: str, version: int | None = None) -> Cidr | None:
        return awsjson.read_cidr(value, path, version, self.f)

    def ip(self, value: Any, path: str, version: int) -> IpAddress | None:
        if self.f.as_string(value, path, what="an IPv6 address, e.g. 2001:db8::10" if version == 6 else "an IPv4 address, e.g. 10.0.1.10") is None:
            return None
        try:
            return parse_ip(value, version)
        except ValueError as error:
            self.f.fault(path, str(error))
            return None

    def subnets(self, value: Any) -> tuple[Subnet, ...]:
        subnets: dict[str, Subnet] = {}
        for i, item in enumerate(self.f.as_list(value, "subnets") or []):
            path = join("subnets", i)
            item = self.f.as_object(item, path)
            if item is None:
                continue
            self.f.only_keys(item, SUBNET_KEYS, path)
            subnet_id = self.f.as_string(self.f.required(item, "id", path), join(path, "id"), what=awsjson.SUBNET_ID)
            cidr = self.cidr(self.f.required(item, "cidr", path), join(path, "cidr"), 4)
            ipv6 = self.cidr(item["ipv6_cidr"], join(path, "ipv6_cidr"), 6) if "ipv6_cidr" in item else None
            if subnet_id in self.subnet_ids:
                self.f.fault(join(path, "id"), f"{subnet_id!r} is defined twice; subnet ids must be unique")
                continue
            if subnet_id is not None:
                self.subnet_ids.add(subnet_id)
            if subnet_id is not None and cidr is not None and ("ipv6_cidr" not in item or ipv6 is not None):
                subnets[subnet_id] = Subnet(subnet_id, cidr, ipv6)
        return tuple(subnets.values())

    def network_acls(self, value: Any) -> tuple[NetworkAcl, ...]:
        acls = awsjson.read_network_acls(value, "network_acls", self.f, self.params)
        list_path = "network_acls.NetworkAcls" if isinstance(value, dict) else "network_acls"
        raw_items = value.get("NetworkAcls") if isinstance(value, dict) else value
        # Where each ACL sits in the input (ACLs that failed to read are not in ``acls``).
        position = {}
        for i, item in enumerate(raw_items if isinstance(raw_items, list) else []):
            if isinstance(item, dict) and isinstance(item.get("NetworkAclId"), str):
                position.setdefault(item["NetworkAclId"], i)
        associated: dict[str, str] = {}
        defaults: dict[str | None, str] = {}
        for acl in acls:
            path = join(list_path, position[acl.acl_id])
            for j, subnet_id in enumerate(acl.subnet_ids):
                where = join(join(join(path, "Associations"), j), "SubnetId")
                if subnet_id not in self.subnet_ids:
                    self.unknown_subnet(where, subnet_id)
                elif subnet_id in associated:
                    self.f.fault(where, f"{subnet_id!r} is already associated with {associated[subnet_id]}; a subnet has one network ACL")
                else:
                    associated[subnet_id] = acl.acl_id
            if acl.is_default:
                if acl.vpc_id in defaults:
                    self.f.fault(join(path, "IsDefault"), f"{defaults[acl.vpc_id]} is already the default network ACL of this VPC")
                defaults[acl.vpc_id] = acl.acl_id
        return acls

    def instances(self, value: Any, groups: dict[str, SecurityGroup], subnets: dict[str, Subnet], prefix_lists: dict) -> tuple[Instance, ...]:
        items = self.f.as_list(value, "instances")
        if items is None or not all(isinstance(item, dict) for item in items):
            self.addresses_complete = False
        instances = (self.instance(item, join("instances", i), groups, subnets, prefix_lists) for i, item in enumerate(items or []))
        return tuple(instance for instance in instances if instance is not None)

    def unique_name(self, name: str | None, path: str) -> None:
        if name is None:
            return
        if name in self.names:
            self.f.fault(join(path, "name"), f"{name!r} is also {self.names[name]}; instance names must be unique")
        self.names.setdefault(name, path)

    def own_address(self, key: str, path: str, version: int, item: dict) -> IpAddress | None:
        """Read one of an instance's addresses and claim it for that instance."""
        raw = self.f.required(item, key, path) if key == "private_ip" else item.get(key)
        if raw is None:
            return None
        address = self.ip(raw, join(path, key), version)
        if address is None:
            self.addresses_complete = False
            return None
        if address in self.addresses:
            self.f.fault(join(path, key), f"{address} is already an address of {self.addresses[address]}; each address belongs to one instance")
        self.addresses.setdefault(address, path)
        return address

    def instance(self, item: Any, path: str, groups: dict[str, SecurityGroup], subnets: dict[str, Subnet], prefix_lists: dict) -> Instance | None:
        item = self.f.as_object(item, path)
        if item is None:
            return None
        self.f.only_keys(item, INSTANCE_KEYS, path)
        nitro = self.f.as_int(item["nitro"], join(path, "nitro"), *NITRO_GENERATIONS, "the instance's Nitro generation") if "nitro" in item else None
        name = self.f.as_string(self.f.required(item, "name", path), join(path, "name"), what="a name for the instance, e.g. web")
        self.unique_name(name, path)
        private_ip = self.own_address("private_ip", path, 4, item)
        ipv6 = self.own_address("ipv6", path, 6, item)
        public_ip = self.own_address("public_ip", path, 4, item)
        subnet_id = self.subnet_of(item, path, subnets, private_ip, ipv6)
        group_ids = self.instance_groups(item, path, groups, prefix_lists)
        tracking = self.connection_tracking(item.get("connection_tracking", {}), join(path, "connection_tracking"))
        capacity = self.f.as_int(item["conntrack_capacity"], join(path, "conntrack_capacity"), 0, NO_LIMIT) if "conntrack_capacity" in item else None
        if None in (name, private_ip, group_ids, tracking) or ("conntrack_capacity" in item and capacity is None) or ("subnet" in item and subnet_id is None):
            return None
        if "nitro" in item and nitro is None:
            return None
        return Instance(name, private_ip, group_ids, ipv6, public_ip, subnet_id, tracking, capacity, nitro)

    def unknown_subnet(self, path: str, subnet_id: str) -> None:
        known = ", ".join(sorted(self.subnet_ids)) or "none"
        self.f.fault(path, f"{subnet_id!r} is not one of subnets (known: {known}); add a subnet with this id and a CIDR, or fix the id")

    def subnet_of(self, item: dict, path: str, subnets: dict[str, Subnet], private_ip: IpAddress | None, ipv6: IpAddress | None) -> str | None:
        if "subnet" not in item:
            return None
        where = join(path, "subnet")
        subnet_id = self.f.as_string(item["subnet"], where, what=awsjson.SUBNET_ID)
        subnet = subnets.get(subnet_id)
        if subnet_id is not None and subnet_id not in self.subnet_ids:
            self.unknown_subnet(where, subnet_id)
            return None
        if subnet is not None and private_ip is not None and not subnet.cidr.contains(private_ip):
            self.f.fault(join(path, "private_ip"), f"{private_ip} is not inside its subnet {subnet_id} ({subnet.cidr})")
        if subnet is not None and ipv6 is not None and subnet.ipv6_cidr is not None and not subnet.ipv6_cidr.contains(ipv6):
            self.f.fault(join(path, "ipv6"), f"{ipv6} is not inside its subnet {subnet_id} ({subnet.ipv6_cidr})")
        return subnet_id

    def instance_groups(self, item: dict, path: str, groups: dict[str, SecurityGroup], prefix_lists: dict) -> tuple[str, ...] | None:
        where = join(path, "security_groups")
        items = self.f.as_list(self.f.required(item, "security_groups", path), where)
        if items is None:
            return None
        if not items:
            self.f.fault(where, "a network interface needs at least one security group")
            return None
        ids: list[str] = []
        for j, raw in enumerate(items):
            group_id = self.f.as_string(raw, join(where, j), what=awsjson.GROUP_ID)
            if group_id is None:
                return None
            if group_id not in groups:
                self.f.fault(join(where, j), f"{group_id!r} is not one of security_groups (known: {', '.join(groups) or 'none'}); {ADD_THE_GROUP}")
                return None
            if group_id in ids:
                self.f.fault(join(where, j), f"{group_id!r} is listed twice")
                return None
            ids.append(group_id)
        if len(ids) > self.params.groups_per_interface:
            self.f.fault(where, f"{len(ids)} groups exceed the quota of {self.params.groups_per_interface} security groups per network interface")
        for word, key in (("inbound", "ingress"), ("outbound", "egress")):
            for version in (4, 6):
                total = sum(awsjson.rule_count(getattr(groups[g], key), version, prefix_lists) for g in ids)
                if total > self.params.rules_times_groups:
                    self.f.fault(
                        where,
                        f"{total} IPv{version} {word} rules across these groups exceed the quota of "
                        f"{self.params.rules_times_groups} rules per network interface (rules per group x groups per interface)",
                    )
        return tuple(ids)

    def connection_tracking(self, value: Any, path: str) -> ConnectionTrackingConfig | None:
        obj = self.f.as_object(value, path)
        if obj is None:
            return None
        self.f.only_keys(obj, tuple(aws for aws, _, _, _ in TIMEOUTS), path)
        chosen = {}
        for aws_name, field_name, low, high in TIMEOUTS:
            if aws_name in obj:
                seconds = self.f.as_int(obj[aws_name], join(path, aws_name), low, high, f"seconds, AWS's range for {aws_name}")
                if seconds is None:
                    return None
                chosen[field_name] = seconds
        return ConnectionTrackingConfig(**chosen)

    def labels(self, value: Any) -> dict[str, str]:
        labels = {}
        for key, text in (self.f.as_object(value, "labels") or {}).items():
            path = join("labels", key)
            try:
                (parse_cidr if "/" in key else parse_ip)(key)
            except ValueError:
                self.f.fault(path, f"{key!r} is not an IP address or CIDR; labels name addresses")
                continue
            if self.f.as_string(text, path) is not None:
                labels[key] = text
        return labels

    def resolve_references(self, group_ids: set[str], prefix_list_ids: set[str]) -> None:
        awsjson.unresolved_group_notices(self.f, group_ids)
        for path, ref in self.f.references:
            if ref.startswith("pl-") and ref not in prefix_list_ids:
                self.f.notice(path, f"{ref} is not in prefix_lists, so this rule matches no address")


class _Timeline:
    """Reads the timeline in order, replaying changes so each one is checked against the
    groups and network ACLs as they are at that moment (as AWS would check the API call)."""

    def __init__(self, reader: _Reader, groups: tuple[SecurityGroup, ...], acls: tuple[NetworkAcl, ...], prefix_lists: dict) -> None:
        self.reader = reader
        self.f = reader.f
        self.prefix_lists = prefix_lists
        self.groups = {group.group_id: group for group in groups}
        self.acls = {acl.acl_id: {(e.egress, e.rule_number): e for e in acl.entries} for acl in acls}
        self.addresses = reader.addresses

    def read(self, value: Any) -> tuple[TimelineEntry, ...]:
        entries = []
        last_at = -math.inf
        for i, item in enumerate(self.f.as_list(value, "timeline") or []):
            path = join("timeline", i)
            item = self.f.as_object(item, path)
            if item is None:
                continue
            self.f.only_keys(item, ENTRY_KEYS, path)
            at = self.at(self.f.required(item, "at", path), join(path, "at"), last_at)
            if at is not None:
                last_at = at
            kinds = [key for key in ("packet", "change") if key in item]
            if len(kinds) != 1:
                found = 'both "packet" and "change"' if kinds else 'neither "packet" nor "change"'
                self.f.fault(path, f"has {found}; a timeline entry is exactly one of them")
                continue
            if kinds == ["packet"]:
                packet = self.packet(item["packet"], join(path, "packet"), embedded=False)
                entry = TimelineEntry(at, packet=packet) if packet is not None else None
            else:
                change = self.change(item["change"], join(path, "change"))
                entry = TimelineEntry(at, change=change) if change is not None else None
            if entry is not None and at is not None:
                entries.append(entry)
        return tuple(entries)

    def at(self, value: Any, path: str, last_at: float) -> float | None:
        if isinstance(value, str) and not value.strip():
            self.f.fault(path, f"{blank(value)}; write a time in seconds (a number >= 0)")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            self.f.fault(path, f"expected a time in seconds (a number >= 0), got {describe(value)}")
            return None
        if value < last_at:
            self.f.fault(path, f"time goes backwards: {value} comes after {last_at}; \"at\" must never decrease")
            return None
        return value

    # -- packets

    def packet(self, value: Any, path: str, *, embedded: bool) -> Packet | None:
        obj = self.f.as_object(value, path)
        if obj is None:
            return None
        self.f.only_keys(obj, PACKET_KEYS if not embedded else tuple(k for k in PACKET_KEYS if k != "embedded"), path)
        src = self.endpoint(self.f.required(obj, "src", path), join(path, "src"))
        dst = self.endpoint(self.f.required(obj, "dst", path), join(path, "dst"))
        protocol = awsjson.read_protocol(self.f.required(obj, "protocol", path), join(path, "protocol"), self.f)
        if protocol == ALL_PROTOCOLS:
            self.f.fault(join(path, "protocol"), "-1 (all protocols) is for rules; a packet has one protocol")
            return None
        if None in (src, dst, protocol):
            return None
        (src_ip, src_port), (dst_ip, dst_port) = src, dst
        if src_ip.version != dst_ip.version:
            self.f.fault(path, f"src {src_ip} and dst {dst_ip} are different IP versions")
            return None
        if not self.ports_fit(protocol, src_port, dst_port, path) or not self.family_fits(protocol, src_ip.version, path):
            return None
        icmp = self.icmp_fields(obj, protocol, path)
        flags = self.flags(obj, protocol, path)
        via = self.via(obj, path)
        inner = None
        if "embedded" in obj and not embedded:  # one level: an ICMP error quotes one packet
            if protocol not in awsjson.ICMPS or (icmp is not None and icmp[0] not in ICMP_ERRORS[protocol]):
                self.f.fault(join(path, "embedded"), f"only an ICMP error carries an embedded packet (icmp types {_types(ICMP)}, icmpv6 types {_types(ICMPV6)})")
                return None
            inner = self.packet(obj["embedded"], join(path, "embedded"), embedded=True)
            if inner is None:
                return None
        if None in (icmp, flags) or ("via" in obj and via is None):
            return None
        if not embedded and self.reader.addresses_complete and src_ip not in self.addresses and dst_ip not in self.addresses:
            self.f.fault(path, f"neither {src_ip} nor {dst_ip} is an address of an instance (private_ip, ipv6 or public_ip); "
                               "a packet must come from or go to one of the instances")
            return None
        icmp_type, icmp_code, icmp_id = icmp
        return Packet(src_ip, dst_ip, protocol, src_port, dst_port, icmp_type, icmp_code, icmp_id, flags, via, inner)

    def endpoint(self, value: Any, path: str) -> tuple[IpAddress, int | None] | None:
        """"10.0.0.1", "10.0.0.1:80", "2001:db8::1" or "[2001:db8::1]:443" -> (address, port)."""
        text = self.f.as_string(value, path, what="an address: IP or IP:port, e.g. 198.51.100.10:50000")
        if text is None:
            return None
        text = text.strip()
        host, port_text = text, None
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            if rest:
                port_text = rest[1:] if rest.startswith(":") else "?"
        elif text.count(":") == 1:
            host, port_text = text.split(":")
        try:
            address = parse_ip(host)
        except ValueError:
            address = None
        port = int(port_text) if port_text is not None and re.fullmatch("[0-9]{1,5}", port_text) else None
        if address is None or (port_text is not None and (port is None or port > 65535)):
            self.f.fault(path, f"{text!r} is not an address; write IP or IP:port (port 0-65535), "
                               "with an IPv6 address in brackets before a port: [2001:db8::1]:443")
            return None
        return address, port

    def ports_fit(self, protocol: int, src_port: int | None, dst_port: int | None, path: str) -> bool:
        name = awsjson.protocol_name(protocol)
        fits = True
        for key, port in (("src", src_port), ("dst", dst_port)):
            if protocol in awsjson.PORTED and port is None:
                self.f.fault(join(path, key), f"a {name} packet needs a port here, e.g. 198.51.100.10:50000")
                fits = False
            elif protocol not in awsjson.PORTED and port is not None:
                self.f.fault(join(path, key), f"{name} packets have no ports; remove :{port}")
                fits = False
        return fits

    def family_fits(self, protocol: int, version: int, path: str) -> bool:
        if (protocol, version) in ((ICMP, 6), (ICMPV6, 4)):
            right = "icmpv6" if version == 6 else "icmp"
            self.f.fault(join(path, "protocol"), f"{awsjson.protocol_name(protocol)} is for IPv{4 if protocol == ICMP else 6}; "
                                                 f"these addresses are IPv{version}, so use {right}")
            return False
        return True

    def icmp_fields(self, obj: dict, protocol: int, path: str) -> tuple[int | None, int | None, int | None] | None:
        keys = ("icmp_type", "icmp_code", "icmp_id")
        if protocol not in awsjson.ICMPS:
            stray = [key for key in keys if key in obj]
            for key in stray:
                self.f.fault(join(path, key), f"only icmp and icmpv6 packets have {key}")
            return None if stray else (None, None, None)
        if "icmp_type" not in obj:
            echo = "128 = echo request, 129 = echo reply" if protocol == awsjson.ICMPV6 else "8 = echo request, 0 = echo reply"
            self.f.fault(join(path, "icmp_type"), f"an {awsjson.protocol_name(protocol)} packet needs an ICMP type here (e.g. {echo})")
            return None
        icmp_type = self.f.as_int(obj["icmp_type"], join(path, "icmp_type"), 0, 255)
        icmp_code = self.f.as_int(obj.get("icmp_code", 0), join(path, "icmp_code"), 0, 255)
        icmp_id = self.f.as_int(obj["icmp_id"], join(path, "icmp_id"), 0, 65535) if "icmp_id" in obj else None
        if icmp_type is None or icmp_code is None or ("icmp_id" in obj and icmp_id is None):
            return None
        return icmp_type, icmp_code, icmp_id

    def flags(self, obj: dict, protocol: int, path: str) -> frozenset[str] | None:
        if "flags" not in obj:
            return frozenset()
        where = join(path, "flags")
        if protocol != TCP:
            self.f.fault(where, "only tcp packets have flags")
            return None
        raw = obj["flags"]
        names = raw.split(",") if isinstance(raw, str) else raw if isinstance(raw, list) else None
        if names is None or not all(isinstance(name, str) for name in names):
            self.f.fault(where, f"expected flags as \"SYN,ACK\" or [\"SYN\", \"ACK\"], got {describe(raw)}")
            return None
        flags = frozenset(name.strip().upper() for name in names if name.strip())
        unknown = sorted(flags - set(TCP_FLAGS))
        if unknown:
            self.f.fault(where, f"unknown TCP flag {', '.join(unknown)}; use {', '.join(TCP_FLAGS)}")
            return None
        return flags

    def via(self, obj: dict, path: str) -> str | None:
        if "via" not in obj:
            return None
        allowed = self.reader.params.automatically_tracked
        via = self.f.as_string(obj["via"], join(path, "via"))
        if via is not None and via not in allowed:
            self.f.fault(join(path, "via"), f"{via!r} is not a known middlebox; use one of: {', '.join(allowed)}")
            return None
        return via

    # -- changes

    def change(self, value: Any, path: str) -> RuleChange | NaclChange | None:
        obj = self.f.as_object(value, path)
        if obj is None:
            return None
        if "group" in obj and "network_acl" not in obj:
            return self.rule_change(obj, path)
        if "network_acl" in obj and "group" not in obj:
            return self.nacl_change(obj, path)
        self.f.fault(path, "a change names exactly one of \"group\" (a security group rule change) or \"network_acl\" (a network ACL entry change)")
        return None

    def action(self, obj: dict, path: str, allowed: tuple[ChangeAction, ...]) -> ChangeAction | None:
        choices = " or ".join(a.value for a in allowed)
        text = self.f.as_string(self.f.required(obj, "action", path), join(path, "action"), what=choices)
        if text is not None and text not in [a.value for a in allowed]:
            self.f.fault(join(path, "action"), f"{text!r} is not an action here; use {choices}")
            return None
        return ChangeAction(text) if text is not None else None

    def rule_change(self, obj: dict, path: str) -> RuleChange | None:
        self.f.only_keys(obj, RULE_CHANGE_KEYS, path)
        group_id = self.f.as_string(obj["group"], join(path, "group"), what=awsjson.GROUP_ID)
        if group_id is not None and group_id not in self.groups:
            self.f.fault(join(path, "group"), f"{group_id!r} is not one of security_groups (known: {', '.join(self.groups) or 'none'}); {ADD_THE_GROUP}")
            group_id = None
        direction_text = self.f.as_string(self.f.required(obj, "direction", path), join(path, "direction"), what="ingress or egress")
        direction = None
        if direction_text is not None:
            if direction_text in ("ingress", "egress"):
                direction = Direction(direction_text)
            else:
                self.f.fault(join(path, "direction"), f"{direction_text!r} is not a direction; use ingress or egress")
        action = self.action(obj, path, (ChangeAction.AUTHORIZE, ChangeAction.REVOKE))
        if None in (group_id, direction, action):
            return None
        permission_path = join(path, "permission")
        faults_before = len(self.f.faults)
        rules = awsjson.read_permission(self.f.required(obj, "permission", path), permission_path, group_id, direction, self.f)
        if len(self.f.faults) > faults_before:
            self.f.suspect.add(group_id)  # its rules from here on are unknown
            return None
        if not rules:
            self.f.fault(permission_path, "names no peer; give IpRanges, Ipv6Ranges, PrefixListIds or UserIdGroupPairs")
            return None
        return self.apply_rule_change(RuleChange(group_id, direction, action, tuple(rules)), path)

    def apply_rule_change(self, change: RuleChange, path: str) -> RuleChange | None:
        """Check the change against the group as it is now, as the AWS API would, then apply it."""
        if change.group_id in self.f.suspect:
            return change  # its rules are unknown after an earlier fault: nothing to check against
        group = self.groups[change.group_id]
        key = "ingress" if change.direction is Direction.INGRESS else "egress"
        current = list(getattr(group, key))
        word = "inbound" if change.direction is Direction.INGRESS else "outbound"
        for rule in change.rules:
            existing = next((i for i, old in enumerate(current) if _same_rule(old, rule)), None)
            if change.action is ChangeAction.AUTHORIZE and existing is not None:
                return self.refuse_change(change.group_id, join(path, "permission"), f"{change.group_id} already has this {word} rule ({_rule_words(rule)}); AWS refuses duplicates")
            if change.action is ChangeAction.REVOKE and existing is None:
                return self.refuse_change(
                    change.group_id, join(path, "permission"),
                    f"{change.group_id} has no {word} rule {_rule_words(rule)} at this point of the timeline, so there is nothing to revoke",
                )
            if existing is None:
                current.append(rule)
            else:
                del current[existing]
        updated = dataclasses.replace(group, **{key: tuple(current)})
        if not awsjson.check_rule_quota(updated, join(path, "permission"), self.f, self.reader.params, self.prefix_lists):
            self.f.suspect.add(change.group_id)
            return None
        self.groups[change.group_id] = updated
        return change

    def refuse_change(self, target: str, path: str, message: str) -> None:
        """Fault a change; what ``target`` holds afterwards is unknown, so later changes to it go unchecked."""
        self.f.fault(path, message)
        self.f.suspect.add(target)
        return None

    def nacl_change(self, obj: dict, path: str) -> NaclChange | None:
        self.f.only_keys(obj, NACL_CHANGE_KEYS, path)
        acl_id = self.f.as_string(obj["network_acl"], join(path, "network_acl"), what=awsjson.ACL_ID)
        if acl_id is not None and acl_id not in self.acls:
            self.f.fault(join(path, "network_acl"), f"{acl_id!r} is not one of network_acls (known: {', '.join(self.acls) or 'none'}); add a network ACL with this id, or fix the id")
            acl_id = None
        action = self.action(obj, path, (ChangeAction.ADD, ChangeAction.REMOVE))
        entry_path = join(path, "entry")
        raw = self.f.required(obj, "entry", path)
        if None in (acl_id, action) or raw is None:
            return None
        entries = self.acls[acl_id]
        if action is ChangeAction.REMOVE and isinstance(raw, dict) and set(raw) <= {"RuleNumber", "Egress"}:
            entry = self.existing_entry(raw, entry_path, acl_id)  # AWS deletes by number and direction
        else:
            faults_before = len(self.f.faults)
            entry = awsjson.read_nacl_entry(raw, entry_path, self.f, star_allowed=False)
            if len(self.f.faults) > faults_before:
                self.f.suspect.add(acl_id)
        if entry is None or acl_id in self.f.suspect:
            return None if entry is None else NaclChange(acl_id, action, entry)
        slot = (entry.egress, entry.rule_number)
        word = "outbound" if entry.egress else "inbound"
        if action is ChangeAction.ADD:
            if slot in entries:
                return self.refuse_change(acl_id, join(entry_path, "RuleNumber"), f"{acl_id} already has {word} rule {entry.rule_number}; remove it first or pick another number")
            entries[slot] = entry
            acl = NetworkAcl(acl_id, entries=tuple(entries.values()))
            if not awsjson.check_nacl_quota(acl, entry_path, self.f, self.reader.params):
                self.f.suspect.add(acl_id)
                return None
        else:
            if slot not in entries:
                return self.refuse_change(acl_id, entry_path, f"{acl_id} has no {word} rule {entry.rule_number} at this point of the timeline, so there is nothing to remove")
            if entries[slot] != entry:
                return self.refuse_change(acl_id, entry_path, f"{acl_id}'s {word} rule {entry.rule_number} is not this entry; give just RuleNumber and Egress to remove whatever it is")
            del entries[slot]
        return NaclChange(acl_id, action, entry)

    def existing_entry(self, raw: dict, path: str, acl_id: str) -> NaclEntry | None:
        number = self.f.as_int(self.f.required(raw, "RuleNumber", path), join(path, "RuleNumber"), 1, awsjson.HIGHEST_RULE_NUMBER, "rule numbers")
        egress = self.f.as_bool(self.f.required(raw, "Egress", path), join(path, "Egress"))
        if number is None or egress is None or acl_id in self.f.suspect:
            return None
        entry = self.acls[acl_id].get((egress, number))
        if entry is None:
            self.refuse_change(acl_id, path, f"there is no {'outbound' if egress else 'inbound'} rule {number} at this point of the timeline, so there is nothing to remove")
        return entry


def _types(protocol: int) -> str:
    return ", ".join(str(number) for number in sorted(ICMP_ERRORS[protocol]))


def _peer_key(rule: Rule) -> object:
    """What identifies a rule's peer for AWS's duplicate/revoke matching (not the description)."""
    return ("sg", rule.peer.group_id) if isinstance(rule.peer, GroupRef) else rule.peer


def _same_rule(a: Rule, b: Rule) -> bool:
    return (a.protocol, a.from_port, a.to_port, _peer_key(a)) == (b.protocol, b.from_port, b.to_port, _peer_key(b))


def _rule_words(rule: Rule) -> str:
    peer = rule.peer
    peer_text = peer.group_id if isinstance(peer, GroupRef) else peer.prefix_list_id if isinstance(peer, PrefixListRef) else str(peer)
    ports = "" if rule.from_port is None else f" {rule.from_port}" if rule.from_port == rule.to_port else f" {rule.from_port}-{rule.to_port}"
    return f"{awsjson.protocol_name(rule.protocol)}{ports} {'from' if rule.direction is Direction.INGRESS else 'to'} {peer_text}"


# ---------------------------------------------------------------- scenario -> JSON


def dump_scenario(scenario: Scenario) -> dict:
    """The scenario as a JSON-ready dict in the file format; load_scenario gives it back."""
    doc: dict[str, Any] = {"security_groups": [awsjson.security_group_to_aws(group) for group in scenario.security_groups]}
    if scenario.network_acls:
        doc["network_acls"] = [awsjson.network_acl_to_aws(acl) for acl in scenario.network_acls]
    if scenario.prefix_lists:
        doc["prefix_lists"] = {list_id: [str(cidr) for cidr in cidrs] for list_id, cidrs in scenario.prefix_lists.items()}
    if scenario.subnets:
        doc["subnets"] = [_subnet_to_json(subnet) for subnet in scenario.subnets]
    doc["instances"] = [_instance_to_json(instance) for instance in scenario.instances]
    if scenario.labels:
        doc["labels"] = dict(scenario.labels)
    changed = {
        field.name: list(value) if isinstance(value, tuple) else value
        for field in dataclasses.fields(Parameters)
        if (value := getattr(scenario.parameters, field.name)) != field.default
    }
    if changed:
        doc["parameters"] = changed
    doc["timeline"] = [_entry_to_json(entry) for entry in scenario.timeline]
    return doc


def _subnet_to_json(subnet: Subnet) -> dict:
    out = {"id": subnet.subnet_id, "cidr": str(subnet.cidr)}
    if subnet.ipv6_cidr is not None:
        out["ipv6_cidr"] = str(subnet.ipv6_cidr)
    return out


def _instance_to_json(instance: Instance) -> dict:
    out: dict[str, Any] = {"name": instance.name, "private_ip": str(instance.private_ip)}
    for key in ("ipv6", "public_ip", "subnet"):
        value = getattr(instance, key)
        if value is not None:
            out[key] = str(value)
    out["security_groups"] = list(instance.security_groups)
    default = ConnectionTrackingConfig()
    tracking = {aws: getattr(instance.connection_tracking, name) for aws, name, _, _ in TIMEOUTS if getattr(instance.connection_tracking, name) != getattr(default, name)}
    if tracking:
        out["connection_tracking"] = tracking
    if instance.conntrack_capacity is not None:
        out["conntrack_capacity"] = instance.conntrack_capacity
    if instance.nitro is not None:
        out["nitro"] = instance.nitro
    return out


def endpoint_text(address: IpAddress, port: int | None) -> str:
    """The scenario's way to write an endpoint: 10.0.0.1:80, [2001:db8::1]:443, or the bare address."""
    if port is None:
        return str(address)
    return f"[{address}]:{port}" if address.version == 6 else f"{address}:{port}"


def packet_to_json(packet: Packet) -> dict:
    out: dict[str, Any] = {
        "src": endpoint_text(packet.src, packet.src_port),
        "dst": endpoint_text(packet.dst, packet.dst_port),
        "protocol": awsjson.protocol_name(packet.protocol),
    }
    for key in ("icmp_type", "icmp_code", "icmp_id", "via"):
        value = getattr(packet, key)
        if value is not None:
            out[key] = value
    if packet.flags:
        out["flags"] = ",".join(flag for flag in TCP_FLAGS if flag in packet.flags)
    if packet.embedded is not None:
        out["embedded"] = packet_to_json(packet.embedded)
    return out


def _entry_to_json(entry: TimelineEntry) -> dict:
    if entry.packet is not None:
        return {"at": entry.at, "packet": packet_to_json(entry.packet)}
    change = entry.change
    if isinstance(change, RuleChange):
        # A change holds one IpPermission's rules; list them in AWS's peer order so they
        # form that one permission again.
        rules = tuple(sorted(change.rules, key=awsjson.peer_kind))
        (permission,) = awsjson.permissions_to_aws(rules)
        body = {"group": change.group_id, "direction": change.direction.value, "action": change.action.value, "permission": permission}
    else:
        body = {"network_acl": change.acl_id, "action": change.action.value, "entry": awsjson.nacl_entry_to_aws(change.entry)}
    return {"at": entry.at, "change": body}
