"""The access map: for every registry and repository, who can pull, push, list and administer it.

Built from the same effective permissions the REG rules judge (rulebook.access), so the map and the
findings never disagree. For each registry or repository it lists the identities (or resource-policy
principals) holding each capability, the policy or role assignment it comes from, and who reaches
those identities: the CI OIDC subjects or services trusted to assume a role, the federated
credentials of an Azure identity, the members of a group, or the person behind an IAM user.

    access_map = build(inventory, config)
    print(render(access_map, "text"))   # also "json" and "mermaid" (a GitHub-renderable flowchart)

A grant whose reach cannot be decided at plan time is kept with `certain = False` and the reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from .access import azure_grants, grants_on, registry_grants
from .azure_roles import Capability, ScopeKind
from .config import Config
from .identities import CI_OIDC_ISSUERS, Identity, identities, issuer_of, names_identity
from .conditions import Pattern
from .model import Inventory, Ref, Resource
from .oidc_subjects import Reading, read
from .oidc_trust import Trust, ci_trusts
from .registry_actions import ActionClass
from .rules.base import Context
from .store_access import STORE_CAPABILITIES, StoreEntry, store_entries
from .unknown import Unknown

CAPABILITIES = ("pull", "push", "enumerate", "administer", "unknown")  # unknown: a policy not readable at plan time
_OF_CLASS = {ActionClass.PULL: "pull", ActionClass.PUSH: "push", ActionClass.ENUMERATE: "enumerate",
             ActionClass.IMAGE_LISTING: "enumerate", ActionClass.ADMIN: "administer"}
_OF_CAPABILITY = {Capability.PULL: "pull", Capability.PUSH: "push", Capability.CATALOG_LISTING: "enumerate",
                  Capability.READER: "enumerate", Capability.ADMIN: "administer", Capability.DELETE: "administer"}
FORMATS = ("text", "json", "mermaid")


@dataclass
class Access:
    """One capability of one holder on one registry, and where it comes from."""

    capability: str  # pull | push | enumerate | administer
    holder: str  # "role ci-build", "identity id-ci-deploy", "everyone (Principal *)", ...
    holder_address: str | None  # the identity's address, when it is declared in the stack
    through: str  # policy statement or role assignment
    actions: tuple[str, ...] = ()
    certain: bool = True
    reason: str = ""  # why it is not certain

    def as_dict(self) -> dict[str, Any]:
        return {"capability": self.capability, "holder": self.holder, "holder_address": self.holder_address,
                "through": self.through, "actions": list(self.actions), "certain": self.certain,
                "reason": self.reason or None}


@dataclass
class RegistryEntry:
    label: str  # "ECR repository acme/app", "ACR registry acmeci"
    address: str
    accesses: list[Access] = field(default_factory=list)

    def holders(self) -> list[str]:
        return list(dict.fromkeys(a.holder for a in self.accesses))


@dataclass
class Holder:
    """An identity that holds registry access, and who can act as it."""

    label: str
    address: str
    reached_by: list[str] = field(default_factory=list)  # OIDC subjects, services, users, members
    roles: list[str] = field(default_factory=list)  # cicd / deploy / admin classification, for readers


@dataclass
class AccessMap:
    registries: list[RegistryEntry] = field(default_factory=list)
    holders: list[Holder] = field(default_factory=list)
    title: str = ""
    stores: list[StoreEntry] = field(default_factory=list)  # artifact buckets and storage accounts

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "registries": [{"registry": r.label, "address": r.address,
                            "access": [a.as_dict() for a in r.accesses]} for r in self.registries],
            "artifact_stores": [s.as_dict() for s in self.stores],
            "identities": [{"identity": h.label, "address": h.address, "reached_by": h.reached_by,
                            "classification": h.roles} for h in self.holders],
        }


# --------------------------------------------------------------------------------------------------
# building


def _who(ident: Identity) -> str:
    return f"identity {ident.name}" if ident.type == "azure" else f"{ident.type} {ident.name}"


def _text(value: Any) -> str:
    if isinstance(value, Unknown):
        return f"(unknown: {value.reason})"
    if isinstance(value, Ref):
        return str(value)
    return str(value)


def _label(resource: Resource, what: str) -> str:
    return f"{what} {resource.label()}"


def _subjects(ident: Identity, inventory: Inventory, issuers: tuple[str, ...], trusts: list[Trust]) -> list[str]:
    """Who can act as an identity: the exact CI OIDC subjects, trusted services, members, people."""
    out: list[str] = []
    if ident.type == "role":
        trust = ident.trust_policy
        if isinstance(trust, Unknown):
            return [f"(unknown trust policy: {trust.reason})"]
        out.extend(s for t in trusts for s in oidc_subjects(t))
        for statement in (trust.allows() if trust is not None else ()):
            for ptype, values in (statement.principals or {}).items():
                for value in values:
                    out.extend(_trusted(ptype, value, statement, inventory, issuers))
    elif ident.type == "user":
        out.append(f"IAM user {ident.name} (a person or long-lived keys)")
    elif ident.type == "group":
        members = [f"IAM user {m.name}" for m in ident.members]
        out.extend(members or [f"members of group {ident.name} (none declared here)"])
    else:
        out.extend(s for t in trusts for s in oidc_subjects(t))
        ptype = ident.principal_type
        if isinstance(ptype, str) and ptype.lower() in ("user", "group"):
            out.append(f"{ptype.lower()} {ident.name} (people)")
    return list(dict.fromkeys(out))


def oidc_subjects(trust: Trust) -> list[str]:
    """The subjects one CI trust admits, each with its issuer and what it pins (repository, ref or environment)."""
    if trust.unknown is not None:
        return [f"(unknown CI subjects: {trust.unknown.reason})"]
    sub = trust.claims("sub")
    if sub.anything is True:
        return [f"any subject of {trust.issuer} ({sub.why})"]
    if isinstance(sub.anything, Unknown):
        return [f"(unknown subjects of {trust.issuer}: {sub.anything.reason})"]
    workflow = trust.claims("job_workflow_ref")
    pinned = ""
    if workflow.anything is False:
        pinned = f"; job_workflow_ref {', '.join(_shown(p) for p in workflow.patterns)}"
    return [_subject(p, trust.issuer) + pinned for p in _narrowest(sub.conjuncts, trust.issuer)]


def _narrowest(conjuncts: tuple[tuple[Pattern, ...], ...], issuer: str) -> tuple[Pattern, ...]:
    """The bounding entry that says the most: one whose subjects all pin a repository, else the first."""
    for conjunct in conjuncts:
        readings = [read(p, issuer) for p in conjunct]
        if all(isinstance(r, Reading) and r.repository is not None for r in readings):
            return conjunct
    return conjuncts[0]


def _subject(pattern: Pattern, issuer: str) -> str:
    reading = read(pattern, issuer)
    detail = f": {reading.describe()}" if isinstance(reading, Reading) else ""
    return f"{_shown(pattern)} ({issuer}{detail})"


def _shown(pattern: Pattern) -> str:
    return pattern.text.replace("\x01", "*").replace("\x02", "?")


def _trusted(ptype: str, value: Any, statement: Any, inventory: Inventory, issuers: tuple[str, ...]) -> list[str]:
    """Principals other than CI OIDC issuers (those are `oidc_subjects`): services, accounts, other issuers."""
    kind = ptype.lower()
    if kind == "federated":
        issuer: Any = value
        if isinstance(value, Ref):
            provider = inventory.resolve(value, ("aws.iam.oidc_provider", "aws.iam.saml_provider"))
            issuer = provider.props.get("url", provider.props.get("arn")) if isinstance(provider, Resource) else value
        if not isinstance(issuer, str) or issuer_of(issuer, issuers):
            return []  # a CI issuer, or one not known: listed from its trust
        return [f"federated {issuer}"]
    if kind == "service":
        return [f"service {_text(value)}"]
    if kind == "aws":
        if isinstance(value, Ref):
            target = inventory.by_address(value.address)
            return [f"{target.address if target else value}"]
        return ["any AWS principal (*)" if _text(value).strip() == "*" else f"AWS {_text(value)}"]
    return [f"{ptype} {_text(value)}"]


def _classification(ident: Identity) -> list[str]:
    out = []
    if ident.cicd is True:
        out.append("cicd")
    if ident.deploy is True:
        out.append("deploy")
    if ident.admin:
        out.append("admin")
    return out


def _aws_entries(ctx: Context, idents: list[Identity]) -> list[RegistryEntry]:
    entries: list[RegistryEntry] = []
    repositories = ctx.inventory.of_kind("aws.ecr.repository")
    for repo in repositories:
        what = "ECR Public repository" if repo.props.get("public") is True else "ECR repository"
        entry = RegistryEntry(_label(repo, what), repo.address)
        for grant, verdict in grants_on(ctx, repo):
            access = _aws_access(grant, idents, verdict)
            if access is not None:
                entry.accesses.append(access)
        entries.append(entry)
    for grant in registry_grants(ctx):  # policies not known at plan time may grant anything: shown, never dropped
        if grant.action_class is not None or grant.unknown is None:
            continue
        if grant.identity is None and any(names_identity(grant.principal, i) for i in idents):
            continue
        holder = _who(grant.identity) if grant.identity is not None else (
            grant.policy_resource.address if grant.policy_resource is not None else "?")
        address = grant.identity.address if grant.identity is not None else None
        for entry in entries:
            if grant.target is None or grant.target.address == entry.address:
                entry.accesses.append(Access("unknown", holder, address, grant.origin, (), False, grant.unknown.reason))
    if not repositories:  # grants on every repository of an account whose repositories live elsewhere
        entry = RegistryEntry("ECR registry (every repository of the account)", "ecr")
        for grant in registry_grants(ctx):
            if grant.action_class is None:
                continue
            verdict = grant.on_all_resources
            if verdict is True or isinstance(verdict, Unknown):
                access = _aws_access(grant, idents, verdict)
                if access is not None:
                    entry.accesses.append(access)
        if entry.accesses:
            entries.append(entry)
    return entries


def _aws_access(grant: Any, idents: list[Identity], verdict: Any) -> Access | None:
    capability = _OF_CLASS.get(grant.action_class)
    if capability is None:
        return None
    if grant.identity is not None:
        holder, address = _who(grant.identity), grant.identity.address
    else:
        if any(names_identity(grant.principal, i) for i in idents):
            return None  # shown as that identity's own grant
        principal = grant.principal
        if isinstance(principal, Ref):
            holder, address = principal.address, principal.address
        else:
            text = _text(principal).strip()
            holder, address = ("everyone (Principal *)" if text == "*" else f"principal {text}"), None
    certain, reason = True, ""
    if isinstance(verdict, Unknown):
        certain, reason = False, verdict.reason
    elif grant.unknown is not None:
        certain, reason = False, grant.unknown.reason
    if grant.conditions:
        keys = ", ".join(sorted({c.key for c in grant.conditions}))
        reason = "; ".join(filter(None, [reason, f"only under conditions on {keys}"]))
    return Access(capability, holder, address, grant.origin, tuple(sorted(grant.actions)), certain, reason)


def _azure_entries(ctx: Context) -> list[RegistryEntry]:
    registries = ctx.inventory.of_kind("azure.acr.registry")
    entries = {r.address: RegistryEntry(_label(r, "ACR registry"), r.address) for r in registries}
    wide: dict[str, RegistryEntry] = {}
    for registry in registries:
        entry = entries[registry.address]
        if registry.props.get("admin_enabled") is True:
            entry.accesses.extend(Access(c, "admin user (shared password)", None, "admin_enabled = true")
                                  for c in ("pull", "push", "administer"))
        if registry.props.get("anonymous_pull_enabled") is True:
            entry.accesses.append(Access("pull", "anyone (anonymous pull)", None, "anonymous_pull_enabled = true"))
    for grant in azure_grants(ctx):
        scope = grant.scope
        if scope is not None and not scope.kind.contains_registries:
            continue
        if grant.role is None:
            continue  # the role is unknown: REG rules report it; nothing definite to draw
        caps = sorted({_OF_CAPABILITY[c] for c in grant.role.capabilities if c in _OF_CAPABILITY},
                      key=CAPABILITIES.index)
        if not caps:
            continue
        holder = _who(grant.identity) if grant.identity is not None else \
            f"principal {_text(grant.assignment.props.get('principal_id'))}"
        address = grant.identity.address if grant.identity is not None else None
        through = f"{grant.role.label} ({grant.assignment.address})"
        if scope is None:
            targets = list(entries.values())
            certain, reason = False, grant.unknown.reason if grant.unknown is not None else "scope not known"
        elif scope.kind is ScopeKind.REGISTRY:
            target = entries.get(scope.registry.address) if scope.registry is not None else None
            if target is None:
                target = wide.setdefault(scope.text, RegistryEntry(f"ACR registry {scope.text}", scope.text))
            targets, certain, reason = [target], True, ""
        else:
            through += f" on {scope.kind} {scope.text}"
            targets = list(entries.values()) or [wide.setdefault(scope.text, RegistryEntry(
                f"ACR registries in {scope.kind} {scope.text}", scope.text))]
            certain, reason = True, ""
        for target in targets:
            target.accesses.extend(Access(c, holder, address, through, (), certain, reason) for c in caps)
    return list(entries.values()) + list(wide.values())


def build(inventory: Inventory, config: Config | None = None, title: str = "") -> AccessMap:
    """The access map of one stack or root module."""
    config = config or Config()
    ctx = Context(inventory, config)
    idents = identities(ctx)
    entries = _aws_entries(ctx, [i for i in idents if i.is_aws]) + _azure_entries(ctx)
    stores = store_entries(ctx)
    issuers = CI_OIDC_ISSUERS + tuple(config.oidc_issuers)
    used = {a.holder_address for e in [*entries, *stores] for a in e.accesses if a.holder_address}
    trusts: dict[str, list[Trust]] = {}
    for t in ci_trusts(ctx):
        if t.identity is not None:
            trusts.setdefault(t.identity.address, []).append(t)
    holders = [Holder(_who(i), i.address, _subjects(i, inventory, issuers, trusts.get(i.address, [])),
                      _classification(i)) for i in idents if i.address in used]
    for entry in entries:
        entry.accesses.sort(key=lambda a: (CAPABILITIES.index(a.capability), a.holder, a.through))
    return AccessMap(entries, holders, title, stores)


# --------------------------------------------------------------------------------------------------
# rendering


def _grouped(entry: RegistryEntry | StoreEntry,
             order: tuple[str, ...] = CAPABILITIES) -> list[tuple[str, list[str], list[str], bool, list[str]]]:
    """(holder, capabilities, through, certain, reasons) per holder of one registry or store."""
    rows: dict[str, tuple[list[str], list[str], list[bool], list[str]]] = {}
    for a in entry.accesses:
        caps, through, certain, reasons = rows.setdefault(a.holder, ([], [], [], []))
        if a.capability not in caps:
            caps.append(a.capability)
        if a.through not in through:
            through.append(a.through)
        certain.append(a.certain)
        if a.reason and a.reason not in reasons:
            reasons.append(a.reason)
    return [(holder, sorted(caps, key=order.index), through, all(certain), reasons)
            for holder, (caps, through, certain, reasons) in rows.items()]


def render_text(maps: Iterable[AccessMap]) -> str:
    out: list[str] = []
    for access_map in maps:
        if access_map.title:
            out.append(f"== {access_map.title}")
        if not access_map.registries and not access_map.stores:
            out.append("No container registry, artifact store or access to one found.\n")
            continue
        reach = {h.label: h.reached_by for h in access_map.holders}
        if access_map.registries:
            out.extend(_table("REGISTRY", access_map.registries, reach, CAPABILITIES))
        if access_map.stores:
            out.extend([""] if access_map.registries else [])
            out.extend(_table("ARTIFACT STORE", access_map.stores, reach, STORE_CAPABILITIES))
            out.extend(_networks(access_map.stores))
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _networks(stores: list[StoreEntry]) -> list[str]:
    lines = ["", "ARTIFACT STORE NETWORKS"]
    for store in stores:
        lines.append(f"{store.label}: {'; '.join(store.networks)}")
    return lines


def _table(title: str, entries: Iterable[RegistryEntry | StoreEntry], reach: dict[str, list[str]],
           order: tuple[str, ...]) -> list[str]:
    """One aligned table: entry, identity, capabilities, through, reached by."""
    rows = [(title, "IDENTITY", "CAN", "THROUGH", "REACHED BY")]
    for entry in entries:
        grouped = _grouped(entry, order)
        if not grouped:
            rows.append((entry.label, "(nobody declared here)", "-", "-", "-"))
        for i, (holder, caps, through, certain, reasons) in enumerate(grouped):
            can = ", ".join(caps) + ("" if certain else " (maybe)")
            note = f" [{'; '.join(reasons)}]" if reasons else ""
            rows.append((entry.label if i == 0 else "", holder, can, "; ".join(through) + note,
                         "; ".join(reach.get(holder, [])) or "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[-1] for row in rows]


def render_json(maps: Iterable[AccessMap]) -> str:
    return json.dumps([m.as_dict() for m in maps], indent=2) + "\n"


def _quote(text: str) -> str:
    """Mermaid label text: quotes and markup characters as entity codes."""
    return re.sub(r'["<>#]', lambda m: {'"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;"}[m.group(0)], text)


def render_mermaid(maps: Iterable[AccessMap]) -> str:
    """A left-to-right flowchart: who reaches an identity -> identity -> registry or artifact store, edges
    labelled by capability; the networks an artifact store accepts traffic from point at it."""
    lines = ["flowchart LR"]
    ids: dict[str, str] = {}

    def node(key: str, prefix: str) -> str:
        if key not in ids:
            ids[key] = f"{prefix}{len(ids) + 1}"
        return ids[key]

    for access_map in maps:
        reach = {h.label: h.reached_by for h in access_map.holders}
        kinds = {h.label: h.roles for h in access_map.holders}
        sources: set[tuple[str, str]] = set()
        targets = [(e, "registry", CAPABILITIES) for e in access_map.registries]
        targets += [(e, "store", STORE_CAPABILITIES) for e in access_map.stores]
        for entry, what, order in targets:
            reg = node(f"{what}:{access_map.title}:{entry.address}", "r" if what == "registry" else "t")
            lines.append(f'  {reg}[("{_quote(entry.label)}")]:::{what}')
            for network in getattr(entry, "networks", ()):
                net = node(f"network:{network}", "n")
                lines.append(f'  {net}{{{{"{_quote(network)}"}}}}:::network')
                lines.append(f"  {net} -.->|traffic| {reg}")
            for holder, caps, _, certain, _ in _grouped(entry, order):
                who = node(f"holder:{access_map.title}:{holder}", "i")
                tag = f" ({', '.join(kinds[holder])})" if kinds.get(holder) else ""
                lines.append(f'  {who}["{_quote(holder + tag)}"]:::identity')
                arrow = "-->" if certain else "-.->"
                label = ", ".join(caps) + ("" if certain else "?")
                css = "admin" if "administer" in caps else ("push" if {"push", "write"} & set(caps) else "")
                lines.append(f'  {who} {arrow}|"{_quote(label)}"| {reg}')
                if css:
                    lines.append(f"  class {who} {css}")
                for subject in reach.get(holder, []):
                    src = node(f"subject:{subject}", "s")
                    if (src, who) not in sources:
                        sources.add((src, who))
                        lines.append(f'  {src}(["{_quote(subject)}"]):::subject')
                        lines.append(f"  {src} -->|assumes| {who}")
    lines += [
        "  classDef registry fill:#e8f0fe,stroke:#1a73e8",
        "  classDef identity fill:#fff,stroke:#555",
        "  classDef subject fill:#f1f3f4,stroke:#9aa0a6",
        "  classDef push stroke:#e37400,stroke-width:2px",
        "  classDef admin stroke:#d93025,stroke-width:3px",
    ]
    if any(m.stores for m in maps):
        lines += ["  classDef store fill:#e6f4ea,stroke:#188038", "  classDef network fill:#fef7e0,stroke:#f9ab00"]
    # a node declared twice keeps one line per statement; drop exact duplicates for readability
    return "\n".join(dict.fromkeys(lines)) + "\n"


def render(maps: AccessMap | Iterable[AccessMap], fmt: str = "text") -> str:
    items = [maps] if isinstance(maps, AccessMap) else list(maps)
    if fmt == "json":
        return render_json(items)
    if fmt == "mermaid":
        return render_mermaid(items)
    if fmt == "text":
        return render_text(items)
    raise ValueError(f"unknown access map format {fmt!r} (one of {', '.join(FORMATS)})")


__all__ = ["Access", "AccessMap", "Holder", "RegistryEntry", "FORMATS", "build", "render", "render_text",
           "render_json", "render_mermaid"]
