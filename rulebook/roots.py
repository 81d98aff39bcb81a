"""Findings of several root modules as one report: each finding once, naming every root that reaches it.

A whole-repository scan evaluates every root module, and roots that call the same shared module
(examples/a and examples/b both calling `../..`) produce the same finding, word for word, once per
root. A module directory that only others call is also evaluated on its own with its defaults (so
a module repository has its defaults checked), but what a calling root already reports about a
block is not repeated from the module's defaults, and an UNKNOWN that only the defaults give (a
required variable without a value) is left out for a block the calling roots decided with their
inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .findings import Finding, Status


@dataclass(frozen=True, slots=True)
class RootFindings:
    """One evaluated inventory's findings: its root (directory or plan) and whether it is a module
    evaluated with its defaults only (called by other roots)."""

    root: str
    findings: list[Finding]
    defaults_only: bool = False
    blocks: frozenset[tuple] = frozenset()  # (file, line) of every block the root evaluated


def _identity(finding: Finding) -> tuple:
    """What makes two findings the same line of a report (the module call path aside)."""
    return (finding.rule_id, finding.status, finding.severity, finding.enforcement, finding.resource,
            finding.file, finding.line, finding.message, finding.suppression)


def merge(per_root: list[RootFindings]) -> list[Finding]:
    """One list of findings: duplicates across roots merged (their roots listed in `roots`), and a
    defaults-only module's finding left out where the calling roots already decided (see above)."""
    merged: dict[tuple, Finding] = {}
    reached: dict[tuple, list[str]] = {}
    reported: set[tuple] = set()
    decided = frozenset().union(*(r.blocks for r in per_root if not r.defaults_only))
    ordered = [r for r in per_root if not r.defaults_only] + [r for r in per_root if r.defaults_only]
    for entry in ordered:
        own: set[tuple] = set()
        for finding in entry.findings:
            block = (finding.rule_id, finding.file, finding.line)
            if entry.defaults_only and finding.file and (
                    block in reported or (finding.status is Status.UNKNOWN and block[1:] in decided)):
                continue
            own.add(block)
            key = _identity(finding)
            if key not in merged:
                merged[key] = finding
                reached[key] = []
            if entry.root not in reached[key]:
                reached[key].append(entry.root)
        reported |= own
    out = [replace(finding, roots=tuple(reached[key])) if len(reached[key]) > 1 else finding
           for key, finding in merged.items()]
    out.sort(key=Finding.sort_key)
    return out


def evaluate_scan(result: Any, config: Any = None, strict_suppressions: bool = False) -> list[Finding]:
    """The report's findings for a Terraform scan result (its `inventories`, `inventory_roots` and
    `module_defaults`): every inventory evaluated, then merged as above."""
    from .engine import evaluate

    return merge([RootFindings(root, evaluate(inventory, config, strict_suppressions=strict_suppressions),
                               defaults_only=root in result.module_defaults,
                               blocks=frozenset((r.location.file, r.location.line) for r in inventory.resources
                                                if r.location is not None))
                  for root, inventory in zip(result.inventory_roots, result.inventories)])
