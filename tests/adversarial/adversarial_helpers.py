"""Run one hostile input through the Terraform scanner in a child process with a memory and CPU limit.

The child scans, evaluates every rule and prints what it found as JSON; a case passes when the child
ends normally within the limits with the expected report. Limits are generous (they catch a hang or
an unbounded allocation, not a slow run): budgets are asserted as "a clear error", never as timings.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MEMORY_MB = 1024
CPU_SECONDS = 30

_DRIVER = r"""
import json, sys
import hcl_scanner
from rulebook.engine import evaluate
result = hcl_scanner.scan([sys.argv[1]], var_files=sys.argv[2:])
findings = [(f.rule_id, f.resource, f.line, f.status.value, f.message) for inv in result.inventories for f in evaluate(inv)]
print(json.dumps({"errors": [[e.file, e.line, e.message] for e in result.errors], "findings": findings,
                  "sensitive": sorted(v for inv in result.inventories for v in inv.sensitive_values),
                  "evaluated": {k: [[e.address, repr(e.attrs)] for e in v] for k, v in result.evaluated.items()}}))
"""


@dataclass
class Report:
    errors: list[tuple[str, int | None, str]]
    findings: list[tuple[str, str, int | None, str, str]]
    sensitive: list[str]
    evaluated: dict
    stdout: str
    stderr: str


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_MB << 20, MEMORY_MB << 20))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def scan_limited(root: Path, var_files: tuple[str, ...] = (), env: dict | None = None) -> Report:
    """Scan `root` in a limited child process; fails the test on a crash, a kill or a timeout."""
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("TF_VAR_")}
    child_env.update(env or {})
    proc = subprocess.run([sys.executable, "-c", _DRIVER, str(root), *var_files], capture_output=True, text=True,
                          timeout=CPU_SECONDS * 2, preexec_fn=_limits, env=child_env, cwd=root)
    assert proc.returncode == 0, f"scanner died (exit {proc.returncode}): {proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    return Report([tuple(e) for e in data["errors"]], [tuple(f) for f in data["findings"]], data["sensitive"],
                  data["evaluated"], proc.stdout, proc.stderr)
