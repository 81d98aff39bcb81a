"""SARIF 2.1.0 report, for GitHub code scanning and other SARIF viewers.

Levels: a failed finding under mandatory enforcement is `error`, under advisory `warning`. An UNKNOWN
result (could not be decided at plan time) is `warning` under a mandatory rule (`error` with --strict,
where it blocks) and `note` under an advisory one. Suppressed findings keep their level and carry
`suppressions` (inline comment -> inSource, config file -> external), so viewers hide them.
Locations are relative to %SRCROOT% (the repository root); Pulumi resources add a logical location
named by their URN.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from urllib.parse import quote

from .. import TOOL_NAME, __version__
from ..compliance import FRAMEWORKS, PRACTICES
from ..findings import Enforcement, Finding, Report, Severity, Status
from ..model import InputError
from ..rules import Rule, all_rules
from ..rules.base import remediation_markdown
from ..doc_urls import project_url, rule_doc_url
from .common import redacted, relative_uri, split_location, unwrap

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0"}


def help_uri(rule_id: str) -> str:
    """The rule's generated doc (see rulebook.doc_urls: one setting for every format and the pack)."""
    return rule_doc_url(rule_id)


def _pascal(title: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in "".join(c if c.isalnum() else " " for c in title).split())


def _compliance_tags(rule: Rule) -> list[str]:
    return [f"{FRAMEWORKS[fw]}: {ctl}" for fw, ids in rule.compliance.items() for ctl in ids]


def rule_descriptor(rule: Rule) -> dict:
    practice = PRACTICES[rule.practice]
    compliance = "\n".join(f"- {FRAMEWORKS[fw]}: {', '.join(ids)}" for fw, ids in rule.compliance.items())
    text = f"{unwrap(rule.rationale)}\n\nRemediation: {unwrap(rule.remediation_for())}"
    markdown = (f"**{rule.id}: {rule.title}** ({rule.severity.value}; practice {practice.id} "
                f"{practice.title})\n\n### Rationale\n\n{rule.rationale}\n\n### Remediation\n\n"
                f"{remediation_markdown(rule)}\n\n### Compliance\n\n{compliance}\n")
    default = rule.severity.default_enforcement
    return {
        "id": rule.id,
        "name": _pascal(rule.title),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": unwrap(rule.rationale).split("\n\n")[0]},
        "help": {"text": text, "markdown": markdown},
        "helpUri": help_uri(rule.id),
        "defaultConfiguration": {"level": "error" if default is Enforcement.MANDATORY else "warning"},
        "properties": {
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "problem.severity": "error" if default is Enforcement.MANDATORY else "warning",
            "tags": ["security", "ci-cd", "supply-chain", f"{practice.id}: {practice.title}",
                     *_compliance_tags(rule)],
            "pulumiPolicyName": rule.slug,
        },
    }


def _unregistered_descriptor(finding: Finding) -> dict:
    """A finding whose rule is not in this build's registry (e.g. from another pack version)."""
    return {"id": finding.rule_id, "name": _pascal(finding.title or finding.rule_id),
            "shortDescription": {"text": finding.title or finding.rule_id},
            "helpUri": help_uri(finding.rule_id),
            "properties": {"security-severity": SECURITY_SEVERITY[finding.severity], "tags": ["security"]}}


def level(finding: Finding, strict: bool = False) -> str:
    mandatory = finding.enforcement is Enforcement.MANDATORY
    if finding.status is Status.UNKNOWN:
        return "error" if finding.blocks_run(strict) else "warning" if mandatory else "note"
    return "error" if mandatory else "warning"


def _quoted(path: str) -> str:
    """Percent-encoded as a URI path; a file name's undecodable bytes (surrogate escapes) as those bytes."""
    try:
        return quote(path, safe="/:@", errors="surrogateescape")
    except UnicodeEncodeError:
        return quote(path, safe="/:@", errors="backslashreplace")


def _physical(file: str, line: int | None, end_line: int | None, repo_root) -> dict:
    uri, relative = relative_uri(file, repo_root)
    artifact = {"uri": _quoted(uri), "uriBaseId": SRCROOT} if relative else {"uri": uri}
    physical: dict = {"artifactLocation": artifact}
    if line and line > 0:
        region = {"startLine": line}
        if end_line and end_line >= line:
            region["endLine"] = end_line
        physical["region"] = region
    return physical


def _called_from(finding: Finding, repo_root) -> list[dict]:
    if not finding.called_from:
        return []
    file, line = split_location(finding.called_from)
    return [{"id": 1, "physicalLocation": _physical(file, line, None, repo_root),
             "message": {"text": "module call that instantiates this resource"}}]


def _location(finding: Finding, repo_root) -> dict:
    location: dict = {}
    if finding.file:
        location["physicalLocation"] = _physical(finding.file, finding.line, finding.end_line, repo_root)
    logical = {"name": finding.resource, "fullyQualifiedName": finding.urn or finding.resource,
               "kind": "resource"}
    location["logicalLocations"] = [logical]
    return location


def _fingerprint(finding: Finding) -> str:
    key = "\x1f".join([finding.rule_id, finding.resource, finding.urn or "", finding.engine])
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def result(finding: Finding, rule_index: int, repo_root, strict: bool = False) -> dict:
    prefix = "Cannot decide at plan time: " if finding.status is Status.UNKNOWN and \
        not finding.message.startswith("cannot decide") else ""
    data: dict = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": level(finding, strict),
        "message": {"text": prefix + finding.message},
        "locations": [_location(finding, repo_root)],
        "partialFingerprints": {"cicdGuardResource/v1": _fingerprint(finding)},
        "properties": {"severity": finding.severity.value, "enforcement": finding.enforcement.value,
                       "status": finding.status.value, "engine": finding.engine,
                       "remediation": finding.remediation},
    }
    related = _called_from(finding, repo_root)
    if related:
        data["relatedLocations"] = related
    if finding.status is Status.SUPPRESSED and finding.suppression:
        suppression = {"kind": "inSource" if finding.suppression.source == "inline" else "external",
                       "status": "accepted", "justification": finding.suppression.reason}
        if finding.suppression.expires:
            suppression["properties"] = {"expires": finding.suppression.expires}
        data["suppressions"] = [suppression]
    return data


def _notification(error: InputError, repo_root) -> dict:
    note: dict = {"level": "error", "message": {"text": f"{error.message}"},
                  "descriptor": {"id": "input-error"}}
    if error.file:
        note["locations"] = [{"physicalLocation": _physical(str(error.file), error.line, None, repo_root)}]
    return note


def document(report: Report, repo_root=None, strict: bool = False) -> dict:
    report = redacted(report)
    rules = [rule_descriptor(r) for r in all_rules()]
    index = {r["id"]: i for i, r in enumerate(rules)}
    for finding in report.findings:
        if finding.rule_id not in index:
            index[finding.rule_id] = len(rules)
            rules.append(_unregistered_descriptor(finding))
    root = Path(repo_root or os.getcwd()).resolve()
    driver = {"name": TOOL_NAME, "version": __version__, "semanticVersion": __version__, "rules": rules}
    info = project_url("homepage", "repository", "source", "documentation")
    if info:
        driver["informationUri"] = info
    invocation: dict = {"executionSuccessful": not report.errors}
    notifications = [_notification(e, repo_root) for e in report.errors] + [
        {"level": "note", "message": {"text": n}, "descriptor": {"id": "not-scanned"}} for n in report.notes]
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
        "invocations": [invocation],
        "results": [result(f, index[f.rule_id], repo_root, strict) for f in report.findings],
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report, color: bool = False, repo_root=None, strict: bool = False) -> str:
    return json.dumps(document(report, repo_root, strict), indent=2, ensure_ascii=False) + "\n"
