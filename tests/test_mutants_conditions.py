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

from rulebook.conditions import holds, parse
from rulebook.conditions.operators import all_of, any_of
from rulebook.model import Ref
from rulebook.policy import Condition, parse_policy
from rulebook.unknown import Unknown

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
