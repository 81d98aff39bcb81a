"""Network ranges: what "everywhere" is, whether a range lies inside the configured CI network, and
which of an Azure resource's network rules reach beyond it (REG-009, BKT-005, the access map)."""

from __future__ import annotations

import ipaddress
from typing import Any, Iterable

from .model import Ref
from .unknown import Unknown

# source values that admit the whole internet: CIDRs, and Azure's service tags and wildcards
EVERYWHERE = ("*", "0.0.0.0/0", "::/0", "0.0.0.0", "internet", "any")


def is_everywhere(value: str) -> bool:
    return value.strip().lower() in EVERYWHERE


def network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def cidr_within(value: str, allowed: Iterable[str]) -> bool:
    """Whether the range `value` lies inside one of the `allowed` ranges (same IP version)."""
    net = network(value)
    if net is None:
        return False
    for item in allowed:
        outer = network(item)
        if outer is not None and net.version == outer.version and net.subnet_of(outer):  # type: ignore[arg-type]
            return True
    return False


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def beyond_ci_network(ip_rules: Any, subnet_ids: Any, config: Any) -> tuple[list[str], Unknown | None]:
    """Azure ip rules and subnets that reach beyond the configured CI network, and the first value that
    cannot be compared (not known at plan time). Ranges are judged only when `cidrs` is configured
    (an ip rule for everywhere always counts), subnets only when `azure_subnet_ids` is."""
    wide: list[str] = []
    undecided: Unknown | None = None
    if isinstance(ip_rules, Unknown):
        undecided = ip_rules
    for value in [] if isinstance(ip_rules, Unknown) else _items(ip_rules):
        if isinstance(value, Unknown):
            undecided = undecided if undecided is not None else value
        elif isinstance(value, str) and (is_everywhere(value) or
                                         (config.cidrs and not cidr_within(value, config.cidrs))):
            wide.append(value)
    if config.azure_subnet_ids:
        allowed = {s.lower() for s in config.azure_subnet_ids}
        if isinstance(subnet_ids, Unknown):
            undecided = undecided if undecided is not None else subnet_ids
        for subnet in [] if isinstance(subnet_ids, Unknown) else _items(subnet_ids):
            if isinstance(subnet, Unknown):
                undecided = undecided if undecided is not None else subnet
            elif isinstance(subnet, Ref):
                undecided = undecided if undecided is not None else Unknown(
                    f"subnet {subnet.address} is only known after apply and cannot be compared with "
                    f"ci_network.azure_subnet_ids")
            elif isinstance(subnet, str) and subnet.lower() not in allowed:
                wide.append(subnet)
    return wide, undecided
