"""Policy documents in every form: JSON text, heredoc, mappings, single values or lists, unknown parts."""

from __future__ import annotations

import json

import pytest

from rulebook.model import Ref
from rulebook.policy import Condition, PolicyDocument, PolicyParseError, Statement, parse_policy
from rulebook.unknown import Unknown

HEREDOC = """
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "Push",
          "Effect": "Allow",
          "Action": ["ecr:PutImage", "ecr:InitiateLayerUpload"],
          "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/app"
        }
      ]
    }
"""


def test_heredoc_json_text():
    doc = parse_policy(HEREDOC, "aws_iam_policy.push")
    assert isinstance(doc, PolicyDocument)
    assert doc.origin == "aws_iam_policy.push"
    (s,) = doc.statements
    assert s.effect == "Allow"
    assert s.sid == "Push" and s.label == "statement 'Push'"
    assert s.actions == ("ecr:PutImage", "ecr:InitiateLayerUpload")
    assert s.resources == ("arn:aws:ecr:eu-west-1:111122223333:repository/app",)


def test_single_values_and_lists_are_the_same():
    single = parse_policy({"Statement": {"Effect": "Deny", "Action": "ecr:*", "Resource": "*"}})
    listed = parse_policy({"Statement": [{"Effect": "Deny", "Action": ["ecr:*"], "Resource": ["*"]}]})
    assert single.statements == listed.statements
    assert list(single.denies()) == list(single.statements) and list(single.allows()) == []


def test_element_names_and_effect_in_any_case():
    doc = parse_policy({"statement": [{"effect": "allow", "action": "s3:GetObject", "notresource": "arn:x"}]})
    (s,) = doc.statements
    assert s.effect == "Allow" and s.actions == ("s3:GetObject",) and s.not_resources == ("arn:x",)
    assert s.label == "statement #1"


def test_double_encoded_json_text():
    inner = '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    doc = parse_policy(json.dumps(inner))
    assert doc.statements[0].actions == ("*",)


def test_principal_forms():
    doc = parse_policy({"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"},
        {"Effect": "Allow", "Principal": {"aws": ["arn:aws:iam::1:root"], "SERVICE": "codebuild.amazonaws.com"},
         "Action": "ecr:BatchGetImage"},
        {"Effect": "Allow", "Principal": Ref("aws_iam_role.ci", "arn"), "Action": "ecr:BatchGetImage"},
        {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::1:role/admin"}, "Action": "ecr:*"},
    ]})
    a, b, c, d = doc.statements
    assert a.principals == {"AWS": ("*",)}
    assert b.principals == {"AWS": ("arn:aws:iam::1:root",), "Service": ("codebuild.amazonaws.com",)}
    assert c.principals == {"AWS": (Ref("aws_iam_role.ci", "arn"),)}
    assert d.not_principals == {"AWS": ("arn:aws:iam::1:role/admin",)} and d.principals is None


def test_conditions_compare_case_insensitively():
    doc = parse_policy({"Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "stringequals": {"Token.Actions.GithubUserContent.com:AUD": "sts.amazonaws.com"},
            "ForAnyValue:StringLikeIfExists": {"token.actions.githubusercontent.com:sub": ["repo:o/r:*"]},
        }}]})
    (s,) = doc.statements
    aud = s.conditions_on("token.actions.githubusercontent.com:aud")
    assert aud == [Condition("stringequals", "Token.Actions.GithubUserContent.com:AUD", ("sts.amazonaws.com",))]
    assert aud[0].op == "stringequals" and aud[0].base_op == "stringequals"
    (sub,) = s.conditions_on("TOKEN.ACTIONS.GITHUBUSERCONTENT.COM:SUB")
    assert sub.base_op == "stringlike" and sub.values == ("repo:o/r:*",)


def test_unknown_document_is_returned_as_is():
    unknown = Unknown("policy computed at apply time")
    assert parse_policy(unknown) is unknown


def test_unknown_parts_are_kept_and_listed():
    u_res, u_act = Unknown("bucket arn"), Unknown("actions from a variable")
    doc = parse_policy({"Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": u_res},
        {"Effect": "Allow", "Action": [u_act, "s3:PutObject"], "Resource": "*"},
    ]})
    assert doc.statements[0].resources == (u_res,)
    assert doc.statements[1].actions == (u_act, "s3:PutObject")
    assert doc.unknowns == (u_res, u_act)


def test_unknown_statement_effect_and_condition_do_not_raise():
    u_stmt, u_effect, u_cond = Unknown("dynamic statement"), Unknown("effect var"), Unknown("condition var")
    doc = parse_policy({"Statement": [
        u_stmt,
        {"Effect": u_effect, "Action": "ecr:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "ecr:*", "Resource": "*", "Condition": u_cond},
    ]})
    assert [s.effect for s in doc.undecided()] == [u_stmt, u_effect]
    assert list(doc.allows()) == [doc.statements[2]]
    assert doc.statements[2].conditions == (Condition("<unknown>", "<unknown>", (u_cond,)),)
    assert doc.unknowns == (u_stmt, u_effect, u_cond)


def test_whole_statement_list_unknown():
    unknown = Unknown("statements from a module output")
    doc = parse_policy({"Version": "2012-10-17", "Statement": unknown})
    assert doc.statements == () and doc.unknowns == (unknown,)


@pytest.mark.parametrize("raw, message", [
    ("{not json", "policy is not valid JSON"),
    ("", "empty policy document"),
    ("[1, 2]", "policy must be a JSON object, got list"),
    ({"Statement": [{"Effect": "Permit", "Action": "*"}]}, "statement #1 has Effect 'Permit'"),
    ({"Statement": ["text"]}, "statement #1 is not an object"),
    ({"Statement": [{"Effect": "Allow", "Condition": ["x"]}]}, "Condition must be a mapping"),
    ({"Statement": [{"Effect": "Allow", "Principal": ["a", "b"]}]}, "Principal must be a string or a mapping"),
])
def test_malformed_policies_raise(raw, message):
    with pytest.raises(PolicyParseError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse_policy(raw)


def test_parsed_document_passes_through():
    doc = parse_policy(HEREDOC)
    assert parse_policy(doc) is doc
    assert isinstance(doc.statements[0], Statement)


def test_parse_policy_or_unknown_turns_malformed_documents_into_unknown_with_the_problem():
    from rulebook.policy import parse_policy_or_unknown

    doc, problem = parse_policy_or_unknown('{"Statement": [', "aws_iam_policy.p")
    assert isinstance(doc, Unknown) and problem == doc.reason
    assert problem.startswith("policy document is not valid JSON: ")
    doc, problem = parse_policy_or_unknown({"Statement": [{"Effect": "Maybe"}]})
    assert problem == "policy document is malformed: statement #1 has Effect 'Maybe' (Allow or Deny expected)"
    doc, problem = parse_policy_or_unknown({"Statement": {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}})
    assert problem is None and doc.statements[0].actions == ("ecr:*",)
