"""Helpers shared by the Terraform scanner tests."""

from __future__ import annotations

from pathlib import Path

import hcl_scanner

FIXTURES = Path(__file__).parent / "fixtures"


def scan_text(tmp_path: Path, text: str, **kwargs) -> tuple[dict, hcl_scanner.ScanResult]:
    """Write `text` as main.tf in a fresh root module and scan it; -> (address -> attrs, result)."""
    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    (root / "main.tf").write_text(text)
    result = hcl_scanner.scan([str(root)], **kwargs)
    evaluated = [e for items in result.evaluated.values() for e in items]
    return {e.address: e.attrs for e in evaluated}, result


def evaluated(result: hcl_scanner.ScanResult) -> dict:
    return {e.address: e for items in result.evaluated.values() for e in items}
