"""MPC004: a start method hard-coded where the caller cannot choose."""

import multiprocessing
from multiprocessing import get_context

import mpcontext
from mpcontext import accepts_context

# A capability probe at module level is not flagged.
HAVE_FORK = "fork" in multiprocessing.get_all_start_methods()
FORK = get_context("fork") if HAVE_FORK else None


def run(target):
    ctx = get_context("spawn")  # MPC004
    return ctx.Process(target=target)


class Runner:
    def start(self, target):
        ctx = multiprocessing.get_context("forkserver")  # MPC004
        return ctx.Process(target=target)

    def with_context(self, target, mp_context=None):
        ctx = mp_context or multiprocessing.get_context("spawn")
        return ctx.Process(target=target)


def outer(target):
    def inner():
        return get_context(method="spawn")  # MPC004
    return inner


def outer_takes(target, mp_context=None):
    # A nested helper of a function that takes a context is covered by it.
    def inner():
        return get_context("spawn")
    return inner


@mpcontext.accepts_context(requires=["spawn"], reason="the workers use CUDA")
def declared(target, *, mp_context=None):
    return get_context("spawn").Process(target=target)


@accepts_context
def accepting(target, *, mp_context=None):
    return get_context("spawn")


def from_a_variable(method):
    return get_context(method)


make = lambda: get_context("fork")  # MPC004
