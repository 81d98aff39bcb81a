"""The Pulumi adapter for security groups, NSGs, VPC endpoints, S3 access points and storage defaults:
type tokens and camelCase props (as the policy SDK hands them over) -> model."""

from __future__ import annotations

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policypack.adapter import to_resource
from rulebook.unknown import Unknown

CASES = [
    ("aws:ec2/securityGroup:SecurityGroup",
     {"name": "sg", "vpcId": "vpc-1", "ingress": [{"fromPort": 22, "toPort": 22, "protocol": "tcp",
                                                   "cidrBlocks": ["0.0.0.0/0"], "ipv6CidrBlocks": ["::/0"]}]},
     "aws.ec2.security_group",
     {"name": "sg", "vpc_id": "vpc-1",
      "ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22, "sources": ["0.0.0.0/0", "::/0"]}]}),
    ("aws:ec2/securityGroupRule:SecurityGroupRule",
     {"type": "ingress", "securityGroupId": "sg-1", "fromPort": 0, "toPort": 65535, "protocol": "tcp",
      "cidrBlocks": ["0.0.0.0/0"]},
     "aws.ec2.security_group_rule",
     {"security_group": "sg-1", "direction": "ingress", "protocol": "tcp", "from_port": 0, "to_port": 65535,
      "sources": ["0.0.0.0/0"]}),
    ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
     {"securityGroupId": "sg-1", "cidrIpv6": "::/0", "ipProtocol": "-1"},
     "aws.ec2.security_group_rule",
     {"security_group": "sg-1", "direction": "ingress", "protocol": "-1", "sources": ["::/0"]}),
    ("aws:ec2/vpcEndpoint:VpcEndpoint", {"vpcId": "vpc-1", "serviceName": "com.amazonaws.eu-west-1.s3",
                                         "vpcEndpointType": "Gateway", "id": "vpce-1"},
     "aws.ec2.vpc_endpoint",
     {"id": "vpce-1", "vpc_id": "vpc-1", "service_name": "com.amazonaws.eu-west-1.s3", "endpoint_type": "Gateway"}),
    ("aws:s3/accessPoint:AccessPoint",
     {"bucket": "b", "name": "ap", "vpcConfiguration": {"vpcId": "vpc-1"},
      "publicAccessBlockConfiguration": {"blockPublicAcls": True, "restrictPublicBuckets": False}},
     "aws.s3.access_point",
     {"bucket": "b", "name": "ap", "vpc_id": "vpc-1", "block_public_acls": True, "restrict_public_buckets": False}),
    ("azure-native:network/v20240501:NetworkSecurityGroup",
     {"networkSecurityGroupName": "nsg", "securityRules": [
         {"name": "ssh", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
          "sourceAddressPrefix": "Internet", "destinationPortRanges": ["22", "8080"]}]},
     "azure.network.security_group",
     {"name": "nsg", "rules": [{"name": "ssh", "priority": 100, "direction": "Inbound", "access": "Allow",
                                "protocol": "Tcp", "sources": ["Internet"], "ports": ["22", "8080"]}]}),
    ("azure-native:network:SecurityRule",
     {"securityRuleName": "ssh", "networkSecurityGroupName": "nsg", "priority": 100, "direction": "Inbound",
      "access": "Allow", "protocol": "*", "sourceAddressPrefixes": ["0.0.0.0/0"], "destinationPortRange": "22"},
     "azure.network.security_rule",
     {"security_group": "nsg", "name": "ssh", "priority": 100, "direction": "Inbound", "access": "Allow",
      "protocol": "*", "sources": ["0.0.0.0/0"], "ports": ["22"]}),
    ("azure:network/networkSecurityRule:NetworkSecurityRule",
     {"name": "ssh", "networkSecurityGroupName": "nsg", "priority": 100, "direction": "Inbound",
      "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*", "destinationPortRange": "",
      "destinationPortRanges": ["22"]},
     "azure.network.security_rule",
     {"security_group": "nsg", "name": "ssh", "priority": 100, "direction": "Inbound", "access": "Allow",
      "protocol": "Tcp", "sources": ["*"], "ports": ["22"]}),
    ("azure:storage/account:Account", {"name": "sa"}, "azure.storage.account",
     {"name": "sa", "allow_blob_public_access": True, "shared_key_access_enabled": True}),  # provider defaults
    ("azure-native:storage:StorageAccount", {"accountName": "sa"}, "azure.storage.account",
     {"name": "sa", "shared_key_access_enabled": True}),  # Azure allows shared keys unless told otherwise
]


@pytest.mark.parametrize("token, props, kind, expected", CASES, ids=[c[0] for c in CASES])
def test_mapping(token, props, kind, expected):
    resource = to_resource(token, "x", unknown_checking_proxy(props))
    assert resource.kind == kind
    assert resource.props == expected


def test_unknown_cidrs_and_rules_stay_unknown():
    group = to_resource("aws:ec2/securityGroup:SecurityGroup", "sg", unknown_checking_proxy(
        {"ingress": [{"fromPort": 22, "toPort": 22, "protocol": "tcp", "cidrBlocks": UNKNOWN_STRING_VALUE}]}))
    sources = group.props["ingress"][0]["sources"]
    assert isinstance(sources, Unknown) and "ingress[0].cidrBlocks" in sources.reason
    nsg = to_resource("azure-native:network:NetworkSecurityGroup", "nsg",
                      unknown_checking_proxy({"securityRules": UNKNOWN_STRING_VALUE}))
    assert isinstance(nsg.props["rules"], Unknown)
