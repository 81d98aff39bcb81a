"""JUnit XML report, for CI systems that render test results.

One <testsuite> per rule that ran (a rule with no findings is one passing test case), one <testcase>
per finding. Failures follow the exit code: a finding is a <failure> exactly when it fails the run (a
failed mandatory finding; under --strict an UNKNOWN mandatory one too). An advisory failed finding is
<skipped> with "advisory finding" in its message, an UNKNOWN result <skipped> with its reason. A suppressed finding is <skipped> with the justification. Input errors are <error>
cases in a final "input-errors" suite.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby

from .. import TOOL_NAME
from ..findings import Finding, Report, Status
from ..rules import REGISTRY
from .common import display_path, is_blocking, redacted, unwrap

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: object) -> str:
    return _INVALID_XML.sub("\ufffd", str(text))


def _where(finding: Finding, repo_root) -> str:
    if finding.file:
        path = display_path(finding.file, repo_root)
        return f"{path}:{finding.line}" if finding.line else path
    return finding.urn or ""


def _case(suite: ET.Element, finding: Finding, repo_root, strict: bool) -> dict[str, int]:
    where = _where(finding, repo_root)
    case = ET.SubElement(suite, "testcase", name=_clean(f"{finding.resource} ({where})" if where
                                                         else finding.resource),
                         classname=_clean(f"{TOOL_NAME}.{finding.rule_id}"))
    if finding.file:
        case.set("file", _clean(display_path(finding.file, repo_root)))
        if finding.line:
            case.set("line", str(finding.line))
    detail = "\n".join(filter(None, [
        f"{finding.rule_id} [{finding.severity.value}, {finding.enforcement.value}] {finding.resource}",
        f"at {where}" if where else "", finding.message,
        f"remediation: {unwrap(finding.remediation)}" if finding.remediation else ""]))
    tally = {"failures": 0, "skipped": 0}
    if finding.status is Status.SUPPRESSED:
        reason = finding.suppression.reason if finding.suppression else "suppressed"
        ET.SubElement(case, "skipped", message=_clean(f"suppressed: {reason}")).text = _clean(detail)
        tally["skipped"] = 1
    elif is_blocking(finding, strict):
        kind = f"{finding.status.value}:{finding.enforcement.value}:{finding.severity.value}"
        ET.SubElement(case, "failure", message=_clean(finding.message), type=kind).text = _clean(detail)
        tally["failures"] = 1
    elif finding.status is Status.FAILED:  # advisory: visible, but it does not fail the run, so not a failure
        ET.SubElement(case, "skipped", message=_clean(f"advisory finding (does not fail the run): "
                                                      f"{finding.message}")).text = _clean(detail)
        tally["skipped"] = 1
    else:
        ET.SubElement(case, "skipped", message=_clean(f"unknown: {finding.message}")).text = _clean(detail)
        tally["skipped"] = 1
    return tally


def _suite(parent: ET.Element, name: str, title: str) -> ET.Element:
    return ET.SubElement(parent, "testsuite", name=_clean(name if not title else f"{name}: {title}"))


def _close(suite: ET.Element, tests: int, failures: int, errors: int, skipped: int) -> None:
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))


def render(report: Report, color: bool = False, repo_root=None, strict: bool = False) -> str:
    report = redacted(report)
    root = ET.Element("testsuites", name=TOOL_NAME)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    findings = sorted(report.findings, key=lambda f: (f.rule_id, f.sort_key()))
    by_rule = {rule_id: list(items) for rule_id, items in groupby(findings, key=lambda f: f.rule_id)}
    for rule_id in sorted(set(report.rules_run) | set(by_rule)):
        items = by_rule.get(rule_id, [])
        rule = REGISTRY.get(rule_id)
        title = rule.title if rule else (items[0].title if items else "")
        suite = _suite(root, rule_id, title)
        failures = skipped = 0
        for finding in items:
            tally = _case(suite, finding, repo_root, strict)
            failures += tally["failures"]
            skipped += tally["skipped"]
        if not items:
            ET.SubElement(suite, "testcase", name="no findings", classname=f"{TOOL_NAME}.{rule_id}")
        tests = max(len(items), 1)
        _close(suite, tests, failures, 0, skipped)
        for key, value in (("tests", tests), ("failures", failures), ("skipped", skipped)):
            totals[key] += value
    if report.errors:
        suite = _suite(root, "input-errors", "inputs that could not be evaluated")
        for error in report.errors:
            where = display_path(error.file, repo_root) if error.file else "<input>"
            location = f"{where}:{error.line}" if error.line else where
            case = ET.SubElement(suite, "testcase", name=_clean(location), classname=f"{TOOL_NAME}.input")
            case.set("file", _clean(where))
            if error.line:
                case.set("line", str(error.line))
            ET.SubElement(case, "error", message=_clean(error.message), type="InputError").text = \
                _clean(f"{location}: {error.message}")
        _close(suite, len(report.errors), 0, len(report.errors), 0)
        totals["tests"] += len(report.errors)
        totals["errors"] += len(report.errors)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
