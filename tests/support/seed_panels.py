"""What the seed lesson's rules and connection-table panels show at each step, defined once
for the narration, page, websocket and browser tests."""

HTTP_RULE = "Lets in TCP to port 80 from anywhere on IPv4 (0.0.0.0/0)"
NO_OUTBOUND_RULES = "No outbound rules: nothing leaves unless it answers a tracked connection"
NO_RULE_MATCHED = "No rule matched"

# Per step: how the web server's rules settled the packet (Outcome.kind), and the rule marked
# as deciding it (None: no rule decided).
RULE_OUTCOMES = {1: ("rule", HTTP_RULE), 2: ("state", None), 3: ("no-match", None), 4: ("no-rules", None)}

# Per step: what the web server's rules in the packet's direction say beside their title.
CHECKED = "checked for this packet"
RULES_CHECKED = {1: CHECKED, 2: "not checked: the reply belongs to tracked connection #1", 3: CHECKED, 4: CHECKED}

# Per step: the connection table's rows as (marker, mark kind or None, state, idle timeout left).
CONNECTION_ROWS = {
    0: [],
    1: [("#1", "recorded", "new", "120 s")],
    2: [("#1", "used", "established", "432000 s (5 days)")],
    3: [("#1", None, "established", "431999 s (about 5 days)")],
    4: [("#1", None, "established", "431998 s (about 5 days)")],
}
# Per step: where the connection's number shows on the flowchart.
CHART_MARKS = {0: "", 1: "in.record:1", 2: "out.state:1", 3: "", 4: ""}
CONNECTION_ENDS = ("IP A 198.51.100.10:50000", "web server 10.0.1.10:80")  # who opened it, and to whom

# The execution sample's lines marked "now" at each step (SampleLine.step in the seed).
SAMPLE_LINES_NOW = {0: [], 1: [1, 2, 3], 2: [4, 5], 3: [], 4: []}
