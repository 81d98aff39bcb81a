"""Linking and document rebuilding on small hand-written plans (one concern per plan)."""

from __future__ import annotations

import json
from pathlib import Path

from hcl_scanner.plan import read_plan
from rulebook.policy_document import render
from rulebook.model import Ref, SourceLocation
from rulebook.policy import parse_policy
from rulebook.unknown import Unknown


def _change(address: str, after: dict, unknown: dict, module: str = "", index=None, actions=("create",)) -> dict:
    parts = (address[len(module) + 1:] if module else address).split("[")[0].split(".")
    mode, tf_type, name = ("data" if parts[0] == "data" else "managed"), parts[-2], parts[-1]
    change = {"address": address, "mode": mode, "type": tf_type, "name": name,
              "provider_name": "registry.terraform.io/hashicorp/aws",
              "change": {"actions": list(actions), "before": None, "after": after, "after_unknown": unknown,
                         "before_sensitive": False, "after_sensitive": {}}}
    if module:
        change["module_address"] = module
    if index is not None:
        change["index"] = index
    return change


def _conf(tf_type: str, name: str, expressions: dict, mode: str = "managed", **extra) -> dict:
    prefix = "data." if mode == "data" else ""
    return {"address": f"{prefix}{tf_type}.{name}", "mode": mode, "type": tf_type, "name": name,
            "provider_config_key": "aws", "expressions": expressions, "schema_version": 0, **extra}


def _plan(tmp_path: Path, changes: list[dict], root: dict, version: str = "1.2"):
    data = {"format_version": version, "terraform_version": "1.6.6",
            "planned_values": {"root_module": {}}, "resource_changes": changes,
            "configuration": {"root_module": root}}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    inventory, errors = read_plan(path, None)
    assert errors == []
    return inventory


def test_for_each_key_reference(tmp_path):
    changes = [_change(f'aws_iam_role.ci["{k}"]', {"name": f"ci-{k}"}, {"arn": True, "id": True}, index=k)
               for k in ("a", "b")]
    changes += [_change(f'aws_iam_role_policy.ci["{k}"]', {"name": "p", "policy": '{"Statement": []}'},
                        {"role": True, "id": True}, index=k) for k in ("a", "b")]
    inventory = _plan(tmp_path, changes, {"resources": [
        _conf("aws_iam_role", "ci", {"name": {"references": ["each.key"]}},
              for_each_expression={"constant_value": ["a", "b"]}),
        _conf("aws_iam_role_policy", "ci", {"role": {"references": ["aws_iam_role.ci", "each.key"]},
                                            "policy": {"constant_value": '{"Statement": []}'}},
              for_each_expression={"constant_value": ["a", "b"]})]})
    assert inventory.by_address('aws_iam_role_policy.ci["b"]').props["identity"] == Ref('aws_iam_role.ci["b"]', "id")


def test_multi_instance_reference_without_a_key_stays_unknown(tmp_path):
    changes = [_change(f"aws_s3_bucket.b[{i}]", {"bucket": f"b{i}"}, {"id": True}, index=i) for i in (0, 1)]
    changes.append(_change("aws_s3_bucket_policy.p", {"policy": '{"Statement": []}'}, {"bucket": True, "id": True}))
    inventory = _plan(tmp_path, changes, {"resources": [
        _conf("aws_s3_bucket", "b", {}, count_expression={"constant_value": 2}),
        _conf("aws_s3_bucket_policy", "p", {"bucket": {"references": ["aws_s3_bucket.b[1].id", "aws_s3_bucket.b[1]",
                                                                       "aws_s3_bucket.b"]},
                                            "policy": {"constant_value": '{"Statement": []}'}}),
        ]})
    assert inventory.by_address("aws_s3_bucket_policy.p").props["bucket"] == Ref("aws_s3_bucket.b[1]", "id")

    changes[-1] = _change("aws_s3_bucket_policy.p", {"policy": '{"Statement": []}'}, {"bucket": True, "id": True})
    inventory = _plan(tmp_path, changes, {"resources": [
        _conf("aws_s3_bucket", "b", {}, count_expression={"constant_value": 2}),
        _conf("aws_s3_bucket_policy", "p", {"bucket": {"references": ["aws_s3_bucket.b", "local.pick"]},
                                            "policy": {"constant_value": '{"Statement": []}'}})]})
    assert inventory.by_address("aws_s3_bucket_policy.p").props["bucket"] == Unknown("known after apply")


def test_variable_chain_through_nested_modules(tmp_path):
    inner = "module.outer.module.inner[0]"
    changes = [
        _change("aws_iam_role.ci", {"name": "ci"}, {"arn": True, "id": True}),
        _change(f"{inner}.aws_iam_role_policy_attachment.a", {"policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
                {"role": True, "id": True}, module=inner),
    ]
    root = {"resources": [_conf("aws_iam_role", "ci", {"name": {"constant_value": "ci"}})],
            "module_calls": {"outer": {"source": "./outer", "expressions": {
                "role": {"references": ["aws_iam_role.ci.id", "aws_iam_role.ci"]}},
                "module": {"module_calls": {"inner": {
                    "source": "./inner", "count_expression": {"constant_value": 1},
                    "expressions": {"role_name": {"references": ["var.role"]}},
                    "module": {"resources": [_conf("aws_iam_role_policy_attachment", "a", {
                        "role": {"references": ["var.role_name"]},
                        "policy_arn": {"constant_value": "arn:aws:iam::aws:policy/ReadOnlyAccess"}})]}}}}}}}
    inventory = _plan(tmp_path, changes, root)
    attachment = inventory.by_address(f"{inner}.aws_iam_role_policy_attachment.a")
    assert attachment.props == {"policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                                "roles": [Ref("aws_iam_role.ci", "id")]}


def test_list_elements_are_linked_in_order(tmp_path):
    changes = [_change(f"aws_iam_policy.{n}", {"name": n, "policy": '{"Statement": []}'}, {"arn": True, "id": True})
               for n in ("a", "b")]
    changes.append(_change("aws_iam_role.r", {"name": "r", "managed_policy_arns": [
        "arn:aws:iam::aws:policy/ReadOnlyAccess", None, None]}, {"managed_policy_arns": [False, True, True]}))
    inventory = _plan(tmp_path, changes, {"resources": [
        _conf("aws_iam_policy", "a", {}), _conf("aws_iam_policy", "b", {}),
        _conf("aws_iam_role", "r", {"name": {"constant_value": "r"}, "managed_policy_arns": {"references": [
            "aws_iam_policy.a.arn", "aws_iam_policy.a", "aws_iam_policy.b.arn", "aws_iam_policy.b"]}})]})
    assert inventory.by_address("aws_iam_role.r").props["managed_policy_arns"] == [
        "arn:aws:iam::aws:policy/ReadOnlyAccess", Ref("aws_iam_policy.a", "arn"), Ref("aws_iam_policy.b", "arn")]


def test_format_0_1_plan_without_attribute_in_references(tmp_path):
    changes = [_change("aws_iam_user.u", {"name": "u"}, {"arn": True, "id": True}),
               _change("aws_iam_access_key.k", {"status": "Active"}, {"user": True, "id": True, "secret": True})]
    inventory = _plan(tmp_path, changes, {"resources": [
        _conf("aws_iam_user", "u", {"name": {"constant_value": "u"}}),
        _conf("aws_iam_access_key", "k", {"user": {"references": ["aws_iam_user.u"]}})]}, version="0.1")
    assert inventory.by_address("aws_iam_access_key.k").props == {"user": Ref("aws_iam_user.u", "id"),
                                                                  "status": "Active"}


def test_replace_and_no_op_are_kept_delete_and_forget_are_not(tmp_path):
    changes = [_change("aws_iam_user.replaced", {"name": "r"}, {}, actions=("delete", "create")),
               _change("aws_iam_user.same", {"name": "s"}, {}, actions=("no-op",)),
               _change("aws_iam_user.gone", None, {}, actions=("delete",)),
               _change("aws_iam_user.forgotten", None, {}, actions=("forget",))]
    inventory = _plan(tmp_path, changes, {"resources": []})
    assert sorted(r.address for r in inventory.resources) == ["aws_iam_user.replaced", "aws_iam_user.same"]


def test_declaration_not_found_under_repo_root_is_noted(tmp_path):
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "main.tf").write_text('resource "aws_iam_user" "other" {\n  name = "o"\n}\n')
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {}},
                                "resource_changes": [_change("aws_iam_user.u", {"name": "u"}, {})]}))
    inventory, errors = read_plan(path, tmp_path / "repo")
    assert errors == []
    [user] = inventory.resources
    assert user.location == SourceLocation(str(path))
    assert user.notes == ['resource "aws_iam_user" "u" not found in ./ under the repo root']


def test_block_end_skips_braces_in_strings_comments_and_heredocs(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "iam.tf").write_text(
        '# a "comment" with { braces\n'
        'resource "aws_iam_policy" "p" {\n'
        '  name = "x}{"  // }\n'
        '  policy = <<-EOT\n'
        '    {"Statement": [{"Effect": "Allow", "Sid": "it\'s \\"}"}]}} }\n'
        '  EOT\n'
        '  /* } */\n'
        '}\n'
        '\n'
        '  resource "aws_iam_user" "u" { name = "u" }\n')
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {}}, "resource_changes": [
        _change("aws_iam_policy.p", {"name": "x}{", "policy": '{"Statement": []}'}, {}),
        _change("aws_iam_user.u", {"name": "u"}, {})]}))
    inventory, errors = read_plan(path, repo)
    assert errors == []
    assert inventory.by_address("aws_iam_policy.p").location == SourceLocation("iam.tf", 2, 8)
    assert inventory.by_address("aws_iam_user.u").location == SourceLocation("iam.tf", 10, 10)


# --- aws_iam_policy_document arguments as a plan holds them -> document (the HCL scan's renderer) -------

def _statement(**kw):
    base = {"sid": "", "effect": None, "actions": None, "not_actions": None, "resources": None,
            "not_resources": None, "principals": [], "not_principals": [], "condition": []}
    base.update(kw)
    return base


def test_document_principals_conditions_and_defaults():
    doc = render({"statement": [
        _statement(actions=["sts:AssumeRole"], principals=[{"type": "*", "identifiers": ["*"]}],
                   condition=[{"test": "StringEquals", "variable": "aws:PrincipalOrgID", "values": ["o-1"]},
                              {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["1"]}]),
        _statement(sid="Deny", effect="Deny", not_actions=["ecr:BatchGetImage"], resources=["*"],
                   principals=[{"type": "AWS", "identifiers": ["arn:a"]}, {"type": "AWS", "identifiers": ["arn:b"]},
                               {"type": "Service", "identifiers": ["codebuild.amazonaws.com"]}])]})
    # unset arguments and blocks (None, "", []) are left out; one-element lists are written bare
    assert doc == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*",
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1", "aws:SourceAccount": "1"}}},
        {"Sid": "Deny", "Effect": "Deny", "NotAction": "ecr:BatchGetImage", "Resource": "*",
         "Principal": {"AWS": ["arn:a", "arn:b"], "Service": "codebuild.amazonaws.com"}}]}
    assert len(parse_policy(doc).statements) == 2


def test_document_source_and_override_merging():
    source = json.dumps({"Statement": [{"Sid": "Pull", "Effect": "Allow", "Action": "ecr:BatchGetImage"},
                                       {"Sid": "List", "Effect": "Allow", "Action": "ecr:DescribeRepositories"}]})
    override = {"Statement": [{"Sid": "List", "Effect": "Deny", "Action": "ecr:DescribeRepositories"},
                              {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken"}]}
    doc = render({
        "source_policy_documents": [source], "override_policy_documents": [override],
        "statement": [_statement(sid="Pull", actions=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])]})
    assert doc["Statement"] == [
        {"Sid": "Pull", "Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]},
        {"Sid": "List", "Effect": "Deny", "Action": "ecr:DescribeRepositories"},
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken"}]


def test_document_with_unknown_parts():
    unknown = Unknown("known after apply")
    assert render({"source_policy_documents": [unknown], "statement": []})["Statement"] == Unknown(
        "source_policy_documents[0] is not known at plan time (known after apply)")
    assert render({"override_policy_documents": unknown})["Statement"] == Unknown(
        "override_policy_documents is not known at plan time (known after apply)")
    assert render({"statement": unknown})["Statement"] == unknown
    doc = render({"statement": [_statement(actions=["s3:GetObject"], resources=unknown,
                                           principals=[{"type": "AWS", "identifiers": unknown}])]})
    assert doc["Statement"] == [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": unknown,
                                 "Principal": {"AWS": unknown}}]
    assert parse_policy(doc).unknowns == (unknown,)


def test_source_document_from_another_deferred_data_source(tmp_path):
    bucket_arn = {"references": ["aws_s3_bucket.b.arn", "aws_s3_bucket.b"]}
    changes = [
        _change("aws_s3_bucket.b", {"bucket": "b"}, {"arn": True, "id": True}),
        _change("data.aws_iam_policy_document.base", {"statement": [_statement(actions=["s3:GetObject"])]},
                {"json": True, "id": True, "statement": [{"resources": True}]}, actions=("read",)),
        _change("data.aws_iam_policy_document.full", {"statement": [_statement(
            sid="Deny", effect="Deny", actions=["s3:*"], resources=["*"])]},
                {"json": True, "id": True, "source_policy_documents": True}, actions=("read",)),
        _change("aws_s3_bucket_policy.p", {}, {"bucket": True, "policy": True, "id": True}),
    ]
    inventory = _plan(tmp_path, changes, {"resources": [
        _conf("aws_s3_bucket", "b", {"bucket": {"constant_value": "b"}}),
        _conf("aws_iam_policy_document", "base", {"statement": [
            {"actions": {"constant_value": ["s3:GetObject"]}, "resources": bucket_arn}]}, mode="data"),
        _conf("aws_iam_policy_document", "full", {
            "source_policy_documents": {"references": ["data.aws_iam_policy_document.base.json",
                                                       "data.aws_iam_policy_document.base"]},
            "statement": [{"sid": {"constant_value": "Deny"}, "effect": {"constant_value": "Deny"},
                           "actions": {"constant_value": ["s3:*"]}, "resources": {"constant_value": ["*"]}}]},
              mode="data"),
        _conf("aws_s3_bucket_policy", "p", {
            "bucket": {"references": ["aws_s3_bucket.b.id", "aws_s3_bucket.b"]},
            "policy": {"references": ["data.aws_iam_policy_document.full.json", "data.aws_iam_policy_document.full"]}}),
    ]})
    policy = inventory.by_address("aws_s3_bucket_policy.p")
    assert policy.props["bucket"] == Ref("aws_s3_bucket.b", "id")
    assert [(s.effect, s.actions, s.resources) for s in policy.props["policy"].statements] == [
        ("Allow", ("s3:GetObject",), (Ref("aws_s3_bucket.b", "arn"),)), ("Deny", ("s3:*",), ("*",))]


def test_module_path_is_taken_from_the_address_when_module_address_is_absent(tmp_path):
    change = _change('module.ci["a"].aws_iam_role_policy.p', {"name": "p", "policy": '{"Statement": []}'},
                     {"role": True}, module='module.ci["a"]')
    del change["module_address"]
    inventory = _plan(tmp_path, [change], {"module_calls": {"ci": {
        "source": "./ci", "for_each_expression": {"constant_value": ["a"]},
        "module": {"resources": [_conf("aws_iam_role_policy", "p", {
            "role": {"references": ["aws_iam_role.r.name", "aws_iam_role.r"]}})]}}}}, version="0.1")
    assert inventory.by_address('module.ci["a"].aws_iam_role_policy.p').props["identity"] == Ref(
        'module.ci["a"].aws_iam_role.r', "name")


def test_deferred_changes_are_read_and_noted(tmp_path):
    data = {"format_version": "1.2", "planned_values": {"root_module": {}}, "resource_changes": [],
            "deferred_changes": [{"reason": "resource_config_unknown", "resource_change": _change(
                'aws_iam_user.u["x"]', {"name": "x"}, {"arn": True}, index="x")}]}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    inventory, errors = read_plan(path, None)
    assert errors == []
    [user] = inventory.resources
    assert (user.address, user.props["name"]) == ('aws_iam_user.u["x"]', "x")
    assert user.notes == ["planning deferred by Terraform (resource_config_unknown): values may be incomplete"]


def test_values_keep_only_leaves_literal_in_configuration(tmp_path):
    changes = [_change("aws_iam_role.r", {
        "name": "r", "description": "AKIAIOSFODNN7EXAMPLE",
        "inline_policy": [{"name": "i", "policy": '{"Statement": []}'}],
        "tags": {"token": "ghp_from_a_data_source"}, "unique_id": "AROAEXAMPLE", "path": "/"}, {})]
    inventory = _plan(tmp_path, changes, {"resources": [_conf("aws_iam_role", "r", {
        "name": {"constant_value": "r"}, "description": {"constant_value": "AKIAIOSFODNN7EXAMPLE"},
        "inline_policy": [{"name": {"constant_value": "i"}, "policy": {"references": ["data.x.y.json", "data.x.y"]}}],
        "tags": {"references": ["data.aws_ssm_parameter.t.value", "data.aws_ssm_parameter.t"]}})]})
    assert inventory.by_address("aws_iam_role.r").values == [
        ("name", "r"), ("description", "AKIAIOSFODNN7EXAMPLE"), ("inline_policy[0].name", "i")]


def _document_plan(tmp_path, statements_after, unknown_statements, conf_statements):
    changes = [
        _change("aws_ecr_repository.a", {"name": "a"}, {"arn": True}),
        _change("aws_ecr_repository.b", {"name": "b"}, {"arn": True}),
        _change("data.aws_iam_policy_document.d", {"statement": statements_after},
                {"json": True, "statement": unknown_statements}, actions=("read",)),
        _change("aws_iam_policy.p", {"name": "p"}, {"policy": True, "arn": True}),
    ]
    return _plan(tmp_path, changes, {"resources": [
        _conf("aws_ecr_repository", "a", {}), _conf("aws_ecr_repository", "b", {}),
        _conf("aws_iam_policy_document", "d", {"statement": conf_statements}, mode="data"),
        _conf("aws_iam_policy", "p", {"policy": {"references": ["data.aws_iam_policy_document.d.json",
                                                                "data.aws_iam_policy_document.d"]}})]})


ARN_A = {"references": ["aws_ecr_repository.a.arn", "aws_ecr_repository.a"]}
ARN_B = {"references": ["aws_ecr_repository.b.arn", "aws_ecr_repository.b"]}


def test_reordered_blocks_are_matched_by_their_constants(tmp_path):
    inventory = _document_plan(
        tmp_path,
        [_statement(sid="Push", actions=["ecr:PutImage"]), _statement(sid="Pull", actions=["ecr:BatchGetImage"])],
        [{"resources": True}, {"resources": True}],
        [{"sid": {"constant_value": "Pull"}, "actions": {"constant_value": ["ecr:BatchGetImage"]}, "resources": ARN_A},
         {"sid": {"constant_value": "Push"}, "actions": {"constant_value": ["ecr:PutImage"]}, "resources": ARN_B}])
    policy = inventory.by_address("aws_iam_policy.p").props["policy"]
    assert [(s.sid, s.resources) for s in policy.statements] == [
        ("Push", (Ref("aws_ecr_repository.b", "arn"),)), ("Pull", (Ref("aws_ecr_repository.a", "arn"),))]


def test_blocks_from_a_dynamic_block_are_not_linked_by_position(tmp_path):
    # a dynamic statement (absent from the configuration) comes before the static one
    inventory = _document_plan(
        tmp_path,
        [_statement(actions=["ecr:PutImage"]), _statement(actions=["ecr:PutImage"])],
        [{"resources": True}, {"resources": True}],
        [{"actions": {"constant_value": ["ecr:PutImage"]}, "resources": ARN_A}])
    policy = inventory.by_address("aws_iam_policy.p").props["policy"]
    assert [s.resources for s in policy.statements] == [(Unknown("known after apply"),)] * 2
    assert policy.unknowns == (Unknown("known after apply"),) * 2


def test_configuration_fallback_follows_source_documents(tmp_path):
    changes = [_change("aws_ecr_repository.a", {"name": "a"}, {"arn": True}),
               _change("aws_iam_policy.p", {"name": "p"}, {"policy": True, "arn": True})]
    inventory = _plan(tmp_path, changes, {"resources": [
        _conf("aws_ecr_repository", "a", {}),
        _conf("aws_iam_policy_document", "base", {"statement": [
            {"actions": {"constant_value": ["ecr:BatchGetImage"]}, "resources": ARN_A}]}, mode="data"),
        _conf("aws_iam_policy_document", "d", {
            "source_policy_documents": {"references": ["data.aws_iam_policy_document.base.json",
                                                       "data.aws_iam_policy_document.base"]},
            "statement": [{"effect": {"constant_value": "Deny"}, "actions": {"constant_value": ["ecr:Describe*"]},
                           "resources": {"constant_value": ["*"]}}]}, mode="data"),
        _conf("aws_iam_policy", "p", {"policy": {"references": ["data.aws_iam_policy_document.d.json",
                                                                "data.aws_iam_policy_document.d"]}})]})
    policy = inventory.by_address("aws_iam_policy.p").props["policy"]
    assert [(s.effect, s.actions, s.resources) for s in policy.statements] == [
        ("Allow", ("ecr:BatchGetImage",), (Ref("aws_ecr_repository.a", "arn"),)),
        ("Deny", ("ecr:Describe*",), ("*",))]


def test_policy_computed_from_something_else_stays_unknown_with_its_origin(tmp_path):
    changes = [_change("aws_iam_policy.p", {"name": "p"}, {"policy": True, "arn": True})]
    inventory = _plan(tmp_path, changes, {"resources": [_conf("aws_iam_policy", "p", {"policy": {
        "references": ["data.aws_iam_policy_document.d.json", "data.aws_iam_policy_document.d",
                       "local.extra_statements"]}})]})
    assert inventory.by_address("aws_iam_policy.p").props["policy"] == Unknown(
        "known after apply (computed from data.aws_iam_policy_document.d.json, local.extra_statements)")
