"""The condition analyzer against IAM's documented semantics, one table per question it answers."""

from __future__ import annotations

import pytest

from rulebook.conditions import (Allowed, NETWORK_KEYS, caller_bound, claim_values, deny_exceptions, holds, parse,
                                 entries)
from rulebook.model import Ref
from rulebook.policy import Condition, parse_policy
from rulebook.unknown import Unknown

U = "unknown"  # expected: an Unknown
ORG = "o-a1b2c3d4e5"
ROLE = "arn:aws:iam::111122223333:role/ci"
SUB = "token.actions.githubusercontent.com:sub"


def statement(condition, effect="Allow"):
    raw = {"Effect": effect, "Principal": "*", "Action": "ecr:BatchGetImage", "Resource": "*"}
    if condition is not None:
        raw["Condition"] = condition
    return parse_policy({"Statement": [raw]}).statements[0]


def verdict(value):
    return U if isinstance(value, Unknown) else value


# --- one entry: Entry.holds(request) -----------------------------------------------------------------------

HOLDS = [
    # operator, values, request (None: key absent), expected
    ("StringEquals", ["acme"], "acme", True),
    ("StringEquals", ["acme"], "ACME", False),  # case-sensitive
    ("StringEquals", ["a*"], "abc", False),  # no wildcards: `*` is a literal
    ("StringEquals", ["a*"], "a*", True),
    ("StringEquals", ["x", "acme"], "acme", True),  # values OR
    ("StringEquals", ["acme"], None, False),  # absent key: no match
    ("StringEqualsIgnoreCase", ["acme"], "ACME", True),
    ("StringNotEquals", ["acme"], "acme", False),
    ("StringNotEquals", ["acme"], "other", True),
    ("StringNotEquals", ["a", "b"], "b", False),  # negated: matches none of the values
    ("StringNotEquals", ["acme"], None, True),  # negated operators hold for a request without the key
    ("StringNotEqualsIgnoreCase", ["acme"], "ACME", False),
    ("StringLike", ["repo:acme/*"], "repo:acme/app:ref:refs/heads/main", True),
    ("StringLike", ["repo:acme/?pp"], "repo:acme/app", True),
    ("StringLike", ["repo:acme/*"], "repo:ACME/app", False),  # *Like is case-sensitive
    ("StringLike", ["a${*}b"], "a*b", True),  # ${*}: a literal star
    ("StringLike", ["a${*}b"], "axb", False),
    ("StringLike", ["cost${$}"], "cost$", True),
    ("StringNotLike", ["repo:acme/*"], "repo:evil/x", True),
    ("StringNotLike", ["repo:acme/*"], None, True),
    ("ArnEquals", ["arn:aws:iam::*:role/ci"], ROLE, True),  # Arn* take wildcards, part by part
    ("ArnLike", ["arn:aws:iam::111122223333:role/*"], ROLE, True),
    ("ArnLike", ["arn:aws:iam::1*"], ROLE, False),  # a star does not cross the ARN's colons
    ("ArnLike", ["arn:aws:iam::111122223333:ROLE/ci"], ROLE, False),
    ("ArnNotLike", ["arn:aws:iam::111122223333:*"], ROLE, False),
    ("ArnNotLike", ["arn:aws:iam::111122223333:*"], None, True),
    ("IpAddress", ["203.0.113.0/24"], "203.0.113.7", True),
    ("IpAddress", ["203.0.113.0/24"], "198.51.100.1", False),
    ("IpAddress", ["2001:db8::/32"], "203.0.113.7", False),
    ("NotIpAddress", ["203.0.113.0/24"], "198.51.100.1", True),
    ("NotIpAddress", ["203.0.113.0/24"], None, True),
    ("Bool", ["true"], "True", True),
    ("Bool", [True], "true", True),
    ("Bool", ["false"], None, False),
    ("Null", ["true"], None, True),
    ("Null", ["true"], "x", False),
    ("Null", ["false"], None, False),
    ("Null", ["false"], "x", True),
    ("StringEqualsIfExists", ["acme"], None, True),  # IfExists: a caller without the key satisfies it
    ("StringEqualsIfExists", ["acme"], "other", False),
    ("ForAllValues:StringEquals", ["a", "b"], None, True),  # ForAllValues holds when the key is absent
    ("ForAllValues:StringEquals", ["a", "b"], [], True),
    ("ForAllValues:StringEquals", ["a", "b"], ["a", "b"], True),
    ("ForAllValues:StringEquals", ["a", "b"], ["a", "c"], False),
    ("ForAnyValue:StringEquals", ["a", "b"], None, False),
    ("ForAnyValue:StringEquals", ["a", "b"], ["c", "b"], True),
    ("ForAnyValue:StringNotEquals", ["a"], ["a", "c"], True),
    ("ForAnyValue:StringNotEquals", ["a"], None, False),
    ("NumericLessThan", ["10"], "3", True),
    ("NumericNotEquals", ["10"], "10", False),
    ("DateGreaterThan", ["2026-01-01T00:00:00Z"], "2026-06-01T00:00:00Z", True),
    ("DateLessThan", ["2026-01-01T00:00:00Z"], "1767225599", True),  # epoch seconds
    ("BinaryEquals", ["QmluYXJ5"], "QmluYXJ5", True),
    ("stringequals", ["acme"], "acme", True),  # operator names compare case-insensitively
    ("StringEqual", ["acme"], "acme", U),  # not an IAM operator
    ("NullIfExists", ["true"], None, U),
    ("ForSomeValues:StringEquals", ["a"], "a", U),
    ("StringEquals", [Unknown("var.org")], "acme", U),
    ("StringEquals", [Unknown("var.org"), "acme"], "acme", True),  # one known value already matches
    ("StringEquals", [Ref("aws_organizations_organization.this", "id")], "acme", U),
    ("StringEquals", ["${aws:username}"], "alice", U),  # a policy variable filled in from the request
]


@pytest.mark.parametrize("operator,values,request_value,expected", HOLDS)
def test_one_entry_holds_as_iam_evaluates_it(operator, values, request_value, expected):
    test = parse(Condition(operator, "aws:SomeKey", tuple(values)))
    assert verdict(test.holds(request_value)) == expected


def test_policy_variables_are_filled_from_the_request_context():
    test = parse(Condition("StringLike", "aws:PrincipalArn", ("arn:aws:iam::*:user/${aws:username}",)))
    assert test.holds("arn:aws:iam::111122223333:user/alice", {"aws:username": "alice"}) is True
    assert test.holds("arn:aws:iam::111122223333:user/bob", {"aws:username": "alice"}) is False


def test_keys_compare_case_insensitively_entries_and_keys_and():
    s = statement({"StringEquals": {"aws:PrincipalOrgID": ORG}, "ArnLike": {"AWS:PrincipalArn": ROLE}})
    assert holds(s, {"AWS:PRINCIPALORGID": ORG, "aws:principalarn": ROLE}) is True
    assert holds(s, {"aws:PrincipalOrgID": ORG, "aws:PrincipalArn": "arn:aws:iam::111122223333:role/other"}) is False
    assert holds(s, {"aws:PrincipalOrgID": ORG}) is False  # the second entry's key is absent
    assert holds(statement(None), {}) is True
    assert [t.key for t in entries(s)] == ["aws:PrincipalOrgID", "aws:PrincipalArn"]


# --- Allow: caller_bound ----------------------------------------------------------------------------------

REG_007 = ("aws:PrincipalOrgID", "aws:SourceVpce", "aws:PrincipalArn")
BOUNDS = [
    # id, condition, accepted keys, bounded, keys that bound
    ("none", None, REG_007, False, ()),
    ("org", {"StringEquals": {"aws:PrincipalOrgID": ORG}}, REG_007, True, ("aws:PrincipalOrgID",)),
    ("org case", {"stringequals": {"AWS:PRINCIPALORGID": ORG}}, REG_007, True, ("aws:PrincipalOrgID",)),
    ("org negated", {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}, REG_007, False, ()),
    ("org if exists", {"StringEqualsIfExists": {"aws:PrincipalOrgID": ORG}}, REG_007, False, ()),
    ("org for all values", {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ORG}}, REG_007, False, ()),
    ("org for any value", {"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": ORG}}, REG_007, True,
     ("aws:PrincipalOrgID",)),
    ("org wildcard", {"StringLike": {"aws:PrincipalOrgID": "o-*"}}, REG_007, False, ()),
    ("org star", {"StringLike": {"aws:PrincipalOrgID": "*"}}, REG_007, False, ()),
    ("org list with a star", {"StringLike": {"aws:PrincipalOrgID": [ORG, "*"]}}, REG_007, False, ()),
    ("org star literal", {"StringEquals": {"aws:PrincipalOrgID": "*"}}, REG_007, True, ("aws:PrincipalOrgID",)),
    ("org null", {"Null": {"aws:PrincipalOrgID": "false"}}, REG_007, False, ()),
    ("org ref", {"StringEquals": {"aws:PrincipalOrgID": Ref("aws_organizations_organization.o", "id")}}, REG_007,
     True, ("aws:PrincipalOrgID",)),
    ("org unknown", {"StringEquals": {"aws:PrincipalOrgID": Unknown("var.org_id")}}, REG_007, U, ()),
    ("org resource variable", {"StringEquals": {"aws:PrincipalOrgID": "${aws:ResourceOrgID}"}}, REG_007, True,
     ("aws:PrincipalOrgID",)),
    ("arn request variable", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/${aws:PrincipalTag/team}"}},
     REG_007, U, ()),
    ("arn in one account", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/ci-*"}}, REG_007,
     True, ("aws:PrincipalArn",)),
    ("arn any account", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:*"}}, REG_007, False, ()),
    ("arn star", {"StringLike": {"aws:PrincipalArn": "*"}}, REG_007, False, ()),
    ("arn negated", {"ArnNotEquals": {"aws:PrincipalArn": ROLE}}, REG_007, False, ()),
    ("vpce", {"StringEquals": {"aws:SourceVpce": "vpce-0abc"}}, REG_007, True, ("aws:SourceVpce",)),
    ("vpce wildcard", {"StringLike": {"aws:SourceVpce": "vpce-*"}}, REG_007, False, ()),
    ("org paths", {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": f"{ORG}/r-ab12/*"}},
     ("aws:PrincipalOrgPaths",), True, ("aws:PrincipalOrgPaths",)),
    ("source ip", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, ("aws:SourceIp",), True, ("aws:SourceIp",)),
    ("source ip everywhere", {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "0.0.0.0/1"]}}, ("aws:SourceIp",),
     False, ()),
    ("external id", {"StringEquals": {"sts:ExternalId": "s3cr3t"}}, ("sts:ExternalId",), True, ("sts:ExternalId",)),
    ("key the rule does not accept", {"StringEquals": {"sts:ExternalId": "s3cr3t"}}, REG_007, False, ()),
    ("secure transport", {"Bool": {"aws:SecureTransport": "true"}}, REG_007, False, ()),
    ("caller-set key", {"StringEquals": {"aws:PrincipalTag/team": "ci"}}, REG_007, False, ()),
    ("unrecognised key", {"StringEquals": {"ecr:SomeKey": "x"}}, REG_007, U, ()),
    ("unrecognised key, satisfied without it", {"ForAllValues:StringEquals": {"ecr:SomeKey": "x"}}, REG_007, False,
     ()),
    ("unrecognised key, negated", {"StringNotEquals": {"ecr:SomeKey": "x"}}, REG_007, False, ()),
    ("user name: any account may have one", {"StringEquals": {"aws:username": "pull-user-1"}}, REG_007, False, ()),
    ("unrecognised key beside a bound", {"StringEquals": {"ecr:SomeKey": "x", "aws:PrincipalOrgID": ORG}}, REG_007,
     True, ("aws:PrincipalOrgID",)),
    ("unknown beside a bound", {"StringEquals": {"aws:PrincipalOrgID": ORG, "aws:SourceVpce": Unknown("v")}},
     REG_007, True, ("aws:PrincipalOrgID",)),
    ("whole condition unknown", Unknown("dynamic condition"), REG_007, U, ()),
    ("not an operator", {"StringEqual": {"aws:PrincipalOrgID": ORG}}, REG_007, U, ()),
]


@pytest.mark.parametrize("condition,accept,bounded,keys", [c[1:] for c in BOUNDS], ids=[c[0] for c in BOUNDS])
def test_caller_bound(condition, accept, bounded, keys):
    bound = caller_bound(statement(condition), accept)
    assert (verdict(bound.bounded), bound.keys) == (bounded, keys)


def test_caller_bound_says_why_not():
    negated = caller_bound(statement({"StringNotEquals": {"aws:PrincipalOrgID": ORG}}), REG_007)
    assert negated.why == "StringNotEquals on aws:PrincipalOrgID admits every caller outside its values"
    star = caller_bound(statement({"StringLike": {"aws:PrincipalArn": "*"}}), REG_007)
    assert star.why == "StringLike on aws:PrincipalArn admits '*', which restricts nothing"
    assert caller_bound(statement({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}), REG_007).why == (
        "StringEqualsIfExists on aws:SourceVpce admits callers without the key")
    unrecognised = caller_bound(statement({"StringEquals": {"ecr:SomeKey": "x"}}), REG_007).bounded
    assert unrecognised.reason == ("statement #1 has a condition on ecr:SomeKey, a key whose callers cicd-guard "
                                   "cannot tell")


# --- Deny: deny_exceptions(...).only(keys) ----------------------------------------------------------------

VPCE = ("vpce-0abc", "vpce-0def")
ONLY = [
    ("vpce", {"StringNotEquals": {"aws:SourceVpce": list(VPCE)}}, (Allowed("aws:SourceVpce", VPCE, False),)),
    ("vpce if exists: absent key still denied", {"StringNotEqualsIfExists": {"aws:SourceVpce": "vpce-0abc"}},
     (Allowed("aws:SourceVpce", ("vpce-0abc",), False),)),
    ("for all values", {"ForAllValues:StringNotEquals": {"aws:SourceVpc": "vpc-1"}},
     (Allowed("aws:SourceVpc", ("vpc-1",), False),)),
    ("cidr", {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}},
     (Allowed("aws:SourceIp", ("203.0.113.0/24",), False),)),
    ("vpce pattern", {"StringNotLike": {"aws:sourcevpce": "vpce-*"}}, (Allowed("aws:SourceVpce", ("vpce-*",), True),)),
    ("vpce or vpc", {"StringNotEquals": {"aws:SourceVpce": "vpce-0abc", "aws:SourceVpc": "vpc-1"}},
     (Allowed("aws:SourceVpce", ("vpce-0abc",), False), Allowed("aws:SourceVpc", ("vpc-1",), False))),
    ("an admin role escapes too", {"StringNotEquals": {"aws:SourceVpce": "vpce-0abc"},
                                   "ArnNotEquals": {"aws:PrincipalArn": ROLE}}, None),
    ("requests without the key escape", {"ForAnyValue:StringNotEquals": {"aws:SourceVpce": "vpce-0abc"}}, None),
    ("positive operator: everything else escapes", {"StringEquals": {"aws:SourceVpce": "vpce-0abc"}}, None),
    ("not a network condition", {"Bool": {"aws:SecureTransport": "false"}}, None),
    ("presence only", {"Null": {"aws:SourceVpce": "true"}}, None),
    ("no condition", None, None),
    ("unknown values", {"StringNotEquals": {"aws:SourceVpce": Unknown("var.vpce")}}, U),
    ("unknown condition", Unknown("dynamic condition"), U),
]


@pytest.mark.parametrize("condition,expected", [c[1:] for c in ONLY], ids=[c[0] for c in ONLY])
def test_deny_refuses_everything_except(condition, expected):
    found = deny_exceptions(statement(condition, "Deny")).only(NETWORK_KEYS)
    assert (U if isinstance(found, Unknown) else found) == expected


def test_deny_escapes_describe_every_way_out():
    exempt = deny_exceptions(statement({"StringNotEquals": {"aws:SourceVpce": "vpce-0abc"},
                                        "Bool": {"aws:SecureTransport": "false"}}, "Deny"))
    assert [(e.key, e.matching, e.absent) for e in exempt.escapes] == [
        ("aws:SourceVpce", True, False), ("aws:SecureTransport", False, True)]
    assert deny_exceptions(statement(None, "Deny")).unconditional is True


# --- trust: claim_values ----------------------------------------------------------------------------------

CLAIMS = [
    # id, condition, anything, patterns (text, wildcard) of the first conjunct, wildcards
    ("no condition", None, True, (), False),
    ("pinned", {"StringEquals": {SUB: "repo:acme/app:ref:refs/heads/main"}}, False,
     (("repo:acme/app:ref:refs/heads/main", False),), False),
    ("key case", {"StringEquals": {SUB.upper(): "repo:acme/app:environment:prod"}}, False,
     (("repo:acme/app:environment:prod", False),), False),
    ("like", {"StringLike": {SUB: "repo:acme/*"}}, False, (("repo:acme/*", True),), True),
    ("equals keeps a star literal", {"StringEquals": {SUB: "repo:acme/*"}}, False, (("repo:acme/*", False),), False),
    ("bare star", {"StringLike": {SUB: "*"}}, True, (), False),
    ("list with one wildcard entry", {"ForAnyValue:StringLike": {SUB: ["repo:acme/app:ref:refs/heads/main",
                                                                       "repo:acme/*"]}}, False,
     (("repo:acme/app:ref:refs/heads/main", False), ("repo:acme/*", True)), True),
    ("negated", {"StringNotLike": {SUB: "repo:evil/*"}}, True, (), False),
    ("if exists", {"StringLikeIfExists": {SUB: "repo:acme/app:*"}}, True, (), False),
    ("for all values", {"ForAllValues:StringLike": {SUB: "repo:acme/app:*"}}, True, (), False),
    ("presence", {"Null": {SUB: "false"}}, True, (), False),
    ("request variable", {"StringLike": {SUB: "repo:acme/${aws:PrincipalTag/repo}:*"}}, False,
     (("repo:acme/*:*", True),), True),
    ("unknown", {"StringEquals": {SUB: Unknown("var.subject")}}, U, (), False),
    ("other key only", {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}, True, (),
     False),
]


@pytest.mark.parametrize("condition,anything,patterns,wildcards", [c[1:] for c in CLAIMS], ids=[c[0] for c in CLAIMS])
def test_claim_values(condition, anything, patterns, wildcards):
    claim = claim_values(statement(condition), SUB)
    assert verdict(claim.anything) == anything
    assert tuple((p.text, p.wildcard) for p in claim.patterns) == patterns
    assert claim.wildcards is wildcards


def test_claim_entries_and_together():
    s = statement({"StringLike": {SUB: "repo:acme/*"},
                   "ForAnyValue:StringEquals": {SUB: ["repo:acme/app:environment:prod"]}})
    claim = claim_values(s, SUB)
    assert len(claim.conjuncts) == 2
    assert claim.all(lambda p: not p.wildcard) is True  # the second entry pins it
    assert claim.all(lambda p: p.text.startswith("repo:other/")) is False
    unknown = claim_values(statement({"StringLike": {SUB: "repo:acme/*"},
                                      "StringEquals": {SUB: Unknown("var.subject")}}), SUB)
    assert unknown.anything is False and isinstance(unknown.all(lambda p: not p.wildcard), Unknown)
    assert claim_values(statement({"StringLike": {SUB: "*"}}), SUB).why == f"StringLike on {SUB} admits '*'"
    assert claim_values(statement(None), SUB).why == f"no condition on {SUB}"


def test_a_condition_whose_key_is_not_known_keeps_its_values_and_decides_nothing_on_its_key():
    from rulebook.policy_document import render

    doc = render({"statement": [{"effect": "Allow", "actions": ["sts:AssumeRoleWithWebIdentity"],
                                 "principals": [{"type": "Federated", "identifiers": [Unknown("module.eks output")]}],
                                 "condition": [
                                     {"test": "StringEquals", "variable": Unknown("module.eks output"),
                                      "values": ["system:serviceaccount:kube-system:x"]},
                                     {"test": "StringEquals", "variable": Unknown("module.eks output"),
                                      "values": ["sts.amazonaws.com"]}]}]})
    stmt = parse_policy(doc).statements[0]
    assert [(c.operator, c.key_lc, c.values) for c in stmt.conditions] == [
        ("StringEquals", "<unknown>", ("system:serviceaccount:kube-system:x",)),
        ("StringEquals", "<unknown>", ("sts.amazonaws.com",))]  # two conditions, not one merged
    reason = Unknown("condition key: module.eks output")
    assert caller_bound(stmt, ("aws:PrincipalOrgID",)).bounded == Unknown(f"conditions of statement #1: {reason.reason}")
    assert claim_values(stmt, SUB).anything == reason
    deny = parse_policy({"Statement": [{**doc["Statement"][0], "Effect": "Deny"}]}).statements[0]
    assert deny_exceptions(deny).only(NETWORK_KEYS) == reason
