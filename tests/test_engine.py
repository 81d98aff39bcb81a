"""The engine: enforcement, suppressions, exit codes, and the first two rules over model inventories."""

from __future__ import annotations

import datetime as dt

from builders import make
from rulebook.config import Config
from rulebook.engine import evaluate, report
from rulebook.findings import Enforcement, Severity, Status
from rulebook.model import InlineSuppression, Inventory, InputError, Ref
from rulebook.rules import REGISTRY
from rulebook.unknown import Unknown

TODAY = dt.date(2026, 11, 25)


def rows(findings):
    return [(f.rule_id, f.status.value, f.resource, f.line) for f in findings]


def _key_inventory():
    user = make("aws.iam.user", "aws_iam_user.ci", 1, name="ci-bot")
    key = make("aws.iam.access_key", "aws_iam_access_key.ci", 5, user=Ref("aws_iam_user.ci", "name"))
    return Inventory([user, key])


def test_idf_001_flags_access_key_with_owner_name():
    findings = evaluate(_key_inventory(), rules=[REGISTRY["IDF-001"]], today=TODAY)
    assert rows(findings) == [("IDF-001", "failed", "aws_iam_access_key.ci", 5)]
    assert findings[0].message == "a long-lived access key is created for ci-bot; use OIDC federation instead"
    assert findings[0].severity is Severity.CRITICAL and findings[0].enforcement is Enforcement.MANDATORY


def test_bkt_001_cases():
    inv = Inventory([
        make("aws.s3.bucket", "aws_s3_bucket.none", 1, bucket="none"),
        make("aws.s3.bucket", "aws_s3_bucket.partial", 10, bucket="partial"),
        make("aws.s3.bucket", "aws_s3_bucket.good", 20, bucket="good"),
        make("aws.s3.bucket", "aws_s3_bucket.later", 30, bucket="later"),
        make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.partial", 12,
             bucket=Ref("aws_s3_bucket.partial", "id"), block_public_acls=True, block_public_policy=False,
             ignore_public_acls=True, restrict_public_buckets=True),
        make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.good", 22,
             bucket="good", block_public_acls=True, block_public_policy=True,
             ignore_public_acls=True, restrict_public_buckets=True),
        make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.later", 32,
             bucket=Ref("aws_s3_bucket.later", "id"), block_public_acls=Unknown("known after apply"),
             block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True),
    ])
    findings = evaluate(inv, rules=[REGISTRY["BKT-001"]], today=TODAY)
    assert rows(findings) == [
        ("BKT-001", "failed", "aws_s3_bucket.none", 1),
        ("BKT-001", "failed", "aws_s3_bucket.partial", 10),
        ("BKT-001", "unknown", "aws_s3_bucket.later", 30),
    ]
    assert findings[1].message == ("public access block aws_s3_bucket_public_access_block.partial "
                                   "does not set block_public_policy to true")
    assert "known after apply" in findings[2].message


def test_bkt_001_account_level_block_covers_every_bucket():
    inv = Inventory([
        make("aws.s3.bucket", "aws_s3_bucket.a", 1, bucket="a"),
        make("aws.s3.public_access_block", "aws_s3_account_public_access_block.all", 5,
             block_public_acls=True, block_public_policy=True, ignore_public_acls=True,
             restrict_public_buckets=True),
    ])
    assert evaluate(inv, rules=[REGISTRY["BKT-001"]], today=TODAY) == []


def test_bkt_001_block_with_unknown_bucket_makes_unprotected_bucket_unknown():
    inv = Inventory([
        make("aws.s3.bucket", "aws_s3_bucket.a", 1, bucket="a"),
        make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.x", 5,
             bucket=Unknown("bucket id known after apply"), block_public_acls=True, block_public_policy=True,
             ignore_public_acls=True, restrict_public_buckets=True),
    ])
    assert rows(evaluate(inv, rules=[REGISTRY["BKT-001"]], today=TODAY)) == [
        ("BKT-001", "unknown", "aws_s3_bucket.a", 1)]


def test_config_enforcement_and_disable():
    inv = _key_inventory()
    advisory = Config.from_dict({"enforcement": {"IDF-001": "advisory"}})
    [finding] = evaluate(inv, advisory, rules=[REGISTRY["IDF-001"]], today=TODAY)
    assert finding.enforcement is Enforcement.ADVISORY and not finding.blocks
    disabled = Config.from_dict({"enforcement": {"IDF-001": "disabled"}})
    assert evaluate(inv, disabled, rules=[REGISTRY["IDF-001"]], today=TODAY) == []


def test_config_suppression_matches_glob_and_expires():
    inv = _key_inventory()
    live = Config.from_dict({"suppressions": [
        {"rule": "IDF-001", "resource": "aws_iam_access_key.*", "reason": "legacy vendor", "expires": "2026-12-31"}]})
    [finding] = evaluate(inv, live, rules=[REGISTRY["IDF-001"]], today=TODAY)
    assert finding.status is Status.SUPPRESSED and finding.suppression.source == "config"
    expired = Config.from_dict({"suppressions": [
        {"rule": "IDF-001", "resource": "aws_iam_access_key.ci", "reason": "legacy vendor", "expires": "2026-01-01"}]},
        source="cicd-guard.yaml")
    [finding] = evaluate(inv, expired, rules=[REGISTRY["IDF-001"]], today=TODAY)
    assert finding.status is Status.FAILED
    assert finding.message.endswith("[suppression in cicd-guard.yaml expired on 2026-01-01]")


def test_inline_suppression_and_strict_suppressions():
    inv = _key_inventory()
    inv.by_address("aws_iam_access_key.ci").suppressions.append(
        InlineSuppression(("IDF-001",), "rotated by vault", None, "main.tf", 4))
    [finding] = evaluate(inv, rules=[REGISTRY["IDF-001"]], today=TODAY)
    assert finding.status is Status.SUPPRESSED and finding.suppression.reason == "rotated by vault"
    [finding] = evaluate(inv, rules=[REGISTRY["IDF-001"]], today=TODAY, strict_suppressions=True)
    assert finding.status is Status.FAILED and "refused" in finding.message


def test_exit_codes():
    inv = _key_inventory()
    assert report(inv, today=TODAY).exit_code() == 1
    advisory = Config.from_dict({"enforcement": {"IDF-001": "advisory"}})
    assert report(Inventory([]), advisory).exit_code() == 0
    broken = Inventory([])
    broken.errors.append(InputError("bad.tf", 3, "unexpected token"))
    assert report(broken).exit_code() == 2
    unknown_only = Inventory([
        make("aws.s3.bucket", "aws_s3_bucket.a", 1, bucket="a"),
        make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.x", 5, bucket=Unknown("later"),
             block_public_acls=True, block_public_policy=True, ignore_public_acls=True,
             restrict_public_buckets=True)])
    rep = report(unknown_only, rules=[REGISTRY["BKT-001"]])
    assert rep.exit_code() == 0 and rep.exit_code(strict=True) == 1
