"""`make demo`: scan every reference stack and insecure example, show the findings, and check them.

Each stack folder holds an expected.yaml listing the findings it must produce (rule, resource and,
for Terraform, file and line). `engine: terraform-plan` with `plan: FILE` scans that `terraform show
-json` output instead, with the folder as repo root so findings point at its .tf lines. A Pulumi stack
that references another (pulumi.StackReference) names in `stack_outputs: {NAME: FILE}` the outputs the
gate gives that reference (`--stack-outputs NAME=FILE`), FILE relative to the folder. The demo prints
each stack's report, a summary table (findings by severity and UNKNOWNs per stack: the reference
stacks clean, the insecure twins failing) and the access map of the AWS reference stack, and exits 0
only when every stack produces exactly its expected findings.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.findings import Finding, Report, Severity, Status
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
    stack_outputs: tuple[tuple[str, str], ...] = ()  # pulumi: (referenced stack, outputs file relative to path)


def stacks() -> list[Stack]:
    found = []
    for spec in sorted(HERE.glob("**/expected.yaml")):
        data = yaml.safe_load(spec.read_text("utf-8"))
        rows = frozenset((f["rule"], f["resource"], f.get("file"), f.get("line"), f.get("status", "failed"))
                         for f in data["findings"] or [])
        if data["engine"] == "terraform-plan" and not data.get("plan"):
            raise ValueError(f"{spec}: engine terraform-plan needs `plan: FILE` (`terraform show -json` output)")
        outputs = data.get("stack_outputs") or {}
        if not isinstance(outputs, dict):
            raise ValueError(f"{spec}: stack_outputs must map a referenced stack to its outputs file")
        found.append(Stack(spec.parent, data["engine"], rows, data.get("plan"), tuple(sorted(outputs.items()))))
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

    return run_gate(str(stack.path), config=config,
                    stack_outputs={name: stack.path / file for name, file in stack.stack_outputs})


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


SEVERITIES = tuple(s.value for s in Severity)  # critical, high, medium, low
ACCESS_MAP_STACK = "aws-terraform"


@dataclass(frozen=True)
class Row:
    """One line of the summary table."""

    stack: str
    engine: str
    failed: dict[str, int]  # failed findings by severity
    unknown: int
    as_expected: bool


def summary_row(stack: Stack, report: Report) -> Row:
    counts = {s: 0 for s in SEVERITIES}
    for f in report.findings:
        if f.status is Status.FAILED:
            counts[f.severity.value] += 1
    unknown = sum(f.status is Status.UNKNOWN for f in report.findings)
    got = observed(stack, report.findings)
    return Row(stack.path.relative_to(HERE).as_posix(), stack.engine, counts, unknown,
               not report.errors and got == stack.expected)


def summary_table(rows: list[Row]) -> str:
    head = ("stack", "engine", *SEVERITIES, "unknown", "result")
    body = [(r.stack, r.engine, *(str(r.failed[s]) for s in SEVERITIES), str(r.unknown),
             "as expected" if r.as_expected else "NOT AS EXPECTED") for r in rows]
    widths = [max(len(line[i]) for line in (head, *body)) for i in range(len(head))]

    def fmt(line: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(w) if i < 2 or i == len(line) - 1 else cell.rjust(w)
                         for i, (cell, w) in enumerate(zip(line, widths))).rstrip()
    return "\n".join([fmt(head), fmt(tuple("-" * w for w in widths)), *map(fmt, body)])


def access_map(config: Config) -> str:
    """Who can pull, push, list and administer what in the AWS reference stack."""
    from hcl_scanner import scan
    from rulebook.access_map import build, render as render_map

    result = scan([str(HERE / ACCESS_MAP_STACK)], repo_root=str(HERE / ACCESS_MAP_STACK))
    return render_map([build(inv, config, title=ACCESS_MAP_STACK) for inv in result.inventories], "text")


def check(stack: Stack, report: Report) -> list[str]:
    """What differs from the stack's expected.yaml, one line each (empty when as expected)."""
    got = observed(stack, report.findings)
    return ([f"  EXPECTED but not reported: {row}" for row in sorted(stack.expected - got, key=str)]
            + [f"  REPORTED but not expected: {row}" for row in sorted(got - stack.expected, key=str)]
            + [f"  INPUT ERROR: {error}" for error in report.errors])


def main() -> int:
    config = Config()
    rows = []
    for stack in stacks():
        report = run(stack, config)
        print(f"\n=== {stack.path.relative_to(HERE)} ({stack.engine}) ===")
        print(render(report, "text", color=sys.stdout.isatty(), repo_root=str(stack.path)))
        problems = check(stack, report)
        print("\n".join(problems) if problems else f"  as expected: {len(stack.expected)} finding(s)")
        rows.append(summary_row(stack, report))
    print(f"\n=== access map of reference_stacks/{ACCESS_MAP_STACK} ===")
    print(access_map(config))
    print("=== summary (failed findings by severity) ===")
    print(summary_table(rows))
    good = sum(r.as_expected for r in rows)
    print(f"\ndemo: {good} of {len(rows)} stacks as expected")
    return 0 if good == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
