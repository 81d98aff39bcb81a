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


TEXT_NOT_COMMENTS = '''
resource "aws_iam_access_key" "in_string" {
  user = "ops # cicd-guard:ignore=IDF-001 reason='in a string'"
}

resource "aws_iam_access_key" "in_heredoc" {
  user = <<EOT
# cicd-guard:ignore=IDF-001 reason="in a heredoc"
EOT
}

resource "aws_iam_access_key" "# cicd-guard:ignore=IDF-001 reason='in a label'" {
  user = "ops"
}
'''


def test_markers_in_strings_heredocs_and_labels_are_text(tmp_path):
    _, result = scan_text(tmp_path, TEXT_NOT_COMMENTS)
    found = evaluated(result)
    assert len(found) == 3 and all(item.suppressions == [] for item in found.values())
    assert result.errors == []


ATTACHMENT = '''
resource "aws_iam_access_key" "one_line" { user = "a" } # cicd-guard:ignore=IDF-001 reason="this one"
resource "aws_iam_access_key" "next" {
  user = "b"
}

resource "aws_iam_access_key" "inside" {
  # cicd-guard:ignore=IDF-001 reason="written in the body"
  user = "c"
}

resource "aws_iam_access_key" "closing" {
  user = "d"
} # cicd-guard:ignore=IDF-001 reason="on the closing brace"
resource "aws_iam_access_key" "after_closing" {
  user = "e"
}
'''


def test_comments_attach_to_the_block_they_sit_in_or_precede(tmp_path):
    _, result = scan_text(tmp_path, ATTACHMENT)
    found = evaluated(result)
    file = display_path(tmp_path / "root" / "main.tf")
    assert {a: [(s.reason, s.line) for s in e.suppressions] for a, e in found.items()} == {
        "aws_iam_access_key.one_line": [("this one", 2)],
        "aws_iam_access_key.next": [],
        "aws_iam_access_key.inside": [("written in the body", 8)],
        "aws_iam_access_key.closing": [("on the closing brace", 14)],
        "aws_iam_access_key.after_closing": [],
    }
    assert result.errors == [] and file


def test_unknown_rule_id_is_an_error(tmp_path):
    _, result = scan_text(tmp_path, '# cicd-guard:ignore=IDF-001,REG-999 reason="typo"\n'
                                    'resource "aws_iam_access_key" "a" {\n  user = "a"\n}\n')
    assert evaluated(result)["aws_iam_access_key.a"].suppressions == []
    assert [(e.line, e.message) for e in result.errors] == [
        (1, "cicd-guard:ignore names unknown rule(s) REG-999 (see `cicd-guard rules`); suppression ignored")]


def test_strict_suppressions_refuse_expiry_beyond_the_horizon(tmp_path):
    import datetime as dt

    from rulebook.config import Config
    from rulebook.engine import evaluate

    _, result = scan_text(tmp_path, 'resource "aws_iam_access_key" "a" {\n  user = "a"\n}\n')
    today = dt.date(2026, 12, 3)
    for horizon, expires, strict, status in [
        (365, "2027-12-03", True, "suppressed"),
        (365, "2027-12-04", True, "failed"),
        (365, "2027-12-04", False, "suppressed"),
        (30, "2027-01-03", True, "failed"),
    ]:
        config = Config.from_dict({"suppression_horizon_days": horizon, "suppressions": [
            {"rule": "IDF-001", "resource": "*", "reason": "reviewed", "expires": expires}]}, "cfg.yaml")
        findings = [f for f in evaluate(result.inventories[0], config, strict_suppressions=strict, today=today)
                    if f.rule_id == "IDF-001"]
        assert [f.status.value for f in findings] == [status], (horizon, expires, strict)
        if status == "failed":
            assert findings[0].message.endswith(
                f"[suppression in cfg.yaml expires on {expires}, more than {horizon} days out "
                "(--strict-suppressions)]")


def test_parse_comment_messages_name_every_rule_and_the_file():
    assert parse_comment('# cicd-guard:ignore reason="x"', "f.tf", 3) == InputError(
        "f.tf", 3, "cicd-guard:ignore without rule IDs; suppression ignored")
    assert parse_comment('# cicd-guard:ignore=ALL,ANY reason="x"', "f.tf", 4) == InputError(
        "f.tf", 4, "cicd-guard:ignore names invalid rule ID(s) ALL, ANY; suppression ignored")
    assert parse_comment('# cicd-guard:ignore=REG-998,REG-999 reason="x"', "f.tf", 5) == InputError(
        "f.tf", 5, "cicd-guard:ignore names unknown rule(s) REG-998, REG-999 (see `cicd-guard rules`); "
                   "suppression ignored")
    assert parse_comment('# cicd-guard:ignore=REG-001,REG-002', "f.tf", 6) == InputError(
        "f.tf", 6, 'cicd-guard:ignore=REG-001,REG-002 has no reason="..."; a reason is required, '
                   "suppression ignored")
    assert parse_comment('# cicd-guard:ignore=REG-001 reason=""', "f.tf", 7) == InputError(
        "f.tf", 7, 'cicd-guard:ignore=REG-001 has no reason="..."; a reason is required, suppression ignored')


def test_parse_comment_reason_escapes_and_quoted_expiry():
    assert parse_comment(r'# cicd-guard:ignore=REG-001 reason="say \"hi\"" expires="2030-01-02"', "f.tf", 1) == \
        InlineSuppression(("REG-001",), 'say "hi"', "2030-01-02", "f.tf", 1)
    assert parse_comment("# cicd-guard:ignore=REG-001 reason='x' expires='2030-01-02'", "f.tf", 2) == \
        InlineSuppression(("REG-001",), "x", "2030-01-02", "f.tf", 2)
    assert parse_comment('# cicd-guard:ignore=REG-001 reason="x" expires=X2030-01-02X', "f.tf", 3) == InputError(
        "f.tf", 3, "cicd-guard:ignore expires='X2030-01-02X' is not a YYYY-MM-DD date; suppression ignored")


def test_a_comment_run_above_a_block_reaches_past_plain_comments(tmp_path):
    _, result = scan_text(tmp_path, '# cicd-guard:ignore=IDF-001 reason="top of the run"\n# a note\n# another\n'
                                    'resource "aws_iam_access_key" "a" {\n  user = "a"\n}\n')
    assert [(s.reason, s.line) for s in evaluated(result)["aws_iam_access_key.a"].suppressions] == [
        ("top of the run", 1)]
    assert result.errors == []


def test_attached_lines_walk_the_whole_comment_run_above_and_the_block_body():
    from hcl_scanner.loader import parse_text
    from hcl_scanner.suppressions import attached_lines

    parsed = parse_text('# cicd-guard:ignore=IDF-001 reason="a"\n# note\n# note\n'
                        'resource "aws_iam_access_key" "a" {\n  # cicd-guard:ignore=IDF-001 reason="b"\n}\n'
                        '# cicd-guard:ignore=IDF-001 reason="c"\n\n'
                        'resource "aws_iam_access_key" "b" {\n}\n'
                        '# cicd-guard:ignore=IDF-001 reason="d"\n# note\n'
                        'resource "aws_iam_access_key" "c" {\n}\n', "main.tf")
    assert attached_lines(parsed, 4) == [1, 5]
    assert attached_lines(parsed, 9) == []  # a blank line ends the run
    assert attached_lines(parsed, 13) == [11]
