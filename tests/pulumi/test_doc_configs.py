"""Every configuration example in the docs loads: cicd-guard.yaml settings through the rulebook, Pulumi
policy pack configs through the gate against the real pack (policy names, per-policy schemas)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from google.protobuf import empty_pb2

from preview_gate.analyzer import PackProcess, StackInfo, load_pack, reconcile_config
from preview_gate.gate import _load_config, _policy_config, default_pack_dir
from rulebook import safe_yaml
from rulebook.config import Config, read_document

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", ROOT / "policypack" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```(json|yaml)\n(.*?)^```", re.S | re.M)


def _examples() -> list[tuple[str, dict]]:
    """(where, mapping) for every json/yaml block that is a mapping (CI snippets are lists), plus the
    example settings file."""
    found = [("cicd-guard.example.yaml", read_document(ROOT / "cicd-guard.example.yaml"))]
    for doc in DOCS:
        text = doc.read_text("utf-8")
        for match in _BLOCK.finditer(text):
            data = json.loads(match[2]) if match[1] == "json" else safe_yaml.load(match[2])
            if isinstance(data, dict):
                line = text[:match.start()].count("\n") + 1
                found.append((f"{doc.relative_to(ROOT)}:{line}", data))
    return found


EXAMPLES = _examples()


@pytest.fixture(scope="module")
def pack_info():
    stack = StackInfo(project="docs", stack="dev", dry_run=True)
    with PackProcess(load_pack(default_pack_dir()), stack) as process:
        yield process.stub.GetAnalyzerInfo(empty_pb2.Empty())


def test_the_docs_hold_both_kinds_of_example():
    assert len(EXAMPLES) >= 2 and any(where.startswith("policypack/README.md") for where, _ in EXAMPLES)


@pytest.mark.parametrize("where, data", EXAMPLES, ids=[w for w, _ in EXAMPLES])
def test_every_documented_config_loads(pack_info, where, data):
    settings, native = _load_config(data, None)
    if settings:
        Config.from_dict(settings, where)
    reconciled = reconcile_config(pack_info, _policy_config(pack_info, settings, native))
    assert set(native) - {"all"} <= set(reconciled)
