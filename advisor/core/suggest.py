"""Did-you-mean suggestions for ids, keys and flags."""

from __future__ import annotations

from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``word``, or None when nothing is close."""
    import difflib  # only on the error path: keeps every command's start-up lighter

    pool = list(dict.fromkeys(candidates))
    match = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if match:
        return match[0]
    lowered = word.lower()
    for candidate in pool:  # "web" for "web_server": a prefix is a good guess too
        if lowered and candidate.lower().startswith(lowered):
            return candidate
    return None


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """``"did you mean 'x'?"`` for the closest candidate, or None."""
    match = closest(word, candidates)
    return f"did you mean {match!r}?" if match else None
