""""What if security groups were stateless?": pure, no Django.

The same packets under the same rules, each judged alone, with no connection table, the way a
network ACL judges them. The engine does the judging, in one run of a copy of the scenario whose
entries are spaced further apart than the longest idle timeout it can have: every connection a
packet records has expired before the next packet, so each verdict comes from the rules (and
the changes before it) alone. (One run per packet would say the same, at one engine set-up per
packet: seconds for 200 packets over 300 rules.)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields

from sgviz.engine import simulate

EPHEMERAL_PORTS = "1024-65535"


@dataclass(frozen=True, slots=True)
class Alone:
    """What the stateless filter decided for a packet: all that is kept of its result. The
    comparison lives as long as its content's run is cached, and the whole second run's
    results (each packet's events) doubled what the collector scans for it."""

    verdict: object  # the engine's Verdict


@dataclass(frozen=True)
class Comparison:
    step: int  # the packet's number, from 1 (as the player counts steps)
    index: int  # its position in the timeline
    stateful: object  # the engine's PacketResult with the connection table
    stateless: Alone  # the same packet judged alone
    reason: str = ""  # why the two differ; "" when they agree

    @property
    def differs(self) -> bool:
        return self.stateful.verdict != self.stateless.verdict


def _reason(stateful, stateless) -> str:
    if stateful.basis.value == "state":
        decided = stateless.steps[stateless.deciding_step] if stateless.steps else None
        word = "outbound" if decided is not None and decided.direction.value == "egress" else "inbound"
        port = stateless.packet.dst_port
        to_port = f" to port {port}" if port is not None else ""
        need = f" It would need an {word} rule for the other side's ephemeral ports, e.g. {EPHEMERAL_PORTS}." if port is not None else ""
        return (
            f"With state it passes as part of a tracked connection. Judged alone, nothing allows {word} traffic{to_port}, "
            f"so a stateless filter drops it.{need}"
        )
    return f"With state: {stateful.explanation} Judged alone: {stateless.explanation}"


def longest_idle_timeout(scenario) -> int:
    """The longest any connection of this scenario can stay idle and still be tracked
    (seconds): its parameters' timeouts and every instance's connection-tracking timeouts."""
    timeouts = [getattr(scenario.parameters, f.name) for f in fields(scenario.parameters) if f.name.endswith("_timeout")]
    for instance in scenario.instances:
        tracking = instance.connection_tracking
        timeouts += [tracking.tcp_established(instance.nitro), tracking.udp_timeout, tracking.udp_stream_timeout]
    return max(timeouts)


def compare_stateless(scenario, stateful=None) -> list[Comparison]:
    """One comparison per packet of a valid scenario (the engine's Scenario); ``stateful``:
    its run's results, when already at hand."""
    stateful = simulate(scenario).results if stateful is None else stateful
    gap = longest_idle_timeout(scenario) + 1
    apart = tuple(dataclasses.replace(entry, at=index * gap) for index, entry in enumerate(scenario.timeline))
    alone = simulate(dataclasses.replace(scenario, timeline=apart)).results
    comparisons = []
    step = 0
    for index, entry in enumerate(scenario.timeline):
        if entry.packet is None:
            continue
        step += 1
        with_state, without = stateful[index], alone[index]
        reason = _reason(with_state, without) if with_state.verdict != without.verdict else ""
        comparisons.append(Comparison(step, index, with_state, Alone(without.verdict), reason))
    return comparisons
