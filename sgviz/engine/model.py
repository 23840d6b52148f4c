"""The scenario as frozen data: what the engine is given.

Everything here is immutable and hashable, so a scenario can be shared between runs and
the same scenario always gives the same results. ``scenario.py`` builds these objects from
JSON (and validates it); ``simulation.py`` runs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Mapping, Union

from .addresses import Cidr, IpAddress
from .params import Parameters

# IANA protocol numbers for the protocols whose ports (or ICMP type/code) rules look at.
ALL_PROTOCOLS = -1
ICMP = 1
TCP = 6
UDP = 17
ICMPV6 = 58
PROTOCOL_NAMES = {TCP: "tcp", UDP: "udp", ICMP: "icmp", ICMPV6: "icmpv6", ALL_PROTOCOLS: "-1"}


class Direction(str, Enum):
    INGRESS = "ingress"
    EGRESS = "egress"


@dataclass(frozen=True, slots=True)
class PrefixListRef:
    prefix_list_id: str


@dataclass(frozen=True, slots=True)
class GroupRef:
    """A rule's peer that is another security group (matches that group's private IPs)."""

    group_id: str
    user_id: str | None = None
    vpc_id: str | None = None
    vpc_peering_connection_id: str | None = None


Peer = Union[Cidr, PrefixListRef, GroupRef]


@dataclass(frozen=True, slots=True)
class Rule:
    """One security group rule with exactly one peer (the describe-security-group-rules grain).

    ``from_port``/``to_port`` are the destination port range for tcp/udp and the ICMP type/code
    for icmp/icmpv6 (-1 = all); they are None where AWS ignores ports (-1 and other protocols).
    """

    group_id: str
    direction: Direction
    protocol: int
    from_port: int | None
    to_port: int | None
    peer: Peer
    description: str | None = None
    rule_id: str | None = None


@dataclass(frozen=True, slots=True)
class SecurityGroup:
    group_id: str
    name: str = ""
    description: str = ""
    vpc_id: str | None = None
    owner_id: str | None = None
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = ()


class NaclAction(str, Enum):
    ALLOW = "allow"
    DENY = "deny"


@dataclass(frozen=True, slots=True)
class NaclEntry:
    """A network ACL entry; port_range for tcp/udp, icmp_type/icmp_code for icmp (-1 = all)."""

    rule_number: int
    egress: bool
    protocol: int
    action: NaclAction
    cidr: Cidr
    port_from: int | None = None
    port_to: int | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None


@dataclass(frozen=True, slots=True)
class NetworkAcl:
    acl_id: str
    vpc_id: str | None = None
    is_default: bool = False
    subnet_ids: tuple[str, ...] = ()
    entries: tuple[NaclEntry, ...] = ()
    owner_id: str | None = None


@dataclass(frozen=True, slots=True)
class Subnet:
    subnet_id: str
    cidr: Cidr
    ipv6_cidr: Cidr | None = None


# The default TcpEstablishedTimeout (seconds): 5 days, except on sixth-generation Nitro
# (Nitro V6) instances, launched June 2025, where AWS made it 350 s (AWS Networking & Content
# Delivery blog, "Best Practices for TCP Connection Management on EC2"). The range is the same.
TCP_ESTABLISHED_DEFAULT = 432000
NITRO_V6_TCP_ESTABLISHED_DEFAULT = 350
NITRO_GENERATIONS = (1, 6)  # the Nitro generations known, lowest and highest


@dataclass(frozen=True, slots=True)
class ConnectionTrackingConfig:
    """Per-interface idle timeouts, with AWS's names, defaults and ranges (seconds)."""

    # TcpEstablishedTimeout, 60..432000; None: the default of the instance's Nitro generation.
    tcp_established_timeout: int | None = None
    udp_timeout: int = 30  # UdpTimeout, 30..60
    udp_stream_timeout: int = 180  # UdpStreamTimeout, 60..180

    def tcp_established(self, nitro: int | None) -> int:
        """The TCP established timeout in force: the explicit setting, else the generation's default."""
        if self.tcp_established_timeout is not None:
            return self.tcp_established_timeout
        return NITRO_V6_TCP_ESTABLISHED_DEFAULT if nitro is not None and nitro >= 6 else TCP_ESTABLISHED_DEFAULT


@dataclass(frozen=True, slots=True)
class Instance:
    """A network interface: its addresses, subnet and security groups."""

    name: str
    private_ip: IpAddress
    security_groups: tuple[str, ...]
    ipv6: IpAddress | None = None
    public_ip: IpAddress | None = None
    subnet: str | None = None
    connection_tracking: ConnectionTrackingConfig = field(default_factory=ConnectionTrackingConfig)
    conntrack_capacity: int | None = None  # None: Parameters.conntrack_capacity
    nitro: int | None = None  # Nitro generation (6: Nitro V6); None: unstated, an older one


@dataclass(frozen=True, slots=True)
class Packet:
    """A packet on the wire. Ports are None for protocols without ports.

    ``flags`` holds TCP flags (SYN, ACK, FIN, RST); ``via`` names the middlebox it came
    through (e.g. "network-load-balancer"), which makes the flow automatically tracked.
    ``embedded`` is, for an ICMP error, the header of the packet that caused it.
    """

    src: IpAddress
    dst: IpAddress
    protocol: int
    src_port: int | None = None
    dst_port: int | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None
    icmp_id: int | None = None
    flags: frozenset[str] = frozenset()
    via: str | None = None
    embedded: Packet | None = None


class ChangeAction(str, Enum):
    AUTHORIZE = "authorize"
    REVOKE = "revoke"
    ADD = "add"
    REMOVE = "remove"


@dataclass(frozen=True, slots=True)
class RuleChange:
    """Authorize or revoke the rules of one IpPermission on a group, mid-timeline."""

    group_id: str
    direction: Direction
    action: ChangeAction
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class NaclChange:
    acl_id: str
    action: ChangeAction
    entry: NaclEntry


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: float
    packet: Packet | None = None
    change: RuleChange | NaclChange | None = None


@dataclass(frozen=True, slots=True)
class Scenario:
    security_groups: tuple[SecurityGroup, ...]
    instances: tuple[Instance, ...]
    timeline: tuple[TimelineEntry, ...] = ()
    network_acls: tuple[NetworkAcl, ...] = ()
    prefix_lists: Mapping[str, tuple[Cidr, ...]] = field(default_factory=dict)
    subnets: tuple[Subnet, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)  # "198.51.100.10" -> "IP A"
    parameters: Parameters = field(default_factory=Parameters)

    def __hash__(self) -> int:  # mappings are not hashable; identity of content is enough
        return hash((self.security_groups, self.instances, self.timeline, self.network_acls, self.subnets))
