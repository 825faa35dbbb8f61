"""MPC002: processes, pools, queues and locks from the global default context."""

import multiprocessing
import multiprocessing.managers
import multiprocessing.pool
import multiprocessing.sharedctypes
from multiprocessing import Lock, Manager, Process, Queue

LOCK = multiprocessing.Lock()  # MPC002


def start(target):
    process = Process(target=target)  # MPC002
    process.start()
    return process


def primitives():
    queue = Queue()  # MPC002
    event = multiprocessing.Event()  # MPC002
    barrier = multiprocessing.Barrier(2)  # MPC002
    value = multiprocessing.Value("i", 0)  # MPC002
    array = multiprocessing.Array("d", 3)  # MPC002
    return queue, event, barrier, value, array, Lock()  # MPC002


def pools_and_managers():
    with multiprocessing.Pool(2) as pool:  # MPC002
        pool.map(abs, [1, -2])
    with Manager() as manager:  # MPC002
        manager.dict()


def no_factory_for_these():
    raw = multiprocessing.RawValue("i", 0)  # MPC002 (no fix)
    raws = multiprocessing.RawArray("i", 3)  # MPC002 (no fix)
    pool = multiprocessing.pool.Pool(2)  # MPC002 (no fix)
    manager = multiprocessing.managers.SyncManager()  # MPC002 (no fix)
    shared = multiprocessing.sharedctypes.Value("i", 0)  # MPC002 (no fix)
    return raw, raws, pool, manager, shared


def given_a_context(ctx):
    # Each of these passes a context: not flagged.
    pool = multiprocessing.pool.Pool(2, context=ctx)
    other = multiprocessing.pool.Pool(2, None, (), None, ctx)
    manager = multiprocessing.managers.SyncManager(ctx=ctx)
    shared = multiprocessing.sharedctypes.Value("i", 0, ctx=ctx)
    threads = multiprocessing.pool.ThreadPool(2)
    reader, writer = multiprocessing.Pipe()
    return pool, other, manager, shared, threads, reader, writer, multiprocessing.cpu_count()
