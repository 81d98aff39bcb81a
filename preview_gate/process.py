"""Run a program's child process so that nothing it starts outlives it and nothing it prints fills memory.

The program is hostile input: it may start background or detached children, hold our pipes open, or
print without end. It runs in its own session (so one signal reaches its whole process group), its
descendants are found through /proc and killed when it finishes or times out, and of what it prints
only the last OUTPUT_TAIL bytes of each stream are kept.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Sequence

OUTPUT_TAIL = 64 * 1024


@dataclass
class Finished:
    returncode: int | None  # None: killed on timeout
    stdout: str
    stderr: str


def _parents() -> dict[int, int]:
    """pid -> parent pid of every live process (empty where /proc is not there)."""
    out: dict[int, int] = {}
    try:
        entries = list(Path("/proc").iterdir())
    except OSError:
        return out
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        out[int(entry.name)] = int(fields[1])
    return out


def descendants(pid: int) -> list[int]:
    """Every live descendant of `pid`, detached ones (own session) included while their parent lives."""
    parents = _parents()
    children: dict[int, list[int]] = collections.defaultdict(list)
    for child, parent in parents.items():
        children[parent].append(child)
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def kill_all(pids: Sequence[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def kill_descendants() -> None:
    """Called by the child itself before it exits: its own background children go with it."""
    kill_all(descendants(os.getpid()))


def _tail(stream: IO[bytes], keep: collections.deque) -> None:
    size = 0
    for chunk in iter(lambda: stream.read(8192), b""):
        keep.append(chunk)
        size += len(chunk)
        while size - len(keep[0]) >= OUTPUT_TAIL and len(keep) > 1:
            size -= len(keep.popleft())
    stream.close()


def _text(chunks: collections.deque) -> str:
    return b"".join(chunks)[-OUTPUT_TAIL:].decode("utf-8", "replace")


def run(argv: Sequence[str], cwd: str | Path, timeout: float, env: dict[str, str] | None = None) -> Finished:
    """Run `argv` in a new session; on exit or timeout kill its process group and every descendant."""
    proc = subprocess.Popen(list(argv), cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, env=env)
    tails = (collections.deque(), collections.deque())
    readers = [threading.Thread(target=_tail, args=(stream, keep), daemon=True)
               for stream, keep in zip((proc.stdout, proc.stderr), tails)]
    for reader in readers:
        reader.start()
    try:
        code: int | None = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        kill_all(descendants(proc.pid))
        code = None
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # what is left of its group (the session leader's pgid)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
    for reader in readers:
        reader.join(5)  # EOF once every holder of the pipes is gone
    return Finished(code, _text(tails[0]), _text(tails[1]))
