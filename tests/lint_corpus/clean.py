"""Code that honours its caller's context: nothing to report."""

import multiprocessing
import queue
import threading

import mpcontext


@mpcontext.accepts_context
def start(target, *, mp_context: mpcontext.ContextParam = None):
    process = mp_context.Process(target=target)
    process.start()
    return process, mpcontext.Queue(), threading.Lock(), queue.Queue()


def probe():
    return multiprocessing.get_start_method(allow_none=True), multiprocessing.cpu_count()
