"""The editor's forms over the scenario document: pure, no Django.

Every form row edits one object of the document (a group, a rule, an instance, a timeline
entry, ...). A row kind says which fields it shows, how to read them from the object and how
to write typed text back into it, and which field a fault path inside the object belongs to.
What the learner types is kept as typed: a port that is not a number goes into the document as
the string it is, and the engine's fault about it comes back to that field.

    rows = editor_rows(doc, faults)        # what the page shows, faults placed at fields
    doc = apply_form(doc, form_data)       # the document after a post of the whole editor
    edit = read_post(post, stored, version) # a post resolved against the draft as stored now

Field names are positional ("sg0-in2-protocol" is group 0's inbound rule 2), so a post means
something only over the document its page was drawn from: the page carries that document
(its ``base``), and a post from a page another tab has overtaken is laid over it, never over
the latest draft, whose rows may no longer line up.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from sgviz.engine.errors import join
from sgviz.engine.where import said

from .document import (
    DEFAULT_WAIT,
    DIRECTIONS,
    MAX_GROUPS,
    MAX_INSTANCES,
    MAX_NACL_ENTRIES,
    MAX_NETWORK_ACLS,
    MAX_PREFIX_LISTS,
    MAX_RULES_PER_DIRECTION,
    MAX_SUBNETS,
    MAX_TIMELINE_ENTRIES,
    PEER_LISTS,
    ActionError,
    apply_action,
    counted,
    items,
    keyed,
)

PROTOCOL_HINT = "tcp, udp, icmp, icmpv6, -1 for all, or a protocol number 0-255"


@dataclass(frozen=True)
class FieldSpec:
    key: str  # the field's part of the form name: "protocol"
    label: str
    kind: str = "text"  # text, select, checkbox
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    suggestions: str = ""  # id of a <datalist> of likely values
    numeric: bool = False  # a whole number expected: a numeric keyboard, still typed as text


@dataclass(frozen=True)
class Field:
    spec: FieldSpec
    name: str  # "sg0-in2-protocol", unique in the editor
    value: str
    errors: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return field_id(self.name)


def field_id(name: str) -> str:
    """The id of the input of the field named ``name`` ("sg0-in2-protocol")."""
    return f"f-{name}"


@dataclass(frozen=True)
class Row:
    key: str  # "sg0-in2": the form names' prefix, and the anchor of the row
    kind: str
    title: str
    fields: tuple[Field, ...]
    errors: tuple[str, ...] = ()  # faults about the row as a whole
    children: tuple["Row", ...] = ()  # a group's rules, an ACL's entries
    index: int = 0  # position in its list
    remove_action: str = ""  # the editor action that removes it

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def inbound(self) -> tuple["Row", ...]:
        return tuple(child for child in self.children if "-in" in child.key)

    @property
    def outbound(self) -> tuple["Row", ...]:
        return tuple(child for child in self.children if "-out" in child.key)


# ---------------------------------------------------------------- typed text <-> JSON values


def typed(text: str) -> Any:
    """A number when the text is one, else the text as typed (the engine will say what is
    wrong with it): nothing the learner types is lost or silently changed."""
    stripped = text.strip()
    if re.fullmatch(r"-?[0-9]{1,12}", stripped):
        return int(stripped)
    if re.fullmatch(r"-?[0-9]{1,12}\.[0-9]{1,6}", stripped):
        return float(stripped)
    return text


def shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return ""
    return str(value)


def _set_or_drop(obj: dict, key: str, text: str, convert: Callable[[str], Any] = typed) -> None:
    """obj[key] = the typed value; an empty field removes an optional key."""
    if text.strip():
        obj[key] = convert(text)
    else:
        obj.pop(key, None)


def _words(text: str) -> list[str]:
    return [word.strip() for word in text.split(",") if word.strip()]


# ---------------------------------------------------------------- row kinds


class RowKind:
    """How one kind of object is shown and written back. Subclasses list their fields and
    override read/write/locate."""

    name = ""
    fields: tuple[FieldSpec, ...] = ()
    # A member of an object keyed by its id (prefix_lists), not of a list: its row reads and
    # writes {"id": key, "value": value} (object_at), and apply_form writes the keys.
    keyed = False
    # Fault-path keys (the first key inside the object) -> field key.
    located: dict[str, str] = {}

    def read(self, obj: dict) -> dict[str, str]:
        raise NotImplementedError

    def write(self, obj: dict, values: dict[str, str]) -> dict:
        raise NotImplementedError

    def locate(self, rest: list) -> str | None:
        """The field a fault at ``rest`` (the path inside the object) belongs to, or None for
        the row as a whole."""
        return self.located.get(rest[0]) if rest and isinstance(rest[0], str) else None


class GroupKind(RowKind):
    name = "group"
    fields = (
        FieldSpec("group_id", "Group id", hint="sg-…; renaming it renames every reference"),
        FieldSpec("name", "Name"),
        FieldSpec("description", "Description"),
    )
    located = {"GroupId": "group_id", "GroupName": "name", "Description": "description"}

    def read(self, obj):
        return {"group_id": shown(obj.get("GroupId")), "name": shown(obj.get("GroupName")), "description": shown(obj.get("Description"))}

    def write(self, obj, values):
        obj = dict(obj)
        obj["GroupId"] = values["group_id"].strip()
        _set_or_drop(obj, "GroupName", values["name"], str)
        _set_or_drop(obj, "Description", values["description"], str)
        return obj


def peer_of(permission: dict) -> tuple[str, dict]:
    """(the peer's text, its object) of a one-peer permission; ("", {}) when it has none."""
    for key, inner in (("IpRanges", "CidrIp"), ("Ipv6Ranges", "CidrIpv6"), ("PrefixListIds", "PrefixListId"), ("UserIdGroupPairs", "GroupId")):
        peers = permission.get(key)
        if isinstance(peers, list) and peers and isinstance(peers[0], dict):
            return shown(peers[0].get(inner)), peers[0]
    return "", {}


def peer_entry(text: str, old: dict) -> tuple[str, dict] | None:
    """The peer list and object for a typed source or destination: a group id (sg-…), a
    prefix list (pl-…), an IPv6 CIDR (has a colon) or else an IPv4 CIDR. The old peer's
    description and other keys are kept."""
    text = text.strip()
    if not text:
        return None
    if text.startswith("sg-"):
        key, inner = "UserIdGroupPairs", "GroupId"
    elif text.startswith("pl-"):
        key, inner = "PrefixListIds", "PrefixListId"
    elif ":" in text:
        key, inner = "Ipv6Ranges", "CidrIpv6"
    else:
        key, inner = "IpRanges", "CidrIp"
    kept = {k: v for k, v in old.items() if k not in ("CidrIp", "CidrIpv6", "PrefixListId", "GroupId")}
    return key, {**kept, inner: text}


class PermissionKind(RowKind):
    """One security group rule: an IpPermission with one peer."""

    name = "rule"

    def __init__(self, peer_label: str = "Source or destination"):
        self.fields = (
            FieldSpec("protocol", "Protocol", hint=PROTOCOL_HINT, suggestions="protocols"),
            FieldSpec("from_port", "From port or ICMP type", numeric=True, hint="-1: all ICMP types"),
            FieldSpec("to_port", "To port or ICMP code", numeric=True),
            FieldSpec("peer", peer_label, hint="IPv4 or IPv6 CIDR, a group (sg-…) or a prefix list (pl-…)", suggestions="peers"),
            FieldSpec("description", "Description"),
        )

    def read(self, obj):
        text, peer = peer_of(obj)
        return {
            "protocol": shown(obj.get("IpProtocol")),
            "from_port": shown(obj.get("FromPort")),
            "to_port": shown(obj.get("ToPort")),
            "peer": text,
            "description": shown(peer.get("Description")),
        }

    def write(self, obj, values):
        _, old_peer = peer_of(obj)
        out = {k: v for k, v in obj.items() if k not in PEER_LISTS}
        out["IpProtocol"] = values["protocol"].strip()
        _set_or_drop(out, "FromPort", values["from_port"])
        _set_or_drop(out, "ToPort", values["to_port"])
        peer = peer_entry(values["peer"], old_peer)
        if peer is None and values["description"].strip():
            # A description typed before the source is kept (the engine asks for the address).
            peer = "IpRanges", {}
        if peer is not None:
            key, item = peer
            _set_or_drop(item, "Description", values["description"], str)
            out[key] = [item]
        return out

    def locate(self, rest):
        if not rest:
            return None
        if rest[0] in PEER_LISTS:
            return "description" if rest[-1] == "Description" else "peer"
        return {"IpProtocol": "protocol", "FromPort": "from_port", "ToPort": "to_port"}.get(rest[0])


class InstanceKind(RowKind):
    name = "instance"
    fields = (
        FieldSpec("name", "Name"),
        FieldSpec("private_ip", "Private IPv4 address"),
        FieldSpec("public_ip", "Public IPv4 address", hint="optional"),
        FieldSpec("ipv6", "IPv6 address", hint="optional"),
        FieldSpec("subnet", "Subnet", hint="optional: a subnet id from Subnets"),
        FieldSpec("security_groups", "Security groups", hint="group ids, separated by commas (1 to 5)", suggestions="group-ids"),
        FieldSpec("TcpEstablishedTimeout", "TCP established timeout (s)", numeric=True, hint="60-432000; empty: 432000"),
        FieldSpec("UdpTimeout", "UDP timeout (s)", numeric=True, hint="30-60; empty: 30"),
        FieldSpec("UdpStreamTimeout", "UDP stream timeout (s)", numeric=True, hint="60-180; empty: 180"),
    )
    TIMEOUTS = ("TcpEstablishedTimeout", "UdpTimeout", "UdpStreamTimeout")

    def read(self, obj):
        tracking = obj.get("connection_tracking") if isinstance(obj.get("connection_tracking"), dict) else {}
        groups = obj.get("security_groups")
        values = {key: shown(obj.get(key)) for key in ("name", "private_ip", "public_ip", "ipv6", "subnet")}
        values["security_groups"] = ", ".join(shown(g) for g in groups) if isinstance(groups, list) else shown(groups)
        values.update({key: shown(tracking.get(key)) for key in self.TIMEOUTS})
        return values

    def write(self, obj, values):
        obj = dict(obj)
        obj["name"] = values["name"]
        obj["private_ip"] = values["private_ip"].strip()
        for key in ("public_ip", "ipv6", "subnet"):
            _set_or_drop(obj, key, values[key], str.strip)
        obj["security_groups"] = _words(values["security_groups"])
        tracking = dict(obj.get("connection_tracking")) if isinstance(obj.get("connection_tracking"), dict) else {}
        for key in self.TIMEOUTS:
            _set_or_drop(tracking, key, values[key])
        if tracking:
            obj["connection_tracking"] = tracking
        else:
            obj.pop("connection_tracking", None)
        return obj

    def locate(self, rest):
        if not rest:
            return None
        if rest[0] == "connection_tracking":
            return rest[1] if len(rest) > 1 and rest[1] in self.TIMEOUTS else "TcpEstablishedTimeout"
        return rest[0] if rest[0] in ("name", "private_ip", "public_ip", "ipv6", "subnet", "security_groups") else None


class SubnetKind(RowKind):
    name = "subnet"
    fields = (
        FieldSpec("id", "Subnet id"),
        FieldSpec("cidr", "IPv4 CIDR"),
        FieldSpec("ipv6_cidr", "IPv6 CIDR", hint="optional"),
    )
    located = {"id": "id", "cidr": "cidr", "ipv6_cidr": "ipv6_cidr"}

    def read(self, obj):
        return {key: shown(obj.get(key)) for key in ("id", "cidr", "ipv6_cidr")}

    def write(self, obj, values):
        obj = dict(obj)
        obj["id"] = values["id"].strip()
        obj["cidr"] = values["cidr"].strip()
        _set_or_drop(obj, "ipv6_cidr", values["ipv6_cidr"], str.strip)
        return obj


class AclKind(RowKind):
    name = "acl"
    fields = (
        FieldSpec("acl_id", "Network ACL id"),
        FieldSpec("subnets", "Associated subnets", hint="subnet ids, separated by commas"),
        FieldSpec("is_default", "Default ACL of the VPC (used by subnets with no ACL)", kind="checkbox"),
    )
    located = {"NetworkAclId": "acl_id", "Associations": "subnets", "IsDefault": "is_default"}

    def read(self, obj):
        associations = obj.get("Associations") if isinstance(obj.get("Associations"), list) else []
        return {
            "acl_id": shown(obj.get("NetworkAclId")),
            "subnets": ", ".join(shown(a.get("SubnetId")) for a in associations if isinstance(a, dict)),
            "is_default": "on" if obj.get("IsDefault") is True else "",
        }

    def write(self, obj, values):
        obj = dict(obj)
        obj["NetworkAclId"] = values["acl_id"].strip()
        obj["Associations"] = [{"SubnetId": subnet} for subnet in _words(values["subnets"])]
        if values["is_default"] or "IsDefault" in obj:  # absent means false: leave it absent
            obj["IsDefault"] = bool(values["is_default"])
        return obj


class PrefixListKind(RowKind):
    """A prefix list: its id, a key of the document's ``prefix_lists``, and its CIDRs."""

    name = "prefix-list"
    keyed = True
    fields = (
        FieldSpec("id", "Prefix list id", hint="pl-…; renaming it renames every rule that uses it"),
        FieldSpec("cidrs", "CIDRs", hint="IPv4 or IPv6 CIDRs, separated by commas"),
    )

    def read(self, obj):
        return {"id": obj["id"], "cidrs": ", ".join(shown(cidr) for cidr in obj["value"])}

    def write(self, obj, values):
        # Unchanged text keeps the list as it was (a value typed in the JSON box that is no
        # text, for the engine to report), so posting the page unchanged changes nothing.
        unchanged = values["cidrs"] == self.read(obj)["cidrs"]
        return {"id": values["id"].strip(), "value": obj["value"] if unchanged else _words(values["cidrs"])}

    def locate(self, rest):
        # A fault at the list itself is about its id (its value is a list: places shows no other).
        return "cidrs" if rest else "id"


PORTED = {"tcp", "udp", "6", "17"}
ICMPS = {"icmp", "icmpv6", "1", "58"}
EGRESS_CHOICES = (("false", "inbound"), ("true", "outbound"))


class NaclEntryKind(RowKind):
    name = "nacl-entry"
    fields = (
        FieldSpec("rule_number", "Rule number", numeric=True, hint="1-32766, lowest first"),
        FieldSpec("egress", "Direction", kind="select", choices=EGRESS_CHOICES),
        FieldSpec("action", "Action", kind="select", choices=(("allow", "allow"), ("deny", "deny"))),
        FieldSpec("protocol", "Protocol", hint=PROTOCOL_HINT, suggestions="protocols"),
        FieldSpec("from_port", "From port or ICMP type", numeric=True),
        FieldSpec("to_port", "To port or ICMP code", numeric=True),
        FieldSpec("cidr", "CIDR", hint="IPv4 or IPv6"),
    )

    def read(self, obj):
        ports = obj.get("PortRange") if isinstance(obj.get("PortRange"), dict) else {}
        icmp = obj.get("IcmpTypeCode") if isinstance(obj.get("IcmpTypeCode"), dict) else {}
        return {
            "rule_number": shown(obj.get("RuleNumber")),
            "egress": "true" if obj.get("Egress") is True else "false",
            "action": shown(obj.get("RuleAction")),
            "protocol": shown(obj.get("Protocol")),
            "from_port": shown(ports.get("From", icmp.get("Type"))),
            "to_port": shown(ports.get("To", icmp.get("Code"))),
            "cidr": shown(obj.get("CidrBlock", obj.get("Ipv6CidrBlock"))),
        }

    def write(self, obj, values):
        out = {k: v for k, v in obj.items() if k not in ("PortRange", "IcmpTypeCode", "CidrBlock", "Ipv6CidrBlock")}
        out["RuleNumber"] = typed(values["rule_number"])
        out["Egress"] = values["egress"] == "true"
        out["RuleAction"] = values["action"]
        out["Protocol"] = values["protocol"].strip()
        protocol = out["Protocol"].lower()
        low, high = values["from_port"], values["to_port"]
        if protocol in ICMPS and (low.strip() or high.strip()):
            out["IcmpTypeCode"] = {"Type": typed(low), "Code": typed(high)}
        elif low.strip() or high.strip():  # on another protocol too: incomplete_rows says to clear them
            out["PortRange"] = {"From": typed(low), "To": typed(high)}
        cidr = values["cidr"].strip()
        out["Ipv6CidrBlock" if ":" in cidr else "CidrBlock"] = cidr
        return out

    def locate(self, rest):
        if not rest:
            return None
        if rest[0] in ("PortRange", "IcmpTypeCode"):
            return "to_port" if rest[-1] in ("To", "Code") else "from_port"
        return {"RuleNumber": "rule_number", "Egress": "egress", "RuleAction": "action", "Protocol": "protocol", "CidrBlock": "cidr", "Ipv6CidrBlock": "cidr"}.get(rest[0])


AT = FieldSpec("at", "At (seconds)", numeric=True, hint="never earlier than the entry before")


def _write_at(entry: dict, values: dict[str, str]) -> dict:
    entry = dict(entry)
    entry["at"] = typed(values["at"])
    return entry


class PacketKind(RowKind):
    name = "packet"
    fields = (
        AT,
        FieldSpec("src", "From", hint="address:port, e.g. 198.51.100.10:50000; [IPv6]:port", suggestions="addresses"),
        FieldSpec("dst", "To", hint="address:port, e.g. 10.0.1.10:80", suggestions="addresses"),
        FieldSpec("protocol", "Protocol", hint="tcp, udp, icmp, icmpv6 or a number", suggestions="protocols"),
        FieldSpec("flags", "TCP flags", hint="e.g. SYN or SYN,ACK (tcp only)"),
        FieldSpec("icmp_type", "ICMP type", numeric=True, hint="icmp/icmpv6 only, e.g. 8 = echo request"),
        FieldSpec("icmp_code", "ICMP code", numeric=True),
    )

    def read(self, obj):
        packet = obj.get("packet") if isinstance(obj.get("packet"), dict) else {}
        flags = packet.get("flags")
        return {
            "at": shown(obj.get("at")),
            **{key: shown(packet.get(key)) for key in ("src", "dst", "protocol", "icmp_type", "icmp_code")},
            "flags": ",".join(shown(f) for f in flags) if isinstance(flags, list) else shown(flags),
        }

    def write(self, obj, values):
        entry = _write_at(obj, values)
        packet = dict(entry["packet"]) if isinstance(entry.get("packet"), dict) else {}
        for key in ("src", "dst", "protocol"):
            packet[key] = values[key].strip()
        for key in ("flags", "icmp_type", "icmp_code"):
            _set_or_drop(packet, key, values[key], typed if key != "flags" else str.strip)
        entry["packet"] = packet
        return entry

    def locate(self, rest):
        if rest[:1] == ["at"]:
            return "at"
        if rest[:1] == ["packet"] and len(rest) > 1 and rest[1] in ("src", "dst", "protocol", "flags", "icmp_type", "icmp_code"):
            return rest[1]
        return None


class ChangeKind(RowKind):
    """A timeline change: its own fields, then the fields of what it adds or removes (a rule
    or a NACL entry), written into ``change[inner]`` by that object's kind."""

    def __init__(self, name, own: tuple[FieldSpec, ...], own_keys: dict[str, str], inner: str, inner_kind: RowKind):
        self.name = name
        self.own_keys = own_keys  # field key -> key in the change
        self.inner, self.inner_kind = inner, inner_kind
        self.fields = (AT, *own, *inner_kind.fields)

    def read(self, obj):
        change = obj.get("change") if isinstance(obj.get("change"), dict) else {}
        inner = change.get(self.inner) if isinstance(change.get(self.inner), dict) else {}
        return {"at": shown(obj.get("at")), **{f: shown(change.get(k)) for f, k in self.own_keys.items()}, **self.inner_kind.read(inner)}

    def write(self, obj, values):
        entry = _write_at(obj, values)
        change = dict(entry["change"]) if isinstance(entry.get("change"), dict) else {}
        for field_key, key in self.own_keys.items():
            change[key] = values[field_key].strip()
        inner = change.get(self.inner) if isinstance(change.get(self.inner), dict) else {}
        change[self.inner] = self.inner_kind.write(inner, values)
        entry["change"] = change
        return entry

    def locate(self, rest):
        if rest[:1] == ["at"]:
            return "at"
        if rest[:1] != ["change"] or len(rest) < 2:
            return None
        if rest[1] == self.inner:
            return self.inner_kind.locate(rest[2:])
        return next((f for f, k in self.own_keys.items() if k == rest[1]), None)


KINDS: dict[str, RowKind] = {
    kind.name: kind
    for kind in (
        GroupKind(),
        InstanceKind(),
        SubnetKind(),
        AclKind(),
        NaclEntryKind(),
        PrefixListKind(),
        PacketKind(),
        ChangeKind(
            "rule-change",
            (
                FieldSpec("group", "Group", suggestions="group-ids"),
                FieldSpec("direction", "Direction", kind="select", choices=(("ingress", "inbound"), ("egress", "outbound"))),
                FieldSpec("action", "Action", kind="select", choices=(("authorize", "authorize (add the rule)"), ("revoke", "revoke (remove the rule)"))),
            ),
            {"group": "group", "direction": "direction", "action": "action"},
            "permission",
            PermissionKind(),
        ),
        ChangeKind(
            "nacl-change",
            (
                FieldSpec("network_acl", "Network ACL"),
                FieldSpec("change_action", "Change", kind="select", choices=(("add", "add the entry"), ("remove", "remove the entry"))),
            ),
            {"network_acl": "network_acl", "change_action": "action"},
            "entry",
            NaclEntryKind(),
        ),
    )
}
RULE_KINDS = {"in": PermissionKind("Source"), "out": PermissionKind("Destination")}
TIMELINE_KINDS = ("packet", "rule-change", "nacl-change")  # the kinds entry_kind gives


def entry_kind(entry: Any) -> str | None:
    """Which row kind shows a timeline entry; None for an entry the forms cannot show."""
    if not isinstance(entry, dict):
        return None
    if "packet" in entry and "change" not in entry:
        return "packet"
    change = entry.get("change")
    if "packet" not in entry and isinstance(change, dict):
        if "group" in change and "network_acl" not in change:
            return "rule-change"
        if "network_acl" in change and "group" not in change:
            return "nacl-change"
    return None


# ---------------------------------------------------------------- where each object is


@dataclass(frozen=True)
class Place:
    """An object of the document the forms edit: its row key, kind and path."""

    key: str
    kind: RowKind
    path: tuple  # ("security_groups", 0, "IpPermissions", 2); ("prefix_lists", "pl-a") for a keyed one
    position: int | None = None  # a keyed object's place in its object's key order

    @property
    def index(self) -> int:
        """Its position in its list (or its object's key order)."""
        return self.path[-1] if self.position is None else self.position


def places(doc: Any) -> Iterable[Place]:
    """Every editable object of the document, parents before their children."""
    for g, group in enumerate(items(doc, "security_groups")):
        if not isinstance(group, dict):
            continue
        yield Place(f"sg{g}", KINDS["group"], ("security_groups", g))
        for short, key in DIRECTIONS.items():
            for r, rule in enumerate(items(group, key)):
                if isinstance(rule, dict):
                    yield Place(f"sg{g}-{short}{r}", RULE_KINDS[short], ("security_groups", g, key, r))
    for i, instance in enumerate(items(doc, "instances")):
        if isinstance(instance, dict):
            yield Place(f"inst{i}", KINDS["instance"], ("instances", i))
    for s, subnet in enumerate(items(doc, "subnets")):
        if isinstance(subnet, dict):
            yield Place(f"sn{s}", KINDS["subnet"], ("subnets", s))
    for a, acl in enumerate(items(doc, "network_acls")):
        if not isinstance(acl, dict):
            continue
        yield Place(f"acl{a}", KINDS["acl"], ("network_acls", a))
        for e, entry in enumerate(items(acl, "Entries")):
            if isinstance(entry, dict):
                yield Place(f"acl{a}-e{e}", KINDS["nacl-entry"], ("network_acls", a, "Entries", e))
    # Rows by position in the object's key order, as the page lists them; another value than a
    # list is the engine's to report, with the general faults.
    for p, (list_id, cidrs) in enumerate(keyed(doc, "prefix_lists").items()):
        if isinstance(cidrs, list):
            yield Place(f"pl{p}", KINDS["prefix-list"], ("prefix_lists", list_id), p)
    for t, entry in enumerate(items(doc, "timeline")):
        kind = entry_kind(entry)
        if kind is not None:
            yield Place(f"t{t}", KINDS[kind], ("timeline", t))


def get_at(doc: Any, path: tuple) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def object_at(doc: Any, place: Place) -> Any:
    """What a place's row reads: the object at its path; for a keyed one, its id and value."""
    value = get_at(doc, place.path)
    return {"id": place.path[-1], "value": value} if place.kind.keyed else value


def parse_path(path: str) -> list:
    """"security_groups[0].IpPermissions[2].IpRanges[0].CidrIp" -> [..., 0, "IpPermissions", 2, ...]."""
    return [int(index) if index else key for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path)]


# ---------------------------------------------------------------- faults -> fields

GENERAL = "scenario"  # faults that belong to no row: shown above the editor and at the JSON


def place_index(place_list: Iterable[Place]) -> dict[tuple, Place]:
    """The places by their path as locate_fault reads a fault's: a keyed object's id may hold
    dots or brackets ("pl-a.b"), which split it in the engine's path as parse_path splits it."""
    return {(tuple(parse_path(join(*place.path))) if place.kind.keyed else place.path): place for place in place_list}


def locate_fault(path: str, by_path: dict[tuple, Place]) -> tuple[str, str | None]:
    """(row key, field key or None) a fault path belongs to: the deepest editable object on
    the path, and the field inside it; (GENERAL, None) when no form row holds it."""
    tokens = parse_path(path)
    for depth in range(len(tokens), 0, -1):
        place = by_path.get(tuple(tokens[:depth]))
        if place is not None:
            return place.key, place.kind.locate(tokens[depth:])
    return GENERAL, None


def place_faults(messages: Iterable[tuple[str, str]], place_list: Iterable[Place], doc: Any) -> dict[str, dict[str | None, list[str]]]:
    """The (path, message) pairs by the row they belong to, then by its field (None: the row
    as a whole). A fault no row holds is shown away from its place, so it says where it is in
    words (sgviz.engine.where); the path still decides where it goes."""
    by_path = place_index(place_list)
    placed: dict[str, dict[str | None, list[str]]] = {}
    for path, message in messages:
        row, field_key = locate_fault(path, by_path)
        if row == GENERAL:
            message = said(path, message, doc)
        placed.setdefault(row, {}).setdefault(field_key, []).append(message)
    return placed


def incomplete_rows(doc: Any) -> list[tuple[str, str]]:
    """(path, message) for form rows left incomplete that the engine accepts silently: a
    group's rule without a peer is no rule at all, so the learner is told at the field."""
    found = []
    for place in places(doc):
        if place.kind.name == "rule" and peer_of(get_at(doc, place.path)) == ("", {}):  # a peer object lacking its address is the engine's to report
            where = "security_groups[{}].{}[{}].IpRanges".format(*place.path[1:])
            word = "source" if place.path[2] == "IpPermissions" else "destination"
            found.append((where, f"give a {word}: an IPv4 or IPv6 CIDR (0.0.0.0/0 is anywhere), a group (sg-…) or a prefix list (pl-…)"))
        if place.kind.name == "nacl-entry":
            entry = get_at(doc, place.path)
            protocol = str(entry.get("Protocol", "")).strip().lower()
            if "PortRange" in entry and protocol not in PORTED and protocol not in ICMPS:
                where = "network_acls[{}].Entries[{}].PortRange.From".format(place.path[1], place.path[3])
                found.append((where, f"ports apply to tcp (6) and udp (17) only; protocol {protocol or '(none)'} matches every port: clear the two port fields"))
    return found


# ---------------------------------------------------------------- document -> rows


ROW_TITLES = {
    "group": "Security group",
    "rule": "Rule",
    "instance": "Instance",
    "subnet": "Subnet",
    "acl": "Network ACL",
    "nacl-entry": "Entry",
    "prefix-list": "Prefix list",
    "packet": "Packet",
    "rule-change": "Rule change",
    "nacl-change": "Network ACL change",
}


@dataclass
class Editor:
    """What the editor page shows: rows per section, and the faults no row holds."""

    groups: list[Row] = field(default_factory=list)
    instances: list[Row] = field(default_factory=list)
    subnets: list[Row] = field(default_factory=list)
    acls: list[Row] = field(default_factory=list)
    prefix_lists: list[Row] = field(default_factory=list)
    timeline: list[Row] = field(default_factory=list)
    general: list[str] = field(default_factory=list)

    def all_rows(self) -> Iterable[Row]:
        """Every row, in page order (templates/sandbox/partials/editor.html)."""
        for row in (*self.groups, *self.instances, *self.subnets, *self.acls, *self.prefix_lists, *self.timeline):
            yield row
            yield from row.children

    def first_fault(self) -> str:
        """The id of the first thing on the page that shows a fault, in page order: a row with
        faults of its own, or a field; else the editor's status, which lists the faults no
        row holds."""
        for row in self.all_rows():
            if row.errors:
                return row.key
            for field in row.fields:
                if field.errors:
                    return field.id
        return "editor-status"


def _row(place: Place, obj: dict, placed: dict, children=()) -> Row:
    values = place.kind.read(obj)
    faults = placed.pop(place.key, {})
    fields = tuple(
        Field(spec, f"{place.key}-{spec.key}", values.get(spec.key, ""), tuple(faults.pop(spec.key, ()))) for spec in place.kind.fields
    )
    own = tuple(faults.pop(None, ()))
    # A fault at a field this row does not show (a key the forms leave to the JSON) stays with the row.
    stray = tuple(message for messages in faults.values() for message in messages)
    return Row(place.key, place.kind.name, ROW_TITLES[place.kind.name], fields, own + stray, tuple(children), place.index, remove_action(place))


REMOVE_ACTIONS = {
    "security_groups": "remove_group",
    "instances": "remove_instance",
    "subnets": "remove_subnet",
    "network_acls": "remove_acl",
    "prefix_lists": "remove_prefix_list",
    "timeline": "remove_entry",
}


def remove_action(place: Place) -> str:
    """The action (see document.apply_action) that removes the object at ``place``."""
    path = place.path
    if len(path) == 2:
        return f"{REMOVE_ACTIONS[path[0]]}:{place.index}"
    if path[0] == "security_groups":
        short = next(s for s, key in DIRECTIONS.items() if key == path[2])
        return f"remove_rule:{path[1]}:{short}:{path[3]}"
    return f"remove_acl_entry:{path[1]}:{path[3]}"


def editor_rows(doc: Any, messages: Iterable[tuple[str, str]] = ()) -> Editor:
    """The editor's rows for a document, each fault (path, message) at its field."""
    place_list = list(places(doc))
    placed = place_faults(messages, place_list, doc)
    by_parent: dict[str, list[Place]] = {}
    for place in place_list:
        parent = place.key.split("-")[0]
        if parent != place.key:
            by_parent.setdefault(parent, []).append(place)
    editor = Editor()
    sections = {"group": editor.groups, "instance": editor.instances, "subnet": editor.subnets, "acl": editor.acls, "prefix-list": editor.prefix_lists}
    for place in place_list:
        if place.key.split("-")[0] != place.key:
            continue  # a child, built with its parent
        children = [_row(child, get_at(doc, child.path), placed) for child in by_parent.get(place.key, [])]
        row = _row(place, object_at(doc, place), placed, children)
        sections.get(place.kind.name, editor.timeline).append(row)
    editor.general = [message for faults in placed.values() for messages in faults.values() for message in messages]
    return editor


# ---------------------------------------------------------------- form -> document


def apply_form(doc: Any, data: dict[str, str]) -> Any:
    """The document after a post of the editor's fields (``data``: form name -> text).

    Only rows the form carried (``<key>-present``) are written, so a post from an older page or
    a partial post changes nothing else; a missing text field keeps its value, a missing
    checkbox is unchecked. A group id or prefix list id changed in the form is renamed
    everywhere it is named."""
    return form_applied(doc, data)[0]


def form_applied(doc: Any, data: dict[str, str]) -> tuple[Any, list[str]]:
    """apply_form's document, and the prefix list ids the post gives to two lists at once,
    which an object keyed by id cannot hold: then every list keeps its id (the rest of the
    post is written), and the post is to be refused (read_post)."""
    doc = copy.deepcopy(doc)
    renames = []
    lists_written = {}  # a prefix list's id -> its row as posted ({"id", "value"})
    for place in list(places(doc)):
        if f"{place.key}-present" not in data:
            continue
        obj = object_at(doc, place)
        current = place.kind.read(obj)
        values = {
            spec.key: str(data.get(f"{place.key}-{spec.key}", "" if spec.kind == "checkbox" else current.get(spec.key, "")))
            for spec in place.kind.fields
        }
        updated = place.kind.write(obj, values)
        if place.kind.keyed:
            lists_written[place.path[-1]] = updated
            continue
        parent = get_at(doc, place.path[:-1])
        parent[place.path[-1]] = updated
        if place.kind.name == "group" and obj.get("GroupId") != updated["GroupId"] and isinstance(obj.get("GroupId"), str) and updated["GroupId"]:
            renames.append((obj["GroupId"], updated["GroupId"]))
    for old, new in renames:
        doc = rename_group(doc, old, new)
    return _write_prefix_lists(doc, lists_written)


def _write_prefix_lists(doc: Any, written: dict[str, dict]) -> tuple[Any, list[str]]:
    """``doc`` with its prefix lists as posted (``written``: old id -> {"id", "value"}), in the
    object's key order, and the ids the post gives twice (then no list is renamed). The rules
    that use a renamed list name its new id (not an emptied one, as for groups)."""
    if not written:
        return doc, []
    lists = doc["prefix_lists"]
    new_ids = Counter(written[old]["id"] if old in written else old for old in lists)
    clashes = [list_id for list_id, count in new_ids.items() if count > 1]
    renamed = {old: row["id"] for old, row in written.items() if not clashes and row["id"] != old}
    doc["prefix_lists"] = {renamed.get(old, old): written[old]["value"] if old in written else value for old, value in lists.items()}
    return rename_prefix_lists(doc, {old: new for old, new in renamed.items() if new}), clashes


# What the editor's form posts besides its rows (templates/sandbox/partials/editor.html): the
# CSRF token, the draft's version, the wait before a new entry and the button pressed.
# The editor form's own fields: the page's version and document, the pause before a new
# entry, and the button pressed ("action", or "Keep mine"'s "keep" after a conflict: one of them).
FORM_FIELDS = ("csrfmiddlewaretoken", "version", "base", "wait", "action")


def most_fields_posted() -> int:
    """The most fields a post of the whole editor carries for a document within the sandbox's
    caps: each row's fields (a checkbox counted as checked) and its ``-present`` marker, at
    every cap at once, and the form's own fields. Django refuses a post with more fields than
    DATA_UPLOAD_MAX_NUMBER_FIELDS, which config/settings.py sets to this."""

    def posted(kind: RowKind) -> int:
        return len(kind.fields) + 1

    timeline_row = max(posted(KINDS[name]) for name in TIMELINE_KINDS)
    return (
        len(FORM_FIELDS)
        + MAX_GROUPS * (posted(KINDS["group"]) + len(DIRECTIONS) * MAX_RULES_PER_DIRECTION * posted(RULE_KINDS["in"]))
        + MAX_INSTANCES * posted(KINDS["instance"])
        + MAX_SUBNETS * posted(KINDS["subnet"])
        + MAX_NETWORK_ACLS * (posted(KINDS["acl"]) + MAX_NACL_ENTRIES * posted(KINDS["nacl-entry"]))
        + MAX_PREFIX_LISTS * posted(KINDS["prefix-list"])
        + MAX_TIMELINE_ENTRIES * timeline_row
    )


def rename_group(doc: Any, old: str, new: str) -> Any:
    """Every reference to group ``old`` (instances, rules' group pairs, timeline changes) now
    names ``new``."""
    for instance in items(doc, "instances"):
        if isinstance(instance, dict) and isinstance(instance.get("security_groups"), list):
            instance["security_groups"] = [new if g == old else g for g in instance["security_groups"]]
    for entry in items(doc, "timeline"):
        change = entry.get("change") if isinstance(entry, dict) else None
        if isinstance(change, dict) and change.get("group") == old:
            change["group"] = new
    for permission in _permissions(doc):
        for pair in items(permission, "UserIdGroupPairs"):
            if isinstance(pair, dict) and pair.get("GroupId") == old:
                pair["GroupId"] = new
    return doc


def rename_prefix_lists(doc: Any, renamed: dict[str, str]) -> Any:
    """Every rule that uses a renamed prefix list (``renamed``: old id -> new) now names its new
    id; all at once, so two lists that swap their ids keep their rules."""
    for permission in _permissions(doc):
        for peer in items(permission, "PrefixListIds"):
            if isinstance(peer, dict) and isinstance(peer.get("PrefixListId"), str) and peer["PrefixListId"] in renamed:
                peer["PrefixListId"] = renamed[peer["PrefixListId"]]
    return doc


def _permissions(doc: Any) -> list:
    """Every rule of the document: the groups' and those the timeline's changes authorize or revoke."""
    permissions = [p for g in items(doc, "security_groups") if isinstance(g, dict) for key in DIRECTIONS.values() for p in items(g, key)]
    for entry in items(doc, "timeline"):
        change = entry.get("change") if isinstance(entry, dict) else None
        if isinstance(change, dict):
            permissions.append(change.get("permission"))
    return permissions


def rewritten_fields(before: Any, after: Any, data: Mapping[str, str]) -> dict[str, str]:
    """The fields, by id, that ``after`` (the document a post made) draws otherwise than
    ``before`` (the one its page was drawn from) in rows the post (``data``) did not carry: what
    the server rewrote there, as the references to a renamed group. An answer that swaps no
    fields (a save on change) sends them, and the page writes them in; a row the post carried
    shows the learner's typing, which is theirs. Rows are matched by key: such a post adds or
    removes none. A row whose object is unchanged is not read, so a big draft costs a walk and
    an equality test per row."""
    drawn = {place.key: place for place in places(before)}
    fields = {}
    for place in places(after):
        old = drawn.get(place.key)
        if old is None or old.kind is not place.kind or f"{place.key}-present" in data:
            continue
        then, now = get_at(before, old.path), get_at(after, place.path)
        if then == now:
            continue
        shown_then = place.kind.read(then)
        fields.update({field_id(f"{place.key}-{key}"): value for key, value in place.kind.read(now).items() if shown_then.get(key) != value})
    return fields


# ---------------------------------------------------------------- where the page lands after a button

# The list each action that adds a row appends to, and each that removes one removes from, at
# the top of the document (a group's rules and an ACL's entries: see _list_of).
ADDED_TO = {
    "add_group": "security_groups",
    "add_instance": "instances",
    "add_subnet": "subnets",
    "add_acl": "network_acls",
    "add_packet": "timeline",
    "add_rule_change": "timeline",
    "add_nacl_change": "timeline",
    "add_prefix_list": "prefix_lists",
}
REMOVED_FROM = {action: key for key, action in REMOVE_ACTIONS.items()}
# The "+ Add" button of each list at the top (templates/sandbox/partials/editor.html and
# groups_section.html); a group's and an ACL's are named after their row.
ADD_BUTTONS = {
    "security_groups": "b-add-group",
    "instances": "b-add-instance",
    "subnets": "b-add-subnet",
    "network_acls": "b-add-acl",
    "prefix_lists": "b-add-prefix-list",
    "timeline": "b-add-packet",
}
MOVES = {"move_up": -1, "move_down": 1}


def _list_of(name: str, args: list[str], by_path: dict[tuple, Place]) -> tuple[tuple, str, int | None]:
    """(the path of the list an action adds to or removes from, its "+ Add" button's id, the
    index removed or None)."""
    if name in ("add_rule", "remove_rule"):
        group = ("security_groups", int(args[0]))
        return (*group, DIRECTIONS[args[1]]), f"b-add-{args[1]}-{by_path[group].key}", int(args[2]) if name == "remove_rule" else None
    if name in ("add_acl_entry", "remove_acl_entry"):
        acl = ("network_acls", int(args[0]))
        return (*acl, "Entries"), f"b-add-entry-{by_path[acl].key}", int(args[1]) if name == "remove_acl_entry" else None
    key = ADDED_TO.get(name) or REMOVED_FROM[name]
    return (key,), ADD_BUTTONS[key], int(args[0]) if name in REMOVED_FROM else None


def landing(action: str, doc: Any) -> str:
    """The id of what the page lands on (the keyboard focus, the view) after a button's
    ``action`` made ``doc``, so that a learner goes on where they were: an added row's first
    field; after a removal, the first field of the row that took the removed one's place, or,
    if it was the last, the list's "+ Add" button; after a move, the moved entry's button
    pressed, so that pressing it again moves it on (its other move button once that one is
    disabled, at the top or the bottom). "" for a save, or what it cannot place: the page
    stays where it is (with JavaScript) or opens at the editor."""
    name, _, rest = action.partition(":")
    if name in SAVE_ONLY:
        return ""
    args = rest.split(":") if rest else []
    by_path = {place.path: place for place in places(doc)}
    try:
        if name in MOVES:
            return _moved(int(args[0]) + MOVES[name], name, by_path)
        if name == "wait_before":
            # The same entry's button, so that pressing it again waits longer.
            return f"b-wait-{by_path[('timeline', int(args[0]))].key}"
        if name == "reply":
            # The reply is the entry right after its packet (document.apply_action).
            return field_id(f"{by_path[('timeline', int(args[0]) + 1)].key}-at")
        path, add_button, removed = _list_of(name, args, by_path)
    except (KeyError, IndexError, ValueError):
        return ""
    rows = [place for place in by_path.values() if place.path[:-1] == path]
    if removed is None:
        rows = rows[-1:]
    row = next((place for place in rows if place.index >= (removed or 0)), None)
    return field_id(f"{row.key}-{row.kind.fields[0].key}") if row else add_button


def _moved(index: int, name: str, by_path: dict[tuple, Place]) -> str:
    """The move button of the timeline's entry now at ``index`` to land on after ``name``."""
    place = by_path[("timeline", index)]
    last = [p for p in by_path.values() if p.path[0] == "timeline"][-1]
    # The first entry's Move up and the last one's Move down are disabled (editor_rows.editor_row).
    up = index > 0 if name == "move_up" else place is last
    return f"b-{'up' if up else 'down'}-{place.key}"


# ---------------------------------------------------------------- a post of the editor


# Buttons of the editor that save the fields and change nothing else (the others are
# document.apply_action's actions).
SAVE_ONLY = frozenset({"save", "autosave", "run"})


@dataclass(frozen=True)
class Post:
    """One post of the whole editor: its fields, the button pressed and what the page carried."""

    data: Mapping[str, str]
    action: str = "save"
    version: int = -1  # the draft's version the page was drawn at
    base: Any = None  # the document the page's fields were drawn from, as posted; None: absent or unreadable
    keep: int | None = None  # "Keep mine" was pressed: the latest version the learner chose to write over
    wait: Any = DEFAULT_WAIT  # the pause before an entry the button adds to the timeline


@dataclass(frozen=True)
class Edit:
    """What a post means. ``typed``: the typing laid over the page's document, which is what its
    fields show; ``doc``: that with the button applied (``typed`` again when the button failed,
    with ``problem`` saying why). Both None when the page's document is unknown, so the typing
    cannot be placed. ``doc`` may be stored only if the draft is still at ``expected_version``."""

    typed: Any
    doc: Any
    expected_version: int
    problem: str = ""
    problem_field: str = ""  # the form field outside the rows the problem is about ("wait"), if one
    base: Any = None  # the document the typing was laid over

    def rewritten(self, data: Mapping[str, str]) -> dict[str, str]:
        """The fields the server rewrote in rows this post (``data``) did not carry: see
        rewritten_fields."""
        return rewritten_fields(self.base, self.typed, data) if self.typed is not None else {}


def read_post(post: Post, stored: Any, stored_version: int) -> Edit:
    """Resolve a post against the draft as stored now (``stored`` at ``stored_version``).

    The typing is laid over the document the page carried: the stored one when the page was
    drawn from the draft, the learner's version when it shows one after a refusal (a stale
    page, a cap), which the stored document, even at the page's version, is not. A post that
    carries none (a page from before the editor carried it) is read over the stored document
    if that is still at the page's version. The write must find the page's version, or, after
    "Keep mine", the latest version the learner was shown: a page never writes over a change
    it was not told about."""
    expected = post.version if post.keep is None else post.keep
    base = post.base
    if base is None and post.keep is None and post.version == stored_version:
        base = stored
    if base is None:
        return Edit(None, None, expected)
    typed, clashes = form_applied(base, post.data)
    if clashes:
        return Edit(typed, typed, expected, f"Not saved: two prefix lists cannot both have the id {_listed(clashes)}; give each its own id.", base=base)
    if post.action in SAVE_ONLY:
        return Edit(typed, typed, expected, base=base)
    try:
        return Edit(typed, apply_action(typed, post.action, post.wait), expected, base=base)
    except ActionError as error:
        return Edit(typed, typed, expected, f"That did not work: {error}.", error.field, base=base)


COUNTED = (  # row kinds counted when two versions of a draft are compared, and their names
    (("group",), "security group", "security groups"),
    (("rule",), "rule", "rules"),
    (("instance",), "instance", "instances"),
    (("subnet",), "subnet", "subnets"),
    (("acl",), "network ACL", "network ACLs"),
    (("nacl-entry",), "network ACL entry", "network ACL entries"),
    (("prefix-list",), "prefix list", "prefix lists"),
    (("packet", "rule-change", "nacl-change"), "timeline entry", "timeline entries"),
)


def row_differences(page: Any, latest: Any) -> str:
    """A sentence saying which rows the latest draft has more or fewer of than the page
    ("The latest draft has 3 rules; this page has 2."); empty when the counts agree."""
    counts = [Counter(place.kind.name for place in places(doc)) for doc in (page, latest)]
    differ = []
    for kinds, one, many in COUNTED:
        here, there = (sum(count[kind] for kind in kinds) for count in counts)
        if here != there:
            differ.append((counted(there, one, many), counted(here, one, many)))
    if not differ:
        return ""
    return f"The latest draft has {_listed([there for there, _ in differ])}; this page has {_listed([here for _, here in differ])}."


def row_counts(doc: Any) -> str:
    """What a document holds, in words ("1 security group, 2 rules and 4 timeline entries")."""
    count = Counter(place.kind.name for place in places(doc))
    parts = [counted(number, one, many) for kinds, one, many in COUNTED if (number := sum(count[kind] for kind in kinds))]
    return _listed(parts) if parts else "nothing yet"


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
