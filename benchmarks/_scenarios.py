"""The big sandbox scenario benchmarks/try.py times, shared with the tests that pin what it
measures (tests/test_walkthrough.py: what the process keeps of such a scenario).

5 security groups of 60 inbound rules each on one instance, and 200 timeline entries: a
client's SYN to a port one rule allows, then the server's SYN,ACK back, 100 times over.
"""

GROUPS, RULES, ENTRIES = 5, 60, 200


def big_scenario(variant):
    """The scenario, with ``variant`` in the server's label: each variant is a new content (its
    own content hash), so nothing made from another variant is cached for it."""
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
