"""The cicd-guard command line, over fake scan/gate back-ends (the real ones are tested on their own)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import types
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest

import throwaway_rule
from cicd_guard import cli
from rulebook import __version__
from rulebook.findings import Enforcement, Finding, Report, Severity, Status
from rulebook.model import InlineSuppression, InputError, Inventory, Resource, SourceLocation
from rulebook.unknown import Unknown

RULE = throwaway_rule.RULE_ID
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.fixture(autouse=True)
def widget_rule(monkeypatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)  # no stray cicd-guard.yaml; relative paths land here
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    throwaway_rule.register()
    yield
    throwaway_rule.unregister()


def _backend_module(name: str) -> types.ModuleType:
    return importlib.import_module(name)


@pytest.fixture
def scanner(monkeypatch):
    state = SimpleNamespace(inventories=[], errors=[], scanned=["main.tf"], calls=[], raises=None)

    def scan(paths, plans, var_files, repo_root, strict_suppressions, default_root=None):
        state.calls.append(dict(paths=paths, plans=plans, var_files=var_files, repo_root=repo_root,
                                strict_suppressions=strict_suppressions))
        if state.raises:
            raise state.raises
        return SimpleNamespace(inventories=state.inventories, errors=state.errors, scanned=state.scanned, notes=[],
                               inventory_roots=[f"root{i}" for i in range(len(state.inventories))],
                               module_defaults={}, plans_without_lines=[])

    monkeypatch.setattr(_backend_module("hcl_scanner"), "scan", scan, raising=False)
    return state


@pytest.fixture
def gate(monkeypatch):
    state = SimpleNamespace(report=Report(), calls=[], error=None)

    def run_gate(program_dir, **kwargs):
        state.calls.append(dict(program_dir=program_dir, **kwargs))
        if state.error is not None:
            raise state.error
        return state.report

    monkeypatch.setattr(_backend_module("preview_gate"), "run_gate", run_gate, raising=False)
    return state


def widget(name: str, open_, line: int = 3, note: str = "", **kwargs) -> Resource:
    return Resource(kind=throwaway_rule.KIND, address=f"test_widget.{name}", engine="terraform",
                    props={"open": open_, "note": note, "name": name},
                    location=SourceLocation(file="main.tf", line=line, end_line=line + 2), **kwargs)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def findings_of(out: str) -> list[tuple]:
    return [(f["rule_id"], f["resource"], f["file"], f["line"], f["status"], f["enforcement"])
            for f in json.loads(out)["findings"]]


# --- scan: exit codes --------------------------------------------------------------------------------

def test_scan_mandatory_failure_exits_1(scanner, capsys) -> None:
    scanner.inventories = [Inventory([widget("open", True), widget("shut", False, line=9)])]
    code, out, err = run(capsys, "scan", "infra", "--plan", "p.json", "--plan", "q.json", "--var-file", "x.tfvars",
                         "--repo-root", ".", "--format", "json")
    assert code == 1
    assert findings_of(out) == [(RULE, "test_widget.open", "main.tf", 3, "failed", "mandatory")]
    assert scanner.calls == [dict(paths=["infra"], plans=["p.json", "q.json"], var_files=["x.tfvars"],
                                  repo_root=".", strict_suppressions=False)]
    assert err == "cicd-guard: FAIL: 1 failed (1 blocking), 0 unknown, 0 suppressed, 0 error(s) in 1 input(s)\n"


def test_scan_clean_exits_0(scanner, capsys) -> None:
    scanner.inventories = [Inventory([widget("shut", False)])]
    code, out, err = run(capsys, "scan", "infra")
    assert code == 0
    assert out.splitlines()[-1] == "PASS: 0 failed, 0 unknown, 0 suppressed, 0 error(s) in 1 input(s)"
    assert err == ""


def test_scan_input_error_exits_2_and_still_reports_other_files(scanner, capsys) -> None:
    scanner.inventories = [Inventory([widget("open", True)], errors=[InputError("mod/bad.tf", 4, "unexpected token")])]
    scanner.errors = [InputError("mod/bad.tf", 4, "unexpected token"), InputError("bin.tf", None, "not UTF-8 text")]
    code, out, err = run(capsys, "scan", ".", "--format", "json")
    assert code == 2
    doc = json.loads(out)
    assert findings_of(out) == [(RULE, "test_widget.open", "main.tf", 3, "failed", "mandatory")]
    assert doc["errors"] == [{"file": "mod/bad.tf", "line": 4, "message": "unexpected token"},
                             {"file": "bin.tf", "line": None, "message": "not UTF-8 text"}]
    assert "cicd-guard: ERROR:" in err and "cicd-guard: error: mod/bad.tf:4: unexpected token" in err


def test_unknown_warns_and_strict_fails(scanner, capsys) -> None:
    scanner.inventories = [Inventory([widget("later", Unknown("known after apply"))])]
    code, out, _ = run(capsys, "scan", ".")
    assert code == 0
    assert (f"    3  UNKNOWN    high     {RULE}  test_widget.later  [mandatory]") in out.splitlines()
    assert "warning: 1 result(s) could not be decided at plan time" in out
    code, out, _ = run(capsys, "scan", ".", "--strict", "--format", "json")
    assert code == 1
    assert findings_of(out) == [(RULE, "test_widget.later", "main.tf", 3, "unknown", "mandatory")]


@pytest.mark.parametrize("strict", [False, True])
def test_the_summary_reads_the_same_in_every_format_and_junit_follows_the_exit_code(scanner, capsys,
                                                                                      strict: bool) -> None:
    throwaway_rule.register("ZZZ-902", Severity.MEDIUM)  # advisory: its unknowns never block
    try:
        scanner.inventories = [Inventory([widget(f"w{i}", Unknown("known after apply"), line=i) for i in range(1, 4)])]
        flags = ["--strict"] if strict else []
        expected = ("FAIL: 0 failed, 6 unknown (3 block under --strict), 0 suppressed, 0 error(s) in 1 input(s)"
                    if strict else "PASS: 0 failed, 6 unknown, 0 suppressed, 0 error(s) in 1 input(s)")
        code, out, err = run(capsys, "scan", ".", *flags)
        assert (code, out.splitlines()[-1], err) == (int(strict), expected, "")
        for fmt in ("json", "sarif", "junit"):
            code, out, err = run(capsys, "scan", ".", "--format", fmt, *flags)
            assert (code, err) == (int(strict), f"cicd-guard: {expected}\n"), fmt
            if fmt == "json":
                summary = json.loads(out)["summary"]
                assert (f"{summary['result']}: {summary['text']}", summary["blocking"], summary["exit_code"]) == (
                    expected, 3 if strict else 0, int(strict))
            if fmt == "junit":
                suites = ET.fromstring(out)
                assert (suites.get("failures"), suites.get("skipped")) == (("3", "3") if strict else ("0", "6"))
    finally:
        throwaway_rule.unregister("ZZZ-902")


def test_advisory_unknown_does_not_fail_even_when_strict(scanner, capsys, tmp_path: Path) -> None:
    (tmp_path / "cicd-guard.yaml").write_text(f"enforcement:\n  {RULE}: advisory\n")
    scanner.inventories = [Inventory([widget("later", Unknown("known after apply"))])]
    assert run(capsys, "scan", ".", "--strict")[0] == 0


# --- scan: config ------------------------------------------------------------------------------------

def test_config_in_current_directory_is_used(scanner, capsys, tmp_path: Path) -> None:
    (tmp_path / "cicd-guard.yaml").write_text(f"enforcement:\n  {RULE}: advisory\n")
    scanner.inventories = [Inventory([widget("open", True)])]
    code, out, _ = run(capsys, "scan", ".", "--format", "json")
    assert code == 0
    assert findings_of(out) == [(RULE, "test_widget.open", "main.tf", 3, "failed", "advisory")]


def test_config_option_disables_and_suppresses(scanner, capsys, tmp_path: Path) -> None:
    cfg = tmp_path / "other.yaml"
    cfg.write_text(f"suppressions:\n  - rule: {RULE}\n    resource: test_widget.open\n    reason: reviewed in SEC-42\n")
    scanner.inventories = [Inventory([widget("open", True), widget("also", True, line=20)])]
    code, out, _ = run(capsys, "scan", ".", "--config", str(cfg), "--format", "json")
    assert code == 1
    assert findings_of(out) == [(RULE, "test_widget.open", "main.tf", 3, "suppressed", "mandatory"),
                                (RULE, "test_widget.also", "main.tf", 20, "failed", "mandatory")]
    cfg.write_text(f"enforcement:\n  {RULE}: disabled\n")
    code, out, _ = run(capsys, "scan", ".", "--config", str(cfg), "--format", "json")
    assert (code, findings_of(out)) == (0, [])


@pytest.mark.parametrize("text, message", [
    ("enforcement:\n  ZZZ-901: sometimes\n", "enforcement.ZZZ-901: 'sometimes' is not one of"),
    ("deploy_identity: [x]\n", "deploy_identity: unknown key 'deploy_identity'"),
    ("ci_network:\n  cidrs: [10.0.0.0/40]\n", "ci_network.cidrs[0]: '10.0.0.0/40' is not a 'cidr'"),
    ("suppressions:\n  - {rule: ZZZ-901, resource: x}\n", "suppressions[0]: 'reason' is a required property"),
    ("oidc: [\n", "bad.yaml:2: not valid YAML"),
    ("suppressions:\n  - {rule: ZZZ-901, resource: x, reason: fine, expires: 2030-13-01}\n", "suppressions[0].expires: '2030-13-01' is not a 'date'"),
])
def test_bad_config_exits_2_naming_the_key(scanner, capsys, tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "bad.yaml").write_text(text)
    code, out, err = run(capsys, "scan", ".", "--config", "bad.yaml")
    assert code == 2
    assert out == ""
    assert err.startswith("cicd-guard: error: config error: bad.yaml")
    assert message in err
    assert "Traceback" not in err
    assert scanner.calls == []


def test_missing_config_file_exits_2(scanner, capsys) -> None:
    code, _, err = run(capsys, "scan", ".", "--config", "nope.yaml")
    assert code == 2
    assert err.startswith("cicd-guard: error: config error: nope.yaml: cannot read config")


def test_strict_suppressions_refuses_inline_ones(scanner, capsys) -> None:
    inline = InlineSuppression((RULE,), "accepted for the demo", None, "main.tf", 2)
    scanner.inventories = [Inventory([widget("open", True, suppressions=[inline])])]
    code, out, _ = run(capsys, "scan", ".", "--format", "json")
    assert (code, findings_of(out)[0][4]) == (0, "suppressed")
    code, out, _ = run(capsys, "scan", ".", "--format", "json", "--strict-suppressions")
    assert (code, findings_of(out)[0][4]) == (1, "failed")
    assert "inline suppression refused (--strict-suppressions)" in json.loads(out)["findings"][0]["message"]
    assert scanner.calls[-1]["strict_suppressions"] is True


# --- scan: output ------------------------------------------------------------------------------------

def test_output_file_and_formats(scanner, capsys, tmp_path: Path) -> None:
    scanner.inventories = [Inventory([widget("open", True)])]
    code, out, err = run(capsys, "scan", ".", "--format", "sarif", "--output", "report.sarif")
    assert (code, out) == (1, "")
    assert err.startswith("cicd-guard: FAIL: 1 failed")
    sarif = json.loads((tmp_path / "report.sarif").read_text())
    assert [(r["ruleId"], r["level"]) for r in sarif["runs"][0]["results"]] == [(RULE, "error")]
    code, out, _ = run(capsys, "scan", ".", "-f", "junit")
    assert ET.fromstring(out).get("failures") == "1"
    code, _, err = run(capsys, "scan", ".", "--output", str(tmp_path / "no" / "such" / "dir.txt"))
    assert code == 2 and "cannot write" in err


def test_secrets_are_redacted_in_cli_output(scanner, capsys) -> None:
    note = f"with key {KEY_ID} and aws_secret_access_key={SECRET_KEY}"
    scanner.inventories = [Inventory([widget("open", True, note=note)])]
    for fmt in ("text", "json", "sarif", "junit"):
        _, out, err = run(capsys, "scan", ".", "--format", fmt)
        assert KEY_ID not in out + err and SECRET_KEY not in out + err
        assert "AKIA****" in out


def test_colour_only_when_asked(scanner, capsys) -> None:
    scanner.inventories = [Inventory([widget("open", True)])]
    assert "\033[" not in run(capsys, "scan", ".")[1]  # captured stdout is not a terminal
    assert "\033[" in run(capsys, "scan", ".", "--color", "always")[1]


# --- scan: failures of the tool itself ----------------------------------------------------------------

def test_usage_errors_exit_2(scanner, capsys) -> None:
    code, _, err = run(capsys, "scan")
    assert (code, err) == (2, "cicd-guard: error: scan: give at least one PATH or --plan FILE\n")
    code, _, err = run(capsys, "scan", ".", "--format", "xml")
    assert code == 2 and "invalid choice: 'xml'" in err
    code, _, err = run(capsys, "frobnicate")
    assert code == 2 and "invalid choice: 'frobnicate'" in err


def test_internal_error_is_one_line_without_traceback(scanner, capsys, monkeypatch) -> None:
    scanner.raises = RuntimeError(f"boom near {KEY_ID}\nsecond line")
    code, out, err = run(capsys, "scan", ".")
    assert (code, out) == (2, "")
    assert err == ("cicd-guard: internal error: RuntimeError: boom near AKIA**** "
                   f"(set {cli.DEBUG_ENV}=1 for a traceback)\n")
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    code, _, err = run(capsys, "scan", ".")
    assert code == 2 and "Traceback (most recent call last)" in err


def test_missing_scanner_exits_2(capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "hcl_scanner", None)
    code, _, err = run(capsys, "scan", ".")
    assert code == 2 and err.startswith("cicd-guard: error: the Terraform scanner is not available")


# --- gate --------------------------------------------------------------------------------------------

def _gate_finding(status: Status = Status.FAILED, enforcement: Enforcement = Enforcement.MANDATORY) -> Finding:
    return Finding(RULE, Severity.HIGH, enforcement, status, "open-widget", "pulumi", None, None,
                   "widget is open", urn="urn:pulumi:dev::demo::test:index:Widget::open-widget")


def test_gate_passes_options_and_reports(gate, capsys, tmp_path: Path) -> None:
    (tmp_path / "prog").mkdir()
    (tmp_path / "pack").mkdir()
    (tmp_path / "cicd-guard.yaml").write_text("admin_identities: [root]\n")
    gate.report = Report(findings=[_gate_finding()], rules_run=[RULE])
    code, out, _ = run(capsys, "gate", "prog", "--policy-pack", "pack", "--stack", "prod", "--preview",
                       "--format", "json")
    assert code == 1
    assert [(f["rule_id"], f["resource"], f["engine"], f["urn"]) for f in json.loads(out)["findings"]] == [
        (RULE, "open-widget", "pulumi", "urn:pulumi:dev::demo::test:index:Widget::open-widget")]
    (call,) = gate.calls
    assert call["program_dir"] == "prog"
    assert (call["policy_pack"], call["stack"], call["preview"]) == ("pack", "prod", True)
    assert "config" not in call  # the gate reads the file: it may be a Pulumi policy pack config
    assert call["config_path"] == str(tmp_path / "cicd-guard.yaml")


def test_gate_config_error_exits_2_with_message(gate, capsys, tmp_path: Path) -> None:
    (tmp_path / "prog").mkdir()
    from rulebook.config import ConfigError

    gate.error = ConfigError("cfg.json: deploy_identities: 'x' is not of type 'array'")
    code, _, err = run(capsys, "gate", "prog", "--config", "cfg.json")
    assert code == 2
    assert err.strip() == "cicd-guard: error: config error: cfg.json: deploy_identities: 'x' is not of type 'array'"


def test_gate_exit_codes(gate, capsys, tmp_path: Path) -> None:
    (tmp_path / "prog").mkdir()
    gate.report = Report(findings=[_gate_finding(Status.UNKNOWN)])
    assert run(capsys, "gate", "prog")[0] == 0
    assert run(capsys, "gate", "prog", "--strict")[0] == 1
    gate.report = Report(errors=[InputError("prog/__main__.py", 12, "program raised ValueError")])
    code, out, _ = run(capsys, "gate", "prog")
    assert code == 2 and "prog/__main__.py:12: program raised ValueError" in out
    assert gate.calls[0]["policy_pack"] is None and gate.calls[0]["config_path"] is None


def test_gate_missing_directory_exits_2(gate, capsys) -> None:
    code, _, err = run(capsys, "gate", "nowhere")
    assert (code, err) == (2, "cicd-guard: error: gate: nowhere: not a directory\n")
    assert gate.calls == []


# --- rules and explain -------------------------------------------------------------------------------

def test_rules_table(capsys) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == ["ID", "SEVERITY", "PRACTICE", "TITLE", "ENGINES"]
    row = next(r for r in rows if r.startswith(RULE))
    assert row.split("  ")[0] == RULE
    assert "high" in row and "P5 Network isolation of critical assets" in row
    assert "Widgets stay closed | always" in row and row.endswith("terraform,pulumi*")
    assert "* partial coverage in that engine" in out


def test_rules_json(capsys) -> None:
    code, out, _ = run(capsys, "rules", "--format", "json")
    entry = next(r for r in json.loads(out) if r["id"] == RULE)
    assert entry == {"id": RULE, "title": "Widgets stay closed | always", "severity": "high", "severities": ["high"],
                     "practice": "P5", "default_enforcement": "mandatory", "scope": "resource",
                     "pulumi_policy": "zzz-901-widgets-stay-closed-always",
                     "engine_notes": {"pulumi": "Pulumi has no widgets; the pack cannot see this."},
                     "compliance": {"nist_csf_2": ["PR.IR-01"], "cis_v8": ["12.2", "13.4", "99.1"],
                                    "iso27001_2022": ["8.20", "8.22"], "iso27001_2013": ["A.9.1.2", "A.14.1.2"]}}


@pytest.mark.parametrize("name", [RULE, RULE.lower(), "zzz-901-widgets-stay-closed-always"])
def test_explain(capsys, name: str) -> None:
    code, out, _ = run(capsys, "explain", name)
    assert code == 0
    assert out.startswith(f"# {RULE}: Widgets stay closed | always\n")
    for part in ("## Rationale\n\nAn open widget lets anyone in.", "## Remediation\n\nSet `open = false`",
                 "| CIS Controls v8 | 12.2, 13.4, 99.1 |", "## Examples", "open = true"):
        assert part in out


def test_explain_unknown_rule(capsys) -> None:
    code, out, err = run(capsys, "explain", "NOP-000")
    assert (code, out) == (2, "")
    assert err == "cicd-guard: error: unknown rule 'NOP-000'; `cicd-guard rules` lists them\n"


# --- entry points ------------------------------------------------------------------------------------

def test_python_dash_m_cicd_guard(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, "-m", "cicd_guard", "--version"], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, f"cicd-guard {__version__}")
    done = subprocess.run([sys.executable, "-m", "cicd_guard", "explain", "NOP-000"], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr


# --- the real Terraform scanner, once it exists --------------------------------------------------------

def test_real_scanner_end_to_end(capsys, tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(
        'resource "aws_iam_user" "ci" {\n  name = "ci-bot"\n}\n\n'
        'resource "aws_iam_access_key" "ci" {\n  user = aws_iam_user.ci.name\n}\n')
    code, out, _ = run(capsys, "scan", "infra", "--format", "json")
    found = [(f["rule_id"], f["resource"], f["line"], f["status"]) for f in json.loads(out)["findings"]
             if f["rule_id"] == "IDF-001"]
    assert found == [("IDF-001", "aws_iam_access_key.ci", 5, "failed")]
    assert code == 1


def test_a_scanner_whose_type_mapping_does_not_import_is_an_internal_error_not_a_pass(capsys, monkeypatch,
                                                                                     tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_iam_access_key" "ci" {\n  user = "ci-bot"\n}\n')
    import hcl_scanner

    monkeypatch.delattr(hcl_scanner, "adapter", raising=False)
    monkeypatch.setitem(sys.modules, "hcl_scanner.adapter", None)  # `import` of it raises ImportError
    code, out, err = run(capsys, "scan", "main.tf")
    assert (code, out) == (2, "")
    assert err.startswith("cicd-guard: internal error: ModuleNotFoundError: import of hcl_scanner.adapter halted")


def test_gate_timeout_is_passed_on_and_checked(gate, capsys, tmp_path: Path) -> None:
    (tmp_path / "prog").mkdir()
    assert run(capsys, "gate", "prog", "--timeout", "12.5")[0] == 0
    assert gate.calls[-1]["timeout"] == 12.5
    assert run(capsys, "gate", "prog")[0] == 0
    assert "timeout" not in gate.calls[-1]
    code, _, err = run(capsys, "gate", "prog", "--timeout", "0")
    assert code == 2 and "must be between 0 and 86400 seconds: '0'" in err


# --- hostile text: terminal and CI-log injection, lone surrogates ------------------------------------------

def test_names_cannot_inject_terminal_sequences_or_workflow_commands(scanner, capsys) -> None:
    scanner.inventories = [Inventory([widget("x\x1b]0;owned\x07\r\n::add-mask::secret", True)])]
    scanner.errors = [InputError("::error file=a::forged.tf", 1, "bad \x1b[2J\n::error::forged")]
    code, out, _ = run(capsys, "scan", "infra")
    code_to_file, _, err = run(capsys, "scan", "infra", "-o", "report.txt")
    assert code == code_to_file == 2
    for text in (out, err):
        assert "\x1b" not in text and "\r" not in text
        assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    assert "test_widget.x\\x1b]0;owned\\x07\\x0d\\x0a::add-mask::secret" in out
    assert err.splitlines()[1] == "cicd-guard: error: ::error file=a::forged.tf:1: bad \\x1b[2J\\x0a::error::forged"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_a_lone_surrogate_does_not_lose_the_report(scanner, capsys, tmp_path: Path, fmt: str) -> None:
    scanner.inventories = [Inventory([widget("bad\udcff", True)])]
    code, _, err = run(capsys, "scan", "infra", "--format", fmt, "-o", "report.out")
    assert (code, err.splitlines()[1:]) == (1, []), err
    assert "bad\\udcff" in (tmp_path / "report.out").read_text("utf-8")


def test_explain_works_offline_for_every_docs_url_printed(capsys, monkeypatch) -> None:
    """Every rule's SARIF helpUri and pack policy url (default and configured base), and its policy names."""
    from policypack.policies import docs_url, policy_names
    from rulebook import doc_urls
    from rulebook.reporters.sarif import help_uri
    from rulebook.rules import all_rules

    for base in (None, "https://docs.acme.internal/cicd-guard/rules"):
        if base:
            monkeypatch.setenv(doc_urls.DOCS_URL_ENV, base)
        for rule in all_rules():
            for printed in (help_uri(rule.id), docs_url(rule), *policy_names(rule).values()):
                code, out, _ = run(capsys, "explain", printed)
                assert (code, out.splitlines()[0]) == (0, f"# {rule.id}: {rule.title}"), printed


def test_scan_of_a_pulumi_project_suggests_the_gate(capsys, tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "Pulumi.yaml").write_text("name: infra\nruntime: python\n")
    code, out, _ = run(capsys, "scan", "infra")
    assert code == 2
    assert "  infra: no Terraform files (.tf) found; this is a Pulumi project: run `cicd-guard gate infra`" in \
        out.splitlines()


def test_access_map_of_a_missing_path_prints_the_error_only(capsys) -> None:
    code, out, err = run(capsys, "access-map", "missing")
    assert (code, out) == (2, "")
    assert err == "cicd-guard: error: missing: no such file or directory\n"
