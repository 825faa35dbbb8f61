"""Code under `if __name__ == "__main__":` is the application's."""

import multiprocessing as mp


def library():
    return mp.Queue()  # MPC002


if __name__ == "__main__":
    mp.set_start_method("spawn")
    mp.set_executable("python")
    queue = mp.Queue()

    def helper():
        return mp.Lock()

    helper()
else:
    IMPORTED = mp.Lock()  # MPC002: this branch runs on import
