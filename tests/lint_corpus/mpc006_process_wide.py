"""MPC006: other process-wide settings belong to the application."""

import multiprocessing
import multiprocessing.spawn

import billiard
import multiprocess
import torch.multiprocessing as tmp


def configure(python):
    multiprocessing.set_executable(python)  # MPC006
    multiprocessing.spawn.set_executable(python)  # MPC006
    multiprocessing.set_forkserver_preload(["numpy"])  # MPC006
    tmp.set_start_method("spawn")  # MPC006
    multiprocess.set_start_method("spawn", force=True)  # MPC006
    billiard.set_start_method("spawn")  # MPC006


def reads_only():
    # Reading is not changing: not flagged.
    return tmp.get_start_method(allow_none=True), multiprocess.cpu_count()
