"""BKT-001..BKT-006: exact findings (rule, status, resource, message) for the paths the rule tests leave
open: every UNKNOWN reason (which undecided part leads when several are), the wording of each failure,
loops that must go on past an undecided or irrelevant item, and the edges of each comparison (a URI
with a trailing slash or https, a NotAction, a NotResource, a pattern with `?`, a VPC endpoint that is
not declared). Each case tells a mutant of the deciding helpers apart from the code as written."""

from __future__ import annotations

import pytest

from builders import make
from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.model import Inventory, Ref
from rulebook.rules import REGISTRY
from rulebook.unknown import Unknown

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
VPCE = {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}
UNDECIDED_004 = "cannot decide whether its policy refuses access from outside the CI network: "
NO_DENY = ("bucket acme has no Deny refusing object reads and writes from outside the CI network "
           "(StringNotEquals aws:SourceVpce / aws:SourceVpc, or NotIpAddress aws:SourceIp)")


def found(rule_id, *resources, **config):
    return [(f.rule_id, f.status.value, f.resource, f.message) for f in
            evaluate(Inventory(list(resources)), Config(**config), rules=[REGISTRY[rule_id]])]


def bucket(name="acme", address="aws_s3_bucket.a", **props):
    if name is not None:
        props["bucket"] = name
    return make("aws.s3.bucket", address, 1, **props)


def policy(*statements, address="aws_s3_bucket_policy.p", target="acme"):
    return make("aws.s3.bucket_policy", address, 5, bucket=target, policy={"Statement": list(statements)})


def deny(condition=VPCE, **fields):
    out = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::acme/*", **fields}
    if condition is not None:
        out["Condition"] = condition
    return {k: v for k, v in out.items() if v is not None}


def allow(**fields):
    return {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme/*",
            **fields}


# --- the artifact store selector (_common.artifact_store, label, policy_of) ---------------------------------


def tagged(tags, name="acme"):
    resource = bucket(name)
    resource.tags = tags
    return resource


@pytest.mark.parametrize("resource, config, reason", [
    (tagged(Unknown("var.tags has no value")), {"artifact_bucket_tags": {"team": "ci"}}, "var.tags has no value"),
    (tagged(Unknown("var.tags has no value"), name=Unknown("var.name has no value")),
     {"artifact_bucket_names": ("acme*",), "artifact_bucket_tags": {"team": "ci"}}, "var.name has no value"),
    (tagged({"team": Unknown("var.team has no value"), "env": "prod"}),
     {"artifact_bucket_tags": {"env": "prod", "team": "ci"}}, "var.team has no value"),
    (tagged({"team": Unknown("var.team has no value")}, name=Unknown("var.name has no value")),
     {"artifact_bucket_names": ("acme*",), "artifact_bucket_tags": {"team": "ci"}}, "var.name has no value"),
], ids=["tags_unknown", "name_leads_tags", "one_tag_unknown", "name_leads_tag"])
def test_artifact_selector_not_known(resource, config, reason):
    assert found("BKT-004", resource, **config) == [
        ("BKT-004", "unknown", "aws_s3_bucket.a", f"cannot decide whether it is an artifact bucket "
                                                  f"(artifact_buckets): {reason}")]


def test_an_unknown_selector_does_not_stop_the_next_bucket():
    first = bucket(Unknown("var.name has no value"), address="aws_s3_bucket.a")
    second = bucket("acme-artifacts", address="aws_s3_bucket.b")
    assert found("BKT-004", first, second, artifact_bucket_names=("acme*",)) == [
        ("BKT-004", "unknown", "aws_s3_bucket.a", "cannot decide whether it is an artifact bucket "
                                                  "(artifact_buckets): var.name has no value"),
        ("BKT-004", "failed", "aws_s3_bucket.b", NO_DENY.replace("acme", "acme-artifacts", 1))]


def test_a_bucket_without_a_name_is_named_by_its_address():
    assert found("BKT-004", bucket(None)) == [
        ("BKT-004", "failed", "aws_s3_bucket.a", NO_DENY.replace("bucket acme", "bucket aws_s3_bucket.a"))]


def test_a_malformed_policy_names_its_holder():
    broken = make("aws.s3.bucket_policy", "aws_s3_bucket_policy.p", 5, bucket="acme", policy="{not json")
    assert found("BKT-003", broken) == [
        ("BKT-003", "unknown", "aws_s3_bucket_policy.p",
         "cannot decide whether the bucket policy is public: policy of aws_s3_bucket_policy.p cannot be read: "
         "policy is not valid JSON: Expecting property name enclosed in double quotes at line 1")]


# --- BKT-002: ACLs, grants, ownership controls ------------------------------------------------------------


def acl(**props):
    return make("aws.s3.bucket_acl", "aws_s3_bucket_acl.a", 3, bucket="acme", **props)


def public(problems):
    return [("BKT-002", "failed", "aws_s3_bucket_acl.a", f"the bucket ACL is public: {problems}")]


def undecided(reason):
    return [("BKT-002", "unknown", "aws_s3_bucket_acl.a", f"cannot decide whether the bucket ACL is public: {reason}")]


@pytest.mark.parametrize("props, expected", [
    ({"grants": [{"uri": ALL_USERS + "/", "permissions": ["READ"]}]}, public("grants READ to AllUsers (everyone)")),
    ({"grants": [{"uri": " " + AUTH_USERS.replace("http://", "https://") + " ", "permissions": ["READ", "WRITE"]}]},
     public("grants READ, WRITE to AuthenticatedUsers (every AWS account)")),
    ({"grants": [{"uri": ALL_USERS + "X", "permissions": ["READ"]}]}, []),  # another group
    ({"grants": [{"uri": ALL_USERS}]}, public("grants access to AllUsers (everyone)")),
    ({"grants": [{"uri": ALL_USERS, "permissions": "READ"}]}, public("grants access to AllUsers (everyone)")),
    ({"grants": [{"uri": ALL_USERS, "permissions": []}]}, public("grants access to AllUsers (everyone)")),
    ({"grants": ["FULL_CONTROL"]}, []),  # not a grant the model knows: no group named
    ({"grants": [Unknown("grant 1 is not known"), {"uri": ALL_USERS, "permissions": ["READ"]}]},
     public("grants READ to AllUsers (everyone)")),
    ({"grants": [Unknown("grant 1 is not known"), Unknown("grant 2 is not known")]},
     undecided("grant 1 is not known")),
    ({"grants": [{"uri": Unknown("uri 1 is not known")}, {"uri": Unknown("uri 2 is not known")}]},
     undecided("uri 1 is not known")),
    ({"grants": Unknown("var.grants has no value")}, undecided("var.grants has no value")),
    ({"acl": Unknown("var.acl has no value")}, undecided("var.acl has no value")),
    ({"acl": Unknown("var.acl has no value"), "grants": [Unknown("grant 1 is not known")]},
     undecided("var.acl has no value")),
    ({"acl": " Public-Read ", "grants": [{"uri": ALL_USERS, "permissions": ["WRITE"]},
                                        {"uri": ALL_USERS, "permissions": ["WRITE"]}]},
     public("canned ACL Public-Read (everyone may list and read objects); grants WRITE to AllUsers (everyone)")),
], ids=["trailing_slash", "https_and_spaces", "lookalike_group", "no_permissions", "permissions_not_a_list",
        "permissions_empty", "grant_not_a_dict", "unknown_then_public", "two_unknown_grants", "two_unknown_uris",
        "grants_unknown", "acl_unknown", "acl_leads_grants", "acl_and_grant"])
def test_bkt002_acl_and_grants(props, expected):
    assert found("BKT-002", acl(**props)) == expected


def test_bkt002_bucket_acl_names_the_bucket():
    assert found("BKT-002", bucket(acl="public-read-write")) == [
        ("BKT-002", "failed", "aws_s3_bucket.a",
         "the ACL of bucket acme is public: canned ACL public-read-write (everyone may list, read and write objects)")]


@pytest.mark.parametrize("props, expected", [
    ({}, ("failed", "object ownership is not set, not BucketOwnerEnforced: ACLs stay enabled and objects written "
                    "by other accounts stay theirs")),
    ({"object_ownership": "ObjectWriter"},
     ("failed", "object ownership is ObjectWriter, not BucketOwnerEnforced: ACLs stay enabled and objects written "
                "by other accounts stay theirs")),
    ({"object_ownership": Unknown("var.ownership has no value")},
     ("unknown", "cannot decide whether ownership controls disable ACLs: var.ownership has no value")),
])
def test_bkt002_ownership_messages(props, expected):
    controls = make("aws.s3.ownership_controls", "aws_s3_bucket_ownership_controls.a", 1, bucket="acme", **props)
    assert found("BKT-002", controls) == [("BKT-002", *expected[:1], "aws_s3_bucket_ownership_controls.a",
                                           expected[1])]


# --- BKT-003: public bucket policies ---------------------------------------------------------------------

UNBOUNDED = "without a condition that bounds the callers (organisation, VPC endpoint, network, account)"


@pytest.mark.parametrize("stmt, expected", [
    (allow(), ("failed", f"statement #1 of the bucket policy allows everyone (Principal *) s3:GetObject {UNBOUNDED}")),
    (allow(Action=None, NotAction=["s3:DeleteObject", "s3:PutObject"]),
     ("failed", f"statement #1 of the bucket policy allows everyone (Principal *) every action except "
                f"s3:DeleteObject, s3:PutObject {UNBOUNDED}")),
    (allow(Action=["s3:GetObject", "s3:ListBucket"]),
     ("failed", f"statement #1 of the bucket policy allows everyone (Principal *) s3:GetObject, s3:ListBucket "
                f"{UNBOUNDED}")),
    (allow(Action=None), ("failed", f"statement #1 of the bucket policy allows everyone (Principal *) nothing "
                                    f"{UNBOUNDED}")),
    (allow(Principal=None, NotPrincipal={"AWS": "arn:aws:iam::111122223333:root"}),
     ("failed", f"statement #1 of the bucket policy allows everyone but the principals it names (NotPrincipal) "
                f"s3:GetObject {UNBOUNDED}")),
    (allow(Principal={"AWS": Unknown("var.principal has no value")}),
     ("unknown", "cannot decide whether statement #1 of the bucket policy names everyone: "
                 "var.principal has no value")),
    (allow(Effect=Unknown("var.effect has no value")),
     ("unknown", "cannot decide whether statement #1 of the bucket policy allows or denies: var.effect has no value")),
])
def test_bkt003_messages(stmt, expected):
    status, message = expected
    assert found("BKT-003", policy({k: v for k, v in stmt.items() if v is not None})) == [
        ("BKT-003", status, "aws_s3_bucket_policy.p", message)]


def test_bkt003_condition_not_known():
    stmt = allow(Condition={"StringEquals": {"s3:prefix": "builds/"}})
    assert found("BKT-003", policy(stmt)) == [
        ("BKT-003", "unknown", "aws_s3_bucket_policy.p",
         "cannot decide whether statement #1 of the bucket policy bounds who may call: statement #1 has a condition "
         "on s3:prefix, a key whose callers cicd-guard cannot tell")]


def test_bkt003_policy_not_known():
    holder = make("aws.s3.bucket_policy", "aws_s3_bucket_policy.p", 5, bucket="acme",
                  policy=Unknown("var.policy has no value"))
    assert found("BKT-003", holder) == [
        ("BKT-003", "unknown", "aws_s3_bucket_policy.p",
         "cannot decide whether the bucket policy is public: var.policy has no value")]


# --- BKT-004: the Deny statements of an artifact bucket ---------------------------------------------------


def bkt004(*statements, **config):
    return found("BKT-004", bucket(), policy(*statements), **config)


def fails(message):
    return [("BKT-004", "failed", "aws_s3_bucket.a", message)]


def waits(reason):
    return [("BKT-004", "unknown", "aws_s3_bucket.a", UNDECIDED_004 + reason)]


ONLY_WRITES = "bucket acme refuses only object writes from outside the CI network: reads stay open"
ONLY_READS = "bucket acme refuses only object reads from outside the CI network: writes stay open"


def admits(*values):
    return fails(f"bucket acme admits {', '.join(values)}, outside the configured CI network")


@pytest.mark.parametrize("statements, expected", [
    ([deny(Action=None, NotAction="s3:ListBucket")], []),  # every object action is refused
    ([deny(Action=None, NotAction=["s3:ListBucket", "s3:GetObject"])], fails(ONLY_WRITES)),
    ([deny(Action=None, NotAction=[Unknown("var.skip has no value")])], waits("var.skip has no value")),
    ([deny(Action=None, NotAction=["s3:GetObject", Unknown("var.skip has no value")])], waits("var.skip has no value")),
    ([deny(Action=["s3:GetObject", Unknown("var.action has no value")])], waits("var.action has no value")),
    ([deny(Action=[Unknown("var.action has no value")], condition=None)], fails(NO_DENY)),  # no network way out
    ([deny(Action="s3:GetObject")], fails(ONLY_READS)),
    ([deny(Resource=None, NotResource="arn:aws:s3:::acme")], []),  # every object
    ([deny(Resource="*")], []),
    ([deny(Resource="arn:aws:s3:::acme/* ")], []),
    ([deny(Resource="arn:aws:s3:::acme/readme.txt")], fails(NO_DENY)),  # one object, not all of them
    ([deny(Resource=[Unknown("resource 1 is not known"), Unknown("resource 2 is not known")])],
     waits("resource 1 is not known")),
    ([deny(Resource=Unknown("var.arn has no value")), deny(Action="s3:GetObject")], waits("var.arn has no value")),
    ([deny(Principal={"AWS": Unknown("var.principal has no value")})], waits("var.principal has no value")),
    ([deny(condition={"StringNotEquals": {"aws:SourceVpce": Unknown("var.vpce has no value")}})],
     waits("aws:SourceVpce values of the Deny: var.vpce has no value")),
], ids=["notaction_other", "notaction_reads", "notaction_unknown", "notaction_known_decides", "action_unknown",
        "unknown_action_without_condition", "reads_only", "notresource",
        "resource_star", "resource_trailing_space", "one_object", "two_unknown_resources",
        "unknown_resource_not_covered", "principal_unknown", "condition_unknown"])
def test_bkt004_which_statements_refuse(statements, expected):
    assert bkt004(*statements) == expected


@pytest.mark.parametrize("statements, expected", [
    # the statements after an undecided, allowing or unrelated one are still read
    ([allow(Effect=Unknown("var.effect has no value"), Resource="*"), deny()], []),
    ([allow(), deny()], []),
    ([deny(condition={"Bool": {"aws:SecureTransport": "false"}}), deny()], []),
    ([allow(Effect=Unknown("effect 1 is not known")), allow(Effect=Unknown("effect 2 is not known"))],
     waits("effect 1 is not known")),
    ([deny(Action="s3:GetObject", condition={"StringNotLike": {"aws:SourceVpce": "vpce-*"}}),
      deny(Action="s3:PutObject", condition={"NotIpAddress": {"aws:SourceIp": "0.0.0.0/0"}})],
     admits("aws:SourceVpce pattern 'vpce-*' (statement #1)", "aws:SourceIp 0.0.0.0/0 (statement #2)")),
    ([deny(condition={"StringNotLike": {"aws:SourceVpce": "vpce-*"}, "NotIpAddress": {"aws:SourceIp": "0.0.0.0/0"}})],
     admits("aws:SourceVpce pattern 'vpce-*' (statement #1)", "aws:SourceIp 0.0.0.0/0 (statement #1)")),
    ([deny(Action="s3:GetObject", Resource=Unknown("resource 1 is not known")),
      deny(Action="s3:PutObject", Resource=Unknown("resource 2 is not known"))], waits("resource 1 is not known")),
    ([deny(condition={"StringNotLike": {"aws:SourceVpce": "vpce-?"}})], admits("aws:SourceVpce pattern 'vpce-?' "
                                                                               "(statement #1)")),
    ([deny(condition={"StringNotLike": {"aws:SourceVpce": ["vpce-1", "vpce-*"]}})],
     admits("aws:SourceVpce pattern 'vpce-*' (statement #1)")),
], ids=["after_unknown_effect", "after_allow", "after_other_deny", "two_unknown_effects", "outside_two_statements",
        "outside_two_keys", "two_unknown_statements", "question_mark_pattern", "pattern_after_plain_value"])
def test_bkt004_reading_every_statement(statements, expected):
    assert bkt004(*statements) == expected


def test_bkt004_unknown_policy_does_not_hide_the_next():
    inline = bucket(policy=Unknown("var.inline has no value"))
    assert found("BKT-004", inline, policy(deny())) == []
    assert found("BKT-004", inline, policy(deny(Action="s3:GetObject"))) == [
        ("BKT-004", "unknown", "aws_s3_bucket.a", UNDECIDED_004 + "var.inline has no value")]
    second = make("aws.s3.bucket_policy", "aws_s3_bucket_policy.q", 9, bucket="acme",
                  policy=Unknown("var.second has no value"))
    assert found("BKT-004", inline, second) == [
        ("BKT-004", "unknown", "aws_s3_bucket.a", UNDECIDED_004 + "var.inline has no value")]


ENDPOINT = make("aws.ec2.vpc_endpoint", "aws_vpc_endpoint.s3", 20, vpc_id="vpc-ci")
SUBNET = make("aws.ec2.subnet", "aws_subnet.ci", 30, vpc_id="vpc-ci")


def network(key, *values, operator="StringNotEquals"):
    return deny(condition={operator: {key: list(values)}})


@pytest.mark.parametrize("statement, config, expected", [
    # aws:SourceIp
    (network("aws:SourceIp", "10.42.1.0/24", operator="NotIpAddress"), {"cidrs": ("10.42.0.0/16",)}, []),
    (network("aws:SourceIp", "198.51.100.0/24", operator="NotIpAddress"), {"cidrs": ("10.42.0.0/16",)},
     admits("aws:SourceIp 198.51.100.0/24 (statement #1)")),
    (network("aws:SourceIp", "0.0.0.0/0", operator="NotIpAddress"), {},
     admits("aws:SourceIp 0.0.0.0/0 (statement #1)")),
    (network("aws:SourceIp", Ref("aws_eip.a", "public_ip"), operator="NotIpAddress"), {}, []),
    (network("aws:SourceIp", Ref("aws_eip.a", "public_ip"), Ref("aws_eip.b", "public_ip"), operator="NotIpAddress"),
     {"cidrs": ("10.42.0.0/16",)}, waits("aws:SourceIp aws_eip.a.public_ip is only known after apply")),
    # aws:SourceVpc
    (network("aws:SourceVpc", "vpc-ci"), {"aws_vpc_ids": ("vpc-ci",)}, []),
    (network("aws:SourceVpc", "vpc-ci"), {"cidrs": ("10.42.0.0/16",)},
     admits("aws:SourceVpc vpc-ci (statement #1)")),  # no VPC configured: a VPC is not the CI network
    (network("aws:SourceVpc", Ref("aws_vpc.a", "id"), Ref("aws_vpc.b", "id")), {"aws_vpc_ids": ("vpc-ci",)},
     waits("VPC aws_vpc.a.id is only known after apply and cannot be compared with ci_network.aws_vpc_ids")),
    (network("aws:SourceVpc", "vpc-ci", "vpc-dev"), {"aws_vpc_ids": ("vpc-ci",)},
     admits("aws:SourceVpc vpc-dev (statement #1)")),
    # aws:SourceVpce
    (network("aws:SourceVpce", "vpce-1"), {"cidrs": ("10.42.0.0/16",)},
     admits("aws:SourceVpce vpce-1 (statement #1)")),
    (network("aws:SourceVpce", "vpce-9"), {"aws_vpc_ids": ("vpc-ci",)},
     waits("VPC endpoint vpce-9 is not declared here: its VPC cannot be compared with ci_network.aws_vpc_ids")),
    (network("aws:SourceVpce", "vpce-9"), {"aws_vpc_ids": ("vpc-ci",), "aws_vpc_endpoint_ids": ("vpce-1",)},
     admits("aws:SourceVpce vpce-9 (statement #1)")),
    (network("aws:SourceVpce", Ref("aws_subnet.ci", "id")), {"aws_vpc_ids": ("vpc-ci",)},
     waits("aws:SourceVpce value aws_subnet.ci.id is not a VPC endpoint's ID: there is no endpoint VPC to "
           "compare with ci_network.aws_vpc_ids")),  # a subnet is no endpoint, whatever its VPC
    (network("aws:SourceVpce", Ref("aws_vpc_endpoint.s3", "id")), {"aws_vpc_ids": ("vpc-ci",)}, []),
    (network("aws:SourceVpce", Ref("aws_vpc_endpoint.a", "id"), Ref("aws_vpc_endpoint.b", "id")),
     {"aws_vpc_endpoint_ids": ("vpce-1",)},
     waits("VPC endpoint aws_vpc_endpoint.a.id is only known after apply and cannot be compared with "
           "ci_network.aws_vpc_endpoint_ids")),
], ids=["ip_inside", "ip_outside", "ip_everywhere", "ip_ref_no_ranges", "ip_two_refs", "vpc_inside",
        "vpc_without_vpc_ids", "vpc_two_refs", "vpc_one_outside", "vpce_with_ranges_only", "vpce_not_declared",
        "vpce_not_listed", "vpce_not_an_endpoint", "vpce_endpoint_in_ci_vpc", "vpce_two_refs"])
def test_bkt004_networks_against_the_ci_network(statement, config, expected):
    assert found("BKT-004", bucket(), policy(statement), ENDPOINT, SUBNET, **config) == expected


def test_bkt004_a_bucket_outside_the_selector_does_not_stop_the_next():
    cache = bucket("acme-cache", address="aws_s3_bucket.cache")
    store = bucket("acme-artifacts", address="aws_s3_bucket.store")
    assert found("BKT-004", cache, store, artifact_bucket_names=("acme-artifacts",)) == [
        ("BKT-004", "failed", "aws_s3_bucket.store", NO_DENY.replace("acme", "acme-artifacts", 1))]


# --- BKT-005: storage account networks -------------------------------------------------------------------

CI_SUBNET = "/subscriptions/0000/resourceGroups/rg-ci/providers/Microsoft.Network/virtualNetworks/vnet-ci/subnets/build"
CI = {"cidrs": ("10.42.0.0/16",), "azure_subnet_ids": (CI_SUBNET,)}


def account(name="acmeci", **props):
    return make("azure.storage.account", f"azurerm_storage_account.{name}", 1, name=name, **props)


def net_rules(target, address="azurerm_storage_account_network_rules.r", **props):
    return make("azure.storage.network_rules", address, 9, account=target, **props)


def everywhere(name, shown, where=""):
    return (f"storage account {name} accepts traffic from everywhere: public network access is enabled and the "
            f"network rules' default action is {shown}{where}")


@pytest.mark.parametrize("resources, expected", [
    ([account()], [("failed", "azurerm_storage_account.acmeci", everywhere("acmeci", "Allow (no network rules)"))]),
    ([account(network_default_action="allow")],
     [("failed", "azurerm_storage_account.acmeci", everywhere("acmeci", "allow"))]),
    ([account(network_default_action=" Deny ")], []),
    ([account(network_default_action=Unknown("var.action has no value"))],
     [("unknown", "azurerm_storage_account.acmeci",
       "cannot decide the network rules' default action: var.action has no value")]),
    ([account(network_default_action="Deny", ip_rules=["198.51.100.7", "203.0.113.0/24"])],
     [("failed", "azurerm_storage_account.acmeci", "storage account acmeci admits 198.51.100.7, 203.0.113.0/24, "
                                                   "outside the configured CI network")]),
    ([account(network_default_action="Deny", subnet_ids=[Ref("azurerm_subnet.build", "id")])],
     [("unknown", "azurerm_storage_account.acmeci",
       "cannot decide whether the network rules stay within the CI network: subnet azurerm_subnet.build is only "
       "known after apply and cannot be compared with ci_network.azure_subnet_ids")]),
    ([account(network_default_action="Deny"),
      net_rules(Ref("azurerm_storage_account.acmeci", "id"), network_default_action="Allow")],
     [("failed", "azurerm_storage_account.acmeci",
       everywhere("acmeci", "Allow", " (azurerm_storage_account_network_rules.r)"))]),
    ([account(network_default_action="Allow"),
      net_rules(Ref("azurerm_storage_account.acmeci", "id"), network_default_action="Deny", ip_rules=["198.51.100.7"])],
     [("failed", "azurerm_storage_account.acmeci", "storage account acmeci admits 198.51.100.7 "
                                                   "(azurerm_storage_account_network_rules.r), outside the configured "
                                                   "CI network")]),
    ([account(network_default_action="Deny"),
      net_rules(Unknown("var.account has no value"), network_default_action="Allow")],
     [("unknown", "azurerm_storage_account.acmeci",
       "cannot decide whether azurerm_storage_account_network_rules.r holds this account's network rules: "
       "var.account has no value")]),
    ([account(public_network_access_enabled=Unknown("var.public has no value")),
      account(name="acmeopen")],
     [("unknown", "azurerm_storage_account.acmeci",
       "cannot decide whether public network access is enabled: var.public has no value"),
      ("failed", "azurerm_storage_account.acmeopen", everywhere("acmeopen", "Allow (no network rules)"))]),
    ([account(public_network_access_enabled=False), account(name="acmeopen")],
     [("failed", "azurerm_storage_account.acmeopen", everywhere("acmeopen", "Allow (no network rules)"))]),
    ([account(network_default_action="Deny"),
      net_rules(Unknown("var.account has no value"), network_default_action="Allow"), account(name="acmeopen")],
     [("unknown", "azurerm_storage_account.acmeci",
       "cannot decide whether azurerm_storage_account_network_rules.r holds this account's network rules: "
       "var.account has no value"),
      ("failed", "azurerm_storage_account.acmeopen",
       "storage account acmeopen accepts traffic from outside the CI network whichever network rules apply (its "
       "own, or azurerm_storage_account_network_rules.r)")]),
    ([account(network_default_action="Deny"),
      net_rules(Unknown("var.account has no value"), network_default_action="Deny", ip_rules=["10.42.1.0/24"])], []),
    ([account(network_default_action="Allow"),
      net_rules(Unknown("var.account has no value"), network_default_action="Allow"),
      net_rules(Unknown("var.other has no value"), "azurerm_storage_account_network_rules.s",
                network_default_action="Deny")],
     [("unknown", "azurerm_storage_account.acmeci",
       "cannot decide whether azurerm_storage_account_network_rules.s holds this account's network rules: "
       "var.other has no value")]),
    ([account(network_default_action=Unknown("var.action has no value")),
      net_rules(Unknown("var.account has no value"), network_default_action=Unknown("var.action has no value"))],
     [("unknown", "azurerm_storage_account.acmeci",
       "cannot decide whether azurerm_storage_account_network_rules.r holds this account's network rules: "
       "var.account has no value")]),
    ([account(network_default_action="Allow"),
      net_rules(Unknown("var.account has no value"), network_default_action="Deny"),
      net_rules(Unknown("var.other has no value"), "azurerm_storage_account_network_rules.s",
                network_default_action="Allow")],
     [("unknown", "azurerm_storage_account.acmeci",
       "cannot decide whether azurerm_storage_account_network_rules.r holds this account's network rules: "
       "var.account has no value")]),
    ([account(network_default_action="Allow"),
      net_rules(Unknown("var.account has no value"), network_default_action="Allow"),
      net_rules(Unknown("var.other has no value"), "azurerm_storage_account_network_rules.s",
                network_default_action="Allow")],
     [("failed", "azurerm_storage_account.acmeci",
       "storage account acmeci accepts traffic from outside the CI network whichever network rules apply (its "
       "own, or azurerm_storage_account_network_rules.r, azurerm_storage_account_network_rules.s)")]),
], ids=["no_rules", "allow", "deny", "action_unknown", "ranges_outside", "subnet_unknown", "separate_allow",
        "separate_ranges", "link_unknown", "public_unknown_then_next", "private_then_next", "link_unknown_each",
        "link_unknown_all_pass", "link_unknown_names_the_one_that_matters", "link_unknown_all_unknown",
        "link_unknown_names_the_first_that_differs", "link_unknown_all_fail_names_each"])
def test_bkt005_messages(resources, expected):
    assert found("BKT-005", *resources, **CI) == [("BKT-005", *row) for row in expected]


def test_bkt005_selector():
    unnamed = account(name="x")
    unnamed.props["name"] = Unknown("var.name has no value")
    assert found("BKT-005", unnamed, account(name="acmecache"), account(name="acmeciartifacts"),
                 artifact_bucket_names=("acmeci*",)) == [
        ("BKT-005", "failed", "azurerm_storage_account.acmeciartifacts",
         everywhere("acmeciartifacts", "Allow (no network rules)")),
        ("BKT-005", "unknown", "azurerm_storage_account.x",
         "cannot decide whether it is an artifact store (artifact_buckets): var.name has no value")]


# --- BKT-006: blob public access ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind, props, expected", [
    ("azure.storage.account", {"allow_blob_public_access": "true"},
     ("failed", "storage account acmeci allows public blob access: any container can be opened to anonymous "
                "readers")),
    ("azure.storage.account", {"allow_blob_public_access": Unknown("var.public has no value")},
     ("unknown", "cannot decide whether blobs may be made public: var.public has no value")),
    ("azure.storage.container", {"public_access": " Container "},
     ("failed", "container public access level is container: anyone may list and read every blob")),
    ("azure.storage.container", {"public_access": Unknown("var.access has no value")},
     ("unknown", "cannot decide the container's public access level: var.access has no value")),
])
def test_bkt006_messages(kind, props, expected):
    assert found("BKT-006", make(kind, "x.y", 1, name="acmeci", **props)) == [("BKT-006", expected[0], "x.y",
                                                                                 expected[1])]
