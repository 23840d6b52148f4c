"""Perf's many-flow run and its summary: a pure module (no Django), so plain pytest checks it.

The mode's scenario names one or more *template* packets, each a request arriving at an
instance. The load repeats them round-robin at a steady rate, each time from a new client
address, with the server's reply at the same instant. Judging 100,000 flows one by one with
``Simulation`` takes tens of seconds (it explains every step), so this module asks the
engine's ``Simulation`` to judge each template once (allowed? tracked?) and then plays the
load straight on the engine's own connection table (``sgviz.engine.conntrack``), the
structure the simulator records into, with the same capacity check, stages and timeouts.
tests/modes/test_perf.py replays a small load through ``simulate`` and checks that both
give the same numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache

from sgviz.engine import Simulation, load_scenario
from sgviz.engine.addresses import IpAddress
from sgviz.engine.conntrack import INBOUND, NLB, ConnectionTable, Timeouts, first_stage, flow_key
from sgviz.engine.model import ICMP, ICMPV6, Packet, Scenario, TimelineEntry
from sgviz.engine.results import Verdict
from sgviz.engine.simulation import NETWORK_LOAD_BALANCER, closes

# TcpEstablishedTimeout: AWS's range and the choices the page's time control offers (the
# default, an hour, the Network Load Balancer's and Nitro V6's 350 s, and the minimum).
TCP_ESTABLISHED_RANGE = (60, 432_000)
TCP_ESTABLISHED_CHOICES = (432_000, 3600, 350, 60)


@dataclass(frozen=True, slots=True)
class Load:
    flows: int
    flows_per_second: int
    tcp_established_timeout: int | None = None  # None: as the scenario says

    @property
    def seconds(self) -> int:
        """How long the load runs, in whole seconds."""
        return -(-self.flows // self.flows_per_second)


@dataclass(frozen=True, slots=True)
class Template:
    """One template packet as the engine judged it."""

    packet: Packet
    instance: str
    allowed: bool
    tracked: bool


@dataclass(frozen=True, slots=True)
class InstanceLoad:
    """What the load did to one instance's connection table."""

    instance: str
    capacity: int
    flows: int
    tracked: int  # recorded in the table
    untracked: int  # allowed without a table entry
    refused: int  # dropped by the rules
    exceeded: int  # new tracked flows dropped at capacity: conntrack_allowance_exceeded
    live: tuple[int, ...]  # entries in the table at the start of each second
    exceeded_by: tuple[int, ...]  # conntrack_allowance_exceeded so far, at the same seconds


@dataclass(frozen=True, slots=True)
class PerfSummary:
    load: Load
    seconds: int  # the summary spans 0..seconds (the load, then the table emptying)
    instances: tuple[InstanceLoad, ...]
    templates: tuple[Template, ...]

    @property
    def exceeded(self) -> int:
        return sum(instance.exceeded for instance in self.instances)

    @property
    def untracked(self) -> int:
        return sum(instance.untracked for instance in self.instances)


def with_tcp_established_timeout(scenario: Scenario, seconds: int | None) -> Scenario:
    if seconds is None:
        return scenario
    low, high = TCP_ESTABLISHED_RANGE
    if not low <= seconds <= high:
        raise ValueError(f"TcpEstablishedTimeout {seconds} is outside AWS's range {low}-{high} s")
    instances = tuple(
        replace(i, connection_tracking=replace(i.connection_tracking, tcp_established_timeout=seconds)) for i in scenario.instances
    )
    return replace(scenario, instances=instances)


def judge_templates(scenario: Scenario) -> tuple[Template, ...]:
    """Each template packet judged by the engine alone, on fresh tables."""
    names = {address: instance.name for instance in scenario.instances for address in (instance.private_ip, instance.public_ip) if address}
    templates = []
    for entry in scenario.timeline:
        packet = entry.packet
        if packet is None:
            continue
        if packet.dst not in names or packet.src in names or packet.src.version != 4 or packet.protocol in (ICMP, ICMPV6):
            raise ValueError(f"a Perf template must be a TCP or UDP IPv4 request from outside to an instance, not {packet}")
        result = Simulation(replace(scenario, timeline=())).apply(0, TimelineEntry(0, packet))
        templates.append(Template(packet, names[packet.dst], result.verdict == Verdict.ALLOW, result.tracked is True))
    if not templates:
        raise ValueError("a Perf scenario needs at least one packet in its timeline: the flow the load repeats")
    return tuple(templates)


def flows(templates: tuple[Template, ...], load: Load):
    """The load as ``(ms, template index, client address)``: flow ``n`` is template ``n mod len``
    from the template's client address plus ``n // len`` (a new client per flow), same port."""
    count = len(templates)
    starts = [template.packet.src.value for template in templates]
    rate = load.flows_per_second
    for number in range(load.flows):
        index = number % count
        yield number * 1000 // rate, index, (starts[index] + number // count) & 0xFFFFFFFF


def request(template: Template, client: int) -> Packet:
    """Flow ``client``'s request: the template's packet from that client address."""
    return replace(template.packet, src=IpAddress(4, client))


def reply_to(packet: Packet) -> Packet:
    return replace(packet, src=packet.dst, dst=packet.src, src_port=packet.dst_port, dst_port=packet.src_port, flags=reply_flags(packet))


def reply_flags(packet: Packet) -> frozenset[str]:
    """A TCP reply acknowledges (SYN → SYN,ACK); FIN or RST is answered in kind."""
    return frozenset(packet.flags | {"ACK"}) if packet.flags else packet.flags


def summarise(document: dict, load: Load) -> PerfSummary:
    """Play ``load`` on the scenario's instances. Raises ScenarioError or ValueError on bad input."""
    return _summarise(json.dumps(document, sort_keys=True), load)


@lru_cache(maxsize=32)  # by canonical scenario and load: the page shows one summary to everyone
def _summarise(canonical: str, load: Load) -> PerfSummary:
    scenario = with_tcp_established_timeout(load_scenario(json.loads(canonical)), load.tcp_established_timeout)
    templates = judge_templates(scenario)
    params = scenario.parameters
    tables = {
        i.name: ConnectionTable(
            Timeouts.for_interface(i.connection_tracking, params),
            i.conntrack_capacity if i.conntrack_capacity is not None else params.conntrack_capacity,
        )
        for i in scenario.instances
    }
    counts = {name: {"flows": 0, "tracked": 0, "untracked": 0, "refused": 0, "exceeded": 0} for name in tables}
    live = {name: [] for name in tables}
    exceeded_by = {name: [] for name in tables}
    seconds = 2 * load.seconds  # the load, then as long again to show the table emptying

    samples = [0]  # seconds sampled so far

    def sample_until(second):
        while samples[0] < second:
            for name, table in tables.items():
                table.expire(samples[0] * 1000)
                live[name].append(len(table))
                exceeded_by[name].append(counts[name]["exceeded"])
            samples[0] += 1

    # Per template, everything a flow needs but its client: the loop below is integers only.
    plans = []
    for template in templates:
        packet = template.packet
        flags = first_stage(packet.protocol, closes(packet)) | INBOUND | (NLB if packet.via == NETWORK_LOAD_BALANCER else 0)
        # flow_key(4, protocol, server, server port, client, client port) with the client left 0.
        key_base = flow_key(4, packet.protocol, packet.dst.value, packet.dst_port, 0, packet.src_port)
        plans.append((template, counts[template.instance], tables[template.instance], flags, key_base, closes(reply_to(packet))))

    next_second = 0
    for now, index, client in flows(templates, load):
        if now >= next_second:  # a new second: sample the tables at its start
            sample_until(now // 1000 + 1)
            next_second = samples[0] * 1000
        template, tally, table, flags, key_base, reply_closes = plans[index]
        tally["flows"] += 1
        if not template.allowed:
            tally["refused"] += 1
            continue
        if not template.tracked:
            tally["untracked"] += 1  # its reply passes by the outbound rule: no table entry
            continue
        table.expire(now)
        if table.full:
            tally["exceeded"] += 1
            continue
        key = key_base | client << 16
        table.record(key, now, flags)
        table.use(key, now, inbound=False, closing=reply_closes)  # the server's reply
        tally["tracked"] += 1
    sample_until(seconds + 1)
    return PerfSummary(
        load=load,
        seconds=seconds,
        instances=tuple(
            InstanceLoad(name, table.capacity, **counts[name], live=tuple(live[name]), exceeded_by=tuple(exceeded_by[name]))
            for name, table in tables.items()
        ),
        templates=templates,
    )


@dataclass(frozen=True, slots=True)
class QuotaUse:
    what: str
    used: int
    quota: int


def quota_use(document: dict) -> tuple[QuotaUse, ...]:
    """How much of each rule quota (Parameters, AWS's defaults) the scenario's groups use;
    IPv4 and IPv6 rules count separately, as AWS counts them."""
    scenario = load_scenario(document)
    params = scenario.parameters
    rows = []
    for group in scenario.security_groups:
        for word, rules, quota in (("inbound", group.ingress, params.inbound_rules_per_group), ("outbound", group.egress, params.outbound_rules_per_group)):
            for version in (4, 6):
                used = sum(1 for rule in rules if getattr(rule.peer, "version", 4) == version)
                if used or version == 4:
                    rows.append(QuotaUse(f"{group.group_id}: IPv{version} {word} rules", used, quota))
    for instance in scenario.instances:
        rows.append(QuotaUse(f"{instance.name}: security groups on the interface", len(instance.security_groups), params.groups_per_interface))
    return tuple(rows)
