"""Practice areas of the hardening guide and the compliance controls each one implements.

A rule names its practice area; its compliance references are the area's, plus any the rule adds.
"""

from __future__ import annotations

from dataclasses import dataclass

FRAMEWORKS = {
    "nist_csf_2": "NIST CSF 2.0",
    "cis_v8": "CIS Controls v8",
    "iso27001_2022": "ISO/IEC 27001:2022 Annex A",
    "iso27001_2013": "ISO/IEC 27001:2013 Annex A",
}


@dataclass(frozen=True, slots=True)
class Practice:
    id: str
    title: str
    controls: dict[str, tuple[str, ...]]  # framework key -> control ids


PRACTICES: dict[str, Practice] = {p.id: p for p in [
    Practice("P1", "Audit and inventory secrets", {
        "nist_csf_2": ("PR.AA-01", "PR.DS-01"), "cis_v8": ("3.11", "16.1"),
        "iso27001_2022": ("5.17", "8.12"), "iso27001_2013": ("A.9.2.4", "A.9.4.3")}),
    Practice("P2", "Scope container-registry access to the minimum", {
        "nist_csf_2": ("PR.AA-05",), "cis_v8": ("6.8", "3.3"),
        "iso27001_2022": ("5.15", "5.18", "8.3"), "iso27001_2013": ("A.9.1.2", "A.9.4.1")}),
    Practice("P3", "No resource-listing permission for automation", {
        "nist_csf_2": ("PR.AA-05",), "cis_v8": ("6.8",),
        "iso27001_2022": ("5.15", "8.3"), "iso27001_2013": ("A.9.4.1",)}),
    Practice("P4", "Push only from the deploy stage", {
        "nist_csf_2": ("PR.AA-05", "PR.PS-06"), "cis_v8": ("6.8", "16.1"),
        "iso27001_2022": ("8.2", "8.31", "8.32"), "iso27001_2013": ("A.9.2.3", "A.14.2.6")}),
    Practice("P5", "Network isolation of critical assets", {
        "nist_csf_2": ("PR.IR-01",), "cis_v8": ("12.2", "13.4"),
        "iso27001_2022": ("8.20", "8.22"), "iso27001_2013": ("A.9.1.2", "A.14.1.2")}),
    Practice("P6", "Identity federation over long-lived keys", {
        "nist_csf_2": ("PR.AA-01", "PR.AA-03"), "cis_v8": ("6.7", "6.1"),
        "iso27001_2022": ("5.16", "5.17", "8.5"), "iso27001_2013": ("A.9.2.4", "A.9.4.2")}),
    Practice("P7", "Central secret management", {
        "nist_csf_2": ("PR.AA-01", "PR.DS-01"), "cis_v8": ("3.11", "16.7"),
        "iso27001_2022": ("5.17", "8.24"), "iso27001_2013": ("A.9.2.4", "A.9.4.3")}),
    Practice("P8", "Hardened defaults on artifact storage", {
        "nist_csf_2": ("PR.PS-01", "PR.DS-01"), "cis_v8": ("3.3", "4.1"),
        "iso27001_2022": ("8.9", "8.3"), "iso27001_2013": ("A.9.4.1", "A.14.2.5")}),
]}


def controls_for(practice: str, extra: dict[str, tuple[str, ...]] | None = None) -> dict[str, tuple[str, ...]]:
    """The practice area's controls merged with a rule's own additions, de-duplicated, in order."""
    merged = {k: list(v) for k, v in PRACTICES[practice].controls.items()}
    for framework, ids in (extra or {}).items():
        bucket = merged.setdefault(framework, [])
        bucket.extend(i for i in ids if i not in bucket)
    return {k: tuple(v) for k, v in merged.items()}
