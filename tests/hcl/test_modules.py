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
