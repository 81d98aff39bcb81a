"""The parser's tables ship in the package, match the installed lark and grammar, and parse as the
grammar does; no scan ever reads or writes parser tables anywhere else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hcl_scanner import syntax, tables

SAMPLES = sorted((Path(__file__).parents[2] / "reference_stacks").rglob("*.tf")) + \
    sorted((Path(__file__).parent / "fixtures").rglob("*.tf"))


def test_shipped_tables_are_fresh():
    """Fails after an upgrade of lark or python-hcl2 until `make tables` regenerates the data file."""
    recorded = json.loads(tables.DATA_FILE.read_text("utf-8"))["source"]
    assert recorded == tables.source(), "run `make tables` to refresh hcl_scanner/data/hcl2_lalr_tables.json"


def test_shipped_tables_parse_like_the_grammar(monkeypatch):
    built = tables.build(transformer=syntax._ToTuples(), postlex=syntax._CommentTap())
    monkeypatch.setattr(tables, "build", lambda **kw: pytest.fail("grammar rebuilt although tables ship"))
    shipped = tables.parser(transformer=syntax._ToTuples(), postlex=syntax._CommentTap())
    assert SAMPLES
    for sample in SAMPLES:
        text = sample.read_text("utf-8") + "\n"
        assert shipped.parse(text) == built.parse(text), sample


def test_stale_or_damaged_tables_are_rebuilt_in_memory_never_written(tmp_path, monkeypatch):
    damaged = tmp_path / "tables.json"
    damaged.write_text(json.dumps({"source": tables.source(), "data": {}, "memo": {}}))
    monkeypatch.setattr(tables, "DATA_FILE", damaged)
    monkeypatch.setenv("CICD_GUARD_CACHE_DIR", str(tmp_path / "cache"))
    parser = tables.parser(transformer=syntax._ToTuples(), postlex=syntax._CommentTap())
    assert parser.parse('a = "b"\n') == [("a", "a", ("lit", "b"), 1)]
    assert not (tmp_path / "cache").exists()
    assert damaged.read_text() == json.dumps({"source": tables.source(), "data": {}, "memo": {}})
    stale = {"source": {**tables.source(), "lark": "0.0.1"}}
    damaged.write_text(json.dumps(stale))
    assert tables.shipped() is None
