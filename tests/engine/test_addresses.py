"""Parsing addresses and CIDR blocks: the parses are kept per text, which changes nothing a
caller sees (equal values, the same errors, also for values that are not text)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgviz.engine.addresses import Cidr, IpAddress, parse_cidr, parse_ip


@pytest.mark.parametrize("value", [None, 10, 1.5, ["10.0.0.0/8"], {"CidrIp": "10.0.0.0/8"}])
def test_a_value_that_is_not_text_is_refused_with_a_value_error(value):
    with pytest.raises(ValueError, match="is not"):
        parse_ip(value)
    with pytest.raises(ValueError, match="is not"):
        parse_cidr(value)


def test_a_bad_text_is_refused_every_time_it_is_asked():
    for _ in range(2):
        with pytest.raises(ValueError, match="'10.0.0.0/33' is not an IPv4 CIDR"):
            parse_cidr("10.0.0.0/33", 4)
        with pytest.raises(ValueError, match="'10.0.0.1' is not an IPv6 address"):
            parse_ip("10.0.0.1", 6)


@given(st.ip_addresses(), st.integers(0, 32))
def test_a_parse_asked_again_is_equal_to_the_first(address, bits):
    text = str(address)
    assert parse_ip(text) == parse_ip(text) == IpAddress(address.version, int(address))
    prefix = bits if address.version == 4 else bits * 4
    block = f"{text}/{prefix}"
    assert parse_cidr(block) == parse_cidr(block)
    assert isinstance(parse_cidr(block), Cidr) and parse_cidr(block).prefixlen == prefix
