"""What a block refers to, in the sources and in a plan's configuration, reduced to the same names."""

from __future__ import annotations

from hcl_scanner.references import body_roots, configuration_roots, plan_roots
from hcl_scanner.syntax import parse_expression

DECLARED = {"aws_ecr_repository.app", "aws_s3_bucket.b", "data.aws_iam_policy_document.p"}


def test_plan_references_reduce_to_the_objects_they_name():
    assert plan_roots(["aws_s3_bucket.b[0].arn", "aws_s3_bucket.b[0]", "aws_s3_bucket.b", 'module.ci["build"].x',
                       "data.aws_iam_policy_document.p.json", "var.x[0]", "local.y", "each.key", "count.index",
                       "path.module"]) == {"aws_s3_bucket.b", "module.ci", "data.aws_iam_policy_document.p",
                                           "var.x", "local.y"}


def test_source_expressions_reduce_to_the_same_names():
    expr = parse_expression('jsonencode({a = aws_ecr_repository.app.arn, b = var.x, c = module.m.out, '
                            'd = "${data.aws_iam_policy_document.p.json}-${local.z[0]}", '
                            'e = [for s in var.l : s.arn], f = aws_s3_bucket.b[0].arn, g = each.key, '
                            'h = var.m[local.i]})')
    assert body_roots([("a", "policy", expr, 1)], DECLARED) == {
        "aws_ecr_repository.app", "aws_s3_bucket.b", "data.aws_iam_policy_document.p", "local.i", "local.z",
        "module.m", "var.l", "var.m", "var.x"}  # the for-expression's `s` is not an object


def test_nested_blocks_count_and_meta_arguments_do_not():
    body = [("a", "count", parse_expression("var.n"), 1),
            ("a", "depends_on", parse_expression("[aws_s3_bucket.b]"), 2),
            ("b", "inline_policy", [], [("a", "policy", parse_expression("aws_ecr_repository.app.arn"), 4)], 3, 5),
            ("b", "dynamic", ["statement"], [("a", "for_each", parse_expression("var.s"), 7)], 6, 8)]
    assert body_roots(body, DECLARED) == {"aws_ecr_repository.app"}
    assert configuration_roots({"inline_policy": [{"policy": {"references": ["aws_ecr_repository.app.arn"]}}],
                                "name": {"constant_value": "x"}}) == {"aws_ecr_repository.app"}
