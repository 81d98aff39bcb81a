"""Every registered rulebook rule as a CrossGuard policy, built from the registry at start-up.

Resource-scope rules become ResourceValidationPolicy (they stop a resource before it is created);
inventory-scope rules become StackValidationPolicy. A rule that reports several severities (REG-002)
gets one policy per severity, since Pulumi attaches one enforcement level to a policy: the main one
is named after the rule (`reg-002-...`), the others carry the severity as suffix (`...-medium`).

Findings come from rulebook.engine, so messages are the Terraform side's word for word.
UNKNOWN results are reported as violations once values are known (`pulumi up`: fail closed); during
a preview they go through the SDK's "can't run during preview" channel, which Pulumi shows as
advisory, after every decided violation of the policy has been reported.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import io
import json
import os
import pickle
import threading
from collections.abc import Mapping
from typing import Any, Iterable

from pulumi_policy import (EnforcementLevel, Policy, PolicyComplianceFramework, PolicyConfigSchema,
                           ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity,
                           StackValidationArgs, StackValidationPolicy)
from pulumi_policy.proxy import UnknownValueError, _DictProxy, _ListProxy

from rulebook.compliance import FRAMEWORKS, PRACTICES
from rulebook.config import Config, ConfigError
from rulebook.doc_urls import rule_doc_url
from rulebook.engine import rule_findings
from rulebook.findings import Finding, Status
from rulebook.findings import Severity as RbSeverity
from rulebook.model import Inventory
from rulebook.rules import Context, Rule, all_rules

from . import adapter, messages, settings
from .adapter.reader import Reader

EXTRA_RULES_ENV = "CICD_GUARD_EXTRA_RULES"
PACK_NAME = "cicd-guard"


class PreviewUnknown(UnknownValueError):
    """Raised after reporting, so the SDK files the undecided results as "can't run during preview"."""

    def __init__(self, message: str) -> None:  # pylint: disable=super-init-not-called
        Exception.__init__(self, message)
        self.unknown_type_sentinel = ""
        self.props: list[str] = []
        self.message = message


def load_extra_rules(env: Mapping[str, str] | None = None) -> list[str]:
    """Import the modules named in CICD_GUARD_EXTRA_RULES (comma-separated): custom rules register on import."""
    names = [n.strip() for n in (env if env is not None else os.environ).get(EXTRA_RULES_ENV, "").split(",")]
    for name in filter(None, names):
        importlib.import_module(name)
    return [n for n in names if n]


def is_preview() -> bool:
    return os.environ.get("PULUMI_DRY_RUN", "").lower() == "true"


@functools.lru_cache(maxsize=None)
def _kind_of(token: str) -> str:
    """The kind a type token maps to (builders accept empty props)."""
    builder = adapter.BUILDERS.get(adapter.azure.normalise_token(token))
    return builder(Reader({}, ""))[0] if builder else adapter.UNMAPPED


def _raw(value: Any) -> Any:
    """The SDK proxies' underlying data, all levels (sentinels included), for fingerprinting the stack."""
    if isinstance(value, (_DictProxy, _ListProxy)):
        value = value["__target"]
    if isinstance(value, dict):
        return {k: _raw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_raw(v) for v in value]
    return value


_PROXIES_AS_DATA = {_DictProxy: lambda proxy: (dict, (proxy["__target"],)),
                    _ListProxy: lambda proxy: (list, (proxy["__target"],))}


def _fingerprint(resources: list) -> bytes:
    """A digest of the stack's resources (type, name, URN, every prop), equal only for equal stacks.

    The SDK hands each stack policy freshly built proxies of the same data, so object identity cannot
    recognise "the same stack again": the data itself is serialised (pickle, at C speed, the proxies
    reduced to the data they wrap; unknown sentinels are strings and stay distinct). Values pickle
    cannot serialise fall back to the plain JSON form."""
    rows = [(r.resource_type, r.name, r.urn, r.props) for r in resources]
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _PROXIES_AS_DATA
    try:
        pickler.dump(rows)
        data: bytes | memoryview = buffer.getbuffer()
    except Exception:  # noqa: BLE001 - any value pickle refuses: the slower plain form
        data = json.dumps([(t, n, u, _raw(p)) for t, n, u, p in rows], default=str).encode("utf-8", "replace")
    return hashlib.blake2b(data, digest_size=32).digest()


def policy_names(rule: Rule) -> dict[RbSeverity, str]:
    """Policy name per severity the rule reports; the rule's own severity keeps the plain slug."""
    names = {rule.severity: rule.slug}
    for severity in rule.severities:
        names.setdefault(severity, f"{rule.slug}-{severity.value}")
    return names


def rule_id_of(policy_name: str) -> str | None:
    """`reg-002-...-medium` -> REG-002."""
    head = policy_name[:7]
    if len(head) == 7 and head[3] == "-" and head[:3].isalpha() and head[4:].isdigit():
        return head.upper()
    return None


def _framework(rule: Rule) -> PolicyComplianceFramework:
    controls = rule.compliance
    practice = PRACTICES[rule.practice]
    others = "; ".join(f"{FRAMEWORKS[k]}: {', '.join(v)}" for k, v in controls.items() if k != "nist_csf_2")
    return PolicyComplianceFramework(name="NIST CSF", version="2.0",
                                     reference=", ".join(controls.get("nist_csf_2", ())),
                                     specification=f"{practice.id} {practice.title}. {others}")


def _tags(rule: Rule, severity: RbSeverity) -> list[str]:
    tags = [rule.id, rule.practice, f"severity:{severity.value}"]
    tags += [f"{key}:{control}" for key, ids in rule.compliance.items() for control in ids]
    return tags


def docs_url(rule: Rule) -> str:
    return rule_doc_url(rule.id)


class _Check:
    """The validate callback of one policy: one rule, the findings of one severity."""

    def __init__(self, rule: Rule, severity: RbSeverity, name: str) -> None:
        self.rule = rule
        self.severity = severity
        self.name = name
        declared = policy_names(rule)
        # the main policy also takes any severity the rule reports without declaring it: never dropped
        self.accepts = {severity} | ({s for s in RbSeverity if s not in declared} if severity is rule.severity
                                     else set())

    def _say(self, line: messages.Line, report: ReportViolation, urn: str | None, analyzed: str | None,
             remediation: str = "") -> None:
        """Report one line (and the finding's fix) to the engine, and its structured form to the gate
        (messages.record)."""
        messages.record(self.name, dataclasses.replace(line, urn=urn or line.urn), analyzed, remediation)
        report(messages.with_fix(messages.encode(line), remediation), urn)

    def _config(self, raw: Mapping[str, Any] | None, report: ReportViolation,
                analyzed: str | None = None) -> Config | None:
        try:
            return settings.config_from(raw, self.name)
        except ConfigError as exc:
            self._say(messages.Line(self.rule.id, self.severity.value, f"invalid cicd-guard settings: {exc}"),
                      report, None, analyzed)
            return None

    def _report(self, findings: Iterable[Finding], report: ReportViolation, stack: bool,
                analyzed: str | None = None) -> None:
        undecided: list[str] = []
        for finding in findings:
            if finding.severity not in self.accepts or finding.status is Status.SUPPRESSED:
                continue
            unknown = finding.status is Status.UNKNOWN
            line = messages.Line(finding.rule_id, finding.severity.value, finding.message, unknown)
            if unknown and is_preview():
                undecided.append(messages.encode(dataclasses.replace(line, urn=finding.urn)))
                messages.record(self.name, dataclasses.replace(line, urn=finding.urn), analyzed, finding.remediation)
                continue
            self._say(line, report, finding.urn if stack else None, analyzed, finding.remediation)
        if undecided:
            raise PreviewUnknown("undecided until the values are known:\n" + "\n".join(undecided))

    def _failed(self, exc: Exception, report: ReportViolation, analyzed: str | None = None) -> None:
        """A rule that raises must not take the whole analysis down, nor pass: its policy reports it."""
        detail = str(exc).splitlines()[0] if str(exc) else ""
        self._say(messages.Line(self.rule.id, self.severity.value,
                                f"cannot decide: the rule failed: {type(exc).__name__}: {detail}", unknown=True),
                  report, None, analyzed)


class ResourceCheck(_Check):
    def __call__(self, args: ResourceValidationArgs, report: ReportViolation) -> None:
        if _kind_of(args.resource_type) not in self.rule.kinds:
            return
        config = self._config(args.get_config(), report, args.urn)
        if config is None:
            return
        resource = adapter.to_resource(args.resource_type, args.name, args.props, args.urn)
        ctx = Context(Inventory([resource]), config)
        try:
            findings = rule_findings(self.rule, ctx, [resource])
        except Exception as exc:  # noqa: BLE001 - reported as the policy's violation (fail closed)
            self._failed(exc, report, args.urn)
            return
        self._report(findings, report, stack=False, analyzed=args.urn)


class _StackCache:
    """The inventory and context of the stack being analyzed, shared by every stack policy."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: Any = None
        self._ctx: Context | None = None

    def context(self, args: StackValidationArgs, config: Config) -> Context:
        key = (_fingerprint(args.resources), id(config))
        with self._lock:
            if self._key == key and self._ctx is not None:
                return self._ctx
        inventory = adapter.to_inventory(
            (r.resource_type, r.name, r.props, r.urn,
             {k: [d.urn for d in v] for k, v in (r.property_dependencies or {}).items()})
            for r in args.resources)
        ctx = Context(inventory, config)
        with self._lock:
            self._key, self._ctx = key, ctx
        return ctx


_STACK = _StackCache()


class StackCheck(_Check):
    def __call__(self, args: StackValidationArgs, report: ReportViolation) -> None:
        config = self._config(args.get_config(), report)
        if config is None:
            return
        ctx = _STACK.context(args, config)
        try:
            findings = ctx.derived(("findings", self.rule.id), lambda c: rule_findings(self.rule, c))
        except Exception as exc:  # noqa: BLE001 - reported as the policy's violation (fail closed)
            self._failed(exc, report)
            return
        self._report(findings, report, stack=True)


def build_policies(rules: Iterable[Rule] | None = None) -> list[Policy]:
    """One policy per rule and severity, in rule ID order."""
    policies: list[Policy] = []
    for rule in rules if rules is not None else all_rules():
        for severity, name in policy_names(rule).items():
            common: dict[str, Any] = dict(
                name=name, description=rule.title,
                enforcement_level=EnforcementLevel(severity.default_enforcement.value),
                config_schema=PolicyConfigSchema(settings.shared_properties()),
                severity=Severity(severity.value), framework=_framework(rule), tags=_tags(rule, severity),
                remediation_steps=rule.remediation_for(engine="pulumi"), url=docs_url(rule))
            if rule.scope == "resource":
                policies.append(ResourceValidationPolicy(validate=ResourceCheck(rule, severity, name), **common))
            else:
                policies.append(StackValidationPolicy(validate=StackCheck(rule, severity, name), **common))
    return policies


__all__ = ["build_policies", "load_extra_rules", "policy_names", "rule_id_of", "PACK_NAME", "EXTRA_RULES_ENV"]
