"""NET-001: Security groups and NSGs admit no internet traffic except to web ports."""

from __future__ import annotations

from typing import Any, Iterator, Sequence

from ...findings import Severity
from ...model import Resource
from ...networks import open_to_internet
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ..helpers import linked

WEB_PORTS = frozenset({80, 443})
ALL_PORTS = (0, 65535)
# ports whose exposure is the typical CI compromise, named in messages
CI_PORTS = {22: "SSH", 2375: "Docker API", 2376: "Docker API (TLS)", 3389: "RDP", 8080: "Jenkins",
            50000: "Jenkins agents"}
_ALL_PROTOCOLS = {"-1", "all", "*", "any"}
_PORT_PROTOCOLS = {"tcp", "udp", "6", "17", "sctp", "132"}
KINDS = ("aws.ec2.security_group", "aws.ec2.security_group_rule", "azure.network.security_group",
         "azure.network.security_rule")


def _public(sources: list[Any]) -> list[str]:
    """The sources that stand for the internet at large (0.0.0.0/0, 0.0.0.0/1, ::/0, *, Internet)."""
    return [value.strip() for value in sources if isinstance(value, str) and open_to_internet(value)]


def _port(value: Any) -> int | Unknown | None:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _aws_range(protocol: Any, from_port: Any, to_port: Any) -> list[tuple[int, int]] | Unknown | None:
    """The port range an AWS rule opens, None when the protocol has no ports (ICMP, ESP, ...)."""
    if isinstance(protocol, Unknown):
        return protocol
    proto = str(protocol).strip().lower() if protocol is not None else "-1"
    if proto in _ALL_PROTOCOLS:
        return [ALL_PORTS]
    if proto not in _PORT_PROTOCOLS:
        return None
    low, high = _port(from_port), _port(to_port)
    for value in (low, high):
        if isinstance(value, Unknown):
            return value
    if low is None or high is None:
        return [ALL_PORTS]
    return [(max(low, 0), min(high, 65535) if high >= 0 else 65535)]  # -1 to -1: all ports


def _azure_ranges(protocol: Any, ports: Any) -> list[tuple[int, int]] | Unknown | None:
    if isinstance(protocol, Unknown):
        return protocol
    if isinstance(protocol, str) and protocol.strip().lower() in ("icmp", "esp", "ah"):
        return None
    if isinstance(ports, Unknown):
        return ports
    out: list[tuple[int, int]] = []
    for item in ports or ["*"]:
        if isinstance(item, Unknown):
            return item
        text = str(item).strip()
        if text in ("*", "any", "Any"):
            out.append(ALL_PORTS)
            continue
        low, _, high = text.partition("-")
        a, b = _port(low), _port(high or low)
        if isinstance(a, int) and isinstance(b, int):
            out.append((a, b))
        else:
            return Unknown(f"destination port {text!r} is not a port or range")
    return out


def _exposed(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ranges that open a port other than 80 and 443."""
    return [(a, b) for a, b in ranges if a <= b and not (a == b and a in WEB_PORTS)]


def _describe(ranges: list[tuple[int, int]]) -> str:
    parts = []
    for a, b in ranges:
        if (a, b) == ALL_PORTS:
            parts.append("all ports")
        elif a == b:
            parts.append(f"port {a}" + (f" ({CI_PORTS[a]})" if a in CI_PORTS else ""))
        else:
            named = [f"{p} {CI_PORTS[p]}" for p in sorted(CI_PORTS) if a <= p <= b]
            parts.append(f"ports {a}-{b}" + (f" (incl. {', '.join(named)})" if named else ""))
    return ", ".join(parts)


def _subtract(ranges: list[tuple[int, int]], refused: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Port ranges minus the refused ones (the parts below and above each refused range; a range the
    refused one does not overlap is one of those parts whole)."""
    for low, high in refused:
        ranges = [r for a, b in ranges for r in ((a, min(b, low - 1)), (max(a, high + 1), b)) if r[0] <= r[1]]
    return ranges


def _judge(resource: Resource, where: str, sources: Any, ranges: list[tuple[int, int]] | Unknown | None,
           refused: Sequence[tuple[int, int]] = ()) -> Result | None:
    """One allow-inbound rule: fail when the internet reaches a port other than 80/443."""
    if ranges is None:
        return None
    if isinstance(sources, Unknown):
        return Result.undecided(resource, sources, f"whether {where} admits the internet")
    sources = sources if isinstance(sources, list) else [sources]
    public = _public(sources)
    undecided = next((s for s in sources if isinstance(s, Unknown)), None)
    if not public and undecided is None:
        return None
    if isinstance(ranges, Unknown):
        return Result.undecided(resource, ranges, f"which ports {where} opens")
    exposed = _exposed(_subtract(ranges, list(refused)))
    if not exposed:
        return None
    if not public:
        return Result.undecided(resource, undecided, f"whether {where} admits the internet")
    return Result.fail(resource, f"{where} admits {', '.join(dict.fromkeys(public))} on {_describe(exposed)}")


def _aws_entry(resource: Resource, where: str, entry: dict[str, Any], siblings: Sequence[Any] = ()) -> Result | None:
    """An AWS rule allows what it names; no rule of a security group refuses anything."""
    return _judge(resource, where, entry.get("sources"),
                  _aws_range(entry.get("protocol"), entry.get("from_port"), entry.get("to_port")))


def _is(entry: dict[str, Any], direction: str, access: str) -> bool:
    return str(entry.get("direction") or "").lower() == direction and str(entry.get("access") or "").lower() == access


def _refused_first(entry: dict[str, Any], siblings: Sequence[Any]) -> list[tuple[int, int]]:
    """Ports a Deny rule of the same NSG, evaluated first (lower priority number), refuses to the internet:
    an Allow behind it opens only what is left."""
    priority = _port(entry.get("priority"))
    protocol = str(entry.get("protocol") or "*").lower()
    out: list[tuple[int, int]] = []
    for other in siblings:
        if not isinstance(other, dict) or other is entry or not _is(other, "inbound", "deny"):
            continue
        first = _port(other.get("priority"))
        if not (isinstance(priority, int) and isinstance(first, int) and first < priority):
            continue
        if str(other.get("protocol") or "*").lower() not in ("*", protocol):
            continue
        sources = other.get("sources")
        ranges = _azure_ranges(other.get("protocol"), other.get("ports"))
        if isinstance(sources, list) and _public(sources) and isinstance(ranges, list):
            out += ranges
    return out


def _azure_entry(resource: Resource, where: str, entry: dict[str, Any], siblings: Sequence[Any] = ()) -> Result | None:
    for prop in ("direction", "access"):
        if isinstance(entry.get(prop), Unknown):
            return Result.undecided(resource, entry[prop], f"the {prop} of {where}")
    if not _is(entry, "inbound", "allow"):
        return None
    return _judge(resource, where, entry.get("sources"), _azure_ranges(entry.get("protocol"), entry.get("ports")),
                  _refused_first(entry, siblings))


def _label(entry: dict[str, Any], index: int, what: str) -> str:
    name = entry.get("name")
    return f"{what} {name!r}" if isinstance(name, str) and name else f"{what} #{index + 1}"


def _inline(resource: Resource, prop: str, what: str, judge: Any, siblings: Sequence[Any] = ()) -> Iterator[Result]:
    entries = resource.get(prop)
    if isinstance(entries, Unknown):
        yield Result.undecided(resource, entries, f"the {what}s")
        return
    for index, entry in enumerate(entries or ()):
        where = _label(entry, index, what) if isinstance(entry, dict) else f"{what} #{index + 1}"
        if isinstance(entry, Unknown):
            yield Result.undecided(resource, entry, where)
            continue
        result = judge(resource, where, entry, siblings)
        if result is not None:
            yield result


def _security_group_rule(resource: Resource) -> Iterator[Result]:
    direction = resource.get("direction")
    if isinstance(direction, Unknown):
        yield Result.undecided(resource, direction, "whether the rule is ingress or egress")
    elif str(direction).lower() == "ingress":
        result = _aws_entry(resource, "the rule", resource.props)
        if result is not None:
            yield result


@rule(
    id="NET-001",
    title="CI hosts are not open to the internet",
    severity=Severity.HIGH,
    practice="P5",
    scope="inventory",
    kinds=KINDS,
    rationale="""
CI servers and build agents hold the keys to everything they deploy. Jenkins on 8080, its agent
port 50000, SSH on 22 and an unauthenticated Docker API on 2375 open to the internet are how
build infrastructure is taken over: the attacker runs a job, or reads the credentials an agent
holds. Only web ports (80/443, behind authentication) belong on the internet; everything else
should be reachable from the CI network or a bastion only. Within one NSG, a Deny rule evaluated
before an Allow (a lower priority number) closes the ports it refuses to the internet, whether it is
written inline or as its own `azurerm_network_security_rule` / `SecurityRule` resource.
""",
    remediation="""
Keep only 80/443 open to 0.0.0.0/0, ::/0, `*` or Internet; limit every other port to the CI network's
ranges (`ci_network.cidrs`) or a bastion's or VPN's range.
""",
    fixes={
        "aws": """
Limit the security group rule's source to the CI network's ranges (`ci_network.cidrs`), a prefix list
or another security group, and reach agents through SSM Session Manager instead of SSH from
anywhere.
""",
        "azure": """
Limit the NSG rule's source address prefixes to the CI network's ranges (`ci_network.cidrs`) or an
application security group, or add a Deny for the port with a lower priority number; reach agents
through Azure Bastion instead of SSH or RDP from the Internet.
""",
    },
    examples=(
        Example("terraform", False, '''
resource "aws_security_group" "jenkins" {
  name   = "jenkins"
  vpc_id = "vpc-0123456789abcdef0"

  ingress {
    from_port   = 8080
    to_port     = 8080
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
''', resource="aws_security_group.jenkins"),
        Example("terraform", True, '''
resource "aws_security_group" "jenkins" {
  name   = "jenkins"
  vpc_id = "vpc-0123456789abcdef0"

  ingress {
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  ingress {
    from_port   = 50000
    to_port     = 50000
    protocol    = "tcp"
    cidr_blocks = ["10.42.0.0/16"]
  }
}
'''),
        Example("pulumi", False, '''
import pulumi_azure_native as azure_native

azure_native.network.NetworkSecurityGroup("agents", resource_group_name="rg-ci", security_rules=[{
    "name": "ssh", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
    "source_address_prefix": "Internet", "source_port_range": "*",
    "destination_address_prefix": "*", "destination_port_range": "22"}])
''', resource="agents"),
        Example("pulumi", True, '''
import pulumi_azure_native as azure_native

azure_native.network.NetworkSecurityGroup("agents", resource_group_name="rg-ci", security_rules=[{
    "name": "https", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
    "source_address_prefix": "Internet", "source_port_range": "*",
    "destination_address_prefix": "*", "destination_port_range": "443"}])
'''),
    ),
)
def net_001(ctx: Context) -> Iterator[Result]:
    # inventory scope: an NSG's rules may be declared as resources of their own (Deny precedence)
    for resource in ctx.inventory.of_kind(*KINDS):
        yield from _judge_resource(resource, ctx)


def _judge_resource(resource: Resource, ctx: Context) -> Iterator[Result]:
    if resource.kind == "aws.ec2.security_group":
        yield from _inline(resource, "ingress", "ingress rule", _aws_entry)
    elif resource.kind == "aws.ec2.security_group_rule":
        yield from _security_group_rule(resource)
    elif resource.kind == "azure.network.security_group":
        yield from _inline(resource, "rules", "security rule", _azure_entry, _nsg_rules(ctx, resource))
    else:
        result = _azure_entry(resource, "the security rule", resource.props, _nsg_rules(ctx, resource))
        if result is not None:
            yield result


def _nsg_rules(ctx: Context, resource: Resource) -> list[Any]:
    """Every rule of the NSG a resource is or belongs to: its inline rules and the rules declared as their
    own resources that the engine links to it (a rule whose NSG is not decided adds no Deny: fail closed)."""
    nsg = resource if resource.kind == "azure.network.security_group" else \
        ctx.inventory.resolve(resource.get("security_group"), ("azure.network.security_group",))
    if not isinstance(nsg, Resource):
        return [resource.props]
    owned = ctx.derived("net.nsg_rules", _standalone_rules)
    inline = nsg.get("rules")
    return [*(inline if isinstance(inline, list) else ()), *(r.props for r in owned.get(nsg.address, ()))]


def _standalone_rules(ctx: Context) -> dict[str, list[Resource]]:
    inventory = ctx.inventory
    owned, _, _ = linked(inventory, inventory.of_kind("azure.network.security_group"),
                      inventory.of_kind("azure.network.security_rule"), "security_group")
    return owned
