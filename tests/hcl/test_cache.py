"""Parse cache: hits skip the parser, entries are keyed by content and tool version, writes are atomic."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from hcl_scanner import cache, loader


@pytest.fixture(autouse=True)
def _fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CICD_GUARD_CACHE_DIR", str(tmp_path / "fresh-cache"))


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "main.tf"
    path.write_text('resource "x" "a" {\n  v = "1"\n}\n')
    return path


def test_second_load_is_served_from_cache(tmp_path, monkeypatch):
    path = _write(tmp_path)
    first = loader.load_file(path)
    monkeypatch.setattr(loader, "parse_body", lambda text: pytest.fail("parsed although cached"))
    second = loader.load_file(path)
    assert second.body == first.body == [("b", "resource", ("x", "a"), [("a", "v", ("lit", "1"), 2)], 1, 3)]
    key = cache.key_for(path.read_bytes())
    assert (Path(os.environ["CICD_GUARD_CACHE_DIR"]) / key[:2] / key[2:]).is_file()
    assert not list(Path(os.environ["CICD_GUARD_CACHE_DIR"]).rglob(".tmp-*"))


def test_changed_content_or_tool_version_misses(tmp_path, monkeypatch):
    path = _write(tmp_path)
    key = cache.key_for(path.read_bytes())
    assert cache.key_for(path.read_bytes() + b"\n") != key
    monkeypatch.setattr(cache, "_salt", lambda: b"another-version")
    assert cache.key_for(path.read_bytes()) != key


def test_corrupt_entry_is_a_miss(tmp_path):
    path = _write(tmp_path)
    key = cache.key_for(path.read_bytes())
    target = Path(os.environ["CICD_GUARD_CACHE_DIR"]) / key[:2] / key[2:]
    target.parent.mkdir(parents=True)
    target.write_bytes(b"\x00garbage")
    assert cache.get(key) is None
    assert loader.load_file(path).body[0][2] == ("x", "a")


def _store(args: tuple[str, str, int]) -> bool:
    os.environ["CICD_GUARD_CACHE_DIR"] = args[0]
    for _ in range(args[2]):
        cache.put(args[1], [("a", "v" * 1000, ("lit", 1), 1)] * 50)
    return True


def test_concurrent_writers_never_expose_partial_entries(tmp_path):
    folder = os.environ["CICD_GUARD_CACHE_DIR"]
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(_store, (folder, "ab" * 32, 40)) for _ in range(2)]
        for _ in range(200):
            value = cache.get("ab" * 32)
            assert value is None or value == [("a", "v" * 1000, ("lit", 1), 1)] * 50
        assert all(f.result() for f in futures)
    assert cache.get("ab" * 32) == [("a", "v" * 1000, ("lit", 1), 1)] * 50
    assert not [p for p in Path(folder).rglob(".tmp-*")]


def test_cache_location(monkeypatch, tmp_path):
    monkeypatch.delenv("CICD_GUARD_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "cicd-guard"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "cicd-guard"
    monkeypatch.setenv("CICD_GUARD_CACHE_DIR", str(tmp_path / "explicit"))
    assert cache.cache_dir() == tmp_path / "explicit"


def test_parser_tables_are_cached_as_marshal_data(monkeypatch):
    from hcl_scanner import syntax

    built = syntax._parser.__wrapped__()  # empty cache: analyses the grammar and stores the tables
    monkeypatch.setattr(syntax.Lark, "open", lambda *a, **k: pytest.fail("grammar rebuilt although cached"))
    loaded = syntax._parser.__wrapped__()
    text = 'resource "x" "y" {\n  v = [for a in b : a if a != "z"]\n}\n'
    assert loaded.parse(text) == built.parse(text) == syntax.parse_body(text)
    assert len(list((cache.cache_dir() / "tables").iterdir())) == 1
