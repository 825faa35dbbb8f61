"""Aliases of multiprocessing and concurrent.futures are followed."""

import concurrent.futures as cf
import multiprocessing as mp
from concurrent import futures
from concurrent.futures import ProcessPoolExecutor as PPE
from multiprocessing import Process as P
from multiprocessing import context

ACCENTED = "é"; QUEUE = mp.Queue()  # MPC002


def work(target):
    p = P(target=target)  # MPC002
    q = mp.SimpleQueue()  # MPC002
    r = context.Process(target=target)  # MPC002
    with PPE(2) as a, cf.ProcessPoolExecutor() as b, futures.ProcessPoolExecutor() as c:  # MPC003 MPC003 MPC003
        return p, q, r, a, b, c


def shadowed(mp, context):
    # Parameters named like the imports are something else here.
    return mp.Process(), context.Process()


class Worker(mp.Process):
    # Subclassing multiprocessing.Process is not flagged.
    def run(self):
        return super().run()
