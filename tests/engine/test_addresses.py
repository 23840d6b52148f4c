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


@pytest.mark.parametrize(
    ("text", "version", "message"),
    [
        ("203.0.113.300/32", 4, "'203.0.113.300/32' is not an IPv4 CIDR: write four numbers 0-255 and a prefix length 0-32, e.g. 203.0.113.5/32"),
        ("2001:db8::/129", 6, "'2001:db8::/129' is not an IPv6 CIDR: write an IPv6 address and a prefix length 0-128, e.g. 2001:db8::/32"),
        ("10.0.0.5", 4, "'10.0.0.5' is not an IPv4 CIDR: add a prefix length, e.g. 10.0.0.5/32 for this address alone"),
        ("2001:db8::1", None, "'2001:db8::1' is not a CIDR: add a prefix length, e.g. 2001:db8::1/128 for this address alone"),
        ("10.0.0.5", 6, "'10.0.0.5' is not an IPv6 CIDR: write an IPv6 address and a prefix length 0-128, e.g. 2001:db8::/32"),
    ],
)
def test_a_bad_cidr_is_told_how_to_write_one(text, version, message):
    with pytest.raises(ValueError) as raised:
        parse_cidr(text, version)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("text", "version", "message"),
    [
        ("10.0.2.300", 4, "'10.0.2.300' is not an IPv4 address: write four numbers 0-255, e.g. 10.0.1.10"),
        ("10.0.0.1", 6, "'10.0.0.1' is not an IPv6 address: write e.g. 2001:db8::10"),
        ("web", None, "'web' is not an IP address: write e.g. 10.0.1.10 or 2001:db8::10"),
    ],
)
def test_a_bad_address_is_told_how_to_write_one(text, version, message):
    with pytest.raises(ValueError) as raised:
        parse_ip(text, version)
    assert str(raised.value) == message
