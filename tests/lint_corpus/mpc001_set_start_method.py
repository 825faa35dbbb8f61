"""MPC001: the global start method belongs to the application."""

import multiprocessing
import multiprocessing as mp
from multiprocessing import set_start_method as choose_method


def configure():
    multiprocessing.set_start_method("spawn")  # MPC001


def configure_forcefully():
    mp.set_start_method("fork", force=True)  # MPC001


choose_method("forkserver")  # MPC001


def only_reads(ctx):
    # A context's own method is not the global one: not flagged.
    return ctx.get_start_method()
