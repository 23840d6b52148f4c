"""The rule tables' intervals are built by a sweep over the cut points (sgviz/engine/matching.py):
each interval reads only the rules covering it. The sweep must give exactly the tables the
straightforward construction gave, every rule tested against every interval, kept here as the
reference: the same buckets, in the same order, and the same point-to-interval map."""

from hypothesis import given
from hypothesis import strategies as st

from sgviz.engine.addresses import Cidr
from sgviz.engine.matching import HIGHEST_POINT, POINTS, _Compiled, _PointTable


def reference_buckets(compiled):
    """Every item tested against every interval (the construction before the sweep)."""
    cuts = {0}
    for item in compiled:
        cuts.add(item.low)
        if item.high < HIGHEST_POINT:
            cuts.add(item.high + 1)
    starts = sorted(cuts)
    ends = starts[1:] + [POINTS]
    buckets = []
    for start, end in zip(starts, ends):
        by_mask, prefixes = {}, {}
        for item in compiled:
            if item.low <= start and item.high >= end - 1:
                networks = by_mask.setdefault(item.cidr.mask, {})
                prefixes[item.cidr.mask] = item.cidr.prefixlen
                if networks.get(item.cidr.network, item.index + 1) > item.index:
                    networks[item.cidr.network] = item.index
        buckets.append(tuple(sorted(by_mask.items(), key=lambda pair: -prefixes[pair[0]])))
    return buckets, starts, ends


# Few distinct ports, prefixes and networks, so that spans share ends, nest and repeat, and
# several rules name one network; the axis's two ends and an inverted span are included.
points = st.sampled_from([0, 1, 22, 80, 443, 444, 1024, HIGHEST_POINT - 1, HIGHEST_POINT])
cidrs = st.builds(
    lambda prefixlen, network: Cidr(4, network & Cidr(4, 0, prefixlen).mask, prefixlen),
    st.sampled_from([0, 8, 24, 32]),
    st.sampled_from([0, 0x0A000000, 0x0A000001, 0xC6336401]),
)


@st.composite
def compiled_items(draw):
    items = []
    for index in range(draw(st.integers(0, 14))):
        low, high = draw(points), draw(points)
        if draw(st.integers(0, 9)):  # mostly ordered spans, sometimes an inverted one
            low, high = min(low, high), max(low, high)
        # An index can repeat: one rule gives one item per CIDR its peer resolves to.
        items.append(_Compiled(low, high, draw(cidrs), draw(st.sampled_from([index, max(index - 1, 0)]))))
    return items


@given(compiled_items())
def test_the_sweep_builds_the_tables_the_full_scan_built(items):
    table = _PointTable(items)
    buckets, starts, ends = reference_buckets(items)
    assert table.buckets == buckets
    # Equal dicts may differ in order; the order decides nothing in matching, but pin it too.
    assert [[list(networks.items()) for _, networks in bucket] for bucket in table.buckets] == [
        [list(networks.items()) for _, networks in bucket] for bucket in buckets
    ]
    assert len(table.interval) == POINTS
    for position, (start, end) in enumerate(zip(starts, ends)):
        assert table.interval[start] == position and table.interval[end - 1] == position
