"""Every finding a rule test produces is compared with the test's golden record (tests/golden/), so a
changed message, reason or status fails the test that produced it, not only a changed rule ID.

Messages are product output (the same text must come from Terraform and Pulumi), and most UNKNOWN
reasons are never asserted one by one: without this record, a wrong or empty reason passes.
After an intended change of wording: `make golden` (rewrites the records; review the diff).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from rulebook import engine

GOLDEN = Path(__file__).parent / "golden"
ROOT = str(Path(__file__).resolve().parents[1])
UPDATE = os.environ.get("CICD_GUARD_UPDATE_GOLDEN") == "1"
# the temporary folder of a test and the checkout's own path differ between runs and machines
VOLATILE = (re.compile(r"/[^\s'\"]*/pytest-of-[^/]+/pytest-\d+/[^/\s'\"]+"), re.compile(re.escape(ROOT)))


def _stable(text: str) -> str:
    text = VOLATILE[0].sub("<tmp>", text)
    return VOLATILE[1].sub("<repo>", text)


def _record_file(node: pytest.Item) -> Path:
    return GOLDEN / (Path(node.fspath).stem + ".json")


_CACHE: dict[Path, dict[str, list]] = {}


def _load(path: Path) -> dict[str, list]:
    if UPDATE or path not in _CACHE:
        _CACHE[path] = json.loads(path.read_text("utf-8")) if path.exists() else {}
    return _CACHE[path]


@pytest.fixture(autouse=True)
def _golden_findings(request, monkeypatch):
    if "fuzz" in Path(request.node.fspath).parts:  # generated inputs: the properties are the assertions
        yield
        return
    seen: list[list[str]] = []
    original = engine.rule_findings

    def recording(*args, **kwargs):
        found = original(*args, **kwargs)
        seen.extend([f.rule_id, f.status.value, _stable(f.resource), _stable(f.message)] for f in found)
        return found

    monkeypatch.setattr(engine, "rule_findings", recording)
    yield
    path, key = _record_file(request.node), request.node.nodeid.split("::", 1)[1]
    records = _load(path)
    if UPDATE:
        if seen:
            records[key] = seen
        else:
            records.pop(key, None)
        if records:
            GOLDEN.mkdir(exist_ok=True)
            path.write_text(json.dumps(dict(sorted(records.items())), indent=1, ensure_ascii=True) + "\n", "utf-8")
        return
    expected = records.get(key, [])
    if seen != expected:
        pytest.fail(f"findings differ from {path.name} [{key}] (after an intended change: make golden)\n"
                    f"expected: {json.dumps(expected, indent=1)}\nproduced: {json.dumps(seen, indent=1)}",
                    pytrace=False)
