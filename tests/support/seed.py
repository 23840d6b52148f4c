"""The seed lesson's walkthrough as a learner reads it: its rows, its tracker, its verdicts."""

# Step, packet direction, check, result, action: the process table, word for word.
SEED_TABLE = [
    ("1", "Incoming", "Is source IP and port allowed inbound?", "Yes", "Allow packet and record connection state"),
    ("2", "Outgoing", "Is packet part of existing connection?", "Yes", "Allow packet automatically"),
    ("3", "Incoming", "Is source IP and port allowed inbound?", "No", "Drop packet"),
    ("4", "Outgoing", "Is packet part of existing connection?", "No", "Drop packet"),
]
SEED_ALLOWED = [True, True, False, False]
# The table as rendered HTML reads, the glyph before the action.
SEED_ROWS = [
    [*row[:4], f"{'✓' if allowed else '✗'} {row[4]}"] for row, allowed in zip(SEED_TABLE, SEED_ALLOWED)
]
# The table as a browser shows it (glyphs are aria-hidden and left out).
SEED_ROWS_SHOWN = [list(row) for row in SEED_TABLE]
SEED_TRACKER = [
    "Empty",
    "Connection recorded for IP A:80",
    "Connection state used to allow response",
    "No change",
    "No change",
]
SEED_VERDICT_NODES = ["in.allow", "out.allow", "in.drop", "out.drop"]
END_NODE_WORDS = {1: "✓ ALLOW", 2: "✓ ALLOW", 3: "✗ DROP", 4: "✗ DROP"}
NO_PACKET_YET = "No packet yet: press Step to send the first one."
NOT_REACHED = "not reached yet"
