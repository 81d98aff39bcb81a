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
    suppressions: list["InlineSuppression"] = field(default_factory=list)  # from source comments

    def get(self, key: str, default: Any = None) -> Any:
        return self.props.get(key, default)

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
            if isinstance(ident, (str, Ref)):
                self._by_ident.setdefault(ident, []).append(resource)

    def of_kind(self, *kinds: str) -> list[Resource]:
        return [r for r in self.resources if r.kind in kinds]

    def by_address(self, address: str) -> Resource | None:
        return self._by_address.get(address)

    def resolve(self, value: Any, kinds: Iterable[str] | None = None) -> Resource | None:
        """The resource a reference points at: a Ref by address, or a name/arn/id by value."""
        wanted = set(kinds) if kinds is not None else None
        candidates: list[Resource] = []
        if isinstance(value, Ref):
            hit = self._by_address.get(value.address)
            candidates = [hit] if hit else []
        elif isinstance(value, str):
            candidates = self._by_ident.get(value, [])
        for candidate in candidates:
            if wanted is None or candidate.kind in wanted:
                return candidate
        return None


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
