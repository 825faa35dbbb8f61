"""Nested functions, methods, classmethods and lambdas."""

import multiprocessing as mp


class Service:
    lock = mp.Lock()  # MPC002

    def start(self):
        def helper():
            return mp.Queue()  # MPC002
        return helper

    @classmethod
    def build(cls):
        return [mp.Event() for _ in range(2)]  # MPC002

    @staticmethod
    async def serve():
        return mp.Process()  # MPC002


callback = lambda: mp.Semaphore(2)  # MPC002


def uses_context(ctx=None):
    # Objects made from a context the caller gave: not flagged.
    ctx = ctx or mp.get_context("spawn")
    return ctx.Process(), ctx.Queue()
