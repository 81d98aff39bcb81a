"""What a rule is: metadata beside its check, in the style of trivy-checks and CrossGuard policies.

A resource-scope rule looks at one resource of the kinds it names (the Pulumi pack runs these as
resource policies, before the resource exists); an inventory-scope rule needs relationships across
the stack (effective permissions, which block belongs to which bucket) and runs as a stack policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from ..compliance import PRACTICES, controls_for
from ..findings import Severity
from ..model import Inventory, Resource
from ..unknown import Unknown

ENGINES = ("terraform", "pulumi")
CLOUDS = ("aws", "azure")
_TITLES = {"aws": "AWS", "azure": "Azure", "terraform": "Terraform", "pulumi": "Pulumi"}


def cloud_of(kind: str) -> str:
    """The cloud a resource kind belongs to (`azure.acr.registry` -> azure), or "" for none."""
    cloud = kind.partition(".")[0]
    return cloud if cloud in CLOUDS else ""


def engine_of(engine: str) -> str:
    """The engine family of a resource's engine (`terraform-plan` -> terraform)."""
    family = engine.partition("-")[0]
    return family if family in ENGINES else ""


@dataclass(frozen=True, slots=True)
class Fix:
    """Remediation for one cloud, one engine, or both: shown first for a finding there."""

    text: str
    cloud: str = ""  # "" = every cloud
    engine: str = ""  # "" = every engine

    @property
    def label(self) -> str:
        """`AWS`, `Pulumi`, `Azure (Pulumi)`."""
        if self.cloud and self.engine:
            return f"{_TITLES[self.cloud]} ({_TITLES[self.engine]})"
        return _TITLES[self.cloud or self.engine]

    def rank(self, cloud: str, engine: str) -> int:
        """0-2: written for this finding's cloud and engine, its cloud, its engine; 3: for another."""
        if (self.cloud and self.cloud != cloud) or (self.engine and self.engine != engine):
            return 3
        return 0 if self.cloud and self.engine else 1 if self.cloud else 2


def parse_fixes(rule_id: str, fixes: dict[str, str] | None) -> tuple[Fix, ...]:
    """`{"aws": ..., "azure": ..., "pulumi": ..., "azure/pulumi": ...}` -> Fix objects, keys checked."""
    out = []
    for key, text in (fixes or {}).items():
        cloud, _, engine = key.partition("/") if "/" in key else ((key, "", "") if key in CLOUDS else ("", "", key))
        if ("/" in key and not (cloud and engine)) or (cloud and cloud not in CLOUDS) or \
                (engine and engine not in ENGINES) or not text.strip():
            raise ValueError(f"{rule_id}: fix {key!r} needs a text and a cloud {CLOUDS}, an engine {ENGINES} "
                             "or cloud/engine")
        out.append(Fix(text.strip(), cloud, engine))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Example:
    """A failing or passing snippet, per engine; tests run every one through its adapter."""

    engine: str  # "terraform" | "pulumi"
    passing: bool
    code: str
    resource: str = ""  # the address / logical name the failing example is expected to flag


@dataclass(frozen=True, slots=True)
class Result:
    """One decision of a check: the resource failed, or could not be decided (UNKNOWN)."""

    resource: Resource
    message: str
    unknown: bool = False
    severity: Severity | None = None  # override for rules with two severities (e.g. REG-002)

    @classmethod
    def fail(cls, resource: Resource, message: str, severity: Severity | None = None) -> "Result":
        return cls(resource, message, False, severity)

    @classmethod
    def undecided(cls, resource: Resource, unknown: Unknown | str, what: str = "") -> "Result":
        reason = unknown.reason if isinstance(unknown, Unknown) else unknown
        return cls(resource, f"cannot decide{(' ' + what) if what else ''}: {reason}", True)


class Context:
    """What a check sees: the inventory, the settings, and derived data computed once per run."""

    def __init__(self, inventory: Inventory, config: Any) -> None:
        self.inventory = inventory
        self.config = config
        self._derived: dict[str, Any] = {}

    def derived(self, key: str, compute: Callable[["Context"], Any]) -> Any:
        if key not in self._derived:
            self._derived[key] = compute(self)
        return self._derived[key]


ResourceCheck = Callable[[Resource, Context], Iterable[Result]]
InventoryCheck = Callable[[Context], Iterable[Result]]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    practice: str
    rationale: str
    remediation: str
    check: Callable[..., Iterable[Result]]
    scope: str  # "resource" | "inventory"
    kinds: tuple[str, ...] = ()  # resource scope: kinds checked; inventory scope: kinds it reads
    examples: tuple[Example, ...] = ()
    compliance_extra: dict[str, tuple[str, ...]] = field(default_factory=dict)
    engine_notes: dict[str, str] = field(default_factory=dict)  # engine -> why it cannot see something
    severities: tuple[Severity, ...] = ()  # every severity the rule may report (default: its own)
    fixes: tuple[Fix, ...] = ()  # remediation per cloud / engine, besides `remediation` (for every one)

    def remediation_for(self, cloud: str = "", engine: str = "") -> str:
        """The remediation as a finding on `cloud` and `engine` shows it: the fixes written for them
        first, then the text for every cloud, then the other clouds' and engines' fixes, each labelled.
        Without a cloud or engine (docs, the rule's help) the fixes keep their declared order."""
        ranked = sorted((f.rank(cloud, engine), i, f) for i, f in enumerate(self.fixes))  # i unique: f never compared
        paragraphs = [f"{f.label}: {f.text}" for rank, _, f in ranked if rank < 3]
        paragraphs += [self.remediation] if self.remediation else []
        paragraphs += [f"{f.label}: {f.text}" for rank, _, f in ranked if rank >= 3]
        return "\n\n".join(paragraphs)

    @property
    def compliance(self) -> dict[str, tuple[str, ...]]:
        return controls_for(self.practice, self.compliance_extra)

    @property
    def slug(self) -> str:
        """Policy name in the Pulumi pack: rule ID in lower case plus the title words."""
        words = "".join(c if c.isalnum() else " " for c in self.title.lower()).split()
        return f"{self.id.lower()}-{'-'.join(words)}"

    def run(self, ctx: Context, resources: Iterable[Resource] | None = None) -> Iterator[Result]:
        if self.scope == "resource":
            pool = resources if resources is not None else ctx.inventory.resources
            for resource in pool:
                if resource.kind in self.kinds:
                    yield from self.check(resource, ctx)
        else:
            yield from self.check(ctx)


def remediation_markdown(rule: Rule) -> str:
    """The remediation for docs and help: the text for every cloud, then each fix under its label in bold."""
    parts = [rule.remediation] if rule.remediation else []
    parts += [f"**{fix.label}**: {fix.text}" for fix in rule.fixes]
    return "\n\n".join(parts)


REGISTRY: dict[str, Rule] = {}


def rule(*, id: str, title: str, severity: Severity, practice: str, rationale: str, remediation: str,
         scope: str = "resource", kinds: Iterable[str] = (), examples: Iterable[Example] = (),
         compliance: dict[str, tuple[str, ...]] | None = None, engine_notes: dict[str, str] | None = None,
         severities: Iterable[Severity] = (), fixes: dict[str, str] | None = None) -> Callable[[Callable], Rule]:
    """Register the decorated check function as a rule with its metadata. `remediation` holds what applies
    everywhere; `fixes` what applies to one cloud or engine (`"aws"`, `"azure"`, `"pulumi"`,
    `"azure/pulumi"`), shown first for a finding there."""
    parsed = parse_fixes(id, fixes)
    if not remediation.strip() and not parsed:
        raise ValueError(f"{id}: a rule needs a remediation")
    if practice not in PRACTICES:
        raise ValueError(f"{id}: unknown practice area {practice}")
    if scope not in ("resource", "inventory"):
        raise ValueError(f"{id}: scope must be 'resource' or 'inventory'")

    def register(check: Callable) -> Rule:
        if id in REGISTRY:
            raise ValueError(f"rule {id} registered twice")
        built = Rule(id=id, title=title, severity=severity, practice=practice, rationale=rationale.strip(),
                     remediation=remediation.strip(), check=check, scope=scope, kinds=tuple(kinds),
                     examples=tuple(examples), compliance_extra=dict(compliance or {}),
                     engine_notes=dict(engine_notes or {}), severities=tuple(severities) or (severity,),
                     fixes=parsed)
        REGISTRY[id] = built
        return built

    return register
