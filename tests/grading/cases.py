"""The seed lesson's practice content and worked answers, defined once for the grading tests,
the practice app's tests and the benchmark."""

import copy
import json
from pathlib import Path

CONTENT = json.loads((Path(__file__).resolve().parents[2] / "practice" / "content" / "stateful-security-groups.json").read_text())
PUZZLES = {puzzle["slug"]: puzzle for puzzle in CONTENT["puzzles"]}
PROJECT = CONTENT["projects"][0]
WEB = "sg-0a1b2c3d4e5f60001"


def puzzle_doc(slug):
    return {key: copy.deepcopy(PUZZLES[slug][key]) for key in ("scenario", "goals", "constraints")}


def starting_groups(slug):
    return copy.deepcopy(PUZZLES[slug]["scenario"]["security_groups"])


def tcp(port, **peer):
    """An IpPermission for one TCP port: tcp(80, cidr="0.0.0.0/0") or tcp(80, group="sg-lb")."""
    permission = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
    if "cidr" in peer:
        permission["IpRanges"] = [{"CidrIp": peer["cidr"]}]
    else:
        permission["UserIdGroupPairs"] = [{"GroupId": peer["group"]}]
    return permission


ALL_OUT = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


def web_group(inbound, outbound=()):
    return [{"GroupId": WEB, "GroupName": "web-server", "IpPermissions": list(inbound), "IpPermissionsEgress": list(outbound)}]


# One answer that solves each seed puzzle.
SOLUTIONS = {
    "answer-without-outbound": web_group([tcp(80, cidr="0.0.0.0/0")]),
    "ssh-from-office-only": web_group([tcp(80, cidr="0.0.0.0/0"), tcp(22, cidr="203.0.113.7/32")]),
    "untracked-port-80": web_group([tcp(80, cidr="0.0.0.0/0")], [ALL_OUT]),
}


def group(group_id, inbound, outbound):
    return {"GroupId": group_id, "IpPermissions": list(inbound), "IpPermissionsEgress": list(outbound)}


# The three-tier project secured with group references and the one world rule it allows.
PROJECT_SOLUTION = [
    group("sg-lb", [tcp(443, cidr="0.0.0.0/0")], [tcp(80, group="sg-web")]),
    group("sg-web", [tcp(80, group="sg-lb")], [tcp(8080, group="sg-app")]),
    group("sg-app", [tcp(8080, group="sg-web")], [tcp(5432, group="sg-db")]),
    group("sg-db", [tcp(5432, group="sg-app")], []),
]


def project_task():
    return copy.deepcopy(PROJECT["task"])
