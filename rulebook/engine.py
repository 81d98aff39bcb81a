"""Run rules over an inventory and turn their results into findings.

Enforcement and suppressions are applied here, once, for every engine.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Iterable

from .config import Config
from .findings import Enforcement, Finding, Report, Severity, Status, Suppression
from .model import Inventory, Resource
from .redact import redact_values
from .rules import Context, Result, Rule, all_rules
from .rules.base import cloud_of, engine_of


def _location_fields(resource: Resource) -> dict:
    loc = resource.location
    called = loc.called_from
    return {
        "file": loc.file,
        "line": loc.line,
        "end_line": loc.end_line,
        "urn": loc.urn,
        "called_from": f"{called.file}:{called.line}" if called and called.file else None,
    }


def _suppression_for(rule_id: str, resource: Resource, config: Config, today: dt.date,
                     strict_suppressions: bool) -> tuple[Suppression | None, str | None]:
    """The suppression that applies, and a note when one matched but has expired or is refused."""
    note = None
    names = [resource.address] + [v for v in (resource.props.get("name"),) if isinstance(v, str)]
    for entry in config.suppressions:
        if any(entry.matches(rule_id, n) for n in names):
            if entry.expires and entry.expires < today:
                note = f"suppression in {config.source} expired on {entry.expires.isoformat()}"
                continue
            if strict_suppressions and entry.expires and \
                    entry.expires > today + dt.timedelta(days=config.suppression_horizon_days):
                note = (f"suppression in {config.source} expires on {entry.expires.isoformat()}, more than "
                        f"{config.suppression_horizon_days} days out (--strict-suppressions)")
                continue
            return Suppression(entry.reason, "config", entry.expires.isoformat() if entry.expires else None), None
    for entry in resource.suppressions:
        if rule_id not in entry.rules:
            continue
        if strict_suppressions:
            note = "inline suppression refused (--strict-suppressions)"
            continue
        if entry.expires and dt.date.fromisoformat(entry.expires) < today:
            note = f"inline suppression expired on {entry.expires}"
            continue
        return Suppression(entry.reason, "inline", entry.expires), None
    return None, note


def remediation_for(rule: Rule, resource: Resource) -> str:
    """The rule's remediation with the fix for the resource's cloud and engine first."""
    return rule.remediation_for(cloud_of(resource.kind), engine_of(resource.engine))


def to_finding(rule: Rule, result: Result, config: Config, today: dt.date,
               strict_suppressions: bool = False) -> Finding | None:
    severity = result.severity or rule.severity
    enforcement = config.enforcement_for(rule.id, severity)
    if enforcement is Enforcement.DISABLED:
        return None
    suppression, note = _suppression_for(rule.id, result.resource, config, today, strict_suppressions)
    status = Status.SUPPRESSED if suppression else (Status.UNKNOWN if result.unknown else Status.FAILED)
    message = result.message + (f" [{note}]" if note else "")
    # a reason that ends with the note says it once (a name inside the message cannot hide a note)
    notes = [n for n in result.resource.notes if not message.endswith(n)]
    if notes:
        message += " (" + "; ".join(notes) + ")"
    return Finding(rule_id=rule.id, severity=severity, enforcement=enforcement, status=status,
                   resource=result.resource.address, engine=result.resource.engine, message=message,
                   remediation=remediation_for(rule, result.resource), title=rule.title, suppression=suppression,
                   **_location_fields(result.resource))


def evaluate(inventory: Inventory, config: Config | None = None, rules: Iterable[Rule] | None = None,
             resources: Iterable[Resource] | None = None, strict_suppressions: bool = False,
             today: dt.date | None = None) -> list[Finding]:
    """Findings of `rules` (default: all) over the inventory, sorted by location.

    `resources` limits resource-scope rules to some resources (the Pulumi pack's per-resource calls).
    """
    config = config or Config()
    today = today or dt.date.today()
    ctx = Context(inventory, config)
    pool = list(resources) if resources is not None else None
    findings: list[Finding] = []
    for rule in rules if rules is not None else all_rules():
        if config.enforcement.get(rule.id) is not Enforcement.DISABLED:
            findings.extend(rule_findings(rule, ctx, pool, strict_suppressions, today))
    findings.sort(key=Finding.sort_key)
    return findings


def rule_findings(rule: Rule, ctx: Context, resources: list[Resource] | None = None,
                  strict_suppressions: bool = False, today: dt.date | None = None) -> list[Finding]:
    """One rule's findings over a context (derived data shared between rules), duplicates dropped."""
    today = today or dt.date.today()
    out: list[Finding] = []
    seen: set[tuple] = set()
    secrets = ctx.inventory.sensitive_values
    for result in rule.run(ctx, resources):
        finding = to_finding(rule, result, ctx.config, today, strict_suppressions)
        if finding is None:
            continue
        if secrets:  # a rule may quote a value the engine marked sensitive: never print it
            finding.message = redact_values(finding.message, secrets)
            finding.resource = redact_values(finding.resource, secrets)
        key = (finding.rule_id, finding.resource, finding.message)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    out = one_unknown_per_resource(out)
    out.sort(key=Finding.sort_key)
    return out


MORE_REASONS_SHOWN = 3


def one_unknown_per_resource(findings: list[Finding]) -> list[Finding]:
    """A resource a rule cannot decide is one UNKNOWN result, not one per undecided part: the first
    reason leads and the others follow it in the same message (three at most, then how many more)."""
    first: dict[tuple, Finding] = {}
    others: dict[tuple, list[str]] = {}
    out: list[Finding] = []
    for finding in findings:
        if finding.status is not Status.UNKNOWN:
            out.append(finding)
            continue
        key = (finding.rule_id, finding.resource, finding.severity)
        if key in first:
            others[key].append(finding.message)
            continue
        first[key], others[key] = finding, []
        out.append(finding)
    for key, messages in others.items():
        if messages:
            first[key].message = _with_more(first[key].message, messages)
    return out


def _with_more(message: str, more: list[str]) -> str:
    shown = "; ".join(m[len(_shared_head(message, m)):] for m in more[:MORE_REASONS_SHOWN])
    rest = len(more) - MORE_REASONS_SHOWN
    return f"{message}; also undecided: {shown}" + (f"; and {rest} more" if rest > 0 else "")


def _shared_head(first: str, other: str) -> str:
    """What `other` repeats of `first` up to a ": " ("cannot decide whether role x ...: "), else nothing."""
    common = os.path.commonprefix([first, other])
    return common[:common.rfind(": ") + 2] if ": " in common else ""


def report(inventory: Inventory, config: Config | None = None, **kwargs) -> Report:
    """Evaluate and wrap with the inventory's input errors."""
    findings = evaluate(inventory, config, **kwargs)
    return Report(findings=findings, errors=list(inventory.errors),
                  rules_run=[r.id for r in all_rules()])


__all__ = ["evaluate", "one_unknown_per_resource", "report", "rule_findings", "to_finding", "Severity"]
