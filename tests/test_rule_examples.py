"""Every rule's own good and bad examples, run through the real engines.

The examples in rule metadata are also the rule docs, so this keeps docs and behaviour in step:
a failing example must flag exactly its resource (at the block's line, for Terraform), a passing
example must produce no finding of that rule.
"""

from __future__ import annotations

import re

import pytest

from hcl_scanner import scan
from rulebook.engine import evaluate
from rulebook.rules import ENGINES_OF_EXAMPLES, all_rules

TERRAFORM = [(r, e) for r in all_rules() for e in r.examples if e.engine == "terraform"]


def _ids(pairs):
    return [f"{r.id}-{'pass' if e.passing else 'fail'}-{i}" for i, (r, e) in enumerate(pairs)]


def block_line(code: str, address: str) -> int:
    """Line of `resource "TYPE" "NAME"` for a root-module address like TYPE.NAME or TYPE.NAME[0]
    (`variable "NAME"` for var.NAME, `output "NAME"` for output.NAME, `NAME =` for local.NAME; the Nth
    `provisioner` block of the resource for TYPE.NAME.provisioner[N])."""
    resource, _, index = address.partition(".provisioner[")
    if index:
        start = block_line(code, resource)
        heads = [n for n, line in enumerate(code.splitlines(), 1) if n > start and line.strip().startswith("provisioner ")]
        return heads[int(index.rstrip("]"))]
    tf_type, name = re.sub(r"\[.*\]$", "", address).split(".")[-2:]
    block = {"var": "variable", "output": "output"}.get(tf_type)
    if block:
        pattern = re.compile(rf'^[ \t]*{block}\s+"{re.escape(name)}"', re.M)
    elif tf_type == "local":
        pattern = re.compile(rf'^[ \t]*{re.escape(name)}\s*=', re.M)
    else:
        pattern = re.compile(rf'^[ \t]*resource\s+"{re.escape(tf_type)}"\s+"{re.escape(name)}"', re.M)
    match = pattern.search(code)
    assert match, f"example has no block for {address}"
    return code.count("\n", 0, match.start()) + 1


def test_every_rule_has_failing_and_passing_examples_per_engine():
    missing = []
    for rule in all_rules():
        for engine in ENGINES_OF_EXAMPLES:
            if engine in rule.engine_notes and not any(e.engine == engine for e in rule.examples):
                continue  # the rule documents why it does not apply to this engine
            kinds = {e.passing for e in rule.examples if e.engine == engine}
            if kinds != {True, False}:
                missing.append(f"{rule.id}/{engine}")
    assert missing == []


@pytest.mark.parametrize("rule, example", TERRAFORM, ids=_ids(TERRAFORM))
def test_terraform_example(tmp_path, rule, example):
    (tmp_path / "main.tf").write_text(example.code, "utf-8")
    result = scan([str(tmp_path)])
    assert result.errors == []
    findings = [f for inv in result.inventories for f in evaluate(inv, rules=[rule])]
    rows = [(f.rule_id, f.status.value, f.resource, f.line) for f in findings]
    if example.passing:
        assert rows == []
    else:
        assert rows == [(rule.id, "failed", example.resource, block_line(example.code, example.resource))]
