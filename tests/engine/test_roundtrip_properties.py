"""Property tests of the JSON round trips: model -> AWS JSON -> model, AWS JSON -> model -> AWS JSON
-> model, and scenario -> JSON -> scenario all give back what they started from."""

import ipaddress
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sgviz.engine import (
    dump_scenario,
    import_network_acls,
    import_security_group_rules,
    import_security_groups,
    load_scenario,
    network_acls_to_aws,
    security_group_rules_to_aws,
    security_groups_to_aws,
)
from sgviz.engine.addresses import Cidr
from sgviz.engine.awsjson import STAR_RULE_NUMBERS
from sgviz.engine.model import ALL_PROTOCOLS, ICMP, ICMPV6, TCP, UDP, Direction, GroupRef, NaclAction, NaclEntry, NetworkAcl, PrefixListRef, Rule, SecurityGroup

from .data import scenario_doc

PROTOCOLS = [TCP, UDP, ICMP, ICMPV6, ALL_PROTOCOLS, 47, 50, 132]
ids = st.text("0123456789abcdef", min_size=4, max_size=8)
# Any text a database stores: the importers refuse NUL and lone surrogates (errors.storage_faults).
texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
optional_text = st.none() | texts


def cidrs(version: int) -> st.SearchStrategy[Cidr]:
    bits = 32 if version == 4 else 128

    def make(value: int, prefixlen: int) -> Cidr:
        host_bits = bits - prefixlen
        return Cidr(version, (value >> host_bits) << host_bits, prefixlen)

    return st.builds(make, st.integers(0, 2**bits - 1), st.integers(0, bits))


peers = st.one_of(
    cidrs(4),
    cidrs(6),
    st.builds(PrefixListRef, ids.map("pl-{}".format)),
    st.builds(GroupRef, ids.map("sg-{}".format), optional_text, st.none() | ids.map("vpc-{}".format), st.none() | ids.map("pcx-{}".format)),
)


@st.composite
def port_pairs(draw, protocol: int) -> tuple[int | None, int | None]:
    """What import makes of a protocol's ports: a range for tcp/udp, type/code for ICMP, else None."""
    if protocol in (TCP, UDP):
        low = draw(st.integers(0, 65535))
        return low, draw(st.integers(low, 65535))
    if protocol in (ICMP, ICMPV6):
        icmp_type = draw(st.integers(-1, 255))
        return icmp_type, -1 if icmp_type == -1 else draw(st.integers(-1, 255))
    return None, None


@st.composite
def rules(draw, group_id: str, direction: Direction, with_ids: bool = False) -> Rule:
    protocol = draw(st.sampled_from(PROTOCOLS))
    low, high = draw(port_pairs(protocol))
    rule_id = draw(ids.map("sgr-{}".format)) if with_ids else None
    return Rule(group_id, direction, protocol, low, high, draw(peers), draw(optional_text), rule_id)


@st.composite
def security_groups(draw, group_id: str) -> SecurityGroup:
    return SecurityGroup(
        group_id,
        name=draw(texts),
        description=draw(texts),
        vpc_id=draw(st.none() | ids.map("vpc-{}".format)),
        owner_id=draw(st.none() | st.text("0123456789", min_size=12, max_size=12)),
        ingress=tuple(draw(st.lists(rules(group_id, Direction.INGRESS), max_size=6))),
        egress=tuple(draw(st.lists(rules(group_id, Direction.EGRESS), max_size=6))),
    )


group_lists = st.lists(ids.map("sg-{}".format), unique=True, max_size=4).flatmap(lambda names: st.tuples(*[security_groups(n) for n in names]))


@st.composite
def nacl_entries(draw, rule_number: int, egress: bool) -> NaclEntry:
    protocol = draw(st.sampled_from(PROTOCOLS[:5] + [47]))
    low, high = draw(port_pairs(protocol))
    ported = protocol in (TCP, UDP)
    icmp = protocol in (ICMP, ICMPV6)
    cidr = draw(cidrs(4) | cidrs(6))
    action = draw(st.sampled_from(list(NaclAction)))
    return NaclEntry(rule_number, egress, protocol, action, cidr, low if ported else None, high if ported else None, low if icmp else None, high if icmp else None)


def star_entry(version: int, egress: bool) -> NaclEntry:
    return NaclEntry(STAR_RULE_NUMBERS[version], egress, ALL_PROTOCOLS, NaclAction.DENY, Cidr(version, 0, 0))


@st.composite
def network_acls(draw, acl_id: str) -> NetworkAcl:
    slots = draw(st.lists(st.tuples(st.integers(1, 32766), st.booleans()), unique=True, max_size=10))
    entries = [draw(nacl_entries(number, egress)) for number, egress in slots]
    entries += [star_entry(version, egress) for version in (4, 6) for egress in (False, True) if draw(st.booleans())]
    return NetworkAcl(
        acl_id,
        vpc_id=draw(st.none() | ids.map("vpc-{}".format)),
        is_default=draw(st.booleans()),
        subnet_ids=tuple(draw(st.lists(ids.map("subnet-{}".format), unique=True, max_size=3))),
        entries=tuple(draw(st.permutations(entries))),
        owner_id=draw(st.none() | st.text("0123456789", min_size=12, max_size=12)),
    )


acl_lists = st.lists(ids.map("acl-{}".format), unique=True, max_size=3).flatmap(lambda names: st.tuples(*[network_acls(n) for n in names]))


def through_json(doc):
    return json.loads(json.dumps(doc))


@given(group_lists)
def test_groups_export_and_import_back_unchanged(groups):
    assert import_security_groups(through_json(security_groups_to_aws(groups)))[0] == groups


@given(st.lists(st.tuples(ids.map("sg-{}".format), st.sampled_from(list(Direction))), max_size=10).flatmap(
    lambda owners: st.tuples(*[rules(group, direction, with_ids=True) for group, direction in owners])
))
def test_rules_export_and_import_back_unchanged(rules_):
    assert import_security_group_rules(through_json(security_group_rules_to_aws(rules_)))[0] == rules_


@given(acl_lists)
def test_network_acls_export_and_import_back_unchanged(acls):
    assert import_network_acls(through_json(network_acls_to_aws(acls)))[0] == acls


# AWS-shaped input as people and tools write it: non-canonical CIDRs, several permissions with
# the same protocol and ports, peers of every kind in one permission.

@st.composite
def raw_cidr(draw, version: int) -> str:
    """A CIDR as text, host bits and all (AWS canonicalises 10.1.2.3/8 to 10.0.0.0/8)."""
    bits = 32 if version == 4 else 128
    address = ipaddress.ip_address(draw(st.integers(0, 2**bits - 1))) if version == 4 else ipaddress.IPv6Address(draw(st.integers(0, 2**bits - 1)))
    return f"{address}/{draw(st.integers(0, bits))}"


@st.composite
def raw_permissions(draw) -> dict:
    protocol = draw(st.sampled_from(["tcp", "udp", "icmp", "icmpv6", "-1", "6", "17", "1", "58", "47"]))
    permission: dict = {"IpProtocol": protocol}
    if protocol in ("tcp", "udp", "6", "17"):
        low = draw(st.integers(0, 65535))
        permission.update(FromPort=low, ToPort=draw(st.integers(low, 65535)))
    elif protocol in ("icmp", "icmpv6", "1", "58"):
        icmp_type = draw(st.integers(-1, 255))
        permission.update(FromPort=icmp_type, ToPort=-1 if icmp_type == -1 else draw(st.integers(-1, 255)))

    def described(item: dict) -> dict:
        description = draw(optional_text)
        return item if description is None else {**item, "Description": description}

    permission["IpRanges"] = [described({"CidrIp": draw(raw_cidr(4))}) for _ in range(draw(st.integers(0, 3)))]
    permission["Ipv6Ranges"] = [described({"CidrIpv6": draw(raw_cidr(6))}) for _ in range(draw(st.integers(0, 2)))]
    permission["PrefixListIds"] = [described({"PrefixListId": draw(ids.map("pl-{}".format))}) for _ in range(draw(st.integers(0, 2)))]
    permission["UserIdGroupPairs"] = [described({"GroupId": draw(ids.map("sg-{}".format)), "UserId": "123456789012"}) for _ in range(draw(st.integers(0, 2)))]
    return permission


raw_groups = st.lists(ids.map("sg-{}".format), unique=True, max_size=3).flatmap(
    lambda names: st.tuples(*[
        st.fixed_dictionaries({
            "GroupId": st.just(name),
            "GroupName": texts,
            "Description": texts,
            "Tags": st.just([{"Key": "Name", "Value": name}]),
            "IpPermissions": st.lists(raw_permissions(), max_size=4),
            "IpPermissionsEgress": st.lists(raw_permissions(), max_size=4),
        })
        for name in names
    ])
)


@given(raw_groups)
def test_aws_json_import_export_import_is_the_identity(raw):
    groups, _ = import_security_groups({"SecurityGroups": list(raw)})
    assert import_security_groups(through_json(security_groups_to_aws(groups)))[0] == groups


@settings(max_examples=50)
@given(st.lists(st.tuples(st.sampled_from(["198.51.100.10", "10.0.1.10", "54.0.0.10"]), st.integers(0, 65535), st.integers(0, 65535),
                          st.sampled_from(["tcp", "udp"]), st.sets(st.sampled_from(["SYN", "ACK", "FIN", "RST"]))), max_size=6))
def test_scenarios_dump_and_load_back_unchanged(packets):
    doc = scenario_doc()
    at = doc["timeline"][-1]["at"]
    for n, (remote, src_port, dst_port, protocol, flags) in enumerate(packets):
        packet = {"src": f"{remote}:{src_port}", "dst": f"10.0.2.20:{dst_port}", "protocol": protocol}
        if protocol == "tcp" and flags:
            packet["flags"] = sorted(flags)
        doc["timeline"].append({"at": at + n * 0.5, "packet": packet})
    scenario = load_scenario(doc)
    assert load_scenario(through_json(dump_scenario(scenario))) == scenario
