"""Findings of several roots as one report (rulebook/roots.py): table of merge cases."""

from __future__ import annotations

import pytest

from rulebook.findings import Enforcement, Finding, Severity, Status
from rulebook.roots import RootFindings, merge


def _f(resource: str = "module.m.x.a", line: int = 3, status: Status = Status.FAILED, message: str = "bad",
       rule: str = "IDF-001", called_from: str | None = "root/main.tf:1") -> Finding:
    return Finding(rule, Severity.HIGH, Enforcement.MANDATORY, status, resource, "terraform", "mod/main.tf", line,
                   message, called_from=called_from)


CASES = {
    "same text from two roots: once, both roots named": (
        [RootFindings("a", [_f(called_from="a/main.tf:1")]), RootFindings("b", [_f(called_from="b/main.tf:4")])],
        [("module.m.x.a", 3, "failed", ("a", "b"))]),
    "different message: both kept": (
        [RootFindings("a", [_f()]), RootFindings("b", [_f(message="other")])],
        [("module.m.x.a", 3, "failed", ()), ("module.m.x.a", 3, "failed", ())]),
    "different instance address: both kept": (
        [RootFindings("a", [_f()]), RootFindings("b", [_f(resource="module.n.x.a")])],
        [("module.m.x.a", 3, "failed", ()), ("module.n.x.a", 3, "failed", ())]),
    "defaults repeat what a caller reports about the block: dropped": (
        [RootFindings("mod", [_f(resource="x.a", message="with defaults")], defaults_only=True),
         RootFindings("a", [_f()])],
        [("module.m.x.a", 3, "failed", ())]),
    "defaults fail where the callers pass: kept": (
        [RootFindings("a", [], blocks=frozenset({("mod/main.tf", 3)})),
         RootFindings("mod", [_f(resource="x.a")], defaults_only=True)],
        [("x.a", 3, "failed", ())]),
    "defaults unknown where the callers decided: dropped": (
        [RootFindings("a", [], blocks=frozenset({("mod/main.tf", 3)})),
         RootFindings("mod", [_f(resource="x.a", status=Status.UNKNOWN)], defaults_only=True)],
        []),
    "defaults unknown where no caller evaluated the block: kept": (
        [RootFindings("a", [], blocks=frozenset({("mod/main.tf", 9)})),
         RootFindings("mod", [_f(resource="x.a", status=Status.UNKNOWN)], defaults_only=True)],
        [("x.a", 3, "unknown", ())]),
}


@pytest.mark.parametrize("case", CASES)
def test_merge(case):
    per_root, expected = CASES[case]
    assert [(f.resource, f.line, f.status.value, f.roots) for f in merge(per_root)] == expected
