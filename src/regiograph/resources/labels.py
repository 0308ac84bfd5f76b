"""Choosing the literal to show from several languages: the reader's, then de → en → any."""

from __future__ import annotations

from collections.abc import Iterable

FALLBACK = ("de", "en")


def preference(language: str) -> tuple[str, ...]:
    """Languages to try for a reader of ``language``, best first; "" is an untagged literal."""
    order = [language, *FALLBACK, ""]
    return tuple(dict.fromkeys(order))


def pick(values: dict[str, str], language: str) -> str | None:
    """The value for the best language in ``values`` (language tag → text), or None."""
    if not values:
        return None
    normalised = {tag.lower(): text for tag, text in values.items()}
    for tag in preference(language):
        if tag in normalised:
            return normalised[tag]
        # de-AT, en-GB … count as de, en
        for key, text in normalised.items():
            if tag and key.split("-")[0] == tag:
                return text
    return normalised[min(normalised)]  # a label in no known language: still a label


def collect(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(language, text) pairs to a dict keeping the first text per language."""
    result: dict[str, str] = {}
    for language, text in pairs:
        result.setdefault(language, text)
    return result
