"""Connection tracking: one table per network interface, integers all the way down.

A connection is seen *from the interface*: ``(protocol, local address, local port, remote
address, remote port)``. A request and its replies cross the interface in opposite directions
but have the same local and remote ends, so one key serves both and a reply costs one dict
lookup. The key is packed into one integer (``flow_key``); for ICMP queries the "ports" are the
identifier and the query kind with the side that asked (``icmp_ports``: an echo request and its
reply share a key, a timestamp request or an echo request from the other side does not); for
protocols without ports they are 0 (AWS tracks those by protocol and addresses only).

An entry's value is one integer too: ``expires_ms << 8 | flags``, where ``flags`` holds the
stage (below), whether the flow was initiated inbound, and whether it came through a Network
Load Balancer. Both choices keep a tracked connection near 120 bytes (expiry wheel included).

Time is in integer milliseconds. An entry whose idle time exceeds its timeout is gone: it is
live while ``now <= expires``.
"""

from __future__ import annotations

from dataclasses import dataclass
from heapq import heappop, heappush
from typing import Iterable

from .addresses import IpAddress
from .model import ICMP, ICMPV6, TCP, UDP, ConnectionTrackingConfig
from .params import Parameters
from .results import Connection, build_connection

# Stages, the low four bits of an entry's flags.
TCP_NEW = 1  # only the initiator has sent so far
TCP_ESTABLISHED = 2  # a packet has passed each way
TCP_CLOSING = 3  # FIN or RST seen
UDP_NEW = 4  # only the initiator has sent so far
UDP_REPLIED = 5  # one request/response
UDP_ASKED_AGAIN = 6  # the initiator sent again after a response
UDP_STREAM = 7  # more than one request/response: UdpStreamTimeout applies
ICMP_FLOW = 8
OTHER_FLOW = 9
STAGE_MASK = 15
INBOUND = 16  # the first packet arrived at the interface (vs. left it)
NLB = 32  # the flow came through a Network Load Balancer
FLAG_BITS = 8
FLAG_MASK = (1 << FLAG_BITS) - 1
_FLAG_VALUES = 64

STAGE_NAMES = {
    TCP_NEW: "new",
    TCP_ESTABLISHED: "established",
    TCP_CLOSING: "closing",
    UDP_NEW: "new",
    UDP_REPLIED: "new",
    UDP_ASKED_AGAIN: "new",
    UDP_STREAM: "stream",
    ICMP_FLOW: "tracked",
    OTHER_FLOW: "tracked",
}

# ICMP queries: request type -> reply type (spec §2).
ICMP_QUERIES = {ICMP: {8: 0, 13: 14, 15: 16, 17: 18}, ICMPV6: {128: 129}}
_REQUEST_OF_REPLY = {protocol: {reply: request for request, reply in pairs.items()} for protocol, pairs in ICMP_QUERIES.items()}
ASKED_BY_REMOTE = 1  # low bit of an ICMP key's remote "port": the request came from the remote end

_V4_LIMIT = 1 << 104  # every IPv4 key is below, every IPv6 key above (see flow_key)


def flow_key(version: int, protocol: int, local: int, local_port: int, remote: int, remote_port: int) -> int:
    """Pack a flow, seen from the interface, into one integer.

    IPv4: protocol(8) local(32) local_port(16) remote(32) remote_port(16) = 104 bits.
    IPv6: a marker bit above protocol keeps every IPv6 key above every IPv4 key.
    """
    if version == 4:
        return ((((protocol << 32 | local) << 16 | local_port) << 32 | remote) << 16) | remote_port
    return (((((256 | protocol) << 128 | local) << 16 | local_port) << 128 | remote) << 16) | remote_port


def icmp_ports(protocol: int, icmp_type: int, icmp_id: int, inbound: bool) -> tuple[int, int]:
    """The "ports" of an ICMP query flow's key: ``(identifier, request type << 1 | asked by remote)``.

    A reply is keyed by the request it answers and was asked by the side receiving it; any
    other type (a request, or a message nothing answers) is keyed by itself and asked by its
    sender. So only the matching reply from the other side finds its request's entry.
    """
    request = _REQUEST_OF_REPLY[protocol].get(icmp_type)
    if request is None:
        return icmp_id, icmp_type << 1 | (ASKED_BY_REMOTE if inbound else 0)
    return icmp_id, request << 1 | (0 if inbound else ASKED_BY_REMOTE)


def unpack_key(key: int) -> tuple[int, int, int, int, int, int]:
    """``(version, protocol, local, local_port, remote, remote_port)`` of a ``flow_key``."""
    if key < _V4_LIMIT:
        return 4, key >> 96, (key >> 64) & 0xFFFFFFFF, (key >> 48) & 0xFFFF, (key >> 16) & 0xFFFFFFFF, key & 0xFFFF
    mask128 = (1 << 128) - 1
    return (
        6,
        (key >> 288) & 0xFF,
        (key >> 160) & mask128,
        (key >> 144) & 0xFFFF,
        (key >> 16) & mask128,
        key & 0xFFFF,
    )


def first_stage(protocol: int, closing: bool) -> int:
    if protocol == TCP:
        return TCP_CLOSING if closing else TCP_NEW
    if protocol == UDP:
        return UDP_NEW
    if protocol in (ICMP, ICMPV6):
        return ICMP_FLOW
    return OTHER_FLOW


def _next_stage(stage: int, reply: bool) -> int:
    """A packet without FIN/RST: the reply direction moves TCP and UDP flows along."""
    if stage == TCP_NEW and reply:
        return TCP_ESTABLISHED
    if stage == UDP_NEW and reply:
        return UDP_REPLIED
    if stage == UDP_REPLIED and not reply:
        return UDP_ASKED_AGAIN
    if stage == UDP_ASKED_AGAIN and reply:
        return UDP_STREAM
    return stage


def _advance_table(inbound_packet: bool) -> tuple[int, ...]:
    table = []
    for flags in range(_FLAG_VALUES):
        reply = bool(flags & INBOUND) != inbound_packet
        table.append((flags & ~STAGE_MASK) | _next_stage(flags & STAGE_MASK, reply))
    return tuple(table)


# ADVANCE[packet is inbound][old flags] -> new flags, for a packet without FIN/RST.
ADVANCE = (_advance_table(False), _advance_table(True))
# CLOSE[old flags] -> new flags, for a TCP packet carrying FIN or RST.
CLOSE = tuple((f & ~STAGE_MASK) | TCP_CLOSING if f & STAGE_MASK in (TCP_NEW, TCP_ESTABLISHED, TCP_CLOSING) else f for f in range(_FLAG_VALUES))


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Idle timeout in milliseconds for each flags value (index = flags)."""

    by_flags: tuple[int, ...]

    @classmethod
    def for_interface(cls, config: ConnectionTrackingConfig, params: Parameters, nitro: int | None = None) -> Timeouts:
        seconds = {
            TCP_NEW: params.tcp_unestablished_timeout,
            TCP_ESTABLISHED: config.tcp_established(nitro),
            TCP_CLOSING: params.tcp_closing_timeout,
            UDP_NEW: config.udp_timeout,
            UDP_REPLIED: config.udp_timeout,
            UDP_ASKED_AGAIN: config.udp_timeout,
            UDP_STREAM: config.udp_stream_timeout,
            ICMP_FLOW: params.icmp_timeout,
            OTHER_FLOW: params.other_protocol_timeout,
        }
        by_flags = []
        for flags in range(_FLAG_VALUES):
            stage = flags & STAGE_MASK
            timeout = seconds.get(stage, 0)
            if flags & NLB and stage in (TCP_NEW, TCP_ESTABLISHED, TCP_CLOSING):
                timeout = params.nlb_tcp_timeout
            elif flags & NLB and stage in (UDP_NEW, UDP_REPLIED, UDP_ASKED_AGAIN, UDP_STREAM):
                timeout = params.nlb_udp_timeout
            by_flags.append(timeout * 1000)
        return cls(tuple(by_flags))


class ConnectionTable:
    """The tracked connections of one interface (see the module docstring for the encoding)."""

    __slots__ = ("_entries", "_timeouts", "capacity", "_wheel", "_seconds")

    def __init__(self, timeouts: Timeouts, capacity: int) -> None:
        self._entries: dict[int, int] = {}
        self._timeouts = timeouts.by_flags
        self.capacity = capacity
        # The expiry wheel: keys by the second they were due to expire when last scheduled, and
        # a heap of those seconds. A packet that restarts an entry's timer leaves the key where
        # it is; the sweep moves it on when its old second comes. So expiring costs time in
        # proportion to the entries due, not to the table's size.
        self._wheel: dict[int, list[int]] = {}
        self._seconds: list[int] = []

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def full(self) -> bool:
        return len(self._entries) >= self.capacity

    def get(self, key: int, now: int) -> tuple[int, int] | None:
        """``(flags, expires_ms)`` of a live entry, or None."""
        value = self._entries.get(key)
        if value is None or value < now << FLAG_BITS:
            return None
        return value & FLAG_MASK, value >> FLAG_BITS

    def record(self, key: int, now: int, flags: int) -> int:
        """Add a new entry; returns its expiry (ms)."""
        expires = now + self._timeouts[flags]
        self._entries[key] = expires << FLAG_BITS | flags
        self._schedule(key, expires)
        return expires

    def _schedule(self, key: int, expires: int) -> None:
        second = expires // 1000
        bucket = self._wheel.get(second)
        if bucket is None:
            self._wheel[second] = [key]
            heappush(self._seconds, second)
        else:
            bucket.append(key)

    def use(self, key: int, now: int, inbound: bool, closing: bool = False) -> tuple[int, int, int] | None:
        """A packet of a tracked flow passed: restart its idle timer and move its stage along.

        Returns ``(old flags, new flags, expires_ms)``, or None when the flow is not tracked.
        """
        entries = self._entries
        value = entries.get(key)
        if value is None or value < now << FLAG_BITS:
            return None
        old = value & FLAG_MASK
        new = CLOSE[old] if closing else ADVANCE[inbound][old]
        expires = now + self._timeouts[new]
        entries[key] = expires << FLAG_BITS | new
        return old, new, expires

    def use_many(self, keys: Iterable[int], now: int, inbound: bool) -> int:
        """``use`` for a burst of packets (no FIN/RST) arriving at the same instant.

        Returns how many were part of a tracked connection (and so allowed by state).
        The per-key work is one ``get``, one comparison and one store: the new value for
        every possible old flags value is computed once per call.
        """
        timeouts = self._timeouts
        renewed = [((now + timeouts[new]) << FLAG_BITS) | new for new in ADVANCE[inbound]]
        floor = now << FLAG_BITS
        entries = self._entries
        get = entries.get
        allowed = 0
        for key in keys:
            value = get(key)
            if value is not None and value >= floor:
                entries[key] = renewed[value & FLAG_MASK]
                allowed += 1
        return allowed

    def expire(self, now: int) -> list[tuple[int, int, int]]:
        """Remove entries idle past their timeout; returns ``(key, flags, expires_ms)`` sorted by expiry then key."""
        entries, wheel, seconds = self._entries, self._wheel, self._seconds
        floor = now << FLAG_BITS
        gone = []
        while seconds and seconds[0] * 1000 < now:  # that second's bucket may hold expired entries
            second = seconds[0]
            waiting = []
            for key in wheel[second]:
                value = entries.get(key)
                if value is None:  # recorded twice, and already gone by its other bucket
                    continue
                expires = value >> FLAG_BITS
                if value < floor:
                    gone.append((expires, key, value & FLAG_MASK))
                    del entries[key]
                elif expires // 1000 == second:
                    waiting.append(key)
                else:
                    self._schedule(key, expires)  # its timer was restarted: due in a later second
            if waiting:  # live entries due later in this second: no later second is due yet
                wheel[second] = waiting
                break
            del wheel[second]
            heappop(seconds)
        gone.sort()
        return [(key, flags, expires) for expires, key, flags in gone]

    def entries(self) -> list[tuple[int, int, int]]:
        """Every entry as ``(key, flags, expires_ms)``, in key order."""
        return [(key, value & FLAG_MASK, value >> FLAG_BITS) for key, value in sorted(self._entries.items())]


def endpoint(address: IpAddress, port: int | None) -> str:
    """``10.0.1.10:80``, ``[2001:db8::1]:443``, or the bare address when there is no port."""
    return _endpoint_text(str(address), address.version, port)


def _endpoint_text(address: str, version: int, port: int | None) -> str:
    if port is None:
        return address
    return f"[{address}]:{port}" if version == 6 else f"{address}:{port}"


def connection_view(instance: str, key: int, flags: int, expires_ms: int) -> Connection:
    """The read-only ``Connection`` the state tracker shows for one entry."""
    version, protocol, local, local_port, remote, remote_port = unpack_key(key)
    ported = protocol in (TCP, UDP)
    local_ip, remote_ip = str(IpAddress(version, local)), str(IpAddress(version, remote))  # formatted once, used twice
    return build_connection(
        instance,
        protocol,
        _endpoint_text(local_ip, version, local_port if ported else None),
        _endpoint_text(remote_ip, version, remote_port if ported else None),
        bool(flags & INBOUND),
        STAGE_NAMES[flags & STAGE_MASK],
        expires_ms / 1000,
        local_ip,
        remote_ip,
        local_port if ported else None,
        remote_port if ported else None,
        local_port if protocol in (ICMP, ICMPV6) else None,  # icmp_id
        remote_port >> 1 if protocol in (ICMP, ICMPV6) else None,  # icmp_type
    )


def moved_on(connection: Connection, flags: int, expires_ms: int) -> Connection:
    """``connection`` after a packet restarted its timer and moved its stage to ``flags``:
    what ``connection_view`` would give for the same key, without decoding it again."""
    c = connection  # every field: dataclasses.replace costs several times more
    return build_connection(
        c.instance, c.protocol, c.local, c.remote, c.initiated_inbound, STAGE_NAMES[flags & STAGE_MASK], expires_ms / 1000,
        c.local_ip, c.remote_ip, c.local_port, c.remote_port, c.icmp_id, c.icmp_type,
    )  # fmt: skip
