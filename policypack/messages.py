"""The text of a violation, shared by the pack (which writes it) and the preview gate (which reads it).

Pulumi diagnostics carry one enforcement level per policy and a free-text message; the rule ID,
the finding's severity and whether it is UNKNOWN travel in the message, readable by people too:

    IDF-001 [critical] a long-lived access key is created for ci-bot; use OIDC federation instead
    IDF-003 [critical, unknown] cannot decide the subject: ... <urn:pulumi:dev::app::aws:iam/role:Role::ci>

The trailing <urn> appears only on the lines of the preview "can't run" diagnostic, which has no URN.
A violation reported to the engine adds a second line, `fix: ...`: the first paragraph of the rule's
remediation for the resource's cloud (an Azure resource gets the Azure fix), which `decode_all` skips.

That text is for people and the Pulumi CLI. `cicd-guard gate`, which plays the engine, does not parse it
back: it names a file in RESULTS_ENV and the pack appends each reported line there as a JSON record
(`record`), so the gate reads rule, severity, status, message and resource as the pack decided them.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import asdict, dataclass

_LINE = re.compile(r"^(?P<rule>[A-Z]{3}-[0-9]{3}) \[(?P<severity>critical|high|medium|low)(?P<unknown>, unknown)?\] "
                   r"(?P<message>.*?)(?: <(?P<urn>urn:pulumi:[^<>]*)>)?$", re.S)


@dataclass(frozen=True, slots=True)
class Line:
    rule_id: str
    severity: str
    message: str
    unknown: bool = False
    urn: str | None = None


def encode(line: Line) -> str:
    text = f"{line.rule_id} [{line.severity}{', unknown' if line.unknown else ''}] {line.message}"
    return f"{text} <{line.urn}>" if line.urn else text


def with_fix(text: str, remediation: str) -> str:
    """The violation text with the finding's first fix paragraph on a line of its own."""
    fix = " ".join(remediation.strip().split("\n\n")[0].split()) if remediation else ""
    return f"{text}\nfix: {fix}" if fix else text


def decode(text: str) -> Line | None:
    match = _LINE.match(text.strip())
    if match is None:
        return None
    return Line(match["rule"], match["severity"], match["message"], bool(match["unknown"]), match["urn"])


def decode_all(text: str) -> list[Line]:
    """Every encoded line of a diagnostic message (the description line and others are skipped)."""
    return [line for line in (decode(part) for part in text.splitlines()) if line is not None]


RESULTS_ENV = "CICD_GUARD_RESULTS_FILE"
_WRITE = threading.Lock()


def record(policy: str, line: Line, resource_urn: str | None, remediation: str = "") -> None:
    """Append the structured form of a reported line for the gate (only when the gate asked for it).
    `resource_urn`: the resource analyzed (resource policies), or None (the line's own URN counts);
    `remediation`: the finding's, ordered for its cloud."""
    path = os.environ.get(RESULTS_ENV)
    if not path:
        return
    data = {"policy": policy, **asdict(line), "resource_urn": resource_urn, "remediation": remediation}
    with _WRITE, open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(data) + "\n")


def read_records(path: str, offset: int = 0) -> tuple[list[dict], int]:
    """The records appended since `offset`, and the new offset."""
    with open(path, encoding="utf-8") as source:
        source.seek(offset)
        text = source.read()
        return [json.loads(row) for row in text.splitlines() if row.strip()], source.tell()
