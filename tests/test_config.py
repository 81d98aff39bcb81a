"""cicd-guard.yaml: a valid file becomes Config; every invalid one is a ConfigError naming the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rulebook.config import Config, ConfigError, ConfigSuppression, load
from rulebook.findings import Enforcement, Severity

VALID = """\
deploy_identities: ["*-deploy", "arn:aws:iam::*:role/release"]
admin_identities: [break-glass]
ci_network:
  aws_vpc_endpoint_ids: [vpce-0abc123]
  aws_vpc_ids: [vpc-0def456]
  cidrs: [10.20.0.0/16, "2001:db8::/32"]
  azure_subnet_ids: [/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/ci]
oidc:
  issuers: [gitlab.example.com]
  audiences: [sts.amazonaws.com]
  deploy_subject_patterns: ["repo:acme/app:environment:prod"]
artifact_buckets:
  names: [acme-artifacts]
  tags: {purpose: artifacts}
enforcement:
  REG-003: advisory
  BKT-001: disabled
suppressions:
  - rule: REG-010
    resource: "module.legacy.*"
    reason: "legacy images are rebuilt nightly"
    expires: 2030-01-31
  - rule: "*"
    resource: aws_s3_bucket.scratch
    reason: "scratch bucket, no artifacts"
"""


def write(tmp_path: Path, text: str, name: str = "cicd-guard.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load(path)
    return str(info.value).replace(str(path), "cfg.yaml")


def test_valid_config_loads_every_setting(tmp_path: Path) -> None:
    config = load(write(tmp_path, VALID))
    assert config.deploy_identities == ("*-deploy", "arn:aws:iam::*:role/release")
    assert config.admin_identities == ("break-glass",)
    assert config.aws_vpc_endpoint_ids == ("vpce-0abc123",)
    assert config.aws_vpc_ids == ("vpc-0def456",)
    assert config.cidrs == ("10.20.0.0/16", "2001:db8::/32")
    assert config.oidc_issuers == ("gitlab.example.com",)
    assert config.deploy_subject_patterns == ("repo:acme/app:environment:prod",)
    assert config.artifact_bucket_names == ("acme-artifacts",)
    assert config.artifact_bucket_tags == {"purpose": "artifacts"}
    assert config.enforcement == {"REG-003": Enforcement.ADVISORY, "BKT-001": Enforcement.DISABLED}
    assert config.suppressions == (
        ConfigSuppression("REG-010", "module.legacy.*", "legacy images are rebuilt nightly", dt.date(2030, 1, 31)),
        ConfigSuppression("*", "aws_s3_bucket.scratch", "scratch bucket, no artifacts", None))
    assert config.source == str(tmp_path / "cicd-guard.yaml")
    assert config.enforcement_for("REG-003", Severity.HIGH) is Enforcement.ADVISORY
    assert config.enforcement_for("REG-001", Severity.HIGH) is Enforcement.MANDATORY
    assert config.enforcement_for("REG-010", Severity.MEDIUM) is Enforcement.ADVISORY
    assert config.is_deploy_identity("ecr-deploy") and not config.is_deploy_identity("ecr-build")


def test_empty_file_and_no_file_give_defaults(tmp_path: Path) -> None:
    assert load(write(tmp_path, "")) == Config(source=str(tmp_path / "cicd-guard.yaml"))
    assert load(None, search_from=tmp_path / "nowhere") == Config()


def test_default_file_is_found_in_the_directory(tmp_path: Path) -> None:
    write(tmp_path, "admin_identities: [root-*]\n")
    assert load(None, search_from=tmp_path).admin_identities == ("root-*",)


@pytest.mark.parametrize("text, expected", [
    ("deploy_identity: [x]\n", "cfg.yaml: deploy_identity: unknown key 'deploy_identity'"),
    ("oidc:\n  issuer: [gitlab.example.com]\n", "cfg.yaml: oidc.issuer: unknown key 'issuer'"),
    ("suppressions:\n  - {rule: REG-001, resource: x, reason: ok!, until: 2030-01-01}\n",
     "cfg.yaml: suppressions[0].until: unknown key 'until'"),
])
def test_unknown_key_is_named(tmp_path: Path, text: str, expected: str) -> None:
    assert error_of(tmp_path, text) == expected


def test_bad_enforcement_value(tmp_path: Path) -> None:
    assert error_of(tmp_path, "enforcement:\n  REG-003: strict\n") == (
        "cfg.yaml: enforcement.REG-003: 'strict' is not one of ['mandatory', 'advisory', 'disabled']")


def test_bad_rule_id_in_enforcement(tmp_path: Path) -> None:
    assert error_of(tmp_path, "enforcement:\n  reg-3: advisory\n") == (
        "cfg.yaml: enforcement: 'reg-3' does not match '^[A-Z]{3}-[0-9]{3}$'")


@pytest.mark.parametrize("cidr", ["10.0.0.0/33", "10.0.0.300/24", "everywhere"])
def test_bad_cidr(tmp_path: Path, cidr: str) -> None:
    assert error_of(tmp_path, f"ci_network:\n  cidrs: [10.0.0.0/8, '{cidr}']\n") == (
        f"cfg.yaml: ci_network.cidrs[1]: '{cidr}' is not a 'cidr'")


def test_bad_vpc_id(tmp_path: Path) -> None:
    assert error_of(tmp_path, "ci_network:\n  aws_vpc_ids: [vpc_1]\n") == (
        "cfg.yaml: ci_network.aws_vpc_ids[0]: 'vpc_1' does not match '^vpc-[0-9a-z]+$'")


def test_bad_date_quoted(tmp_path: Path) -> None:
    text = "suppressions:\n  - {rule: REG-001, resource: x, reason: fine, expires: '2030-02-30'}\n"
    assert error_of(tmp_path, text) == "cfg.yaml: suppressions[0].expires: '2030-02-30' is not a 'date'"


def test_bad_date_not_a_date_at_all(tmp_path: Path) -> None:
    text = "suppressions:\n  - {rule: REG-001, resource: x, reason: fine, expires: next-year}\n"
    assert error_of(tmp_path, text) == "cfg.yaml: suppressions[0].expires: 'next-year' is not a 'date'"


def test_bad_date_unquoted_is_a_config_error(tmp_path: Path) -> None:
    text = "suppressions:\n  - rule: REG-001\n    resource: x\n    reason: fine\n    expires: 2030-13-01\n"
    assert error_of(tmp_path, text) == "cfg.yaml: suppressions[0].expires: '2030-13-01' is not a 'date'"


def test_missing_suppression_reason(tmp_path: Path) -> None:
    assert error_of(tmp_path, "suppressions:\n  - {rule: REG-001, resource: x}\n") == (
        "cfg.yaml: suppressions[0]: 'reason' is a required property")


def test_suppression_reason_too_short(tmp_path: Path) -> None:
    assert error_of(tmp_path, "suppressions:\n  - {rule: REG-001, resource: x, reason: ''}\n") == (
        "cfg.yaml: suppressions[0].reason: '' is too short")


def test_wrong_type_is_named(tmp_path: Path) -> None:
    assert error_of(tmp_path, "deploy_identities: release\n") == (
        "cfg.yaml: deploy_identities: 'release' is not of type 'array'")


@pytest.mark.parametrize("text, line, problem", [
    ("deploy_identities:\n  - a\n  - [b\nadmin_identities: []\n", 4, "expected ',' or ']'"),
    ("oidc:\n  issuers: [x]\n    audiences: [y]\n", 3, "expected <block end>"),
    ("a: b\n  c: d\n", 2, "mapping values are not allowed here"),
])
def test_yaml_syntax_error_names_the_line(tmp_path: Path, text: str, line: int, problem: str) -> None:
    message = error_of(tmp_path, text)
    assert message.startswith(f"cfg.yaml:{line}: not valid YAML: ")
    assert problem in message


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    assert error_of(tmp_path, "- a\n- b\n") == "cfg.yaml: the top level must be a mapping"


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        load(tmp_path / "missing.yaml")


def test_from_dict_validates_too() -> None:
    with pytest.raises(ConfigError, match=r"^pack-config: admin_identities\[0\]: '' should be non-empty$"):
        Config.from_dict({"admin_identities": [""]}, "pack-config")


def test_unknown_rule_ids_are_refused(tmp_path: Path) -> None:
    assert error_of(tmp_path, "enforcement:\n  REG-099: advisory\n") == (
        "cfg.yaml: enforcement.REG-099: unknown rule 'REG-099' (see `cicd-guard rules`)")
    assert error_of(tmp_path, "suppressions:\n  - {rule: IDF-009, resource: x, reason: vendor key}\n") == (
        "cfg.yaml: suppressions[0].rule: unknown rule 'IDF-009' (see `cicd-guard rules`)")
