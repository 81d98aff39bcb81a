"""Registry access (rulebook/access.py) and identities (rulebook/identities.py): exact results of the
small decisions that surviving mutants changed without any test noticing.

Each test pins one function's output for an input where a changed comparison, key, loop exit or
argument gives a different value: which of several Unknowns is reported (the first), the reason an
Unknown carries, how a Resource ARN is split, which policies reach an identity and through what, and
what stays unresolved. Equivalent mutants are listed in docs/mutation/access.md.
"""

from __future__ import annotations

from rulebook.access import (EnumerationDeny, _Deny, _default_resources, _denies_listing_everywhere,
                             _deny_applies, _deny_principal_matches, _governed_accounts, _overlap, _pattern_covers,
                             all_resources, covers_all_repositories, enumeration_deny, grants_on, may_deny_listing,
                             resource_covers)
from rulebook.config import Config
from rulebook.identities import (AttachedPolicy, Identity, _PrincipalIndex, identities, identity_for, issuer_of,
                                 names_identity, unresolved)
from rulebook.model import Inventory, Linked, Ref, Resource, SourceLocation
from rulebook.policy import PolicyDocument, Statement, parse_policy
from rulebook.registry_actions import ActionClass
from rulebook.rules.base import Context
from rulebook.unknown import Unknown

ACCOUNT = "111122223333"
OTHER = "999999999999"
APP = f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/app"
SECRET = f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/secret"
GITHUB = "https://token.actions.githubusercontent.com"
LATER = Unknown("known after apply")


def res(kind: str, address: str, **props) -> Resource:
    return Resource(kind=kind, address=address, engine="terraform", props=props,
                    location=SourceLocation(file="main.tf", line=1))


def ctx_of(*resources: Resource) -> Context:
    return Context(Inventory(list(resources)), Config())


def repo(arn=APP, name="app") -> Resource:
    return res("aws.ecr.repository", "aws_ecr_repository.app", name=name, arn=arn)


ROLE = res("aws.iam.role", "aws_iam_role.ci", name="ci")


def doc(*statements) -> PolicyDocument:
    return parse_policy({"Statement": list(statements)}, "aws_iam_role.ci")


def stmt(**raw) -> Statement:
    (statement,) = doc(raw).statements
    return statement


def inline(document) -> AttachedPolicy:
    return AttachedPolicy(document, "inline", ROLE)


def role_with(*documents) -> Identity:
    return Identity(resource=ROLE, type="role", name="ci", policies=[inline(d) for d in documents])


DENY_LISTING = {"Effect": "Deny", "Action": "ecr:DescribeRepositories", "Resource": "*"}
LABEL = "inline policy of aws_iam_role.ci"


# --- access: grants_on, enumeration_deny, all_resources ------------------------------------------------------


def test_grants_on_skips_undecided_grants_and_goes_on_to_the_next():
    undecided = res("aws.iam.role", "aws_iam_role.a", name="a", inline_policies=[Unknown("policy from a module")])
    pusher = res("aws.iam.role", "aws_iam_role.b", name="b",
                 inline_policies=[{"Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}])
    ctx = ctx_of(undecided, pusher, repo())
    got = {(g.identity.address, g.action_class, v) for g, v in grants_on(ctx, repo())}
    assert got == {("aws_iam_role.b", cls, True) for cls in ActionClass}


def test_enumeration_deny_names_the_first_of_two_unknown_documents():
    verdict = enumeration_deny(None, role_with(Unknown("first"), Unknown("second")))
    assert verdict == EnumerationDeny(Unknown("first"), reason="first")


def test_enumeration_deny_reads_policies_after_an_unknown_one():
    listing = doc(DENY_LISTING)
    ident = role_with(Unknown("first"), listing)
    verdict = enumeration_deny(None, ident)
    assert verdict == EnumerationDeny(True, listing.statements[0], ident.policies[1], f"statement #1 of {LABEL}")
    assert verdict.statement is listing.statements[0] and verdict.source is ident.policies[1]


def test_enumeration_deny_names_the_first_undecided_statement():
    verdict = enumeration_deny(None, role_with(doc(Unknown("dynamic block"), Unknown("second block"))))
    reason = f"statement #1 of {LABEL}: dynamic block"
    assert verdict == EnumerationDeny(Unknown(reason), reason=reason)


def test_enumeration_deny_names_the_first_deny_whose_actions_are_unknown():
    verdict = enumeration_deny(None, role_with(doc({"Effect": "Deny", "Action": [Unknown("a")], "Resource": "*"},
                                                   {"Effect": "Deny", "Action": [Unknown("b")], "Resource": "*"})))
    reason = f"actions of statement #1 in {LABEL} are not known"
    assert verdict == EnumerationDeny(Unknown(reason), reason=reason)


def test_enumeration_deny_without_any_deny():
    ident = role_with(doc({"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}))
    assert enumeration_deny(None, ident) == EnumerationDeny(
        False, reason="no policy of aws_iam_role.ci denies ecr:DescribeRepositories on all repositories")


def test_all_resources_names_the_first_unknown_resource():
    assert all_resources([Unknown("a"), Unknown("b")]) == Unknown("a")


# --- access: which repositories a pattern reaches ------------------------------------------------------------


def test_covers_all_repositories_by_short_pattern_and_by_arn():
    assert covers_all_repositories("arn:aws:ecr:*") is True
    assert covers_all_repositories("arn:aws:s3:*") is False
    assert covers_all_repositories("arn:aws:s3:::repository/*") is False  # another service's ARN
    assert covers_all_repositories(f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/*") is True
    # a colon after the fifth belongs to the resource part, which then names no repository
    assert covers_all_repositories(f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/*:x") is False


def test_resource_covers_compares_the_whole_arn_when_it_is_known():
    other_account = f"arn:aws:ecr:eu-west-1:{OTHER}:repository/app"
    assert resource_covers([other_account], [], repo()) is False
    assert resource_covers(["*"], [other_account], repo()) is True
    assert resource_covers([APP], [], repo()) is True
    assert resource_covers(["*"], [APP], repo()) is False


def test_resource_covers_falls_back_to_the_name_when_the_arn_is_not_known():
    later = repo(arn=LATER)
    assert resource_covers([APP], [], later) is True
    assert resource_covers(["app"], [], later) is False  # a bare name is no repository ARN
    assert resource_covers([SECRET], [], later) is False
    assert resource_covers(["*"], [APP], later) is False
    assert resource_covers(["*"], [SECRET], later) is True
    assert resource_covers([f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/team/*"], [], repo(LATER, "team/app")) is True
    # everything after the fifth colon is the resource part: `x:repository/app` is not a repository
    assert resource_covers([f"arn:aws:ecr:eu-west-1:{ACCOUNT}:x:repository/app"], [], later) is False


def test_resource_covers_with_a_reference_or_unknowns():
    assert resource_covers(["*"], [Ref("aws_ecr_repository.app", "arn")], repo()) is False
    assert resource_covers(["*"], [Unknown("nr")], repo()) == Unknown("nr")
    assert resource_covers([Unknown("a"), Unknown("b")], [], repo()) == Unknown("a")
    blind = repo(arn=LATER, name=Unknown("name from a variable"))
    assert resource_covers([APP], [], blind) == Unknown("name and arn of aws_ecr_repository.app are not known")
    assert resource_covers([Unknown("p"), APP], [], blind) == Unknown("p")


def test_default_resources_of_a_resource_policy_statement():
    target = repo()
    assert _default_resources(target, None) == (APP,)
    assert _default_resources(repo(arn=LATER), None) == (Ref("aws_ecr_repository.app", "arn"),)
    assert _default_resources(repo(arn=""), None) == (Ref("aws_ecr_repository.app", "arn"),)
    named = res("aws.ecr.repository_policy", "aws_ecr_repository_policy.p", repository="app")
    assert _default_resources(None, named) == ("app",)
    unnamed = res("aws.ecr.repository_policy", "aws_ecr_repository_policy.q")
    assert _default_resources(None, unnamed) == ("*",)
    registry = res("aws.ecr.registry_policy", "aws_ecr_registry_policy.r")
    assert _default_resources(None, registry) == ("*",)
    assert _default_resources(None, None) == ("*",)


# --- access: explicit denies -----------------------------------------------------------------------------------


def test_deny_with_an_unknown_not_action_takes_nothing_away():
    deny = _Deny(stmt(Effect="Deny", NotAction=[Unknown("x")], Resource="*"), ("*",), ())
    assert _deny_applies(deny, "ecr:PutImage", "*") is False


def test_deny_with_not_resource_takes_away_only_what_it_does_not_exclude():
    deny = _Deny(stmt(Effect="Deny", Action="ecr:*", NotResource=APP), ("*",), (APP,))
    assert _deny_applies(deny, "ecr:PutImage", SECRET) is True
    assert _deny_applies(deny, "ecr:PutImage", APP) is False
    assert _deny_applies(deny, "ecr:PutImage", f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/*") is False
    assert _deny_applies(deny, "ecr:PutImage", Ref("aws_ecr_repository.app", "arn")) is False


def test_pattern_covers():
    ref = Ref("aws_ecr_repository.app", "arn")
    assert _pattern_covers("*", ref) is True
    assert _pattern_covers(ref, Ref("aws_ecr_repository.app", "arn")) is True
    assert _pattern_covers(ref, Ref("aws_ecr_repository.other", "arn")) is False
    assert _pattern_covers(APP, Unknown("later")) is False
    assert _pattern_covers(Unknown("later"), APP) is False
    assert _pattern_covers(f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/*", APP) is True


def test_overlap():
    assert _overlap(f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/*", APP) is True
    assert _overlap(APP, f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/*") is True
    assert _overlap(APP, SECRET) is False
    assert _overlap("*", SECRET) is True


def test_governed_accounts_names_where_each_account_was_learned():
    resource_arn = f"arn:aws:ecr:eu-west-1:{OTHER}:repository/app"
    assert _governed_accounts((resource_arn, APP, "*", APP)) == {
        OTHER: f"the Resource ARN {resource_arn}", ACCOUNT: f"the Resource ARN {APP}"}


def test_deny_principal_matches():
    assert _deny_principal_matches(None, "arn:a") is False
    assert _deny_principal_matches({}, "arn:a") is False
    assert _deny_principal_matches({"AWS": ("*",)}, "arn:a") is True
    assert _deny_principal_matches({"AWS": ("arn:a",)}, "arn:a") is True
    assert _deny_principal_matches({"AWS": ("arn:a",)}, "arn:b") is False


def test_may_deny_listing():
    assert may_deny_listing(inline(Unknown("policy from a module"))) is True
    assert may_deny_listing(inline(doc(Unknown("dynamic block")))) is True
    assert may_deny_listing(inline(doc(DENY_LISTING))) is True
    assert may_deny_listing(inline(doc({"Effect": "Deny", "Action": "ecr:PutImage", "Resource": "*"}))) is False


def test_denies_listing_everywhere():
    def verdict(**raw):
        return _denies_listing_everywhere(stmt(**raw), inline(None))

    assert verdict(Effect="Deny", NotAction=[Unknown("x")], Resource="*") == Unknown(
        f"NotAction of statement #1 in {LABEL}")
    assert verdict(Effect="Deny", Action=["ecr:PutImage", Unknown("x")], Resource="*") == Unknown(
        f"actions of statement #1 in {LABEL} are not known")
    assert verdict(Effect="Deny", NotAction="ecr:DescribeRepositories", Resource="*") is False
    assert verdict(Effect="Deny", NotAction="ecr:PutImage", Resource="*") is True
    assert verdict(Effect="Deny", Action="ecr:DescribeRepositories") is True  # no Resource: every resource
    repository_policy = AttachedPolicy(None, "resource_policy", res("aws.ecr.repository_policy", "p"))
    assert _denies_listing_everywhere(stmt(**DENY_LISTING), repository_policy) is False


# --- identities: issuers and principal entries -----------------------------------------------------------------


def test_issuer_of_strips_schemes_and_the_provider_arn():
    custom = "https://example.com/oidc-provider/ci"
    assert issuer_of("arn:aws:iam::1:oidc-provider/example.com/oidc-provider/ci", (custom,)) == custom
    assert issuer_of("http://token.actions.githubusercontent.com", (GITHUB,)) == GITHUB
    assert issuer_of("example.com", ("http://example.com",)) == "http://example.com"
    assert issuer_of("token.actions.githubusercontent.com:sub", (GITHUB,)) == GITHUB
    assert issuer_of("token.actions.githubusercontent.com.evil", (GITHUB,)) is None


def ident(kind: str, name: str, arn=LATER, **props) -> Identity:
    resource = res(f"aws.iam.{kind}", f"aws_iam_{kind}.{name.replace(':', '_')}", name=name, arn=arn, **props)
    return Identity(resource=resource, type=kind, name=name, arn=arn)


def test_names_identity_by_arn_unique_id_and_name():
    known = ident("role", "ci", arn=f"arn:aws:iam::{ACCOUNT}:role/ci")
    later = ident("role", "ci", unique_id="AROAEXAMPLE")
    assert names_identity(123, known) is False
    user = ident("user", "dev", arn=f"arn:aws:iam::{ACCOUNT}:user/dev")
    assert names_identity(f"arn:aws:iam::{ACCOUNT}:user/dev", user) is True
    assert names_identity(f"arn:aws:iam::{ACCOUNT}:group/devs",
                          ident("group", "devs", arn=f"arn:aws:iam::{ACCOUNT}:group/devs")) is False
    assert names_identity("AROAEXAMPLE", later) is True
    assert names_identity(f"arn:aws:iam::{ACCOUNT}:role/ci", later) is True
    assert names_identity(f"arn:aws:iam::{OTHER}:role/ci", known) is False  # our own ARN is known and differs
    assert names_identity(f"arn:aws:iam::{ACCOUNT}:role/a/b/ci", later) is True
    assert names_identity(f"arn:aws:iam::{ACCOUNT}:user/ci", later) is False
    assert names_identity(f"arn:aws:iam::{ACCOUNT}:role/", later) is False
    assert names_identity(f"arn:aws:sts::{ACCOUNT}:role/ci", later) is False
    # everything after the fifth colon is the resource part
    assert names_identity(f"arn:aws:iam::{ACCOUNT}:role/team:ci", ident("role", "team:ci")) is True


def test_principal_index_finds_identities_by_text_and_by_name_in_order():
    later, known = ident("role", "ci"), ident("role", "ci2", arn=f"arn:aws:iam::{ACCOUNT}:role/ci")
    index = _PrincipalIndex([later, known, ident("role", "team:ci")])
    assert index.named_by(f"arn:aws:iam::{ACCOUNT}:role/ci") == [0, 1]
    assert index.named_by(f"arn:aws:iam::{ACCOUNT}:role/a/b/ci") == [0]
    assert index.named_by(f"arn:aws:iam::{ACCOUNT}:role/team:ci") == [2]
    assert index.named_by(f"arn:aws:iam::{ACCOUNT}:role/") == []


# --- identities: which policies reach an identity --------------------------------------------------------------


def policies_of(ctx: Context, address: str) -> list[tuple]:
    return [(p.document, p.via, p.resource.address, p.policy.address if p.policy else None, p.managed_arn,
             p.group.address if p.group else None) for p in identity_for(ctx, address).policies]


def test_policies_named_by_nothing_usable_say_what_names_them():
    role = res("aws.iam.role", "aws_iam_role.ci", name="ci", managed_policy_arns=["", None, "  ", 5])
    attach = res("aws.iam.policy_attachment", "aws_iam_role_policy_attachment.a", roles=["ci"], policy_arn="")
    later = res("aws.iam.policy_attachment", "aws_iam_role_policy_attachment.b", roles=["ci"], policy_arn=LATER)
    ctx = ctx_of(role, attach, later)
    on_role = "policy attached by aws_iam_role.ci names no policy (managed_policy_arns is"
    assert policies_of(ctx, "aws_iam_role.ci") == [
        (Unknown(f"{on_role} empty)"), "managed_policy_arns", "aws_iam_role.ci", None, None, None),
        (Unknown(f"{on_role} not set)"), "managed_policy_arns", "aws_iam_role.ci", None, None, None),
        (Unknown(f"{on_role} not a name or ARN)"), "managed_policy_arns", "aws_iam_role.ci", None, None, None),
        (Unknown(f"{on_role} not a name or ARN)"), "managed_policy_arns", "aws_iam_role.ci", None, None, None),
        (Unknown("policy attached by aws_iam_role_policy_attachment.a names no policy (policy_arn is empty)"),
         "attachment", "aws_iam_role_policy_attachment.a", None, None, None),
        (Unknown("policy attached by aws_iam_role_policy_attachment.b: known after apply"),
         "attachment", "aws_iam_role_policy_attachment.b", None, None, None),
    ]


def test_customer_policies_that_cannot_be_followed_say_why():
    role = res("aws.iam.role", "aws_iam_role.ci", name="ci", managed_policy_arns=[
        "push", "ci", Ref("aws_iam_role.ci", "arn"), Ref("aws_iam_policy.gone", "arn"),
        Ref("aws_iam_policy.empty", "arn"), Ref("aws_iam_policy.bad", "arn"), Ref("aws_iam_policy.good", "arn")])
    twins = [res("aws.iam.policy", f"aws_iam_policy.push{i}", name="push", policy={"Statement": []}) for i in (1, 2)]
    empty = res("aws.iam.policy", "aws_iam_policy.empty", name="empty")
    bad = res("aws.iam.policy", "aws_iam_policy.bad", name="bad", policy="{")
    good = res("aws.iam.policy", "aws_iam_policy.good", name="good",
               policy={"Statement": [{"Effect": "Allow", "Action": "ecr:PutImage", "Resource": "*"}]})
    ctx = ctx_of(role, *twins, empty, bad, good)
    got = policies_of(ctx, "aws_iam_role.ci")
    by = "attached by aws_iam_role.ci"
    assert got[:6] == [
        (Unknown(f"policy {by}: push may be any of 2 resources (aws_iam_policy.push1, aws_iam_policy.push2); "
                 "the configuration does not say which"), "managed_policy_arns", "aws_iam_role.ci", None, None, None),
        (Unknown(f"policy ci {by} is not declared here"), "managed_policy_arns", "aws_iam_role.ci", None, None, None),
        (Unknown(f"policy aws_iam_role.ci.arn {by} is not declared here"),
         "managed_policy_arns", "aws_iam_role.ci", None, None, None),
        (Unknown(f"policy aws_iam_policy.gone.arn {by} is not in this stack/module"),
         "managed_policy_arns", "aws_iam_role.ci", None, None, None),
        (Unknown("policy aws_iam_policy.empty has no policy document"),
         "managed_policy_arns", "aws_iam_role.ci", "aws_iam_policy.empty", None, None),
        (Unknown("policy of aws_iam_policy.bad cannot be read: policy is not valid JSON: Expecting property name "
                 "enclosed in double quotes at line 1"),
         "managed_policy_arns", "aws_iam_role.ci", "aws_iam_policy.bad", None, None),
    ]
    document, via, holder, policy, _, _ = got[6]
    assert (document.origin, via, holder, policy) == (
        "aws_iam_policy.good", "managed_policy_arns", "aws_iam_role.ci", "aws_iam_policy.good")


def test_attachment_of_unknown_policy_arns_and_of_a_list():
    ci = res("aws.iam.role", "aws_iam_role.ci", name="ci")
    dev = res("aws.iam.user", "aws_iam_user.dev", name="dev")
    some = res("aws.iam.policy_attachment", "aws_iam_role_policy_attachments_exclusive.ci", roles=["ci"],
               policy_arns=LATER)
    listed = res("aws.iam.policy_attachment", "aws_iam_policy_attachment.many", roles=LATER, users=["dev"],
                 policy_arns=["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"])
    ctx = ctx_of(ci, dev, some, listed)
    assert policies_of(ctx, "aws_iam_role.ci") == [
        (Unknown("policy_arns of aws_iam_role_policy_attachments_exclusive.ci: known after apply"), "attachment",
         "aws_iam_role_policy_attachments_exclusive.ci", None, None, None)]
    ((document, *rest),) = policies_of(ctx, "aws_iam_user.dev")  # the users after roles that are not known
    assert isinstance(document, PolicyDocument) and rest == [
        "attachment", "aws_iam_policy_attachment.many", None,
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly", None]
    assert [(u.resource.address, u.unknown) for u in unresolved(ctx)] == [
        ("aws_iam_policy_attachment.many", Unknown("roles of aws_iam_policy_attachment.many: known after apply"))]


def test_attachment_to_a_user_outside_the_stack_by_reference_is_unresolved():
    linked = Linked("alice", ("module.people.aws_iam_user.alice",))
    attach = res("aws.iam.policy_attachment", "aws_iam_user_policy_attachment.a", users=[linked],
                 policy_arn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly")
    ctx = ctx_of(attach)
    assert identities(ctx) == []
    assert [(u.resource.address, u.unknown) for u in unresolved(ctx)] == [
        ("aws_iam_user_policy_attachment.a", Unknown(
            "aws_iam_user_policy_attachment.a attaches a policy to an identity that cannot be resolved: "
            "'alice' names no user declared here"))]


def test_group_policies_reach_members_with_how_they_came():
    group = res("aws.iam.group", "aws_iam_group.devs", name="devs")
    policy = res("aws.iam.policy", "aws_iam_policy.pull", name="pull",
                 policy={"Statement": [{"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*"}]})
    attach = res("aws.iam.policy_attachment", "aws_iam_group_policy_attachment.pull", groups=["devs"],
                 policy_arn=Ref("aws_iam_policy.pull", "arn"))
    dev = res("aws.iam.user", "aws_iam_user.dev", name="dev")
    member = res("aws.iam.group_membership", "aws_iam_group_membership.m", groups=["devs"], users=["dev"])
    ctx = ctx_of(group, policy, attach, dev, member)
    assert [row[1:] for row in policies_of(ctx, "aws_iam_user.dev")] == [
        ("attachment", "aws_iam_group_policy_attachment.pull", "aws_iam_policy.pull", None, "aws_iam_group.devs")]


# --- identities: group membership ------------------------------------------------------------------------------


def test_membership_whose_groups_and_users_are_unknown():
    member = res("aws.iam.group_membership", "aws_iam_group_membership.m", groups=Unknown("g later"),
                 users=Unknown("u later"))
    assert [(u.resource.address, u.unknown) for u in unresolved(ctx_of(member))] == [
        ("aws_iam_group_membership.m", Unknown("groups of aws_iam_group_membership.m: g later")),
        ("aws_iam_group_membership.m", Unknown("users of aws_iam_group_membership.m: u later"))]


def test_membership_with_unknown_groups_adds_no_one():
    dev = res("aws.iam.user", "aws_iam_user.dev", name="dev")
    member = res("aws.iam.group_membership", "aws_iam_group_membership.m", groups=Unknown("g later"), users=["dev"])
    ctx = ctx_of(dev, member)
    assert identity_for(ctx, "aws_iam_user.dev").groups == []
    assert [u.unknown for u in unresolved(ctx)] == [Unknown("groups of aws_iam_group_membership.m: g later")]


def test_membership_names_groups_and_users_not_declared_and_adds_the_rest():
    group = res("aws.iam.group", "aws_iam_group.devs", name="devs")
    dev = res("aws.iam.user", "aws_iam_user.dev", name="dev")
    member = res("aws.iam.group_membership", "aws_iam_group_membership.m", groups=["ops", "devs"],
                 users=["bob", "dev"])
    ctx = ctx_of(group, dev, member)
    assert [g.address for g in identity_for(ctx, "aws_iam_user.dev").groups] == ["aws_iam_group.devs"]
    assert [m.address for m in identity_for(ctx, "aws_iam_group.devs").members] == ["aws_iam_user.dev"]
    assert [(u.resource.address, u.unknown) for u in unresolved(ctx)] == [
        ("aws_iam_group_membership.m", Unknown("aws_iam_group_membership.m: 'ops' names no group declared here")),
        ("aws_iam_group_membership.m", Unknown("aws_iam_group_membership.m: 'bob' names no user declared here"))]
    assert [i.address for i in identities(ctx)] == ["aws_iam_group.devs", "aws_iam_user.dev"]


# --- identities: Azure service principals and federated principals ----------------------------------------------


def service_principal(address: str, client_id) -> Resource:
    return res("azure.identity", address, name=address.rsplit(".", 1)[-1], client_id=client_id,
               principal_type="ServicePrincipal")


def credential(application) -> Resource:
    return res("azure.federated_credential", "azuread_application_federated_identity_credential.gh",
               identity=application, issuer=GITHUB, subject="repo:o/r:ref:refs/heads/main")


def test_credential_of_an_application_reaches_its_one_service_principal():
    app = ("azuread_application.app",)
    sp = service_principal("azuread_service_principal.sp", Linked("client-1", app))
    other = service_principal("azuread_service_principal.other", Linked("client-2", ("azuread_application.x",)))
    cred = credential(Linked("object-1", app))
    ctx = ctx_of(other, sp, cred)
    assert identity_for(ctx, "azuread_service_principal.sp").federated_credentials == [cred]
    assert identity_for(ctx, "azuread_service_principal.other").federated_credentials == []
    assert unresolved(ctx) == []


def test_credential_of_an_application_with_no_or_two_service_principals_is_unresolved():
    app = ("azuread_application.app",)
    alone = credential(Ref("azuread_application.app", "id"))
    ctx = ctx_of(alone)
    assert [(u.resource.address, u.unknown) for u in unresolved(ctx)] == [(
        "azuread_application_federated_identity_credential.gh",
        Unknown("azuread_application_federated_identity_credential.gh: azuread_application.app.id refers to a "
                "resource that is not in this stack/module"))]
    twins = [service_principal(f"azuread_service_principal.sp{i}", Linked("client-1", app)) for i in (1, 2)]
    ctx = ctx_of(*twins, credential(Linked("object-1", app)))
    assert [len(identity_for(ctx, t.address).federated_credentials) for t in twins] == [0, 0]
    assert [u.unknown for u in unresolved(ctx)] == [
        Unknown("azuread_application_federated_identity_credential.gh: 'object-1' names no identity declared here")]


def trusted_by(principal) -> Resource:
    return res("aws.iam.role", "aws_iam_role.ci", name="ci", assume_role_policy={"Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": principal}}]})


def test_federated_principal_by_reference():
    other = res("aws.iam.role", "aws_iam_role.x", name="x")
    ctx = ctx_of(trusted_by(Ref("aws_iam_role.x", "arn")), other)
    assert identity_for(ctx, "aws_iam_role.ci").cicd == Unknown(
        "federated principal aws_iam_role.x.arn is not in this stack/module")
    provider = res("aws.iam.oidc_provider", "aws_iam_openid_connect_provider.gh", url=LATER)
    ctx = ctx_of(trusted_by(Ref("aws_iam_openid_connect_provider.gh", "arn")), provider)
    assert identity_for(ctx, "aws_iam_role.ci").cicd == Unknown(
        "url of aws_iam_openid_connect_provider.gh: known after apply")
    bare = res("aws.iam.oidc_provider", "aws_iam_openid_connect_provider.gh")
    ctx = ctx_of(trusted_by(Ref("aws_iam_openid_connect_provider.gh", "arn")), bare)
    assert identity_for(ctx, "aws_iam_role.ci").cicd is False
    github = res("aws.iam.oidc_provider", "aws_iam_openid_connect_provider.gh", url=GITHUB)
    ctx = ctx_of(trusted_by(Ref("aws_iam_openid_connect_provider.gh", "arn")), github)
    assert identity_for(ctx, "aws_iam_role.ci").cicd_reasons == ["trusted by CI OIDC issuer token.actions.githubusercontent.com"]


# --- first run of every identities.py mutant -----------------------------------------------------------

NOT_JSON = "policy is not valid JSON: Expecting property name enclosed in double quotes at line 1"


def test_a_role_says_which_of_its_own_policies_cannot_be_read():
    role = res("aws.iam.role", "aws_iam_role.ci", name="ci", assume_role_policy="{",
               inline_policies=[{"Statement": []}, "{"])
    ident = identity_for(ctx_of(role), "aws_iam_role.ci")
    assert ident.trust_policy == Unknown(f"policy of aws_iam_role.ci trust policy cannot be read: {NOT_JSON}")
    assert [p.document for p in ident.policies] == [
        PolicyDocument((), (), "aws_iam_role.ci inline policy #1"),
        Unknown(f"policy of aws_iam_role.ci inline policy #2 cannot be read: {NOT_JSON}")]
    later = res("aws.iam.role", "aws_iam_role.ci", name="ci", inline_policies=Unknown("var.inline"))
    assert identity_for(ctx_of(later), "aws_iam_role.ci").unknowns == [
        Unknown("inline policies of aws_iam_role.ci: var.inline")]


def test_an_inline_policy_resource_of_an_unknown_identity_type_or_without_a_document():
    role = res("aws.iam.role", "aws_iam_role.ci", name="ci")
    odd = res("aws.iam.inline_policy", "aws_iam_role_policy.odd", identity="ci", identity_type="workload",
              policy={"Statement": []})
    empty = res("aws.iam.inline_policy", "aws_iam_role_policy.empty", identity="ci", identity_type="role")
    assert policies_of(ctx_of(role, odd, empty), "aws_iam_role.ci") == [
        (PolicyDocument((), (), "aws_iam_role_policy.odd"), "inline_policy", "aws_iam_role_policy.odd", None, None,
         None),
        (Unknown("aws_iam_role_policy.empty has no policy document"), "inline_policy", "aws_iam_role_policy.empty",
         None, None, None)]


GH = "token.actions.githubusercontent.com"
GH_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GH}"


def trusted(name: str, *statements) -> Resource:
    return res("aws.iam.role", f"aws_iam_role.{name}", name=name,
               assume_role_policy={"Version": "2012-10-17", "Statement": list(statements)})


def trusts(principal, condition=None) -> dict:
    statement = {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": principal}
    return {**statement, "Condition": condition} if condition else statement


def classified(*resources, **config) -> dict[str, tuple]:
    ctx = Context(Inventory(list(resources)), Config(**config))
    return {r.address: (identity_for(ctx, r.address).cicd, identity_for(ctx, r.address).cicd_reasons,
                        identity_for(ctx, r.address).oidc_issuers)
            for r in resources if r.kind == "aws.iam.role"}


def test_a_role_is_ci_by_what_its_trust_names_and_says_why_or_why_not_known():
    sub = {"StringLike": {f"{GH}:sub": "repo:acme/app:*"}}
    later = res("aws.iam.oidc_provider", "aws_iam_openid_connect_provider.later", url=Unknown("var.url"))
    other = res("aws.iam.oidc_provider", "aws_iam_openid_connect_provider.other", url=Unknown("var.other"))
    roles = [
        trusted("after_unknown", trusts({"Federated": [Unknown("var.p"), GH_PROVIDER]})),
        trusted("unknown", trusts({"Federated": [Unknown("var.p")], "AWS": [Unknown("var.q")]})),
        trusted("two_providers", trusts({"Federated": [Ref(later.address, "arn"), Ref(other.address, "arn")]})),
        trusted("by_condition", trusts({"Federated": Unknown("var.p")}, sub)),
        trusted("by_condition_only", trusts({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, sub)),
        trusted("aws_keys", trusts({"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                   {"StringEquals": {"aws:PrincipalOrgID": "o-1", GH: "no colon"}})),
        trusted("service_name_as_aws", trusts({"AWS": "codebuild.amazonaws.com"})),
    ]
    by_condition = [f"trust condition on {GH}:sub names CI OIDC issuer {GH}"]
    assert classified(later, other, *roles) == {
        "aws_iam_role.after_unknown": (True, [f"trusted by CI OIDC issuer {GH}"], [GH]),
        "aws_iam_role.unknown": (Unknown("trust policy principal of aws_iam_role.unknown: var.p"), [], []),
        "aws_iam_role.two_providers": (Unknown("url of aws_iam_openid_connect_provider.later: var.url"), [], []),
        "aws_iam_role.by_condition": (True, by_condition, [GH]),
        "aws_iam_role.by_condition_only": (True, by_condition, [GH]),
        "aws_iam_role.aws_keys": (False, [], []),
        "aws_iam_role.service_name_as_aws": (False, [], []),
    }


def test_a_role_whose_managed_policy_arns_are_not_known_says_so():
    role = res("aws.iam.role", "aws_iam_role.ci", name="ci", managed_policy_arns=Unknown("var.arns"))
    assert identity_for(ctx_of(role), "aws_iam_role.ci").unknowns == [
        Unknown("managed_policy_arns of aws_iam_role.ci: var.arns")]


def test_a_configured_issuer_whose_host_starts_with_aws_is_read_from_a_condition_key():
    """Only the issuer list decides what a condition key names: `aws:` keys name no issuer because no
    issuer is `aws`, and a self-hosted issuer on `aws-gitlab.acme.internal` is one."""
    key = "aws-gitlab.acme.internal:sub"
    role = trusted("gitlab", trusts({"Federated": Unknown("var.p")}, {"StringLike": {key: "project_path:acme/*"}}))
    assert classified(role, oidc_issuers=("https://aws-gitlab.acme.internal",)) == {"aws_iam_role.gitlab": (
        True, [f"trust condition on {key} names CI OIDC issuer https://aws-gitlab.acme.internal"],
        ["https://aws-gitlab.acme.internal"])}


def test_a_deny_without_resource_in_a_repository_policy_applies_to_its_repository():
    """The Deny has no Resource element: in a repository policy it governs that repository, so the push
    the Allow grants role a is taken away and only the pull stays."""
    from rulebook.access import grants_of

    role = res("aws.iam.role", "aws_iam_role.a", name="a", arn=f"arn:aws:iam::{ACCOUNT}:role/a")
    principal = {"AWS": f"arn:aws:iam::{ACCOUNT}:role/a"}
    policy = res("aws.ecr.repository_policy", "aws_ecr_repository_policy.app",
                 repository=Ref("aws_ecr_repository.app", "name"), policy={"Statement": [
                     {"Effect": "Allow", "Principal": principal, "Action": ["ecr:BatchGetImage", "ecr:PutImage"]},
                     {"Effect": "Deny", "Principal": principal, "Action": "ecr:PutImage"}]})
    ctx = ctx_of(role, repo(), policy)
    assert [(g.action_class, sorted(g.actions), g.resources, g.unknown)
            for g in grants_of(ctx, identity_for(ctx, "aws_iam_role.a"))] == [
        (ActionClass.PULL, ["ecr:BatchGetImage"], (APP,), None)]


def grant_rows(ctx: Context, address: str) -> list[tuple]:
    from rulebook.access import grants_of

    return [(g.action_class, sorted(g.actions), g.resources, g.not_resources,
             g.statement.index if g.statement is not None else None, g.source.via if g.source else None,
             g.identity.address if g.identity else None, g.unknown)
            for g in grants_of(ctx, identity_for(ctx, address))]


def test_a_repository_policy_deny_without_resource_leaves_grants_on_other_repositories():
    """Role a may push everywhere through its own policy; the repository policy of app denies it push
    there (no Resource element: that repository only), so the grant on `*` stays. A statement whose
    Effect is not known is a grant of unknown actions carrying the reason."""
    role = res("aws.iam.role", "aws_iam_role.a", name="a", arn=f"arn:aws:iam::{ACCOUNT}:role/a",
               inline_policies=[{"Statement": [{"Effect": "Allow", "Action": "ecr:PutImage", "Resource": "*"},
                                               {"Effect": LATER, "Action": "ecr:PutImage", "Resource": "*"}]}],
               managed_policy_arns=[])
    principal = {"AWS": f"arn:aws:iam::{ACCOUNT}:role/a"}
    policy = res("aws.ecr.repository_policy", "aws_ecr_repository_policy.app",
                 repository=Ref("aws_ecr_repository.app", "name"),
                 policy={"Statement": [{"Effect": "Deny", "Principal": principal, "Action": "ecr:PutImage"}]})
    assert grant_rows(ctx_of(role, repo(), policy), "aws_iam_role.a") == [
        (None, [], (), (), 1, "inline", "aws_iam_role.a",
         Unknown("statement #2 of inline policy of aws_iam_role.a: known after apply")),
        (ActionClass.PUSH, ["ecr:PutImage"], ("*",), (), 0, "inline", "aws_iam_role.a", None)]


def test_a_policy_not_known_is_one_grant_of_unknown_actions():
    role = res("aws.iam.role", "aws_iam_role.a", name="a", inline_policies=[LATER], managed_policy_arns=[])
    assert grant_rows(ctx_of(role), "aws_iam_role.a") == [
        (None, [], (), (), None, "inline", "aws_iam_role.a", LATER)]


def test_a_deny_with_not_resource_spares_what_it_names():
    """Deny push on every repository but app: the push grant on `*` is not wholly taken away."""
    role = res("aws.iam.role", "aws_iam_role.a", name="a", managed_policy_arns=[], inline_policies=[{"Statement": [
        {"Effect": "Allow", "Action": "ecr:PutImage", "Resource": "*"},
        {"Effect": "Deny", "Action": "ecr:PutImage", "NotResource": APP}]}])
    assert grant_rows(ctx_of(role, repo()), "aws_iam_role.a") == [
        (ActionClass.PUSH, ["ecr:PutImage"], ("*",), (), 0, "inline", "aws_iam_role.a", None)]


def test_statements_without_resource_default_to_everything_in_an_identity_policy_and_to_the_repository():
    """An identity policy's statement without Resource (IAM refuses it, a hostile plan may not) counts as
    `*`: its Deny takes the push away, its Allow grants on `*`. A repository policy whose repository is
    not declared here governs the repository it names."""
    role = res("aws.iam.role", "aws_iam_role.a", name="a", arn=f"arn:aws:iam::{ACCOUNT}:role/a",
               managed_policy_arns=[], inline_policies=[{"Statement": [
                   {"Effect": "Allow", "Action": ["ecr:PutImage", "ecr:BatchGetImage"]},
                   {"Effect": "Deny", "Action": "ecr:PutImage"}]}])
    elsewhere = res("aws.ecr.repository_policy", "aws_ecr_repository_policy.other", repository="other",
                    policy={"Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/a"},
                                           "Action": "ecr:ListImages"}]})
    assert grant_rows(ctx_of(role, elsewhere), "aws_iam_role.a") == [
        (ActionClass.PULL, ["ecr:BatchGetImage"], ("*",), (), 0, "inline", "aws_iam_role.a", None),
        (ActionClass.IMAGE_LISTING, ["ecr:ListImages"], ("other",), (), 0, "resource_policy", "aws_iam_role.a",
         None)]


def test_a_role_is_part_of_the_registry_only_when_registry_services_alone_may_assume_it():
    ecr = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ecr.amazonaws.com"}}
    roles = [
        trusted("ecr", ecr),
        trusted("not_principal", {**ecr, "Principal": None, "NotPrincipal": {"AWS": f"arn:aws:iam::{OTHER}:root"}}),
        trusted("service_ref", {**ecr, "Principal": {"Service": Ref("aws_ssm_parameter.s", "value")}}),
        trusted("effect_unknown", ecr, {**ecr, "Effect": LATER}),
        trusted("condition_unknown", {**ecr, "Condition": {"StringEquals": {"aws:SourceAccount": LATER}}}),
    ]
    for r in roles:
        r.props["assume_role_policy"]["Statement"] = [
            {k: v for k, v in st.items() if v is not None} for st in r.props["assume_role_policy"]["Statement"]]
    ctx = ctx_of(*roles)
    assert {r.address: (identity_for(ctx, r.address).admin, identity_for(ctx, r.address).admin_reasons)
            for r in roles} == {
        "aws_iam_role.ecr": (True, ["assumed only by the registry's own service (ecr.amazonaws.com): part of the "
                                    "registry, not an identity people or pipelines hold"]),
        "aws_iam_role.not_principal": (False, []),
        "aws_iam_role.service_ref": (False, []),
        "aws_iam_role.effect_unknown": (False, []),
        "aws_iam_role.condition_unknown": (False, []),
    }


def test_a_role_is_ci_by_its_cicd_stage_tag_among_others():
    def tagged(name, tags):
        role = res("aws.iam.role", f"aws_iam_role.{name}", name=name)
        role.tags = tags
        return role

    roles = [tagged("build", {"cicd-stage": " Build ", "Name": "x"}), tagged("other", {"cicd-stage": "nightly"}),
             tagged("later", {"cicd-stage": LATER, "Name": "x"}), tagged("none", {"Name": "build"})]
    ctx = ctx_of(*roles)
    assert {r.address: (identity_for(ctx, r.address).cicd, identity_for(ctx, r.address).cicd_reasons)
            for r in roles} == {
        "aws_iam_role.build": (True, ["tagged cicd-stage=build"]),
        "aws_iam_role.other": (False, []),
        "aws_iam_role.later": (LATER, []),
        "aws_iam_role.none": (False, []),
    }


def test_an_azure_identity_is_known_by_its_resource_id():
    ident = res("azure.identity", "azurerm_user_assigned_identity.ci", name="id-ci", id="/subscriptions/0/id-ci",
                arn="not this")
    assert identity_for(ctx_of(ident), "azurerm_user_assigned_identity.ci").arn == "/subscriptions/0/id-ci"


def test_an_identity_reference_that_cannot_be_followed_says_why():
    bucket = res("aws.s3.bucket", "aws_s3_bucket.b", bucket="b")
    by_ref = res("aws.iam.inline_policy", "aws_iam_role_policy.ref", identity=Ref("aws_s3_bucket.b", "id"),
                 identity_type="role", policy={"Statement": []})
    any_kind = res("aws.iam.inline_policy", "aws_iam_role_policy.lit", identity="ghost", policy={"Statement": []})
    why = "applies to an identity that cannot be resolved"
    assert [(u.resource.address, u.unknown) for u in unresolved(ctx_of(bucket, by_ref, any_kind))] == [
        ("aws_iam_role_policy.ref", Unknown(f"aws_iam_role_policy.ref {why}: aws_s3_bucket.b.id is a aws.s3.bucket, "
                                            "not an identity cicd-guard models")),
        ("aws_iam_role_policy.lit", Unknown(f"aws_iam_role_policy.lit {why}: 'ghost' names no role / user / group "
                                            "declared here"))]


def test_an_azure_identity_is_ci_by_its_credentials_issuers_first_unknown_first():
    ident = res("azure.identity", "azurerm_user_assigned_identity.ci", name="id-ci")
    creds = [res("azure.federated_credential", f"azurerm_federated_identity_credential.{n}", issuer=issuer,
                 identity=Ref("azurerm_user_assigned_identity.ci", "id"), subject="repo:o/r:ref:refs/heads/main")
             for n, issuer in (("a", Unknown("var.a")), ("b", Unknown("var.b")))]
    found = identity_for(ctx_of(ident, *creds), "azurerm_user_assigned_identity.ci")
    assert (found.cicd, found.oidc_issuers) == (Unknown("issuer of azurerm_federated_identity_credential.a: var.a"), [])
    github = res("azure.federated_credential", "azurerm_federated_identity_credential.gh", issuer=GITHUB,
                 identity=Ref("azurerm_user_assigned_identity.ci", "id"), subject="repo:o/r:ref:refs/heads/main")
    found = identity_for(ctx_of(ident, *creds, github), "azurerm_user_assigned_identity.ci")
    assert (found.cicd, found.cicd_reasons, found.oidc_issuers) == (
        True, [f"federated credential azurerm_federated_identity_credential.gh trusts CI issuer {GH}"], [GH])


# --- first run of every _resource_policy_grants mutant --------------------------------------------------

def policy_rows(*resources) -> list[tuple]:
    from rulebook.access import resource_policy_grants

    return [(g.policy_resource.address, g.target.address if g.target else None, g.action_class, sorted(g.actions),
             g.resources, g.not_resources, g.principal, g.principal_type,
             g.statement.index if g.statement is not None else None, g.unknown)
            for g in resource_policy_grants(ctx_of(*resources))]


def repo_policy_of(name: str, repository, policy) -> Resource:
    return res("aws.ecr.repository_policy", f"aws_ecr_repository_policy.{name}", repository=repository, policy=policy)


ROLE_A = f"arn:aws:iam::{ACCOUNT}:role/a"


def test_repository_policies_that_cannot_be_read_say_why_and_the_next_is_still_read():
    twin = res("aws.iam.role", "aws_iam_role.app", name="app")  # same name as the repository, another kind
    policies = [
        repo_policy_of("none", "app", None),
        repo_policy_of("later", "app", LATER),
        repo_policy_of("bad", "app", "{"),
        repo_policy_of("effect", "app", {"Statement": [
            {"Effect": LATER, "Principal": {"AWS": ROLE_A}, "Action": "ecr:PutImage"}]}),
        repo_policy_of("who", "app", {"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": Unknown("var.who")}, "Action": "ecr:PutImage",
             "NotResource": "x"}]}),
    ]
    assert policy_rows(repo(), twin, *policies) == [
        ("aws_ecr_repository_policy.later", "aws_ecr_repository.app", None, [], (), (), None, None, None, LATER),
        ("aws_ecr_repository_policy.bad", "aws_ecr_repository.app", None, [], (), (), None, None, None,
         Unknown(f"policy of aws_ecr_repository_policy.bad cannot be read: {NOT_JSON}")),
        ("aws_ecr_repository_policy.effect", "aws_ecr_repository.app", None, [], (), (), None, None, 0,
         Unknown("statement #1 of aws_ecr_repository_policy.effect: known after apply")),
        ("aws_ecr_repository_policy.who", "aws_ecr_repository.app", None, [], ("*",), ("x",), Unknown("var.who"),
         "AWS", 0, Unknown("principal of statement #1 in aws_ecr_repository_policy.who: var.who")),
    ]


def test_repository_policy_statements_by_principal_deny_and_repository():
    """NotPrincipal is as wide as `*`; a statement without principal grants nothing and the next is read; a
    Deny takes away only from the principal it names and only where it applies (NotResource); an
    ambiguous or undeclared repository is governed by name."""
    two = [res("aws.ecr.repository", f"aws_ecr_repository.{n}", name="shared", arn=f"{APP}-{n}") for n in ("x", "y")]
    policies = [
        repo_policy_of("app", Ref("aws_ecr_repository.app", "name"), {"Statement": [
            {"Effect": "Allow", "Action": "ecr:BatchGetImage"},
            {"Effect": "Allow", "NotPrincipal": {"AWS": ROLE_A}, "Action": "ecr:BatchGetImage"},
            {"Effect": "Allow", "Principal": {"AWS": [ROLE_A, f"arn:aws:iam::{ACCOUNT}:role/b"]},
             "Action": "ecr:PutImage"},
            {"Effect": "Deny", "Principal": {"AWS": ROLE_A}, "Action": "ecr:PutImage", "NotResource": SECRET}]}),
        repo_policy_of("shared", "shared", {"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ROLE_A}, "Action": "ecr:BatchGetImage"}]}),
    ]
    rows = [row[:9] for row in policy_rows(repo(), *two, *policies)]
    assert rows == [
        ("aws_ecr_repository_policy.app", "aws_ecr_repository.app", ActionClass.PULL, ["ecr:BatchGetImage"], (APP,),
         (), "*", "AWS", 1),
        ("aws_ecr_repository_policy.app", "aws_ecr_repository.app", ActionClass.PUSH, ["ecr:PutImage"], (APP,),
         (), f"arn:aws:iam::{ACCOUNT}:role/b", "AWS", 2),
        ("aws_ecr_repository_policy.shared", None, ActionClass.PULL, ["ecr:BatchGetImage"], ("shared",), (), ROLE_A,
         "AWS", 0),
    ]


def test_resource_policies_reach_the_identities_they_name_with_what_they_govern():
    role = res("aws.iam.role", "aws_iam_role.a", name="a", arn=ROLE_A)
    twin = res("aws.iam.role", "aws_iam_role.app", name="app")  # a role named like the repository
    bucket = res("aws.s3.bucket", "aws_s3_bucket.b", bucket="acme-b")
    statement = {"Effect": "Allow", "Principal": {"AWS": ROLE_A}, "Action": "ecr:BatchGetImage"}
    policies = [repo_policy_of("app", "app", {"Statement": [statement]}),
                res("aws.s3.bucket_policy", "aws_s3_bucket_policy.b", bucket="acme-b",
                    policy={"Statement": [{**statement, "Action": "s3:GetObject"}]}),
                res("aws.ecr.registry_policy", "aws_ecr_registry_policy.r", policy={"Statement": [statement]})]
    ctx = ctx_of(role, twin, repo(), bucket, *policies)
    assert [(p.via, p.resource.address, p.target.address if p.target else None)
            for p in identity_for(ctx, "aws_iam_role.a").policies] == [
        ("resource_policy", "aws_ecr_repository_policy.app", "aws_ecr_repository.app"),
        ("resource_policy", "aws_s3_bucket_policy.b", "aws_s3_bucket.b"),
        ("resource_policy", "aws_ecr_registry_policy.r", None)]


def test_an_unknown_principal_of_a_repository_policy_keeps_what_the_statement_says_and_the_next_is_read():
    policy = repo_policy_of("who", "app", {"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": [Unknown("var.who"), f"arn:aws:iam::{OTHER}:root"],
                                          "Service": "codebuild.amazonaws.com"},
         "Action": "ecr:BatchGetImage", "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]})
    from rulebook.access import resource_policy_grants

    grants = resource_policy_grants(ctx_of(repo(), policy))
    assert [(g.principal, g.principal_type, g.action_class, [c.key for c in g.conditions], g.other_account,
             g.target.address if g.target else None) for g in grants] == [
        (Unknown("var.who"), "AWS", None, ["aws:SourceAccount"], False, "aws_ecr_repository.app"),
        (f"arn:aws:iam::{OTHER}:root", "AWS", ActionClass.PULL, ["aws:SourceAccount"], True, "aws_ecr_repository.app"),
        ("codebuild.amazonaws.com", "Service", ActionClass.PULL, ["aws:SourceAccount"], False,
         "aws_ecr_repository.app")]


def test_the_accounts_a_repository_policy_governs_are_named_by_where_they_were_learned():
    from rulebook.access import resource_policy_grants

    policy = repo_policy_of("who", "app", {"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "ecr:BatchGetImage"}]})
    assert [g.own_accounts for g in resource_policy_grants(ctx_of(repo(), policy))] == [
        f"{ACCOUNT} from the ARN of aws_ecr_repository.app"]


def test_an_azure_assignment_without_principal_type_takes_its_identitys():
    from rulebook.access import azure_grants

    ident = res("azure.identity", "azurerm_user_assigned_identity.ci", name="id-ci", principal_id="pid-ci",
                principal_type="ServicePrincipal")
    given = res("azure.role_assignment", "azurerm_role_assignment.given", scope="/subscriptions/0",
                principal_id=Ref("azurerm_user_assigned_identity.ci", "principal_id"), principal_type="User",
                role_definition_name="AcrPull")
    taken = res("azure.role_assignment", "azurerm_role_assignment.taken", scope="/subscriptions/0",
                principal_id=Ref("azurerm_user_assigned_identity.ci", "principal_id"), role_definition_name="AcrPull")
    assert [(g.assignment.address, g.principal_type) for g in azure_grants(ctx_of(ident, given, taken))] == [
        ("azurerm_role_assignment.given", "User"), ("azurerm_role_assignment.taken", "ServicePrincipal")]
