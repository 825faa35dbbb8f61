"""Values and names written into messages: short, quoted, never raising.

An error message quotes what it was given; a 10 MB string, or a ``repr``
that raises, must not become the message or replace the error.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "MAX_REASON",
    "MAX_REPR",
    "because",
    "describe_value",
    "did_you_mean",
    "methods_text",
    "nearest",
    "short_repr",
    "short_text",
]

MAX_REPR = 80
"""The longest a value quoted in a message is: a 10 MB string is not a 10 MB message."""

MAX_REASON = 500
"""The longest a requirement's reason is in an error message (a note shows it whole)."""


def short_repr(value: object, limit: int = MAX_REPR) -> str:
    """Return ``repr(value)`` for a message: at most `limit` characters, never raising.

    A ``repr`` that raises (an object half built, an ``int`` too long to
    print) must not replace the error the message is for.
    """
    if isinstance(value, (str, bytes, bytearray)) and len(value) > limit:
        value = value[:limit]  # its repr is cut anyway: do not build all of it
    try:
        text = repr(value)
    except Exception as error:
        text = f"<{type(value).__qualname__} object, whose repr() raised {type(error).__name__}>"
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def short_text(text: str, limit: int = 500) -> str:
    """Return `text` (an error message, say) cut to about `limit` characters, saying so."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters in all)"


def describe_value(value: object) -> str:
    """Return ``repr(value)`` with its type, shortened for a message."""
    return f"{short_repr(value)} ({type(value).__qualname__})"


def methods_text(methods: Iterable[str], joiner: str = "or", form: str = "{!r}") -> str:
    """Return ``'spawn' or 'forkserver'`` for a message, each name written as `form` says."""
    quoted = [form.format(m) for m in methods]
    if len(quoted) < 2:
        return "".join(quoted)
    return f"{', '.join(quoted[:-1])} {joiner} {quoted[-1]}"


def because(reason: str | None, limit: int | None = None) -> str:
    """Return ``": the reason"`` to end a sentence with, or ``""`` when there is none.

    An error message gives a `limit` (``short_text``); a docstring note
    shows the reason whole.
    """
    if not reason:
        return ""
    reason = reason.rstrip(".")
    return f": {reason if limit is None else short_text(reason, limit)}"


def nearest(name: str, choices: Sequence[str]) -> str | None:
    """Return the one of `choices` that `name` most likely meant, case and spaces aside."""
    import difflib  # only when building a message

    close = difflib.get_close_matches(name.strip().lower(), choices, n=1)
    return close[0] if close else None


def did_you_mean(name: str, choices: Sequence[str], aside: bool = False) -> str:
    """Return ``"; did you mean 'spawn'?"`` for a message, or ``""`` when nothing is close.

    With `aside`, the question is in parentheses: ``" (did you mean 'spawn'?)"``.
    """
    suggestion = nearest(name, choices)
    if suggestion is None:
        return ""
    question = f"did you mean {suggestion!r}?"
    return f" ({question})" if aside else f"; {question}"
