"""The engine: enforcement, suppressions, exit codes, and the first two rules over model inventories."""

from __future__ import annotations

import datetime as dt

import pytest

from builders import make
from rulebook.config import Config
from rulebook.engine import evaluate, report, to_finding
from rulebook.findings import Enforcement, Severity, Status
from rulebook.model import InlineSuppression, Inventory, InputError, Linked, Ref, SourceLocation
from rulebook.rules import REGISTRY, Context, all_rules
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


_ALL_TRUE = dict(block_public_acls=True, block_public_policy=True, ignore_public_acls=True,
                 restrict_public_buckets=True)
_ALL_FALSE = dict(block_public_acls=False, block_public_policy=False, ignore_public_acls=False,
                  restrict_public_buckets=False)


def _bkt(*resources):
    findings = evaluate(Inventory(list(resources)), rules=[REGISTRY["BKT-001"]], today=TODAY)
    return [(f.status.value, f.resource, f.message) for f in findings]


def test_bkt_001_fails_whichever_block_is_linked_when_none_could_be_complete():
    # the only block of the bucket names it through a reference Terraform leaves unknown
    assert _bkt(
        make("aws.s3.bucket", "aws_s3_bucket.open", 1, bucket="open", acl="public-read-write"),
        make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.open", 5,
             bucket=Unknown("known after apply"), **_ALL_FALSE),
    ) == [("failed", "aws_s3_bucket.open", "no public access block that may belong to this bucket "
           "(aws_s3_bucket_public_access_block.open) sets every flag to true (block_public_acls, "
           "block_public_policy, ignore_public_acls, restrict_public_buckets not true)")]


def test_bkt_001_same_named_buckets_fail_when_every_candidate_block_has_a_gap():
    partial = dict(_ALL_TRUE, ignore_public_acls=False)
    assert _bkt(
        make("aws.s3.bucket", "module.a.aws_s3_bucket.b", 1, bucket="same"),
        make("aws.s3.bucket", "module.b.aws_s3_bucket.b", 2, bucket="same"),
        make("aws.s3.public_access_block", "module.a.aws_s3_bucket_public_access_block.b", 5, bucket="same",
             **partial),
    ) == [("failed", "module.a.aws_s3_bucket.b", "no public access block that may belong to this bucket "
           "(module.a.aws_s3_bucket_public_access_block.b) sets every flag to true (ignore_public_acls not true)"),
          ("failed", "module.b.aws_s3_bucket.b", "no public access block that may belong to this bucket "
           "(module.a.aws_s3_bucket_public_access_block.b) sets every flag to true (ignore_public_acls not true)")]


def test_bkt_001_same_named_buckets_with_a_complete_candidate_are_unknown_naming_both():
    assert _bkt(
        make("aws.s3.bucket", "module.a.aws_s3_bucket.b", 1, bucket="same"),
        make("aws.s3.bucket", "module.b.aws_s3_bucket.b", 2, bucket="same"),
        make("aws.s3.public_access_block", "module.a.aws_s3_bucket_public_access_block.b", 5, bucket="same",
             **_ALL_TRUE),
    ) == [("unknown", address, "cannot decide whether module.a.aws_s3_bucket_public_access_block.b protects "
           "this bucket: same may be any of 2 resources "
           "(module.a.aws_s3_bucket.b, module.b.aws_s3_bucket.b); the configuration does not say which")
          for address in ("module.a.aws_s3_bucket.b", "module.b.aws_s3_bucket.b")]


def test_bkt_001_linked_name_goes_to_the_bucket_the_engine_names():
    assert _bkt(
        make("aws.s3.bucket", "module.a.aws_s3_bucket.b", 1, bucket="same"),
        make("aws.s3.bucket", "module.b.aws_s3_bucket.b", 2, bucket="same"),
        make("aws.s3.public_access_block", "module.a.aws_s3_bucket_public_access_block.b", 5,
             bucket=Linked("same", ("module.a.aws_s3_bucket.b",)), **_ALL_TRUE),
        make("aws.s3.public_access_block", "module.b.aws_s3_bucket_public_access_block.b", 6,
             bucket=Linked("same", ("module.b.aws_s3_bucket.b",)), **dict(_ALL_TRUE, block_public_policy=False)),
    ) == [("failed", "module.b.aws_s3_bucket.b", "public access block module.b.aws_s3_bucket_public_access_block.b "
           "does not set block_public_policy to true")]


def test_bkt_001_incomplete_account_level_block_exempts_no_bucket():
    assert _bkt(
        make("aws.s3.bucket", "aws_s3_bucket.a", 1, bucket="a"),
        make("aws.s3.public_access_block", "aws_s3_account_public_access_block.all", 5,
             **dict(_ALL_TRUE, restrict_public_buckets=False)),
    ) == [("failed", "aws_s3_bucket.a", "bucket has no public access block; public ACLs and policies are not refused")]


def test_bkt_001_a_complete_block_among_several_for_one_bucket_protects_it():
    assert _bkt(
        make("aws.s3.bucket", "aws_s3_bucket.a", 1, bucket="a"),
        make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.x", 5,
             bucket=Ref("aws_s3_bucket.a", "id"), **_ALL_FALSE),
        make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.y", 9,
             bucket=Ref("aws_s3_bucket.a", "id"), **_ALL_TRUE),
    ) == []


def test_bkt_001_block_for_a_bucket_declared_elsewhere_protects_none_here():
    assert _bkt(
        make("aws.s3.bucket", "aws_s3_bucket.a", 1, bucket="a"),
        make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.x", 5, bucket="elsewhere",
             **_ALL_TRUE),
    ) == [("failed", "aws_s3_bucket.a", "bucket has no public access block; public ACLs and policies are not refused")]


# --- suppressions: each decision pinned -----------------------------------------------------------

def test_config_suppression_for_another_rule_does_not_suppress():
    inv = _key_inventory()
    other = Config.from_dict({"suppressions": [
        {"rule": "REG-001", "resource": "aws_iam_access_key.ci", "reason": "not this rule", "expires": "2026-12-31"}]})
    [finding] = evaluate(inv, other, rules=[REGISTRY["IDF-001"]], today=TODAY)
    assert (finding.status, finding.suppression, finding.message) == (
        Status.FAILED, None, "a long-lived access key is created for ci-bot; use OIDC federation instead")


def test_config_suppression_for_another_resource_does_not_suppress():
    inv = _key_inventory()
    other = Config.from_dict({"suppressions": [
        {"rule": "IDF-001", "resource": "aws_iam_access_key.other", "reason": "reviewed by the platform team", "expires": "2026-12-31"}]})
    [finding] = evaluate(inv, other, rules=[REGISTRY["IDF-001"]], today=TODAY)
    assert finding.status is Status.FAILED


def test_config_suppression_matches_the_resource_name_too():
    inv = _key_inventory()
    inv.by_address("aws_iam_access_key.ci").props["name"] = "vendor-key"
    by_name = Config.from_dict({"suppressions": [
        {"rule": "IDF-001", "resource": "vendor-*", "reason": "vendor", "expires": "2026-12-31"}]})
    [finding] = evaluate(inv, by_name, rules=[REGISTRY["IDF-001"]], today=TODAY)
    assert (finding.status, finding.suppression.reason, finding.suppression.expires) == (
        Status.SUPPRESSED, "vendor", "2026-12-31")


def test_config_suppression_expiring_today_still_suppresses():
    inv = _key_inventory()
    today = Config.from_dict({"suppressions": [
        {"rule": "IDF-001", "resource": "aws_iam_access_key.ci", "reason": "reviewed by the platform team", "expires": TODAY.isoformat()}]})
    [finding] = evaluate(inv, today, rules=[REGISTRY["IDF-001"]], today=TODAY)
    assert finding.status is Status.SUPPRESSED


def test_inline_suppression_expiry_is_honoured():
    inv = _key_inventory()
    key = inv.by_address("aws_iam_access_key.ci")
    key.suppressions.append(InlineSuppression(("IDF-001",), "rotated", "2026-11-24", "main.tf", 4))
    [finding] = evaluate(inv, rules=[REGISTRY["IDF-001"]], today=TODAY)
    assert (finding.status, finding.message) == (
        Status.FAILED, "a long-lived access key is created for ci-bot; use OIDC federation instead "
                       "[inline suppression expired on 2026-11-24]")
    key.suppressions[0] = InlineSuppression(("IDF-001",), "rotated", TODAY.isoformat(), "main.tf", 4)
    [finding] = evaluate(inv, rules=[REGISTRY["IDF-001"]], today=TODAY)
    assert (finding.status, finding.suppression.source, finding.suppression.expires) == (
        Status.SUPPRESSED, "inline", TODAY.isoformat())


def test_inline_suppression_for_another_rule_does_not_suppress():
    inv = _key_inventory()
    inv.by_address("aws_iam_access_key.ci").suppressions.append(
        InlineSuppression(("REG-001",), "other rule", None, "main.tf", 4))
    [finding] = evaluate(inv, rules=[REGISTRY["IDF-001"]], today=TODAY)
    assert (finding.status, finding.message) == (
        Status.FAILED, "a long-lived access key is created for ci-bot; use OIDC federation instead")


@pytest.mark.parametrize("notes, shown", [
    (["first", "second"], " (first; second)"),
    (["OIDC federation instead", "second"], " (second)"),  # a reason ending with the note says it once
    (["ci-bot", "second"], " (ci-bot; second)"),  # a name inside the message hides no note
], ids=["two_notes", "note_ends_message", "note_inside_message"])
def test_resource_notes_follow_the_message(notes, shown):
    inv = _key_inventory()
    inv.by_address("aws_iam_access_key.ci").notes.extend(notes)
    [finding] = evaluate(inv, rules=[REGISTRY["IDF-001"]], today=TODAY)
    assert finding.message == f"a long-lived access key is created for ci-bot; use OIDC federation instead{shown}"


def test_duplicate_results_are_reported_once_and_findings_sorted_by_location():
    inv = Inventory([
        make("aws.s3.bucket", "aws_s3_bucket.late", 30, bucket="late"),
        make("aws.s3.bucket", "aws_s3_bucket.early", 3, bucket="early"),
    ])
    assert rows(evaluate(inv, rules=[REGISTRY["BKT-001"]], today=TODAY)) == [
        ("BKT-001", "failed", "aws_s3_bucket.early", 3), ("BKT-001", "failed", "aws_s3_bucket.late", 30)]


# --- messages never print an empty name --------------------------------------------------------------

def test_empty_policy_arn_is_named_as_such():
    role = make("aws.iam.role", "aws_iam_role.ci", 1, name="ci")
    attachment = make("aws.iam.policy_attachment", "aws_iam_role_policy_attachment.x", 5,
                      policy_arn="", roles=[Ref("aws_iam_role.ci", "name")])
    findings = evaluate(Inventory([role, attachment]), rules=[REGISTRY["REG-001"]], today=TODAY)
    assert [(f.status.value, f.resource, f.message) for f in findings] == [
        ("unknown", "aws_iam_role.ci", "cannot decide whether role ci holds every registry action: policy attached "
         "by aws_iam_role_policy_attachment.x names no policy (policy_arn is empty)")]


def test_empty_names_fall_back_to_the_address():
    registry = make("azure.acr.registry", "azurerm_container_registry.ci", 1, name=" ", admin_enabled=True)
    [finding] = evaluate(Inventory([registry]), rules=[REGISTRY["REG-008"]], today=TODAY)
    assert "registry azurerm_container_registry.ci " in finding.message
    key = make("aws.iam.access_key", "aws_iam_access_key.k", 1, user="")
    [finding] = evaluate(Inventory([key]), rules=[REGISTRY["IDF-001"]], today=TODAY)
    assert finding.message == ("a long-lived access key is created for an unnamed principal (user is empty); "
                               "use OIDC federation instead")


# --- Inventory.resolve: by reference, never by a shared name ------------------------------------------

def _roles_inventory():
    return Inventory([
        make("aws.iam.role", "module.a.aws_iam_role.r", 1, name="shared"),
        make("aws.iam.role", "module.b.aws_iam_role.r", 2, name="shared"),
        make("aws.iam.role", "aws_iam_role.solo", 3, name="solo", arn="arn:aws:iam::1:role/solo"),
        make("aws.iam.user", "aws_iam_user.u", 4, name="shared-user"),
        make("aws.iam.policy", "aws_iam_policy.p", 5, name="solo"),
    ])


@pytest.mark.parametrize("value, kinds, expected", [
    (Ref("module.b.aws_iam_role.r", "name"), None, "module.b.aws_iam_role.r"),
    (Ref("module.c.aws_iam_role.r", "name"), None, None),
    (Linked("shared", ("module.b.aws_iam_role.r",)), ("aws.iam.role",), "module.b.aws_iam_role.r"),
    (Linked("shared", ("module.a.aws_iam_role.r", "aws_iam_user.u")), ("aws.iam.role",), "module.a.aws_iam_role.r"),
    # two links of the wanted kind: the one that has this value
    (Linked("solo", ("module.a.aws_iam_role.r", "aws_iam_role.solo")), ("aws.iam.role",), "aws_iam_role.solo"),
    # the link names a modelled resource of another kind: the name is not used instead
    (Linked("solo", ("aws_iam_user.u",)), ("aws.iam.role",), None),
    # the link names nothing modelled here (a data source): a unique name is the fallback
    (Linked("solo", ("data.aws_iam_role.x",)), ("aws.iam.role",), "aws_iam_role.solo"),
    ("solo", ("aws.iam.role",), "aws_iam_role.solo"),
    ("arn:aws:iam::1:role/solo", None, "aws_iam_role.solo"),
    ("solo", ("aws.iam.policy",), "aws_iam_policy.p"),
    ("nobody", None, None),
    (None, None, None),
    (Unknown("later"), None, None),
])
def test_resolve_follows_references(value, kinds, expected):
    got = _roles_inventory().resolve(value, kinds)
    assert (got.address if got is not None else None) == expected


@pytest.mark.parametrize("value, kinds", [("shared", ("aws.iam.role",)), ("solo", None)])
def test_resolve_of_an_ambiguous_name_is_unknown_naming_the_candidates(value, kinds):
    got = _roles_inventory().resolve(value, kinds)
    assert isinstance(got, Unknown)
    names = {"shared": "module.a.aws_iam_role.r, module.b.aws_iam_role.r",
             "solo": "aws_iam_role.solo, aws_iam_policy.p"}[value]
    assert got.reason == f"{value} may be any of 2 resources ({names}); the configuration does not say which"


def test_resolve_lists_at_most_five_candidates():
    inv = Inventory([make("aws.s3.bucket", f"module.m{i}.aws_s3_bucket.b", i, bucket="b") for i in range(7)])
    got = inv.resolve("b", ("aws.s3.bucket",))
    assert got.reason == ("b may be any of 7 resources (module.m0.aws_s3_bucket.b, module.m1.aws_s3_bucket.b, "
                          "module.m2.aws_s3_bucket.b, module.m3.aws_s3_bucket.b, module.m4.aws_s3_bucket.b, ...); "
                          "the configuration does not say which")


def test_linked_is_a_string_that_survives_copies():
    import copy
    import pickle

    value = Linked("ci", ("aws_iam_role.ci",))
    assert value == "ci" and isinstance(value, str) and f"{value}" == "ci"
    for clone in (pickle.loads(pickle.dumps(value)), copy.deepcopy(value)):
        assert (clone, clone.targets) == ("ci", ("aws_iam_role.ci",))


def test_finding_carries_the_rule_texts_engine_and_module_call():
    inv = _key_inventory()
    key = inv.by_address("aws_iam_access_key.ci")
    key.location = SourceLocation(file="modules/k/main.tf", line=5, end_line=7,
                                  called_from=SourceLocation(file="main.tf", line=3))
    [finding] = evaluate(inv, rules=[REGISTRY["IDF-001"]], today=TODAY)
    rule = REGISTRY["IDF-001"]
    assert (finding.engine, finding.title, finding.remediation, finding.file, finding.line, finding.end_line,
            finding.called_from) == ("terraform", rule.title, rule.remediation_for("aws", "terraform"),
                                     "modules/k/main.tf", 5, 7, "main.tf:3")
    assert finding.remediation.startswith("AWS: Remove the access key.")


def test_to_finding_honours_inline_suppressions_by_default():
    inv = _key_inventory()
    key = inv.by_address("aws_iam_access_key.ci")
    key.suppressions.append(InlineSuppression(("IDF-001",), "rotated by vault", "2027-01-01", "main.tf", 4))
    [result] = REGISTRY["IDF-001"].run(Context(inv, Config()), None)
    finding = to_finding(REGISTRY["IDF-001"], result, Config(), TODAY)
    assert (finding.status, finding.suppression.source, finding.suppression.expires) == (
        Status.SUPPRESSED, "inline", "2027-01-01")


def test_later_suppressions_are_still_considered():
    inv = _key_inventory()
    key = inv.by_address("aws_iam_access_key.ci")
    key.suppressions.extend([InlineSuppression(("REG-001",), "another rule", None, "main.tf", 3),
                             InlineSuppression(("IDF-001",), "expired", "2026-01-01", "main.tf", 3),
                             InlineSuppression(("IDF-001",), "rotated by vault", None, "main.tf", 4)])
    [finding] = evaluate(inv, rules=[REGISTRY["IDF-001"]], today=TODAY)
    assert (finding.status, finding.suppression.reason) == (Status.SUPPRESSED, "rotated by vault")
    config = Config.from_dict({"suppressions": [
        {"rule": "IDF-001", "resource": "aws_iam_access_key.ci", "reason": "an expired exception",
         "expires": "2026-01-01"},
        {"rule": "IDF-001", "resource": "aws_iam_access_key.*", "reason": "reviewed by the platform team"}]})
    [finding] = evaluate(_key_inventory(), config, rules=[REGISTRY["IDF-001"]], today=TODAY)
    assert (finding.status, finding.suppression.reason, finding.suppression.expires) == (
        Status.SUPPRESSED, "reviewed by the platform team", None)


def test_strict_suppressions_note_is_exact():
    inv = _key_inventory()
    inv.by_address("aws_iam_access_key.ci").suppressions.append(
        InlineSuppression(("IDF-001",), "rotated by vault", None, "main.tf", 4))
    [finding] = evaluate(inv, rules=[REGISTRY["IDF-001"]], today=TODAY, strict_suppressions=True)
    assert finding.message == ("a long-lived access key is created for ci-bot; use OIDC federation instead "
                               "[inline suppression refused (--strict-suppressions)]")


def test_report_uses_the_config_and_lists_every_rule_run():
    advisory = Config.from_dict({"enforcement": {"IDF-001": "advisory"}})
    result = report(_key_inventory(), advisory, rules=[REGISTRY["IDF-001"]], today=TODAY)
    assert [f.enforcement for f in result.findings] == [Enforcement.ADVISORY]
    assert result.exit_code() == 0
    assert result.rules_run == [r.id for r in all_rules()]


def test_access_key_owner_labels():
    def message(**props):
        inv = Inventory([make("aws.iam.access_key", "aws_iam_access_key.k", 1, **props)])
        [finding] = evaluate(inv, rules=[REGISTRY["IDF-001"]], today=TODAY)
        return finding.message.split(" is created for ")[1].split(";")[0]

    assert message(user="vendor") == "vendor"
    assert message(user=Ref("aws_iam_user.gone", "name")) == "aws_iam_user.gone"
    assert message() == "an unnamed principal (user is not set)"


def test_bkt_001_ambiguous_name_makes_only_the_buckets_of_that_name_undecided():
    assert [(s, r) for s, r, _ in _bkt(
        make("aws.s3.bucket", "module.a.aws_s3_bucket.b", 1, bucket="same"),
        make("aws.s3.bucket", "module.b.aws_s3_bucket.b", 2, bucket="same"),
        make("aws.s3.bucket", "aws_s3_bucket.other", 3, bucket="other"),
        make("aws.iam.role", "aws_iam_role.same", 4, name="same"),
        make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.x", 5, bucket="same", **_ALL_TRUE),
    )] == [("unknown", "module.a.aws_s3_bucket.b"), ("unknown", "module.b.aws_s3_bucket.b"),
           ("failed", "aws_s3_bucket.other")]


def test_bkt_001_messages_name_the_blocks():
    later = dict(_ALL_TRUE, block_public_acls=Unknown("known after apply"))
    assert _bkt(
        make("aws.s3.bucket", "aws_s3_bucket.a", 1, bucket="a"),
        make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.a", 5,
             bucket=Ref("aws_s3_bucket.a", "id"), **later),
    ) == [("unknown", "aws_s3_bucket.a", "cannot decide the public access block aws_s3_bucket_public_access_block.a: "
           "known after apply")]
    assert _bkt(
        make("aws.s3.bucket", "aws_s3_bucket.a", 1, bucket="a"),
        make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.x", 5, bucket=Unknown("later"),
             **dict(_ALL_TRUE, block_public_acls=False)),
        make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.y", 6, bucket=Unknown("later"),
             **dict(_ALL_TRUE, restrict_public_buckets=False)),
    ) == [("failed", "aws_s3_bucket.a", "no public access block that may belong to this bucket "
           "(aws_s3_bucket_public_access_block.x, aws_s3_bucket_public_access_block.y) sets every flag to true "
           "(block_public_acls, restrict_public_buckets not true)")]


@pytest.mark.parametrize("strict, first_expires", [(False, "2026-01-01"), (True, "2099-01-01")])
def test_a_later_config_suppression_applies_when_an_earlier_one_is_expired_or_refused(strict, first_expires):
    config = Config.from_dict({"suppressions": [
        {"rule": "IDF-001", "resource": "aws_iam_access_key.ci", "reason": "old", "expires": first_expires},
        {"rule": "IDF-001", "resource": "aws_iam_access_key.*", "reason": "renewed", "expires": "2026-12-31"}]})
    [finding] = evaluate(_key_inventory(), config, rules=[REGISTRY["IDF-001"]], today=TODAY,
                         strict_suppressions=strict)
    assert (finding.status, finding.suppression.reason, finding.suppression.expires) == (
        Status.SUPPRESSED, "renewed", "2026-12-31")


def _unknown_policy_inventory(reasons: list[str]):
    """A repository policy whose statements each wait on a different value: one reason per statement."""
    from rulebook.policy import parse_policy

    statements = [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage", "Resource": "*",
                   "Condition": {"StringEquals": {"aws:SourceVpce": Unknown(reason)}}} for reason in reasons]
    policy = parse_policy({"Version": "2012-10-17", "Statement": statements})
    return Inventory([make("aws.ecr.repository_policy", "aws_ecr_repository_policy.app", 7, repository="app",
                           policy=policy)])


@pytest.mark.parametrize("reasons, message", [
    (["a unknown"], "cannot decide whether statement #1 of aws_ecr_repository_policy.app restricts everyone "
                    "(Principal *): aws:SourceVpce value: a unknown"),
    (["a unknown", "b unknown"],
     "cannot decide whether statement #1 of aws_ecr_repository_policy.app restricts everyone (Principal *): "
     "aws:SourceVpce value: a unknown; also undecided: cannot decide whether statement #2 of aws_ecr_repository_policy.app restricts "
     "everyone (Principal *): aws:SourceVpce value: b unknown"),
    ([f"{c} unknown" for c in "abcdef"],
     "cannot decide whether statement #1 of aws_ecr_repository_policy.app restricts everyone (Principal *): "
     "aws:SourceVpce value: a unknown; also undecided: "
     + "; ".join(f"cannot decide whether statement #{i} of aws_ecr_repository_policy.app restricts everyone (Principal *): "
                 f"aws:SourceVpce value: {c} unknown" for i, c in ((2, "b"), (3, "c"), (4, "d")))
     + "; and 2 more"),
])
def test_the_same_unknown_is_one_result_per_resource_and_rule_not_one_per_reason(reasons, message):
    findings = evaluate(_unknown_policy_inventory(reasons), rules=[REGISTRY["REG-007"]], today=TODAY)
    assert rows(findings) == [("REG-007", "unknown", "aws_ecr_repository_policy.app", 7)]
    assert findings[0].message == message
