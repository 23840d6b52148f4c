"""What the engine gives back: typed results and step events.

A ``PacketResult`` is one packet's verdict with its reason; its ``steps`` are the ordered
events that the flowchart animates, each naming a node of ``graph.FLOW_GRAPH``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from enum import Enum
from itertools import chain

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

    @property
    def words(self) -> str:
        """What decided the verdict, in a learner's words (the sandbox's results table)."""
        return BASIS_WORDS[self]


BASIS_WORDS = {
    Basis.RULE: "by a rule",
    Basis.STATE: "by the connection table",
    Basis.NACL: "by a network ACL",
    Basis.NO_MATCH: "no rule matched",
    Basis.CAPACITY: "tracking table full",
    Basis.EXEMPT: "never filtered",
    Basis.BLOCKED: "blocked by EC2",
}


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


def positional_builder(cls: type) -> Callable:
    """A constructor for the frozen, slotted dataclass ``cls`` that takes every field, in
    order, and gives an instance equal to ``cls(*values)``, in about half the time.

    A frozen dataclass's ``__init__`` calls ``object.__setattr__`` for each field, which looks
    the name up on the class every time; this writes each slot through its descriptor, looked
    up once here. The simulator builds several results per packet, so that lookup was the
    largest cost of a long timeline. Only for the engine's own hot paths: it skips defaults and
    ``__post_init__`` (none of the results has one).
    """
    names = [f.name for f in fields(cls)]
    scope = {f"_set_{name}": getattr(cls, name).__set__ for name in names} | {"_new": object.__new__, "_cls": cls}
    body = "".join(f"    _set_{name}(self, {name})\n" for name in names)
    exec(f"def build({', '.join(names)}):\n    self = _new(_cls)\n{body}    return self\n", scope)
    build = scope["build"]
    build.__qualname__ = build.__name__ = f"build_{cls.__name__}"
    return build


# The simulator's constructors (see positional_builder).
build_connection = positional_builder(Connection)
build_table_change = positional_builder(TableChange)
build_step_event = positional_builder(StepEvent)
build_packet_result = positional_builder(PacketResult)


@dataclass(frozen=True, slots=True)
class ChangeResult:
    index: int
    at: float
    entry: TimelineEntry
    explanation: str  # e.g. "Revoked inbound TCP 80 from 0.0.0.0/0: the untracked flow ... now drops"
    changes: tuple[TableChange, ...] = ()


# One change to an interface's table: (interface's position in the scenario, flow key, the
# connection as it now is, or None when it was removed).
TableEdit = tuple[int, int, Connection | None]
# The tables of every interface at one moment: (entry index, journal position, per-interface
# {flow key: connection} in the order the connections were recorded).
Checkpoint = tuple[int, int, tuple[dict[int, Connection], ...]]


class ConnectionTables(Sequence[tuple[Connection, ...]]):
    """``Run.tables``: the connection table (every interface's, in scenario order) after each
    timeline entry, as a read-only sequence of tuples, rebuilt when asked for.

    A tuple kept per entry would hold the whole table each time: memory quadratic in the
    timeline's length (40,000 packets took 3.3 GB). This keeps what changed at each entry
    (``journal``; ``ends[i]`` is its length after entry i) and, now and then, a copy of every
    table (``checkpoints``), taken once the changes since the last copy outnumber the live
    connections, so the copies cost no more than the changes: memory linear in the timeline.
    ``tables[i]`` replays the journal from the last copy at or before entry i: time in
    proportion to the table's size, which is the size of what it returns anyway. Nothing is
    cached between reads, so readers on several threads need no lock.
    """

    __slots__ = ("_journal", "_ends", "_checkpoints", "_interfaces")

    def __init__(self, journal: list[TableEdit], ends: list[int], checkpoints: list[Checkpoint], interfaces: int) -> None:
        self._journal = journal
        self._ends = ends
        self._checkpoints = checkpoints
        self._interfaces = interfaces

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"table index {index} is outside 0..{len(self) - 1}")
        found = bisect_right(self._checkpoints, index, key=lambda checkpoint: checkpoint[0]) - 1
        if found < 0:
            tables, start = [{} for _ in range(self._interfaces)], 0
        else:
            _, start, copies = self._checkpoints[found]
            tables = [dict(copy) for copy in copies]
        _replay(tables, self._journal, start, self._ends[index])
        return _flatten(tables)

    def __iter__(self) -> Iterator[tuple[Connection, ...]]:
        tables: list[dict[int, Connection]] = [{} for _ in range(self._interfaces)]
        start = 0
        for end in self._ends:  # one pass over the journal, no copies
            _replay(tables, self._journal, start, end)
            start = end
            yield _flatten(tables)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(mine == theirs for mine, theirs in zip(self, other))

    def __repr__(self) -> str:
        return f"<ConnectionTables after each of {len(self)} entries>"


def _replay(tables: list[dict[int, Connection]], journal: list[TableEdit], start: int, end: int) -> None:
    for position in range(start, end):
        interface, key, connection = journal[position]
        if connection is None:
            del tables[interface][key]
        else:
            tables[interface][key] = connection


def _flatten(tables: list[dict[int, Connection]] | tuple[dict[int, Connection], ...]) -> tuple[Connection, ...]:
    return tuple(chain.from_iterable(table.values() for table in tables))


@dataclass(frozen=True, slots=True)
class Run:
    """A whole timeline: one result per entry, and the connection table(s) after each entry
    (a ``ConnectionTables``: ``len``, indexing and iteration give tuples of ``Connection``)."""

    results: tuple[PacketResult | ChangeResult, ...]
    tables: Sequence[tuple[Connection, ...]]
