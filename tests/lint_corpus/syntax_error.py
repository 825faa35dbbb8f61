"""This file does not parse, on purpose."""

import multiprocessing

def broken(:
    return multiprocessing.Queue()
