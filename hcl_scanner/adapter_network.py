"""Terraform types of network controls -> rulebook kinds: security groups and their separate rules
(IPv4 and IPv6), the default security group, VPC endpoints, Azure NSGs and their separate rules.
Registered into adapter.MANAGED; same input shapes as adapter.py."""

from __future__ import annotations

from typing import Any, Callable

from rulebook.adapters import joined
from rulebook.unknown import Unknown

Builder = Callable[[Any], tuple[str, dict]]


def _blocks(value: Any) -> list[Any] | Unknown:
    """Nested blocks as a list (a single dict is accepted); Unknown stays Unknown."""
    if value is None:
        return []
    if isinstance(value, (Unknown, list)):
        return value
    return [value] if isinstance(value, dict) else list(value) if isinstance(value, tuple) else []


def _sg_ingress(block: Any) -> dict[str, Any] | Unknown:
    if isinstance(block, Unknown) or not isinstance(block, dict):
        return block if isinstance(block, Unknown) else Unknown("ingress block is not an object")
    return {"protocol": block.get("protocol"), "from_port": block.get("from_port"), "to_port": block.get("to_port"),
            "sources": joined(block.get("cidr_blocks"), block.get("ipv6_cidr_blocks"))}


def _security_group(c: Any) -> tuple[str, dict]:
    blocks = _blocks(c.get("ingress"))
    ingress = blocks if isinstance(blocks, Unknown) else [_sg_ingress(b) for b in blocks]
    return "aws.ec2.security_group", dict(name=c.get("name"), id=c.get("id"), vpc_id=c.get("vpc_id"),
                                          ingress=ingress)


def _security_group_rule(c: Any) -> tuple[str, dict]:
    return "aws.ec2.security_group_rule", dict(
        security_group=c.get("security_group_id"), direction=c.get("type"), protocol=c.get("protocol"),
        from_port=c.get("from_port"), to_port=c.get("to_port"),
        sources=joined(c.get("cidr_blocks"), c.get("ipv6_cidr_blocks")))


def _vpc_ingress_rule(c: Any) -> tuple[str, dict]:
    return "aws.ec2.security_group_rule", dict(
        security_group=c.get("security_group_id"), direction="ingress", protocol=c.get("ip_protocol"),
        from_port=c.get("from_port"), to_port=c.get("to_port"), sources=joined(c.get("cidr_ipv4"), c.get("cidr_ipv6")))


def _vpc_endpoint(c: Any) -> tuple[str, dict]:
    return "aws.ec2.vpc_endpoint", dict(id=c.get("id"), vpc_id=c.get("vpc_id"), service_name=c.get("service_name"),
                                        endpoint_type=c.get("vpc_endpoint_type"))


def _nsg_rule_props(rule: dict[str, Any]) -> dict[str, Any]:
    """One security_rule (inline block or resource): the single and plural forms as lists."""
    return {"name": rule.get("name"), "priority": rule.get("priority"), "direction": rule.get("direction"),
            "access": rule.get("access"), "protocol": rule.get("protocol"),
            "sources": joined(rule.get("source_address_prefix"), rule.get("source_address_prefixes")),
            "ports": joined(rule.get("destination_port_range"), rule.get("destination_port_ranges"))}


def _nsg(c: Any) -> tuple[str, dict]:
    blocks = _blocks(c.get("security_rule"))
    rules = blocks if isinstance(blocks, Unknown) else [
        b if isinstance(b, Unknown) else _nsg_rule_props(b) for b in blocks if isinstance(b, (dict, Unknown))]
    return "azure.network.security_group", dict(name=c.get("name"), id=c.get("id"), rules=rules)


def _nsg_rule(c: Any) -> tuple[str, dict]:
    return "azure.network.security_rule", dict(
        security_group=c.first("network_security_group_id", "network_security_group_name"), **_nsg_rule_props(c.attrs))


MANAGED: dict[str, Builder] = {
    "aws_security_group": _security_group,
    "aws_default_security_group": _security_group,
    "aws_security_group_rule": _security_group_rule,
    "aws_vpc_security_group_ingress_rule": _vpc_ingress_rule,
    "aws_vpc_endpoint": _vpc_endpoint,
    "azurerm_network_security_group": _nsg,
    "azurerm_network_security_rule": _nsg_rule,
}
