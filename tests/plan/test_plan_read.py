"""Reading hand-written `terraform show -json` plans into the rulebook model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hcl_scanner.plan import read_plan
from rulebook.model import Ref, SourceLocation
from rulebook.policy import PolicyDocument
from rulebook.unknown import Unknown

FIXTURES = Path(__file__).parent / "fixtures"
MODULES_PLAN = FIXTURES / "modules" / "plan.json"
MODULES_REPO = FIXTURES / "modules" / "repo"
AZURE_PLAN = FIXTURES / "azure" / "plan.json"
AZURE_REPO = FIXTURES / "azure" / "repo"


@pytest.fixture(scope="module")
def aws():
    inventory, errors = read_plan(MODULES_PLAN, MODULES_REPO)
    assert errors == []
    return inventory


@pytest.fixture(scope="module")
def azure():
    inventory, errors = read_plan(AZURE_PLAN, AZURE_REPO)
    assert errors == []
    return inventory


def test_addresses_and_kinds_of_a_1x_plan_with_modules_count_and_for_each(aws):
    assert {r.address: r.kind for r in aws.resources if not r.kind.startswith("terraform.")} == {
        "aws_ecr_repository.app": "aws.ecr.repository",
        "aws_iam_access_key.dev": "aws.iam.access_key",
        "aws_iam_openid_connect_provider.github": "aws.iam.oidc_provider",
        "aws_iam_policy.push": "aws.iam.policy",
        "aws_iam_role.ci": "aws.iam.role",
        "aws_iam_role_policy_attachment.ci_push": "aws.iam.policy_attachment",
        "aws_iam_role_policy_attachment.deploy_push": "aws.iam.policy_attachment",
        "aws_iam_user.dev": "aws.iam.user",
        "aws_s3_bucket.artifacts[0]": "aws.s3.bucket",
        "aws_s3_bucket.artifacts[1]": "aws.s3.bucket",
        "aws_s3_bucket_public_access_block.artifacts[0]": "aws.s3.public_access_block",
        "aws_s3_bucket_public_access_block.artifacts[1]": "aws.s3.public_access_block",
        'module.ci["build"].aws_iam_role.this': "aws.iam.role",
        'module.ci["build"].aws_iam_role_policy.pull': "aws.iam.inline_policy",
        'module.ci["deploy"].aws_iam_role.this': "aws.iam.role",
        'module.ci["deploy"].aws_iam_role_policy.pull': "aws.iam.inline_policy",
        "module.logs.aws_s3_bucket.default[0]": "aws.s3.bucket",
        "provider.aws": "aws.provider",  # configuration.provider_config
    }
    assert {r.engine for r in aws.resources} == {"terraform-plan"}
    assert aws.by_address("aws_iam_role.ci").native_type == "aws_iam_role"


def test_delete_only_change_is_skipped(aws):
    assert aws.by_address("aws_iam_user.old") is None


def test_known_values_and_tags(aws):
    role = aws.by_address("aws_iam_role.ci")
    assert role.props["name"] == "ci-app"
    assert role.tags == {"cicd-stage": "build"}
    trust = role.props["assume_role_policy"]
    assert isinstance(trust, PolicyDocument)
    [statement] = trust.statements
    assert statement.actions == ("sts:AssumeRoleWithWebIdentity",)
    assert statement.principals == {"Federated": ("arn:aws:iam::111122223333:oidc-provider/"
                                                  "token.actions.githubusercontent.com",)}
    assert [(c.operator, c.key, c.values) for c in statement.conditions] == [
        ("StringLike", "token.actions.githubusercontent.com:sub", ("repo:acme/app:*",))]
    assert ("tags.cicd-stage", "build") in role.values
    assert aws.by_address("aws_ecr_repository.app").props == {
        "name": "app", "arn": Ref("aws_ecr_repository.app", "arn"), "image_tag_mutability": "MUTABLE",
        "public": False}
    assert aws.by_address("aws_iam_openid_connect_provider.github").props["client_id_list"] == ["sts.amazonaws.com"]


def test_unknown_links_become_refs_through_references(aws):
    attach = aws.by_address("aws_iam_role_policy_attachment.ci_push")
    assert attach.props == {"policy_arn": Ref("aws_iam_policy.push", "arn"), "roles": ["ci-app"]}
    # the attached policy and the role resolve in the inventory
    assert aws.resolve(attach.props["policy_arn"]) is aws.by_address("aws_iam_policy.push")
    assert aws.resolve("ci-app") is aws.by_address("aws_iam_role.ci")


def test_count_index_reference_keeps_the_instance_key(aws):
    for i in (0, 1):
        block = aws.by_address(f"aws_s3_bucket_public_access_block.artifacts[{i}]")
        assert block.props == {"bucket": Ref(f"aws_s3_bucket.artifacts[{i}]", "id"), "block_public_acls": True,
                               "block_public_policy": True, "ignore_public_acls": True,
                               "restrict_public_buckets": False}
        assert aws.resolve(block.props["bucket"]) is aws.by_address(f"aws_s3_bucket.artifacts[{i}]")


def test_module_instance_references_keep_the_module_key(aws):
    for key in ("build", "deploy"):
        inline = aws.by_address(f'module.ci["{key}"].aws_iam_role_policy.pull')
        assert inline.props["identity"] == Ref(f'module.ci["{key}"].aws_iam_role.this', "id")
        assert inline.props["identity_type"] == "role"
        role = aws.by_address(f'module.ci["{key}"].aws_iam_role.this')
        assert role.props["name"] == f"ci-{key}"
        assert role.props["arn"] == Ref(f'module.ci["{key}"].aws_iam_role.this', "arn")


def test_a_policy_unknown_in_the_plan_is_read_from_the_tf_sources_with_a_repo_root(aws):
    """jsonencode(...) of an ARN known only after apply is unknown as a whole in the plan; the .tf
    sources (evaluated with the plan's variables) give the document, naming the repository."""
    for key in ("build", "deploy"):
        inline = aws.by_address(f'module.ci["{key}"].aws_iam_role_policy.pull')
        (statement,) = inline.props["policy"].statements
        assert (statement.actions, statement.resources) == (
            ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"), (Ref("aws_ecr_repository.app", "arn"),))
        assert inline.notes == ["policy is known only after apply in the plan: read from the .tf sources with "
                                "the plan's variable values"]


def test_without_sources_that_policy_stays_unknown_with_where_it_comes_from():
    inventory, errors = read_plan(MODULES_PLAN, None)
    assert errors == []
    for key in ("build", "deploy"):
        inline = inventory.by_address(f'module.ci["{key}"].aws_iam_role_policy.pull')
        # the reason names the resource behind the module variable
        assert inline.props["policy"] == Unknown(
            "known after apply (computed from var.repository_arn (aws_ecr_repository.app.arn))")
        assert inline.notes == []


def test_module_output_reference_is_followed_to_the_resource(aws):
    attach = aws.by_address("aws_iam_role_policy_attachment.deploy_push")
    assert attach.props["roles"] == [Ref('module.ci["deploy"].aws_iam_role.this', "id")]
    assert aws.resolve(attach.props["roles"][0]) is aws.by_address('module.ci["deploy"].aws_iam_role.this')


def test_deferred_policy_document_is_rebuilt_from_its_statements(aws):
    policy = aws.by_address("aws_iam_policy.push").props["policy"]
    assert isinstance(policy, PolicyDocument)
    push, auth = policy.statements
    assert (push.sid, push.effect, push.actions, push.resources) == (
        "Push", "Allow", ("ecr:InitiateLayerUpload", "ecr:PutImage"), (Ref("aws_ecr_repository.app", "arn"),))
    assert (auth.sid, auth.actions, auth.resources) == ("Auth", ("ecr:GetAuthorizationToken",), ("*",))
    assert policy.unknowns == ()


def test_computed_attributes_not_in_configuration_are_left_out(aws):
    bucket = aws.by_address("aws_s3_bucket.artifacts[0]")
    # acl, grant and policy are provider-computed (not set in configuration): no prop, not Unknown
    assert bucket.props == {"bucket": "acme-artifacts-0", "arn": Ref("aws_s3_bucket.artifacts[0]", "arn")}


def test_sensitive_values_are_noted(aws):
    key = aws.by_address("aws_iam_access_key.dev")
    assert key.props == {"user": "dev", "status": "Active"}
    assert key.notes == ["plan marks sensitive: secret, ses_smtp_password_v4"]


def test_locations_point_at_tf_lines_in_root_and_module(aws):
    assert aws.by_address("aws_iam_role.ci").location == SourceLocation("infra/main.tf", 27, 33)
    assert aws.by_address("aws_s3_bucket.artifacts[1]").location == SourceLocation("infra/main.tf", 64, 67)
    inner = aws.by_address('module.ci["deploy"].aws_iam_role_policy.pull').location
    assert (inner.file, inner.line, inner.end_line) == ("modules/ci_role/main.tf", 21, 32)
    assert inner.called_from == SourceLocation("infra/main.tf", 86, 92)


def test_remote_module_resources_fall_back_to_the_plan_file_with_a_note(aws):
    bucket = aws.by_address("module.logs.aws_s3_bucket.default[0]")
    assert bucket.location == SourceLocation(str(MODULES_PLAN))
    assert bucket.notes == ["module source 'cloudposse/s3-bucket/aws' is not a local directory under the repo root"]
    assert bucket.props["grants"] == [{"type": "CanonicalUser", "uri": "", "id": "0a1b2c",
                                       "permissions": ["FULL_CONTROL"]}]
    assert bucket.tags == {"Name": "acme-logs"}


def test_without_repo_root_every_location_is_the_plan_file():
    inventory, errors = read_plan(MODULES_PLAN, None)
    assert errors == []
    assert {r.location for r in inventory.resources} == {SourceLocation(str(MODULES_PLAN))}
    assert all(not n.startswith("module source") for r in inventory.resources for n in r.notes)


def test_deferred_document_missing_from_values_is_read_from_configuration(tmp_path):
    data = json.loads(MODULES_PLAN.read_text())
    data["resource_changes"] = [c for c in data["resource_changes"]
                                if c["address"] != "data.aws_iam_policy_document.push"]
    data["planned_values"]["root_module"]["resources"] = [
        r for r in data["planned_values"]["root_module"]["resources"]
        if r["address"] != "data.aws_iam_policy_document.push"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    inventory, errors = read_plan(path, None)
    assert errors == []
    policy = inventory.by_address("aws_iam_policy.push").props["policy"]
    push, auth = policy.statements
    assert (push.sid, push.actions, push.resources) == (
        "Push", ("ecr:PutImage", "ecr:InitiateLayerUpload"), (Ref("aws_ecr_repository.app", "arn"),))
    assert (auth.sid, auth.resources) == ("Auth", ("*",))


def test_unresolvable_unknown_stays_unknown_known_after_apply(tmp_path):
    data = json.loads(MODULES_PLAN.read_text())
    del data["configuration"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    inventory, errors = read_plan(path, None)
    assert errors == []
    assert inventory.by_address("aws_iam_role_policy_attachment.ci_push").props["policy_arn"] == Unknown(
        "known after apply")
    assert inventory.by_address("aws_iam_policy.push").props["policy"] == Unknown("known after apply")
    # without configuration nothing tells computed attributes from user settings: they stay Unknown
    assert inventory.by_address("aws_s3_bucket.artifacts[0]").props["acl"] == Unknown("known after apply")


# --- azurerm, format_version 0.2 -------------------------------------------------------------------

def test_azure_plan_kinds_and_locations(azure):
    assert {r.address: (r.kind, r.location.line) for r in azure.resources} == {
        "azurerm_resource_group.ci": ("azure.resource_group", 1),
        "azurerm_container_registry.acr": ("azure.acr.registry", 6),
        "azurerm_container_registry_token.ci": ("unmapped", 23),
        "azurerm_container_registry_token_password.ci": ("azure.acr.token_password", 30),
        "azurerm_user_assigned_identity.deployer": ("azure.identity", 35),
        "data.azurerm_role_definition.acrpush": ("azure.role_definition", 44),
        "azurerm_role_assignment.deployer_push": ("azure.role_assignment", 48),
        "azurerm_role_definition.registry_admin": ("azure.role_definition", 55),
        "azurerm_federated_identity_credential.github": ("azure.federated_credential", 66),
        "azurerm_storage_account.artifacts": ("azure.storage.account", 75),
        "azurerm_storage_account_network_rules.artifacts": ("azure.storage.network_rules", 84),
        "azurerm_storage_container.builds": ("azure.storage.container", 90),
    }
    assert {r.location.file for r in azure.resources} == {"main.tf"}


def test_azure_registry_and_role_assignment(azure):
    assert azure.by_address("azurerm_container_registry.acr").props == {
        "name": "acmeci", "id": Ref("azurerm_container_registry.acr", "id"), "admin_enabled": True,
        "anonymous_pull_enabled": False, "public_network_access_enabled": True,
        "network_default_action": "Allow", "ip_rules": ["203.0.113.0/24"]}
    assignment = azure.by_address("azurerm_role_assignment.deployer_push")
    assert assignment.props == {
        "scope": Ref("azurerm_resource_group.ci", "id"),
        "role_definition_id": "/subscriptions/00000000-0000-0000-0000-000000000000/providers/"
                              "Microsoft.Authorization/roleDefinitions/8311e382-0749-4cb8-b61a-304f252e45ec",
        "principal_id": Ref("azurerm_user_assigned_identity.deployer", "principal_id"),
        "principal_type": "ServicePrincipal"}
    assert azure.resolve(assignment.props["principal_id"]) is azure.by_address("azurerm_user_assigned_identity.deployer")
    assert azure.resolve(assignment.props["role_definition_id"]) is azure.by_address("data.azurerm_role_definition.acrpush")
    assert azure.by_address("azurerm_user_assigned_identity.deployer").tags == {"cicd-stage": "deploy"}


def test_azure_role_definitions(azure):
    builtin = azure.by_address("data.azurerm_role_definition.acrpush")
    assert (builtin.props["name"], builtin.props["role_definition_id"], builtin.props["actions"]) == (
        "AcrPush", "8311e382-0749-4cb8-b61a-304f252e45ec",
        ["Microsoft.ContainerRegistry/registries/pull/read", "Microsoft.ContainerRegistry/registries/push/write"])
    custom = azure.by_address("azurerm_role_definition.registry_admin")
    assert custom.props == {
        "name": "registry-admin", "id": Ref("azurerm_role_definition.registry_admin", "role_definition_resource_id"),
        "scope": Ref("azurerm_resource_group.ci", "id"), "assignable_scopes": [Ref("azurerm_resource_group.ci", "id")],
        "actions": ["Microsoft.ContainerRegistry/*"], "not_actions": ["Microsoft.ContainerRegistry/registries/delete"],
        "data_actions": [], "not_data_actions": []}


def test_azure_storage_credentials_and_federation(azure):
    assert azure.by_address("azurerm_storage_account.artifacts").props == {
        "name": "acmeartifacts", "id": Ref("azurerm_storage_account.artifacts", "id"),
        "public_network_access_enabled": True, "allow_blob_public_access": False,
        "shared_key_access_enabled": True}
    assert azure.by_address("azurerm_storage_account_network_rules.artifacts").props == {
        "account": Ref("azurerm_storage_account.artifacts", "id"), "network_default_action": "Deny",
        "ip_rules": ["198.51.100.0/24"]}
    assert azure.by_address("azurerm_storage_container.builds").props == {
        "account": "acmeartifacts", "public_access": "blob"}
    password = azure.by_address("azurerm_container_registry_token_password.ci")
    assert password.props == {"token": Ref("azurerm_container_registry_token.ci", "id")}
    assert password.notes == ["plan marks sensitive: password1[0].value"]
    assert azure.by_address("azurerm_federated_identity_credential.github").props == {
        "identity": Ref("azurerm_user_assigned_identity.deployer", "id"),
        "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:acme/app:ref:refs/heads/main",
        "audiences": ["api://AzureADTokenExchange"]}


INLINE_PLAN = FIXTURES / "inline" / "plan.json"


def test_an_inline_policy_block_unknown_in_the_plan_is_read_from_its_block_in_the_sources():
    """The plan lists inline_policy blocks in its own order with the pull policy unknown; the block of
    the same name in the sources gives it. The known block is kept as the plan has it."""
    pull, notes = None, []
    for repo in (None, FIXTURES / "inline" / "repo"):
        inventory, errors = read_plan(INLINE_PLAN, repo)
        assert errors == []
        role = inventory.by_address("aws_iam_role.ci")
        auth, pull = role.props["inline_policies"]
        notes.append(role.notes)
        assert [(s.actions, s.resources) for s in auth.statements] == [(("ecr:GetAuthorizationToken",), ("*",))]
        if repo is None:
            assert pull == Unknown("known after apply (computed from aws_ecr_repository.app.arn)")
    assert [(s.actions, s.resources) for s in pull.statements] == [
        (("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"), (Ref("aws_ecr_repository.app", "arn"),))]
    assert notes == [[], ["inline_policy.policy is known only after apply in the plan: read from the .tf sources "
                          "with the plan's variable values"]]


def test_sources_of_another_commit_are_not_read(tmp_path):
    """The block refers to another repository in these sources than in the plan's configuration: the
    plan's unknown stays unknown, and the resource says why."""
    repo = tmp_path / "repo"
    repo.mkdir()
    text = (FIXTURES / "inline" / "repo" / "main.tf").read_text("utf-8")
    (repo / "main.tf").write_text(text.replace("Resource = aws_ecr_repository.app.arn",
                                               "Resource = aws_ecr_repository.cache.arn")
                                  + 'resource "aws_ecr_repository" "cache" {\n  name = "acme/cache"\n}\n', "utf-8")
    inventory, errors = read_plan(INLINE_PLAN, repo)
    assert errors == []
    role = inventory.by_address("aws_iam_role.ci")
    assert role.props["inline_policies"][1] == Unknown("known after apply (computed from aws_ecr_repository.app.arn)")
    assert role.notes == ["the block in the .tf sources does not refer to what the plan's configuration does "
                          "(sources of another commit?): values the plan leaves unknown are not read from them"]
    assert role.location.line == 12  # the block is still found for its location
