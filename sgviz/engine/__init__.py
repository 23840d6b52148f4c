"""sgviz's simulation engine: AWS security groups, connection tracking and network ACLs.

Pure Python, no Django. The public API:

- ``load_scenario(doc) -> Scenario`` (raises ``ScenarioError`` listing every ``Fault``),
  ``validate_scenario(doc) -> Validation(scenario, faults, notices)``, ``dump_scenario(scenario) -> dict``;
  both take ``limits=LESSON_LIMITS`` (a ``SizeLimits``) to cap a scenario's size where it is authored;
- ``simulate(scenario) -> Run`` and ``Simulation(scenario).apply(index, entry)`` for stepping;
- AWS JSON: ``import_security_groups``, ``import_security_group_rules``, ``import_network_acls``
  (each -> (items, notices)) and ``security_groups_to_aws``, ``security_group_rules_to_aws``,
  ``network_acls_to_aws``, ``rule_to_aws``, ``nacl_entry_to_aws``;
- ``FLOW_GRAPH``, the flowchart every step event names a node of; ``Parameters``.

See docs/engine.md.
"""

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
from .graph import FLOW_GRAPH
from .params import Parameters
from .scenario import LESSON_LIMITS, SizeLimits, Validation, dump_scenario, load_scenario, validate_scenario
from .simulation import Simulation, simulate

__all__ = [
    "FLOW_GRAPH",
    "LESSON_LIMITS",
    "Fault",
    "Notice",
    "Parameters",
    "ScenarioError",
    "Simulation",
    "SizeLimits",
    "Validation",
    "dump_scenario",
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
