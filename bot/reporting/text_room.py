"""The room a long text has left: its parts are joined by a newline, and the whole may hold at most
its field's limit of characters."""

JOINER = "\n"  # between two parts


def remaining(length: int, limit: int) -> int:
    """The characters a next part may hold (after the newline that joins it)."""
    return max(0, limit - length - (len(JOINER) if length else 0))
