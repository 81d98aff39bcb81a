"""Plan files that are not plans, or not readable: a clear error naming the file (and line)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from hcl_scanner.plan import read_plan
from rulebook.model import InputError

FIXTURES = Path(__file__).parent / "fixtures"
AZURE_PLAN = FIXTURES / "azure" / "plan.json"


def _addresses(inventory) -> list[str]:
    return sorted(r.address for r in inventory.resources)


@pytest.fixture(scope="module")
def expected() -> list[str]:
    inventory, errors = read_plan(AZURE_PLAN, None)
    assert errors == []
    return _addresses(inventory)


@pytest.mark.parametrize("encode", [
    lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    lambda text: text.encode("utf-16-le"),  # PowerShell-style output without BOM
], ids=["utf8-bom", "utf16-le-bom", "utf16-be-bom", "utf16-le-no-bom"])
def test_encodings_are_detected(tmp_path, expected, encode):
    path = tmp_path / "plan.json"
    path.write_bytes(encode(AZURE_PLAN.read_text(encoding="utf-8")))
    inventory, errors = read_plan(path, None)
    assert errors == []
    assert _addresses(inventory) == expected


def test_truncated_json_reports_the_line(tmp_path):
    lines = AZURE_PLAN.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "plan.json"
    path.write_text("".join(lines[:40]), encoding="utf-8")
    inventory, errors = read_plan(path, None)
    assert inventory is None
    assert len(errors) == 1
    assert errors[0].file == str(path)
    assert errors[0].line == 41
    assert errors[0].message.startswith("invalid JSON: ")


def test_syntax_error_line_in_the_middle(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{\n  "format_version": "1.2",\n  "planned_values": {,\n}\n', encoding="utf-8")
    assert read_plan(path, None) == (None, [InputError(str(path), 3, "invalid JSON: Expecting property name "
                                                                      "enclosed in double quotes (column 22)")])


def test_binary_file(tmp_path):
    path = tmp_path / "plan.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    assert read_plan(path, None) == (None, [InputError(str(path), None,
                                                       "binary content (NUL bytes), not JSON text")])


def test_terraform_binary_plan_file_is_not_json(tmp_path):
    path = tmp_path / "tfplan"
    path.write_bytes(b"PK\x03\x04\x14\x00\x08\x00\x08\x00tfplan\xff\xfe\xfa")  # a zip archive
    assert read_plan(path, None) == (None, [InputError(str(path), None,
                                                       "binary content (NUL bytes), not JSON text")])


def test_invalid_utf8_reports_line(tmp_path):
    path = tmp_path / "plan.json"
    path.write_bytes(b'{\n"format_version": "1.2",\n"x": "caf\xe9"\n}')
    assert read_plan(path, None) == (None, [InputError(str(path), 3,
                                                       "not UTF-8 or UTF-16 text (invalid byte at offset 36)")])


@pytest.mark.parametrize("content", ["", "  \n\t\n"], ids=["empty", "blank"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "plan.json"
    path.write_text(content)
    assert read_plan(path, None) == (None, [InputError(str(path), None, "empty file, expected `terraform show "
                                                                        "-json` plan output")])


@pytest.mark.parametrize("content,message", [
    ('{"Version": "2012-10-17", "Statement": []}',
     "JSON is not a Terraform plan: no format_version (expected `terraform show -json PLANFILE` output)"),
    ('[1, 2, 3]',
     "JSON is not a Terraform plan: no format_version (expected `terraform show -json PLANFILE` output)"),
    ('{"format_version": "1.0", "terraform_version": "1.6.6", "values": {"root_module": {}}}',
     "JSON is not a Terraform plan (a state file); expected `terraform show -json PLANFILE` output"),
    ('{"format_version": "1.0", "provider_schemas": {}}',
     "JSON is not a Terraform plan (no planned_values or resource_changes); expected `terraform show -json "
     "PLANFILE` output"),
    ('{"format_version": "2.0", "planned_values": {}}',
     "unsupported plan format_version '2.0' (0.x and 1.x are read)"),
], ids=["policy", "array", "state", "schemas", "v2"])
def test_json_that_is_not_a_plan(tmp_path, content, message):
    path = tmp_path / "plan.json"
    path.write_text(content)
    assert read_plan(path, None) == (None, [InputError(str(path), None, message)])


def test_missing_file(tmp_path):
    path = tmp_path / "nope.json"
    inventory, errors = read_plan(path, None)
    assert inventory is None
    assert [(e.file, e.line) for e in errors] == [(str(path), None)]
    assert errors[0].message.startswith("cannot read plan file: ")


def test_deeply_nested_json(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{"format_version": "1.2", "planned_values": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert read_plan(path, None) == (None, [InputError(str(path), None, "JSON nested too deeply")])


def test_empty_plan_is_an_empty_inventory(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{"format_version": "1.2", "planned_values": {"root_module": {}}, "resource_changes": []}')
    inventory, errors = read_plan(path, None)
    assert errors == []
    assert inventory.resources == []
