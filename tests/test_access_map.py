"""The access map: who can pull, push, list and administer each registry, through what, reached by whom;
its three renderings and the `access-map` subcommand."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from builders import make
from cicd_guard import cli
from rulebook.access_map import build, render, render_mermaid
from rulebook.model import Inventory, Ref
from rulebook.unknown import Unknown

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = "111122223333"
APP = f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/acme/app"
OIDC = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
ACR_ID = "/subscriptions/0000/resourceGroups/rg-ci/providers/Microsoft.ContainerRegistry/registries/acmeci"


def trust(subject: str) -> dict:
    return {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                           "Principal": {"Federated": OIDC},
                           "Condition": {"StringEquals": {"token.actions.githubusercontent.com:sub": subject}}}]}


def role(name: str, statements: list, subject: str, stage: str | None = None):
    r = make("aws.iam.role", f"aws_iam_role.{name}", name=name, arn=f"arn:aws:iam::{ACCOUNT}:role/{name}",
             assume_role_policy=trust(subject), inline_policies=[{"Statement": statements}])
    if stage:
        r.tags = {"cicd-stage": stage}
    return r


def aws_inventory() -> Inventory:
    repo = make("aws.ecr.repository", "aws_ecr_repository.app", name="acme/app", arn=APP,
                image_tag_mutability="IMMUTABLE")
    build_role = role("build", [{"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                                 "Resource": APP}], "repo:acme/app:ref:refs/heads/main", "build")
    deploy = role("deploy", [{"Sid": "Push", "Effect": "Allow", "Action": ["ecr:PutImage", "ecr:UploadLayerPart"],
                              "Resource": Ref("aws_ecr_repository.app", "arn")}],
                  "repo:acme/app:environment:prod", "deploy")
    user = make("aws.iam.user", "aws_iam_user.dev", name="dev")
    group = make("aws.iam.group", "aws_iam_group.ops", name="ops")
    member = make("aws.iam.group_membership", "aws_iam_group_membership.ops", groups=["ops"], users=["dev"])
    full = make("aws.iam.policy_attachment", "aws_iam_group_policy_attachment.ops", groups=["ops"],
                policy_arn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly")
    public = make("aws.ecr.repository_policy", "aws_ecr_repository_policy.app", repository="acme/app", policy={
        "Statement": [{"Sid": "Org", "Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage",
                       "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}},
                      {"Sid": "Deploy", "Effect": "Allow", "Principal": {"AWS": Ref("aws_iam_role.deploy", "arn")},
                       "Action": "ecr:DescribeImages"}]})
    later = role("later", [{"Effect": "Allow", "Action": "ecr:PutImage", "Resource": Unknown("module.repo.arn")}],
                 "repo:acme/app:ref:refs/heads/main")
    return Inventory([repo, build_role, deploy, user, group, member, full, public, later])


def by_holder(entry) -> dict:
    out: dict = {}
    for access in entry.accesses:
        out.setdefault(access.holder, set()).add((access.capability, access.certain))
    return out


def test_aws_map_lists_every_capability_with_its_source():
    access_map = build(aws_inventory())
    (entry,) = access_map.registries
    assert entry.label == "ECR repository acme/app" and entry.address == "aws_ecr_repository.app"
    assert by_holder(entry) == {
        "role build": {("pull", True)},
        "role deploy": {("push", True), ("enumerate", True)},
        "group ops": {("pull", True), ("enumerate", True)},
        "user dev": {("pull", True), ("enumerate", True)},
        "everyone (Principal *)": {("pull", True)},
        "role later": {("push", False)},
    }
    public = next(a for a in entry.accesses if a.holder == "everyone (Principal *)")
    assert public.through == "statement 'Org' of aws_ecr_repository_policy.app"
    assert public.reason == "only under conditions on aws:PrincipalOrgID"
    later = next(a for a in entry.accesses if a.holder == "role later")
    assert later.reason == "module.repo.arn" and later.actions == ("ecr:PutImage",)
    dev_pull = next(a for a in entry.accesses if a.holder == "user dev" and a.capability == "pull")
    assert dev_pull.through == ("statement #1 of AWS managed policy AmazonEC2ContainerRegistryReadOnly attached by "
                                "aws_iam_group_policy_attachment.ops (via group aws_iam_group.ops)")


def test_who_reaches_each_identity():
    holders = {h.label: (h.reached_by, h.roles) for h in build(aws_inventory()).holders}
    assert holders == {
        "role build": (["repo:acme/app:ref:refs/heads/main (token.actions.githubusercontent.com: repository acme/app, "
                        "branch main)"], ["cicd"]),
        "role deploy": (["repo:acme/app:environment:prod (token.actions.githubusercontent.com: repository acme/app, "
                         "environment prod)"], ["cicd", "deploy"]),
        "user dev": (["IAM user dev (a person or long-lived keys)"], []),
        "group ops": (["IAM user dev"], []),
        "role later": (["repo:acme/app:ref:refs/heads/main (token.actions.githubusercontent.com: repository acme/app, "
                        "branch main)"], ["cicd"]),
    }


def test_trust_without_subject_and_services():
    any_subject = make("aws.iam.role", "aws_iam_role.open", name="open", assume_role_policy={"Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
         "Principal": {"Federated": Ref("aws_iam_openid_connect_provider.gh", "arn")}},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "codebuild.amazonaws.com"}}]},
        inline_policies=[{"Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}])
    provider = make("aws.iam.oidc_provider", "aws_iam_openid_connect_provider.gh",
                    url="https://token.actions.githubusercontent.com")
    access_map = build(Inventory([any_subject, provider]))
    (entry,) = access_map.registries  # no repository declared: the account's registry
    assert entry.label == "ECR registry (every repository of the account)"
    assert {a.capability for a in entry.accesses} == {"pull", "push", "enumerate", "administer"}
    (holder,) = access_map.holders
    assert holder.reached_by == ["any subject of token.actions.githubusercontent.com (no condition on "
                                 "token.actions.githubusercontent.com:sub)", "service codebuild.amazonaws.com"]


def azure_inventory() -> Inventory:
    registry = make("azure.acr.registry", "azurerm_container_registry.ci", name="acmeci", id=ACR_ID,
                    admin_enabled=True, anonymous_pull_enabled=False)
    ident = make("azure.identity", "azurerm_user_assigned_identity.deploy", name="id-deploy", principal_id="p1",
                 principal_type="ServicePrincipal")
    ident.tags = {"cicd-stage": "deploy"}
    cred = make("azure.federated_credential", "azurerm_federated_identity_credential.deploy",
                identity=Ref("azurerm_user_assigned_identity.deploy", "id"),
                issuer="https://token.actions.githubusercontent.com", subject="repo:acme/app:environment:prod")
    push = make("azure.role_assignment", "azurerm_role_assignment.push",
                scope=Ref("azurerm_container_registry.ci", "id"), role_definition_name="AcrPush",
                principal_id=Ref("azurerm_user_assigned_identity.deploy", "principal_id"))
    reader = make("azure.role_assignment", "azurerm_role_assignment.reader", scope="/subscriptions/0000",
                  role_definition_name="Reader", principal_id="00000000-0000-0000-0000-000000000009",
                  principal_type="User")
    blob = make("azure.role_assignment", "azurerm_role_assignment.blob", scope=Ref("azurerm_storage_account.a", "id"),
                role_definition_name="Storage Blob Data Reader", principal_id="p1")
    account = make("azure.storage.account", "azurerm_storage_account.a", name="a")
    return Inventory([registry, ident, cred, push, reader, blob, account])


def test_azure_map():
    access_map = build(azure_inventory())
    (entry,) = access_map.registries
    assert entry.label == "ACR registry acmeci"
    assert by_holder(entry) == {
        "admin user (shared password)": {("pull", True), ("push", True), ("administer", True)},
        "identity id-deploy": {("pull", True), ("push", True)},
        # Reader: its */read covers Microsoft.ContainerRegistry/registries/pull/read
        "principal 00000000-0000-0000-0000-000000000009": {("enumerate", True), ("pull", True)},
    }
    reader = next(a for a in entry.accesses if a.capability == "enumerate")
    assert reader.through == "built-in role Reader (azurerm_role_assignment.reader) on subscription /subscriptions/0000"
    (holder,) = access_map.holders
    assert holder.reached_by == ["repo:acme/app:environment:prod (token.actions.githubusercontent.com: repository "
                                 "acme/app, environment prod)"]
    assert holder.roles == ["cicd", "deploy"]


def test_text_rendering_is_a_table():
    text = render(build(aws_inventory()), "text")
    lines = text.splitlines()
    assert re.split(r"\s{2,}", lines[0]) == ["REGISTRY", "IDENTITY", "CAN", "THROUGH", "REACHED BY"]
    assert lines[1].startswith("ECR repository acme/app  everyone (Principal *)  pull")
    assert any(re.match(r"^\s+role later\s+push \(maybe\)\s+statement #1 of inline policy of aws_iam_role.later "
                        r"\[module.repo.arn\]", line) for line in lines)
    assert render(build(Inventory([])), "text") == "No container registry, artifact store or access to one found.\n"


def test_json_rendering():
    data = json.loads(render([build(aws_inventory(), title="stack")], "json"))
    (stack,) = data
    assert stack["title"] == "stack" and stack["registries"][0]["registry"] == "ECR repository acme/app"
    first = stack["registries"][0]["access"][0]
    assert set(first) == {"capability", "holder", "holder_address", "through", "actions", "certain", "reason"}
    assert {i["identity"] for i in stack["identities"]} == {"role build", "role deploy", "user dev", "group ops",
                                                            "role later"}


def test_mermaid_rendering():
    text = render_mermaid([build(aws_inventory())])
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert '  r1[("ECR repository acme/app")]:::registry' in lines
    ids = {m.group(2): m.group(1) for m in (re.match(r'\s+(i\d+)\["(.*)"\]:::identity', line) for line in lines) if m}
    assert ids["role deploy (cicd, deploy)"] and ids["role later (cicd)"]
    assert f'  {ids["role deploy (cicd, deploy)"]} -->|"push, enumerate"| r1' in lines
    assert f'  {ids["role later (cicd)"]} -.->|"push?"| r1' in lines  # not certain: dashed
    assert f'  class {ids["role deploy (cicd, deploy)"]} push' in lines
    assert sum(1 for line in lines if "-->|assumes|" in line) == 5
    assert len(lines) == len(set(lines))


def test_mermaid_escapes_markup():
    weird = make("aws.iam.role", "aws_iam_role.x", name='a"b<c>#d', assume_role_policy={"Statement": []},
                 inline_policies=[{"Statement": [{"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*"}]}])
    text = render_mermaid([build(Inventory([weird]))])
    assert 'role a#quot;b#lt;c#gt;#35;d' in text and '"b<' not in text


def test_render_rejects_unknown_format():
    with pytest.raises(ValueError):
        render(build(Inventory([])), "dot")


# --- the subcommand ------------------------------------------------------------------------------------


def test_cli_access_map_terraform_formats(tmp_path, capsys):
    stack = str(ROOT / "reference_stacks" / "aws-terraform")
    assert cli.main(["access-map", stack]) == 0
    out = capsys.readouterr().out
    assert "ECR repository acme/app  role ci-build" in out and "role ci-deploy  push" in out
    target = tmp_path / "map.mmd"
    assert cli.main(["access-map", stack, "--format", "mermaid", "--output", str(target)]) == 0
    assert target.read_text().startswith("flowchart LR\n")
    assert cli.main(["access-map", stack, "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["registry"] for r in data[0]["registries"]] == ["ECR repository acme/app"]


def test_cli_access_map_bad_input_exits_2_and_keeps_the_rest(tmp_path, capsys):
    good = tmp_path / "good"
    good.mkdir()
    (good / "main.tf").write_text('resource "aws_ecr_repository" "app" {\n  name = "app"\n}\n')
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "main.tf").write_text('resource "aws_ecr_repository" "x" {\n  name = \n')
    assert cli.main(["access-map", str(good), str(bad)]) == 2
    captured = capsys.readouterr()
    assert "ECR repository app" in captured.out and "main.tf" in captured.err


def test_cli_access_map_argument_errors(tmp_path, capsys):
    assert cli.main(["access-map"]) == 2
    assert "give at least one PATH" in capsys.readouterr().err
    assert cli.main(["access-map", str(tmp_path), "--gate", str(tmp_path)]) == 2
    assert "not both" in capsys.readouterr().err
    assert cli.main(["access-map", "--gate", str(tmp_path / "missing")]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_cli_access_map_gate(capsys):
    pytest.importorskip("pulumi_aws")
    stack = ROOT / "reference_stacks" / "aws-pulumi"
    outputs = f"acme/cicd-reference-aws-network/dev={stack / 'network' / 'outputs.dev.json'}"
    assert cli.main(["access-map", "--gate", str(stack), "--stack-outputs", outputs]) == 0
    out = capsys.readouterr().out
    assert "role ci-build" in out and "role ci-deploy  push" in out and "unknown" not in out
    # the bucket policy's endpoint is the network stack's, read through the stack reference
    assert ("S3 bucket ci-acme-app-artifacts-eu-west-1: VPC endpoint vpce-0f3a2b1c4d5e6f708 (objects: reads and "
            "writes only from there, statement 'DenyOutsideCiNetwork')") in out
    assert ("repo:acme/app:environment:production (token.actions.githubusercontent.com: repository acme/app, "
            "environment production)") in out


def test_cli_access_map_uses_the_config(tmp_path, capsys):
    config = tmp_path / "cicd-guard.yaml"
    config.write_text("deploy_identities: ['ci-build']\n")
    assert cli.main(["access-map", str(ROOT / "reference_stacks" / "aws-terraform"), "-f", "json",
                     "--config", str(config)]) == 0
    data = json.loads(capsys.readouterr().out)
    roles = {i["identity"]: i["classification"] for i in data[0]["identities"]}
    assert roles["role ci-build"] == ["cicd", "deploy"]


def test_docs_example_matches_the_reference_stack(capsys):
    """docs/access-map.md shows the real output; regenerate it when the map or the stack changes."""
    doc = (ROOT / "docs" / "access-map.md").read_text("utf-8")
    for args in (["reference_stacks/aws-terraform"], ["reference_stacks/aws-terraform", "--format", "mermaid"],
                 ["reference_stacks/examples/aws-terraform-insecure", "--format", "mermaid"]):
        assert cli.main(["access-map", *(str(ROOT / a) if a.startswith("reference") else a for a in args)]) == 0
        assert capsys.readouterr().out.rstrip() in doc, args


def test_a_policy_unknown_at_plan_time_is_shown_not_dropped():
    repo = make("aws.ecr.repository", "aws_ecr_repository.app", name="acme/app", arn=APP)
    ci = make("aws.iam.role", "aws_iam_role.ci", name="ci",
              assume_role_policy=trust("repo:acme/app:ref:refs/heads/main"))
    inline = make("aws.iam.inline_policy", "aws_iam_role_policy.ci", identity="ci", identity_type="role",
                  policy=Unknown("rendered by module.policy"))
    (entry,) = build(Inventory([repo, ci, inline])).registries
    (access,) = entry.accesses
    assert (access.capability, access.holder, access.certain, access.reason) == (
        "unknown", "role ci", False, "rendered by module.policy")
    text = render(build(Inventory([repo, ci, inline])), "text")
    assert re.search(r"role ci +unknown \(maybe\) +policy of aws_iam_role_policy.ci "
                     r"\[rendered by module.policy\]", text)


def _reached(condition: dict, federated: str = OIDC) -> list[str]:
    repo = make("aws.ecr.repository", "aws_ecr_repository.app", name="acme/app", arn=APP)
    ci = make("aws.iam.role", "aws_iam_role.ci", name="ci", assume_role_policy={"Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": federated},
         "Condition": condition}]},
        inline_policies=[{"Statement": [{"Effect": "Allow", "Action": "ecr:PutImage", "Resource": APP}]}])
    (holder,) = build(Inventory([repo, ci])).holders
    return holder.reached_by


GH = "token.actions.githubusercontent.com"


@pytest.mark.parametrize("condition, federated, expected", [
    # a negated operator admits every subject but the ones it names: never shown as "the subjects"
    ({"StringNotLike": {f"{GH}:sub": "repo:evil/*"}}, OIDC,
     [f"any subject of {GH} (StringNotLike on {GH}:sub does not bound it)"]),
    ({"StringLike": {f"{GH}:sub": "repo:acme/*"}}, OIDC,
     [f"repo:acme/* ({GH}: any repository of acme matching acme/*, any branch, tag, environment or pull request)"]),
    ({"ForAnyValue:StringLike": {f"{GH}:sub": ["repo:acme/app:pull_request", "repo:acme/app:ref:refs/heads/main"]}},
     OIDC, [f"repo:acme/app:pull_request ({GH}: repository acme/app, pull requests)",
            f"repo:acme/app:ref:refs/heads/main ({GH}: repository acme/app, branch main)"]),
    # two entries on sub AND together: the one that pins a repository is what reaches the role
    ({"StringLike": {f"{GH}:sub": "repo:acme/*"}, "StringEquals": {f"{GH}:sub": "repo:acme/app:environment:prod"}},
     OIDC, [f"repo:acme/app:environment:prod ({GH}: repository acme/app, environment prod)"]),
    ({"StringLike": {f"{GH}:sub": "repo:acme/app:*", f"{GH}:job_workflow_ref": "acme/w/.github/workflows/d.yml@v1"}},
     OIDC, [f"repo:acme/app:* ({GH}: repository acme/app, any branch, tag, environment or pull request); "
            f"job_workflow_ref acme/w/.github/workflows/d.yml@v1"]),
    ({"StringEquals": {f"{GH}/acme-corp:sub": "repo:acme/app:environment:prod"}}, f"{OIDC}/acme-corp",
     [f"repo:acme/app:environment:prod ({GH}/acme-corp: repository acme/app, environment prod)"]),
    ({"StringEquals": {"gitlab.com:sub": "project_path:acme/app:ref_type:branch:ref:main"}},
     f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.com",
     ["project_path:acme/app:ref_type:branch:ref:main (gitlab.com: project acme/app, branch main)"]),
])
def test_reached_by_names_the_exact_subjects(condition, federated, expected):
    assert _reached(condition, federated) == expected


def test_reached_by_reads_flexible_federated_credentials():
    inventory = azure_inventory()
    cred = inventory.by_address("azurerm_federated_identity_credential.deploy")
    cred.props.update(subject=None, claims_matching_expression="claims['sub'] matches 'repo:acme/app:ref:refs/heads/*'")
    (holder,) = build(inventory).holders
    assert holder.reached_by == [f"repo:acme/app:ref:refs/heads/* ({GH}: repository acme/app, any branch matching "
                                 f"refs/heads/*)"]
