"""A rule that exists only during a test: registered by the `throwaway_rule` fixture, then removed.

It flags resources of kind `test.widget` whose prop `open` is true, and is UNKNOWN when `open` is
Unknown. Its message quotes the prop `note`, so tests can push secrets through a real rule.
"""

from __future__ import annotations

from typing import Iterator

from rulebook.findings import Severity
from rulebook.model import Resource
from rulebook.rules.base import REGISTRY, Context, Example, Result, Rule, rule
from rulebook.unknown import Unknown

RULE_ID = "ZZZ-901"
KIND = "test.widget"


def _check(resource: Resource, ctx: Context) -> Iterator[Result]:
    value = resource.get("open")
    if isinstance(value, Unknown):
        yield Result.undecided(resource, value, "whether the widget is open")
    elif value is True:
        yield Result.fail(resource, f"widget {resource.address} is open to everyone {resource.get('note', '')}".strip())


def register(rule_id: str = RULE_ID, severity: Severity = Severity.HIGH) -> Rule:
    return rule(
        id=rule_id, title="Widgets stay closed | always", severity=severity, practice="P5",
        rationale="An open widget lets anyone in.\n\nSecond paragraph of the rationale.",
        remediation="Set `open = false` on the widget.",
        kinds=(KIND,), compliance={"cis_v8": ("99.1",)},
        engine_notes={"pulumi": "Pulumi has no widgets; the pack cannot see this."},
        examples=(
            Example("terraform", False, 'resource "test_widget" "w" {\n  open = true\n}', "test_widget.w"),
            Example("terraform", True, 'resource "test_widget" "w" {\n  open = false\n}'),
            Example("pulumi", False, 'Widget("w", open=True)', "w"),
        ),
    )(_check)


def unregister(rule_id: str = RULE_ID) -> None:
    REGISTRY.pop(rule_id, None)
