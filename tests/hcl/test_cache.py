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
    monkeypatch.setattr(loader, "parse_source", lambda text: pytest.fail("parsed although cached"))
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




def _entry_path(content: bytes) -> Path:
    key = cache.key_for(content)
    return Path(os.environ["CICD_GUARD_CACHE_DIR"]) / key[:2] / key[2:]


GOOD_BODY = [("b", "resource", ("x", "a"), [("a", "v", ("lit", "1"), 2)], 1, 3)]
MALFORMED = [
    "not a tuple",
    (),
    (GOOD_BODY,),
    ("body", {}, frozenset(), []),
    ([("b", "resource", "xa", [], 1, 3)], {}, frozenset(), []),
    ([("b", "resource", ("x", "a"), [("a", "v", ("nope", 1), 2)], 1, 3)], {}, frozenset(), []),
    ([("b", "resource", ("x", "a"), [("a", "v", ("call", "f", None, False), 2)], 1, 3)], {}, frozenset(), []),
    ([("b", "resource", ("x", "a"), [("a", "v", ("lit", [1]), 2)], 1, 3)], {}, frozenset(), []),
    ([("a", "v", ("tmpl", (("if", ("lit", 1), "x", ()),)), 1)], {}, frozenset(), []),
    (GOOD_BODY, {"1": "x"}, frozenset(), []),
    (GOOD_BODY, {}, [1], []),
    (GOOD_BODY, {}, frozenset(), [(1,)]),
    (GOOD_BODY, {}, frozenset(), [("1", "m")]),
]


@pytest.mark.parametrize("value", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_entries_are_discarded_and_rewritten(tmp_path, value):
    path = _write(tmp_path)
    data = path.read_bytes()
    key = cache.key_for(data)
    target = _entry_path(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(cache.encode_entry(key, value))
    assert loader.load_file(path).body == GOOD_BODY
    assert cache.get(key)[0] == GOOD_BODY


def test_entries_are_bound_to_their_key_and_format(tmp_path):
    import marshal

    path = _write(tmp_path)
    data = path.read_bytes()
    other_key = cache.key_for(b"something else")
    target = _entry_path(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    empty = marshal.dumps(([], {}, frozenset(), []))
    for entry in [(cache._FORMAT, other_key, empty, b""),
                  (b"cicd-guard-parse-cache-1", cache.key_for(data), empty, b""),
                  (cache._FORMAT, cache.key_for(data), ([], {}, frozenset(), []), b""),
                  ([], {}, frozenset(), [])]:
        target.write_bytes(marshal.dumps(entry))
        assert cache.get(cache.key_for(data)) is None
        assert loader.load_file(path).body == GOOD_BODY


def test_a_cache_entry_that_is_not_a_regular_file_is_a_miss(tmp_path):
    path = _write(tmp_path)
    target = _entry_path(path.read_bytes())
    target.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(target)
    assert loader.load_file(path).body == GOOD_BODY  # a FIFO in the cache would block a plain read


def test_no_cache_neither_reads_nor_writes(tmp_path, monkeypatch):
    path = _write(tmp_path)
    monkeypatch.setattr(cache, "_disabled", False)
    monkeypatch.setenv("CICD_GUARD_NO_CACHE", "1")
    loader.load_file(path)
    assert not Path(os.environ["CICD_GUARD_CACHE_DIR"]).exists()
    monkeypatch.delenv("CICD_GUARD_NO_CACHE")
    cache.disable()
    loader.load_file(path)
    assert not Path(os.environ["CICD_GUARD_CACHE_DIR"]).exists()


def test_scan_no_cache_flag(tmp_path, monkeypatch, capsys):
    from cicd_guard.cli import main

    monkeypatch.setattr(cache, "_disabled", False)
    path = _write(tmp_path)
    assert main(["scan", str(path.parent), "--no-cache"]) == 0
    assert not Path(os.environ["CICD_GUARD_CACHE_DIR"]).exists()
    monkeypatch.setattr(cache, "_disabled", False)
    assert main(["scan", str(path.parent)]) == 0
    assert Path(os.environ["CICD_GUARD_CACHE_DIR"]).exists()
