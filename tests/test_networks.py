"""Network ranges compared as networks: REG-009's "everywhere" and "inside the CI network"."""

from __future__ import annotations

import datetime as dt

import pytest

from builders import make
from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.model import Inventory, Ref
from rulebook.unknown import Unknown
from rulebook.networks import beyond_ci_network, open_to_internet, reaches_public, within
from rulebook.rules import REGISTRY


@pytest.mark.parametrize("value, allowed, expected", [
    ("0.0.0.0/0", (), True),
    ("0.0.0.0/1", (), True),          # half the internet, not written 0.0.0.0/0
    ("128.0.0.0/1", (), True),
    ("::/0", (), True),
    ("2000::/3", (), True),
    ("*", (), True),
    ("Internet", (), True),
    ("any", (), True),
    ("0.0.0.0", (), True),
    ("1.2.3.4", (), True),            # one public address
    ("10.0.0.0/8", (), False),
    ("172.16.0.0/12", (), False),
    ("192.168.1.0/24", (), False),
    ("203.0.113.0/28", (), False),    # documentation range
    ("fd00::/8", (), False),
    ("11.0.0.0/8", ("11.0.0.0/8",), False),
    ("11.0.0.0/8", ("11.0.0.0/9",), True),  # half of it beyond the CI range
    ("0.0.0.0/0", ("0.0.0.0/1", "128.0.0.0/1"), False),
    ("0.0.0.0/0", ("1.0.0.0/8",), True),
    ("not-a-range", (), False),
])
def test_reaches_public(value, allowed, expected):
    assert reaches_public(value, allowed) is expected


@pytest.mark.parametrize("value, allowed, expected", [
    ("10.1.0.0/16", ("10.0.0.0/8",), True),
    ("10.0.0.0/8", ("10.1.0.0/16",), False),
    ("10.0.0.1", ("10.0.0.0/24",), True),
    ("10.0.0.0/8", ("fd00::/8",), False),
    ("garbage", ("10.0.0.0/8",), False),
    ("10.0.0.0/8", ("garbage", "10.0.0.0/8"), True),
])
def test_within(value, allowed, expected):
    assert within(value, allowed) is expected


def _reg009(ip_rules, **config):
    registry = make("azure.acr.registry", "azurerm_container_registry.ci", 1, name="acmeci",
                    public_network_access_enabled=True, network_default_action="Deny", ip_rules=ip_rules)
    findings = evaluate(Inventory([registry]), Config(**config), rules=[REGISTRY["REG-009"]],
                        today=dt.date(2026, 11, 25))
    return [(f.status.value, f.message) for f in findings]


@pytest.mark.parametrize("ip_rules, config, expected", [
    (["0.0.0.0/1"], {}, [("failed", "registry acmeci admits 0.0.0.0/1: public internet addresses, and no CI ranges "
                                     "are configured to allow them (ci_network.cidrs)")]),
    (["10.0.0.0/8", "192.168.0.0/16"], {}, []),
    (["198.51.100.7/32"], {}, []),
    (["0.0.0.0/1"], {"cidrs": ("0.0.0.0/1",)}, []),
    (["0.0.0.0/0"], {"cidrs": ("0.0.0.0/1",)}, [
        ("failed", "registry acmeci admits 0.0.0.0/0, outside the configured CI network")]),
    (["10.0.0.0/8"], {"cidrs": ("10.1.0.0/16",)}, [
        ("failed", "registry acmeci admits 10.0.0.0/8, outside the configured CI network")]),
    (["10.1.2.0/24"], {"cidrs": ("10.1.0.0/16",)}, []),
])
def test_reg_009_compares_networks(ip_rules, config, expected):
    assert _reg009(ip_rules, **config) == expected


@pytest.mark.parametrize("value, expected", [
    ("0.0.0.0/0", True), ("0.0.0.0/1", True), ("2.0.0.0/7", True),
    ("2.0.0.0/8", False),            # one organisation's block at most: judged against the CI network instead
    ("10.0.0.0/7", True),            # 11.0.0.0/8 is public and the range is wider than /8
    ("::/0", True), ("2000::/3", True), ("2000::/11", True), ("2000::/12", False),
    ("fc00::/7", False), ("Internet", True), ("*", True), ("not-a-range", False),
])
def test_open_to_internet(value, expected):
    assert open_to_internet(value) is expected


@pytest.mark.parametrize("ip_rules, subnets, config, expected", [
    (Unknown("rules later"), None, {}, ([], "rules later")),
    ([Unknown("one later"), "8.8.8.8"], None, {}, (["8.8.8.8"], "one later")),
    ([Unknown("first"), Unknown("second")], None, {}, ([], "first")),
    (["10.0.0.0/8"], Unknown("subnets later"), {"azure_subnet_ids": ("/s/ci",)}, ([], "subnets later")),
    ([Unknown("rules first")], Unknown("subnets later"), {"azure_subnet_ids": ("/s/ci",)}, ([], "rules first")),
    ([], [Unknown("a"), Unknown("b")], {"azure_subnet_ids": ("/s/ci",)}, ([], "a")),
    ([], [Ref("azurerm_subnet.x", "id"), Unknown("b")], {"azure_subnet_ids": ("/s/ci",)},
     ([], "subnet azurerm_subnet.x is only known after apply and cannot be compared with ci_network.azure_subnet_ids")),
    ([], [Unknown("a"), Ref("azurerm_subnet.x", "id")], {"azure_subnet_ids": ("/s/ci",)}, ([], "a")),
    ([], ["/S/CI", "/s/other"], {"azure_subnet_ids": ("/s/ci",)}, (["/s/other"], None)),
    ([], ["/s/other"], {}, ([], None)),   # subnets are judged only when the CI subnets are configured
    ("8.8.8.8", None, {}, (["8.8.8.8"], None)),  # a single rule given as a string
])
def test_beyond_ci_network(ip_rules, subnets, config, expected):
    wide, undecided = beyond_ci_network(ip_rules, subnets, Config(**config))
    assert (wide, undecided.reason if undecided is not None else None) == expected
