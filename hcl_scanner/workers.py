"""Parse worker processes that never outlive the scan that started them.

A scan killed by SIGTERM, SIGINT or the death of its own parent must not leave workers blocked on
their task queue forever. Each worker asks the kernel for SIGKILL when its parent dies (Linux
PR_SET_PDEATHSIG; elsewhere a watchdog thread notices being re-parented), ignores SIGINT (a Ctrl-C
reaches the whole process group; the parent decides), and the parent terminates its workers on
any interruption before re-raising it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable

_PR_SET_PDEATHSIG = 1


def _ask_kernel_for_death_signal() -> bool:
    """PR_SET_PDEATHSIG(SIGKILL) on Linux: the kernel kills us when the parent thread exits."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(1)
        time.sleep(0.5)


def die_with_parent(parent: int) -> None:
    """Worker initializer: end this process when `parent` goes away, whatever the way it went."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _ask_kernel_for_death_signal():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)


def terminate(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers now (their results are no longer wanted)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            process.kill()
        except (OSError, ValueError):
            pass
    pool.shutdown(wait=False, cancel_futures=True)


def parse_in_workers(task: Callable[[Any], Any], items: list, workers: int) -> list | None:
    """task(item) for every item in worker processes, in order; None when processes are unavailable
    (a sandbox without fork or semaphores): the caller then does the work itself."""
    try:
        pool = ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent, initargs=(os.getpid(),))
    except (OSError, RuntimeError, ValueError, NotImplementedError):
        return None
    try:
        chunk = max(1, len(items) // (workers * 4))
        results = list(pool.map(task, items, chunksize=chunk))
    except (OSError, RuntimeError, BrokenProcessPool):
        terminate(pool)
        return None
    except BaseException:
        terminate(pool)
        raise
    pool.shutdown(wait=True)
    return results
