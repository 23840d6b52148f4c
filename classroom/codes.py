"""Join codes: six characters a learner can read off a projector and type on a phone.

Pure (no Django). The alphabet leaves out the characters that read as one another on a
screen or in handwriting (0/O, 1/I/l), so a code that is read right is typed right.
Collisions are not avoided here but by the database's unique constraint: the model draws
again when an insert collides (``ClassSession.objects.start``).
"""

import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 6
LOOK_ALIKES = frozenset("0O1IL")  # after normalise(): l is L


def new_code(choose=secrets.choice) -> str:
    """A random code; ``choose`` picks one character of a string (tests pass their own)."""
    return "".join(choose(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str:
    """A typed code as stored: upper case, without the spaces and dashes people add."""
    return "".join(typed.split()).replace("-", "").upper()


def problem(code: str) -> str:
    """Why a normalised code cannot be a join code, or "" when it has the right shape."""
    if len(code) != LENGTH:
        return f"A class code has {LENGTH} characters; this one has {len(code)}."
    stray = sorted({char for char in code if char not in ALPHABET})
    if stray:
        hint = " (codes never use 0, O, 1, I or L)" if LOOK_ALIKES & set(stray) else ""
        return f"A class code has only letters and digits{hint}; “{stray[0]}” is not one of them."
    return ""
