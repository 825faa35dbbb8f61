"""# noqa comments silence findings on their line."""

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor

A = mp.Queue()  # noqa
B = mp.Queue()  # noqa: MPC002
C = mp.Queue()  # noqa:MPC002,MPC003
D = mp.Queue()  # NOQA: MPC00
E = mp.Queue()  # noqa: MPC001
F = ProcessPoolExecutor()  # noqa: MPC002
G = ProcessPoolExecutor()  # noqa: E501, MPC003
mp.set_start_method("spawn")  # noqa: MPC001
