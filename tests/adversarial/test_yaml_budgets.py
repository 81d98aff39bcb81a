"""Hostile settings files (cicd-guard.yaml, Pulumi stack config): a YAML bomb, 100k-deep nesting and
a huge one-line list each end in a config error naming the file, within a memory and time limit."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path


REPO = Path(__file__).resolve().parents[2]
LAUGHS = "\n".join(['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'] +
                   [f'{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]'
                    for p, c in zip("abcdefgh", "bcdefghi")]) + "\n"
_LOAD = """
import json, sys
from rulebook import config
from preview_gate.program import ProgramError, load_project
out = []
for kind, path in json.loads(sys.argv[1]):
    try:
        config.load(path) if kind == "config" else load_project(path, "dev")
        out.append(["loaded"])
    except config.ConfigError as exc:
        out.append(["config", str(exc)])
    except ProgramError as exc:
        out.append(["program", exc.error.file, exc.error.message])
print(json.dumps(out))
"""


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (768 << 20, 768 << 20))


def _load_in_child(inputs: list[tuple[str, Path]]) -> list:
    """Load each (kind, path) in one child process under a memory and time limit."""
    arg = json.dumps([[kind, str(path)] for kind, path in inputs])
    proc = subprocess.run([sys.executable, "-c", _LOAD, arg], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, preexec_fn=_limits)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_the_bomb_is_small():
    assert len(LAUGHS) < 600


CASES = {
    "bomb": (LAUGHS, "more than 20000 values (aliases counted as what they expand to); not loaded"),
    "deep": ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested more than 64 levels deep"),
    "deep-block": ("".join(" " * i + "- \n" for i in range(0, 2000, 2)), "nested more than 64 levels deep"),
    "list-9mb": ("a: [" + "1," * 4_500_000 + "1]\n", "file is 8.6 MB, over the 2 MB limit; not scanned"),
    "list-2mb": ("a: [" + "1," * 1_000_000 + "1]\n",
                 "more than 20000 values (aliases counted as what they expand to); not loaded"),
}


def test_hostile_settings_files_are_config_errors(tmp_path):
    inputs = []
    for name, (text, _) in CASES.items():
        path = tmp_path / name / "cicd-guard.yaml"
        path.parent.mkdir()
        path.write_text(text)
        inputs.append(("config", path))
        program = tmp_path / name / "program"
        program.mkdir()
        (program / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
        (program / "__main__.py").write_text("")
        (program / "Pulumi.dev.yaml").write_text(text)
        inputs.append(("program", program))
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    inputs.append(("config", fifo))
    results = _load_in_child(inputs)
    expected = []
    for name, (_, message) in CASES.items():
        config_line = {"bomb": ":5", "deep": ":1", "deep-block": ":65", "list-2mb": ":1"}.get(name, "")
        expected.append(["config", f"{tmp_path / name / 'cicd-guard.yaml'}{config_line}: {message}"])
        expected.append(["program", str(tmp_path / name / "program" / "Pulumi.dev.yaml"), message])
    expected.append(["config", f"{fifo}: is a FIFO, not a regular file; not read"])
    assert results == expected
