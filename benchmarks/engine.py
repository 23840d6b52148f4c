"""Engine benchmarks: `python benchmarks/engine.py` prints figures and ratios against baselines
measured in the same run. Not a test: nothing here asserts; the figures go in reports.

(a) replies on established flows with 100,000 tracked connections
    target: >= 1,000,000 packets/s and within 4x of a bare dict lookup of the same keys
(b) first packets of new flows against 5 groups x 60 rules
    target: >= 200,000 packets/s and >= 20x a straightforward linear scan over ipaddress objects
(c) memory per tracked connection with 1,000,000 entries
    target: <= 250 bytes
(d) simulate() on a whole timeline, every step explained and the table after each entry kept
    target: 100,000 packets in <= 5 s and <= 300 MB; baseline: a tuple of the whole table kept
    after every entry (what simulate() did before Run.tables became a journal), at 10,000 and
    20,000 packets (it is quadratic: 100,000 would take tens of GB)

Every figure comes from the engine's own classes (ConnectionTable, RuleTable, Simulation),
the ones the simulator uses; the baselines are written here.
"""

from __future__ import annotations

import gc
import ipaddress
import json
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sgviz.engine.addresses import Cidr, IpAddress  # noqa: E402
from sgviz.engine.conntrack import INBOUND, TCP_ESTABLISHED, ConnectionTable, Timeouts, flow_key  # noqa: E402
from sgviz.engine.matching import RuleTable, rule_span  # noqa: E402
from sgviz.engine.model import ICMP, TCP, UDP, ConnectionTrackingConfig, Direction, Instance, Packet, Rule, Scenario, SecurityGroup, TimelineEntry  # noqa: E402
from sgviz.engine.params import Parameters  # noqa: E402
from sgviz.engine.simulation import Simulation, simulate  # noqa: E402

SERVER = 0x0A00010A  # 10.0.1.10
ROUNDS = 7


def best_seconds(work, rounds: int = ROUNDS) -> float:
    """The fastest of several runs: the least disturbed by the machine."""
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def report(name: str, figure: str, target: str, met: bool) -> None:
    print(f"  {name:<58} {figure:>22}   target {target:<18} {'MET' if met else 'MISSED'}")


def new_table(capacity: int = 10_000_000) -> ConnectionTable:
    return ConnectionTable(Timeouts.for_interface(ConnectionTrackingConfig(), Parameters()), capacity)


# -- (a) ------------------------------------------------------------------------------------


def replies_on_established_flows(count: int = 100_000) -> None:
    print(f"(a) replies on established flows, {count:,} tracked connections")
    rng = random.Random(1)
    clients = [(rng.getrandbits(32), rng.randrange(1024, 65536)) for _ in range(count)]
    keys = [flow_key(4, TCP, SERVER, 443, client, port) for client, port in clients]
    table = new_table()
    for key in keys:
        table.record(key, 0, TCP_ESTABLISHED | INBOUND)
    plain = dict.fromkeys(keys, 0)

    def bare_lookup():
        for key in keys:
            plain[key]

    clock = [1000]

    def engine_batch():
        clock[0] += 1
        table.use_many(keys, clock[0], inbound=False)

    def engine_one_by_one():
        clock[0] += 1
        use, now = table.use, clock[0]
        for key in keys:
            use(key, now, False)

    def engine_from_packets():
        clock[0] += 1
        table.use_many([flow_key(4, TCP, SERVER, 443, client, port) for client, port in clients], clock[0], inbound=False)

    assert table.use_many(keys, 1, inbound=False) == count  # every reply is part of a tracked connection
    baseline = best_seconds(bare_lookup)
    batch = best_seconds(engine_batch)
    single = best_seconds(engine_one_by_one)
    packed = best_seconds(engine_from_packets)
    print(f"  baseline: bare dict lookup of the same keys            {count / baseline:>14,.0f} lookups/s")
    report("ConnectionTable.use_many (keys already packed)", f"{count / batch:,.0f} packets/s", ">= 1,000,000/s", count / batch >= 1_000_000)
    report("  ratio to the bare dict lookup", f"{batch / baseline:.2f}x slower", "<= 4x", batch / baseline <= 4)
    print(f"  ConnectionTable.use, one call per packet (as Simulation) {count / single:>12,.0f} packets/s ({single / baseline:.1f}x the dict)")
    print(f"  use_many including packing each reply's key           {count / packed:>14,.0f} packets/s ({packed / baseline:.1f}x the dict)")

    lesson = Scenario(
        (SecurityGroup("sg-web", ingress=(Rule("sg-web", Direction.INGRESS, TCP, 443, 443, Cidr(4, 0, 0)),)),),
        (Instance("web", IpAddress(4, SERVER), ("sg-web",)),),
    )
    simulation = Simulation(lesson)
    explained = 2_000
    for index in range(explained):
        client, port = clients[index]
        simulation.apply(index, TimelineEntry(0, Packet(IpAddress(4, client), IpAddress(4, SERVER), TCP, port, 443)))
    replies = [TimelineEntry(1, Packet(IpAddress(4, SERVER), IpAddress(4, c), TCP, 443, p)) for c, p in clients[:explained]]

    def explained_path():
        for index, entry in enumerate(replies):
            simulation.apply(index, entry)

    full = best_seconds(explained_path, rounds=3)
    print(f"  for contrast, Simulation.apply with every step explained {explained / full:>12,.0f} packets/s")


# -- (b) ------------------------------------------------------------------------------------


def realistic_rules(rng: random.Random, groups: int = 5, per_group: int = 60) -> list[Rule]:
    """A mix like real exports: single ports and ranges, tcp/udp/icmp, CIDRs from /8 to /32."""
    rules = []
    for g in range(groups):
        for _ in range(per_group):
            protocol = rng.choice([TCP] * 6 + [UDP] * 2 + [ICMP])
            if protocol == ICMP:
                low, high = rng.choice([(-1, -1), (8, -1), (3, 4)])
            elif rng.random() < 0.75:
                low = high = rng.choice([22, 25, 53, 80, 443, 3306, 5432, 6379, 8080, 9200]) if rng.random() < 0.5 else rng.randrange(1, 65536)
            else:
                low = rng.randrange(1, 60000)
                high = min(65535, low + rng.randrange(1, 5000))
            prefix = rng.choice([8, 12, 16, 20, 24, 24, 28, 32, 32, 32])
            network = rng.getrandbits(32) & (((1 << 32) - 1) ^ ((1 << (32 - prefix)) - 1))
            rules.append(Rule(f"sg-{g}", Direction.INGRESS, protocol, low, high, Cidr(4, network, prefix)))
    return rules


def first_packets(rules: list[Rule], rng: random.Random, count: int) -> list[tuple[int, int, int]]:
    """(protocol, destination port, source address): half aimed at a rule, half anywhere."""
    probes = []
    for _ in range(count):
        if rng.random() < 0.5:
            rule = rng.choice(rules)
            host = rule.peer.network | (rng.getrandbits(32) & ~rule.peer.mask & 0xFFFFFFFF)
            port = 0 if rule.protocol == ICMP else rng.randint(rule.from_port, rule.to_port)
            probes.append((rule.protocol, port if rule.protocol != ICMP else (8 << 8), host))
        else:
            probes.append((rng.choice([TCP, TCP, UDP]), rng.randrange(1, 65536), rng.getrandbits(32)))
    return probes


def naive_judge(rules: list[Rule], probes: list[tuple[int, int, int]], track: bool):
    """The baseline: every rule in order over ipaddress objects, first match wins; with
    ``track``, also a plain dict of tuple-keyed flows looked up first and filled on a match."""
    parsed = [(rule.protocol, *rule_span(rule.protocol, rule.from_port, rule.to_port), ipaddress.ip_network((rule.peer.network, rule.peer.prefixlen))) for rule in rules]
    addresses = [(protocol, point, ipaddress.ip_address(address)) for protocol, point, address in probes]

    def judge():
        flows: dict[tuple, int] = {}
        decisions = []
        for protocol, point, address in addresses:
            found = -1
            if track and (protocol, point, address) in flows:
                decisions.append(flows[(protocol, point, address)])
                continue
            for index, (rule_protocol, low, high, network) in enumerate(parsed):
                if rule_protocol == protocol and low <= point <= high and address in network:
                    found = index
                    break
            if track and found >= 0:
                flows[(protocol, point, address)] = found
            decisions.append(found)
        return decisions

    return judge


def new_flows(count: int = 100_000) -> None:
    print(f"(b) first packets of new flows, 5 groups x 60 rules ({count:,} packets)")
    rng = random.Random(2)
    rules = realistic_rules(rng)
    table = RuleTable(rules, lambda peer: (peer,))
    probes = first_packets(rules, rng, count)
    naive_probes = probes[: count // 20]  # the naive scan is slow: time a slice, compare rates
    scan = naive_judge(rules, naive_probes, track=False)

    def engine_match():
        match = table.match
        return [match(4, protocol, point, address) for protocol, point, address in probes]

    assert engine_match()[: len(naive_probes)] == scan()  # same answers, or the comparison means nothing
    baseline = best_seconds(scan, rounds=3) / len(naive_probes)
    matched = best_seconds(engine_match) / count
    print(f"  baseline: linear scan over ipaddress objects           {1 / baseline:>14,.0f} packets/s")
    report("RuleTable.match (compiled rules)", f"{1 / matched:,.0f} packets/s", ">= 200,000/s", 1 / matched >= 200_000)
    report("  ratio to the linear scan", f"{baseline / matched:.0f}x faster", ">= 20x", baseline / matched >= 20)

    keys = [flow_key(4, protocol, SERVER, point, address, 40000) for protocol, point, address in probes]

    def engine_admission():
        # the whole admission of first packets: not in the table, match the rules, record it
        connections = new_table()
        get, match, record = connections.get, table.match, connections.record
        for key, (protocol, point, address) in zip(keys, probes):
            if get(key, 0) is None and match(4, protocol, point, address) >= 0:
                record(key, 0, INBOUND | 1)

    naive_admission = best_seconds(naive_judge(rules, naive_probes, track=True), rounds=3) / len(naive_probes)
    admitted = best_seconds(engine_admission) / count
    print(f"  baseline: the scan plus a tuple-keyed dict of flows    {1 / naive_admission:>14,.0f} packets/s")
    print(
        f"  connection table lookup + RuleTable.match + record      {1 / admitted:>13,.0f} packets/s"
        f" ({naive_admission / admitted:.0f}x that baseline)"
    )


# -- (c) ------------------------------------------------------------------------------------


def memory_per_connection(count: int = 1_000_000) -> None:
    print(f"(c) memory per tracked connection, {count:,} entries")
    for version, label, remote_bits in ((4, "IPv4", 32), (6, "IPv6", 128)):
        rng = random.Random(3)
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        table = new_table()
        record = table.record
        for index in range(count):
            record(flow_key(version, TCP, SERVER, 443, rng.getrandbits(remote_bits), 1024 + index % 64000), 0, TCP_ESTABLISHED | INBOUND)
        used = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        assert len(table) == count
        per = used / count
        if version == 4:
            report(f"{label} TCP connections (key, value, dict slot, expiry wheel)", f"{per:,.0f} bytes each", "<= 250 bytes", per <= 250)
        else:
            print(f"  {label} TCP connections (larger keys), for comparison     {per:>10,.0f} bytes each")
        del table, record


# -- (d) ------------------------------------------------------------------------------------


def growing_table(count: int) -> Scenario:
    """``count`` packets: new connections from distinct clients, each answered, all within the
    timeout, so the table grows to count / 2 connections: the worst case for keeping tables."""
    timeline = []
    server = IpAddress(4, SERVER)
    for index in range(count // 2):
        client, port, at = IpAddress(4, 0xC6336400 + index // 60000), 1024 + index % 60000, index / 1000
        timeline.append(TimelineEntry(at, Packet(client, server, TCP, port, 443, flags=frozenset({"SYN"}))))
        timeline.append(TimelineEntry(at, Packet(server, client, TCP, 443, port, flags=frozenset({"SYN", "ACK"}))))
    return Scenario(
        (SecurityGroup("sg-web", ingress=(Rule("sg-web", Direction.INGRESS, TCP, 443, 443, Cidr(4, 0, 0)),)),),
        (Instance("web", server, ("sg-web",)),),
        tuple(timeline),
    )


def every_table_kept(scenario: Scenario) -> list:
    """The baseline: the whole connection table copied after every entry."""
    simulation = Simulation(scenario)
    tables = []
    for index, entry in enumerate(scenario.timeline):
        simulation.apply(index, entry)
        tables.append(simulation.connections())
    return tables


def measure_in_this_process(count: int, way: str) -> dict:
    """Seconds and the peak resident memory added by one run (a fresh process each time, so
    one measurement's memory is not another's)."""
    scenario = growing_table(count)
    gc.collect()
    with open("/proc/self/statm") as statm:
        before = int(statm.read().split()[1]) * resource.getpagesize()
    start, cpu_start = time.perf_counter(), time.process_time()
    if way == "journal":
        run = simulate(scenario)
        assert len(run.tables[-1]) == count // 2
    else:
        assert len(every_table_kept(scenario)[-1]) == count // 2
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    # CPU seconds too: on a machine shared with other work, wall time counts the waiting.
    return {"seconds": seconds, "cpu": cpu, "megabytes": (peak - before) / 1e6}


def measure(count: int, way: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--measure", str(count), way], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def whole_timelines(sizes=(10_000, 20_000), target: int = 100_000) -> None:
    print(f"(d) simulate() on whole timelines (table grows to half the packets), one process per figure")
    for count in sizes:
        old, new = measure(count, "every-table"), measure(count, "journal")
        print(
            f"  {count:>7,} packets: baseline (table kept after every entry) {old['seconds']:6.2f} s ({old['cpu']:.2f} CPU) {old['megabytes']:7.0f} MB;"
            f" Run.tables journal {new['seconds']:5.2f} s ({new['cpu']:.2f} CPU) {new['megabytes']:5.0f} MB"
            f" ({old['cpu'] / new['cpu']:.1f}x less CPU, {old['megabytes'] / new['megabytes']:.1f}x less memory)"
        )
    big = measure(target, "journal")
    report(f"{target:,} packets, CPU seconds", f"{big['cpu']:.2f} s", "<= 5 s", big["cpu"] <= 5)
    print(f"  {target:,} packets, wall seconds (includes waiting on a shared machine)  {big['seconds']:.2f} s")
    report(f"{target:,} packets, peak memory added", f"{big['megabytes']:.0f} MB", "<= 300 MB", big["megabytes"] <= 300)


def main() -> None:
    if sys.argv[1:2] == ["--measure"]:  # one figure of (d), in a process of its own
        print(json.dumps(measure_in_this_process(int(sys.argv[2]), sys.argv[3])))
        return
    print(f"sgviz engine benchmarks - Python {sys.version.split()[0]}, best of {ROUNDS} rounds\n")
    replies_on_established_flows()
    print()
    new_flows()
    print()
    memory_per_connection()
    print()
    whole_timelines()


if __name__ == "__main__":
    main()
