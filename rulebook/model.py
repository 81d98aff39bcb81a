"""The engine-neutral model every adapter produces and every rule reads.

A Resource carries an engine-neutral `kind` (see kinds.py) and `props` whose keys that kind
documents. Values are plain Python data, PolicyDocument, Ref (a symbolic pointer to another
resource's attribute, kept when the concrete value is computed later) or Unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from .unknown import Unknown


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where a resource is declared: a file and line range (Terraform) or a URN (Pulumi)."""

    file: str | None = None
    line: int | None = None
    end_line: int | None = None
    urn: str | None = None
    called_from: "SourceLocation | None" = None  # the module call that instantiated it, if any

    def __str__(self) -> str:
        if self.file:
            return f"{self.file}:{self.line}" if self.line else self.file
        return self.urn or "<unknown location>"


@dataclass(frozen=True, slots=True)
class Ref:
    """A symbolic value: attribute `attribute` of the resource at `address` (e.g. a role's arn).

    Terraform adapters produce it for computed attributes so that links survive plan-time unknowns.
    """

    address: str
    attribute: str

    def __str__(self) -> str:
        return f"{self.address}.{self.attribute}"


class Linked(str):
    """A known string the engine says comes from attributes of `targets` (resource addresses).

    `role = aws_iam_role.ci.name` in a module is "ci-role" in a plan, like every other role of that
    name; the engine knows which one it is (HCL references, a plan's configuration references, Pulumi
    property dependencies). Adapters keep that link so lookups follow it instead of the name. It is a
    str everywhere else (comparisons, messages, policy matching).
    """

    targets: tuple[str, ...]

    def __new__(cls, value: str, targets: tuple[str, ...]) -> "Linked":
        self = super().__new__(cls, value)
        self.targets = tuple(dict.fromkeys(targets))
        return self

    def __reduce__(self) -> tuple:
        return (Linked, (str(self), self.targets))


@dataclass(slots=True)
class Resource:
    """One resource (or data source) of a stack or module, translated into the neutral model."""

    kind: str
    address: str
    engine: str  # "terraform" | "terraform-plan" | "pulumi"
    props: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, Any] | Unknown = field(default_factory=dict)
    location: SourceLocation = field(default_factory=SourceLocation)
    native_type: str = ""  # e.g. aws_iam_role or aws:iam/role:Role; for messages only, never for policy
    values: list[tuple[str, Any]] = field(default_factory=list)  # every literal leaf (path, value), for secret scans
    notes: list[str] = field(default_factory=list)  # adapter remarks shown with findings (e.g. module not scanned)
    # attribute paths (spelled as in `values`) whose value the engine marks sensitive; the values stay
    # readable for rules, their text is in Inventory.sensitive_values for the reporters to redact
    sensitive_paths: frozenset[str] = frozenset()
    suppressions: list["InlineSuppression"] = field(default_factory=list)  # from source comments

    def get(self, key: str, default: Any = None) -> Any:
        return self.props.get(key, default)

    def label(self) -> str:
        """How messages name the resource: its name when set and known, else its address (never empty)."""
        name = self.props.get("name")
        return str(name) if isinstance(name, str) and name.strip() else self.address

    def identifiers(self) -> Iterator[Any]:
        """Values another resource may use to point at this one: its address, name, arn, id."""
        for key in ("name", "arn", "id", "principal_id", "bucket", "unique_id"):
            value = self.props.get(key)
            if value is not None and not isinstance(value, Unknown):
                yield value


@dataclass(slots=True)
class Inventory:
    """All resources of one stack or module tree, with lookups used to resolve relationships."""

    resources: list[Resource] = field(default_factory=list)
    errors: list["InputError"] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the adapter could only partly read: reported, never silent
    # every string the engine marks sensitive (Terraform `sensitive = true` variables and outputs, sensitive(),
    # values derived from them): no output may print one; reporters replace each occurrence by <redacted>
    sensitive_values: set[str] = field(default_factory=set)
    _by_address: dict[str, Resource] = field(default_factory=dict, repr=False)
    _by_ident: dict[Any, list[Resource]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        resources, self.resources = self.resources, []
        for resource in resources:
            self.add(resource)

    def add(self, resource: Resource) -> None:
        self.resources.append(resource)
        self._by_address[resource.address] = resource
        for ident in resource.identifiers():
            if isinstance(ident, str):
                found = self._by_ident.setdefault(str(ident), [])
                if not found or found[-1] is not resource:  # one add() appends a resource consecutively
                    found.append(resource)

    def of_kind(self, *kinds: str) -> list[Resource]:
        return [r for r in self.resources if r.kind in kinds]

    def by_address(self, address: str) -> Resource | None:
        return self._by_address.get(address)

    def resolve(self, value: Any, kinds: Iterable[str] | None = None) -> "Resource | Unknown | None":
        """The resource a reference points at, following what the engine says refers to what.

        A Ref or a Linked value goes to the resources it names; a bare name/arn/id only when exactly
        one resource of the wanted kinds has it. Ambiguous: Unknown naming the candidates. Nothing: None.
        """
        candidates = self.candidates(value, kinds)
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            return None
        shown = ", ".join(c.address for c in candidates[:5]) + (", ..." if len(candidates) > 5 else "")
        return Unknown(f"{value!s} may be any of {len(candidates)} resources ({shown}); "
                       "the configuration does not say which")

    def candidates(self, value: Any, kinds: Iterable[str] | None = None) -> list[Resource]:
        """Every resource of the wanted kinds a reference may designate (one when it is decided)."""
        wanted = set(kinds) if kinds is not None else None

        def fits(resource: Resource | None) -> bool:
            return resource is not None and (wanted is None or resource.kind in wanted)

        if isinstance(value, Ref):
            hit = self._by_address.get(value.address)
            return [hit] if fits(hit) else []
        if isinstance(value, Linked):
            known = [r for r in (self._by_address.get(a) for a in value.targets) if r is not None]
            linked = [r for r in known if fits(r)]
            if len(linked) > 1:  # several references in one argument: the one that has this value
                named = [r for r in linked if str(value) in r.identifiers()]
                linked = named or linked
            if known:  # the engine names modelled resources: trust it over any same-named one
                return linked
        if isinstance(value, str):
            return [r for r in self._by_ident.get(str(value), []) if fits(r)]
        return []


@dataclass(frozen=True, slots=True)
class InlineSuppression:
    """`# cicd-guard:ignore=RULE[,RULE] reason="..." expires=YYYY-MM-DD` found on or above a block."""

    rules: tuple[str, ...]
    reason: str
    expires: str | None = None  # ISO date
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class InputError:
    """Input that could not be read or evaluated; always reported, always makes the exit code 2."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"
