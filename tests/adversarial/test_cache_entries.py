"""A hostile parse cache (CI caches cross trust boundaries): malformed, truncated, foreign or
oversized entries and a planted parser-tables directory never crash a scan and never hide a
finding; the parser's tables are never read from the cache."""

from __future__ import annotations

import json
import marshal
import os
from pathlib import Path

import pytest

from cicd_guard.cli import main
from hcl_scanner import cache

SOURCE = b'resource "aws_iam_access_key" "k" {\n  user = "ci"\n}\n'
POISON = [
    b"",
    b"\x00garbage",
    marshal.dumps(("cicd-guard-parse-cache-1", "x", None))[:-3],
    marshal.dumps([1] * 10),
    lambda key: cache.encode_entry(key, ([("b", "resource", ("x",), None, 1, 1)], {}, frozenset(), [])),
    lambda key: cache.encode_entry(key, ([("a", "v", ("call", "f", (("lit", object.__name__),), 1), 1)],
                                         {}, frozenset(), [])),
    lambda key: cache.encode_entry(key, ("deep", {}, frozenset(), [])),
]


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("CICD_GUARD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "_disabled", False)
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_bytes(SOURCE)
    return root


def _scan(root: Path, capsys) -> tuple[int, list]:
    code = main(["scan", str(root), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    return code, [(f["rule_id"], f["resource"], f["status"]) for f in report["findings"]]


@pytest.mark.parametrize("poison", range(len(POISON)))
def test_a_poisoned_entry_neither_crashes_nor_hides_a_finding(repo, capsys, poison):
    key = cache.key_for(SOURCE)
    entry = Path(os.environ["CICD_GUARD_CACHE_DIR"]) / key[:2] / key[2:]
    entry.parent.mkdir(parents=True)
    data = POISON[poison]
    entry.write_bytes(data(key) if callable(data) else data)
    assert _scan(repo, capsys) == (1, [("IDF-001", "aws_iam_access_key.k", "failed")])


def test_planted_parser_tables_in_the_cache_are_never_read(repo, capsys, monkeypatch):
    import hcl_scanner.syntax as syntax

    planted = Path(os.environ["CICD_GUARD_CACHE_DIR"]) / "tables"
    planted.mkdir(parents=True)
    for name in ("0" * 64, "tables-" + "0" * 64):
        (planted / name).write_bytes(b"\x00planted")
    monkeypatch.setattr(syntax, "_parser", syntax._parser.__wrapped__)  # build a parser in this test
    assert _scan(repo, capsys) == (1, [("IDF-001", "aws_iam_access_key.k", "failed")])
    opened: list[str] = []
    real_open = open

    def recording_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)
    monkeypatch.setattr("builtins.open", recording_open)
    monkeypatch.setattr("io.open", recording_open)
    syntax._parser()
    from hcl_scanner import tables

    assert str(tables.DATA_FILE) in opened
    assert not [p for p in opened if p.startswith(os.environ["CICD_GUARD_CACHE_DIR"])]


def test_with_a_cache_key_a_well_formed_entry_from_an_untrusted_run_is_a_miss(repo, capsys, monkeypatch):
    """An untrusted run (no secret) plants an entry that hides the access key; the trusted run,
    holding CICD_GUARD_CACHE_KEY, ignores it and still fails."""
    key = cache.key_for(SOURCE)
    entry = Path(os.environ["CICD_GUARD_CACHE_DIR"]) / key[:2] / key[2:]
    entry.parent.mkdir(parents=True)
    entry.write_bytes(cache.encode_entry(key, ([], {}, frozenset(), [])))
    monkeypatch.setenv("CICD_GUARD_CACHE_KEY", "trusted-branch-secret")
    assert _scan(repo, capsys) == (1, [("IDF-001", "aws_iam_access_key.k", "failed")])
    assert _scan(repo, capsys) == (1, [("IDF-001", "aws_iam_access_key.k", "failed")])  # its own entry
    monkeypatch.setenv("CICD_GUARD_CACHE_KEY", "another-secret")
    assert cache.get(key) is None
