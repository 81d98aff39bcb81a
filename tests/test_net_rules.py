"""NET-001: every case of the network-isolation issue, as exact (rule, status, resource, line) rows,
over model resources (the semantics table), through the Terraform scanner (HCL and plan-shaped
attributes share one adapter) and through the real Pulumi pack (the gate)."""

from __future__ import annotations

import importlib.util

import pytest

from builders import make
from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.model import Inventory
from rulebook.rules import REGISTRY
from rulebook.unknown import Unknown

NET = [REGISTRY["NET-001"]]


def rows(findings):
    return [(f.rule_id, f.status.value, f.resource, f.line) for f in findings]


def judge(*resources):
    return [(f.status.value, f.resource, f.message) for f in evaluate(Inventory(list(resources)), Config(), rules=NET)]


def sg_rule(protocol="tcp", low=22, high=None, sources=("0.0.0.0/0",), direction="ingress"):
    return make("aws.ec2.security_group_rule", "aws_security_group_rule.r", 1, security_group="sg-1",
                direction=direction, protocol=protocol, from_port=low, to_port=low if high is None else high,
                sources=list(sources))


AWS_TABLE = [
    # (protocol, from, to, sources, direction) -> status or None
    (("tcp", 22, 22, ["0.0.0.0/0"], "ingress"), "failed"),
    (("tcp", 22, 22, ["::/0"], "ingress"), "failed"),
    (("tcp", 8080, 8080, ["0.0.0.0/0"], "ingress"), "failed"),
    (("tcp", 50000, 50000, ["0.0.0.0/0", "::/0"], "ingress"), "failed"),
    (("tcp", 2375, 2375, ["0.0.0.0/0"], "ingress"), "failed"),
    (("-1", 0, 0, ["0.0.0.0/0"], "ingress"), "failed"),  # all protocols: ports ignored by AWS
    (("all", 0, 65535, ["::/0"], "ingress"), "failed"),
    (("tcp", 0, 65535, ["0.0.0.0/0"], "ingress"), "failed"),
    (("tcp", 8000, 9000, ["0.0.0.0/0"], "ingress"), "failed"),  # includes 8080
    (("tcp", 80, 443, ["0.0.0.0/0"], "ingress"), "failed"),  # 81..442 as well
    (("6", 22, 22, ["0.0.0.0/0"], "ingress"), "failed"),  # protocol number
    (("tcp", 443, 443, ["0.0.0.0/0", "::/0"], "ingress"), None),
    (("tcp", 80, 80, ["0.0.0.0/0"], "ingress"), None),
    (("tcp", 22, 22, ["10.42.0.0/16"], "ingress"), None),
    (("tcp", 22, 22, ["0.0.0.0/0"], "egress"), None),
    (("icmp", -1, -1, ["0.0.0.0/0"], "ingress"), None),  # no ports
    (("tcp", 22, 22, [Unknown("var.cidr has no value")], "ingress"), "unknown"),
    (("tcp", 443, 443, [Unknown("var.cidr has no value")], "ingress"), None),  # web port: whatever the source
    ((Unknown("var.protocol has no value"), 22, 22, ["0.0.0.0/0"], "ingress"), "unknown"),
]


@pytest.mark.parametrize("case, status", AWS_TABLE, ids=[str(i) for i in range(len(AWS_TABLE))])
def test_aws_rule_semantics(case, status):
    protocol, low, high, sources, direction = case
    found = judge(sg_rule(protocol, low, high, sources, direction))
    assert [f[0] for f in found] == ([status] if status else [])


def test_messages_name_the_source_and_the_ci_ports():
    assert judge(sg_rule("tcp", 8000, 9000)) == [
        ("failed", "aws_security_group_rule.r", "the rule admits 0.0.0.0/0 on ports 8000-9000 (incl. 8080 Jenkins)")]
    assert judge(sg_rule("tcp", 50000, sources=["0.0.0.0/0", "::/0"]))[0][2] == \
        "the rule admits 0.0.0.0/0, ::/0 on port 50000 (Jenkins agents)"
    assert judge(sg_rule("-1", 0))[0][2] == "the rule admits 0.0.0.0/0 on all ports"


def nsg_rule(sources, ports, direction="Inbound", access="Allow", protocol="Tcp"):
    return {"name": "r", "priority": 100, "direction": direction, "access": access, "protocol": protocol,
            "sources": sources, "ports": ports}


AZURE_TABLE = [
    (nsg_rule(["*"], ["22"]), "failed"),
    (nsg_rule(["Internet"], ["8080"]), "failed"),
    (nsg_rule(["0.0.0.0/0"], ["2375"]), "failed"),
    (nsg_rule(["Any"], ["*"]), "failed"),
    (nsg_rule(["Internet"], ["49000-51000"]), "failed"),
    (nsg_rule(["Internet"], ["443", "80"]), None),
    (nsg_rule(["Internet"], ["22"], access="Deny"), None),
    (nsg_rule(["Internet"], ["22"], direction="Outbound"), None),
    (nsg_rule(["10.42.0.0/16", "VirtualNetwork"], ["22"]), None),
    (nsg_rule(["Internet"], ["22"], protocol="Icmp"), None),
    (nsg_rule(["Internet"], Unknown("var.ports has no value")), "unknown"),
]


@pytest.mark.parametrize("entry, status", AZURE_TABLE, ids=[str(i) for i in range(len(AZURE_TABLE))])
def test_azure_rule_semantics(entry, status):
    inline = make("azure.network.security_group", "azurerm_network_security_group.n", 1, name="n", rules=[entry])
    separate = make("azure.network.security_rule", "azurerm_network_security_rule.r", 9, security_group="n",
                    **entry)
    expected = [status] if status else []
    assert [f[0] for f in judge(inline)] == expected
    assert [f[0] for f in judge(separate)] == expected


@pytest.mark.parametrize("deny, status", [
    ({"priority": 90, "sources": ["Internet"], "ports": ["22"]}, None),  # evaluated first: SSH never reached
    ({"priority": 90, "sources": ["Internet"], "ports": ["20-21"]}, "failed"),  # other ports
    ({"priority": 110, "sources": ["Internet"], "ports": ["22"]}, "failed"),  # evaluated after the Allow
    ({"priority": 90, "sources": ["10.0.0.0/8"], "ports": ["22"]}, "failed"),  # refuses other sources only
    ({"priority": 90, "sources": ["*"], "ports": ["*"], "protocol": "Udp"}, "failed"),  # another protocol
])
def test_a_deny_evaluated_first_shadows_an_nsg_allow(deny, status):
    allow = nsg_rule(["*"], ["22"])
    first = {**nsg_rule(deny["sources"], deny["ports"], access="Deny", protocol=deny.get("protocol", "Tcp")),
             "name": "deny", "priority": deny["priority"]}
    nsg = make("azure.network.security_group", "azurerm_network_security_group.n", 1, name="n", rules=[first, allow])
    assert [f[0] for f in judge(nsg)] == ([status] if status else [])


def test_a_deny_declared_as_its_own_resource_shadows_the_allows_of_its_nsg():
    from rulebook.model import Ref

    deny = make("azure.network.security_rule", "azurerm_network_security_rule.deny", 20,
                security_group=Ref("azurerm_network_security_group.n", "name"),
                **{**nsg_rule(["Internet"], ["22"], access="Deny"), "name": "deny", "priority": 90})
    inline_allow = make("azure.network.security_group", "azurerm_network_security_group.n", 1, name="n",
                        rules=[nsg_rule(["*"], ["22", "8080"])])
    separate_allow = make("azure.network.security_rule", "azurerm_network_security_rule.allow", 30,
                          security_group=Ref("azurerm_network_security_group.n", "name"), **nsg_rule(["*"], ["22"]))
    assert judge(inline_allow, deny, separate_allow) == [
        ("failed", "azurerm_network_security_group.n", "security rule 'r' admits * on port 8080 (Jenkins)")]
    other = make("azure.network.security_group", "azurerm_network_security_group.other", 40, name="other", rules=[])
    elsewhere = make("azure.network.security_rule", "azurerm_network_security_rule.deny", 20,
                     **{**deny.props, "security_group": Ref("azurerm_network_security_group.other", "name")})
    assert [f[:2] for f in judge(inline_allow, other, elsewhere, separate_allow)] == [
        ("failed", "azurerm_network_security_group.n"), ("failed", "azurerm_network_security_rule.allow")]
    undecided = make("azure.network.security_rule", "azurerm_network_security_rule.deny", 20,
                     **{**deny.props, "security_group": Unknown("known after apply")})
    assert [f[:2] for f in judge(inline_allow, undecided)] == [("failed", "azurerm_network_security_group.n")]


def test_inline_rules_are_judged_one_by_one_and_an_unknown_block_is_undecided():
    group = make("aws.ec2.security_group", "aws_security_group.ci", 3, name="ci", ingress=[
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "sources": ["0.0.0.0/0"]},
        {"protocol": "tcp", "from_port": 22, "to_port": 22, "sources": ["::/0"]},
        Unknown("a dynamic ingress block over var.rules")])
    assert judge(group) == [
        ("failed", "aws_security_group.ci", "ingress rule #2 admits ::/0 on port 22 (SSH)"),
        ("unknown", "aws_security_group.ci", "cannot decide ingress rule #3: a dynamic ingress block over var.rules")]


# --- Terraform -------------------------------------------------------------------------------------------

TERRAFORM = '''
resource "aws_security_group" "jenkins" {
  name   = "jenkins"
  vpc_id = "vpc-1"

  ingress {
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  ingress {
    from_port        = 50000
    to_port          = 50000
    protocol         = "tcp"
    ipv6_cidr_blocks = ["::/0"]
  }
}

resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  security_group_id = aws_security_group.jenkins.id
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "egress" {
  type              = "egress"
  security_group_id = aws_security_group.jenkins.id
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_vpc_security_group_ingress_rule" "docker" {
  security_group_id = aws_security_group.jenkins.id
  cidr_ipv6         = "::/0"
  from_port         = 2375
  to_port           = 2376
  ip_protocol       = "tcp"
}

resource "aws_vpc_security_group_ingress_rule" "everything" {
  security_group_id = aws_security_group.jenkins.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  security_group_id = aws_security_group.jenkins.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 443
  to_port           = 443
  ip_protocol       = "tcp"
}

resource "azurerm_network_security_group" "agents" {
  name                = "nsg-agents"
  location            = "westeurope"
  resource_group_name = "rg-ci"

  security_rule {
    name                       = "https"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "443"
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }

  security_rule {
    name                       = "jenkins"
    priority                   = 110
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_ranges    = ["8080", "50000"]
    source_address_prefix      = "*"
    destination_address_prefix = "*"
  }
}

resource "azurerm_network_security_rule" "ssh" {
  name                        = "ssh"
  priority                    = 120
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "22"
  source_address_prefixes     = ["0.0.0.0/0"]
  destination_address_prefix  = "*"
  resource_group_name         = "rg-ci"
  network_security_group_name = azurerm_network_security_group.agents.name
}

resource "azurerm_network_security_rule" "vnet_ssh" {
  name                        = "vnet-ssh"
  priority                    = 130
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "22"
  source_address_prefix       = "VirtualNetwork"
  destination_address_prefix  = "*"
  resource_group_name         = "rg-ci"
  network_security_group_name = azurerm_network_security_group.agents.name
}
'''

TERRAFORM_EXPECTED = [
    ("NET-001", "failed", "aws_security_group.jenkins", 2),
    ("NET-001", "failed", "aws_security_group_rule.ssh", 22),
    ("NET-001", "failed", "aws_vpc_security_group_ingress_rule.docker", 40),
    ("NET-001", "failed", "aws_vpc_security_group_ingress_rule.everything", 48),
    ("NET-001", "failed", "azurerm_network_security_group.agents", 62),
    ("NET-001", "failed", "azurerm_network_security_rule.ssh", 92),
]


def test_terraform(tmp_path):
    from hcl_scanner import scan

    (tmp_path / "main.tf").write_text(TERRAFORM)
    result = scan([str(tmp_path)], repo_root=str(tmp_path))
    assert result.errors == []
    findings = [f for inv in result.inventories for f in evaluate(inv, Config(), rules=NET)]
    assert sorted(rows(findings), key=lambda r: r[3]) == TERRAFORM_EXPECTED
    messages = {f.resource: f.message for f in findings}
    assert messages["aws_security_group.jenkins"] == "ingress rule #2 admits ::/0 on port 50000 (Jenkins agents)"
    assert messages["aws_vpc_security_group_ingress_rule.docker"] == \
        "the rule admits ::/0 on ports 2375-2376 (incl. 2375 Docker API, 2376 Docker API (TLS))"
    assert messages["azurerm_network_security_group.agents"] == \
        "security rule 'jenkins' admits * on port 8080 (Jenkins), port 50000 (Jenkins agents)"


# --- Pulumi, through the real pack ---------------------------------------------------------------------

PULUMI_AWS = '''
import pulumi_aws as aws

jenkins = aws.ec2.SecurityGroup("jenkins", vpc_id="vpc-1", ingress=[
    {"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
    {"from_port": 50000, "to_port": 50000, "protocol": "tcp", "ipv6_cidr_blocks": ["::/0"]},
])
aws.ec2.SecurityGroupRule("ssh", type="ingress", security_group_id=jenkins.id, from_port=22, to_port=22,
                          protocol="tcp", cidr_blocks=["0.0.0.0/0"])
aws.ec2.SecurityGroupRule("egress", type="egress", security_group_id=jenkins.id, from_port=0, to_port=0,
                          protocol="-1", cidr_blocks=["0.0.0.0/0"])
aws.vpc.SecurityGroupIngressRule("docker", security_group_id=jenkins.id, cidr_ipv6="::/0", from_port=2375,
                                 to_port=2376, ip_protocol="tcp")
aws.vpc.SecurityGroupIngressRule("https", security_group_id=jenkins.id, cidr_ipv4="0.0.0.0/0", from_port=443,
                                 to_port=443, ip_protocol="tcp")
'''

PULUMI_AZURE = '''
import pulumi_azure_native as azure_native

agents = azure_native.network.NetworkSecurityGroup("agents", resource_group_name="rg-ci", security_rules=[
    {"name": "https", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
     "source_address_prefix": "Internet", "source_port_range": "*", "destination_address_prefix": "*",
     "destination_port_range": "443"},
    {"name": "jenkins", "priority": 110, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
     "source_address_prefix": "*", "source_port_range": "*", "destination_address_prefix": "*",
     "destination_port_ranges": ["8080", "50000"]},
])
azure_native.network.SecurityRule("ssh", resource_group_name="rg-ci", network_security_group_name=agents.name,
    priority=120, direction="Inbound", access="Allow", protocol="Tcp", source_port_range="*",
    destination_port_range="22", source_address_prefixes=["0.0.0.0/0"], destination_address_prefix="*")
azure_native.network.SecurityRule("vnet-ssh", resource_group_name="rg-ci", network_security_group_name=agents.name,
    priority=130, direction="Inbound", access="Allow", protocol="Tcp", source_port_range="*",
    destination_port_range="22", source_address_prefix="VirtualNetwork", destination_address_prefix="*")
'''


@pytest.mark.parametrize("code, sdk, expected", [
    (PULUMI_AWS, "pulumi_aws", [("NET-001", "failed", "jenkins", 3), ("NET-001", "failed", "ssh", 7),
                                ("NET-001", "failed", "docker", 11)]),
    (PULUMI_AZURE, "pulumi_azure_native", [("NET-001", "failed", "agents", 3), ("NET-001", "failed", "ssh", 11)]),
], ids=["aws", "azure-native"])
def test_pulumi_through_the_pack(tmp_path, code, sdk, expected):
    if importlib.util.find_spec(sdk) is None:
        pytest.skip(f"{sdk} is not installed")
    from preview_gate import run_gate

    (tmp_path / "__main__.py").write_text(code.lstrip("\n"))
    (tmp_path / "Pulumi.yaml").write_text("name: net-cases\nruntime: python\n")
    report = run_gate(tmp_path, config={"enforcement": {r: "disabled" for r in REGISTRY if r != "NET-001"}})
    assert report.errors == []
    assert sorted(rows(report.findings), key=lambda r: r[3]) == expected


SEPARATE_DENY = '''
resource "azurerm_network_security_group" "agents" {
  name                = "nsg-agents"
  location            = "westeurope"
  resource_group_name = "rg-ci"

  security_rule {
    name                       = "agents"
    priority                   = 200
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_ranges    = ["22", "8080"]
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }
}

resource "azurerm_network_security_rule" "no_ssh" {
  name                        = "no-ssh-from-internet"
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Deny"
  protocol                    = "*"
  source_port_range           = "*"
  destination_port_range      = "22"
  source_address_prefix       = "Internet"
  destination_address_prefix  = "*"
  resource_group_name         = "rg-ci"
  network_security_group_name = azurerm_network_security_group.agents.name
}
'''


def test_terraform_deny_as_its_own_resource_closes_what_it_refuses(tmp_path):
    from hcl_scanner import scan

    (tmp_path / "main.tf").write_text(SEPARATE_DENY)
    result = scan([str(tmp_path)], repo_root=str(tmp_path))
    findings = [f for inv in result.inventories for f in evaluate(inv, Config(), rules=NET)]
    assert [(*r, f.message) for r, f in zip(rows(findings), findings)] == [
        ("NET-001", "failed", "azurerm_network_security_group.agents", 2,
         "security rule 'agents' admits Internet on port 8080 (Jenkins)")]


PULUMI_SEPARATE_DENY = '''
import pulumi_azure_native as azure_native

agents = azure_native.network.NetworkSecurityGroup("agents", resource_group_name="rg-ci", security_rules=[
    {"name": "agents", "priority": 200, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
     "source_address_prefix": "Internet", "source_port_range": "*", "destination_address_prefix": "*",
     "destination_port_ranges": ["22", "8080"]},
])
azure_native.network.SecurityRule("no-ssh", resource_group_name="rg-ci", network_security_group_name=agents.name,
    priority=100, direction="Inbound", access="Deny", protocol="*", source_port_range="*",
    destination_port_range="22", source_address_prefix="Internet", destination_address_prefix="*")
'''


def test_pulumi_deny_as_its_own_resource_closes_what_it_refuses(tmp_path):
    if importlib.util.find_spec("pulumi_azure_native") is None:
        pytest.skip("pulumi_azure_native is not installed")
    from preview_gate import run_gate

    (tmp_path / "__main__.py").write_text(PULUMI_SEPARATE_DENY.lstrip("\n"))
    (tmp_path / "Pulumi.yaml").write_text("name: net-deny\nruntime: python\n")
    report = run_gate(tmp_path, config={"enforcement": {r: "disabled" for r in REGISTRY if r != "NET-001"}})
    assert report.errors == []
    assert [(*r, f.message) for r, f in zip(rows(report.findings), report.findings)] == [
        ("NET-001", "failed", "agents", 3, "security rule 'agents' admits Internet on port 8080 (Jenkins)")]
