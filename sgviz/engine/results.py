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


class TableChangeKind(str, Enum):
    RECORDED = "recorded"  # a new tracked connection
    USED = "used"  # a tracked connection allowed this packet (its idle timer restarts)
    ESTABLISHED = "established"  # a TCP flow saw a packet each way
    CLOSED = "closed"  # FIN/RST seen
    EXPIRED = "expired"  # idle past its timeout, removed


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


@dataclass(frozen=True, slots=True)
class ChangeResult:
    index: int
    at: float
    entry: TimelineEntry
    explanation: str  # e.g. "Revoked inbound TCP 80 from 0.0.0.0/0: the untracked flow ... now drops"
    changes: tuple[TableChange, ...] = ()
