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


REGISTRY: dict[str, Rule] = {}


def rule(*, id: str, title: str, severity: Severity, practice: str, rationale: str, remediation: str,
         scope: str = "resource", kinds: Iterable[str] = (), examples: Iterable[Example] = (),
         compliance: dict[str, tuple[str, ...]] | None = None, engine_notes: dict[str, str] | None = None,
         severities: Iterable[Severity] = ()) -> Callable[[Callable], Rule]:
    """Register the decorated check function as a rule with its metadata."""
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
                     engine_notes=dict(engine_notes or {}), severities=tuple(severities) or (severity,))
        REGISTRY[id] = built
        return built

    return register
