"""Parsing with line numbers, and every kind of bad input: a clear error per file, the rest scanned."""

from __future__ import annotations

import os
import time

import pytest

import hcl_scanner
from hcl_scanner import loader
from hcl_scanner.modules import display_path
from hcl_scanner.syntax import parse_body
from rulebook.model import InputError

from hcl_helpers import evaluated


def test_block_line_ranges_and_bom(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_bytes("\ufeff# header\n\nresource \"x\" \"a\" {\n  v = 1\n}\n".encode("utf-8"))
    result = hcl_scanner.scan([str(root)])
    loc = evaluated(result)["x.a"].location
    assert (loc.line, loc.end_line) == (3, 5)
    assert result.errors == []


def test_for_expression_that_breaks_hcl2_serialization_parses():
    body = parse_body('a = [for x in xs : 1]\n')
    assert body == [("a", "a", ("fort", None, "x", ("var", "xs"), ("lit", 1), None), 1)]


def _root_with_good_file(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "good.tf").write_text('resource "x" "good" {\n  v = 1\n}\n')
    return root


def _scan_one_bad(tmp_path, name: str, content: bytes | None = None):
    root = _root_with_good_file(tmp_path)
    if content is not None:
        (root / name).write_bytes(content)
    result = hcl_scanner.scan([str(root)])
    assert evaluated(result)["x.good"].attrs == {"v": 1}, "the other files are still scanned"
    return root, result


def test_syntax_error_names_file_and_line(tmp_path):
    root, result = _scan_one_bad(tmp_path, "broken.tf", b'resource "x" "b" {\n  v = 1\n  w = = 2\n}\n')
    assert result.errors == [InputError(display_path(root / "broken.tf"), 3,
                                        "HCL syntax error: unexpected '=' at column 7")]


def test_binary_file(tmp_path):
    root, result = _scan_one_bad(tmp_path, "blob.tf", b"resource\n\x00\x01\x02binary")
    assert [(e.line, e.message) for e in result.errors] == [(2, "binary file (NUL byte); not scanned")]
    assert result.errors[0].file.endswith("blob.tf")


def test_non_utf8_text(tmp_path):
    root, result = _scan_one_bad(tmp_path, "latin1.tf", 'a = 1\nb = "caf\xe9"\n'.encode("latin-1"))
    assert [(e.line, e.message) for e in result.errors] == [(2, "not UTF-8 text (byte 0xe9); not scanned")]


def test_fifty_megabyte_file_is_refused_before_reading(tmp_path, monkeypatch):
    root = _root_with_good_file(tmp_path)
    with open(root / "huge.tf", "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: the size check must reject it without reading
    real_parse = loader.parse_source
    monkeypatch.setattr(loader, "parse_source", lambda text: pytest.fail("a huge file reached the parser")
                        if len(text) > 1_000_000 else real_parse(text))
    result = hcl_scanner.scan([str(root)])
    assert [(e.line, e.message) for e in result.errors] == [
        (None, "file is 50.0 MB, over the 10 MB limit; not scanned")]
    assert evaluated(result)["x.good"].attrs == {"v": 1}


def test_ten_thousand_deep_expression(tmp_path):
    deep = "a = " + "[" * 10_000 + "1" + "]" * 10_000 + "\n"
    started = time.monotonic()
    root, result = _scan_one_bad(tmp_path, "deep.tf", deep.encode())
    assert [(e.line, e.message) for e in result.errors] == [
        (1, "expression nested more than 200 levels deep; not scanned")]
    assert time.monotonic() - started < 10


def test_ten_thousand_long_operator_chain_is_bounded(tmp_path):
    chain = 'resource "x" "chain" {\n  v = ' + " + ".join(["1"] * 10_000) + "\n}\n"
    root, result = _scan_one_bad(tmp_path, "chain.tf", chain.encode())
    assert evaluated(result)["x.chain"].attrs["v"] == 10_000  # a flat chain is not nesting
    assert result.errors == []


def test_symlink_loops(tmp_path):
    root = _root_with_good_file(tmp_path)
    os.symlink(root, root / "again")  # directory loop
    os.symlink(root / "self.tf", root / "self.tf")  # a link to itself
    result = hcl_scanner.scan([str(root)])
    assert sorted((os.path.basename(e.file), e.message) for e in result.errors) == [
        ("again", "symlink loop (points at a directory already being scanned); not followed"),
        ("self.tf", "broken or looping symlink: too many levels of symbolic links (loop)"),
    ]
    assert evaluated(result)["x.good"].attrs == {"v": 1}


def test_unreadable_file(tmp_path, monkeypatch):
    root = _root_with_good_file(tmp_path)
    secret = root / "locked.tf"
    secret.write_text('resource "x" "locked" {}\n')
    real_open = os.open

    def refuse(path, *args, **kwargs):  # chmod 000 does not stop root, so refuse the open the way the OS would
        if str(path).endswith("locked.tf"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)
    monkeypatch.setattr(os, "open", refuse)
    result = hcl_scanner.scan([str(root)])
    assert [(e.line, e.message) for e in result.errors] == [(None, "cannot read: Permission denied")]
    assert result.errors[0].file.endswith("locked.tf")
    assert list(evaluated(result)) == ["x.good"]


def test_empty_directory_and_missing_path(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = hcl_scanner.scan([str(empty), str(tmp_path / "nope")])
    assert result.errors == [InputError(str(tmp_path / "nope"), None, "no such file or directory"),
                             InputError(str(empty), None, "no Terraform files (.tf) found")]
    assert result.inventories == []


def test_parallel_load_matches_serial(tmp_path, monkeypatch):
    files = []
    for i in range(10):
        path = tmp_path / f"f{i}.tf"
        path.write_text(f'resource "x" "r{i}" {{\n  v = {i}\n}}\n' * 50)
        files.append((path, str(path)))
    monkeypatch.setattr(loader, "PARALLEL_MIN_BYTES", 1)
    serial = loader.load_files(files, workers=1)
    monkeypatch.setenv("CICD_GUARD_NO_CACHE", "1")
    parallel = loader.load_files(files, workers=2)
    assert [p.body for p in parallel] == [s.body for s in serial]


def test_internal_failure_falls_back_per_block(tmp_path, monkeypatch):
    from hcl_scanner import syntax

    original = syntax._ToTuples.function_call

    def fragile(self, children):  # simulate a tree-building failure on one expression
        if any(str(c) == "boom" for c in children):
            raise TypeError("unhashable")
        return original(self, children)
    monkeypatch.setattr(syntax._ToTuples, "function_call", fragile)
    fragile_parser = syntax._parser.__wrapped__()  # a parser whose transformer has the fragile method
    monkeypatch.setattr(syntax, "_parser", lambda: fragile_parser)
    monkeypatch.setenv("CICD_GUARD_NO_CACHE", "1")
    root = _root_with_good_file(tmp_path)
    (root / "mixed.tf").write_text('resource "x" "before" {\n  v = upper("a")\n}\n'
                                   'resource "x" "bad" {\n  v = boom(1)\n}\n'
                                   'resource "x" "after" {\n  v = 2\n}\n')
    result = hcl_scanner.scan([str(root)])
    found = evaluated(result)
    assert (found["x.before"].attrs, found["x.after"].attrs) == ({"v": "A"}, {"v": 2})
    assert found["x.after"].location.line == 7
    assert "x.bad" not in found
    assert [(e.line, e.message) for e in result.errors] == [(4, "block could not be read (TypeError); skipped")]


def test_crlf_line_endings(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    text = 'resource "x" "w" {\n  a = "v"\n  doc = <<-EOT\n    one\n    two\n  EOT\n}\n'
    (root / "main.tf").write_bytes(text.replace("\n", "\r\n").encode())
    result = hcl_scanner.scan([str(root)])
    found = evaluated(result)["x.w"]
    assert found.attrs == {"a": "v", "doc": "one\ntwo\n"}
    assert (found.location.line, found.location.end_line) == (1, 7)


SYNTAX_ERRORS = {
    "unexpected brace": ('resource "x" "a" {\n  v = \n}\n', 3, "unexpected '}' at column 1"),
    "unterminated string": ('a = 1\nb = "abc\nc = 2\nd = 3\ne = "x"\n', 2,
                            "unterminated string (no closing quote on its line) at column 5"),
    "operator after a comment line": ('a = 1 +\n\n  # c\n  * 2\n', 4, "unexpected '*' at column 3"),
    "unterminated heredoc": ('a = <<EOF\nabc\n', 1, "unterminated heredoc (no closing EOF line) at column 5"),
    "unterminated block comment": ('a = 1\n/* open\nb = 2 @\n', 2, "unterminated comment (no closing */) at column 1"),
    "stray character": ('a = 1\nb = 2 @ 3\n', 2, "unexpected '@' at column 7"),
    "quote inside an unclosed interpolation": ('a = "${b"\nc = 1\n', 1,
                                               "unterminated string (no closing quote on its line) at column 9"),
    "missing closing brace": ('resource "x" "a" {\n  v = 1\n', 2, "unexpected end of file"),
}


@pytest.mark.parametrize("case", SYNTAX_ERRORS)
def test_syntax_errors_point_at_the_wrong_character(case):
    from hcl_scanner.syntax import HclSyntaxError

    text, line, message = SYNTAX_ERRORS[case]
    with pytest.raises(HclSyntaxError) as caught:
        parse_body(text)
    assert (caught.value.line, str(caught.value)) == (line, f"HCL syntax error: {message}")


def test_a_multiline_string_inside_an_interpolation_is_not_unterminated():
    from hcl_scanner.syntax_errors import lexical_problem

    assert lexical_problem('a = "${join(",",\n  [b])}"\nb = <<-EOT\n  "x\n  EOT\nc = "$${x" # "\n') is None


DEPTH_CASES = {
    "string of 201 (": ('a = "' + "(" * 201 + '"\n', None),
    "comment of 300 (": ("# " + "(" * 300 + "\nb = 1\n", None),
    "heredoc body of 300 (": ("a = <<EOF\n" + "(" * 300 + "\nEOF\nb = [[1]]\n", None),
    "escaped interpolation": ('a = "$${' + "(" * 250 + '"\n', None),
    "201 real brackets": ("a = " + "(" * 201 + "1" + ")" * 201 + "\n", (1, 201)),
    "201 brackets inside an interpolation": ('a = "${' + "(" * 201 + "1" + ")" * 201 + '}"\n', (1, 201)),
}


@pytest.mark.parametrize("case", DEPTH_CASES, ids=list(DEPTH_CASES))
def test_only_code_brackets_count_as_nesting(case):
    from hcl_scanner.loader import _depth_error

    text, expected = DEPTH_CASES[case]
    assert _depth_error(text) == expected
