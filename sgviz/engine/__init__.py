"""sgviz's simulation engine: AWS security groups, connection tracking and network ACLs.

Pure Python, no Django. The public API:

- ``load_scenario(doc) -> Scenario`` (raises ``ScenarioError`` listing every ``Fault``),
  ``validate_scenario(doc) -> Validation(scenario, faults, notices)``, ``dump_scenario(scenario) -> dict``;
- ``simulate(scenario) -> Run`` and ``Simulation(scenario).apply(index, entry)`` for stepping;
- AWS JSON: ``import_security_groups``, ``import_security_group_rules``, ``import_network_acls``
  (each -> (items, notices)) and ``security_groups_to_aws``, ``security_group_rules_to_aws``,
  ``network_acls_to_aws``, ``rule_to_aws``, ``nacl_entry_to_aws``;
- ``FLOW_GRAPH``, the flowchart every step event names a node of (``FlowGraph``, ``Node``,
  ``NodeKind``); ``Parameters``; the typed results (``PacketResult``, ``ChangeResult``,
  ``Verdict``, ``Basis``, ``TableChangeKind``) and ``explain``, their plain words.

See docs/engine.md.
"""

from . import explain
from .awsjson import (
    import_network_acls,
    import_security_group_rules,
    import_security_groups,
    nacl_entry_to_aws,
    network_acls_to_aws,
    rule_to_aws,
    security_group_rules_to_aws,
    security_groups_to_aws,
)
from .errors import Fault, Notice, ScenarioError
from .graph import FLOW_GRAPH, FlowGraph, Node, NodeKind
from .model import Scenario
from .params import Parameters
from .results import Basis, ChangeResult, PacketResult, TableChangeKind, Verdict
from .scenario import Validation, dump_scenario, load_scenario, validate_scenario
from .simulation import Simulation, simulate

__all__ = [
    "FLOW_GRAPH",
    "Basis",
    "ChangeResult",
    "FlowGraph",
    "Fault",
    "Node",
    "NodeKind",
    "Notice",
    "PacketResult",
    "Parameters",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "TableChangeKind",
    "Validation",
    "Verdict",
    "dump_scenario",
    "explain",
    "import_network_acls",
    "import_security_group_rules",
    "import_security_groups",
    "load_scenario",
    "nacl_entry_to_aws",
    "network_acls_to_aws",
    "rule_to_aws",
    "security_group_rules_to_aws",
    "security_groups_to_aws",
    "simulate",
    "validate_scenario",
]
