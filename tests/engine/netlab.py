"""A real stateful firewall to compare the engine with: Linux netfilter in network namespaces.

Three namespaces, named ``sgvdiff-<pid>-{peers,router,instance}``: the peers (every outside
address) and the instance each have one veth into the router, which forwards between them and
runs an nftables ruleset modelling the instance's security group (``Lab.load``). Packets are
whole Ethernet frames built here as bytes, with correct checksums, sent and captured on raw
packet sockets at the two ends; the ends have no IP address and do not forward, so their
kernels never answer. Every address is a documentation range on these veths: nothing leaves
the namespaces this module creates.

Whether a packet got through is known without waiting out a timeout: after it, the same end
sends a sentinel that the router always forwards and never tracks, and the packet arrived iff
it is captured before the sentinel (one veth path, one CPU: the order is kept).
"""

from __future__ import annotations

import ctypes
import os
import select
import shutil
import socket
import struct
import subprocess
from contextlib import contextmanager
from ipaddress import IPv4Address

PREFIX = "sgvdiff-"
INSTANCE = IPv4Address("192.0.2.10")
SENTINEL = IPv4Address("198.51.100.254")  # the router forwards it untracked, either way
FAR_PEERS = "203.0.113.0/24"  # peers beyond the router's own 198.51.100.0/24
MAC = {"peers": "02:53:00:00:00:01", "router-peers": "02:53:00:00:00:02", "router-instance": "02:53:00:00:00:03", "instance": "02:53:00:00:00:04"}
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4
CLONE_NEWNET = 0x40000000
TCP, UDP, ICMP = 6, 17, 1


def unavailable() -> str | None:
    """Why this machine cannot run the lab, or None."""
    if os.geteuid() != 0:
        return "needs root"
    missing = [tool for tool in ("ip", "nft") if shutil.which(tool) is None]
    if missing:
        return f"needs {' and '.join(missing)} (iproute2, nftables: scripts/system-packages)"
    return None


def _run(*args: str, stdin: str | None = None) -> None:
    subprocess.run(args, input=stdin, text=True, check=True, capture_output=True)


def remove_leftovers() -> None:
    """Delete namespaces of earlier runs whose process is gone (killed before its cleanup)."""
    listing = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    for name in (line.split()[0] for line in listing.splitlines() if line.startswith(PREFIX)):
        pid = name[len(PREFIX):].split("-")[0]
        if not pid.isdigit() or not os.path.exists(f"/proc/{pid}"):
            subprocess.run(["ip", "netns", "delete", name], capture_output=True)


# -- bytes ---------------------------------------------------------------------------------


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _with_checksum(data: bytes, at: int, value: int) -> bytes:
    return data[:at] + struct.pack("!H", value) + data[at + 2:]


def ipv4(src: IPv4Address, dst: IPv4Address, protocol: int, payload: bytes, ident: int) -> bytes:
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0, 64, protocol, 0, src.packed, dst.packed)
    return _with_checksum(header, 10, checksum(header)) + payload


def _pseudo(src: IPv4Address, dst: IPv4Address, protocol: int, segment: bytes) -> bytes:
    return src.packed + dst.packed + struct.pack("!BBH", 0, protocol, len(segment)) + segment


TCP_FLAGS = {"FIN": 1, "SYN": 2, "RST": 4, "PSH": 8, "ACK": 16}


def tcp(src: IPv4Address, dst: IPv4Address, sport: int, dport: int, seq: int, ack: int, flags: str) -> bytes:
    bits = sum(TCP_FLAGS[f] for f in flags.split(","))
    segment = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, bits, 65535, 0, 0)
    return _with_checksum(segment, 16, checksum(_pseudo(src, dst, TCP, segment)))


def udp(src: IPv4Address, dst: IPv4Address, sport: int, dport: int, payload: bytes = b"sgviz") -> bytes:
    datagram = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return _with_checksum(datagram, 6, checksum(_pseudo(src, dst, UDP, datagram)) or 0xFFFF)


def icmp(icmp_type: int, code: int, rest: bytes, payload: bytes = b"") -> bytes:
    message = struct.pack("!BBH", icmp_type, code, 0) + rest + payload
    return _with_checksum(message, 2, checksum(message))


def icmp_query(icmp_type: int, ident: int, sequence: int) -> bytes:
    """An echo, timestamp (with its three timestamps) or other query message."""
    body = bytes(12) if icmp_type in (13, 14) else b"sgviz"
    return icmp(icmp_type, 0, struct.pack("!HH", ident, sequence), body)


def icmp_error(icmp_type: int, code: int, quoted: bytes) -> bytes:
    """An ICMP error quoting the offending packet's IP header and first 8 bytes (RFC 792)."""
    return icmp(icmp_type, code, bytes(4), quoted[:28])


GRE_IPV4 = b"\x00\x00\x08\x00"  # GRE version 0, no key, carrying IPv4


def frame(dst_mac: str, src_mac: str, packet: bytes) -> bytes:
    return bytes.fromhex(dst_mac.replace(":", "")) + bytes.fromhex(src_mac.replace(":", "")) + struct.pack("!H", ETH_P_IP) + packet


# -- namespaces ----------------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)


def _setns(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {path}")
    finally:
        os.close(fd)


@contextmanager
def _inside(namespace: str):
    """Run the block in ``namespace`` (this thread only): sockets made there stay there."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        _setns(f"/run/netns/{namespace}")
        yield
    finally:
        if _libc.setns(home, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns back home")
        os.close(home)


def nft_match(protocol: str, ports: tuple[int, int] | None) -> str:
    """nftables expression for a security group rule's protocol and ports (ICMP: type, code)."""
    if protocol == "-1":
        return ""
    if protocol in ("tcp", "udp"):
        low, high = ports
        return f"{protocol} dport {low}" if low == high else f"{protocol} dport {low}-{high}"
    if protocol == "icmp":
        icmp_type, code = ports
        if icmp_type == -1:
            return "meta l4proto icmp"
        return f"icmp type {icmp_type}" + ("" if code == -1 else f" icmp code {code}")
    return f"meta l4proto {protocol}"


class Lab:
    """The three namespaces and the two capture/send sockets; ``close`` removes everything."""

    def __init__(self) -> None:
        self.names = {role: f"{PREFIX}{os.getpid()}-{role}" for role in ("peers", "router", "instance")}
        self.sockets: dict[str, socket.socket] = {}
        self.ident = 0
        try:
            self._build()
        except BaseException:
            self.close()
            raise

    def _build(self) -> None:
        peers, router, instance = (self.names[r] for r in ("peers", "router", "instance"))
        sysctl = "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; "
        for role, name in self.names.items():
            _run("ip", "netns", "add", name)
            forward = 1 if role == "router" else 0  # the ends never forward: they only send and capture
            _run("ip", "netns", "exec", name, "sh", "-c", sysctl + f"echo {forward} > /proc/sys/net/ipv4/ip_forward; "
                 "for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 > $f; done")
            _run("ip", "-n", name, "link", "set", "lo", "up")
        # The veths are made inside the namespaces: no end ever exists outside them.
        _run("ip", "-n", peers, "link", "add", "p0", "address", MAC["peers"], "type", "veth", "peer", "name", "rp", "address", MAC["router-peers"], "netns", router)
        _run("ip", "-n", instance, "link", "add", "i0", "address", MAC["instance"], "type", "veth", "peer", "name", "ri", "address", MAC["router-instance"], "netns", router)
        for name, link in ((peers, "p0"), (instance, "i0"), (router, "rp"), (router, "ri")):
            _run("ip", "-n", name, "link", "set", link, "up")
        _run("ip", "-n", router, "addr", "add", "198.51.100.1/24", "dev", "rp")
        _run("ip", "-n", router, "addr", "add", "192.0.2.1/24", "dev", "ri")
        _run("ip", "-n", router, "route", "add", FAR_PEERS, "dev", "rp")
        _run("ip", "-n", router, "neigh", "add", str(INSTANCE), "lladdr", MAC["instance"], "dev", "ri", "nud", "permanent")
        self.peer_neighbours: set[IPv4Address] = set()
        self.add_peer(SENTINEL)
        for role, link in (("peers", "p0"), ("instance", "i0")):
            with _inside(self.names[role]):
                sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
                sock.bind((link, ETH_P_IP))
                sock.setblocking(False)
                self.sockets[role] = sock

    def add_peer(self, address: IPv4Address) -> None:
        """A static neighbour entry: the router never needs ARP (the ends could not answer it)."""
        if address not in self.peer_neighbours:
            _run("ip", "-n", self.names["router"], "neigh", "add", str(address), "lladdr", MAC["peers"], "dev", "rp", "nud", "permanent")
            self.peer_neighbours.add(address)

    def load(self, zone: int, inbound: list[str], outbound: list[str]) -> None:
        """The security group as nftables: established/related accepted, one accept per rule
        for new flows, drop. Each scenario gets its own conntrack zone, so none sees another's flows."""
        rules = "\n".join(
            [f"add rule ip sgv inbound {match} accept" for match in inbound] + [f"add rule ip sgv outbound {match} accept" for match in outbound]
        )
        _run("ip", "netns", "exec", self.names["router"], "nft", "-f", "-", stdin=f"""flush ruleset
table ip sgv {{
  chain pre {{
    type filter hook prerouting priority raw; policy accept;
    ip saddr {SENTINEL} notrack accept
    ip daddr {SENTINEL} notrack accept
    ct zone set {zone}
  }}
  chain forward {{
    type filter hook forward priority filter; policy drop;
    ip saddr {SENTINEL} accept
    ip daddr {SENTINEL} accept
    ct state established,related accept
    ct state new iifname "rp" jump inbound
    ct state new iifname "ri" jump outbound
  }}
  chain inbound {{
  }}
  chain outbound {{
  }}
}}
{rules}
""")

    def update(self, inbound: list[str], outbound: list[str]) -> None:
        """New rules for new flows; tracked flows keep their conntrack entries."""
        lines = ["flush chain ip sgv inbound", "flush chain ip sgv outbound"]
        lines += [f"add rule ip sgv inbound {match} accept" for match in inbound]
        lines += [f"add rule ip sgv outbound {match} accept" for match in outbound]
        _run("ip", "netns", "exec", self.names["router"], "nft", "-f", "-", stdin="\n".join(lines) + "\n")

    def passes(self, packet: bytes, inbound: bool) -> bool:
        """Send an IPv4 packet (its IP id must be unique) from its end; did it reach the other?"""
        sender, receiver = ("peers", "instance") if inbound else ("instance", "peers")
        mac = MAC["router-peers"] if inbound else MAC["router-instance"]
        self.ident += 1
        sentinel_src, sentinel_dst = (SENTINEL, INSTANCE) if inbound else (INSTANCE, SENTINEL)
        sentinel = ipv4(sentinel_src, sentinel_dst, UDP, udp(sentinel_src, sentinel_dst, 9, 9, b"sentinel"), self.ident)
        out, into = self.sockets[sender], self.sockets[receiver]
        self._drain(into)
        out.send(frame(mac, MAC[sender], packet))
        out.send(frame(mac, MAC[sender], sentinel))
        wanted, marker = packet[4:6], sentinel[4:6]
        seen = False
        while True:
            ready, _, _ = select.select([into], [], [], 2.0)
            if not ready:
                raise TimeoutError("the sentinel did not arrive: the lab's router is not forwarding")
            data, address = into.recvfrom(65535)
            if address[2] == PACKET_OUTGOING:
                continue
            ident = data[18:20]  # the IP id, behind the 14-byte Ethernet header
            if ident == marker and data[23] == UDP:
                return seen
            seen = seen or ident == wanted

    @staticmethod
    def _drain(sock: socket.socket) -> None:
        while select.select([sock], [], [], 0)[0]:
            sock.recv(65535)

    def next_ident(self) -> int:
        self.ident += 1
        return self.ident

    def close(self) -> None:
        for sock in self.sockets.values():
            sock.close()
        self.sockets.clear()
        for name in self.names.values():
            subprocess.run(["ip", "netns", "delete", name], capture_output=True)
