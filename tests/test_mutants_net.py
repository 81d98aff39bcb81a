"""Decisions of NET-001 (rulebook/rules/net), network comparison (rulebook/networks.py) and count /
for_each expansion (hcl_scanner/expansion.py) that a changed line of code would have flipped without
any test noticing (surviving mutants): each pinned with an exact result.

Expansion is pinned through the scanner itself (instances, their notes and count.index / each values,
the value a reference sees, and the input errors with file and line), because what it decides is
which instances exist and why, and where a refused count or for_each is reported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import hcl_scanner
from builders import make
from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.model import InputError, Inventory, Ref
from rulebook.rules import REGISTRY
from rulebook.rules.net import net_001_internet_ingress as net
from rulebook.unknown import Unknown


@pytest.fixture(autouse=True)
def _isolated_scanner(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CICD_GUARD_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    for name in [n for n in os.environ if n.startswith("TF_VAR_")]:
        monkeypatch.delenv(name)


# --- count / for_each expansion ---------------------------------------------------------------------------

def _scan(tmp_path: Path, text: str) -> tuple[dict, list, str]:
    """-> (address -> (attrs, notes) in the scanner's order, input errors, path of main.tf)."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(text)
    result = hcl_scanner.scan([str(root)])
    found = {e.address: (e.attrs, e.notes) for items in result.evaluated.values() for e in items}
    return found, result.errors, str(root / "main.tf")


SENSITIVE = "Terraform does not accept a sensitive value here"


def test_sensitive_count_and_for_each_are_input_errors_and_one_undecided_instance(tmp_path):
    found, errors, file = _scan(tmp_path, '''
variable "n" {
  sensitive = true
  default   = 2
}
variable "m" {
  sensitive = true
  default   = { a = "b" }
}
variable "t" {
  sensitive = true
  default   = "tok"
}
resource "x" "c" {
  count = var.n
  idx   = count.index
}
resource "x" "e" {
  for_each = var.m
  k        = each.key
  v        = each.value
}
resource "x" "s" {
  for_each = [var.t, "a"]
  k        = each.key
  v        = each.value
}
resource "x" "r" {
  c = x.c
  e = x.e
  s = x.s
}
''')
    count_note = f"count is unknown ({SENSITIVE}); evaluated as one instance"
    each_note = f"for_each is unknown ({SENSITIVE}); evaluated as one instance"
    each = Unknown(f"each: {SENSITIVE}")
    assert found == {
        "x.c": ({"idx": Unknown(f"count.index: {SENSITIVE}")}, [count_note]),
        "x.e": ({"k": each, "v": each}, [each_note]),
        "x.s": ({"k": each, "v": each}, [each_note]),
        "x.r": ({"c": Unknown(count_note), "e": Unknown(each_note), "s": Unknown(each_note)}, []),
    }
    assert errors == [InputError(file, 14, f"count of x.c: {SENSITIVE}"),
                      InputError(file, 18, f"for_each of x.e: {SENSITIVE}"),
                      InputError(file, 23, f"for_each of x.s: {SENSITIVE}")]


def test_count_and_for_each_refused_by_terraform_are_errors_at_the_block(tmp_path):
    found, errors, file = _scan(tmp_path, '''
resource "x" "l" {
  for_each = [1, "a"]
}
resource "x" "n" {
  for_each = 5
}
resource "x" "z" {
  for_each = null
}
resource "x" "neg" {
  count = -1
}
resource "x" "str" {
  count = "abc"
}
resource "x" "r" {
  v = [x.l, x.n, x.z, x.neg, x.str]
}
''')
    assert found == {"x.r": ({"v": [Unknown("for_each of x.l is not a set of strings"),
                                    Unknown("for_each of x.n is not a map or set"),
                                    Unknown("for_each of x.z is not a map or set"),
                                    Unknown("count of x.neg is negative"),
                                    Unknown("count of x.str: 'abc' is not a number")]}, [])}
    assert errors == [InputError(file, 2, "for_each of x.l: a set must hold strings"),
                      InputError(file, 5, "for_each of x.n is a number, not a map or set of strings"),
                      InputError(file, 8, "for_each of x.z is null, not a map or set of strings"),
                      InputError(file, 11, "count of x.neg is negative"),
                      InputError(file, 14, "count of x.str: 'abc' is not a number")]


PER_BLOCK = "instances, over the limit of 10,000 per resource or module call"
FORMAT = "format() width would be 1,999,999,999 long, over the limit of 4,194,304"


def test_count_and_for_each_over_a_limit_are_errors_and_one_undecided_instance(tmp_path):
    # x.a evaluates first and reads x.fmt: a limit overrun inside x.fmt's count is reported at x.fmt
    found, errors, file = _scan(tmp_path, '''
resource "x" "a" {
  v = x.fmt
}
resource "x" "big" {
  count = 100000
  i     = count.index
}
resource "x" "bige" {
  for_each = toset(flatten([for a in range(101) : [for b in range(100) : "${a}-${b}"]]))
  k        = each.key
  v        = each.value
}
resource "x" "fmt" {
  count = length(format("%1999999999d", 1))
  i     = count.index
}
resource "x" "fmte" {
  for_each = toset([format("%1999999999d", 1)])
  k        = each.key
}
''')
    fmt_note = f"count is unknown (not evaluated: {FORMAT}); evaluated as one instance"
    assert found == {
        "x.a": ({"v": Unknown(fmt_note)}, []),
        "x.big": ({"i": Unknown(f"count.index: 100,000 {PER_BLOCK}")},
                  [f"count is unknown (100,000 {PER_BLOCK}); evaluated as one instance"]),
        "x.bige": ({"k": Unknown(f"each: 10,100 {PER_BLOCK}"), "v": Unknown(f"each: 10,100 {PER_BLOCK}")},
                   [f"for_each is unknown (10,100 {PER_BLOCK}); evaluated as one instance"]),
        "x.fmt": ({"i": Unknown(f"count.index: not evaluated: {FORMAT}")}, [fmt_note]),
        "x.fmte": ({"k": Unknown(f"each: not evaluated: {FORMAT}")},
                   [f"for_each is unknown (not evaluated: {FORMAT}); evaluated as one instance"]),
    }
    assert errors == [InputError(file, 14, FORMAT),
                      InputError(file, 5, f"count of x.big: 100,000 {PER_BLOCK}"),
                      InputError(file, 9, f"for_each of x.bige: 10,100 {PER_BLOCK}"),
                      InputError(file, 18, FORMAT)]


def test_count_and_for_each_known_only_after_apply_give_one_undecided_instance(tmp_path):
    found, errors, _ = _scan(tmp_path, '''
variable "u" {}
resource "x" "o" {
  name = "o"
}
resource "x" "ref" {
  count = x.o.id
  i     = count.index
}
resource "x" "refe" {
  for_each = x.o.id
  k        = each.key
}
resource "x" "unk" {
  for_each = var.u
  k        = each.key
}
''')
    unset = "variable u has no value (no default, not set in tfvars, --var-file or TF_VAR_u)"
    assert found == {
        "x.o": ({"name": "o"}, []),
        "x.ref": ({"i": Unknown("count.index: x.o.id is known only after apply")},
                  ["count is unknown (x.o.id is known only after apply); evaluated as one instance"]),
        "x.refe": ({"k": Unknown("each: x.o.id is known only after apply")},
                   ["for_each is unknown (x.o.id is known only after apply); evaluated as one instance"]),
        "x.unk": ({"k": Unknown(f"each: {unset}")}, [f"for_each is unknown ({unset}); evaluated as one instance"]),
    }
    assert errors == []


def test_for_each_instances_are_ordered_by_key_and_addressed_as_terraform_shows_them(tmp_path):
    found, errors, _ = _scan(tmp_path, '''
resource "x" "o" {
  for_each = { b = "1", a = "2", "é" = "0" }
  v        = each.value
}
resource "x" "r" {
  keys = [for k, v in x.o : k]
}
''')
    assert list(found.items()) == [('x.o["a"]', ({"v": "2"}, [])), ('x.o["b"]', ({"v": "1"}, [])),
                                   ('x.o["é"]', ({"v": "0"}, [])), ("x.r", ({"keys": ["a", "b", "é"]}, []))]
    assert errors == []


INSTANCES = "more than 20,000 resource and module instances"


def _instances_text(last_count: int) -> str:
    """10,000 + 9,999 counted instances, then a single one: the 20,000th instance; then a count and a
    for_each whose evaluation overruns a limit of their own."""
    return f'''
resource "x" "a" {{
  count = 10000
}}
resource "x" "b" {{
  count = 9999
}}
resource "x" "c" {{
}}
resource "x" "e" {{
  count = {last_count}
  i     = count.index
}}
resource "x" "f" {{
  count = length(format("%1999999999d", 1))
}}
resource "x" "g" {{
  for_each = toset([format("%1999999999d", 1)])
}}
resource "x" "r" {{
  v = [x.e, x.f, x.g]
}}
'''


def test_the_scan_wide_instance_limit_counts_single_resources_and_stops_expanding(tmp_path):
    found, errors, file = _scan(tmp_path, _instances_text(1))
    assert {a: v for a, v in found.items() if not a.startswith(("x.a[", "x.b["))} == {
        "x.c": ({}, []),
        "x.r": ({"v": [Unknown(f"not evaluated: {INSTANCES}"), Unknown(f"not evaluated: {FORMAT}"),
                       Unknown(f"not evaluated: {FORMAT}")]}, []),
    }
    assert errors == [InputError(file, 10, INSTANCES), InputError(file, 14, FORMAT), InputError(file, 17, FORMAT)]


def test_the_scan_wide_instance_limit_is_not_reached_at_20000(tmp_path):
    found, errors, file = _scan(tmp_path, _instances_text(0))
    assert {a: v for a, v in found.items() if not a.startswith(("x.a[", "x.b["))} == {
        "x.c": ({}, []),
        "x.f": ({}, [f"count is unknown (not evaluated: {FORMAT}); evaluated as one instance"]),
        "x.g": ({}, [f"for_each is unknown (not evaluated: {FORMAT}); evaluated as one instance"]),
        "x.r": ({"v": [[], Unknown(f"count is unknown (not evaluated: {FORMAT}); evaluated as one instance"),
                       Unknown(f"for_each is unknown (not evaluated: {FORMAT}); evaluated as one instance")]}, []),
    }
    assert errors == [InputError(file, 14, FORMAT), InputError(file, 17, FORMAT)]


# --- NET-001: ports and protocols ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (22, 22), (22.0, 22), (" 8080 ", 8080), ("-1", -1), (True, None), (None, None), ([22], None),
    ("5-", None), ("X1", None), ("ssh", None), (Unknown("later"), Unknown("later")),
])
def test_port(value, expected):
    assert net._port(value) == expected


ALL = [(0, 65535)]


@pytest.mark.parametrize("protocol, low, high, expected", [
    (None, 22, 22, ALL),  # AWS's default protocol is all traffic
    ("tcp", 22, None, ALL), ("tcp", None, 22, ALL), ("tcp", -1, -1, ALL),
    ("tcp", -1, 22, [(0, 22)]), ("tcp", -1, 1, [(0, 1)]), ("tcp", 1, -1, [(1, 65535)]), ("tcp", 5, -1, [(5, 65535)]),
    ("tcp", 0, 0, [(0, 0)]), ("tcp", 0, 70000, ALL), ("TCP ", 22, 22, [(22, 22)]),
    ("icmp", 22, 22, None), (Unknown("p"), 22, 22, Unknown("p")), ("tcp", Unknown("f"), 22, Unknown("f")),
])
def test_aws_range(protocol, low, high, expected):
    assert net._aws_range(protocol, low, high) == expected


@pytest.mark.parametrize("protocol, ports, expected", [
    ("Tcp", None, ALL), ("Tcp", [], ALL), ("Tcp", ["any"], ALL), ("Tcp", ["Any"], ALL),
    ("Tcp", ["*", "22"], [(0, 65535), (22, 22)]), ("Tcp", ["20-22"], [(20, 22)]),
    ("Tcp", ["22-x"], Unknown("destination port '22-x' is not a port or range")),
    ("Esp", ["22"], None), ("AH", ["22"], None), (" icmp", ["22"], None),
])
def test_azure_ranges(protocol, ports, expected):
    assert net._azure_ranges(protocol, ports) == expected


@pytest.mark.parametrize("ranges, refused, expected", [
    ([(0, 30)], [(10, 20)], [(0, 9), (21, 30)]),
    ([(0, 30)], [(0, 20)], [(21, 30)]),
    ([(22, 23)], [(23, 23)], [(22, 22)]),
    ([(0, 10), (20, 30)], [(5, 25)], [(0, 4), (26, 30)]),
    ([(0, 10), (20, 30)], [(12, 15)], [(0, 10), (20, 30)]),
    ([(0, 65535)], [(22, 22), (8080, 8080)], [(0, 21), (23, 8079), (8081, 65535)]),
])
def test_subtract(ranges, refused, expected):
    assert net._subtract(ranges, refused) == expected


@pytest.mark.parametrize("ranges, expected", [
    ([(23, 23)], "port 23"), ([(22, 22)], "port 22 (SSH)"), ([(100, 200)], "ports 100-200"),
    ([(2000, 3000), (0, 65535)], "ports 2000-3000 (incl. 2375 Docker API, 2376 Docker API (TLS)), all ports"),
])
def test_describe(ranges, expected):
    assert net._describe(ranges) == expected


# --- NET-001: findings ----------------------------------------------------------------------------------------

def _judge(*resources):
    return [(f.status.value, f.resource, f.line, f.message)
            for f in evaluate(Inventory(list(resources)), Config(), rules=[REGISTRY["NET-001"]])]


def _nsg(*rules, address="azurerm_network_security_group.n"):
    return make("azure.network.security_group", address, 1, name="n", rules=list(rules))


def _azure(name, priority, ports, access="Allow", sources=("Internet",), protocol="Tcp", **extra):
    return {"name": name, "priority": priority, "direction": "Inbound", "access": access, "protocol": protocol,
            "sources": list(sources), "ports": ports, **extra}


def test_aws_rule_with_one_source_given_as_a_string_fails():
    rule = make("aws.ec2.security_group_rule", "aws_security_group_rule.r", 4, security_group="sg-1",
                direction="ingress", protocol="tcp", from_port=22, to_port=22, sources="0.0.0.0/0")
    assert _judge(rule) == [("failed", "aws_security_group_rule.r", 4, "the rule admits 0.0.0.0/0 on port 22 (SSH)")]


def test_aws_rule_whose_direction_is_unknown_is_undecided():
    rule = make("aws.ec2.security_group_rule", "aws_security_group_rule.r", 4, security_group="sg-1",
                direction=Unknown("var.direction has no value"), protocol="tcp", from_port=22, to_port=22,
                sources=["0.0.0.0/0"])
    assert _judge(rule) == [("unknown", "aws_security_group_rule.r", 4,
                             "cannot decide whether the rule is ingress or egress: var.direction has no value")]


@pytest.mark.parametrize("prop", ["direction", "access"])
def test_azure_rule_whose_direction_or_access_is_unknown_is_undecided(prop):
    entry = _azure("ssh", 100, ["22"], **{prop: Unknown(f"var.{prop} has no value")})
    standalone = make("azure.network.security_rule", "azurerm_network_security_rule.r", 9, **entry)
    assert _judge(_nsg(entry), standalone) == [
        ("unknown", "azurerm_network_security_group.n", 1,
         f"cannot decide the {prop} of security rule 'ssh': var.{prop} has no value"),
        ("unknown", "azurerm_network_security_rule.r", 9,
         f"cannot decide the {prop} of the security rule: var.{prop} has no value")]


def test_azure_rules_are_named_by_a_non_empty_name_or_their_position():
    assert _judge(_nsg(_azure("", 100, ["22"]), _azure(5, 110, ["3389"]))) == [
        ("failed", "azurerm_network_security_group.n", 1, "security rule #1 admits Internet on port 22 (SSH)"),
        ("failed", "azurerm_network_security_group.n", 1, "security rule #2 admits Internet on port 3389 (RDP)")]


def test_an_allow_evaluated_first_refuses_nothing_to_a_later_allow():
    assert _judge(_nsg(_azure("a", 100, ["22"]), _azure("b", 200, ["22"]))) == [
        ("failed", "azurerm_network_security_group.n", 1, "security rule 'a' admits Internet on port 22 (SSH)"),
        ("failed", "azurerm_network_security_group.n", 1, "security rule 'b' admits Internet on port 22 (SSH)")]


def test_an_unknown_rule_beside_an_allow_is_undecided_and_the_allow_judged():
    assert _judge(_nsg(Unknown("a dynamic security_rule block"), _azure("ssh", 100, ["22"]))) == [
        ("unknown", "azurerm_network_security_group.n", 1,
         "cannot decide security rule #1: a dynamic security_rule block"),
        ("failed", "azurerm_network_security_group.n", 1, "security rule 'ssh' admits Internet on port 22 (SSH)")]


def test_an_unknown_list_of_rules_is_undecided():
    nsg = make("azure.network.security_group", "azurerm_network_security_group.n", 1, name="n",
               rules=Unknown("var.rules has no value"))
    group = make("aws.ec2.security_group", "aws_security_group.g", 5, name="g", ingress=Unknown("var.in"))
    assert _judge(nsg, group) == [
        ("unknown", "azurerm_network_security_group.n", 1, "cannot decide the security rules: var.rules has no value"),
        ("unknown", "aws_security_group.g", 5, "cannot decide the ingress rules: var.in")]


def test_a_deny_with_the_same_priority_refuses_nothing():
    # Azure refuses two rules of one priority; until it does, the Allow is not known to be shadowed
    assert _judge(_nsg(_azure("deny", 100, ["22"], access="Deny"), _azure("ssh", 100, ["22"]))) == [
        ("failed", "azurerm_network_security_group.n", 1, "security rule 'ssh' admits Internet on port 22 (SSH)")]


def test_every_deny_evaluated_first_is_subtracted_whatever_the_order_of_the_rules():
    rules = [_azure("ssh", 200, ["22", "8080"]), _azure("late", 300, ["22"], access="Deny"),
             _azure("udp", 50, ["*"], access="Deny", protocol="Udp"), _azure("d22", 100, ["22"], access="Deny"),
             _azure("d8080", 110, ["8080"], access="Deny", protocol=None)]
    assert _judge(_nsg(*rules)) == []
    assert _judge(_nsg(*rules[:4])) == [
        ("failed", "azurerm_network_security_group.n", 1, "security rule 'ssh' admits Internet on port 8080 (Jenkins)")]


def test_a_standalone_allow_is_judged_against_its_nsg_only():
    ref = Ref("azurerm_network_security_group.n", "name")
    allow = make("azure.network.security_rule", "azurerm_network_security_rule.ssh", 9, security_group=ref,
                 **_azure("ssh", 200, ["22"]))
    no_inline = make("azure.network.security_group", "azurerm_network_security_group.n", 1, name="n")
    assert _judge(no_inline, allow) == [
        ("failed", "azurerm_network_security_rule.ssh", 9, "the security rule admits Internet on port 22 (SSH)")]
    # a resource of another kind at that address is no NSG: its rules refuse nothing
    lookalike = make("azure.network.application_security_group", "azurerm_network_security_group.n", 1, name="n",
                     rules=[_azure("deny", 100, ["22"], access="Deny")])
    assert _judge(lookalike, allow) == [
        ("failed", "azurerm_network_security_rule.ssh", 9, "the security rule admits Internet on port 22 (SSH)")]


def test_aws_rule_whose_sources_are_unknown_is_undecided():
    rule = make("aws.ec2.security_group_rule", "aws_security_group_rule.r", 4, security_group="sg-1",
                direction="ingress", protocol="tcp", from_port=22, to_port=22, sources=Unknown("var.cidrs"))
    assert _judge(rule) == [("unknown", "aws_security_group_rule.r", 4,
                             "cannot decide whether the rule admits the internet: var.cidrs")]
