"""Exact results of the condition analyzer where the table tests of test_conditions.py leave a choice open.

Mutation testing showed branches of `rulebook.conditions` whose results no test pinned: numeric and date
comparisons at their boundaries, ARNs with colons in the resource part, policy variables with defaults,
the reason an Unknown gives, the first of several Unknowns. Each test here asserts the exact value a
function returns (True, False, or Unknown with its reason), so that a changed comparison, split or
fallback fails a test.
"""

from __future__ import annotations

import time

import pytest

from builders import make
from rulebook.conditions import (CallerBound, ClaimValues, Pattern, caller_bound, claim_values, deny_exceptions, holds,
                                 parse)
from rulebook.conditions.callers import _claim_key, _value_bounds
from rulebook.conditions.keys import known
from rulebook.conditions.operators import all_of, any_of
from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.model import Inventory, Ref
from rulebook.policy import Condition, Statement, parse_policy
from rulebook.rules import REGISTRY
from rulebook.unknown import Unknown, UnknownKey

ROLE = "arn:aws:iam::111122223333:role/ci"


def entry(operator, values, key="aws:SomeKey"):
    return parse(Condition(operator, key, tuple(values)))


def statement(condition, effect="Allow"):
    raw = {"Effect": effect, "Principal": "*", "Action": "ecr:BatchGetImage", "Resource": "*"}
    if condition is not None:
        raw["Condition"] = condition
    return parse_policy({"Statement": [raw]}).statements[0]


# --- operators: one entry against one request value ---------------------------------------------------

COMPARE = [
    # operator, policy value, request value, expected
    ("NumericEquals", "10", "10", True),
    ("NumericEquals", "10", "10.0", True),
    ("NumericEquals", "10", "11", False),
    ("NumericEquals", "10", "ten", False),  # an unreadable number matches nothing
    ("NumericEquals", "ten", "10", False),
    ("NumericNotEquals", "10", "10", False),
    ("NumericNotEquals", "10", "11", True),
    ("NumericNotEquals", "10", "ten", True),  # negated: an unreadable value matches none of the values
    ("NumericLessThan", "10", "9", True),  # the request's value is on the left
    ("NumericLessThan", "10", "10", False),
    ("NumericLessThan", "10", "11", False),
    ("NumericLessThan", "10", "ten", False),
    ("NumericLessThan", "ten", "9", False),
    ("NumericLessThanEquals", "10", "10", True),
    ("NumericLessThanEquals", "10", "11", False),
    ("NumericGreaterThan", "10", "11", True),
    ("NumericGreaterThan", "10", "10", False),
    ("NumericGreaterThan", "10", "9", False),
    ("NumericGreaterThanEquals", "10", "10", True),
    ("NumericGreaterThanEquals", "10", "9", False),
    ("DateEquals", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00", True),  # offsets are honoured
    ("DateEquals", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00+01:00", False),
    ("DateEquals", "2026-01-01T00:00:00", "2026-01-01T00:00:00Z", True),  # no offset: UTC
    ("DateEquals", "2026-01-01T00:00:00Z", "1767225600", True),  # epoch seconds
    ("DateLessThan", "2026-01-01T00:00:00Z", "2025-12-31T23:59:59Z", True),
    ("DateLessThan", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", False),
    ("DateEquals", "2026-01-01T00:00:00Z", "new year", False),
    ("DateNotEquals", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", False),
    ("IpAddress", "203.0.113.7/24", "203.0.113.200", True),  # host bits in the CIDR are ignored
    ("IpAddress", "203.0.113.0/24", " 203.0.113.9 ", True),
    ("IpAddress", "not-a-cidr", "203.0.113.7", False),
    ("IpAddress", "203.0.113.0/24", "not-an-address", False),
    ("NotIpAddress", "not-a-cidr", "203.0.113.7", True),
    ("BinaryEquals", "YWJj", "YWJj", True),
    ("BinaryEquals", "YWJj", "YWJk", False),
    ("BinaryEquals", "YWJj!", "YWJj", False),  # not base64: matches nothing, stray characters included
    ("BinaryEquals", "YWJj", "YWJj!", False),
    ("BinaryEquals", "!!!!", "!!!!", False),
    ("StringEquals", "a${*}b", "a*b", True),  # ${*} and ${?} are literal characters
    ("StringEquals", "a${*}b", "axb", False),
    ("StringEquals", "a${?}b", "a?b", True),
    ("StringEquals", "a${?}b", "axb", False),
    ("ArnEquals", "arn:aws:sns:us-east-1:111122223333:topic:sub", "arn:aws:sns:us-east-1:111122223333:topic:sub",
     True),  # the sixth part keeps its colons
    ("ArnLike", "arn:aws:sns:us-east-1:111122223333:*", "arn:aws:sns:us-east-1:111122223333:topic:sub", True),
    ("ArnLike", "arn:aws:sns:*:111122223333:topic:sub", "arn:aws:sns:us-east-1:111122223333:topic:sub", True),
    ("ArnLike", "arn:aws:sns:us-east-1:111122223333", "arn:aws:sns:us-east-1:111122223333:topic", False),
    ("Null", "maybe", "x", False),  # neither true nor false: tests nothing
    ("Null", "maybe", None, False),
]


@pytest.mark.parametrize("operator,policy_value,request_value,expected", COMPARE)
def test_an_operator_compares_exactly(operator, policy_value, request_value, expected):
    assert entry(operator, [policy_value]).holds(request_value) is expected


def test_dates_without_an_offset_are_utc_whatever_the_local_zone(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert entry("DateEquals", ["2026-01-01T00:00:00"]).holds("1767225600") is True
        assert entry("DateEquals", ["2026-01-01T09:00:00+09:00"]).holds("2026-01-01T00:00:00") is True
    finally:
        monkeypatch.undo()
        time.tzset()


def test_an_empty_request_set_is_absent_only_for_for_all_values():
    assert entry("ForAllValues:StringEquals", ["a"]).holds([]) is True
    assert entry("ForAllValues:StringEquals", ["a"]).holds("") is False  # an empty string is a value
    assert entry("ForAllValues:Null", ["false"]).holds([]) is False  # absent: Null "false" fails
    assert entry("ForAllValues:Null", ["true"]).holds([]) is True
    assert entry("StringEqualsIfExists", ["a"]).holds([]) is False  # no value, but the key is there
    assert entry("StringNotEquals", ["a"]).holds([]) is False


def test_variables_reach_every_value_of_a_for_all_values_entry():
    test = entry("ForAllValues:StringEquals", ["${aws:username}"])
    assert test.holds(["bob"], {"aws:username": "bob"}) is True
    assert test.holds(["bob", "eve"], {"aws:username": "bob"}) is False


def test_a_variable_with_a_default_reads_the_name_before_the_first_comma():
    assert entry("StringEquals", ["${aws:username, 'nobody'}"]).holds("bob", {"aws:username": "bob"}) is True
    assert entry("StringEquals", ["${aws:username, 'a,b'}"]).holds("bob", {"aws:username": "bob"}) is True
    assert entry("StringEquals", ["${aws:username,'x'}"]).holds("bob", {"AWS:UserName": "bob"}) is True


def test_an_unfilled_variable_names_itself():
    assert entry("StringEquals", ["team-${aws:PrincipalTag/team}"]).holds("team-ci") == Unknown(
        "value 'team-${aws:PrincipalTag/team}' uses the policy variable ${aws:PrincipalTag/team}, filled in from "
        "each request")


def test_a_value_of_a_resource_declared_here_cannot_be_matched():
    test = entry("StringEquals", [Ref("aws_vpc_endpoint.ecr", "id")], key="aws:sourcevpce")
    assert test.holds("vpce-1") == Unknown("aws:SourceVpce value aws_vpc_endpoint.ecr.id is only known after apply")


def test_a_statement_passes_its_variables_to_every_entry():
    s = statement({"StringEquals": {"aws:PrincipalTag/owner": "${aws:username}"}})
    assert holds(s, {"aws:PrincipalTag/owner": "bob"}, {"aws:username": "bob"}) is True
    assert holds(s, {"aws:PrincipalTag/owner": "eve"}, {"aws:username": "bob"}) is False


# --- combining results ---------------------------------------------------------------------------------

A, B = Unknown("a"), Unknown("b")


def test_any_of_keeps_the_first_unknown_unless_something_holds():
    assert any_of([A, B]) == A
    assert any_of([A, False]) == A
    assert any_of([False, A]) == A
    assert any_of([A, True]) is True
    assert any_of([False, False]) is False
    assert any_of([]) is False


def test_all_of_keeps_the_first_unknown_unless_something_fails():
    assert all_of([A, B]) == A
    assert all_of([A, True]) == A
    assert all_of([True, A]) == A
    assert all_of([A, False]) is False
    assert all_of([True, True]) is True
    assert all_of([]) is True


# --- Allow: which values bound the callers ---------------------------------------------------------------

VALUE_BOUNDS = [
    # operator, key, value, expected
    ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::111122223333:role/ci:*", True),  # colons after the account
    ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/ci:*", False),
    ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::${aws:ResourceAccount}:role/ci-*", True),  # the resource's account
    ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::${aws:ResourceAccount, '1'}:role/ci-*", True),
    ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::${aws:ResourceOrgID}:role/ci-*", False),  # not an account
    ("ArnLike", "aws:SourceArn", "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/ci-*", True),
    ("ArnLike", "aws:SourceArn", "arn:aws:iam::1111${local.suffix}:role/ci-*", False),  # part of an account
    ("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "${aws:ResourceOrgPaths}*", True),
    ("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "${aws:ResourceOrgPaths, 'o-a,b/'}*", True),
    ("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "${aws:ResourceOrgID}/r-ab12/*", True),
    ("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "${aws:ResourceOrgID, 'o-a,b'}/r-ab12/*", True),
    ("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "${var.org}/r-ab12/*", True),  # a stack value: one org
    ("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "o-*/r-ab12/*", False),
    ("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "o-a1b2c3d4e5/r-ab12/ou-*/*", True),
    ("StringLike", "aws:PrincipalOrgID", "${aws:ResourceOrgID}", True),
    ("StringLike", "aws:PrincipalOrgID", "o-${*}", True),  # a literal star
    ("StringLike", "aws:PrincipalOrgID", "o-*", False),
    ("NumericEquals", "aws:PrincipalAccount", "111122223333", False),  # only String* and Arn* bound callers
    ("Bool", "aws:PrincipalOrgID", "true", False),
    ("IpAddress", "aws:SourceIp", "8.8.8.0/24", True),
    ("IpAddress", "aws:SourceIp", "8.0.0.0/8", True),  # a /8 is the limit
    ("IpAddress", "aws:SourceIp", "8.0.0.0/7", False),
    ("IpAddress", "aws:SourceIp", "8.8.8.8/7", False),  # host bits set: the same /7
    ("IpAddress", "aws:SourceIp", "fc00::/7", True),  # private: not the internet
    ("IpAddress", "aws:SourceIp", "2600::/32", True),  # IPv6: a /32 is the limit
    ("IpAddress", "aws:SourceIp", "2600::/33", True),
    ("IpAddress", "aws:SourceIp", "2600::/31", False),
    ("IpAddress", "aws:SourceIp", "not-a-cidr", True),  # matches no caller
    ("IpAddress", "aws:SourceIp", "${var.ci_cidr}", True),  # a stack value: one network
]


@pytest.mark.parametrize("operator,key,value,expected", VALUE_BOUNDS)
def test_a_value_bounds_callers_exactly(operator, key, value, expected):
    assert _value_bounds(entry(operator, [value], key), value) is expected


def test_a_request_variable_after_a_stack_value_is_still_unknown():
    value = "arn:aws:iam::${local.account}:role/${aws:username}"
    assert _value_bounds(entry("ArnLike", [value], "aws:PrincipalArn"), value) == Unknown(
        f"aws:PrincipalArn value {value!r} uses the policy variable ${{aws:username}}, filled in from each request")
    value = "${aws:ResourceAccount ,'x'}"  # the name ends at the comma, not at a space
    assert _value_bounds(entry("StringEquals", [value], "aws:SourceAccount"), value) is True


def test_claim_keys_are_issuer_host_then_claim():
    assert _claim_key("token.actions.githubusercontent.com:sub") is True
    assert _claim_key("oidc.eks.us-east-1.amazonaws.com/id/abc:sub") is True
    assert _claim_key("https://login.example.com:sub") is True  # the issuer is all before the last colon
    assert _claim_key("ecr:some.key") is False  # a service's key, a dot in its name
    assert _claim_key("ecr.amazonaws.com") is False


def test_only_an_unrecognised_key_that_could_bound_makes_callers_unknown():
    assert caller_bound(statement({"Null": {"ecr:SomeKey": "false"}})) == CallerBound(False)
    assert caller_bound(statement({"StringEquals": {"token.actions.githubusercontent.com:sub": "x"}})) == \
        CallerBound(False)
    assert caller_bound(statement({"StringEquals": {"ecr:some.key": "x"}})) == CallerBound(Unknown(
        "statement #1 has a condition on ecr:some.key, a key whose callers cicd-guard cannot tell"))


# --- trust statements: the values of a claim ---------------------------------------------------------------

SUB = "token.actions.githubusercontent.com:sub"


def trust(*conditions):
    return Statement("Allow", conditions=tuple(Condition(op, key, tuple(values)) for op, key, values in conditions))


def test_a_pattern_matches_as_its_operator_does():
    assert Pattern("repo:acme/*", True).matches("repo:acme/app") is True
    assert Pattern("repo:acme/*", True).matches("repo:evil/app") is False
    assert Pattern("repo:acme/*", True).matches("repo:ACME/app") is False
    assert Pattern("Repo:Acme/*", True, True).matches("repo:acme/app") is True
    assert Pattern("Repo:Acme", False, True).matches("repo:acme") is True
    assert Pattern("Repo:Acme", False, True).matches("repo:other") is False
    assert Pattern("Repo:Acme", False).matches("repo:acme") is False
    assert Pattern("repo:acme", False).matches("repo:acme") is True


def test_claim_patterns_keep_literal_stars_apart_from_wildcards():
    claim = claim_values(trust(
        ("StringEquals", SUB, ["repo:a*b:${aws:username}", "repo:a?b:${aws:username}"]),
        ("StringLike", SUB, ["repo:acme/?pp", "a${*}b${?}c${$}"]),
        ("StringEqualsIgnoreCase", SUB, ["Repo:Acme"]),
    ), SUB)
    assert claim == ClaimValues(SUB, False, (
        (Pattern("repo:a\x01b:*", True), Pattern("repo:a\x02b:*", True)),
        (Pattern("repo:acme/?pp", True), Pattern("a*b?c$", False)),
        (Pattern("Repo:Acme", False, True),),
    ))
    assert claim.conjuncts[0][0].matches("repo:a*b:bob") is True
    assert claim.conjuncts[0][0].matches("repo:axb:bob") is False


def test_claim_values_say_why_nothing_bounds_the_claim():
    claim = claim_values(trust(("StringNotEquals", SUB, ["x"]), ("StringLikeIfExists", SUB, ["repo:a/*"]),
                               ("Null", SUB, ["false"])), SUB)
    assert claim == ClaimValues(SUB, True, why=f"StringNotEquals on {SUB} does not bound it; StringLikeIfExists on "
                                                f"{SUB} admits tokens without the claim; Null on {SUB} does not bound it")
    assert claim_values(trust(), SUB) == ClaimValues(SUB, True, why=f"no condition on {SUB}")


def test_claim_values_keep_the_first_unknown():
    bad = claim_values(trust(("StringEqual", SUB, ["x"]), ("StringLikes", SUB, ["y"])), SUB)
    first = Unknown("StringEqual is not an IAM condition operator")
    assert bad == ClaimValues(SUB, first, unknown=first)
    late = claim_values(trust(("StringEquals", SUB, [Unknown("a")]), ("StringLike", SUB, [Unknown("b")])), SUB)
    first = Unknown(f"StringEquals on {SUB}: a")
    assert late == ClaimValues(SUB, first, unknown=first)
    refs = claim_values(trust(("StringEquals", SUB, [Ref("aws_x.a", "id")]), ("StringLike", SUB, ["${var.b}"])), SUB)
    first = Unknown(f"StringEquals on {SUB} uses a value known only after apply")
    assert refs == ClaimValues(SUB, first, unknown=first)
    rendered = claim_values(trust(("StringLike", SUB, ["repo:${var.b}"])), SUB)
    assert rendered.anything == Unknown(f"StringLike on {SUB} uses a value known only after apply")


def test_a_condition_on_an_unknown_key_leaves_the_others_deciding():
    one, two = UnknownKey(Unknown("key one")), UnknownKey(Unknown("key two"))
    claim = claim_values(trust(("StringEquals", one, ["x"]), ("StringEquals", two, ["y"]),
                               ("StringEquals", SUB, ["repo:acme/app:ref:refs/heads/main"])), SUB)
    assert claim == ClaimValues(SUB, False, ((Pattern("repo:acme/app:ref:refs/heads/main", False),),),
                                unknown=Unknown("key one"))
    claim = claim_values(trust(("StringEquals", one, ["x"]), ("StringEquals", two, ["y"])), SUB)
    assert claim == ClaimValues(SUB, Unknown("key one"), unknown=Unknown("key one"))


# --- Deny statements ------------------------------------------------------------------------------------

def test_deny_exceptions_keep_the_first_unknown_and_every_known_entry():
    one = UnknownKey(Unknown("key one"))
    deny = deny_exceptions(trust(("StringEquals", one, ["x"]), ("StringEqual", "aws:SourceVpce", ["vpce-1"]),
                                 ("StringNotEquals", "aws:SourceVpc", ["vpc-1"])))
    assert deny.unknown == Unknown("key one")
    assert [(e.key, e.matching, e.absent) for e in deny.escapes] == [("aws:SourceVpc", True, False)]
    assert deny.only() == Unknown("key one")


def test_deny_only_names_the_unknown_values():
    deny = deny_exceptions(trust(("StringNotEquals", "aws:sourcevpce", [Unknown("var.vpce")])))
    assert deny.only() == Unknown("aws:SourceVpce values of the Deny: var.vpce")
    deny = deny_exceptions(trust(("StringNotEquals", "aws:SourceVpce", ["vpce-1"]), ("Null", "aws:SourceVpc",
                                                                                     ["true"])))
    assert deny.only() is None  # a request with any VPC escapes the Null entry


def test_keys_known_to_say_nothing_about_the_caller():
    assert known("aws:securetransport") is True
    assert known("aws:principaltag/team") is True
    assert known("aws:principaltag") is False
    assert known("aws:usernames") is False  # only the tag keys are prefixes
    assert known("ecr:somekey") is False


def _trust_role(condition):
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}, "Condition": condition}
    return make("aws.iam.role", "role", name="r", assume_role_policy={"Version": "2012-10-17",
                                                                      "Statement": [statement]})


@pytest.mark.parametrize("arn, expected", [
    ("arn:aws:iam::${aws:ResourceAccount}:role/ci-*", []),
    ("arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/ci-*", []),
    ("arn:aws:iam::*:role/ci-*", [("IDF-005", "failed", "role")]),
])
def test_a_trust_bounded_to_the_resources_own_account_passes(arn, expected):
    findings = evaluate(Inventory([_trust_role({"ArnLike": {"aws:PrincipalArn": arn}})]), Config(),
                        rules=[REGISTRY["IDF-005"]])
    assert [(f.rule_id, f.status.value, f.resource) for f in findings] == expected


# --- key spelling, operator names and boolean text (survivors of the first run's later part) -------------

@pytest.mark.parametrize("key, spelled", [
    ("aws:requesttag/Env", "aws:RequestTag/Env"), ("AWS:ResourceTag/Team", "aws:ResourceTag/Team"),
    ("aws:PRINCIPALTAG/x", "aws:PrincipalTag/x"), ("aws:sourcevpce", "aws:SourceVpce"), ("foo:Bar", "foo:Bar"),
])
def test_canonical_spells_known_keys_and_tag_prefixes(key, spelled):
    from rulebook.conditions.keys import canonical

    assert canonical(key) == spelled


@pytest.mark.parametrize("operator, read", [
    ("ForAnyValue:StringEquals", ("string", False, False, False, False, "foranyvalue")),
    ("forallvalues:StringLikeIfExists", ("string", False, True, False, True, "forallvalues")),
    ("StringEqualsIfExists", ("string", False, False, False, True, None)),
    ("StringEquals", ("string", False, False, False, False, None)),
    ("IfExists", (None, False, False, False, False, None)),
    ("Other:StringEquals", (None, False, False, False, False, None)),
    ("ForAnyValue:a:b", (None, False, False, False, False, None)),
])
def test_parse_reads_qualifier_operator_and_ifexists(operator, read):
    from rulebook.conditions.operators import parse
    from rulebook.policy import Condition

    entry = parse(Condition(operator, "k", ("v",)))
    assert (entry.family, entry.negated, entry.wildcards, entry.ignore_case, entry.if_exists, entry.qualifier) == read


def test_text_of_spells_booleans_as_iam_does():
    from rulebook.conditions.operators import text_of

    assert (text_of(True), text_of(False), text_of(3)) == ("true", "false", "3")


def _allow(*conditions):
    return Statement("Allow", conditions=tuple(Condition(op, key, tuple(values)) for op, key, values in conditions))


NOT_OP = "conditions of statement #1: Fancy is not an IAM condition operator"
OUTSIDE = "StringNotEquals on aws:SourceAccount admits every caller outside its values"


@pytest.mark.parametrize("conditions, bound", [
    ([("Fancy", "aws:SourceAccount", ["1"]), ("Other", "aws:SourceAccount", ["2"])], CallerBound(Unknown(NOT_OP))),
    ([("Null", "aws:SourceAccount", ["false"])],
     CallerBound(False, why="Null on aws:SourceAccount only tests whether the key is present")),
    ([("StringEquals", "aws:SourceAccount", [])], CallerBound(False, why="StringEquals on aws:SourceAccount has no values")),
    ([("StringNotEquals", "aws:SourceAccount", ["1"]), ("StringLike", "aws:SourceArn", ["*"])],
     CallerBound(False, why=OUTSIDE + "; StringLike on aws:SourceArn admits '*', which restricts nothing")),
    ([("StringNotEquals", "aws:SourceAccount", ["1"]), ("Fancy", "aws:SourceAccount", ["1"])],
     CallerBound(Unknown(NOT_OP), why=OUTSIDE)),
    ([("StringNotEquals", "aws:SourceAccount", ["1"]), ("StringEquals", "ecr:a.b", ["x"]), ("StringEquals", "ecr:c.d", ["y"])],
     CallerBound(Unknown("statement #1 has a condition on ecr:a.b, ecr:c.d, a key whose callers cicd-guard cannot tell"),
                 why=OUTSIDE)),
    ([("Fancy", "aws:SourceAccount", ["1"]), ("StringEquals", "aws:SourceAccount", ["111122223333"])],
     CallerBound(True, ("aws:SourceAccount",))),
    ([("StringEquals", "aws:SourceAccount", [Unknown("first")]), ("ArnLike", "aws:SourceArn", [Unknown("second")])],
     CallerBound(Unknown("aws:SourceAccount value: first"))),
])
def test_caller_bound_keeps_first_reasons_and_every_why(conditions, bound):
    assert caller_bound(_allow(*conditions)) == bound


def test_wild_sees_either_wildcard_only_under_a_like_operator():
    from rulebook.conditions.operators import parse, wild
    from rulebook.policy import Condition

    like, equals = (parse(Condition(op, "aws:SourceAccount", ("1",))) for op in ("StringLike", "StringEquals"))
    assert [wild(t, like) for t in ("12345678901?", "1234*", "123")] == [True, True, False]
    assert wild("12345678901?", equals) is False
