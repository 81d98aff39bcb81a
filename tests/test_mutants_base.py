"""What a rule is and how the engine turns results into findings, pinned with exact results: the
`@rule` decorator's checks and the Rule it builds, fix keys per cloud and engine, the remediation for
docs, linked satellites, and the engine's enforcement, suppressions and one UNKNOWN per resource.

Most of this runs at import time (every rule registers when its module loads), where a changed line
would break every rule at once or none visibly; these tests call it directly, so each decision has a
test that fails when it changes (surviving mutants of the mutation run, docs/mutation/base.md).
"""

from __future__ import annotations

import pytest

from builders import make
from rulebook.findings import Severity
from rulebook.model import Inventory, Ref
from rulebook.rules.base import REGISTRY, Example, Fix, Rule, parse_fixes, remediation_markdown, rule
from rulebook.rules.helpers import linked
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
    owned, possible = linked(inventory, [one, two, solo], [by_name, by_ref, unknown, stray], "bucket")
    assert owned == {"aws_s3_bucket.solo": [by_ref]}
    ambiguous = inventory.resolve("shared", ("aws.s3.bucket",))
    assert possible == {
        "aws_s3_bucket.one": [(by_name, ambiguous), (unknown, later)],
        "aws_s3_bucket.two": [(by_name, ambiguous), (unknown, later)],
        "aws_s3_bucket.solo": [(unknown, later)],
    }
    assert ambiguous == Unknown("shared may be any of 2 resources (aws_s3_bucket.one, aws_s3_bucket.two); "
                                "the configuration does not say which")
