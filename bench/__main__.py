"""`python -m bench [--checkov] [--lines N]`: generate the corpus, time cold and warm scans, compare.

Each scan runs in a fresh interpreter (as `cicd-guard scan` would), timed from outside; peak
memory is the child's maximum resident set (resource.getrusage). The one-file run is
`cicd-guard scan one.tf` with an empty cache (start-up cost; target ONE_FILE_TARGET seconds), the
cold run scans the corpus with an empty parse cache, the warm run reuses the parse cache. The hostile
run scans 20,000 resources whose links are not decided (linear: owners are not compared with every
satellite past `rules.helpers.MAX_POSSIBLE`).
`--checkov` installs checkov 3.x into a throwaway venv under bench/out/ (never a dependency of
the project) and times `checkov -d corpus --framework terraform` on the same corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .corpus import generate

OUT = Path(__file__).parent / "out"
CORPUS = OUT / "corpus"
CACHE = OUT / "cache"
CHECKOV_VENV = OUT / "checkov-venv"

_SCAN = """
import json, sys
import hcl_scanner
from rulebook.engine import evaluate
result = hcl_scanner.scan([sys.argv[1]])
findings = sum(len(evaluate(inv)) for inv in result.inventories)
resources = sum(len(inv.resources) for inv in result.inventories)
instances = sum(len(items) for items in result.evaluated.values())
print(json.dumps({"instances": instances, "modelled": resources, "findings": findings, "errors": len(result.errors),
                  "roots": len(result.inventories)}))
"""


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak RSS MiB of this child and the processes it waited for, stdout)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # reap it ourselves to get this child's own rusage
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode not in (0, 1):
            sys.stderr.write(err.read().decode(errors="replace")[-2000:])
        return elapsed, usage.ru_maxrss / 1024, out.read().decode(errors="replace")


def _scan(env: dict[str, str]) -> tuple[float, float, dict]:
    seconds, peak, out = _timed([sys.executable, "-c", _SCAN, str(CORPUS)], env)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return seconds, peak, json.loads(lines[-1]) if lines else {}


def _checkov(env: dict[str, str]) -> tuple[float, float, str, dict]:
    binary = CHECKOV_VENV / "bin" / "checkov"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
        subprocess.run([str(CHECKOV_VENV / "bin" / "pip"), "install", "--quiet", "checkov>=3,<4"], check=True)
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout.strip()
    seconds, peak, out = _timed([str(binary), "-d", str(CORPUS), "--framework", "terraform", "--quiet",
                                 "--compact", "-o", "json"], env)
    try:
        data = json.loads(out)
        reports = data if isinstance(data, list) else [data]
        summary = {k: sum(r.get("summary", {}).get(k, 0) for r in reports)
                   for k in ("resource_count", "passed", "failed", "parsing_errors")}
    except json.JSONDecodeError:
        summary = {"output": "not JSON"}
    return seconds, peak, version, summary


def _drop_parse_cache() -> None:
    """Empty the parse cache (the parser's tables ship in the package, nothing else is cached)."""
    shutil.rmtree(CACHE, ignore_errors=True)


ONE_FILE_TARGET = 0.4  # seconds: `cicd-guard scan one.tf` with an empty cache, as in a pre-commit hook


def _one_file_cold(env: dict[str, str]) -> tuple[float, float, dict]:
    """`cicd-guard scan` of one small .tf file in a fresh interpreter with an empty cache: what a
    pre-commit hook or a one-file CI job pays (start-up, imports, parser tables, one parse)."""
    _drop_parse_cache()
    target = OUT / "one-file" / "main.tf"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text('resource "aws_iam_access_key" "ci" {\n  user = "ci"\n}\n')
    seconds, peak, _ = _timed([sys.executable, "-m", "cicd_guard", "scan", str(target), "-f", "json"], env)
    return seconds, peak, {"target_s": ONE_FILE_TARGET}


CROWDED = '''variable "owner" {}
resource "aws_s3_bucket" "b" {
  count  = 5000
  bucket = "b${count.index}"
}
resource "aws_s3_bucket_public_access_block" "p" {
  count  = 5000
  bucket = var.owner
}
resource "azurerm_storage_account" "a" {
  count = 5000
  name  = "a${count.index}"
}
resource "azurerm_storage_account_network_rules" "r" {
  count              = 5000
  storage_account_id = var.owner
  default_action     = "Deny"
}
'''


def _crowded(env: dict[str, str]) -> tuple[float, float, dict]:
    """A hostile stack: 5,000 owners and 5,000 satellites each whose owner is not known (N x M links)."""
    target = OUT / "crowded" / "main.tf"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(CROWDED)
    seconds, peak, out = _timed([sys.executable, "-c", _SCAN, str(target.parent)], env)
    lines = out.strip().splitlines()
    return seconds, peak, json.loads(lines[-1]) if lines else {}


def _repeat(times: int, run, before=None) -> tuple[list[float], float, dict]:
    """Run `times` times (calling `before` first each time): all timings, the worst peak, the last result."""
    timings, peaks, detail = [], [], {}
    for _ in range(times):
        if before is not None:
            before()
        seconds, peak, detail = run()
        timings.append(seconds)
        peaks.append(peak)
    return timings, max(peaks), detail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--checkov", action="store_true", help="also time checkov 3.x (installed under bench/out)")
    parser.add_argument("--lines", type=int, default=50_000, help="minimum corpus size in lines")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median and best shown)")
    parser.add_argument("--no-gate", action="store_true", help="skip the Pulumi gate benchmark (5,000 resources)")
    args = parser.parse_args(argv)
    files, lines = generate(CORPUS, args.lines)
    env = dict(os.environ, CICD_GUARD_CACHE_DIR=str(CACHE))
    print(f"corpus: {files} files, {lines} lines in {CORPUS}; cpus: {os.cpu_count()}; "
          f"load average before: {os.getloadavg()[0]:.2f}")
    rows = [
        ("cicd-guard one-file cold scan (CLI)", *_repeat(args.repeat, lambda: _one_file_cold(env))),
        ("cicd-guard cold (parse cache empty)", *_repeat(args.repeat, lambda: _scan(env), _drop_parse_cache)),
        ("cicd-guard warm (parse cache filled)", *_repeat(args.repeat, lambda: _scan(env))),
        ("hostile: 5,000 x 5,000 links not decided", *_repeat(1, lambda: _crowded(env))),
    ]
    if args.checkov:
        version = ""

        def checkov_run():
            nonlocal version
            seconds, peak, version, summary = _checkov(dict(os.environ))
            return seconds, peak, summary
        timings, peak, summary = _repeat(args.repeat, checkov_run)
        rows.append((f"checkov {version} --framework terraform", timings, peak, summary))
    print(f"{'run':<44} {'median s':>9} {'best s':>7} {'peak MiB':>9}  result")
    for name, timings, peak, detail in rows:
        print(f"{name:<44} {statistics.median(timings):>9.2f} {min(timings):>7.2f} {peak:>9.0f}  "
              f"{json.dumps(detail) if detail else ''}")
    if args.checkov:
        base = statistics.median(rows[3][1])
        print("speed-up over checkov (medians): " + ", ".join(
            f"{label} {base / statistics.median(row[1]):.1f}x"
            for label, row in zip(("cold", "warm"), rows[1:3])))
    if not args.no_gate:
        from bench.pulumi_gate import run as gate_run

        gate = gate_run()
        print(f"pulumi gate: {gate['resources']} resources, {gate['rules']} rules, {gate['findings']} findings; "
              f"analysis {gate['analysis_seconds']:.2f} s (resource calls {gate['resource_calls_seconds']:.2f} s, "
              f"stack {gate['stack_seconds']:.2f} s; target {gate['target_seconds']} s), program run "
              f"{gate['program_seconds']:.2f} s (excluded); peak memory gate {gate['gate_peak_rss_mb']:.0f} MiB, "
              f"pack {gate['pack_peak_rss_mb']:.0f} MiB")
        print(f"pulumi gate, same calls to a one-policy pack that does nothing: {gate['no_op_pack_seconds']:.2f} s "
              f"(resource calls {gate['no_op_pack_resource_calls_seconds']:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
