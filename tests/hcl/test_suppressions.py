"""Inline suppression comments: placement, parsing, required reason, and the engine's handling."""

from __future__ import annotations

from hcl_scanner.modules import display_path
from hcl_scanner.suppressions import parse_comment
from rulebook.model import InlineSuppression, InputError

from hcl_helpers import evaluated, scan_text

SOURCE = '''
# cicd-guard:ignore=REG-003,idf-001 reason="break-glass user, rotated monthly" expires=2030-06-30
resource "aws_iam_access_key" "a" {
  user = "ops"
}

resource "aws_iam_access_key" "b" { # cicd-guard:ignore=IDF-001 reason='tracked in SEC-42'
  user = "ops"
}

# some other comment
// cicd-guard:ignore=IDF-001 reason="two-line run"
resource "aws_iam_access_key" "c" {
  user = "ops"
}

# cicd-guard:ignore=IDF-001 reason="blank line breaks the link"

resource "aws_iam_access_key" "d" {
  user = "ops"
}

# cicd-guard:ignore=IDF-001
resource "aws_iam_access_key" "e" {
  user = "ops"
}

# cicd-guard:ignore=IDF-001 reason="x" expires=tomorrow
resource "aws_iam_access_key" "f" {
  user = "ops"
}
'''


def test_placement_and_parsing(tmp_path):
    _, result = scan_text(tmp_path, SOURCE)
    found = evaluated(result)
    file = display_path(tmp_path / "root" / "main.tf")
    assert found['aws_iam_access_key.a'].suppressions == [
        InlineSuppression(("REG-003", "IDF-001"), "break-glass user, rotated monthly", "2030-06-30", file, 2)]
    assert found['aws_iam_access_key.b'].suppressions == [
        InlineSuppression(("IDF-001",), "tracked in SEC-42", None, file, 7)]
    assert found['aws_iam_access_key.c'].suppressions == [
        InlineSuppression(("IDF-001",), "two-line run", None, file, 12)]
    for name in "def":
        assert found[f"aws_iam_access_key.{name}"].suppressions == []
    assert sorted(result.errors, key=lambda e: e.line) == [
        InputError(file, 17, "cicd-guard:ignore comment is not on or directly above a resource, data or module "
                             "block; it suppresses nothing"),
        InputError(file, 23, 'cicd-guard:ignore=IDF-001 has no reason="..."; a reason is required, '
                             "suppression ignored"),
        InputError(file, 28, "cicd-guard:ignore expires='tomorrow' is not a YYYY-MM-DD date; suppression ignored"),
    ]


def test_parse_comment_rejects_bad_rule_ids():
    assert parse_comment('# cicd-guard:ignore=ALL reason="x"', "f.tf", 1) == InputError(
        "f.tf", 1, "cicd-guard:ignore names invalid rule ID(s) ALL; suppression ignored")
    assert parse_comment('# cicd-guard:ignore= reason="x"', "f.tf", 2) == InputError(
        "f.tf", 2, "cicd-guard:ignore without rule IDs; suppression ignored")
