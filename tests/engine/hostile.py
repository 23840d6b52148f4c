"""Hypothesis strategies for hostile scenario files: the test scenario with values, keys or
bytes replaced by what crashed readers before (issue 7): numbers of thousands of digits, NaN
and Infinity, nesting 100,000 deep, lone surrogates, NUL, broken UTF-8, plus ordinary JSON of
the wrong kind. Shared by the command-line fuzz test and the admin's."""

import json

from hypothesis import strategies as st

from .data import scenario_doc


def paths(value, prefix=()):
    """Every place in a document a value can be replaced: (container path, key) pairs."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield prefix + (key,)
            yield from paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield prefix + (index,)
            yield from paths(child, prefix + (index,))


PATHS = list(paths(scenario_doc()))


def replaced(replacements):
    """The test scenario with each (path, value) put in its place, in order."""
    doc = scenario_doc()
    for path, value in replacements:
        container = doc
        try:
            for key in path[:-1]:
                container = container[key]
            container[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed this place
    return doc

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=20)
    | st.sampled_from(["10.0.1.10", "10.0.1.10:80", "[2001:db8::1]:443", "0.0.0.0/0", "::/0", "sg-web", "acl-db", "tcp", "-1", "icmp", "pl-office"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)

# Any text, lone surrogates and NUL included (json.dumps writes them as \u escapes).
any_text = st.text(st.characters(blacklist_categories=()), max_size=12)

# Raw JSON that Python's own reader, a database or a UTF-8 encoder chokes on.
raw_json = st.sampled_from(
    ["9" * 4301, "-" + "9" * 5000, str(2**63), str(-(2**63) - 1), "1e400", "-1e400", "NaN", "Infinity", "-Infinity"]
    + ["[" * depth + "]" * depth for depth in (33, 1_000, 100_000)]
    + ['{"a": ' * depth + "1" + "}" * depth for depth in (33, 100_000)]
    + ['"\\ud800"', '"x\\udfff"', '"\\u0000"', '"\\ud83d\\ude00"']
) | any_text.map(json.dumps)


def _marker(number):
    return f"@@hostile-{number}@@"


@st.composite
def hostile_texts(draw, document=scenario_doc):
    """JSON text of a scenario (or of another ``document``: AWS output) with 1-3 replacements:
    values (raw or parsed JSON) or keys."""
    doc = document()
    places = PATHS if document is scenario_doc else list(paths(doc))
    raw = []
    for path in draw(st.lists(st.sampled_from(places), min_size=1, max_size=3)):
        container = doc
        try:
            for key in path[:-1]:
                container = container[key]
            if draw(st.booleans()):
                raw.append(draw(raw_json))
                value = _marker(len(raw) - 1)
            else:
                value = draw(json_values)
            if isinstance(container, dict) and draw(st.booleans()):
                container[draw(any_text)] = container.pop(path[-1])  # the value under a hostile key
            else:
                container[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed this place
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()))
    for number, token in enumerate(raw):
        text = text.replace(json.dumps(_marker(number)), token)
    return text


@st.composite
def hostile_files(draw):
    """The bytes of a scenario file: hostile text, sometimes with bytes spliced in (broken
    UTF-8, a cut-off document)."""
    data = draw(hostile_texts()).encode("utf-8", "surrogatepass")  # a raw surrogate, unescaped
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=6)) + data[at + draw(st.integers(0, 6)):]
    return data
