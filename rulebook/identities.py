"""Identities and every policy that reaches them, computed once per run.

An Identity is an AWS IAM role, user or group, or an Azure principal. For AWS it carries each
policy that applies to it with the resource it came from: inline policies (role blocks and
aws.iam.inline_policy), customer and AWS managed policies attached by any attachment resource or
managed_policy_arns, group policies reaching users through group membership, and the statements of
resource policies (ECR repository/registry policies, S3 bucket policies) that name it. A reference
that cannot be followed (unknown at plan time, an AWS managed policy whose statements are not
known, a Ref to something not in the inventory) is kept as an Unknown with its reason: on the
identity when we know whose it is, otherwise in `unresolved(ctx)` on the resource that holds it.

Classification (RULEBOOK.md): CI/CD identity, deploy identity, admin identity, each with reasons.
A classification that depends on a value unknown at plan time (tags, trust policy) is an Unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import managed_policies
from .ci_principals import CI_OIDC_ISSUERS, REGISTRY_SERVICES, service_is_ci
from .model import Inventory, Linked, Ref, Resource
from .policy import PolicyDocument, PolicyParseError, parse_policy
from .unknown import Unknown

AWS_IDENTITY_KINDS = ("aws.iam.role", "aws.iam.user", "aws.iam.group")
AZURE_IDENTITY_KIND = "azure.identity"
IDENTITY_KINDS = AWS_IDENTITY_KINDS + (AZURE_IDENTITY_KIND,)
_IAM_NAME = re.compile(r"[\w+=,.@-]{1,128}")  # an IAM user or group name as AWS allows it
_TYPE_OF_KIND = {"aws.iam.role": "role", "aws.iam.user": "user", "aws.iam.group": "group",
                 AZURE_IDENTITY_KIND: "azure"}
_KIND_OF_TYPE = {v: k for k, v in _TYPE_OF_KIND.items()}

CICD_STAGE_TAG = "cicd-stage"
CICD_STAGES = ("build", "test", "deploy")
DEPLOY_STAGE = "deploy"

RESOURCE_POLICY_KINDS = ("aws.ecr.repository_policy", "aws.ecr.registry_policy", "aws.s3.bucket_policy")


@dataclass(frozen=True)
class AttachedPolicy:
    """One policy reaching an identity, and how it got there (for messages and the access map)."""

    document: PolicyDocument | Unknown
    via: str  # inline | inline_policy | attachment | managed_policy_arns | resource_policy
    resource: Resource  # the resource that brings it (role, inline policy, attachment, repository policy, ...)
    policy: Resource | None = None  # the customer managed policy, when there is one
    managed_arn: str | None = None  # AWS managed policy ARN, when attached by ARN
    target: Resource | None = None  # resource policies: repository or bucket it governs (None: whole registry)
    group: Resource | None = None  # reached through this group (users)

    @property
    def is_resource_policy(self) -> bool:
        return self.via == "resource_policy"

    @property
    def label(self) -> str:
        if self.managed_arn:
            name = self.managed_arn.rsplit("/", 1)[-1]
            what = f"AWS managed policy {name} attached by {self.resource.address}"
        elif self.policy is not None:
            what = f"policy {self.policy.address} attached by {self.resource.address}"
        elif self.via == "inline":
            what = f"inline policy of {self.resource.address}"
        else:
            what = self.resource.address
        return f"{what} (via group {self.group.address})" if self.group is not None else what


@dataclass(frozen=True)
class Unresolved:
    """A reference that could not be tied to an identity, kept so a rule can report UNKNOWN on it."""

    resource: Resource
    unknown: Unknown


@dataclass(eq=False)
class Identity:
    resource: Resource
    type: str  # role | user | group | azure
    name: str  # the identity's name, or its address when the name is not known
    arn: Any = None  # str, Ref, Unknown or None (Azure: the resource id)
    policies: list[AttachedPolicy] = field(default_factory=list)
    trust_policy: PolicyDocument | Unknown | None = None
    unknowns: list[Unknown] = field(default_factory=list)
    groups: list["Identity"] = field(default_factory=list)  # users: the groups they are in
    members: list["Identity"] = field(default_factory=list)  # groups: their users
    principal_type: Any = None  # Azure: ServicePrincipal | User | Group (str or Unknown)
    federated_credentials: list[Resource] = field(default_factory=list)  # Azure
    role_assignments: list[Resource] = field(default_factory=list)  # Azure
    oidc_issuers: list[str] = field(default_factory=list)  # CI issuers that can assume it
    cicd: bool | Unknown = False
    cicd_reasons: list[str] = field(default_factory=list)
    deploy: bool | Unknown = False
    deploy_reasons: list[str] = field(default_factory=list)
    admin: bool = False
    admin_reasons: list[str] = field(default_factory=list)
    declared: bool = True  # False: an IAM user or group an attachment names by a literal name not declared here

    @property
    def address(self) -> str:
        return self.resource.address

    @property
    def is_aws(self) -> bool:
        return self.type != "azure"

    @property
    def is_human(self) -> bool | Unknown:
        """IAM users and groups are people (RULEBOOK: developers); Azure by principal_type."""
        if self.type in ("user", "group"):
            return True
        if self.type == "azure":
            if isinstance(self.principal_type, Unknown):
                return self.principal_type
            return isinstance(self.principal_type, str) and self.principal_type.lower() in ("user", "group")
        return False

    def names(self) -> list[str]:
        """Names config globs are matched against: name, address, ARN."""
        out = [self.name, self.address]
        if isinstance(self.arn, str):
            out.append(self.arn)
        return out

    def identity_policies(self) -> list[AttachedPolicy]:
        return [p for p in self.policies if not p.is_resource_policy]

    def __repr__(self) -> str:
        return f"Identity({self.type} {self.address})"


@dataclass
class IdentityIndex:
    identities: list[Identity]
    by_address: dict[str, Identity]
    unresolved: list[Unresolved]


# --------------------------------------------------------------------------------------------------
# public API


def identities(ctx: Any) -> list[Identity]:
    """Every identity of the inventory with its policies and classification (memoised per run)."""
    return index(ctx).identities


def identity_for(ctx: Any, resource: Resource | str) -> Identity | None:
    address = resource if isinstance(resource, str) else resource.address
    return index(ctx).by_address.get(address)


def unresolved(ctx: Any) -> list[Unresolved]:
    """References that reach no known identity (e.g. an attachment whose role list is unknown)."""
    return index(ctx).unresolved


def index(ctx: Any) -> IdentityIndex:
    return ctx.derived("rulebook.identities", lambda c: build(c.inventory, c.config))


def build(inventory: Inventory, config: Any) -> IdentityIndex:
    """Compute identities without a Context (tools such as the access map may call it directly)."""
    builder = _Builder(inventory, config)
    return builder.run()


# --------------------------------------------------------------------------------------------------
# helpers shared with access.py


def document(value: Any, origin: str) -> PolicyDocument | Unknown | None:
    """A policy prop as a PolicyDocument; malformed text becomes an Unknown carrying the parse error."""
    if value is None:
        return None
    try:
        return parse_policy(value, origin)
    except PolicyParseError as exc:
        return Unknown(f"policy of {origin} cannot be read: {exc}")


def issuer_of(value: str, issuers: Iterable[str]) -> str | None:
    """The CI issuer an OIDC provider ARN, URL or condition-key prefix refers to, if any."""
    text = value.strip().lower()
    if "oidc-provider/" in text:
        text = text.split("oidc-provider/", 1)[1]
    for scheme in ("https://", "http://"):
        if text.startswith(scheme):
            text = text[len(scheme):]
    for issuer in issuers:
        wanted = issuer.strip().lower()
        for scheme in ("https://", "http://"):
            if wanted.startswith(scheme):
                wanted = wanted[len(scheme):]
        base = wanted.rstrip("/")
        if text == base or text.startswith(base + "/") or text.startswith(base + ":"):
            return issuer
    return None


def registry_service_role(ident: Identity) -> str:
    """The registry services (`ecr.amazonaws.com`, ...) that alone may assume a role, or "" when anyone else
    may (another principal, a condition-free federated or AWS principal, an unknown trust)."""
    trust = ident.trust_policy
    if ident.type != "role" or trust is None or isinstance(trust, Unknown) or trust.unknowns:
        return ""  # an undecided statement is among the unknowns (its Effect is one)
    found: list[str] = []
    for statement in trust.allows():
        if statement.not_principals is not None:
            return ""
        for key, values in (statement.principals or {}).items():
            for value in values:
                if key.lower() != "service" or not isinstance(value, str) \
                        or value.strip().lower() not in REGISTRY_SERVICES:
                    return ""
                _add_once(found, value.strip().lower())
    return ", ".join(found)


def names_identity(value: Any, ident: Identity) -> bool:
    """Does a Principal entry (AWS) designate exactly this identity (by ARN, Ref or role/user path)?"""
    if isinstance(value, Ref):
        return value.address == ident.address
    if not isinstance(value, str) or ident.type not in ("role", "user"):
        return False
    if isinstance(ident.arn, str) and value == ident.arn:
        return True
    if value == ident.resource.props.get("unique_id"):
        return True
    # arn:aws:iam::123456789012:role/path/name, matched by name when our own ARN is not known yet
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam":
        return False
    resource_type, _, rest = parts[5].partition("/")
    if resource_type != ident.type or not rest:
        return False
    return not isinstance(ident.arn, str) and rest.rsplit("/", 1)[-1] == ident.name


class _Builder:
    def __init__(self, inventory: Inventory, config: Any) -> None:
        self.inv = inventory
        self.config = config
        self.by_address: dict[str, Identity] = {}
        self.unresolved: list[Unresolved] = []
        self.external: dict[tuple[str, str], Identity] = {}  # (kind, literal name) -> identity not declared here
        self.issuers = CI_OIDC_ISSUERS + tuple(getattr(config, "oidc_issuers", ()) or ())

    def run(self) -> IdentityIndex:
        for resource in self.inv.of_kind(*IDENTITY_KINDS):
            ident = self._identity(resource)
            self.by_address[resource.address] = ident
        for ident in list(self.by_address.values()):
            if ident.type == "role":
                self._role_own_policies(ident)
        for resource in self.inv.of_kind("aws.iam.inline_policy"):
            self._inline_policy(resource)
        for resource in self.inv.of_kind("aws.iam.policy_attachment"):
            self._attachment(resource)
        for resource in self.inv.of_kind("aws.iam.group_membership"):
            self._membership(resource)
        for ident in self.by_address.values():
            if ident.type == "user":
                for group in ident.groups:
                    for p in group.identity_policies():
                        ident.policies.append(_with_group(p, group.resource))
                    ident.unknowns.extend(group.unknowns)
        self._resource_policies()
        self._azure_links()
        idents = [*self.by_address.values(), *self.external.values()]
        for ident in idents:
            self._classify(ident)
        return IdentityIndex(idents, self.by_address, self.unresolved)

    # --- construction ------------------------------------------------------------------------
    def _identity(self, resource: Resource) -> Identity:
        display = resource.label()
        kind_type = _TYPE_OF_KIND[resource.kind]
        arn = resource.props.get("arn") if kind_type != "azure" else resource.props.get("id")
        ident = Identity(resource=resource, type=kind_type, name=display, arn=arn)
        if kind_type == "azure":
            ident.principal_type = resource.props.get("principal_type")
        return ident

    def _find(self, value: Any, kinds: tuple[str, ...], holder: Resource | None = None) -> Identity | Unknown:
        """The identity a reference designates, or an Unknown saying why it cannot be followed. With a
        `holder` (the attachment), an IAM user or group it names by a literal name not declared here is an
        identity of its own: what the attachment grants it is decidable whatever else it holds."""
        if isinstance(value, Unknown):
            return value
        target = self.inv.resolve(value, kinds)
        if isinstance(target, Unknown):
            return target
        if target is not None and target.address in self.by_address:
            return self.by_address[target.address]
        if isinstance(value, Ref):
            other = self.inv.by_address(value.address)
            if other is not None:
                return Unknown(f"{value} is a {other.kind}, not an identity cicd-guard models")
            return Unknown(f"{value} refers to a resource that is not in this stack/module")
        external = self._external(value, kinds, holder)
        if external is not None:
            return external
        if value is None or not str(value).strip():  # never an empty name in a message
            return Unknown("it is empty or not set")
        return Unknown(f"{value!r} names no {' / '.join(k.rsplit('.', 1)[-1] for k in kinds)} declared here")

    def _external(self, value: Any, kinds: tuple[str, ...], holder: Resource | None) -> Identity | None:
        if holder is None or len(kinds) != 1 or kinds[0] not in ("aws.iam.user", "aws.iam.group") \
                or isinstance(value, Linked) or not isinstance(value, str) or not _IAM_NAME.fullmatch(value):
            return None
        key = (kinds[0], value)
        if key not in self.external:
            self.external[key] = Identity(resource=holder, type=_TYPE_OF_KIND[kinds[0]], name=value, declared=False)
        return self.external[key]

    def _role_own_policies(self, ident: Identity) -> None:
        role = ident.resource
        ident.trust_policy = document(role.props.get("assume_role_policy"), f"{role.address} trust policy")
        inline = role.props.get("inline_policies")
        if isinstance(inline, Unknown):
            ident.unknowns.append(Unknown(f"inline policies of {role.address}: {inline.reason}"))
        else:
            for i, raw in enumerate(inline or ()):
                doc = document(raw, f"{role.address} inline policy #{i + 1}")
                if doc is not None:
                    self._add(ident, AttachedPolicy(doc, "inline", role))
        arns = role.props.get("managed_policy_arns")
        if isinstance(arns, Unknown):
            ident.unknowns.append(Unknown(f"managed_policy_arns of {role.address}: {arns.reason}"))
        else:
            for value in arns or ():
                self._add(ident, self._policy_by_ref(value, role, "managed_policy_arns"))

    def _policy_by_ref(self, value: Any, holder: Resource, via: str) -> AttachedPolicy:
        """A managed policy named by ARN or Ref: an AWS managed one, or a customer policy declared here."""
        if isinstance(value, Unknown):
            return AttachedPolicy(Unknown(f"policy attached by {holder.address}: {value.reason}"), via, holder)
        if not isinstance(value, Ref) and not (isinstance(value, str) and value.strip()):
            what = "policy_arn" if via != "managed_policy_arns" else "managed_policy_arns"
            return AttachedPolicy(Unknown(f"policy attached by {holder.address} names no policy ({what} is "
                                          f"{'not set' if value is None else 'empty' if value == '' else 'not a name or ARN'})"), via, holder)
        if managed_policies.is_aws_managed_arn(value):
            doc = managed_policies.managed_policy(value)
            if doc is None:
                name = str(value).rsplit("/", 1)[-1]
                doc = Unknown(f"AWS managed policy {name} attached by {holder.address} is not one whose "
                              f"statements cicd-guard knows")
            return AttachedPolicy(doc, via, holder, managed_arn=str(value))
        policy = self.inv.resolve(value, ("aws.iam.policy",))
        if isinstance(policy, Unknown):
            return AttachedPolicy(Unknown(f"policy attached by {holder.address}: {policy.reason}"), via, holder)
        if policy is None:
            if isinstance(value, Ref) and self.inv.by_address(value.address) is None:
                reason = f"policy {value} attached by {holder.address} is not in this stack/module"
            else:
                reason = f"policy {value} attached by {holder.address} is not declared here"
            return AttachedPolicy(Unknown(reason), via, holder)
        doc = document(policy.props.get("policy"), policy.address)
        if doc is None:
            doc = Unknown(f"policy {policy.address} has no policy document")
        return AttachedPolicy(doc, via, holder, policy=policy)

    def _add(self, ident: Identity, attached: AttachedPolicy) -> None:
        ident.policies.append(attached)
        if isinstance(attached.document, Unknown):
            ident.unknowns.append(attached.document)

    def _inline_policy(self, resource: Resource) -> None:
        itype = resource.props.get("identity_type")
        kinds = (_KIND_OF_TYPE[itype],) if isinstance(itype, str) and itype in _KIND_OF_TYPE else AWS_IDENTITY_KINDS
        target = self._find(resource.props.get("identity"), kinds, resource)
        doc = document(resource.props.get("policy"), resource.address)
        if doc is None:
            doc = Unknown(f"{resource.address} has no policy document")
        if isinstance(target, Unknown):
            self.unresolved.append(Unresolved(resource, Unknown(f"{resource.address} applies to an identity that "
                                                                f"cannot be resolved: {target.reason}")))
            return
        self._add(target, AttachedPolicy(doc, "inline_policy", resource))

    def _attachment(self, resource: Resource) -> None:
        policies: list[AttachedPolicy] = []
        if resource.props.get("policy_arn") is not None:
            policies.append(self._policy_by_ref(resource.props.get("policy_arn"), resource, "attachment"))
        many = resource.props.get("policy_arns")
        if isinstance(many, Unknown):
            policies.append(AttachedPolicy(Unknown(f"policy_arns of {resource.address}: {many.reason}"),
                                           "attachment", resource))
        else:
            policies.extend(self._policy_by_ref(v, resource, "attachment") for v in many or ())
        for prop, kind in (("roles", "aws.iam.role"), ("users", "aws.iam.user"), ("groups", "aws.iam.group")):
            values = resource.props.get(prop)
            if isinstance(values, Unknown):
                self.unresolved.append(Unresolved(resource, Unknown(f"{prop} of {resource.address}: {values.reason}")))
                continue
            for value in values or ():
                target = self._find(value, (kind,), resource)
                if isinstance(target, Unknown):
                    self.unresolved.append(Unresolved(resource, Unknown(
                        f"{resource.address} attaches a policy to an identity that cannot be resolved: "
                        f"{target.reason}")))
                else:
                    for attached in policies:
                        self._add(target, attached)

    def _membership(self, resource: Resource) -> None:
        groups, users = resource.props.get("groups"), resource.props.get("users")
        for prop, values in (("groups", groups), ("users", users)):
            if isinstance(values, Unknown):
                self.unresolved.append(Unresolved(resource, Unknown(f"{prop} of {resource.address}: {values.reason}")))
        if isinstance(groups, Unknown) or isinstance(users, Unknown):
            return
        resolved_groups = []
        for value in groups or ():
            group = self._find(value, ("aws.iam.group",))
            if isinstance(group, Unknown):
                self.unresolved.append(Unresolved(resource, Unknown(f"{resource.address}: {group.reason}")))
            else:
                resolved_groups.append(group)
        for value in users or ():
            user = self._find(value, ("aws.iam.user",))
            if isinstance(user, Unknown):
                self.unresolved.append(Unresolved(resource, Unknown(f"{resource.address}: {user.reason}")))
                continue
            for group in resolved_groups:
                if group not in user.groups:
                    user.groups.append(group)
                    group.members.append(user)

    def _resource_policies(self) -> None:
        sources: list[tuple[Resource, Any, Resource | None]] = []
        for res in self.inv.of_kind(*RESOURCE_POLICY_KINDS):
            target = None
            if res.kind == "aws.ecr.repository_policy":
                target = self.inv.resolve(res.props.get("repository"), ("aws.ecr.repository",))
            elif res.kind == "aws.s3.bucket_policy":
                target = self.inv.resolve(res.props.get("bucket"), ("aws.s3.bucket",))
            # undecided between several: the policy governs the resource its argument names
            sources.append((res, res.props.get("policy"), target if isinstance(target, Resource) else None))
        for bucket in self.inv.of_kind("aws.s3.bucket"):
            if bucket.props.get("policy") is not None:
                sources.append((bucket, bucket.props.get("policy"), bucket))
        principals = _PrincipalIndex([i for i in self.by_address.values() if i.type in ("role", "user")])
        for res, raw, target in sources:
            doc = document(raw, res.address)
            if not isinstance(doc, PolicyDocument):
                if isinstance(doc, Unknown):
                    self.unresolved.append(Unresolved(res, doc))
                continue
            named: dict[int, list[int]] = {}  # identity position -> indexes of the statements naming it
            for index, statement in enumerate(doc.statements):
                for value in (statement.principals or {}).get("AWS", ()):
                    if isinstance(value, Unknown):
                        self.unresolved.append(Unresolved(res, Unknown(
                            f"principal of {statement.label} in {res.address}: {value.reason}")))
                        continue
                    for position in principals.named_by(value):
                        found = named.setdefault(position, [])
                        if not found or found[-1] != index:
                            found.append(index)
            for position in sorted(named):
                part = PolicyDocument(tuple(doc.statements[i] for i in named[position]), (), doc.origin or res.address)
                principals.idents[position].policies.append(
                    AttachedPolicy(part, "resource_policy", res, target=target))

    def _azure_links(self) -> None:
        for cred in self.inv.of_kind("azure.federated_credential"):
            owner = self._find(cred.props.get("identity"), (AZURE_IDENTITY_KIND,))
            if not isinstance(owner, Identity):
                owner = self._service_principal_of(cred.props.get("identity")) or owner
            if isinstance(owner, Identity):
                owner.federated_credentials.append(cred)
            else:
                self.unresolved.append(Unresolved(cred, Unknown(f"{cred.address}: {owner.reason}")))
        for assignment in self.inv.of_kind("azure.role_assignment"):
            principal = self._find(assignment.props.get("principal_id"), (AZURE_IDENTITY_KIND,))
            if isinstance(principal, Identity):
                principal.role_assignments.append(assignment)
            else:
                self.unresolved.append(Unresolved(assignment, Unknown(
                    f"principal of {assignment.address}: {principal.reason}")))

    def _service_principal_of(self, application: Any) -> Identity | None:
        """The one service principal declared for an application (azuread credentials name the application)."""
        if isinstance(application, Ref):
            targets: tuple[str, ...] = (application.address,)
        else:
            targets = getattr(application, "targets", ())
        if not targets:
            return None
        found = [i for i in self.by_address.values()
                 if i.type == "azure" and _refers_to(i.resource.props.get("client_id"), targets)]
        return found[0] if len(found) == 1 else None

    # --- classification ----------------------------------------------------------------------
    def _classify(self, ident: Identity) -> None:
        tags = ident.resource.tags
        stage: Any = None
        if not ident.declared:
            stage = Unknown(f"{ident.type} {ident.name} is not declared here, so its tags are not known")
        elif isinstance(tags, Unknown):
            stage = Unknown(f"tags of {ident.address} are not known at plan time: {tags.reason}")
        elif isinstance(tags, dict):
            for key, value in tags.items():
                if isinstance(key, str) and key.lower() == CICD_STAGE_TAG:
                    stage = value if isinstance(value, Unknown) else str(value).strip().lower()

        cicd_unknown: Unknown | None = None
        if isinstance(stage, str) and stage in CICD_STAGES:
            ident.cicd_reasons.append(f"tagged {CICD_STAGE_TAG}={stage}")
        elif isinstance(stage, Unknown):
            cicd_unknown = stage
        if ident.type == "role":
            found = self._trust_reasons(ident)
            if isinstance(found, Unknown):
                cicd_unknown = _first(cicd_unknown, found)
            else:
                ident.cicd_reasons.extend(found)
        elif ident.type == "azure":
            for cred in ident.federated_credentials:
                issuer = cred.props.get("issuer")
                if isinstance(issuer, Unknown):
                    cicd_unknown = _first(cicd_unknown, Unknown(f"issuer of {cred.address}: {issuer.reason}"))
                elif isinstance(issuer, str):
                    hit = issuer_of(issuer, self.issuers)
                    if hit:
                        _add_once(ident.oidc_issuers, hit)
                        ident.cicd_reasons.append(f"federated credential {cred.address} trusts CI issuer {hit}")
        ident.cicd = True if ident.cicd_reasons else _first(cicd_unknown, False)

        if isinstance(stage, str) and stage == DEPLOY_STAGE:
            ident.deploy_reasons.append(f"tagged {CICD_STAGE_TAG}={DEPLOY_STAGE}")
        config_names = ident.names()
        deploy_globs = tuple(getattr(self.config, "deploy_identities", ()) or ())
        if deploy_globs and self.config.is_deploy_identity(*config_names):
            ident.deploy_reasons.append("matches deploy_identities in the configuration")
        ident.deploy = True if ident.deploy_reasons else (stage if isinstance(stage, Unknown) else False)

        admin_globs = tuple(getattr(self.config, "admin_identities", ()) or ())
        if admin_globs and self.config.is_admin_identity(*config_names):
            ident.admin_reasons.append("matches admin_identities in the configuration")
        service = registry_service_role(ident)
        if service:
            ident.admin_reasons.append(f"assumed only by the registry's own service ({service}): part of the "
                                       "registry, not an identity people or pipelines hold")
        ident.admin = bool(ident.admin_reasons)

    def _trust_reasons(self, ident: Identity) -> list[str] | Unknown:
        trust = ident.trust_policy
        if trust is None:
            return []
        if isinstance(trust, Unknown):
            return Unknown(f"trust policy of {ident.address}: {trust.reason}")
        reasons: list[str] = []
        unknown: Unknown | None = None
        for statement in trust.allows():
            principals = statement.principals or {}
            for key, values in principals.items():
                lkey = key.lower()
                for value in values:
                    if isinstance(value, Unknown):
                        reason = f"trust policy principal of {ident.address}: {value.reason}"
                        unknown = _first(unknown, Unknown(reason))
                        continue
                    if lkey == "federated":
                        hit = self._issuer_of_principal(value)
                        if isinstance(hit, Unknown):
                            unknown = _first(unknown, hit)
                        elif hit:
                            _add_once(ident.oidc_issuers, hit)
                            reasons.append(f"trusted by CI OIDC issuer {hit}")
                    elif lkey == "service" and isinstance(value, str):
                        is_ci, why = service_is_ci(value)
                        if is_ci:
                            reasons.append(f"trusted by service {value.lower()} ({why})")
            for condition in statement.conditions:  # `<issuer>:sub`: issuer_of reads the key's issuer part
                hit = issuer_of(condition.key_lc, self.issuers) if ":" in condition.key_lc else None
                if hit and hit not in ident.oidc_issuers:
                    ident.oidc_issuers.append(hit)
                    reasons.append(f"trust condition on {condition.key} names CI OIDC issuer {hit}")
        if reasons:
            return reasons
        return unknown if unknown is not None else []

    def _issuer_of_principal(self, value: Any) -> str | None | Unknown:
        if isinstance(value, Ref):
            provider = self.inv.resolve(value, ("aws.iam.oidc_provider", "aws.iam.saml_provider"))
            if isinstance(provider, Unknown):
                return provider
            if provider is None:
                return Unknown(f"federated principal {value} is not in this stack/module")
            if provider.kind == "aws.iam.saml_provider":
                return None  # human single sign-on, never a CI issuer
            url = provider.props.get("url")
            if isinstance(url, Unknown):
                return Unknown(f"url of {provider.address}: {url.reason}")
            return issuer_of(url, self.issuers) if isinstance(url, str) else None
        if isinstance(value, str):
            return issuer_of(value, self.issuers)
        return None


class _PrincipalIndex:
    """AWS roles and users by every way a Principal entry can name them, so that each entry of a
    resource policy is looked up directly (names_identity, inverted) instead of tried on every identity."""

    def __init__(self, idents: list[Identity]) -> None:
        self.idents = idents
        self.by_address: dict[str, list[int]] = {}
        self.by_text: dict[str, list[int]] = {}  # known ARN or unique_id
        self.by_name: dict[tuple[str, str], list[int]] = {}  # (role|user, name) when the ARN is not known
        for position, ident in enumerate(idents):
            self.by_address.setdefault(ident.address, []).append(position)
            unique_id = ident.resource.props.get("unique_id")
            texts = {t for t in (ident.arn, unique_id) if isinstance(t, str)}
            for text in texts:
                self.by_text.setdefault(text, []).append(position)
            if not isinstance(ident.arn, str):
                self.by_name.setdefault((ident.type, ident.name), []).append(position)

    def named_by(self, value: Any) -> list[int]:
        """Positions of the identities names_identity(value, ident) holds for, ascending."""
        if isinstance(value, Ref):
            return self.by_address.get(value.address, [])
        if not isinstance(value, str):
            return []
        found = list(self.by_text.get(value, ()))
        parts = value.split(":", 5)
        if len(parts) == 6 and parts[2] == "iam":
            resource_type, _, rest = parts[5].partition("/")
            if rest:
                found.extend(self.by_name.get((resource_type, rest.rsplit("/", 1)[-1]), ()))
        return sorted(set(found)) if len(found) > 1 else found


def _refers_to(value: Any, targets: tuple[str, ...]) -> bool:
    if isinstance(value, Ref):
        return value.address in targets
    return any(t in targets for t in getattr(value, "targets", ()))


def _with_group(p: AttachedPolicy, group: Resource) -> AttachedPolicy:
    return AttachedPolicy(p.document, p.via, p.resource, p.policy, p.managed_arn, p.target, group)


def _add_once(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def _first(value: Any, fallback: Any) -> Any:
    """`value` unless it is None (never `or`: an Unknown has no truth value)."""
    return value if value is not None else fallback
