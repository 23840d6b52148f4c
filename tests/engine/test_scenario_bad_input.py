"""Each kind of bad scenario is refused with one clear fault naming where it is and what is allowed."""

import re

import pytest

from sgviz.engine import ScenarioError, load_scenario, validate_scenario

from .data import scenario_doc


def faults(doc) -> list[str]:
    scenario, found, _ = validate_scenario(doc)
    assert scenario is None
    return [str(fault) for fault in found]


def only_fault(doc) -> str:
    (fault,) = faults(doc)
    return fault


UNKNOWN_SUBNET = "is not one of subnets (known: subnet-db, subnet-web); add a subnet with this id and a CIDR, or fix the id"


def test_it_names_the_path_of_an_invalid_cidr():
    doc = scenario_doc()
    doc["security_groups"][0]["IpPermissions"][0]["IpRanges"][0]["CidrIp"] = "10.0.0.0/33"
    assert only_fault(doc) == "security_groups[0].IpPermissions[0].IpRanges[0].CidrIp: '10.0.0.0/33' is not an IPv4 CIDR: write four numbers 0-255 and a prefix length 0-32, e.g. 203.0.113.5/32"


def test_it_rejects_an_ipv6_cidr_in_the_ipv4_list():
    doc = scenario_doc()
    doc["security_groups"][0]["IpPermissions"][0]["IpRanges"][0]["CidrIp"] = "::/0"
    assert only_fault(doc) == "security_groups[0].IpPermissions[0].IpRanges[0].CidrIp: '::/0' is not an IPv4 CIDR: write four numbers 0-255 and a prefix length 0-32, e.g. 203.0.113.5/32"


def test_it_reports_every_fault_not_just_the_first():
    doc = scenario_doc()
    doc["security_groups"][0]["IpPermissions"][0]["IpRanges"][0]["CidrIp"] = "10.0.0.0/33"
    doc["instances"][1]["private_ip"] = "10.0.2.300"
    doc["timeline"][0]["at"] = -1
    assert faults(doc) == [
        "security_groups[0].IpPermissions[0].IpRanges[0].CidrIp: '10.0.0.0/33' is not an IPv4 CIDR: write four numbers 0-255 and a prefix length 0-32, e.g. 203.0.113.5/32",
        "instances[1].private_ip: '10.0.2.300' is not an IPv4 address: write four numbers 0-255, e.g. 10.0.1.10",
        "timeline[0].at: expected a time in seconds (a number >= 0), got the number -1",
    ]


def test_load_scenario_raises_with_all_faults():
    doc = scenario_doc()
    doc["instances"][0]["security_groups"] = ["sg-nope"]
    doc["instances"][1]["name"] = ""
    with pytest.raises(ScenarioError) as caught:
        load_scenario(doc)
    assert [fault.path for fault in caught.value.faults] == ["instances[0].security_groups[0]", "instances[1].name"]


def test_it_rejects_an_instance_naming_an_unknown_group():
    doc = scenario_doc()
    doc["instances"][0]["security_groups"] = ["sg-nope"]
    assert only_fault(doc) == "instances[0].security_groups[0]: 'sg-nope' is not one of security_groups (known: sg-web, sg-db); add a security group with this id, or fix the id"


def test_it_rejects_an_instance_without_groups():
    doc = scenario_doc()
    doc["instances"][0]["security_groups"] = []
    assert only_fault(doc) == "instances[0].security_groups: a network interface needs at least one security group"


def test_it_rejects_a_nacl_associated_with_an_unknown_subnet():
    doc = scenario_doc()
    doc["network_acls"][0]["Associations"][0]["SubnetId"] = "subnet-nope"
    assert only_fault(doc) == f"network_acls[0].Associations[0].SubnetId: 'subnet-nope' {UNKNOWN_SUBNET}"


def test_it_rejects_two_nacls_on_one_subnet():
    doc = scenario_doc()
    second = dict(doc["network_acls"][0], NetworkAclId="acl-two")
    doc["network_acls"].append(second)
    assert only_fault(doc) == (
        "network_acls[1].Associations[0].SubnetId: 'subnet-db' is already associated with acl-db; a subnet has one network ACL"
    )


def test_it_rejects_an_instance_in_an_unknown_subnet():
    doc = scenario_doc()
    doc["instances"][0]["subnet"] = "subnet-nope"
    assert only_fault(doc) == f"instances[0].subnet: 'subnet-nope' {UNKNOWN_SUBNET}"


def test_it_rejects_an_instance_address_outside_its_subnet():
    doc = scenario_doc()
    doc["instances"][1]["private_ip"] = "10.0.9.20"
    assert only_fault(doc) == "instances[1].private_ip: 10.0.9.20 is not inside its subnet subnet-db (10.0.2.0/24)"


def test_it_rejects_a_change_naming_an_unknown_group():
    doc = scenario_doc()
    doc["timeline"][2]["change"]["group"] = "sg-nope"
    assert only_fault(doc) == "timeline[2].change.group: 'sg-nope' is not one of security_groups (known: sg-web, sg-db); add a security group with this id, or fix the id"


def test_it_rejects_a_change_naming_an_unknown_nacl():
    doc = scenario_doc()
    doc["timeline"][3]["change"]["network_acl"] = "acl-nope"
    doc["timeline"][6]["change"]["network_acl"] = "acl-nope"
    assert faults(doc) == [
        "timeline[3].change.network_acl: 'acl-nope' is not one of network_acls (known: acl-db); add a network ACL with this id, or fix the id",
        "timeline[6].change.network_acl: 'acl-nope' is not one of network_acls (known: acl-db); add a network ACL with this id, or fix the id",
    ]


def test_it_rejects_a_port_outside_the_port_range():
    doc = scenario_doc()
    doc["security_groups"][0]["IpPermissions"][0]["ToPort"] = 65536
    assert only_fault(doc) == "security_groups[0].IpPermissions[0].ToPort: 65536 is outside 0-65535 (ports)"


def test_it_rejects_a_packet_port_outside_the_port_range():
    doc = scenario_doc()
    doc["timeline"][0]["packet"]["dst"] = "10.0.1.10:70000"
    assert only_fault(doc) == (
        "timeline[0].packet.dst: '10.0.1.10:70000' is not an address; write IP or IP:port (port 0-65535), "
        "with an IPv6 address in brackets before a port: [2001:db8::1]:443"
    )


def test_it_rejects_a_port_range_running_backwards():
    doc = scenario_doc()
    doc["security_groups"][0]["IpPermissions"][0].update(FromPort=90, ToPort=80)
    assert only_fault(doc) == (
        "security_groups[0].IpPermissions[0].FromPort: the range starts at 90 but ends at 80; a port range runs from low to high"
    )


def test_it_rejects_a_missing_port_for_tcp():
    doc = scenario_doc()
    del doc["security_groups"][0]["IpPermissions"][0]["ToPort"]
    assert only_fault(doc) == "security_groups[0].IpPermissions[0].ToPort: a tcp rule needs a port (0-65535) here"


@pytest.mark.parametrize("protocol, missing, message", [
    ("udp", "FromPort", "a udp rule needs a port (0-65535) here"),
    ("icmp", "FromPort", "an icmp rule needs a type (0-255, -1 for all) here"),
    ("icmp", "ToPort", "an icmp rule needs a code (0-255, -1 for all) here"),
])
def test_a_missing_port_type_or_code_is_named_with_the_rules_protocol(protocol, missing, message):
    doc = scenario_doc()
    rule = doc["security_groups"][0]["IpPermissions"][0]
    rule.update(IpProtocol=protocol, FromPort=8, ToPort=0)
    del rule[missing]
    assert only_fault(doc) == f"security_groups[0].IpPermissions[0].{missing}: {message}"


def test_it_rejects_icmp_type_all_with_a_specific_code():
    doc = scenario_doc()
    doc["security_groups"][0]["IpPermissions"].append({"IpProtocol": "icmp", "FromPort": -1, "ToPort": 4, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]})
    assert only_fault(doc) == "security_groups[0].IpPermissions[1].ToPort: type -1 (all icmp types) needs code -1 (all codes), not 4"


def test_it_rejects_a_nacl_icmp_type_all_with_a_specific_code():
    doc = scenario_doc()
    doc["network_acls"][0]["Entries"].append(
        {"RuleNumber": 110, "Protocol": "1", "RuleAction": "allow", "Egress": False, "CidrBlock": "0.0.0.0/0", "IcmpTypeCode": {"Type": -1, "Code": 3}}
    )
    assert only_fault(doc) == "network_acls[0].Entries[4].IcmpTypeCode.Code: type -1 (all icmp types) needs code -1 (all codes), not 3"


@pytest.mark.parametrize(
    "name, seconds, allowed",
    [("TcpEstablishedTimeout", 59, "60-432000"), ("TcpEstablishedTimeout", 432001, "60-432000"), ("UdpTimeout", 61, "30-60"), ("UdpStreamTimeout", 200, "60-180")],
)
def test_it_rejects_a_timeout_outside_aws_range(name, seconds, allowed):
    doc = scenario_doc()
    doc["instances"][0]["connection_tracking"] = {name: seconds}
    assert only_fault(doc) == f"instances[0].connection_tracking.{name}: {seconds} is outside {allowed} (seconds, AWS's range for {name})"


@pytest.mark.parametrize("nitro, message", [(7, "7 is outside 1-6 (the instance's Nitro generation)"), ("v6", "expected a whole number 1-6 (the instance's Nitro generation), got the string 'v6'")])
def test_it_rejects_an_unknown_nitro_generation(nitro, message):
    doc = scenario_doc()
    doc["instances"][0]["nitro"] = nitro
    assert only_fault(doc) == f"instances[0].nitro: {message}"


def test_it_rejects_an_unknown_timeout_name():
    doc = scenario_doc()
    doc["instances"][0]["connection_tracking"] = {"TcpTimeout": 100}
    assert only_fault(doc) == (
        "instances[0].connection_tracking.TcpTimeout: unknown key; allowed keys here: TcpEstablishedTimeout, UdpTimeout, UdpStreamTimeout"
    )


def test_it_rejects_time_going_backwards():
    doc = scenario_doc()
    doc["timeline"][4]["at"] = 2.5
    assert only_fault(doc) == 'timeline[4].at: time goes backwards: 2.5 comes after 3; "at" must never decrease'


def test_it_rejects_more_inbound_rules_than_the_group_quota():
    doc = scenario_doc()
    ranges = [{"CidrIp": f"10.1.{i}.0/24"} for i in range(61)]
    doc["security_groups"][1]["IpPermissions"] = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": ranges}]
    assert only_fault(doc) == (
        "security_groups[1].IpPermissions: 61 IPv4 inbound rules exceed the quota of 60 inbound rules per group "
        "(IPv4 and IPv6 are counted separately)"
    )


def test_it_counts_ipv4_and_ipv6_rules_separately_for_the_quota():
    doc = scenario_doc()
    permission = {
        "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
        "IpRanges": [{"CidrIp": f"10.1.{i}.0/24"} for i in range(60)],
        "Ipv6Ranges": [{"CidrIpv6": f"2001:db8:{i:x}::/48"} for i in range(60)],
    }
    doc["security_groups"][1]["IpPermissionsEgress"] = [permission]
    assert validate_scenario(doc).faults == ()


def test_it_counts_prefix_list_entries_against_the_quota():
    doc = scenario_doc()
    doc["prefix_lists"]["pl-big"] = [f"10.9.{i}.0/24" for i in range(61)]
    doc["security_groups"][1]["IpPermissionsEgress"] = [{"IpProtocol": "-1", "PrefixListIds": [{"PrefixListId": "pl-big"}]}]
    assert only_fault(doc) == (
        "security_groups[1].IpPermissionsEgress: 61 IPv4 outbound rules exceed the quota of 60 outbound rules per group "
        "(IPv4 and IPv6 are counted separately)"
    )


def test_it_rejects_an_authorize_that_goes_over_the_quota():
    doc = scenario_doc()
    doc["timeline"][2]["change"]["permission"] = {
        "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": f"10.1.{i}.0/24"} for i in range(60)],
    }
    assert only_fault(doc) == (
        "timeline[2].change.permission.IpPermissions: 61 IPv4 inbound rules exceed the quota of 60 inbound rules per group "
        "(IPv4 and IPv6 are counted separately)"
    )


def test_it_rejects_more_groups_than_an_interface_may_have():
    doc = scenario_doc()
    for n in range(5):
        doc["security_groups"].append({"GroupId": f"sg-extra{n}"})
    doc["instances"][0]["security_groups"] = ["sg-web"] + [f"sg-extra{n}" for n in range(5)]
    assert only_fault(doc) == "instances[0].security_groups: 6 groups exceed the quota of 5 security groups per network interface"


def test_it_rejects_more_rules_per_interface_than_rules_times_groups():
    doc = scenario_doc()
    doc["parameters"] = {"inbound_rules_per_group": 250, "groups_per_interface": 4}
    ranges = [{"CidrIp": f"10.{i // 250}.{i % 250}.0/24"} for i in range(250)]
    for n in range(4):
        doc["security_groups"].append({"GroupId": f"sg-big{n}", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": n, "ToPort": n, "IpRanges": ranges}]})
    doc["security_groups"][-1]["IpPermissions"][0]["IpRanges"] = ranges + [{"CidrIp": "192.168.0.0/24"}]
    doc["parameters"]["inbound_rules_per_group"] = 251
    doc["parameters"]["rules_times_groups"] = 1004
    doc["instances"][0]["security_groups"] = [f"sg-big{n}" for n in range(4)]
    assert validate_scenario(doc).faults == ()
    doc["parameters"]["rules_times_groups"] = 1000
    assert faults(doc) == [
        "parameters: inbound_rules_per_group 251 x groups_per_interface 4 = 1004 exceeds rules_times_groups 1000; "
        "AWS keeps rules per group x groups per interface at or below that quota",
        "instances[0].security_groups: 1001 IPv4 inbound rules across these groups exceed the quota of 1000 rules "
        "per network interface (rules per group x groups per interface)",
    ]


def test_it_rejects_more_nacl_rules_per_direction_than_the_quota():
    doc = scenario_doc()
    doc["network_acls"][0]["Entries"] += [
        {"RuleNumber": 200 + i, "Protocol": "-1", "RuleAction": "deny", "Egress": False, "CidrBlock": f"10.8.{i}.0/24"} for i in range(20)
    ]
    assert only_fault(doc) == (
        "network_acls[0].Entries: 21 IPv4 inbound entries exceed the quota of 20 rules per direction per network ACL "
        "(IPv4 and IPv6 counted separately, '*' entries not counted)"
    )


def test_it_rejects_a_nacl_add_that_goes_over_the_quota():
    doc = scenario_doc()
    doc["network_acls"][0]["Entries"] += [
        {"RuleNumber": 200 + i, "Protocol": "-1", "RuleAction": "deny", "Egress": False, "CidrBlock": f"10.8.{i}.0/24"} for i in range(19)
    ]
    assert only_fault(doc) == (
        "timeline[3].change.entry: 21 IPv4 inbound entries exceed the quota of 20 rules per direction per network ACL "
        "(IPv4 and IPv6 counted separately, '*' entries not counted)"
    )


@pytest.mark.parametrize("number", [0, 32769])
def test_it_rejects_a_nacl_rule_number_out_of_range(number):
    doc = scenario_doc()
    doc["network_acls"][0]["Entries"][0]["RuleNumber"] = number
    assert only_fault(doc) == f"network_acls[0].Entries[0].RuleNumber: {number} is outside 1-32766 (rule numbers)"


def test_it_accepts_the_star_entries_only_as_deny_all():
    doc = scenario_doc()
    doc["network_acls"][0]["Entries"][2]["RuleAction"] = "allow"
    assert only_fault(doc) == (
        "network_acls[0].Entries[2].RuleNumber: 32767 is reserved for AWS's closing '*' entry: deny, protocol -1, 0.0.0.0/0; "
        "your own rules use 1-32766"
    )


def test_it_rejects_a_star_rule_number_in_a_change():
    doc = scenario_doc()
    doc["timeline"][3]["change"]["entry"]["RuleNumber"] = 32767
    assert only_fault(doc) == "timeline[3].change.entry.RuleNumber: 32767 is outside 1-32766 (rule numbers)"


def test_it_rejects_a_repeated_nacl_rule_number():
    doc = scenario_doc()
    doc["network_acls"][0]["Entries"][1]["Egress"] = False
    assert only_fault(doc) == (
        "network_acls[0].Entries[1].RuleNumber: rule number 100 is also used by network_acls[0].Entries[0] in the same direction; "
        "each direction's rule numbers must be unique"
    )


def test_it_rejects_an_unknown_protocol_name():
    doc = scenario_doc()
    doc["security_groups"][0]["IpPermissions"][0]["IpProtocol"] = "http"
    assert only_fault(doc) == (
        "security_groups[0].IpPermissions[0].IpProtocol: 'http' is not a protocol; "
        "use tcp, udp, icmp, icmpv6, -1 (all) or an IANA protocol number 0-255"
    )


@pytest.mark.parametrize("protocol, number", [("300", 300), (300, 300), ("-2", -2), ("1000", 1000), (" 256 ", 256)])
def test_a_protocol_number_out_of_range_is_said_to_be_out_of_range(protocol, number):
    doc = scenario_doc()
    doc["security_groups"][0]["IpPermissions"][0]["IpProtocol"] = protocol
    assert only_fault(doc) == f"security_groups[0].IpPermissions[0].IpProtocol: {number} is outside 0-255 (IANA protocol numbers; -1 means all protocols)"


@pytest.mark.parametrize("text, blank", [("", "this is empty"), ("   ", "this holds only spaces")])
@pytest.mark.parametrize("path, write", [
    ("security_groups[1].IpPermissions[0].IpProtocol", "a protocol: tcp, udp, icmp, icmpv6, -1 (all) or an IANA protocol number 0-255"),
    ("instances[0].name", "a name for the instance, e.g. web"),
    ("subnets[1].id", "a subnet id, e.g. subnet-web"),
    ("timeline[0].packet.src", "an address: IP or IP:port, e.g. 198.51.100.10:50000"),
    ("timeline[0].at", "a time in seconds (a number >= 0)"),
])
def test_an_empty_value_is_said_to_be_empty_with_what_to_write(path, write, text, blank):
    doc = scenario_doc()
    *parents, key = re.findall(r"\w+", path)
    place = doc
    for step in parents:
        place = place[int(step)] if step.isdigit() else place[step]
    place[key] = text
    assert faults(doc)[0] == f"{path}: {blank}; write {write}"


def test_an_empty_group_id_is_said_to_be_empty():
    doc = {"security_groups": [{"GroupId": "", "IpPermissions": []}], "instances": [], "timeline": []}
    assert only_fault(doc) == "security_groups[0].GroupId: this is empty; write a security group id, e.g. sg-web"


@pytest.mark.parametrize("protocol", ["--1", "²", "256", "-2", 6.0, True])
def test_it_rejects_odd_protocol_values(protocol):
    doc = scenario_doc()
    doc["security_groups"][1]["IpPermissionsEgress"] = [{"IpProtocol": protocol, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]
    assert only_fault(doc).startswith("security_groups[1].IpPermissionsEgress[0].IpProtocol: ")


@pytest.mark.parametrize("endpoint", ["10.0.1.10:²", "10.0.1.10:", "10.0.1.10:080000", "[10.0.1.10]:80x", "10.0.1.10:-1"])
def test_it_rejects_odd_ports_in_an_endpoint(endpoint):
    doc = scenario_doc()
    doc["timeline"][0]["packet"]["dst"] = endpoint
    assert only_fault(doc).startswith(f"timeline[0].packet.dst: {endpoint!r} is not an address")


def test_it_rejects_an_unknown_packet_protocol():
    doc = scenario_doc()
    doc["timeline"][0]["packet"]["protocol"] = "sctp"
    assert only_fault(doc) == (
        "timeline[0].packet.protocol: 'sctp' is not a protocol; use tcp, udp, icmp, icmpv6, -1 (all) or an IANA protocol number 0-255"
    )


def test_it_rejects_protocol_all_on_a_packet():
    doc = scenario_doc()
    doc["timeline"][5]["packet"] = {"src": "198.51.100.10", "dst": "10.0.1.10", "protocol": "-1"}
    assert only_fault(doc) == "timeline[5].packet.protocol: -1 (all protocols) is for rules; a packet has one protocol"


def test_it_rejects_a_timeline_entry_with_both_packet_and_change():
    doc = scenario_doc()
    doc["timeline"][0]["change"] = doc["timeline"][2]["change"]
    assert only_fault(doc) == 'timeline[0]: has both "packet" and "change"; a timeline entry is exactly one of them'


def test_it_rejects_a_timeline_entry_with_neither():
    doc = scenario_doc()
    doc["timeline"][0] = {"at": 0}
    assert only_fault(doc) == 'timeline[0]: has neither "packet" nor "change"; a timeline entry is exactly one of them'


def test_it_rejects_unknown_keys_in_the_scenario():
    doc = scenario_doc()
    doc["instance"] = []
    assert only_fault(doc) == (
        "instance: unknown key; allowed keys here: security_groups, instances, timeline, network_acls, prefix_lists, subnets, labels, parameters"
    )


def test_it_rejects_unknown_keys_in_a_packet():
    doc = scenario_doc()
    doc["timeline"][0]["packet"]["sport"] = 5
    assert only_fault(doc) == (
        "timeline[0].packet.sport: unknown key; allowed keys here: src, dst, protocol, icmp_type, icmp_code, icmp_id, flags, via, embedded"
    )


def test_it_ignores_unknown_keys_in_aws_objects():
    doc = scenario_doc()
    doc["security_groups"][0]["Tags"] = [{"Key": "Name", "Value": "web"}]
    doc["security_groups"][0]["SecurityGroupArn"] = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-web"
    assert validate_scenario(doc).faults == ()


def test_it_rejects_duplicate_group_ids():
    doc = scenario_doc()
    doc["security_groups"].append({"GroupId": "sg-web"})
    assert only_fault(doc) == "security_groups[2].GroupId: 'sg-web' is also security_groups[0]; GroupId values must be unique"


def test_it_rejects_duplicate_instance_names():
    doc = scenario_doc()
    doc["instances"][1]["name"] = "web"
    assert only_fault(doc) == "instances[1].name: 'web' is also instances[0]; instance names must be unique"


def test_it_rejects_duplicate_instance_addresses():
    doc = scenario_doc()
    doc["instances"][1]["subnet"] = "subnet-web"
    doc["instances"][1]["private_ip"] = "10.0.1.10"
    assert only_fault(doc) == "instances[1].private_ip: 10.0.1.10 is already an address of instances[0]; each address belongs to one instance"


def test_it_rejects_a_public_ip_that_is_another_instances_address():
    doc = scenario_doc()
    doc["instances"][1]["public_ip"] = "54.0.0.10"
    assert only_fault(doc) == "instances[1].public_ip: 54.0.0.10 is already an address of instances[0]; each address belongs to one instance"


def test_it_rejects_a_packet_touching_no_instance():
    doc = scenario_doc()
    doc["timeline"][0]["packet"]["dst"] = "192.0.2.1:80"
    assert only_fault(doc) == (
        "timeline[0].packet: neither 198.51.100.10 nor 192.0.2.1 is an address of an instance (private_ip, ipv6 or public_ip); "
        "a packet must come from or go to one of the instances"
    )


def test_it_rejects_a_tcp_packet_without_ports():
    doc = scenario_doc()
    doc["timeline"][0]["packet"]["dst"] = "10.0.1.10"
    assert only_fault(doc) == "timeline[0].packet.dst: a tcp packet needs a port here, e.g. 198.51.100.10:50000"


def test_it_rejects_an_icmp_packet_with_a_port():
    doc = scenario_doc()
    doc["timeline"][5]["packet"]["dst"] = "10.0.1.10:80"
    assert only_fault(doc) == "timeline[5].packet.dst: icmp packets have no ports; remove :80"


def test_it_rejects_icmp_between_ipv6_addresses():
    doc = scenario_doc()
    doc["timeline"][4]["packet"] = {"src": "2001:db8::99", "dst": "2001:db8:0:1::10", "protocol": "icmp", "icmp_type": 128}
    assert only_fault(doc) == "timeline[4].packet.protocol: icmp is for IPv4; these addresses are IPv6, so use icmpv6"


def test_it_rejects_an_icmp_packet_without_a_type():
    doc = scenario_doc()
    del doc["timeline"][5]["packet"]["icmp_type"]
    assert only_fault(doc) == "timeline[5].packet.icmp_type: an icmp packet needs an ICMP type here (e.g. 8 = echo request, 0 = echo reply)"


def test_it_rejects_flags_on_a_udp_packet():
    doc = scenario_doc()
    doc["timeline"][0]["packet"]["protocol"] = "udp"
    assert only_fault(doc) == "timeline[0].packet.flags: only tcp packets have flags"


def test_it_rejects_an_unknown_tcp_flag():
    doc = scenario_doc()
    doc["timeline"][0]["packet"]["flags"] = "SYN,XMAS"
    assert only_fault(doc) == "timeline[0].packet.flags: unknown TCP flag XMAS; use SYN, ACK, FIN, RST, PSH, URG"


def test_it_rejects_an_unknown_middlebox():
    doc = scenario_doc()
    doc["timeline"][0]["packet"]["via"] = "my-proxy"
    assert only_fault(doc).startswith("timeline[0].packet.via: 'my-proxy' is not a known middlebox; use one of: egress-only-internet-gateway,")


def test_it_rejects_an_embedded_packet_on_tcp():
    doc = scenario_doc()
    doc["timeline"][0]["packet"]["embedded"] = {"src": "10.0.1.10:80", "dst": "198.51.100.10:50000", "protocol": "tcp"}
    assert only_fault(doc) == "timeline[0].packet.embedded: only an ICMP error carries an embedded packet (icmp types 3, 4, 11, 12, icmpv6 types 1, 2, 3, 4)"


def test_it_rejects_an_embedded_packet_on_an_echo_request():
    doc = scenario_doc()
    doc["timeline"][5]["packet"]["embedded"] = {"src": "10.0.1.10:80", "dst": "198.51.100.10:50000", "protocol": "tcp"}
    assert only_fault(doc) == "timeline[5].packet.embedded: only an ICMP error carries an embedded packet (icmp types 3, 4, 11, 12, icmpv6 types 1, 2, 3, 4)"


def test_it_rejects_an_embedded_packet_inside_an_embedded_packet():
    doc = scenario_doc()
    fields = {"src": "198.51.100.1", "dst": "10.0.1.10", "protocol": "icmp", "icmp_type": 3, "icmp_code": 4}
    error = deepest = dict(fields)
    for _ in range(3):  # deeper than errors.MAX_NESTING is refused before it is read (test_unstorable_values)
        deepest["embedded"] = dict(fields)
        deepest = deepest["embedded"]
    doc["timeline"][5]["packet"] = error
    assert only_fault(doc).startswith("timeline[5].packet.embedded.embedded: unknown key; allowed keys here: src, dst, protocol, ")


def test_it_rejects_an_unknown_parameter():
    doc = scenario_doc()
    doc["parameters"] = {"icmp_timout": 5}
    assert only_fault(doc).startswith("parameters.icmp_timout: unknown parameter; the parameters are: icmp_timeout, ")


def test_it_rejects_a_parameter_of_the_wrong_type():
    doc = scenario_doc()
    doc["parameters"] = {"block_outbound_smtp": "no", "untracked_judged_on": "per-rule"}
    assert faults(doc) == [
        "parameters.block_outbound_smtp: expected true or false, got the string 'no'",
        "parameters.untracked_judged_on: 'per-rule' is not a way to judge untracked flows; use merged or per-group",
    ]


def test_it_rejects_revoking_a_rule_that_is_not_there():
    doc = scenario_doc()
    doc["timeline"][7]["change"]["permission"]["FromPort"] = 81
    doc["timeline"][7]["change"]["permission"]["ToPort"] = 81
    assert only_fault(doc) == (
        "timeline[7].change.permission: sg-web has no inbound rule tcp 81 from 0.0.0.0/0 at this point of the timeline, so there is nothing to revoke"
    )


def test_it_rejects_authorizing_a_rule_twice():
    doc = scenario_doc()
    doc["timeline"].append(dict(doc["timeline"][2], at=8))
    assert only_fault(doc) == "timeline[8].change.permission: sg-web already has this inbound rule (tcp 22 from pl-office); AWS refuses duplicates"


def test_it_rejects_removing_a_nacl_entry_that_is_not_there():
    doc = scenario_doc()
    doc["timeline"][6]["change"]["entry"]["RuleNumber"] = 91
    assert only_fault(doc) == "timeline[6].change.entry: there is no inbound rule 91 at this point of the timeline, so there is nothing to remove"


def test_it_rejects_adding_a_nacl_entry_over_an_existing_number():
    doc = scenario_doc()
    doc["timeline"][3]["change"]["entry"]["RuleNumber"] = 100
    assert only_fault(doc) == "timeline[3].change.entry.RuleNumber: acl-db already has inbound rule 100; remove it first or pick another number"


def test_it_rejects_a_change_with_an_unknown_action():
    doc = scenario_doc()
    doc["timeline"][2]["change"]["action"] = "add"
    assert only_fault(doc) == "timeline[2].change.action: 'add' is not an action here; use authorize or revoke"


def test_it_rejects_a_label_that_is_not_an_address():
    doc = scenario_doc()
    doc["labels"]["web"] = "web server"
    assert only_fault(doc) == "labels.web: 'web' is not an IP address or CIDR; labels name addresses"


def test_it_rejects_a_missing_required_key_once():
    doc = scenario_doc()
    del doc["security_groups"]
    del doc["instances"][0]["private_ip"]
    assert faults(doc)[:2] == ["security_groups: is required", "instances[0].private_ip: is required"]


def test_it_rejects_a_value_of_the_wrong_kind():
    doc = scenario_doc()
    doc["instances"] = {"web": {}}
    assert only_fault(doc).startswith("instances: expected a list [...], got an object")


def test_it_reports_invalid_json_with_line_and_column():
    assert faults('{"security_groups": [],\n "instances" []}') == ["invalid JSON at line 2, column 14: Expecting ':' delimiter"]


def test_a_document_that_is_not_an_object_is_refused():
    assert faults("[1, 2]") == ["expected an object {...}, got a list"]
