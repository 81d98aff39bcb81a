"""Findings: what a rule decided about one resource, after enforcement and suppressions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return {"critical": 4, "high": 3, "medium": 2, "low": 1}[self.value]

    @property
    def default_enforcement(self) -> "Enforcement":
        return Enforcement.MANDATORY if self.rank >= 3 else Enforcement.ADVISORY


class Enforcement(str, Enum):
    MANDATORY = "mandatory"
    ADVISORY = "advisory"
    DISABLED = "disabled"


class Status(str, Enum):
    FAILED = "failed"
    UNKNOWN = "unknown"
    SUPPRESSED = "suppressed"


@dataclass(frozen=True, slots=True)
class Suppression:
    reason: str
    source: str  # "inline" | "config"
    expires: str | None = None


@dataclass(slots=True)
class Finding:
    rule_id: str
    severity: Severity
    enforcement: Enforcement
    status: Status
    resource: str
    engine: str
    file: str | None
    line: int | None
    message: str
    remediation: str = ""
    title: str = ""
    end_line: int | None = None
    urn: str | None = None
    called_from: str | None = None  # "file:line" of the module call, when inside a module
    roots: tuple[str, ...] = ()  # the root modules that reach it, when more than one does (rulebook/roots.py)
    suppression: Suppression | None = None

    @property
    def blocks(self) -> bool:
        """True when this finding alone makes the gate fail (before --strict is considered)."""
        return self.blocks_run(strict=False)

    def blocks_run(self, strict: bool = False) -> bool:
        """The one place that decides whether a finding fails the run: a failure under a mandatory rule,
        and with --strict an UNKNOWN result under a mandatory rule too."""
        if self.enforcement is not Enforcement.MANDATORY:
            return False
        return self.status is Status.FAILED or (strict and self.status is Status.UNKNOWN)

    def sort_key(self) -> tuple:
        return (self.file or self.urn or "", self.line or 0, self.rule_id, self.resource)

    def to_public_dict(self) -> dict:
        """The public JSON contract: keep these keys stable."""
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "enforcement": self.enforcement.value,
            "status": self.status.value,
            "resource": self.resource,
            "engine": self.engine,
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "remediation": self.remediation,
            "suppression": asdict(self.suppression) if self.suppression else None,
        }


@dataclass(slots=True)
class Report:
    """Everything one run produced: findings and input errors."""

    findings: list[Finding] = field(default_factory=list)
    errors: list = field(default_factory=list)  # list[InputError]
    scanned: list[str] = field(default_factory=list)  # files / programs that were read
    rules_run: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was not scanned (remote modules, ...): never silent

    def exit_code(self, strict: bool = False) -> int:
        """0 clean, 1 a mandatory failure, 2 input or config could not be evaluated (fail closed)."""
        if self.errors:
            return 2
        return 1 if any(finding.blocks_run(strict) for finding in self.findings) else 0
