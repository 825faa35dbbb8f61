"""The example library, examples/wordfreq, under every start method."""

from __future__ import annotations

import inspect
import multiprocessing
import multiprocessing.pool
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import mpcontext
from mpcontext import StartMethodError, using

from authorapi_targets import restore_start_method  # noqa: F401 - a fixture

sys.path.insert(0, str(Path(__file__).parent.parent / "examples"))

import wordfreq  # noqa: E402
import wordfreq.index  # noqa: E402

METHODS = mpcontext.available_start_methods()
TEXTS = {
    "a.txt": "The cat sat on the mat.",
    "b.txt": "The dog ate the cat's dinner!",
    "c.txt": "A cat, a dog; the end.",
}
EXPECTED = Counter({"the": 5, "cat": 2, "dog": 2, "a": 2, "sat": 1, "on": 1, "mat": 1,
                    "ate": 1, "cat's": 1, "dinner": 1, "end": 1})  # fmt: skip


@pytest.fixture
def paths(tmp_path: Path) -> list[str]:
    for name, text in TEXTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return [str(tmp_path / name) for name in TEXTS]


@pytest.mark.parametrize("method", METHODS)
def test_count_files_under_every_method(
    method: str, paths: list[str], restore_start_method: None
) -> None:
    assert wordfreq.count_files(paths, processes=2, mp_context=method) == EXPECTED
    with using(method):
        assert wordfreq.most_common(paths, 1) == [("the", 5)]


@pytest.mark.parametrize("method", METHODS)
def test_count_each_uses_a_local_pool_of_the_method(
    method: str, paths: list[str], restore_start_method: None
) -> None:
    counts = wordfreq.count_each(paths, processes=2, mp_context=method)
    assert set(counts) == set(paths)
    assert sum(counts.values(), Counter()) == EXPECTED


def test_count_each_runs_on_the_pool_the_application_injected(paths: list[str]) -> None:
    made: list[multiprocessing.pool.Pool] = []

    def threads(processes: int | None, initializer: Any, initargs: Any, tasks: Any) -> Any:
        made.append(multiprocessing.pool.ThreadPool(processes, initializer, initargs))
        return made[-1]

    with using(pool=threads):
        counts = wordfreq.count_each(paths, processes=2)
    assert sum(counts.values(), Counter()) == EXPECTED
    assert len(made) == 1 and made[0]._state == "TERMINATE"  # type: ignore[attr-defined]


@pytest.mark.parametrize("method", METHODS)
def test_iter_counts_is_a_generator_under_the_method(
    method: str, paths: list[str], restore_start_method: None
) -> None:
    results = wordfreq.iter_counts(paths, processes=2, mp_context=method)
    first_path, first_counts = next(results)
    assert first_path == paths[0]
    assert first_counts == Counter({"the": 2, "cat": 1, "sat": 1, "on": 1, "mat": 1})
    results.close()  # leaves early: the pool is shut down


@pytest.mark.parametrize("method", METHODS)
def test_build_index_requires_a_method_that_does_not_fork(
    method: str, paths: list[str], restore_start_method: None
) -> None:
    if method == "fork":
        with pytest.raises(StartMethodError, match=r"build_index\(\) cannot use the start method 'fork'"):
            wordfreq.index.build_index(paths, mp_context=method)
        return
    index = wordfreq.index.build_index(paths, max_workers=2, mp_context=method)
    assert index["cat"] == frozenset([paths[0], paths[2]])  # b.txt has "cat's"
    assert index["mat"] == frozenset(paths[:1])


@pytest.mark.allow_global_start_method
def test_build_index_falls_back_from_a_fork_default(
    paths: list[str], restore_start_method: None
) -> None:
    multiprocessing.set_start_method("fork", force=True)
    assert "dinner" in wordfreq.index.build_index(paths, max_workers=1)


@pytest.mark.parametrize("method", [m for m in METHODS if m != "fork"])
def test_corpus_carries_its_context(method: str, paths: list[str], restore_start_method: None) -> None:
    corpus = wordfreq.Corpus(paths, processes=2, mp_context=method)
    assert corpus.mp_context is multiprocessing.get_context(method)
    assert corpus.counts() == EXPECTED
    assert corpus.index()["end"] == frozenset(paths[2:])


def test_corpus_refuses_fork() -> None:
    with pytest.raises(StartMethodError, match=r"Corpus\.mp_context cannot use the start method 'fork'"):
        wordfreq.Corpus([], mp_context="fork")


def test_the_library_is_registered_and_documented() -> None:
    entries = {e.qualname: e for e in mpcontext.registry.entries("wordfreq")}
    assert set(entries) == {"count_files", "count_each", "iter_counts", "most_common",
                            "build_index", "Corpus.mp_context"}  # fmt: skip
    assert entries["build_index"].start_methods == frozenset({"spawn", "forkserver"})
    assert entries["build_index"].module == "wordfreq.index"
    assert entries["Corpus.mp_context"].kind == "field"
    for function in (wordfreq.count_files, wordfreq.count_each, wordfreq.iter_counts,
                     wordfreq.index.build_index):  # fmt: skip
        assert "This function starts processes." in (inspect.getdoc(function) or "")
    assert "management thread" in (inspect.getdoc(wordfreq.index.build_index) or "")
    assert "Instances start processes." in (inspect.getdoc(wordfreq.Corpus) or "")


def test_tokenize_doctest() -> None:
    import doctest

    from wordfreq import text

    assert doctest.testmod(text).failed == 0
