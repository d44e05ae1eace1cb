"""What every search box needs before a query reaches a database, whichever app searches."""

MAX_QUERY_LENGTH = 200


def clean_query(raw: str | None) -> str:
    """A search box's text, made safe for every database: no NULs, bounded, trimmed."""
    return " ".join((raw or "").replace("\x00", " ").split())[:MAX_QUERY_LENGTH]
