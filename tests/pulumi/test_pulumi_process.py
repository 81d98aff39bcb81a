"""A program cannot outlive the gate, hang it, or fill its memory with output (process hygiene)."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

from preview_gate import process
from preview_gate.program import ProgramError, load_project, run_program


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _program(tmp_path: Path, code: str):
    (tmp_path / "Pulumi.yaml").write_text("name: hostile\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(code).lstrip("\n"))
    return load_project(tmp_path, "dev")


def test_background_and_detached_children_die_with_the_program_and_output_is_capped(tmp_path):
    project = _program(tmp_path, """
        import subprocess, sys
        import pulumi
        attached = subprocess.Popen(["sleep", "300"])                           # inherits stdout
        detached = subprocess.Popen(["sleep", "300"], start_new_session=True)  # its own session
        open("pids", "w").write(f"{attached.pid} {detached.pid}")
        sys.stdout.write("x" * (8 * 1024 * 1024))
        sys.stderr.write("y" * (8 * 1024 * 1024) + "the end")
        """)
    started = time.monotonic()
    run = run_program(project, timeout=120)
    assert time.monotonic() - started < 60  # not the pipe holders' 300 s
    pids = [int(p) for p in (tmp_path / "pids").read_text().split()]
    assert [_alive(pid) for pid in pids] == [False, False]
    assert run.resources[0]["type"] == "pulumi:pulumi:Stack"


def test_output_keeps_only_the_tail(tmp_path):
    done = process.run(["python3", "-c", "import sys; sys.stdout.write('a' * 1000000 + 'tail')"], tmp_path, 60)
    assert done.returncode == 0 and len(done.stdout) == process.OUTPUT_TAIL and done.stdout.endswith("atail")


def test_a_program_that_does_not_finish_is_killed_with_everything_it_started(tmp_path):
    project = _program(tmp_path, """
        import subprocess, time
        child = subprocess.Popen(["sleep", "300"], start_new_session=True)
        open("pids", "w").write(str(child.pid))
        time.sleep(300)
        """)
    try:
        run_program(project, timeout=5)
    except ProgramError as exc:
        assert exc.error.message == "program did not finish within 5 s (--timeout sets the limit)"
    else:
        raise AssertionError("the program was not stopped")
    assert not _alive(int((tmp_path / "pids").read_text()))


def test_a_program_that_exits_reads_naturally(tmp_path):
    project = _program(tmp_path, """
        import sys
        sys.exit(3)
        """)
    try:
        run_program(project, timeout=60)
    except ProgramError as exc:
        assert (exc.error.message, exc.error.line) == ("program exited with status 3", 2)
    else:
        raise AssertionError("the program's exit status was ignored")
