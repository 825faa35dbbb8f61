"""Names are resolved scope by scope, the way Python does."""

import multiprocessing as mp
from multiprocessing import Process, Queue


def by_parameter(Queue):
    return Queue()  # a parameter: not flagged


def by_assignment_after_the_call():
    queue = Queue()  # local to the function (bound below): not flagged
    Queue = list
    return queue


def before_a_rebinding_in_another_function():
    return Queue()  # MPC002: the module's Queue


class Holder:
    Queue = list
    queue = Queue()  # the class attribute: not flagged

    def method(self):
        return Queue()  # MPC002: methods do not see class attributes


def in_a_comprehension(items):
    return [Process() for Process in items]  # the comprehension's own: not flagged


def around_a_comprehension(items):
    return [Process() for _ in items]  # MPC002


def rebinds_the_global():
    global mp
    mp = mp.get_context("spawn")


def under_global():
    return mp.Lock()  # may be the context rebinds_the_global() made: not flagged


def deleted():
    from multiprocessing import Event

    first = Event()  # MPC002
    del Event
    Event = object
    return first, Event()


def closure():
    from multiprocessing import Barrier

    def inner():
        return Barrier(2)  # MPC002: the enclosing function's import

    return inner
