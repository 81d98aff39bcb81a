"""An azure-native 3.x program through the gate: mappings, links by real IDs, and registry findings."""

from __future__ import annotations

import pytest

from conftest import PROGRAMS

pytest.importorskip("pulumi_azure_native")

from preview_gate import inventory_of, run_gate  # noqa: E402
from rulebook.model import Ref  # noqa: E402
from rulebook.unknown import Unknown  # noqa: E402

AZURE = PROGRAMS / "azure"
ACR_PUSH = "8311e382-0749-4cb8-b61a-304f252e45ec"


@pytest.fixture(scope="module")
def inventory():
    return inventory_of(AZURE)


def test_resources_map_to_kinds_with_their_lines(inventory):
    assert inventory.errors == []
    got = {(r.kind, r.address, r.location.line) for r in inventory.resources if r.kind != "unmapped"}
    assert got == {("azure.resource_group", "ci", 3), ("azure.acr.registry", "images", 4),
                   ("azure.identity", "deployer", 12), ("azure.federated_credential", "github", 13),
                   ("azure.role_assignment", "push", 21), ("azure.storage.account", "artifacts", 29),
                   ("azure.storage.container", "drops", 38)}
    registry = inventory.by_address("images")
    assert {k: registry.props[k] for k in ("admin_enabled", "public_network_access_enabled",
                                           "network_default_action")} == {
        "admin_enabled": True, "public_network_access_enabled": True, "network_default_action": "Allow"}
    account = inventory.by_address("artifacts")
    assert (account.props["network_default_action"], account.props["ip_rules"],
            account.props["shared_key_access_enabled"]) == ("Deny", ["203.0.113.0/24"], False)
    assert inventory.by_address("drops").props["public_access"] == "none"


def test_links_resolve_through_the_computed_ids(inventory):
    assignment = inventory.by_address("push")
    assert inventory.resolve(assignment.props["scope"]) is inventory.by_address("images")
    assert inventory.resolve(assignment.props["principal_id"]) is inventory.by_address("deployer")
    assert assignment.props["role_definition_id"].endswith(ACR_PUSH)
    credential = inventory.by_address("github")
    assert inventory.resolve(credential.props["identity"]) is inventory.by_address("deployer")
    assert inventory.resolve(inventory.by_address("drops").props["account"]) is inventory.by_address("artifacts")


def test_preview_leaves_computed_ids_unknown_but_follows_the_engines_dependencies():
    """The registry's ID and the identity's principal are unknown in a preview, but the engine says where
    each comes from: the role assignment designates that registry and that identity."""
    preview = inventory_of(AZURE, preview=True)
    assignment = preview.by_address("push")
    assert (assignment.props["scope"], assignment.props["principal_id"]) == (
        Ref("images", "scope"), Ref("deployer", "principalId"))
    assert isinstance(preview.by_address("images").props["id"], Unknown)
    assert preview.by_address("images").props["name"].startswith("images")  # auto-names are known in a preview


def _registry_findings(report):
    return sorted((f.rule_id, f.resource, f.line, f.status.value) for f in report.findings
                  if f.rule_id in ("REG-006", "REG-008"))


def test_registry_findings_and_deploy_identities_setting():
    assert _registry_findings(run_gate(AZURE)) == [("REG-006", "push", 21, "failed"),
                                                   ("REG-008", "images", 4, "failed")]
    configured = run_gate(AZURE, config={"deploy_identities": ["deployer*"]})
    assert _registry_findings(configured) == [("REG-008", "images", 4, "failed")]
