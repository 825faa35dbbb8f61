"""MPC002 for managers made without ctx=."""

import multiprocessing.managers
from multiprocessing.managers import BaseManager, SharedMemoryManager, SyncManager


def serve(key):
    manager = SyncManager(authkey=key)  # MPC002
    manager.start()
    return manager


def shared():
    return SharedMemoryManager(), BaseManager(("", 0))  # MPC002 MPC002


def dotted(key):
    return multiprocessing.managers.SyncManager(None, key, "pickle", None)  # MPC002


def passes_on(key, *, mp_context=None):
    return SyncManager(authkey=key)  # MPC002 (fix resolves mp_context)


def given(ctx, key):
    # Each of these passes (or may pass) a context: not flagged.
    return SyncManager(authkey=key, ctx=ctx), BaseManager(None, key, "pickle", ctx)
