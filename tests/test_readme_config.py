"""The README's configuration table documents every key and names the rules that read it."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_NESTED_DOCUMENTED_WHOLE = {"artifact_buckets", "suppressions"}


def _rows() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| key | what | read by |"):]
    rows: dict[str, str] = {}
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        keys, _, read_by = [c.strip() for c in line.strip("|").split("|")]
        for key in re.findall(r"`([a-z_.]+)`", keys):
            rows[key] = read_by
    return rows


def _schema_keys() -> list[str]:
    schema = json.loads((ROOT / "rulebook/schemas/config.schema.json").read_text(encoding="utf-8"))
    out = []
    for key, spec in schema["properties"].items():
        nested = spec.get("properties") if isinstance(spec, dict) else None
        if nested and key not in _NESTED_DOCUMENTED_WHOLE:
            out += [f"{key}.{sub}" for sub in nested]
        else:
            out.append(key)
    return out


def test_every_config_key_is_documented_with_its_readers():
    rows = _rows()
    assert [k for k in _schema_keys() if k not in rows] == []
    for key, read_by in rows.items():
        assert re.search(r"\b(REG|BKT|IDF|SEC|NET)-\d{3}\b|every rule|no rule yet", read_by), key
