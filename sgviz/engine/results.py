"""What the engine gives back: typed results and step events.

A ``PacketResult`` is one packet's verdict with its reason; its ``steps`` are the ordered
events that the flowchart animates, each naming a node of ``graph.FLOW_GRAPH``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .model import Direction, NaclEntry, Packet, Rule, TimelineEntry


class Verdict(str, Enum):
    ALLOW = "ALLOW"
    DROP = "DROP"


class Basis(str, Enum):
    RULE = "rule"  # a security group rule allowed it (or nothing else was needed)
    STATE = "state"  # the connection table allowed it as part of a tracked connection
    NACL = "nacl"  # a network ACL entry denied it
    NO_MATCH = "no-match"  # no rule and no tracked connection allowed it
    CAPACITY = "capacity"  # the connection tracking table was full
    EXEMPT = "exempt"  # traffic AWS never filters (metadata, DNS resolver, ...)
    # EC2 itself blocks it whatever the rules say (outbound TCP 25, Parameters.block_outbound_smtp):
    # neither a rule nor a NACL decided, so it gets its own basis rather than a misleading one.
    BLOCKED = "blocked"


class TableChangeKind(str, Enum):
    RECORDED = "recorded"  # a new tracked connection
    USED = "used"  # a tracked connection allowed this packet (its idle timer restarts)
    ESTABLISHED = "established"  # a TCP flow saw a packet each way
    CLOSED = "closed"  # FIN/RST seen
    EXPIRED = "expired"  # idle past its timeout, removed
    RELATED = "related"  # an ICMP error about this tracked connection was let through (timer unchanged)


@dataclass(frozen=True, slots=True)
class Connection:
    """A read-only view of one connection-table entry, for the state tracker."""

    instance: str
    protocol: int
    local: str  # "10.0.1.10:80"
    remote: str  # "198.51.100.10:50000"
    initiated_inbound: bool
    state: str  # "new", "established", "stream", "closing", "tracked"
    expires_at: float
    # The same ends split up, for phrasing ("Connection recorded for IP A:80"); ports are None
    # for protocols without ports; icmp_id and icmp_type (the request's type) are set for ICMP.
    local_ip: str = ""
    remote_ip: str = ""
    local_port: int | None = None
    remote_port: int | None = None
    icmp_id: int | None = None
    icmp_type: int | None = None

    @property
    def service_port(self) -> int | None:
        """The port the initiator asked for: ours if it came in, theirs if we went out."""
        return self.local_port if self.initiated_inbound else self.remote_port


@dataclass(frozen=True, slots=True)
class TableChange:
    kind: TableChangeKind
    connection: Connection


@dataclass(frozen=True, slots=True)
class StepEvent:
    """One node visited while judging a packet on one interface."""

    node: str  # id of a FLOW_GRAPH node
    instance: str
    direction: Direction
    detail: str  # what was looked at, in plain words
    answer: bool | None = None  # Yes/No for decision nodes
    matched: Rule | NaclEntry | None = None
    changes: tuple[TableChange, ...] = ()


@dataclass(frozen=True, slots=True)
class PacketResult:
    index: int  # position in the timeline
    at: float
    packet: Packet
    verdict: Verdict
    basis: Basis
    rule: Rule | NaclEntry | None
    tracked: bool | None  # for a packet that opens a new flow; None otherwise
    explanation: str
    steps: tuple[StepEvent, ...]
    # Index in ``steps`` of the decision that settled the verdict (the execution table's row).
    deciding_step: int = -1
    # Connections that timed out before this packet was judged (any instance).
    expired: tuple[TableChange, ...] = ()


@dataclass(frozen=True, slots=True)
class ChangeResult:
    index: int
    at: float
    entry: TimelineEntry
    explanation: str  # e.g. "Revoked inbound TCP 80 from 0.0.0.0/0: the untracked flow ... now drops"
    changes: tuple[TableChange, ...] = ()


@dataclass(frozen=True, slots=True)
class Run:
    """A whole timeline: one result per entry, and the connection table(s) after each entry."""

    results: tuple[PacketResult | ChangeResult, ...]
    tables: tuple[tuple[Connection, ...], ...]
