"""``python -m sgviz.engine run``, run as a user runs it: a subprocess, its output and exit status."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sgviz.engine.scenario import INSTANCE_KEYS

from .data import SEED, scenario_doc

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sgviz.engine", *args], cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=60)


@pytest.fixture
def write(tmp_path):
    def write(doc, name="scenario.json") -> str:
        path = tmp_path / name
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
        return str(path)

    return write


def test_jsonl_gives_the_seed_lesson_verdicts():
    done = run("run", str(SEED), "--format", "jsonl")
    assert done.returncode == 0 and done.stderr == ""
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["index"], r["at"], r["verdict"], r["basis"], r["tracked"]) for r in records] == [
        (0, 0, "ALLOW", "rule", True),
        (1, 1, "ALLOW", "state", None),
        (2, 2, "DROP", "no-match", None),
        (3, 3, "DROP", "no-match", None),
    ]
    assert records[0]["rule"] == {
        "GroupId": "sg-0a1b2c3d4e5f60001", "IsEgress": False, "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
        "CidrIpv4": "0.0.0.0/0", "Description": "HTTP from anywhere",
    }
    assert [r["rule"] for r in records[1:]] == [None, None, None]
    assert records[1]["explanation"] == "Allowed without an outbound rule: reply to the tracked connection 198.51.100.10:50000 → 10.0.1.10:80/tcp."
    assert all(set(r) == {"index", "at", "verdict", "basis", "tracked", "rule", "explanation"} for r in records)


def test_text_is_a_table_with_a_row_per_entry():
    done = run("run", str(SEED))
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["#", "at", "packet", "verdict", "basis", "tracked", "why"]
    assert lines[1].startswith("0  0s  198.51.100.10:50000 → 10.0.1.10:80/tcp  ✓ ALLOW  rule      yes      Allowed by inbound rule tcp port 80")
    assert "✓ ALLOW  state" in lines[2] and "✗ DROP   no-match" in lines[3] and "✗ DROP   no-match" in lines[4]
    assert lines[-1] == "labels: 198.51.100.10 = IP A, 10.0.1.10 = web server"


def test_jsonl_counts_changes_in_the_index_but_prints_only_packets(write):
    done = run("run", write(scenario_doc()), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["index"] for r in records] == [0, 1, 4, 5]
    assert records[0]["tracked"] is False  # HTTP from anywhere with all outbound allowed: untracked


def test_text_shows_changes(write):
    done = run("run", write(scenario_doc()))
    assert done.returncode == 0
    change_rows = [line for line in done.stdout.splitlines() if "  change  " in line]
    assert len(change_rows) == 4 and change_rows[0].startswith("2  2s  change")


def test_the_deciding_nacl_entry_is_printed_in_aws_shape(write):
    doc = scenario_doc()
    doc["timeline"][1]["at"] = 3.5  # after rule 90 denies the web server
    doc["timeline"].insert(3, doc["timeline"].pop(1))
    done = run("run", write(doc), "--format", "jsonl")
    denied = json.loads(done.stdout.splitlines()[1])
    assert (denied["verdict"], denied["basis"]) == ("DROP", "nacl")
    assert denied["rule"] == {"RuleNumber": 90, "Protocol": "6", "RuleAction": "deny", "Egress": False, "CidrBlock": "10.0.1.10/32", "PortRange": {"From": 5432, "To": 5432}}


def test_bad_input_exits_2_with_one_line_per_fault_and_no_traceback(write):
    doc = scenario_doc()
    doc["security_groups"][0]["IpPermissions"][0]["IpRanges"][0]["CidrIp"] = "10.0.0.0/33"
    doc["instances"][0]["connection_tracking"] = {"UdpTimeout": 90}
    path = write(doc)
    done = run("run", path, "--format", "jsonl")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: security_groups[0].IpPermissions[0].IpRanges[0].CidrIp: '10.0.0.0/33' is not an IPv4 CIDR: write four numbers 0-255 and a prefix length 0-32, e.g. 203.0.113.5/32",
        "error: instances[0].connection_tracking.UdpTimeout: 90 is outside 30-60 (seconds, AWS's range for UdpTimeout)",
        f"{path}: 2 errors; nothing was run",
    ]
    assert "Traceback" not in done.stderr


def test_invalid_json_exits_2_naming_line_and_column(write):
    path = write('{\n  "security_groups": [,]\n}')
    done = run("run", path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["error: invalid JSON at line 2, column 23: Expecting value", f"{path}: 1 error; nothing was run"]


def test_an_unreadable_file_exits_2(tmp_path):
    done = run("run", str(tmp_path / "missing.json"))
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == "error: cannot read the file: No such file or directory"
    assert "Traceback" not in done.stderr


def test_a_file_that_is_not_utf8_exits_2(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"labels": {"10.0.0.1": "caf\xe9"}}')
    done = run("run", str(path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0].startswith("error: unreadable JSON: 'utf-8' codec can't decode byte 0xe9")


@pytest.mark.parametrize("command", [("check",), ("run",), ("run", "--format", "jsonl")])
def test_a_number_of_4301_digits_exits_2_naming_its_path(write, command):
    path = write(json.dumps(scenario_doc()).replace('"at": 0', '"at": ' + "9" * 4301, 1))
    done = run(*command, path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [
        "error: timeline[0].at: a whole number of 4,301 digits is too large; numbers in a scenario are at most "
        "9223372036854775807 (2^63-1, a 64-bit integer), which is all a database stores exactly: write a smaller number",
        f"{path}: 1 error; nothing was run",
    ]


@pytest.mark.parametrize("command, place", [(("run",), "label"), (("run", "--format", "jsonl"), "Description"), (("check",), "label")])
def test_a_lone_surrogate_is_refused_by_check_and_run_alike(write, command, place):
    # run printed the label (text) or the rule's Description (jsonl) and died of UnicodeEncodeError.
    doc = scenario_doc()
    if place == "label":
        doc["labels"]["10.0.1.10"] = "web \ud800"
    else:
        doc["security_groups"][0]["IpPermissions"][0]["IpRanges"][0]["Description"] = "\udc80"
    path = write(doc)
    done = run(*command, path)
    assert (done.returncode, done.stdout) == (2, "")
    [error, summary] = done.stderr.splitlines()
    assert error.startswith("error: ") and "contains a lone surrogate" in error and summary == f"{path}: 1 error; nothing was run"


def test_a_key_with_a_line_break_stays_on_its_faults_line(write):
    doc = scenario_doc()
    doc["instances"][0]["na\nme"] = doc["instances"][0].pop("name")
    done = run("check", write(doc))
    assert done.returncode == 2
    allowed = ", ".join(INSTANCE_KEYS)
    assert done.stderr.splitlines()[0] == f"error: instances[0].na\\u000ame: unknown key; allowed keys here: {allowed}"


def test_nan_under_an_ignored_key_and_deep_nesting_are_faults_too(write):
    text = json.dumps(scenario_doc()).replace('"GroupName": "web"', '"GroupName": "web", "Tags": [NaN]', 1)
    path = write(text.replace('"labels": {', '"deep": ' + "[" * 50_000 + "]" * 50_000 + ', "labels": {', 1))
    done = run("check", path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0].startswith("error: invalid JSON at line 1, column ")  # the nesting, found while parsing
    path = write(text)
    assert run("check", path).stderr.splitlines()[0].startswith("error: security_groups[0].Tags[0]: NaN is not a number JSON allows")


def test_warnings_go_to_stderr_and_the_run_succeeds(write):
    doc = scenario_doc()
    doc["security_groups"][1]["IpPermissions"][0]["UserIdGroupPairs"].append({"GroupId": "sg-in-another-vpc"})
    done = run("run", write(doc), "--format", "jsonl")
    assert done.returncode == 0
    assert done.stderr.splitlines() == [
        "warning: security_groups[1].IpPermissions[0].UserIdGroupPairs[1].GroupId: sg-in-another-vpc is not defined here, "
        "so this rule matches no address (the group may be in another VPC or account)"
    ]
    assert len(done.stdout.splitlines()) == 4


def test_a_real_aws_export_runs_as_the_scenario_groups(write):
    groups = json.loads((Path(__file__).parent / "data" / "aws" / "hybrid-cloud-describe-security-groups.json").read_text())
    doc = {
        "security_groups": groups,
        "instances": [{"name": "rds", "private_ip": "10.193.0.5", "security_groups": ["sg-55510831"]}],
        "timeline": [{"at": 0, "packet": {"src": "10.193.7.7:40000", "dst": "10.193.0.5:3306", "protocol": "tcp"}}],
    }
    done = run("run", write(doc), "--format", "jsonl")
    assert done.returncode == 0
    assert json.loads(done.stdout)["verdict"] == "ALLOW"
    assert done.stderr.startswith("warning: security_groups.SecurityGroups[1].IpPermissions[0].UserIdGroupPairs[0].GroupId: sg-cf3f86b3")


def test_check_validates_without_running(write):
    path = write(scenario_doc())
    done = run("check", path)
    # 8 timeline entries, 4 of them rule changes: steps are packets, as everywhere else
    assert (done.returncode, done.stdout) == (0, f"{path}: valid (4 packets, the steps a lesson walks through)\n")


def test_an_unknown_format_is_a_usage_error():
    done = run("run", str(SEED), "--format", "csv")
    assert done.returncode == 2 and "invalid choice: 'csv'" in done.stderr


def test_the_worked_example_in_the_docs_is_a_real_run():
    docs = (ROOT / "docs" / "engine.md").read_text()
    assert run("run", "examples/seed-lesson.json", "--format", "jsonl").stdout in docs
    assert run("run", "examples/seed-lesson.json").stdout.rstrip("\n") in docs
