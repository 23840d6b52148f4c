"""Sandbox scenarios the benchmarks time and the tests that check the same limits post.

Importable as ``benchmarks._scenarios`` (the project's folder on ``sys.path``): it reads the
sandbox's caps from ``sandbox.document``, which is pure (no Django).
"""

from sandbox import document as caps

GROUPS, RULES, ENTRIES = 5, 60, 200


def big_scenario(variant=0):
    """A valid scenario of GROUPS security groups of RULES inbound rules each on one instance,
    and ENTRIES timeline entries (SYNs and their SYN,ACK replies); ``variant`` is written into
    a label, so that two variants differ in content (and in content hash) and nothing else."""
    groups = [
        {
            "GroupId": f"sg-{g}",
            "IpPermissions": [
                {"IpProtocol": "tcp", "FromPort": 1000 + g * RULES + r, "ToPort": 1000 + g * RULES + r, "IpRanges": [{"CidrIp": f"198.51.{g}.{r}/32"}]}
                for r in range(RULES)
            ],
            "IpPermissionsEgress": [],
        }
        for g in range(GROUPS)
    ]
    timeline = []
    for i in range(ENTRIES):
        port = 1000 + i % (GROUPS * RULES)
        client = f"198.51.{(port - 1000) // RULES}.{(port - 1000) % RULES}"
        if i % 2 == 0:
            packet = {"src": f"{client}:{40000 + i}", "dst": f"10.0.0.10:{port}", "protocol": "tcp", "flags": "SYN"}
        else:
            previous = timeline[-1]["packet"]
            packet = {"src": previous["dst"], "dst": previous["src"], "protocol": "tcp", "flags": "SYN,ACK"}
        timeline.append({"at": i, "packet": packet})
    return {
        "security_groups": groups,
        "instances": [{"name": "server", "private_ip": "10.0.0.10", "security_groups": [g["GroupId"] for g in groups]}],
        "labels": {"10.0.0.10": f"server {variant}"},
        "timeline": timeline,
    }


# A network ACL entry as the editor writes back its empty fields: stored as is by a Save.
BLANK_ENTRY = {"RuleNumber": 1, "Egress": False, "RuleAction": "allow", "Protocol": "", "CidrBlock": ""}


def editor_at_the_caps(variant=0):
    """The document whose editor has the most fields the sandbox's caps allow: every list at
    its cap at once (groups and their rules both ways, instances, subnets, network ACLs and
    their entries, prefix lists, the timeline), each row as small as the editor writes it back, so that it
    fits the document-size cap and a Save of the page stores it unchanged. Most rows are
    incomplete, as a learner's draft may be: the page shows their faults at their fields.
    Every ACL is marked default (a checked checkbox is posted), and the timeline's entries
    are network ACL changes, the kind of row with the most fields. ``variant`` is written
    into a label."""
    return {
        "security_groups": [
            {
                "GroupId": f"sg-{g}",
                "IpPermissions": [{"IpProtocol": ""} for _ in range(caps.MAX_RULES_PER_DIRECTION)],
                "IpPermissionsEgress": [{"IpProtocol": ""} for _ in range(caps.MAX_RULES_PER_DIRECTION)],
            }
            for g in range(caps.MAX_GROUPS)
        ],
        "instances": [{"name": f"i{i}", "private_ip": f"10.0.{i}.10", "security_groups": ["sg-0"]} for i in range(caps.MAX_INSTANCES)],
        "subnets": [{"id": f"subnet-{s}", "cidr": f"10.0.{s}.0/24"} for s in range(caps.MAX_SUBNETS)],
        "network_acls": [
            {"NetworkAclId": f"acl-{a}", "Associations": [], "IsDefault": True, "Entries": [dict(BLANK_ENTRY) for _ in range(caps.MAX_NACL_ENTRIES)]}
            for a in range(caps.MAX_NETWORK_ACLS)
        ],
        "prefix_lists": {f"pl-{p}": [] for p in range(caps.MAX_PREFIX_LISTS)},
        "labels": {"10.0.0.10": f"server {variant}"},
        "timeline": [{"at": t, "change": {"network_acl": "acl-0", "action": "add", "entry": dict(BLANK_ENTRY)}} for t in range(caps.MAX_TIMELINE_ENTRIES)],
    }
