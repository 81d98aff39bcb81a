"""The pack's policies, called through the real pulumi_policy argument objects and proxies."""

from __future__ import annotations

import dataclasses

import pytest
from pulumi_policy import (EnforcementLevel, PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions,
                           ResourceValidationArgs, ResourceValidationPolicy, Severity, StackValidationArgs,
                           StackValidationPolicy)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policypack import messages, settings
from policypack.policies import build_policies, policy_names, rule_id_of
from rulebook.rules import REGISTRY, all_rules

URN = "urn:pulumi:dev::app::{type}::{name}"


def opts() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def resource_args(type_: str, name: str, props: dict, config: dict | None = None) -> ResourceValidationArgs:
    return ResourceValidationArgs(type_, unknown_checking_proxy(props), URN.format(type=type_, name=name), name,
                                  opts(), None, config)


def stack_args(resources: list[tuple[str, str, dict]], config: dict | None = None) -> StackValidationArgs:
    built = [PolicyResource(t, unknown_checking_proxy(p), URN.format(type=t, name=n), n, opts(), None, None, [], {})
             for t, n, p in resources]
    return StackValidationArgs(built, config)


def policy(name_prefix: str):
    return next(p for p in build_policies() if p.name.startswith(name_prefix))


def run(pol, args) -> list[tuple[str, str | None]]:
    reported: list[tuple[str, str | None]] = []
    pol.validate(args, lambda message, urn=None: reported.append((message, urn)))
    return reported


def test_one_policy_per_rule_with_its_metadata():
    policies = {p.name: p for p in build_policies()}
    assert sorted(policies) == sorted(n for r in all_rules() for n in policy_names(r).values())
    idf = policies[REGISTRY["IDF-001"].slug]
    assert isinstance(idf, ResourceValidationPolicy)
    assert idf.name == "idf-001-no-long-lived-cloud-keys" and rule_id_of(idf.name) == "IDF-001"
    assert (idf.description, idf.severity, idf.enforcement_level) == (
        "No long-lived cloud keys", Severity.CRITICAL, EnforcementLevel.MANDATORY)
    assert idf.url.endswith("/docs/rules/IDF-001.md")
    assert idf.remediation_steps == REGISTRY["IDF-001"].remediation_for(engine="pulumi")
    assert idf.framework.name == "NIST CSF" and idf.framework.reference == "PR.AA-01, PR.AA-03"
    assert "IDF-001" in idf.tags and "cis_v8:6.7" in idf.tags
    assert set(idf.config_schema.properties) == set(settings.shared_properties())
    assert "enforcement" not in idf.config_schema.properties and "deploy_identities" in idf.config_schema.properties
    assert isinstance(policies[REGISTRY["BKT-001"].slug], StackValidationPolicy)


def test_resource_policy_reports_the_engine_message():
    reported = run(policy("idf-001"), resource_args("aws:iam/accessKey:AccessKey", "ci-key", {"user": "ci-bot"}))
    assert reported == [("IDF-001 [critical] a long-lived access key is created for ci-bot; use OIDC federation "
                         "instead\nfix: AWS: Remove the access key. Let the pipeline assume an IAM role trusted by the "
                         "CI's OIDC provider (`aws_iam_openid_connect_provider`, a trust policy pinning "
                         "`<issuer>:sub`) and grant that role what the key's owner had.", None)]
    assert run(policy("idf-001"), resource_args("aws:iam/user:User", "ci", {"name": "ci"})) == []


def test_an_azure_resource_gets_the_azure_fix_first(monkeypatch, tmp_path):
    results = tmp_path / "records.jsonl"
    monkeypatch.setenv(messages.RESULTS_ENV, str(results))
    reported = run(policy("idf-001"), resource_args("azuread:index/applicationPassword:ApplicationPassword", "ci",
                                                    {"applicationId": "app-1"}))
    [(message, _)] = reported
    assert message.split("\n")[1] == (
        "fix: Azure: Remove the password or registry token. Give the pipeline a federated identity credential on "
        "a user-assigned identity or application (subject pinned to the CI's repository and environment) and "
        "grant that identity what the key's owner had.")
    assert messages.decode_all(message)[0].message == messages.decode(message.split("\n")[0]).message
    [record] = messages.read_records(str(results))[0]
    assert record["remediation"] == REGISTRY["IDF-001"].remediation_for("azure", "pulumi")
    assert record["remediation"].startswith("Azure: ") and "\n\nAWS: " in record["remediation"]


def test_stack_policy_reports_per_resource_urn():
    resources = [("aws:s3/bucket:Bucket", "open", {"bucket": "open-1"}),
                 ("aws:s3/bucket:Bucket", "shut", {"bucket": "shut-1"}),
                 ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", {
                     "bucket": "shut-1", "blockPublicAcls": True, "blockPublicPolicy": True,
                     "ignorePublicAcls": True, "restrictPublicBuckets": True})]
    reported = run(policy("bkt-001"), stack_args(resources))
    assert reported == [("BKT-001 [high] bucket has no public access block; public ACLs and policies are not refused"
                         "\nfix: Pulumi: Add an `aws.s3.BucketPublicAccessBlock` for the bucket with "
                         "`block_public_acls`, `block_public_policy`, `ignore_public_acls` and "
                         "`restrict_public_buckets` all True, or an `aws.s3.AccountPublicAccessBlock` with the four "
                         "flags True in the same stack.", URN.format(type="aws:s3/bucket:Bucket", name="open"))]


def test_unknown_is_a_violation_at_apply_and_a_cant_run_during_preview(monkeypatch):
    resources = [("aws:s3/bucket:Bucket", "b", {"bucket": "b-1"}),
                 ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", {
                     "bucket": UNKNOWN_STRING_VALUE, "blockPublicAcls": True, "blockPublicPolicy": True,
                     "ignorePublicAcls": True, "restrictPublicBuckets": True})]  # complete: the link decides
    monkeypatch.setenv("PULUMI_DRY_RUN", "false")
    (message, urn), = run(policy("bkt-001"), stack_args(resources))
    line = messages.decode(message)
    assert (line.rule_id, line.severity, line.unknown, urn) == ("BKT-001", "high", True,
                                                                URN.format(type="aws:s3/bucket:Bucket", name="b"))
    monkeypatch.setenv("PULUMI_DRY_RUN", "true")
    with pytest.raises(UnknownValueError) as caught:
        run(policy("bkt-001"), stack_args(resources))
    lines = messages.decode_all(caught.value.message)
    assert [(l.rule_id, l.unknown, l.urn) for l in lines] == [
        ("BKT-001", True, URN.format(type="aws:s3/bucket:Bucket", name="b"))]


def test_settings_come_from_the_policy_config_and_bad_settings_fail_closed():
    args = resource_args("aws:iam/accessKey:AccessKey", "ci-key", {"user": "ci-bot"},
                         config={"suppressions": [{"rule": "IDF-001", "resource": "ci-key",
                                                   "reason": "break-glass key, tracked in SEC-42"}]})
    assert run(policy("idf-001"), args) == []
    bad = resource_args("aws:iam/accessKey:AccessKey", "ci-key", {"user": "ci-bot"},
                        config={"ci_network": {"cidrs": ["10.0.0.0/33"]}})
    (message, _), = run(policy("idf-001"), bad)
    assert message.startswith("IDF-001 [critical] invalid cicd-guard settings: policy config of "
                              "idf-001-no-long-lived-cloud-keys: ci_network.cidrs[0]: ")


def test_a_rule_with_two_severities_gets_two_policies(test_rules):
    rule = REGISTRY["TST-901"]
    assert policy_names(rule) == {rule.severity: "tst-901-repository-tags-are-pinned",
                                  rule.severities[1]: "tst-901-repository-tags-are-pinned-medium"}
    high, medium = (p for p in build_policies([rule]))
    assert (high.enforcement_level, medium.enforcement_level) == (EnforcementLevel.MANDATORY,
                                                                  EnforcementLevel.ADVISORY)
    unset = resource_args("aws:ecr/repository:Repository", "r", {"name": "r"})
    assert run(high, unset) == []
    assert run(medium, unset) == [("TST-901 [medium] tag mutability is not set\nfix: Set image_tag_mutability to "
                                   "IMMUTABLE.", None)]
    mutable = resource_args("aws:ecr/repository:Repository", "r", {"name": "r", "imageTagMutability": "MUTABLE"})
    assert run(high, mutable) == [("TST-901 [high] tags are MUTABLE\nfix: Set image_tag_mutability to IMMUTABLE.",
                                   None)]


def test_an_undeclared_severity_goes_to_the_main_policy_not_nowhere():
    from rulebook.findings import Severity as RbSeverity
    from rulebook.rules.base import Result, rule

    @rule(id="TST-903", title="Odd severities", severity=RbSeverity.HIGH, practice="P8",
          kinds=("aws.ecr.repository",), rationale="test rule", remediation="none")
    def odd(resource, ctx):
        yield Result.fail(resource, "reported as low", severity=RbSeverity.LOW)

    try:
        (only,) = build_policies([REGISTRY["TST-903"]])
        assert run(only, resource_args("aws:ecr/repository:Repository", "r", {"name": "r"})) == [
            ("TST-903 [low] reported as low\nfix: none", None)]
    finally:
        REGISTRY.pop("TST-903")


def test_a_rule_that_raises_reports_cannot_decide_instead_of_crashing(monkeypatch):
    def broken(resource, ctx):
        raise KeyError("surprise")

    monkeypatch.setitem(REGISTRY, "IDF-001", dataclasses.replace(REGISTRY["IDF-001"], check=broken))
    reported = run(policy("idf-001"), resource_args("aws:iam/accessKey:AccessKey", "ci-key", {"user": "ci-bot"}))
    assert len(reported) == 1 and "cannot decide: the rule failed: KeyError" in reported[0][0]
