"""`make demo`: scan every reference stack and insecure example, show the findings, and check them.

Each stack folder holds an expected.yaml listing the findings it must produce (rule, resource and,
for Terraform, file and line). `engine: terraform-plan` with `plan: FILE` scans that `terraform show
-json` output instead, with the folder as repo root so findings point at its .tf lines. The demo exits
0 only when every stack produces exactly those.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.findings import Finding, Report, Status
from rulebook.reporters import render
from rulebook.roots import evaluate_scan

HERE = Path(__file__).resolve().parent
TERRAFORM = ("terraform", "terraform-plan")  # engines whose findings carry a file and line


@dataclass(frozen=True)
class Stack:
    path: Path
    engine: str
    expected: frozenset[tuple]
    plan: str | None = None  # terraform-plan: the plan JSON file, relative to path


def stacks() -> list[Stack]:
    found = []
    for spec in sorted(HERE.glob("**/expected.yaml")):
        data = yaml.safe_load(spec.read_text("utf-8"))
        rows = frozenset((f["rule"], f["resource"], f.get("file"), f.get("line"), f.get("status", "failed"))
                         for f in data["findings"] or [])
        if data["engine"] == "terraform-plan" and not data.get("plan"):
            raise ValueError(f"{spec}: engine terraform-plan needs `plan: FILE` (`terraform show -json` output)")
        found.append(Stack(spec.parent, data["engine"], rows, data.get("plan")))
    return found


def run(stack: Stack, config: Config) -> Report:
    if stack.engine in TERRAFORM:
        from hcl_scanner import scan

        if stack.engine == "terraform-plan":
            result = scan([], plans=[str(stack.path / stack.plan)], repo_root=str(stack.path))
        else:
            result = scan([str(stack.path)], repo_root=str(stack.path))
        findings = evaluate_scan(result, config)
        return Report(findings=findings, errors=list(result.errors), scanned=list(result.scanned))
    from preview_gate import run_gate

    return run_gate(str(stack.path), config=config)


def observed(stack: Stack, findings: list[Finding]) -> frozenset[tuple]:
    rows = set()
    for f in findings:
        if f.status is Status.SUPPRESSED:
            continue
        if stack.engine in TERRAFORM:
            rows.add((f.rule_id, f.resource, f.file, f.line, f.status.value))
        else:
            rows.add((f.rule_id, f.resource.rsplit("::", 1)[-1], None, None, f.status.value))
    return frozenset(rows)


def main() -> int:
    config = Config()
    failures = 0
    for stack in stacks():
        name = stack.path.relative_to(HERE)
        report = run(stack, config)
        print(f"\n=== {name} ({stack.engine}) ===")
        print(render(report, "text", color=sys.stdout.isatty(), repo_root=str(stack.path)))
        got = observed(stack, report.findings)
        missing, extra = stack.expected - got, got - stack.expected
        if report.errors or missing or extra:
            failures += 1
            for row in sorted(missing, key=str):
                print(f"  EXPECTED but not reported: {row}")
            for row in sorted(extra, key=str):
                print(f"  REPORTED but not expected: {row}")
            for error in report.errors:
                print(f"  INPUT ERROR: {error}")
        else:
            print(f"  as expected: {len(stack.expected)} finding(s)")
    print(f"\ndemo: {len(stacks()) - failures} of {len(stacks())} stacks as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
