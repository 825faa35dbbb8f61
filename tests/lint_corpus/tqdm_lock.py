"""A progress-bar library's lock for its workers: two functions, two local imports."""


def TRLock(*args, **kwargs):
    from threading import RLock  # one function's local import ...

    return RLock(*args, **kwargs)


class TqdmDefaultWriteLock:
    @classmethod
    def create_mp_lock(cls):
        from multiprocessing import RLock  # ... and another's

        cls.mp_lock = RLock()  # MPC002
