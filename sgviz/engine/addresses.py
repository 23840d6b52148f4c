"""IP addresses and CIDR blocks as plain integers.

The engine compares addresses millions of times per second, so an address is an
``(version, int)`` pair and a CIDR is a network integer plus a prefix length; the
``ipaddress`` module is used only to parse and print.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from functools import lru_cache

_BITS = {4: 32, 6: 128}


@dataclass(frozen=True, slots=True, order=True)
class IpAddress:
    version: int
    value: int

    def __str__(self) -> str:
        if self.version == 4:  # by hand: the explanations print addresses for every packet, and ipaddress is 10x slower
            value = self.value
            return f"{value >> 24}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"
        return str(ipaddress.IPv6Address(self.value))


@dataclass(frozen=True, slots=True)
class Cidr:
    """A canonical CIDR block: ``network`` has no host bits set."""

    version: int
    network: int
    prefixlen: int
    mask: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        bits = _BITS[self.version]
        object.__setattr__(self, "mask", ((1 << bits) - 1) ^ ((1 << (bits - self.prefixlen)) - 1))

    def contains(self, address: IpAddress) -> bool:
        return address.version == self.version and (address.value & self.mask) == self.network

    @property
    def is_everything(self) -> bool:
        """True for 0.0.0.0/0 and ::/0, the blocks that decide whether a flow is untracked."""
        return self.prefixlen == 0

    def __str__(self) -> str:
        if self.version == 4:
            return f"{IpAddress(4, self.network)}/{self.prefixlen}"
        return str(ipaddress.IPv6Network((self.network, self.prefixlen)))


# Parsed texts kept, of each kind: a scenario edited and checked again (the sandbox checks it
# on every change) names the same addresses and blocks, and ``ipaddress`` was a third of the
# check (5 x 60 rules, 200 packets: 8.1 -> 5.5 ms). Few enough that the objects kept add
# little to what a full garbage collection scans (player.walkthrough's cache bound).
PARSES_CACHED = 1024


# How to write each kind, said after what is wrong: a learner reads both at the field.
_HOW_ADDRESS = {
    4: "write four numbers 0-255, e.g. 10.0.1.10",
    6: "write e.g. 2001:db8::10",
    None: "write e.g. 10.0.1.10 or 2001:db8::10",
}
_HOW_CIDR = {
    4: "write four numbers 0-255 and a prefix length 0-32, e.g. 203.0.113.5/32",
    6: "write an IPv6 address and a prefix length 0-128, e.g. 2001:db8::/32",
    None: "write an address and a prefix length, e.g. 203.0.113.0/24 or 2001:db8::/32",
}


def _not_an_address(text: object, version: int | None) -> ValueError:
    kind = f"an IPv{version} address" if version else "an IP address"
    return ValueError(f"{text!r} is not {kind}: {_HOW_ADDRESS[version]}")


def parse_ip(text: str, version: int | None = None) -> IpAddress:
    """Parse an IPv4 or IPv6 address; raises ValueError with a readable message."""
    if not isinstance(text, str):
        raise _not_an_address(text, version)
    return _parse_ip_text(text, version)


@lru_cache(maxsize=PARSES_CACHED)
def _parse_ip_text(text: str, version: int | None) -> IpAddress:
    try:
        parsed = ipaddress.ip_address(text.strip())
    except ValueError:
        raise _not_an_address(text, version) from None
    if version is not None and parsed.version != version:
        raise _not_an_address(text, version)
    return IpAddress(parsed.version, int(parsed))


def parse_cidr(text: str, version: int | None = None) -> Cidr:
    """Parse a CIDR, canonicalising host bits away as AWS does (2.2.2.2/28 -> 2.2.2.0/28)."""
    if not isinstance(text, str):
        raise _not_a_cidr(text, version)
    return _parse_cidr_text(text, version)


def _not_a_cidr(text: object, version: int | None, how: str | None = None) -> ValueError:
    kind = f"an IPv{version} CIDR" if version else "a CIDR"
    return ValueError(f"{text!r} is not {kind}: {how or _HOW_CIDR[version]}")


@lru_cache(maxsize=PARSES_CACHED)
def _parse_cidr_text(text: str, version: int | None) -> Cidr:
    if "/" not in text:
        try:
            address = ipaddress.ip_address(text.strip())
        except ValueError:
            raise _not_a_cidr(text, version) from None
        if version is None or address.version == version:  # an address alone: only the prefix length is missing
            raise _not_a_cidr(text, version, f"add a prefix length, e.g. {address}/{_BITS[address.version]} for this address alone")
        raise _not_a_cidr(text, version)
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise _not_a_cidr(text, version) from None
    if version is not None and network.version != version:
        raise _not_a_cidr(text, version)
    return Cidr(network.version, int(network.network_address), network.prefixlen)
