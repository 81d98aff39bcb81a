"""Every rule's Pulumi examples through the gate: programs run offline, the real pack judges them.

A failing example must be flagged on the resource it names, at the line that declares it; a passing
example must not be flagged. In preview mode (values computed by the cloud unknown), a failing example
must still be flagged or reported UNKNOWN, never pass silently.
"""

from __future__ import annotations

import re

import pytest

from preview_gate.analyzer import PackProcess, Session, StackInfo, load_pack
from preview_gate.gate import _start, analyze, default_pack_dir
from preview_gate.program import ProgramError, load_project, run_programs
from rulebook.findings import Status
from rulebook.rules import all_rules

EXAMPLES = [(rule.id, index, example) for rule in all_rules() for index, example in enumerate(rule.examples)
            if example.engine == "pulumi"]
MISSING_SDKS = ("pulumi_azure_native", "pulumi_azure", "pulumi_azuread")


def _declared_line(code: str, name: str) -> int | None:
    for number, line in enumerate(code.splitlines(), start=1):
        if re.search(rf"""\(\s*f?["']{re.escape(name)}["']""", line):
            return number
    return None


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    root = tmp_path_factory.mktemp("examples")
    projects = []
    for rule_id, index, example in EXAMPLES:
        directory = root / f"{rule_id.lower()}-{index}"
        directory.mkdir()
        (directory / "Pulumi.yaml").write_text(f"name: {rule_id.lower()}-{index}\nruntime: python\n")
        (directory / "__main__.py").write_text(example.code.lstrip("\n"))
        projects.append(load_project(directory, "dev"))
    out: dict[tuple[str, int, bool], object] = {}
    for preview in (False, True):
        runs = run_programs(projects, preview=preview)
        stack = StackInfo(project="examples", stack="dev", dry_run=preview)
        with PackProcess(load_pack(default_pack_dir()), stack) as process:
            session = Session(process)
            info, reconciled = _start(session, stack, {}, {})
            for (rule_id, index, _), run in zip(EXAMPLES, runs):
                out[(rule_id, index, preview)] = (run if isinstance(run, ProgramError)
                                                  else analyze(session, run, info, reconciled))
    return out


@pytest.mark.parametrize("preview", [False, True], ids=["apply", "preview"])
@pytest.mark.parametrize("rule_id, index, example", EXAMPLES,
                         ids=[f"{r}-{'pass' if e.passing else 'fail'}-{i}" for r, i, e in EXAMPLES])
def test_rule_example_through_the_gate(judged, rule_id, index, example, preview):
    result = judged[(rule_id, index, preview)]
    if isinstance(result, ProgramError):
        if any(f"No module named '{sdk}'" in str(result) for sdk in MISSING_SDKS):
            pytest.skip(f"provider SDK not installed: {result}")
        pytest.fail(f"example program failed: {result}\n{result.detail}")
    mine = [f for f in result if f.rule_id == rule_id]
    failed = [(f.resource, f.line) for f in mine if f.status is Status.FAILED]
    if example.passing:
        assert failed == [], [f.message for f in mine]
        return
    expected = (example.resource, _declared_line(example.code.lstrip("\n"), example.resource))
    if preview:
        assert expected in [(f.resource, f.line) for f in mine], [f.message for f in mine]
    else:
        assert expected in failed, [f.message for f in mine]
