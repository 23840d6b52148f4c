"""The flow graph: every node a packet can visit and every edge between them.

The web page draws its flowchart from this graph and animates it with the node ids that
step events name, so the picture and the engine cannot disagree. Nodes sit in two lanes,
``in`` (a packet arriving at an interface) and ``out`` (a packet leaving it); ``rank`` orders
them top to bottom within a lane. Decision nodes carry a short ``label`` for the chart and a
``question`` in plain words for the execution table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class NodeKind(str, Enum):
    START = "start"
    PROCESS = "process"
    DECISION = "decision"
    ALLOW = "allow"
    DROP = "drop"


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    label: str
    kind: NodeKind
    lane: str
    rank: int
    question: str | None = None


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    label: str | None = None  # "Yes"/"No" on decision branches


@dataclass(frozen=True, slots=True)
class FlowGraph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def node(self, node_id: str) -> Node:
        return _index(self)[node_id]

    def edge(self, source: str, target: str) -> Edge | None:
        return next((e for e in self.edges if e.source == source and e.target == target), None)

    def subgraph(self, node_ids: set[str] | frozenset[str]) -> FlowGraph:
        """The nodes a lesson's packets visit and the edges among them: the chart a lesson draws."""
        return FlowGraph(
            nodes=tuple(n for n in self.nodes if n.id in node_ids),
            edges=tuple(e for e in self.edges if e.source in node_ids and e.target in node_ids),
        )


def _index(graph: FlowGraph) -> dict[str, Node]:
    return {node.id: node for node in graph.nodes}


_S, _P, _D, _A, _X = NodeKind.START, NodeKind.PROCESS, NodeKind.DECISION, NodeKind.ALLOW, NodeKind.DROP

FLOW_GRAPH = FlowGraph(
    nodes=(
        # Inbound: subnet NACL first, then the interface's security groups.
        Node("in.arrive", "Incoming Packet Arrives", _S, "in", 0),
        Node("in.exempt", "Never Filtered?", _D, "in", 1, "Is it traffic AWS never filters?"),
        Node("in.nacl", "Check Network ACL", _P, "in", 2),
        Node("in.nacl_ok", "Does the NACL Allow It?", _D, "in", 3, "Does the subnet's network ACL allow it in?"),
        Node("in.state", "Check Connection State", _P, "in", 4),
        Node("in.state_ok", "Part of a Connection?", _D, "in", 5, "Is packet part of existing connection?"),
        Node("in.rules", "Check Security Group Rules", _P, "in", 6),
        Node("in.rules_ok", "Is Incoming Allowed?", _D, "in", 7, "Is source IP and port allowed inbound?"),
        Node("in.capacity", "Room to Track It?", _D, "in", 8, "Is there room in the connection tracking table?"),
        Node("in.allow", "Allow Incoming Packet", _A, "in", 9),
        Node("in.record", "Record Connection State", _P, "in", 10),
        Node("in.drop", "Drop Packet", _X, "in", 11),
        # Outbound: the interface's security groups first, then the subnet NACL.
        Node("out.arrive", "Outgoing Packet Arrives", _S, "out", 0),
        Node("out.exempt", "Never Filtered?", _D, "out", 1, "Is it traffic AWS never filters?"),
        Node("out.state", "Check Connection State", _P, "out", 2),
        Node("out.state_ok", "Is Response Allowed?", _D, "out", 3, "Is packet part of existing connection?"),
        Node("out.rules", "Check Security Group Rules", _P, "out", 4),
        Node("out.rules_ok", "Is Outgoing Allowed?", _D, "out", 5, "Is destination IP and port allowed outbound?"),
        Node("out.smtp", "Port 25 Blocked by EC2?", _D, "out", 6, "Does EC2 block it as outbound mail (TCP 25)?"),
        Node("out.capacity", "Room to Track It?", _D, "out", 7, "Is there room in the connection tracking table?"),
        Node("out.nacl", "Check Network ACL", _P, "out", 8),
        Node("out.nacl_ok", "Does the NACL Allow It?", _D, "out", 9, "Does the subnet's network ACL allow it out?"),
        Node("out.allow", "Allow Outgoing Packet", _A, "out", 10),
        Node("out.record", "Record Connection State", _P, "out", 11),
        Node("out.drop", "Drop Packet", _X, "out", 12),
    ),
    edges=(
        Edge("in.arrive", "in.exempt"),
        Edge("in.arrive", "in.nacl"),
        Edge("in.arrive", "in.state"),
        Edge("in.exempt", "in.allow", "Yes"),
        Edge("in.exempt", "in.nacl", "No"),
        Edge("in.exempt", "in.state", "No"),
        Edge("in.nacl", "in.nacl_ok"),
        Edge("in.nacl_ok", "in.state", "Yes"),
        Edge("in.nacl_ok", "in.drop", "No"),
        Edge("in.state", "in.state_ok"),
        Edge("in.state_ok", "in.allow", "Yes"),
        Edge("in.state_ok", "in.rules", "No"),
        Edge("in.state_ok", "in.drop", "No"),  # no inbound rules at all: nothing else can allow it
        Edge("in.rules", "in.rules_ok"),
        Edge("in.rules_ok", "in.capacity", "Yes"),
        Edge("in.rules_ok", "in.allow", "Yes"),
        Edge("in.rules_ok", "in.drop", "No"),
        Edge("in.capacity", "in.allow", "Yes"),
        Edge("in.capacity", "in.drop", "No"),
        Edge("in.allow", "in.record"),
        Edge("out.arrive", "out.exempt"),
        Edge("out.arrive", "out.state"),
        Edge("out.exempt", "out.allow", "Yes"),
        Edge("out.exempt", "out.state", "No"),
        Edge("out.state", "out.state_ok"),
        Edge("out.state_ok", "out.nacl", "Yes"),
        Edge("out.state_ok", "out.allow", "Yes"),
        Edge("out.state_ok", "out.rules", "No"),
        Edge("out.state_ok", "out.drop", "No"),  # no outbound rules at all: nothing else can allow it
        Edge("out.rules", "out.rules_ok"),
        Edge("out.rules_ok", "out.smtp", "Yes"),
        Edge("out.rules_ok", "out.capacity", "Yes"),
        Edge("out.rules_ok", "out.nacl", "Yes"),
        Edge("out.rules_ok", "out.allow", "Yes"),
        Edge("out.rules_ok", "out.drop", "No"),
        Edge("out.smtp", "out.drop", "Yes"),
        Edge("out.smtp", "out.capacity", "No"),
        Edge("out.smtp", "out.nacl", "No"),
        Edge("out.smtp", "out.allow", "No"),
        Edge("out.capacity", "out.nacl", "Yes"),
        Edge("out.capacity", "out.allow", "Yes"),
        Edge("out.capacity", "out.drop", "No"),
        Edge("out.nacl", "out.nacl_ok"),
        Edge("out.nacl_ok", "out.allow", "Yes"),
        Edge("out.nacl_ok", "out.drop", "No"),
        Edge("out.allow", "out.record"),
        # Between lanes: a packet that left one instance arrives at another (after the source
        # recorded its connection, when it opened one).
        Edge("out.allow", "in.arrive"),
        Edge("out.record", "in.arrive"),
    ),
)
