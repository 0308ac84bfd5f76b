"""Query-string parameters that several pages share, checked the same way everywhere."""

from flask import abort, request


def page_number(limit: int = 100_000) -> int:
    """``?page=`` as a whole number from 1 to ``limit``, or a 400 that says so."""
    try:
        number = int(request.args.get("page", "1"))
    except ValueError:
        abort(400, description="page must be a whole number")
    if not 1 <= number <= limit:
        abort(400, description=f"page must be between 1 and {limit}")
    return number
