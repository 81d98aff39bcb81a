"""Suppression markers an attacker places where they must not count: in a string, a heredoc, a
block label, or trailing a one-line block above the finding. The blocking finding stays, the run
fails (exit 1), and no orphan-comment error is invented for text."""

from __future__ import annotations

import json

import pytest

from cicd_guard.cli import main

MARKER = 'cicd-guard:ignore=IDF-001 reason="approved"'
QUOTED = MARKER.replace('"', '\\"')  # the same marker inside an HCL string
ATTEMPTS = {
    "string": f'resource "aws_iam_access_key" "k" {{\n  user = "# {QUOTED}"\n}}\n',
    "heredoc": f'resource "aws_iam_access_key" "k" {{\n  user = <<EOT\n# {MARKER}\nEOT\n}}\n',
    "label": f'resource "aws_iam_access_key" "# {QUOTED}" {{\n  user = "u"\n}}\n',
    "one-line block above": f'resource "aws_iam_user" "u" {{ name = "u" }} # {MARKER}\n'
                            'resource "aws_iam_access_key" "k" {\n  user = "u"\n}\n',
    "template directive": f'resource "aws_iam_access_key" "k" {{\n  user = "%{{if true}}# {QUOTED}%{{endif}}"\n}}\n',
}


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_marker_outside_a_real_comment_suppresses_nothing(tmp_path, capsys, attempt):
    (tmp_path / "main.tf").write_text(ATTEMPTS[attempt])
    code = main(["scan", str(tmp_path), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert [(f["rule_id"], f["status"]) for f in report["findings"]] == [("IDF-001", "failed")]
    assert (code, report["errors"]) == (1, [])
