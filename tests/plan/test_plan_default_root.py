"""A plan scanned without --repo-root: its .tf lines come from the current directory when a folder there
declares the plan's root module; otherwise one hint on stderr says why findings have no line and how to
fix it, in every format, and the exit code is still the findings'."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cicd_guard import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "reference_stacks" / "examples" / "aws-terraform-plan"
FORMATS = ("text", "json", "sarif", "junit")
HINT = ("cicd-guard: hint: plan.json: no folder under the current directory declares the plan's resources, so "
        "its findings cannot point at .tf lines (no line in text, no SARIF region for code scanning); run from "
        "the checkout the plan was made from, or pass --repo-root DIR")


def _scan(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["scan", "--plan", "plan.json", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def checkout(tmp_path, monkeypatch) -> Path:
    """The example's .tf files and plan, the current directory being the checkout's root (sources in infra/)."""
    shutil.copytree(EXAMPLE, tmp_path / "infra")
    shutil.move(tmp_path / "infra" / "plan.json", tmp_path / "plan.json")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def plan_only(tmp_path, monkeypatch) -> Path:
    shutil.copy(EXAMPLE / "plan.json", tmp_path / "plan.json")
    (tmp_path / "other").mkdir()
    # another stack that happens to declare one of the plan's eight root blocks is not the plan's sources
    (tmp_path / "other" / "main.tf").write_text('resource "aws_s3_bucket" "artifacts" {}\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_without_repo_root_the_current_directory_gives_lines_in_text(checkout, capsys) -> None:
    code, out, err = _scan(capsys)
    assert code == 1
    assert "infra/main.tf" in out.splitlines()
    assert "   45  FAIL       critical IDF-001  aws_iam_access_key.jenkins  [BLOCKS]" in out.splitlines()
    assert "hint" not in err


def test_without_repo_root_the_current_directory_gives_sarif_regions(checkout, capsys) -> None:
    code, out, err = _scan(capsys, "--format", "sarif")
    assert code == 1
    located = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]):
               r["locations"][0]["physicalLocation"] for r in json.loads(out)["runs"][0]["results"]}
    assert located[("IDF-001", "aws_iam_access_key.jenkins")] == {
        "artifactLocation": {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 45, "endLine": 47}}
    assert located[("REG-004", 'module.ci_identity["build"].aws_iam_role.this')]["region"]["startLine"] == 25
    assert all("region" in where for where in located.values())
    assert "hint" not in err


def test_repo_root_given_and_default_agree(checkout, capsys) -> None:
    _, by_default, _ = _scan(capsys, "--format", "json")
    _, explicit, _ = _scan(capsys, "--format", "json", "--repo-root", ".")
    assert json.loads(by_default)["findings"] == json.loads(explicit)["findings"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_nothing_matches_prints_the_hint_once_on_stderr_and_exits_by_the_findings(plan_only, capsys, fmt) -> None:
    code, out, err = _scan(capsys, "--format", fmt)
    assert code == 1  # failed mandatory findings, not an input error
    assert err.splitlines().count(HINT) == 1
    assert [line for line in err.splitlines() if "hint" in line] == [HINT]
    assert "hint:" not in out and "--repo-root DIR" not in out
    if fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        assert results and all("region" not in r["locations"][0]["physicalLocation"] for r in results)
    elif fmt == "junit":
        assert ET.fromstring(out).get("failures") == "5"
    elif fmt == "text":
        assert "   45  FAIL" not in out and "    -  FAIL       critical IDF-001  aws_iam_access_key.jenkins  [BLOCKS]" \
            in out.splitlines()


def test_a_partial_match_under_the_current_directory_is_a_note(checkout, capsys) -> None:
    main_tf = checkout / "infra" / "main.tf"
    main_tf.write_text(main_tf.read_text().replace('resource "aws_iam_access_key" "jenkins"',
                                                   'resource "aws_iam_access_key" "renamed"'))
    code, out, err = _scan(capsys, "--format", "json")
    notes = json.loads(out)["notes"]
    assert [n for n in notes if "only in part" in n] == [
        "plan.json: the plan's root module matches infra/ under the current directory only in part "
        "(7 of its 8 blocks declared there): the others point at the plan file"]
    assert "hint" not in err and code == 1
