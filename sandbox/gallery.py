"""The sandbox's starting points: scenario files, authored as data (examples/)."""

import json
from dataclasses import dataclass
from pathlib import Path

from .document import blank, normalize

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@dataclass(frozen=True)
class StartingPoint:
    slug: str
    title: str
    description: str
    file: str | None  # under examples/; None: the blank scenario

    def document(self) -> dict:
        if self.file is None:
            return blank()
        return normalize(json.loads((EXAMPLES / self.file).read_text()))


GALLERY = (
    StartingPoint("blank", "Blank", "No groups, no instances, no packets: build your own.", None),
    StartingPoint(
        "seed", "The first lesson's web server",
        "HTTP in from anywhere and no outbound rules: the reply still gets out, because the group is stateful.",
        "seed-lesson.json",
    ),
    StartingPoint(
        "web-ssh", "A web server with SSH from one address",
        "HTTPS from anywhere, SSH only from the administrator; AWS's default outbound rule makes the HTTPS flow untracked.",
        "sandbox/web-ssh.json",
    ),
    StartingPoint(
        "three-tier", "A three-tier application",
        "Web, application and database tiers chained by group references; the web tier cannot reach the database.",
        "sandbox/three-tier.json",
    ),
    StartingPoint(
        "nacl-trap", "The stateless network ACL trap",
        "The group lets the reply out, but the subnet's network ACL keeps no state and drops it until an outbound entry allows the client's ephemeral ports.",
        "sandbox/nacl-trap.json",
    ),
)
BY_SLUG = {point.slug: point for point in GALLERY}
