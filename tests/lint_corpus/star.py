"""A star import of multiprocessing binds its names too."""

from multiprocessing import *  # noqa: F403


def make():
    return Queue(), Pool(2)  # MPC002 MPC002
