"""Property-based fuzzing of the HCL loader and the expression evaluator (profiles: conftest.py).

Generated Terraform: locals holding generated expressions (literals, templates, collections,
operators, conditionals, for expressions, function calls with arbitrary arguments, references to
other locals and variables, deep nesting), a sensitive variable, and resources reading the locals;
plus raw text thrown at the loader. The scan must end in a report: findings and/or input errors,
never an exception; an "internal error" input error is a scanner bug and fails too.
"""

from __future__ import annotations

import signal

from hypothesis import given
from hypothesis import strategies as st

import hcl_scanner
from hcl_scanner.functions import FUNCTIONS
from rulebook.engine import evaluate

_NAMES = ["a", "b", "c", "d", "e"]
_FUNCTIONS = sorted(FUNCTIONS) + ["try", "can", "coalesce", "file", "templatefile", "sensitive", "nonsensitive",
                                  "timestamp", "provider::aws::arn_parse", "nosuch"]
_OPERATORS = ["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"]

_strings = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\$%\n\r'),
                   max_size=12)
_literals = st.one_of(
    st.integers(-10**6, 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(lambda f: repr(float(f))),
    st.sampled_from(["true", "false", "null", '"*"', '"ecr:*"', '"arn:aws:iam::111122223333:root"', "1e400",
                     '"%1999999999d"', '"^(a|aa)+$"', "1000", "2e9"]),
    _strings.map(lambda s: f'"{s}"'),
)
_references = st.one_of(
    st.sampled_from(_NAMES).map(lambda n: f"local.{n}"),
    st.sampled_from(["var.secret", "var.list", "var.nullable", "count.index", "each.key", "path.module",
                     "aws_iam_role.r.arn", "aws_iam_role.r.name", "data.aws_caller_identity.me.account_id",
                     "module.m.out", "local.missing", "var.missing"]),
)


def _expressions(children):
    return st.one_of(
        st.lists(children, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(st.sampled_from(_NAMES + ["Effect", "Principal", "Action"]), children), max_size=4)
        .map(lambda kvs: "{" + ", ".join(f"{k} = {v}" for k, v in kvs) + "}"),
        st.tuples(children, st.sampled_from(_OPERATORS), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(children, children, children).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
        st.tuples(st.sampled_from(_FUNCTIONS), st.lists(children, max_size=3))
        .map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(children, children).map(lambda t: f"[for x in {t[0]} : {t[1]}]"),
        st.tuples(children, children).map(lambda t: f"{{for k, v in {t[0]} : tostring(k) => {t[1]}}}"),
        st.tuples(children, children).map(lambda t: f'"pre-${{{t[0]}}}-%{{ if {t[1]} }}y%{{ endif }}"'),
        st.tuples(children, children).map(lambda t: f"{t[0]}[{t[1]}]"),
        children.map(lambda x: f"{x}[*].name"),
        children.map(lambda x: f"-{x}"),
        children.map(lambda x: f"!{x}"),
    )


EXPRESSIONS = st.recursive(st.one_of(_literals, _references), _expressions, max_leaves=25)

_HEADER = '''
variable "secret" {
  sensitive = true
  default   = "MARKERfuzzsecret"
}
variable "list" { default = ["a", "b"] }
variable "nullable" {
  default  = {}
  nullable = false
}
resource "aws_iam_role" "r" { name = "r" }
data "aws_caller_identity" "me" {}
'''


def _scan(tmp_path, text: str) -> hcl_scanner.ScanResult:
    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    (root / "main.tf").write_text(text)
    result = hcl_scanner.scan([str(root)])
    for inventory in result.inventories:
        evaluate(inventory)
    return result


def _assert_report(result: hcl_scanner.ScanResult) -> None:
    for error in result.errors:
        assert "internal error" not in error.message, error
        assert "Traceback" not in error.message, error
        assert "MARKERfuzzsecret" not in str(error), error


@given(locals_=st.lists(EXPRESSIONS, min_size=1, max_size=5), meta=st.sampled_from(["", "count", "for_each"]),
       meta_value=EXPRESSIONS)
def test_generated_terraform_always_ends_in_a_report(tmp_path, no_hang, locals_, meta, meta_value):
    body = "\n".join(f"  {name} = {expr}" for name, expr in zip(_NAMES, locals_))
    meta_line = f"  {meta} = {meta_value}\n" if meta else ""
    text = (_HEADER + "locals {\n" + body + "\n}\n"
            + 'resource "aws_ecr_repository_policy" "p" {\n' + meta_line
            + '  repository = "r"\n  policy = jsonencode({ Statement = [{ Effect = "Allow", '
            + "Principal = local.a, Action = local.b }] })\n}\n"
            + 'resource "aws_iam_user" "u" {\n  name = local.c\n  tags = { d = local.d, e = local.e }\n}\n')
    no_hang()
    result = _scan(tmp_path, text)
    signal.alarm(0)
    _assert_report(result)


@given(depth=st.integers(1, 400), opener=st.sampled_from(["(", "[", "upper(", "{a = ", "[for x in "]))
def test_deep_nesting_ends_in_a_report(tmp_path, no_hang, depth, opener):
    closer = {"(": ")", "[": "]", "upper(": ")", "{a = ": "}", "[for x in ": " : x]"}[opener]
    inner = '["x"]' if opener == "[for x in " else '"x"'
    text = f'resource "aws_iam_user" "u" {{\n  name = {opener * depth}{inner}{closer * depth}\n}}\n'
    no_hang()
    result = _scan(tmp_path, text)
    signal.alarm(0)
    _assert_report(result)


@given(text=st.text(max_size=400))
def test_arbitrary_text_ends_in_a_report(tmp_path, no_hang, text):
    no_hang()
    result = _scan(tmp_path, text)
    signal.alarm(0)
    _assert_report(result)


@given(chunks=st.lists(st.sampled_from(['resource "x" "y" {', "}", "locals {", "a = ", "${", '"', "[", "]", "(",
                                        ")", "for x in", ":", "=>", "...", "? 1 : 2", "\n", "# c\n", "/*", "*/",
                                        "<<EOT\n", "EOT\n", "%{ if true }", "%{ endif }", "local.a", "1", ","]),
                       max_size=60))
def test_token_soup_ends_in_a_report(tmp_path, no_hang, chunks):
    no_hang()
    result = _scan(tmp_path, " ".join(chunks))
    signal.alarm(0)
    _assert_report(result)
