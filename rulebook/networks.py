"""Network ranges in rules: is a range inside the CI network, does it reach the public internet.

Ranges are compared as networks (ipaddress), never as strings: `0.0.0.0/1` is half the internet
although it is not written `0.0.0.0/0`. Shared by every rule that reads ip rules or CIDRs.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any, Iterable, Union

from .model import Ref
from .unknown import Unknown

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

# Words engines use for "any source" (Azure service tags, NSG wildcards).
EVERYWHERE_WORDS = frozenset({"*", "internet", "any", "0.0.0.0"})

# Address space that is not reachable from the public internet (RFC 6890 special-purpose blocks).
_NOT_PUBLIC = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
    "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8", "2001:db8::/32", "100::/64"))


@lru_cache(maxsize=4096)
def parse(value: str) -> Network | None:
    """The network a rule's range denotes (a bare address is a /32 or /128); None when it is not one."""
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def within(value: str, allowed: Iterable[str]) -> bool:
    """Whether the range lies inside one of the allowed ranges."""
    net = parse(value)
    if net is None:
        return False
    return any(outer is not None and net.version == outer.version and net.subnet_of(outer)  # type: ignore[arg-type]
               for outer in map(parse, allowed))


def reaches_public(value: str, allowed: Iterable[str] = ()) -> bool:
    """Whether the range admits public internet addresses beyond the allowed (CI) ranges.

    `*`, `Internet`, `Any` and `0.0.0.0` mean any source. A range that is not a network is not
    decided here (False): callers compare it with the CI ranges instead.
    """
    if value.strip().lower() in EVERYWHERE_WORDS:
        return True
    net = parse(value)
    if net is None:
        return False
    excluded = [n for n in (*_NOT_PUBLIC, *(p for p in map(parse, allowed) if p is not None))
                if n.version == net.version]
    return bool(_remainder(net, excluded))


def _remainder(net: Network, excluded: list[Network]) -> list[Network]:
    """The parts of `net` outside every excluded network."""
    parts = [net]
    for block in excluded:
        kept: list[Network] = []
        for part in parts:
            if part.subnet_of(block):  # type: ignore[arg-type]
                continue
            if block.subnet_of(part):  # type: ignore[arg-type]
                kept.extend(part.address_exclude(block))  # type: ignore[arg-type]
            else:
                kept.append(part)
        parts = kept
    return parts


def open_to_internet(value: str) -> bool:
    """Whether a source admits the internet at large, not a known organisation's block.

    The words for any source, and public ranges wider than any one organisation holds (IPv4 shorter
    than /8, IPv6 shorter than /12: `0.0.0.0/0`, `0.0.0.0/1`, `::/0`, `2000::/3`). Narrower public
    ranges are judged against the CI network by `beyond_ci_network`.
    """
    if value.strip().lower() in EVERYWHERE_WORDS:
        return True
    net = parse(value)
    if net is None or net.prefixlen >= (8 if net.version == 4 else 12):
        return False
    return reaches_public(value)


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def beyond_ci_network(ip_rules: Any, subnet_ids: Any, config: Any) -> tuple[list[str], Unknown | None]:
    """Azure ip rules and subnets that reach beyond the configured CI network, and the first value that
    cannot be compared (not known at plan time).

    A range is beyond when it admits public addresses outside `ci_network.cidrs` (so every public
    range when none is configured) or lies outside the configured ranges; subnets are judged only
    when `azure_subnet_ids` is configured.
    """
    wide: list[str] = []
    undecided: Unknown | None = None
    for value in _items(ip_rules):  # an Unknown list is one Unknown item
        if isinstance(value, Unknown):
            undecided = undecided if undecided is not None else value
        elif isinstance(value, str) and (reaches_public(value, config.cidrs) or
                                         (config.cidrs and not within(value, config.cidrs))):
            wide.append(value)
    if config.azure_subnet_ids:
        allowed = {s.lower() for s in config.azure_subnet_ids}
        for subnet in _items(subnet_ids):
            if isinstance(subnet, Unknown):
                undecided = undecided if undecided is not None else subnet
            elif isinstance(subnet, Ref):
                undecided = undecided if undecided is not None else Unknown(
                    f"subnet {subnet.address} is only known after apply and cannot be compared with "
                    f"ci_network.azure_subnet_ids")
            elif isinstance(subnet, str) and subnet.lower() not in allowed:
                wide.append(subnet)
    return wide, undecided
