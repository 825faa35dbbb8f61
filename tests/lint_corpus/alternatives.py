"""Bindings that can reach a call along different paths."""

import sys

try:
    from multiprocessing import Queue
except ImportError:
    from queue import Queue

if sys.platform == "win32":
    from multiprocessing import Pipe as Channel
else:
    from multiprocessing import Pipe as Channel

try:
    from multiprocessing import Event
except ImportError:
    raise

try:
    from multiprocessing import Lock
except ImportError:
    Lock = None


def queue():
    return Queue()  # multiprocessing's or queue's: not flagged


def channel():
    return Channel()  # multiprocessing's either way, but Pipe has no context: not flagged


def event():
    return Event()  # MPC002: the other path raised


def lock():
    return Lock()  # may be None: not flagged


def loop(items):
    from multiprocessing import Semaphore

    made = []
    for item in items:
        made.append(Semaphore(item))  # MPC002: the same on every round
    return made


def loop_rebinding(items):
    from multiprocessing import Semaphore

    for item in items:
        made = Semaphore(item)  # int the second time round: not flagged
        Semaphore = int
    return made
