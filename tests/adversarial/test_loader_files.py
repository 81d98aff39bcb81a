"""Hostile paths: a FIFO, a device or a symlink to one given as .tf, .tfvars, --var-file or --plan is
an error naming the path, never a read (a read would block forever or never end). Each case runs
in a child process with a time and memory limit, so a regression fails instead of hanging."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_SCAN = """
import json, sys
import hcl_scanner
args = json.loads(sys.argv[1])
result = hcl_scanner.scan(args["paths"], plans=args.get("plans", []), var_files=args.get("var_files", []))
print(json.dumps({"errors": [[e.file, e.message] for e in result.errors],
                  "resources": sorted(e.address for items in result.evaluated.values() for e in items)}))
"""


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def scan_in_child(tmp_path: Path, **args) -> dict:
    env = {**os.environ, "CICD_GUARD_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", _SCAN, json.dumps(args)], capture_output=True, text=True,
                          timeout=30, env=env, preexec_fn=_limits, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "root"
    folder.mkdir()
    (folder / "main.tf").write_text('variable "v" { default = "d" }\nresource "x" "good" {\n  v = var.v\n}\n')
    return folder


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def test_fifo_tf_file_in_a_scanned_directory(tmp_path, root):
    _fifo(root / "evil.tf")
    out = scan_in_child(tmp_path, paths=[str(root)])
    assert out == {"errors": [["root/evil.tf", "is a FIFO, not a regular file; not read"]],
                   "resources": ["x.good"]}


def test_tf_symlink_to_a_device_and_fifo_given_as_path(tmp_path, root):
    (root / "zero.tf").symlink_to("/dev/zero")
    out = scan_in_child(tmp_path, paths=[str(root / "zero.tf")])
    assert out == {"errors": [["root/zero.tf", "is a character device, not a regular file; not read"]],
                   "resources": ["x.good"]}


def test_fifo_auto_tfvars_and_var_file(tmp_path, root):
    _fifo(root / "terraform.tfvars")
    var_file = _fifo(tmp_path / "prod.tfvars")
    json_vars = tmp_path / "vars.tfvars.json"
    json_vars.symlink_to(_fifo(tmp_path / "pipe"))
    out = scan_in_child(tmp_path, paths=[str(root)], var_files=[str(var_file), str(json_vars)])
    assert sorted(e[1] for e in out["errors"]) == ["is a FIFO, not a regular file; not read"] * 3
    assert out["resources"] == ["x.good"]


def test_fifo_plan(tmp_path, root):
    plan = _fifo(tmp_path / "plan.json")
    out = scan_in_child(tmp_path, paths=[str(root), str(plan)])
    assert out["errors"] == [[str(plan), "is a FIFO, not a regular file; not read"]]
    out = scan_in_child(tmp_path, paths=[str(root)], plans=[str(plan)])
    assert out["errors"] == [[str(plan), "is a FIFO, not a regular file; not read"]]
    assert out["resources"] == ["x.good"]


def test_oversized_plan_is_refused_before_reading(tmp_path, root):
    from hcl_scanner import files, scan

    plan = tmp_path / "plan.json"
    with open(plan, "wb") as handle:
        handle.truncate(files.PLAN_LIMIT + 1)  # sparse: refused by its size, never read
    result = scan([str(root)], plans=[str(plan)])
    assert [(e.file, e.message) for e in result.errors] == [
        (str(plan), "file is 256.0 MB, over the 256 MB limit; not scanned")]
