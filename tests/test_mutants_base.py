"""What a rule is and how the engine turns results into findings, pinned with exact results: the
`@rule` decorator's checks and the Rule it builds, fix keys per cloud and engine, the remediation for
docs, linked satellites, and the engine's enforcement, suppressions and one UNKNOWN per resource.

Most of this runs at import time (every rule registers when its module loads), where a changed line
would break every rule at once or none visibly; these tests call it directly, so each decision has a
test that fails when it changes (surviving mutants of the mutation run, docs/mutation/base.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from builders import make
from rulebook.config import Config, ConfigSuppression
from rulebook.engine import evaluate, one_unknown_per_resource, remediation_for, report, rule_findings, to_finding
from rulebook.findings import Enforcement, Finding, Severity, Status, Suppression
from rulebook.model import InlineSuppression, InputError, Inventory, Linked, Ref, Resource, SourceLocation
from rulebook.rules import all_rules
from rulebook.rules.base import (REGISTRY, Context, Example, Fix, Result, Rule, parse_fixes, remediation_markdown,
                                 rule)
from rulebook.rules.helpers import MAX_POSSIBLE, linked
from rulebook.unknown import Unknown

FIX_KEY_ERROR = ("TST-1: fix {key!r} needs a text and a cloud ('aws', 'azure'), an engine ('terraform', 'pulumi') "
                 "or cloud/engine")


# --- parse_fixes ----------------------------------------------------------------------------------------------

def test_fix_keys_name_a_cloud_an_engine_or_both():
    fixes = {"aws": "  for aws  ", "pulumi": "for pulumi", "azure/terraform": "for azure in terraform",
             "azure": "for azure", "terraform": "for terraform", "aws/pulumi": "for aws in pulumi"}
    assert parse_fixes("TST-1", fixes) == (
        Fix("for aws", "aws", ""), Fix("for pulumi", "", "pulumi"), Fix("for azure in terraform", "azure", "terraform"),
        Fix("for azure", "azure", ""), Fix("for terraform", "", "terraform"), Fix("for aws in pulumi", "aws", "pulumi"),
    )
    assert parse_fixes("TST-1", None) == () and parse_fixes("TST-1", {}) == ()


@pytest.mark.parametrize("key, text", [
    ("gcp", "x"), ("cdk", "x"), ("gcp/pulumi", "x"), ("aws/cdk", "x"), ("azure/", "x"), ("/pulumi", "x"),
    ("/", "x"), ("aws/pulumi/x", "x"), ("aws", "   "), ("pulumi", ""), ("azure/terraform", "\n"),
])
def test_a_fix_key_outside_the_clouds_and_engines_or_without_text_is_refused(key, text):
    with pytest.raises(ValueError) as raised:
        parse_fixes("TST-1", {"aws": "fine", key: text})
    assert str(raised.value) == FIX_KEY_ERROR.format(key=key)


# --- remediation_markdown ---------------------------------------------------------------------------------------

def _bare_rule(remediation: str, fixes: tuple[Fix, ...]) -> Rule:
    return Rule(id="TST-1", title="t", severity=Severity.LOW, practice="P5", rationale="r",
                remediation=remediation, check=lambda ctx: (), scope="inventory", fixes=fixes)


def test_remediation_markdown_gives_the_general_text_then_each_fix_in_bold():
    fixes = (Fix("Use A.", "aws", ""), Fix("Use B.", "azure", "pulumi"), Fix("Use C.", "", "terraform"))
    assert remediation_markdown(_bare_rule("Do this.", fixes)) == \
        "Do this.\n\n**AWS**: Use A.\n\n**Azure (Pulumi)**: Use B.\n\n**Terraform**: Use C."
    assert remediation_markdown(_bare_rule("", fixes)) == \
        "**AWS**: Use A.\n\n**Azure (Pulumi)**: Use B.\n\n**Terraform**: Use C."
    assert remediation_markdown(_bare_rule("Do this.", ())) == "Do this."


# --- the @rule decorator ----------------------------------------------------------------------------------------

def _check(resource, ctx):
    return ()


BASE = dict(id="TST-1", title="A test rule", severity=Severity.MEDIUM, practice="P5",
            rationale="  Why it matters.\n", remediation="  Do the right thing.\n")


@pytest.fixture
def registry():
    """Rules registered by a test are removed afterwards, whether it passed or not."""
    before = set(REGISTRY)
    yield REGISTRY
    for rule_id in set(REGISTRY) - before:
        del REGISTRY[rule_id]


def test_rule_registers_every_piece_of_its_metadata(registry):
    example = Example("terraform", False, 'resource "x" "y" {}', "x.y")
    built = rule(**BASE, scope="resource", kinds=["aws.s3.bucket", "azure.storage.account"], examples=[example],
                 compliance={"cis_v8": ("3.3",)}, engine_notes={"pulumi": "cannot see it"},
                 severities=[Severity.MEDIUM, Severity.HIGH], fixes={"aws": " Use A. ", "azure/pulumi": "Use B."})(_check)
    assert built == Rule(id="TST-1", title="A test rule", severity=Severity.MEDIUM, practice="P5",
                         rationale="Why it matters.", remediation="Do the right thing.", check=_check, scope="resource",
                         kinds=("aws.s3.bucket", "azure.storage.account"), examples=(example,),
                         compliance_extra={"cis_v8": ("3.3",)}, engine_notes={"pulumi": "cannot see it"},
                         severities=(Severity.MEDIUM, Severity.HIGH),
                         fixes=(Fix("Use A.", "aws", ""), Fix("Use B.", "azure", "pulumi")))
    assert registry["TST-1"] is built


def test_rule_defaults_its_severities_to_its_own_and_takes_an_inventory_scope(registry):
    built = rule(**BASE, scope="inventory")(_check)
    assert (built.scope, built.kinds, built.examples, built.compliance_extra, built.engine_notes, built.severities,
            built.fixes) == ("inventory", (), (), {}, {}, (Severity.MEDIUM,), ())


def test_a_rule_with_fixes_only_needs_no_general_remediation(registry):
    built = rule(**{**BASE, "remediation": " "}, fixes={"aws": "Use A.", "azure": "Use B."})(_check)
    assert (built.remediation, built.fixes) == ("", (Fix("Use A.", "aws", ""), Fix("Use B.", "azure", "")))


@pytest.mark.parametrize("changes, message", [
    ({"remediation": "  \n"}, "TST-1: a rule needs a remediation"),
    ({"practice": "P99"}, "TST-1: unknown practice area P99"),
    ({"scope": "stack"}, "TST-1: scope must be 'resource' or 'inventory'"),
    ({"fixes": {"gcp": "Use G."}}, FIX_KEY_ERROR.format(key="gcp")),
])
def test_rule_refuses_incomplete_metadata_naming_the_rule(registry, changes, message):
    with pytest.raises(ValueError) as raised:
        rule(**{**BASE, **changes})
    assert str(raised.value) == message
    assert "TST-1" not in registry


def test_a_rule_id_registers_once(registry):
    first = rule(**BASE)(_check)
    with pytest.raises(ValueError) as raised:
        rule(**BASE)(lambda resource, ctx: ())
    assert str(raised.value) == "rule TST-1 registered twice"
    assert registry["TST-1"] is first


# --- linked -----------------------------------------------------------------------------------------------------

LATER = Unknown("bucket known after apply")


def test_linked_keeps_satellite_order_and_shares_one_resolution_per_value():
    """Two blocks naming the same ambiguous bucket and one whose bucket is not known: each owner lists
    them in declaration order; a Linked value is placed by its targets, not by its name."""
    one = make("aws.s3.bucket", "aws_s3_bucket.one", 1, bucket="shared")
    two = make("aws.s3.bucket", "aws_s3_bucket.two", 5, bucket="shared")
    first = make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.a", 20, bucket="shared")
    later = make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.u", 25, bucket=LATER)
    second = make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.b", 30, bucket="shared")
    named = make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.l", 35,
                 bucket=Linked("shared", ("aws_s3_bucket.two",)))
    inventory = Inventory([one, two, first, later, second, named])
    owned, possible, crowded = linked(inventory, [one, two], [first, later, second, named], "bucket")
    ambiguous = inventory.resolve("shared", ("aws.s3.bucket",))
    assert (owned, crowded) == ({"aws_s3_bucket.two": [named]}, {})
    assert possible == {address: [(first, ambiguous), (later, LATER), (second, ambiguous)]
                        for address in ("aws_s3_bucket.one", "aws_s3_bucket.two")}


def test_linked_resolves_each_linked_value_by_its_own_text_among_its_targets():
    """One argument referring to two buckets: the value says which (`Linked`); equal targets with another
    text resolve apart."""
    a = make("aws.s3.bucket", "aws_s3_bucket.a", 1, bucket="x")
    b = make("aws.s3.bucket", "aws_s3_bucket.b", 5, bucket="y")
    targets = ("aws_s3_bucket.a", "aws_s3_bucket.b")
    to_a = make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.a", 20, bucket=Linked("x", targets))
    to_b = make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.b", 25, bucket=Linked("y", targets))
    owned, possible, crowded = linked(Inventory([a, b, to_a, to_b]), [a, b], [to_a, to_b], "bucket")
    assert (owned, possible, crowded) == ({"aws_s3_bucket.a": [to_a], "aws_s3_bucket.b": [to_b]}, {}, {})


def test_linked_does_not_compare_more_than_max_possible_satellites_for_one_owner():
    """Past MAX_POSSIBLE the owner is crowded: the first satellite and a reason with the count, and no list."""
    bucket = make("aws.s3.bucket", "aws_s3_bucket.b", 1, bucket="b")
    blocks = [make("aws.s3.public_access_block", f"aws_s3_bucket_public_access_block.p[{i}]", 9, bucket=LATER)
              for i in range(MAX_POSSIBLE + 1)]
    owned, possible, crowded = linked(Inventory([bucket, *blocks]), [bucket], blocks, "bucket")
    assert (owned, possible) == ({}, {})
    assert crowded == {"aws_s3_bucket.b": (blocks[0], Unknown(
        f"{MAX_POSSIBLE + 1} resources whose link is not decided may belong to it, more than the {MAX_POSSIBLE} "
        f"cicd-guard compares one by one"))}
    owned, possible, crowded = linked(Inventory([bucket, *blocks]), [bucket], blocks[:MAX_POSSIBLE], "bucket")
    assert (len(possible["aws_s3_bucket.b"]), crowded) == (MAX_POSSIBLE, {})


def test_a_crowd_of_an_ambiguous_name_names_its_first_satellite_in_declaration_order():
    """Two buckets share a name; MAX_POSSIBLE blocks name it, declared before one whose bucket is not known."""
    twins = [make("aws.s3.bucket", f"aws_s3_bucket.{n}", 1, bucket="shared") for n in ("a", "b")]
    named = [make("aws.s3.public_access_block", f"aws_s3_bucket_public_access_block.n[{i}]", 9, bucket="shared")
             for i in range(MAX_POSSIBLE)]
    later = make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.u", 9, bucket=LATER)
    inventory = Inventory([*twins, *named, later])
    reason = Unknown(f"{MAX_POSSIBLE + 1} resources whose link is not decided may belong to it, more than the "
                     f"{MAX_POSSIBLE} cicd-guard compares one by one")
    assert linked(inventory, twins, [*named, later], "bucket")[2] == {
        t.address: (named[0], reason) for t in twins}
    only_named = Inventory([*twins, *named, named[0]])
    assert linked(only_named, twins, [*named, named[0]], "bucket")[2] == {
        t.address: (named[0], reason) for t in twins}


def test_linked_places_a_satellite_of_an_ambiguous_name_only_at_owners_of_the_wanted_kinds():
    one = make("aws.s3.bucket", "aws_s3_bucket.one", 1, bucket="shared")
    two = make("aws.s3.bucket", "aws_s3_bucket.two", 5, bucket="shared")
    solo = make("aws.s3.bucket", "aws_s3_bucket.solo", 9, bucket="solo")
    # a resource of another kind with the same identifier is no candidate owner
    other = make("aws.ecr.repository", "aws_ecr_repository.shared", 13, name="shared")
    by_name = make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.n", 20, bucket="shared")
    by_ref = make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.r", 25,
                  bucket=Ref("aws_s3_bucket.solo", "id"))
    later = Unknown("bucket known after apply")
    unknown = make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.u", 30, bucket=later)
    stray = make("aws.s3.public_access_block", "aws_s3_bucket_public_access_block.s", 35, bucket="elsewhere")
    inventory = Inventory([one, two, solo, other, by_name, by_ref, unknown, stray])
    owned, possible, crowded = linked(inventory, [one, two, solo], [by_name, by_ref, unknown, stray], "bucket")
    assert crowded == {}
    assert owned == {"aws_s3_bucket.solo": [by_ref]}
    ambiguous = inventory.resolve("shared", ("aws.s3.bucket",))
    assert possible == {
        "aws_s3_bucket.one": [(by_name, ambiguous), (unknown, later)],
        "aws_s3_bucket.two": [(by_name, ambiguous), (unknown, later)],
        "aws_s3_bucket.solo": [(unknown, later)],
    }
    assert ambiguous == Unknown("shared may be any of 2 resources (aws_s3_bucket.one, aws_s3_bucket.two); "
                                "the configuration does not say which")


# --- the engine: findings from results ----------------------------------------------------------------------

KIND = "test.gadget"
TODAY = dt.date(2000, 1, 1)  # far from the clock's date: a test that lost `today` sees other expiries


def _results(resource, ctx):
    """Each gadget says which results to give: (message, unknown, severity or None)."""
    for message, unknown, severity in resource.get("results", ()):
        yield Result(resource, message, unknown, severity)


GADGET = Rule(id="TST-9", title="Gadgets behave", severity=Severity.LOW, practice="P5", rationale="r",
              remediation="Fix the gadget.", check=_results, scope="resource", kinds=(KIND,),
              fixes=(Fix("Use the AWS way.", "aws", ""), Fix("Use the Azure way.", "azure", ""),
                     Fix("In Pulumi, set it.", "", "pulumi"), Fix("Azure in Pulumi.", "azure", "pulumi")))


def gadget(address: str, line: int, *results, **props) -> Resource:
    return make(KIND, address, line, results=list(results), **props)


def finding(resource: Resource, message: str, status: Status = Status.FAILED, severity: Severity = Severity.LOW,
            enforcement: Enforcement = Enforcement.ADVISORY, suppression: Suppression | None = None) -> Finding:
    return Finding(rule_id="TST-9", severity=severity, enforcement=enforcement, status=status,
                   resource=resource.address, engine=resource.engine, file=resource.location.file,
                   line=resource.location.line, message=message, remediation=remediation_for(GADGET, resource),
                   title="Gadgets behave", end_line=resource.location.end_line, urn=resource.location.urn,
                   suppression=suppression)


def test_to_finding_takes_the_results_severity_and_the_configured_enforcement():
    loud = gadget("test_gadget.a", 3)
    result = Result(loud, "too loud", False, Severity.HIGH)
    assert to_finding(GADGET, result, Config(), TODAY) == finding(
        loud, "too loud", severity=Severity.HIGH, enforcement=Enforcement.MANDATORY)
    advisory = Config(enforcement={"TST-9": Enforcement.ADVISORY})
    assert to_finding(GADGET, result, advisory, TODAY) == finding(
        loud, "too loud", severity=Severity.HIGH, enforcement=Enforcement.ADVISORY)
    mandatory = Config(enforcement={"TST-9": Enforcement.MANDATORY})
    assert to_finding(GADGET, Result(loud, "unsure", True), mandatory, TODAY) == finding(
        loud, "unsure", status=Status.UNKNOWN, enforcement=Enforcement.MANDATORY)
    assert to_finding(GADGET, result, Config(enforcement={"TST-9": Enforcement.DISABLED}), TODAY) is None


def test_a_finding_names_where_it_is_and_the_module_call_only_when_that_has_a_file():
    resource = gadget("test_gadget.p", 0)
    resource.location = SourceLocation(urn="urn:pulumi:dev::p::test:Gadget::p", called_from=SourceLocation(line=4))
    got = to_finding(GADGET, Result(resource, "bad"), Config(), TODAY)
    assert (got.file, got.line, got.end_line, got.urn, got.called_from) == (
        None, None, None, "urn:pulumi:dev::p::test:Gadget::p", None)
    resource.location = SourceLocation(file="modules/g/main.tf", line=7, end_line=9,
                                       called_from=SourceLocation(file="main.tf", line=2))
    got = to_finding(GADGET, Result(resource, "bad"), Config(), TODAY)
    assert (got.file, got.line, got.end_line, got.urn, got.called_from) == ("modules/g/main.tf", 7, 9, None, "main.tf:2")


@pytest.mark.parametrize("kind, engine, first", [
    ("azure.gadget", "pulumi", ["Azure (Pulumi): Azure in Pulumi.", "Azure: Use the Azure way.",
                                "Pulumi: In Pulumi, set it.", "Fix the gadget.", "AWS: Use the AWS way."]),
    ("aws.gadget", "terraform-plan", ["AWS: Use the AWS way.", "Fix the gadget.", "Azure: Use the Azure way.",
                                      "Pulumi: In Pulumi, set it.", "Azure (Pulumi): Azure in Pulumi."]),
    ("terraform.variable", "pulumi", ["Pulumi: In Pulumi, set it.", "Fix the gadget.", "AWS: Use the AWS way.",
                                      "Azure: Use the Azure way.", "Azure (Pulumi): Azure in Pulumi."]),
])
def test_the_remediation_of_a_finding_leads_with_its_clouds_and_engines_fixes(kind, engine, first):
    resource = Resource(kind=kind, address="x", engine=engine)
    assert remediation_for(GADGET, resource).split("\n\n") == first


def test_the_engine_applies_the_given_config_date_and_resources_and_sorts_by_location():
    late = gadget("test_gadget.late", 30, ("late one", False, None), ("late two", False, None))
    early = gadget("test_gadget.early", 3, ("early", False, None), ("early", False, None))
    other = gadget("test_gadget.other", 10, ("other", False, None))
    inventory = Inventory([late, other, early])
    # expires after the given day and before the clock's: only the given day suppresses
    config = Config(suppressions=(ConfigSuppression("TST-9", "test_gadget.other", "until June", dt.date(2000, 6, 1)),),
                    enforcement={"TST-9": Enforcement.MANDATORY})
    got = evaluate(inventory, config, rules=[GADGET], today=TODAY)
    mandatory = Enforcement.MANDATORY
    assert got == [
        finding(early, "early", enforcement=mandatory),
        finding(other, "other", Status.SUPPRESSED, enforcement=mandatory,
                suppression=Suppression("until June", "config", "2000-06-01")),
        finding(late, "late one", enforcement=mandatory), finding(late, "late two", enforcement=mandatory),
    ]
    assert evaluate(inventory, config, rules=[GADGET], resources=[other, late], today=TODAY) == got[1:]
    assert evaluate(inventory, Config(enforcement={"TST-9": Enforcement.DISABLED}), rules=[GADGET], today=TODAY) == []
    assert rule_findings(GADGET, Context(inventory, config), [early], today=TODAY) == got[:1]
    assert rule_findings(GADGET, Context(inventory, config), today=TODAY) == got


def test_inline_suppressions_hold_unless_strict_is_asked_for():
    resource = gadget("test_gadget.a", 3, ("bad", False, None))
    resource.suppressions.append(InlineSuppression(("TST-9",), "accepted", None, "main.tf", 2))
    kept = finding(resource, "bad", Status.SUPPRESSED, suppression=Suppression("accepted", "inline", None))
    refused = finding(resource, "bad [inline suppression refused (--strict-suppressions)]")
    inventory = Inventory([resource])
    assert evaluate(inventory, rules=[GADGET], today=TODAY) == [kept]
    assert evaluate(inventory, rules=[GADGET], today=TODAY, strict_suppressions=True) == [refused]
    assert rule_findings(GADGET, Context(inventory, Config()), today=TODAY) == [kept]
    assert rule_findings(GADGET, Context(inventory, Config()), today=TODAY, strict_suppressions=True) == [refused]
    assert to_finding(GADGET, Result(resource, "bad"), Config(), TODAY) == kept


def test_values_marked_sensitive_are_redacted_from_messages_and_addresses_and_duplicates_dropped():
    leak = gadget('test_gadget.k["hunter2-token"]', 3, ("token hunter2-token is in the code", False, None),
                  ("token hunter2-token is in the code", False, None), ("a second finding", False, None))
    inventory = Inventory([leak], sensitive_values={"hunter2-token"})
    got = evaluate(inventory, rules=[GADGET], today=TODAY)
    assert [(f.resource, f.message) for f in got] == [('test_gadget.k["<redacted>"]', "token <redacted> is in the code"),
                                                     ('test_gadget.k["<redacted>"]', "a second finding")]


def test_report_carries_the_findings_of_its_config_and_arguments_and_the_input_errors():
    resource = gadget("test_gadget.a", 3, ("bad", False, None))
    inventory = Inventory([resource], errors=[InputError("bad.tf", 3, "unexpected token")])
    config = Config(enforcement={"TST-9": Enforcement.MANDATORY})
    got = report(inventory, config, rules=[GADGET], today=TODAY)
    assert got.findings == [finding(resource, "bad", enforcement=Enforcement.MANDATORY)]
    assert got.errors == [InputError("bad.tf", 3, "unexpected token")]
    assert got.rules_run == [r.id for r in all_rules()] and "TST-9" not in got.rules_run


# --- the engine: suppressions --------------------------------------------------------------------------------

def _suppressed(resource: Resource, config: Config = Config(), strict: bool = False) -> Finding:
    [got] = evaluate(Inventory([resource]), config, rules=[GADGET], today=TODAY, strict_suppressions=strict)
    return got


def _config(*entries: tuple[str, dt.date | None], horizon: int = 365) -> Config:
    return Config(suppressions=tuple(ConfigSuppression("TST-9", "test_gadget.*", reason, expires)
                                     for reason, expires in entries), suppression_horizon_days=horizon,
                  source="guard.yaml")


def test_a_config_suppression_holds_through_its_expiry_day_and_beyond_the_horizon_unless_strict():
    resource = gadget("test_gadget.a", 3, ("bad", False, None))
    far = TODAY + dt.timedelta(days=400)
    assert _suppressed(resource, _config(("today", TODAY))).suppression == Suppression("today", "config", "2000-01-01")
    assert _suppressed(resource, _config(("open", None))).suppression == Suppression("open", "config", None)
    assert _suppressed(resource, _config(("far", far))).suppression == Suppression("far", "config", "2001-02-04")
    edge = TODAY + dt.timedelta(days=365)
    assert _suppressed(resource, _config(("edge", edge)), strict=True).suppression == \
        Suppression("edge", "config", "2000-12-31")
    assert _suppressed(resource, _config(("near", TODAY + dt.timedelta(days=10))), strict=True).suppression == \
        Suppression("near", "config", "2000-01-11")


@pytest.mark.parametrize("entries, strict, message", [
    ([("old", dt.date(1999, 12, 31))], False, "bad [suppression in guard.yaml expired on 1999-12-31]"),
    ([("far", dt.date(2001, 1, 1))], True,
     "bad [suppression in guard.yaml expires on 2001-01-01, more than 365 days out (--strict-suppressions)]"),
    ([("far", dt.date(2001, 1, 1)), ("old", dt.date(1999, 12, 31))], True,
     "bad [suppression in guard.yaml expired on 1999-12-31]"),
], ids=["expired", "beyond the horizon", "the last note"])
def test_an_expired_or_refused_config_suppression_is_named_in_the_message(entries, strict, message):
    got = _suppressed(gadget("test_gadget.a", 3, ("bad", False, None)), _config(*entries), strict)
    assert (got.status, got.suppression, got.message) == (Status.FAILED, None, message)


def test_a_config_suppression_matches_the_resource_name_when_it_is_a_string():
    named = gadget("test_gadget.a", 3, ("bad", False, None), name="shared-gadget")
    config = Config(suppressions=(ConfigSuppression("TST-9", "shared-*", "by name"),))
    assert _suppressed(named, config).suppression == Suppression("by name", "config", None)
    unnamed = gadget("test_gadget.b", 3, ("bad", False, None), name=Unknown("known after apply"))
    assert _suppressed(unnamed, config).status is Status.FAILED


def test_inline_suppressions_after_one_for_another_rule_or_an_expired_one_still_count():
    resource = gadget("test_gadget.a", 3, ("bad", False, None))
    resource.suppressions.extend([InlineSuppression(("TST-1",), "another rule", None, "main.tf", 1),
                                  InlineSuppression(("TST-9",), "expired", "1999-12-31", "main.tf", 1),
                                  InlineSuppression(("TST-9",), "until today", "2000-01-01", "main.tf", 2)])
    assert _suppressed(resource).suppression == Suppression("until today", "inline", "2000-01-01")
    resource.suppressions.pop()
    got = _suppressed(resource)
    assert (got.status, got.message) == (Status.FAILED, "bad [inline suppression expired on 1999-12-31]")


# --- the engine: one UNKNOWN per resource -------------------------------------------------------------------

def test_a_resources_undecided_parts_merge_into_one_unknown_per_rule_and_severity():
    a = gadget("test_gadget.a", 3)
    b = gadget("test_gadget.b", 9)
    head = "cannot decide whether role r: policy p: "
    findings = [
        finding(a, "failed first"),
        finding(a, head + "reason one", Status.UNKNOWN),
        finding(a, head + "reason two", Status.UNKNOWN),               # shares up to the last ": "
        finding(b, head + "on b", Status.UNKNOWN),                      # another resource
        finding(a, "cannot decide whether role r: policy q: reason three", Status.UNKNOWN),
        finding(a, "failed second"),
        finding(a, "unrelated", Status.UNKNOWN),                        # shares no ": "
        finding(a, head + "high", Status.UNKNOWN, severity=Severity.HIGH),  # another severity
    ]
    got = one_unknown_per_resource(findings)
    assert [(f.resource, f.status.value, f.severity.value, f.message) for f in got] == [
        ("test_gadget.a", "failed", "low", "failed first"),
        ("test_gadget.a", "unknown", "low", head + "reason one; also undecided: reason two; "
                                            "policy q: reason three; unrelated"),
        ("test_gadget.b", "unknown", "low", head + "on b"),
        ("test_gadget.a", "failed", "low", "failed second"),
        ("test_gadget.a", "unknown", "high", head + "high"),
    ]


@pytest.mark.parametrize("count, tail", [(4, "; x4"), (5, "; x4; and 1 more"), (7, "; x4; and 3 more")])
def test_three_further_reasons_are_shown_then_how_many_more(count, tail):
    a = gadget("test_gadget.a", 3)
    findings = [finding(a, f"cannot decide: x{i}", Status.UNKNOWN) for i in range(1, count + 1)]
    [got] = one_unknown_per_resource(findings)
    assert got.message == "cannot decide: x1; also undecided: x2; x3" + tail


def test_a_fix_for_the_findings_cloud_leads_one_for_its_engine_whatever_the_declared_order():
    engine_first = replace(GADGET, fixes=(Fix("In Pulumi, set it.", "", "pulumi"),
                                          Fix("Use the Azure way.", "azure", "")))
    assert engine_first.remediation_for("azure", "pulumi").split("\n\n") == [
        "Azure: Use the Azure way.", "Pulumi: In Pulumi, set it.", "Fix the gadget."]


def test_addresses_shows_five_and_counts_the_rest():
    from rulebook.rules.helpers import addresses

    blocks = [(make("aws.s3.public_access_block", f"p[{i}]", 1), LATER) for i in range(6)]
    assert addresses(blocks[:5]) == "p[0], p[1], p[2], p[3], p[4]"
    assert addresses(blocks) == "p[0], p[1], p[2], p[3], p[4], ... (6 in all)"
