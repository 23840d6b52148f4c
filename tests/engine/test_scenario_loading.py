"""Reading a valid scenario: what each key becomes, and dumping it back."""

import json

from sgviz.engine import dump_scenario, load_scenario, validate_scenario
from sgviz.engine.addresses import parse_cidr, parse_ip
from sgviz.engine.model import (
    ICMP,
    TCP,
    ChangeAction,
    Direction,
    GroupRef,
    NaclAction,
    NaclChange,
    PrefixListRef,
    RuleChange,
)

from .data import SEED, scenario_doc


def test_it_loads_every_part_of_the_format():
    scenario = load_scenario(scenario_doc())
    web, db = scenario.security_groups
    assert [str(rule.peer) for rule in web.ingress] == ["0.0.0.0/0", "::/0"]
    assert db.ingress[0].peer == GroupRef("sg-web") and db.ingress[0].description == "from the web tier"
    assert scenario.prefix_lists == {"pl-office": (parse_cidr("203.0.113.0/24"),)}
    assert [s.subnet_id for s in scenario.subnets] == ["subnet-web", "subnet-db"]
    assert scenario.network_acls[0].subnet_ids == ("subnet-db",)
    web_instance, db_instance = scenario.instances
    assert web_instance.public_ip == parse_ip("54.0.0.10") and web_instance.ipv6 == parse_ip("2001:db8:0:1::10")
    assert db_instance.connection_tracking.tcp_established_timeout == 3600
    assert db_instance.connection_tracking.udp_timeout == 30
    assert db_instance.conntrack_capacity == 100
    assert scenario.parameters.icmp_timeout == 20
    assert scenario.labels["198.51.100.10"] == "IP A"


def test_it_reads_packets_with_ports_flags_and_ipv6_brackets():
    timeline = load_scenario(scenario_doc()).timeline
    first = timeline[0].packet
    assert (str(first.src), first.src_port, str(first.dst), first.dst_port, first.protocol) == ("198.51.100.10", 50000, "10.0.1.10", 80, TCP)
    assert first.flags == frozenset({"SYN"})
    assert timeline[1].packet.flags == frozenset({"SYN"})  # a list works as well as "SYN,ACK"
    ipv6 = timeline[4].packet
    assert (str(ipv6.src), ipv6.src_port, str(ipv6.dst), ipv6.dst_port) == ("2001:db8::99", 5555, "2001:db8:0:1::10", 80)
    ping = timeline[5].packet
    assert (ping.protocol, ping.icmp_type, ping.icmp_code, ping.icmp_id, ping.src_port) == (ICMP, 8, 0, 7, None)


def test_it_reads_changes_into_rules_and_entries():
    timeline = load_scenario(scenario_doc()).timeline
    authorize = timeline[2].change
    assert isinstance(authorize, RuleChange)
    assert (authorize.group_id, authorize.direction, authorize.action) == ("sg-web", Direction.INGRESS, ChangeAction.AUTHORIZE)
    assert [rule.peer for rule in authorize.rules] == [PrefixListRef("pl-office")]
    add = timeline[3].change
    assert isinstance(add, NaclChange) and add.entry.action is NaclAction.DENY and str(add.entry.cidr) == "10.0.1.10/32"


def test_it_fills_in_a_removed_nacl_entry_from_its_number_and_direction():
    timeline = load_scenario(scenario_doc()).timeline
    assert timeline[6].change.entry == timeline[3].change.entry


def test_it_accepts_json_text_and_a_whole_describe_output():
    doc = scenario_doc()
    doc["security_groups"] = {"SecurityGroups": doc["security_groups"]}
    doc["network_acls"] = {"NetworkAcls": doc["network_acls"]}
    assert load_scenario(json.dumps(doc)) == load_scenario(scenario_doc())


def test_it_accepts_an_icmp_error_with_its_embedded_packet():
    doc = scenario_doc()
    doc["timeline"].append(
        {"at": 9, "packet": {"src": "198.51.100.1", "dst": "10.0.1.10", "protocol": "icmp", "icmp_type": 3, "icmp_code": 4,
                             "embedded": {"src": "10.0.1.10:80", "dst": "198.51.100.10:50000", "protocol": "tcp"}}}
    )
    packet = load_scenario(doc).timeline[-1].packet
    assert packet.embedded.dst_port == 50000 and packet.icmp_code == 4


def test_it_accepts_a_packet_via_an_automatically_tracked_middlebox():
    doc = scenario_doc()
    doc["timeline"][0]["packet"]["via"] = "network-load-balancer"
    assert load_scenario(doc).timeline[0].packet.via == "network-load-balancer"


def test_a_nitro_generation_sets_the_default_tcp_established_timeout_and_round_trips():
    doc = scenario_doc()
    doc["instances"][0]["nitro"] = 6
    scenario = load_scenario(doc)
    web, db = scenario.instances
    assert (web.nitro, web.connection_tracking.tcp_established(web.nitro)) == (6, 350)
    assert db.connection_tracking.tcp_established(db.nitro) == 3600  # set explicitly
    assert dump_scenario(scenario)["instances"][0]["nitro"] == 6
    assert load_scenario(dump_scenario(scenario)) == scenario


def test_it_accepts_protocol_numbers():
    doc = scenario_doc()
    doc["security_groups"][0]["IpPermissions"][0]["IpProtocol"] = "6"
    doc["timeline"][0]["packet"]["protocol"] = "6"
    doc["security_groups"][1]["IpPermissionsEgress"] = [{"IpProtocol": "47", "FromPort": 1, "ToPort": 2, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]
    scenario = load_scenario(doc)
    assert scenario == load_scenario(dump_scenario(scenario))
    gre = scenario.security_groups[1].egress[0]
    assert (gre.protocol, gre.from_port, gre.to_port) == (47, None, None)  # AWS ignores ports for other protocols
    assert scenario.security_groups[0].ingress[0].protocol == TCP


def test_it_canonicalises_cidrs_as_aws_does():
    doc = scenario_doc()
    doc["security_groups"][0]["IpPermissions"][0]["IpRanges"][0]["CidrIp"] = "100.68.0.18/18"
    del doc["timeline"][7]  # it revokes the 0.0.0.0/0 rule
    assert str(load_scenario(doc).security_groups[0].ingress[0].peer) == "100.68.0.0/18"


def test_it_warns_about_references_it_cannot_resolve():
    doc = scenario_doc()
    doc["security_groups"][1]["IpPermissions"][0]["UserIdGroupPairs"].append({"GroupId": "sg-elsewhere", "UserId": "111122223333"})
    doc["security_groups"][1]["IpPermissions"][0]["PrefixListIds"] = [{"PrefixListId": "pl-unknown"}]
    scenario, faults, notices = validate_scenario(doc)
    assert scenario is not None and faults == ()
    assert [str(notice) for notice in notices] == [
        "security_groups[1].IpPermissions[0].UserIdGroupPairs[1].GroupId: sg-elsewhere is not defined here, so this rule matches "
        "no address (the group may be in another VPC or account)",
        "security_groups[1].IpPermissions[0].PrefixListIds[0].PrefixListId: pl-unknown is not in prefix_lists, so this rule matches no address",
    ]


def test_a_scenario_needs_no_timeline_nacls_or_subnets():
    doc = {"security_groups": [{"GroupId": "sg-1"}], "instances": [{"name": "a", "private_ip": "10.0.0.1", "security_groups": ["sg-1"]}]}
    scenario = load_scenario(doc)
    assert scenario.timeline == () and scenario.network_acls == () and scenario.subnets == ()


def test_dumping_and_loading_gives_the_same_scenario():
    scenario = load_scenario(scenario_doc())
    dumped = dump_scenario(scenario)
    assert load_scenario(json.loads(json.dumps(dumped))) == scenario
    assert dumped["parameters"] == {"icmp_timeout": 20}
    assert dumped["timeline"][4]["packet"]["src"] == "[2001:db8::99]:5555"
    assert dumped["instances"][1]["connection_tracking"] == {"TcpEstablishedTimeout": 3600}


def test_the_seed_scenario_loads():
    scenario, faults, notices = validate_scenario(SEED.read_text())
    assert faults == () and notices == () and len(scenario.timeline) == 4
