"""Hostile Terraform for the expression evaluator: each input ends in a report within the limits,
with a clear error naming the file and line where a limit was overrun (exit 2), and blocking
findings that no reference chain can hide."""

from __future__ import annotations

import os

import pytest

from adversarial_helpers import scan_limited, write

_POLICY = '''
resource "aws_ecr_repository" "r" {
  name                 = "r"
  image_tag_mutability = "IMMUTABLE"
}
resource "aws_ecr_repository_policy" "p" {
  repository = aws_ecr_repository.r.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = local.l%d, Action = ["ecr:BatchGetImage"] }]
  })
}
'''


def _chain(length: int) -> str:
    lines = ["locals {", '  l0 = "*"'] + [f"  l{i} = local.l{i - 1}" for i in range(1, length)] + ["}"]
    return "\n".join(lines) + _POLICY % (length - 1)


def _blocking(report) -> list[tuple]:
    return sorted((rule, res, status) for rule, res, _line, status, _msg in report.findings if status == "failed")


def test_a_chain_of_2000_locals_fails_like_a_chain_of_5(tmp_path):
    short = scan_limited(write(tmp_path / "short", {"main.tf": _chain(5)}))
    long = scan_limited(write(tmp_path / "long", {"main.tf": _chain(2000)}))
    assert short.errors == [] and long.errors == []
    assert ("REG-007", "aws_ecr_repository_policy.p", "failed") in _blocking(short)
    assert _blocking(long) == _blocking(short)


def test_deep_values_built_over_a_chain_are_an_error_not_an_unknown(tmp_path):
    lines = ["locals {", '  l0 = "*"'] + [f"  l{i} = [local.l{i - 1}]" for i in range(1, 300)] + ["}"]
    lines.append('resource "aws_iam_user" "u" {\n  name = "u"\n  tags = { deep = jsonencode(local.l299) }\n}')
    report = scan_limited(write(tmp_path, {"main.tf": "\n".join(lines)}))
    file = "main.tf"
    assert (file, 103, "a value nested more than 100 levels deep") in report.errors


BUDGETS = [
    ("count", 'resource "aws_iam_access_key" "k" {\n  count = 100000000\n  user = "u"\n}\n', 1,
     "count of aws_iam_access_key.k: 100,000,000 instances, over the limit of 10,000 per resource or module call"),
    ("format", 'locals {\n  s = format("%1999999999d", 1)\n}\nresource "aws_iam_user" "u" { name = local.s }\n', 2,
     "format() width would be 1,999,999,999 long, over the limit of 4,194,304"),
    ("for_each over range(1e7)", 'resource "aws_iam_access_key" "k" {\n  for_each = toset([for i in range(1e7) : '
     'tostring(i)])\n  user = "u"\n}\n', 1, "range() of more than 1024 elements (Terraform refuses it too)"),
    ("pow", 'locals {\n  n = pow(3, 2e9)\n}\nresource "aws_iam_user" "u" { name = local.n }\n', 2,
     "pow() result over the limit of 2,466 digits"),
    ("setproduct", 'locals {\n  s = setproduct(range(1000), range(1000))\n}\n'
     'resource "aws_iam_user" "u" { name = length(local.s) }\n', 2,
     "setproduct() result would have 1,000,000 elements, over the limit of 100,000"),
    ("nested for", 'locals {\n  s = [for a in range(1000) : [for b in range(1000) : [for c in range(1000) : c]]]\n}\n'
     'resource "aws_iam_user" "u" { name = length(local.s) }\n', 2,
     "evaluation work over the limit of 2,000,000 steps"),
    ("doubling", "locals {\n  s0 = \"ab\"\n" + "".join(f'  s{i} = "${{local.s{i - 1}}}${{local.s{i - 1}}}"\n'
                                                     for i in range(1, 41)) + '}\nresource "aws_iam_user" "u" { name = local.s40 }\n',
     24, "a string of 8,388,608 characters, over the limit of 4,194,304"),
    ("list doubling", "locals {\n  s0 = [\"ab\"]\n" + "".join(f"  s{i} = [local.s{i - 1}, local.s{i - 1}]\n"
                                                            for i in range(1, 41)) + '}\nresource "aws_iam_user" "u" { name = jsonencode(local.s40) }\n',
     18, "a value of more than 100,000 elements in all"),
]


@pytest.mark.parametrize("text,line,message", [case[1:] for case in BUDGETS], ids=[case[0] for case in BUDGETS])
def test_budget_overruns_are_errors_naming_file_and_line(tmp_path, text, line, message):
    report = scan_limited(write(tmp_path, {"main.tf": text}))
    assert ("main.tf", line, message) in report.errors


def test_nested_modules_with_count_stop_at_the_instance_limit(tmp_path):
    write(tmp_path, {
        "main.tf": 'module "a" {\n  source = "./m1"\n  count  = 200\n}\n',
        "m1/main.tf": 'module "b" {\n  source = "../m2"\n  count  = 200\n}\n',
        "m2/main.tf": 'module "c" {\n  source = "../m3"\n  count  = 200\n}\n',
        "m3/main.tf": 'locals { name = "u" }\n',
    })
    report = scan_limited(tmp_path)
    overruns = [e for e in report.errors if "more than 20,000 resource and module instances" in e[2]]
    assert len(overruns) == 1 and overruns[0][1] == 1


def test_regex_backtracking_is_linear(tmp_path):
    text = 'resource "aws_iam_user" "u" {\n  name = regex("^(a|aa)+$", "%sb")\n  tags = { ok = regex("^(a|aa)+$", "aaaa")[0] }\n}\n' % ("a" * 5000)
    report = scan_limited(write(tmp_path, {"main.tf": text}))
    assert report.errors == []
    [[(_address, attrs)]] = report.evaluated.values()
    assert "'ok': 'a'" in attrs


def test_self_recursive_templatefile_is_bounded(tmp_path):
    write(tmp_path, {"main.tf": 'resource "aws_iam_user" "u" { name = templatefile("${path.module}/t.tpl", {}) }\n',
                     "t.tpl": '${templatefile("t.tpl", {})}'})
    report = scan_limited(tmp_path)
    assert ("main.tf", 1, "templatefile('t.tpl') nested more than 8 templates deep") in report.errors


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_file_of_a_fifo_or_device_is_an_error_not_a_read(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "zero").symlink_to("/dev/zero")
    write(tmp_path, {"main.tf": 'resource "aws_iam_user" "u" {\n  name = file("pipe")\n  path = file("zero")\n}\n'})
    report = scan_limited(tmp_path)
    file = "main.tf"
    assert (file, 2, "file('pipe') is a FIFO, not a regular file; not read") in report.errors
    assert any(e[:2] == (file, 3) and "not a regular file" in e[2] or "outside the repository" in e[2]
               for e in report.errors)


def test_file_outside_the_repository_is_an_error(tmp_path):
    (tmp_path / "secret.txt").write_text("s3cr3t")
    root = write(tmp_path / "repo", {"main.tf": 'resource "aws_iam_user" "u" { name = file("../secret.txt") }\n'})
    report = scan_limited(root)
    assert report.errors == [("main.tf", 1, "file('../secret.txt') reads outside the repository; not read")]


_SECRET = "MARKERsecret7q"


def test_sensitive_values_appear_in_no_message_reason_address_or_error(tmp_path):
    write(tmp_path, {"main.tf": '''
variable "token" {
  type      = string
  sensitive = true
}
locals {
  derived = "prefix-${var.token}"
  hidden  = sensitive("MARKERhidden9z")
}
resource "aws_iam_user" "u" {
  name                 = local.derived
  path                 = tonumber(var.token)
  permissions_boundary = { a = 1 }[var.token]
  tags                 = { up = upper(var.token), h = local.hidden }
}
resource "aws_iam_user" "each" {
  for_each = toset([var.token])
  name     = each.key
}
'''})
    report = scan_limited(tmp_path, env={"TF_VAR_token": _SECRET})
    everything = repr((report.errors, report.findings, [a for items in report.evaluated.values() for a, _ in items]))
    for marker in (_SECRET, _SECRET.upper(), "MARKERhidden9z"):
        assert marker not in everything
        assert marker not in report.stderr
    assert {_SECRET, _SECRET.upper(), f"prefix-{_SECRET}", "MARKERhidden9z"} <= set(report.sensitive)
    assert ("main.tf", 16,
            'for_each of aws_iam_user.each: Terraform does not accept a sensitive value here') in report.errors


def test_a_rule_quoting_a_sensitive_value_prints_it_redacted(tmp_path):
    write(tmp_path, {"main.tf": '''
variable "principal" {
  sensitive = true
  default   = "arn:aws:iam::999988887777:role/MARKERprincipal"
}
resource "aws_ecr_repository" "r" {
  name                 = "r"
  image_tag_mutability = "IMMUTABLE"
}
resource "aws_ecr_repository_policy" "p" {
  repository = aws_ecr_repository.r.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = var.principal }, Action = ["ecr:*"] }]
  })
}
'''})
    report = scan_limited(tmp_path)
    assert [f[:4] for f in report.findings if f[0] == "REG-001"] == [
        ("REG-001", "aws_ecr_repository_policy.p", 10, "failed")]  # still decided from the value
    assert "MARKERprincipal" not in repr(report.findings)
