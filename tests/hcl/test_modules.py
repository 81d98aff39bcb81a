"""Local modules (inputs, outputs, addresses, call locations), remote modules and root discovery."""

from __future__ import annotations

import os

import hcl_scanner
from rulebook.model import InlineSuppression, Ref, SourceLocation
from rulebook.unknown import Unknown

from hcl_helpers import FIXTURES, evaluated

ROOT = FIXTURES / "modules_root"


def _rel(*parts: str) -> str:
    return os.path.relpath(ROOT.joinpath(*parts))


def test_roots_are_directories_not_called_as_modules():
    result = hcl_scanner.scan([str(ROOT)])
    assert sorted(result.evaluated) == sorted([_rel(), _rel("envs", "prod")])
    assert result.errors == []


def test_module_addresses_inputs_and_outputs():
    result = hcl_scanner.scan([str(ROOT)])
    found = evaluated(result)
    assert sorted(a for a in found if a.startswith("module.")) == [
        'module.per_env["dev"].aws_ecr_repository.this["tools"]',
        'module.per_env["dev"].aws_iam_role.pusher',
        'module.per_env["dev"].module.perms.aws_iam_access_key.legacy',
        'module.registry.aws_ecr_repository.this["app"]',
        'module.registry.aws_ecr_repository.this["web"]',
        "module.registry.aws_iam_role.pusher",
        "module.registry.module.perms.aws_iam_access_key.legacy",
    ]
    assert found['module.registry.aws_ecr_repository.this["web"]'].attrs["name"] == "platform-web"
    assert found['module.per_env["dev"].aws_ecr_repository.this["tools"]'].attrs["name"] == "dev-tools"
    assert found["module.registry.module.perms.aws_iam_access_key.legacy"].attrs == {"user": "platform-pusher"}
    push = found["aws_iam_role_policy.push"].attrs
    assert push["role"] == "platform-pusher"
    assert push["policy"]["Statement"][0]["Resource"] == [
        Ref('module.registry.aws_ecr_repository.this["app"]', "arn"),
        Ref('module.registry.aws_ecr_repository.this["web"]', "arn"),
    ]


def test_locations_point_inside_the_module_and_name_the_call():
    found = evaluated(hcl_scanner.scan([str(ROOT)]))
    root_call = SourceLocation(_rel("main.tf"), 5, 9)
    assert found["module.registry.aws_iam_role.pusher"].location == SourceLocation(
        _rel("modules", "registry", "main.tf"), 13, 15, called_from=root_call)
    assert found["module.registry.module.perms.aws_iam_access_key.legacy"].location == SourceLocation(
        _rel("modules", "registry", "perms", "main.tf"), 3, 5,
        called_from=SourceLocation(_rel("modules", "registry", "main.tf"), 17, 20, called_from=root_call))


def test_suppression_on_module_call_covers_its_resources():
    found = evaluated(hcl_scanner.scan([str(ROOT)]))
    sup = InlineSuppression(("REG-010",), "images are re-signed nightly", "2099-12-31", _rel("main.tf"), 11)
    assert found['module.per_env["dev"].aws_ecr_repository.this["tools"]'].suppressions == [sup]
    assert found['module.per_env["dev"].module.perms.aws_iam_access_key.legacy'].suppressions == [sup]
    assert found['module.registry.aws_ecr_repository.this["app"]'].suppressions == []


def test_remote_module_is_reported_not_scanned():
    result = hcl_scanner.scan([str(ROOT)])
    reason = ("module module.vpc (source 'terraform-aws-modules/vpc/aws') is a remote module "
              "and was not scanned")
    assert result.notes == [f"{_rel('main.tf')}:19: {reason}"]
    assert evaluated(result)["aws_security_group_rule.from_vpc"].attrs == {"cidr_blocks": [Unknown(reason)]}


def test_module_dir_scanned_directly_is_a_root():
    result = hcl_scanner.scan([str(ROOT / "modules" / "registry")])
    found = evaluated(result)
    assert "aws_iam_role.pusher" in found
    assert found["aws_iam_role.pusher"].attrs["name"] == Unknown(
        "variable prefix has no value (no default, not set in tfvars, --var-file or TF_VAR_prefix)")


def _repo(tmp_path, source: str):
    """A git work tree holding a root that calls `source`, a module inside, and one outside."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True, exist_ok=True)
    (repo / "modules" / "inside").mkdir(parents=True, exist_ok=True)
    (repo / "modules" / "inside" / "main.tf").write_text('resource "x" "inside" {}\n')
    (tmp_path / "outside").mkdir(exist_ok=True)
    (tmp_path / "outside" / "main.tf").write_text('resource "x" "outside" {}\n')
    root = repo / "envs" / "prod"
    root.mkdir(parents=True, exist_ok=True)
    (root / "main.tf").write_text(f'module "m" {{\n  source = "{source}"\n}}\n')
    return root


def test_module_sources_inside_the_repository_are_read(tmp_path):
    result = hcl_scanner.scan([str(_repo(tmp_path, "../../modules/inside"))])
    assert sorted(evaluated(result)) == ["module.m.x.inside"]
    assert result.errors == []


def test_module_sources_that_leave_the_repository_are_errors(tmp_path):
    repo = (tmp_path / "repo").resolve()
    for source in ["../../../outside", str((tmp_path / "outside").resolve()), "/etc"]:
        root = _repo(tmp_path, source)
        result = hcl_scanner.scan([str(root)])
        assert evaluated(result) == {}, source
        assert [(e.line, e.message) for e in result.errors] == [
            (1, f"module m: source {source} leaves the repository ({repo}); not read")], source
        assert result.notes == [], "a path is never called a remote module"


def test_without_git_the_repo_root_or_the_scanned_directory_bounds_module_sources(tmp_path):
    root = _repo(tmp_path, "../../modules/inside")
    (tmp_path / "repo" / ".git").rmdir()
    result = hcl_scanner.scan([str(root)])
    assert [e.message for e in result.errors] == [
        f"module m: source ../../modules/inside leaves the repository ({root.resolve()}); not read"]
    result = hcl_scanner.scan([str(root)], repo_root=str(tmp_path / "repo"))
    assert sorted(evaluated(result)) == ["module.m.x.inside"] and result.errors == []


def _module_repo(tmp_path):
    """A module repository: modules/user (an access key by default, a required name) and two
    examples calling it under the same name, one with the key switched off."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    user = repo / "modules" / "user"
    user.mkdir(parents=True)
    (user / "main.tf").write_text(
        'variable "name" {}\nvariable "create_key" {\n  default = true\n}\n'
        'resource "aws_iam_user" "this" {\n  name = var.name\n}\n'
        'resource "aws_iam_access_key" "this" {\n  count = var.create_key ? 1 : 0\n  user = var.name\n}\n')
    for example, key in (("a", "true"), ("b", "true"), ("off", "false")):
        (repo / "examples" / example).mkdir(parents=True)
        (repo / "examples" / example / "main.tf").write_text(
            f'module "user" {{\n  source = "../../modules/user"\n  name = "ci-{example if key == "false" else "x"}"\n'
            f'  create_key = {key}\n}}\n')
    return repo


def _scan_json(repo, capsys) -> dict:
    import json

    from cicd_guard.cli import main

    main(["scan", str(repo), "--repo-root", str(repo), "--format", "json"])
    return json.loads(capsys.readouterr().out)


def test_a_finding_in_shared_module_code_is_reported_once_naming_every_root(tmp_path, capsys):
    report = _scan_json(_module_repo(tmp_path), capsys)
    assert [(f["rule_id"], f["resource"], f["file"], f["line"], f["status"], f.get("roots"))
            for f in report["findings"]] == [
        ("IDF-001", "module.user.aws_iam_access_key.this[0]", "modules/user/main.tf", 8, "failed",
         ["examples/a", "examples/b"])]
    assert report["errors"] == []


def test_a_module_only_others_call_is_checked_with_its_defaults(tmp_path, capsys):
    repo = _module_repo(tmp_path)
    for example in ("a", "b"):
        (repo / "examples" / example / "main.tf").unlink()
        (repo / "examples" / example).rmdir()
    result = hcl_scanner.scan([str(repo)], repo_root=str(repo))
    assert sorted(result.evaluated) == ["examples/off"]
    assert {a: e.attrs for a, e in evaluated_defaults(result).items()} == {
        "aws_iam_user.this": {"name": Unknown("variable name has no value (no default, not set in tfvars, "
                                              "--var-file or TF_VAR_name)")},
        "aws_iam_access_key.this[0]": {"user": Unknown("variable name has no value (no default, not set in "
                                                       "tfvars, --var-file or TF_VAR_name)")},
    }
    report = _scan_json(repo, capsys)
    assert [(f["rule_id"], f["resource"], f["file"], f["line"], f["status"]) for f in report["findings"]] == [
        ("IDF-001", "aws_iam_access_key.this[0]", "modules/user/main.tf", 8, "failed")]
    assert report["errors"] == []


def evaluated_defaults(result) -> dict:
    return {e.address: e for items in result.module_defaults.values() for e in items}
