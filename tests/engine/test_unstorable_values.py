"""Values no database or page can hold are refused wherever they are, with their path, and
scenarios over the size limits are refused where a limit is asked for (issue 7, items 4-6)."""

import json

import pytest

from sgviz.engine import LESSON_LIMITS, ScenarioError, import_security_groups, load_scenario, validate_scenario
from sgviz.engine.errors import MAX_NESTING, MAX_WHOLE_NUMBER

from .data import scenario_doc

TAGS = "security_groups[0].Tags"
TOO_LARGE = f"numbers in a scenario are at most {MAX_WHOLE_NUMBER} (2^63-1, a 64-bit integer)"


def faults(doc, **kwargs) -> list[str]:
    scenario, found, _ = validate_scenario(doc, **kwargs)
    assert scenario is None
    return [str(fault) for fault in found]


def tagged(value):
    """The test scenario with ``value`` under a key the format ignores (AWS's Tags)."""
    doc = scenario_doc()
    doc["security_groups"][0]["Tags"] = [{"Key": "note", "Value": value}]
    return doc


def nested(levels):
    """``levels`` lists, each inside the one before, built without recursion."""
    outer = inner = []
    for _ in range(levels - 1):
        inner.append([])
        inner = inner[0]
    return outer


class TestLongNumbers:
    def test_a_number_of_4301_digits_in_json_text_is_a_fault_with_its_path(self):
        text = json.dumps(tagged(0)).replace('"Value": 0', '"Value": ' + "9" * 4301)
        assert faults(text) == [f"{TAGS}[0].Value: a whole number of 4,301 digits is too large; {TOO_LARGE}, "
                                "which is all a database stores exactly: write a smaller number"]

    def test_load_scenario_raises_a_scenario_error_naming_the_path(self):
        text = json.dumps(scenario_doc()).replace('"FromPort": 80', '"FromPort": -' + "9" * 5000, 1)
        with pytest.raises(ScenarioError) as caught:
            load_scenario(text)
        [fault] = caught.value.faults
        assert fault.path == "security_groups[0].IpPermissions[0].FromPort" and "5,000 digits" in fault.message

    @pytest.mark.parametrize("key", ["at", "FromPort"])
    def test_a_huge_number_built_in_python_is_a_fault_too(self, key):
        # A time of 10**400 raised OverflowError in math.isfinite; a port, ValueError printing it.
        doc = scenario_doc()
        where = doc["timeline"][0] if key == "at" else doc["security_groups"][0]["IpPermissions"][0]
        where[key] = 10**5000
        [fault] = faults(doc)
        assert "a whole number of more than 4,300 digits is too large" in fault

    def test_the_largest_64_bit_integer_is_stored_and_one_more_is_not(self):
        assert validate_scenario(tagged(MAX_WHOLE_NUMBER)).faults == ()
        assert validate_scenario(tagged(-MAX_WHOLE_NUMBER)).faults == ()
        assert faults(tagged(MAX_WHOLE_NUMBER + 1)) == [f"{TAGS}[0].Value: a whole number of 19 digits is too large; {TOO_LARGE}, "
                                                        "which is all a database stores exactly: write a smaller number"]


class TestNotANumber:
    @pytest.mark.parametrize("value, word", [(float("nan"), "NaN"), (float("inf"), "Infinity"), (float("-inf"), "-Infinity")])
    def test_nan_and_infinity_are_refused_even_under_an_ignored_key(self, value, word):
        [fault] = faults(tagged(value))
        assert fault.startswith(f"{TAGS}[0].Value: {word} is not a number JSON allows")

    def test_json_text_with_nan_or_a_number_beyond_floats_is_refused(self):
        text = json.dumps(tagged(0)).replace('"Value": 0', '"Value": NaN').replace('"at": 0', '"at": 1e400', 1)
        assert [fault.split(":")[0] for fault in faults(text)] == [f"{TAGS}[0].Value", "timeline[0].at"]
        assert "a number as large as 1e400 reads as Infinity" in faults(text)[1]


class TestText:
    def test_a_lone_surrogate_in_a_label_is_refused(self):
        doc = scenario_doc()
        doc["labels"]["10.0.1.10"] = "web \ud800"
        assert faults(doc) == ["labels.10.0.1.10: contains a lone surrogate (\\ud800) at position 4: half of a UTF-16 pair, "
                               "which cannot be stored or shown as text; remove it or write the whole character"]

    def test_a_lone_surrogate_written_as_an_escape_in_json_text_is_refused(self):
        doc = scenario_doc()
        doc["security_groups"][0]["Description"] = "PLACEHOLDER"
        text = json.dumps(doc).replace("PLACEHOLDER", "db \\udfff")
        [fault] = faults(text)
        assert fault.startswith("security_groups[0].Description: contains a lone surrogate (\\udfff)")

    def test_a_surrogate_pair_is_one_character_and_fine(self):
        doc = scenario_doc()
        doc["labels"]["10.0.1.10"] = "web 😀"
        assert validate_scenario(json.dumps(doc, ensure_ascii=True)).faults == ()

    def test_a_nul_character_is_refused(self):
        doc = scenario_doc()
        doc["labels"]["10.0.1.10"] = "web\x00"
        assert faults(doc) == ["labels.10.0.1.10: contains the NUL character (\\u0000) at position 3, which PostgreSQL cannot store: remove it"]

    def test_a_key_with_a_lone_surrogate_is_named_with_the_character_escaped(self):
        [fault] = faults(tagged({"\ud83d": 1}))
        assert fault.startswith(f"{TAGS}[0].Value.\\ud83d: this key contains a lone surrogate (\\ud83d) at position 0")
        fault.encode("utf-8")  # printable: the path itself holds no surrogate


class TestNesting:
    def test_json_nested_100000_deep_is_refused_with_its_line_and_column(self):
        text = '{"security_groups": [],\n "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
        [fault] = faults(text)
        assert fault.startswith(f"invalid JSON at line 2, column {7 + MAX_NESTING - 1}: nested more than {MAX_NESTING} levels deep")

    def test_a_document_nested_100000_deep_is_refused_at_the_first_level_too_deep(self):
        [fault] = faults(tagged(nested(100_000)))
        # Above Value's list: the document, security_groups, the group, Tags and its object.
        path = f"{TAGS}[0].Value" + "[0]" * (MAX_NESTING - 5)
        assert fault == (f"{path}: nested more than {MAX_NESTING} levels deep; nothing in a scenario is more than 8 levels down "
                         "(security_groups.SecurityGroups[0].IpPermissions[0].IpRanges[0].CidrIp): remove or flatten it")

    def test_nesting_up_to_the_limit_is_fine(self):
        # The document, security_groups, the group, Tags and its object hold Value: 5 levels.
        assert validate_scenario(tagged(nested(MAX_NESTING - 5))).faults == ()
        assert faults(tagged(nested(MAX_NESTING - 4)))


def test_every_unstorable_value_is_reported_in_document_order():
    doc = tagged([float("nan"), "\x00", 10**30])
    doc["labels"]["10.0.1.10"] = "\udc00"
    assert [fault.split(": ")[0] for fault in faults(doc)] == [f"{TAGS}[0].Value[0]", f"{TAGS}[0].Value[1]", f"{TAGS}[0].Value[2]", "labels.10.0.1.10"]


def test_the_aws_importers_refuse_them_too():
    groups = {"SecurityGroups": [{"GroupId": "sg-1", "Tags": [{"Key": "k", "Value": float("nan")}]}]}
    with pytest.raises(ScenarioError) as caught:
        import_security_groups(groups)
    assert [fault.path for fault in caught.value.faults] == ["SecurityGroups[0].Tags[0].Value"]


class TestSizeLimits:
    def timeline_of(self, entries):
        doc = scenario_doc()
        packet = {"at": 100, "packet": {"src": "198.51.100.10:50000", "dst": "10.0.1.10:443", "protocol": "tcp", "flags": "SYN"}}
        doc["timeline"] += [packet] * (entries - len(doc["timeline"]))
        return doc

    def test_a_lesson_at_the_limits_is_valid(self):
        doc = self.timeline_of(LESSON_LIMITS.timeline_entries)
        assert len(json.dumps(doc, indent=2).encode()) < LESSON_LIMITS.document_bytes
        assert validate_scenario(doc, limits=LESSON_LIMITS).faults == ()

    def test_one_entry_more_is_refused_with_the_limit_named(self):
        doc = self.timeline_of(LESSON_LIMITS.timeline_entries + 1)
        assert faults(doc, limits=LESSON_LIMITS) == [
            "timeline: 501 entries are more than the 500 a lesson can play; split the lesson in two, or keep the packets that teach something"
        ]

    def test_a_document_over_the_byte_limit_is_refused(self):
        doc = tagged("x" * LESSON_LIMITS.document_bytes)
        [fault] = faults(doc, limits=LESSON_LIMITS)
        assert fault.startswith("the scenario is ") and "more than the 131,072 (128 KiB) a lesson can hold and still be edited" in fault

    def test_the_bytes_are_counted_as_the_admin_shows_the_document_indented_in_utf8(self):
        compact = tagged("é" * (LESSON_LIMITS.document_bytes // 2))  # 2 bytes each in UTF-8
        assert len(json.dumps(compact, separators=(",", ":"), ensure_ascii=False)) < LESSON_LIMITS.document_bytes
        assert faults(compact, limits=LESSON_LIMITS)

    def test_without_limits_any_size_is_valid(self):
        doc = self.timeline_of(LESSON_LIMITS.timeline_entries * 4)
        assert validate_scenario(doc).faults == ()
