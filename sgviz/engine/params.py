"""Where AWS is silent, the engine takes a named parameter. Each default is documented here
and in docs/engine.md; a scenario may override any of them under "parameters"."""

from __future__ import annotations

from dataclasses import dataclass

# AWS's list of middleboxes whose flows are always tracked has changed over time, so it is
# data. Packet "via" values are these names.
AUTOMATICALLY_TRACKED = (
    "egress-only-internet-gateway",
    "gateway-load-balancer",
    "global-accelerator",
    "nat-gateway",
    "network-firewall",
    "network-load-balancer",
    "privatelink-endpoint",
    "transit-gateway",
)

# The ways Parameters.untracked_judged_on may judge a flow untracked with several groups.
UNTRACKED_JUDGEMENTS = ("merged", "per-group")


@dataclass(frozen=True, slots=True)
class Parameters:
    # Idle timeouts AWS does not document (seconds). Defaults follow Linux conntrack.
    icmp_timeout: int = 30
    tcp_unestablished_timeout: int = 120  # before a packet has passed each way
    tcp_closing_timeout: int = 120  # after FIN or RST
    other_protocol_timeout: int = 600  # documented by AWS, fixed
    nlb_tcp_timeout: int = 350  # documented by AWS for flows via a Network Load Balancer
    nlb_udp_timeout: int = 120
    # Whether an ICMP error about an untracked flow is let in without an ICMP rule.
    icmp_errors_for_untracked: bool = False
    # How "untracked" is judged with several groups on one interface: on their "merged" rule set,
    # or "per-group" (the all-addresses rule and the all-traffic return rule in one group).
    untracked_judged_on: str = "merged"
    # Connections one interface can track before new ones are dropped.
    conntrack_capacity: int = 500_000
    # EC2 blocks outbound TCP 25 unless the account asked AWS to lift it.
    block_outbound_smtp: bool = True
    # Quotas (AWS defaults).
    inbound_rules_per_group: int = 60
    outbound_rules_per_group: int = 60
    groups_per_interface: int = 5
    rules_times_groups: int = 1000
    nacl_rules_per_direction: int = 20
    automatically_tracked: tuple[str, ...] = AUTOMATICALLY_TRACKED
