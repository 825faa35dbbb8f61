"""Decorated functions in every docstring style, for the golden tests of notes.

Their raw docstrings are indented as in source: Python 3.13 dedents them at
compile time, 3.10-3.12 do not; the notes must read the same either way.
"""

from __future__ import annotations

from mpcontext import ContextField, ContextParam, accepts_context

REASON = "its workers hold CUDA handles, which do not survive fork"


@accepts_context
def numpy_plain(x: int, *, mp_context: ContextParam = None) -> int:
    """Square `x` in a child process.

    Parameters
    ----------
    x : int
        What to square.

    Returns
    -------
    int
        The square.
    """
    return x * x


@accepts_context(requires=("spawn", "forkserver"), reason=REASON)
def numpy_with_examples(x: int, *, mp_context: ContextParam = None) -> int:
    """Square `x` on the GPU.

    Parameters
    ----------
    x : int
        What to square.

    References
    ----------
    .. [1] A paper.

    Examples
    --------
    >>> numpy_with_examples(3)
    9
    """
    return x * x


@accepts_context(requires=("spawn",), reason=REASON + ".")
def numpy_with_notes(*, mp_context: ContextParam = None) -> None:
    """Train a model.

    Parameters
    ----------
    mp_context : None, str or BaseContext
        How the workers start.

    Notes
    -----
    Training takes a while.

    Examples
    --------
    >>> numpy_with_notes()
    """


@accepts_context
def google_plain(x: int, *, mp_context: ContextParam = None) -> int:
    """Square `x` in a child process.

    Args:
        x: What to square.
        mp_context: How the child starts.

    Returns:
        The square.

    Examples:
        >>> google_plain(3)
        9
    """
    return x * x


@accepts_context(requires=("forkserver", "spawn"))
def google_with_note(*, mp_context: ContextParam = None) -> None:
    """Train a model.

    Args:
        mp_context: How the workers start.

    Note:
        Training takes a while.
    """


@accepts_context
def rest_plain(*, mp_context: ContextParam = None) -> None:
    """Index the corpus.

    The corpus is read in parallel, one process a file.

    :param mp_context: How the workers start.
    """


@accepts_context
def one_line(*, mp_context: ContextParam = None) -> None:
    """Index the corpus."""


@accepts_context(param="context")
def no_docstring(*, context: ContextParam = None) -> None:
    pass


class Trainer:
    """Trains models.

    Attributes
    ----------
    mp_context : BaseContext
        How the workers start.
    """

    mp_context: ContextField = ContextField(requires=("spawn", "forkserver"), reason=REASON)

    @accepts_context
    def fit(self, *, mp_context: ContextParam = None) -> None:
        """Fit the model.

        Args:
            mp_context: How the workers start.
        """

    @classmethod
    @accepts_context
    def load(cls, *, mp_context: ContextParam = None) -> None:
        """Load a model.

        The weights are read in a child process.
        """


SAMPLES = {
    "numpy_plain": numpy_plain,
    "numpy_with_examples": numpy_with_examples,
    "numpy_with_notes": numpy_with_notes,
    "google_plain": google_plain,
    "google_with_note": google_with_note,
    "rest_plain": rest_plain,
    "one_line": one_line,
    "no_docstring": no_docstring,
    "method_google": Trainer.fit,
    "classmethod_rest": Trainer.load,
    "class_field": Trainer,
}
