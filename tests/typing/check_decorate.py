"""Types of accepts_context: checked by mypy and pyright, never run by pytest."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from multiprocessing.context import BaseContext
from typing import Protocol

from typing_extensions import assert_type

import mpcontext
from mpcontext import ContextParam, Requirement, accepts_context


def work(x: int, y: str = "a", *, mp_context: ContextParam = None) -> str:
    return y * x


bare = accepts_context(work)
options = accepts_context(requires=("spawn", "forkserver"), reason="why", note=False)(work)


class WorkLike(Protocol):
    def __call__(self, x: int, y: str = ..., *, mp_context: ContextParam = ...) -> str: ...


class Different(Protocol):
    def __call__(self, x: str) -> str: ...


# The exact signature is kept, with either form.
same: WorkLike = bare
same_too: WorkLike = options
different: Different = bare  # type: ignore[assignment]

assert_type(bare(1), str)
assert_type(bare(1, "b", mp_context="spawn"), str)
assert_type(options(2, mp_context=None), str)
bare(1, mp_context=3)  # type: ignore[arg-type]
bare("1")  # type: ignore[arg-type]
bare(1, 2)  # type: ignore[arg-type]
bare(1, context="spawn")  # type: ignore[call-arg]


def from_configuration(name: str) -> str:
    return bare(1, mp_context=name)  # a plain str type-checks: checked at run time


@accepts_context
def decorated(*, mp_context: ContextParam = None) -> int:
    return 1


@accepts_context(param="context")
def renamed(*, context: ContextParam = None) -> int:
    return 1


assert_type(decorated(), int)
assert_type(renamed(context="spawn"), int)

accepts_context(requires=("spwan",))  # type: ignore[arg-type]
accepts_context(requires="spawn")  # type: ignore[arg-type]
accepts_context(note=1)  # type: ignore[call-overload]


def configured(methods: list[mpcontext.StartMethod]) -> None:
    accepts_context(requires=methods)(work)


class Engine:
    @accepts_context
    def run(self, x: int, *, mp_context: ContextParam = None) -> int:
        return x

    @classmethod
    @accepts_context
    def build(cls, *, mp_context: ContextParam = None) -> Engine:
        return cls()

    @accepts_context
    @classmethod
    def build_outer(cls, *, mp_context: ContextParam = None) -> Engine:
        return cls()

    @staticmethod
    @accepts_context
    def helper(x: int, *, mp_context: ContextParam = None) -> int:
        return x

    @accepts_context
    @staticmethod
    def helper_outer(x: int, *, mp_context: ContextParam = None) -> int:
        return x


assert_type(Engine().run(1, mp_context="spawn"), int)
Engine().run("1")  # type: ignore[arg-type]
assert_type(Engine.build(mp_context="spawn"), Engine)
assert_type(Engine.build_outer(), Engine)
assert_type(Engine.helper(1), int)
assert_type(Engine.helper_outer(1, mp_context=None), int)
Engine.helper_outer(1, mp_context=3)  # type: ignore[arg-type]


@accepts_context
def generate(n: int, *, mp_context: ContextParam = None) -> Iterator[int]:
    yield n


@accepts_context
async def wait(n: int, *, mp_context: ContextParam = None) -> int:
    return n


@accepts_context
async def stream(n: int, *, mp_context: ContextParam = None) -> AsyncIterator[int]:
    yield n


async def use_async() -> None:
    assert_type(await wait(1, mp_context="spawn"), int)
    async for item in stream(1):
        assert_type(item, int)


assert_type(generate(1), Iterator[int])
callable_: Callable[[int], Iterator[int]] = generate

entry: Requirement | None = mpcontext.registry.lookup(decorated)
field_entry: Requirement | None = mpcontext.registry.lookup(Engine, "mp_context")
entries: list[Requirement] = mpcontext.registry.entries("pkg")
registered: Requirement = mpcontext.registry.register(work, requires=("spawn",), reason="why")
mpcontext.registry.register(work, requires=("spwan",))  # type: ignore[arg-type]


# The body's context, typed as one: resolve_context gives the same object back.
@mpcontext.accepts_context
def typed_body(*, mp_context: mpcontext.ContextParam = None) -> str:
    ctx = mpcontext.resolve_context(mp_context)
    assert_type(ctx, BaseContext)
    import concurrent.futures

    concurrent.futures.ProcessPoolExecutor(1, mp_context=ctx)
    concurrent.futures.ProcessPoolExecutor(1, mp_context=mp_context)  # type: ignore[arg-type]
    mp_context.get_start_method()  # type: ignore[union-attr]
    return ctx.get_start_method()
