"""Output of the EC2 API itself (moto's in-process implementation, no network) imports as it comes."""

import boto3
import pytest
from moto import mock_aws

from sgviz.engine import import_network_acls, import_security_group_rules, import_security_groups, security_groups_to_aws
from sgviz.engine.model import ALL_PROTOCOLS, ICMP, TCP, UDP, Direction, GroupRef, NaclAction


@pytest.fixture
def ec2(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield boto3.client("ec2", region_name="us-east-1")


@pytest.fixture
def web_and_db(ec2):
    """A VPC with a web group (HTTP from anywhere, SSH from an office, ping) and a db group
    that lets the web group in and has its default egress rule removed."""
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    web = ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vpc_id)["GroupId"]
    db = ec2.create_security_group(GroupName="db", Description="database tier", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=web,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "HTTP"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "203.0.113.7/24"}]},
            {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]},
        ],
    )
    ec2.authorize_security_group_ingress(
        GroupId=db, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": web}]}]
    )
    ec2.revoke_security_group_egress(GroupId=db, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.authorize_security_group_egress(GroupId=db, IpPermissions=[{"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "10.0.0.2/32"}]}])
    return ec2, vpc_id, web, db


def test_it_imports_describe_security_groups_from_the_ec2_api(web_and_db):
    ec2, vpc_id, web_id, db_id = web_and_db
    response = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    groups, notices = import_security_groups(response)
    assert notices == ()
    by_id = {group.group_id: group for group in groups}
    web, db = by_id[web_id], by_id[db_id]
    assert (web.name, web.vpc_id) == ("web", vpc_id)
    assert {(r.protocol, r.from_port, r.to_port, str(r.peer)) for r in web.ingress} == {
        (TCP, 80, 80, "0.0.0.0/0"), (TCP, 80, 80, "::/0"), (TCP, 22, 22, "203.0.113.0/24"), (ICMP, 8, -1, "10.0.0.0/16"),
    }
    assert [(r.protocol, str(r.peer)) for r in web.egress] == [(ALL_PROTOCOLS, "0.0.0.0/0")]  # a new group's default
    assert [r.peer.group_id for r in db.ingress if isinstance(r.peer, GroupRef)] == [web_id]
    assert [(r.protocol, r.from_port, str(r.peer)) for r in db.egress] == [(UDP, 53, "10.0.0.2/32")]
    assert import_security_groups(security_groups_to_aws(groups))[0] == groups


def test_it_imports_describe_security_group_rules_from_the_ec2_api(web_and_db):
    ec2, _, web_id, db_id = web_and_db
    rules, notices = import_security_group_rules(ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [web_id, db_id]}]))
    assert notices == ()
    assert all(rule.rule_id and rule.rule_id.startswith("sgr-") for rule in rules)
    from_web = [rule for rule in rules if isinstance(rule.peer, GroupRef)]
    assert [(rule.group_id, rule.direction, rule.from_port, rule.peer.group_id) for rule in from_web] == [(db_id, Direction.INGRESS, 5432, web_id)]
    assert any(rule.group_id == web_id and rule.direction is Direction.EGRESS and rule.protocol == ALL_PROTOCOLS for rule in rules)


def test_it_imports_describe_network_acls_from_the_ec2_api(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(
        NetworkAclId=acl_id, RuleNumber=100, Protocol="6", RuleAction="allow", Egress=False, CidrBlock="10.0.1.0/24", PortRange={"From": 5432, "To": 5432}
    )
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=110, Protocol="-1", RuleAction="deny", Egress=True, CidrBlock="192.0.2.0/24")
    association = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])["NetworkAcls"][0]["Associations"]
    ec2.replace_network_acl_association(AssociationId=next(a["NetworkAclAssociationId"] for a in association if a["SubnetId"] == subnet_id), NetworkAclId=acl_id)

    acls, notices = import_network_acls(ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]))
    assert notices == ()
    by_id = {acl.acl_id: acl for acl in acls}
    custom = by_id[acl_id]
    assert custom.subnet_ids == (subnet_id,) and not custom.is_default
    ours = {(e.rule_number, e.egress): e for e in custom.entries}
    assert (ours[100, False].protocol, ours[100, False].port_from, ours[100, False].action) == (TCP, 5432, NaclAction.ALLOW)
    assert (ours[110, True].protocol, str(ours[110, True].cidr), ours[110, True].action) == (ALL_PROTOCOLS, "192.0.2.0/24", NaclAction.DENY)
    default = next(acl for acl in acls if acl.is_default)
    assert any(entry.action is NaclAction.ALLOW and entry.cidr.is_everything for entry in default.entries)
