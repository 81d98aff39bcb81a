"""Plans whose shape is wrong, that errored, or that are incomplete: an error naming the JSON path,
never a traceback, never a pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hcl_scanner.plan import read_plan
from rulebook.model import InputError


def _read(tmp_path: Path, text: str) -> tuple:
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    return path, read_plan(path, None)


_CHANGE = {"address": "aws_iam_user.u", "mode": "managed", "type": "aws_iam_user", "name": "u",
           "change": {"actions": ["create"], "after": {"name": "u"}, "after_unknown": {}}}


def _plan(**parts) -> str:
    return json.dumps({"format_version": "1.2", **parts})


@pytest.mark.parametrize("text, message", [
    (_plan(planned_values=None, resource_changes=None),
     "not a well-formed Terraform plan: $.planned_values: expected object, found null; "
     "$.resource_changes: expected array, found null"),
    (_plan(planned_values={"root_module": {}}, resource_changes="[]"),
     "not a well-formed Terraform plan: $.resource_changes: expected array, found string"),
    (_plan(resource_changes=[{**_CHANGE, "address": 7}]),
     "not a well-formed Terraform plan: $.resource_changes[0].address: expected string, found integer"),
    (_plan(planned_values={"root_module": "module"}),
     "not a well-formed Terraform plan: $.planned_values.root_module: expected object, found string"),
    (_plan(planned_values={"root_module": {"child_modules": [{"resources": [{"address": "a.b", "type": "a"}]}]}}),
     "not a well-formed Terraform plan: $.planned_values.root_module.child_modules[0].resources[0]: "
     "'name' is a required property"),
    (_plan(resource_changes=[{**_CHANGE, "change": {"actions": "create"}}]),
     "not a well-formed Terraform plan: $.resource_changes[0].change.actions: expected array, found string"),
    (_plan(resource_changes=[{**_CHANGE, "mode": "weird"}]),
     "not a well-formed Terraform plan: $.resource_changes[0].mode: expected one of managed, data"),
    (_plan(resource_changes=[], configuration={"root_module": {"module_calls": {"m": {"module": []}}}}),
     "not a well-formed Terraform plan: $.configuration.root_module.module_calls.m.module: "
     "expected object, found array"),
    (_plan(resource_changes=[], variables={"v": "x"}),
     "not a well-formed Terraform plan: $.variables.v: expected object, found string"),
    ('{"format_version": 1.2, "resource_changes": []}', "unsupported plan format_version of type float "
     "(0.x and 1.x are read)"),
    ('{"format_version": "1.2", "resource_changes": [], "x": ' + "9" * 5000 + "}",
     "invalid JSON: a number too large to read"),
], ids=["nulls", "changes-string", "address-number", "root-module-string", "resource-without-name",
        "actions-string", "mode", "module-call-array", "variable-string", "version-number", "huge-integer"])
def test_wrong_shapes_are_errors_naming_the_path(tmp_path, text, message):
    path, got = _read(tmp_path, text)
    assert got == (None, [InputError(str(path), None, message)])


def test_errored_plan_is_an_error(tmp_path):
    path, got = _read(tmp_path, _plan(resource_changes=[_CHANGE], errored=True))
    assert got == (None, [InputError(str(path), None, (
        "the plan errored (`errored: true`): Terraform could not finish planning, so it does not describe what "
        "would be applied; fix the plan's errors"))])


def test_incomplete_plan_is_an_error(tmp_path):
    path, got = _read(tmp_path, _plan(resource_changes=[_CHANGE], complete=False))
    assert got[0] is None
    assert got[1][0].message.startswith("the plan is incomplete (`complete: false`)")


def test_complete_plan_that_did_not_error_is_read(tmp_path):
    _, (inventory, errors) = _read(tmp_path, _plan(resource_changes=[_CHANGE], errored=False, complete=True))
    assert errors == []
    assert [r.address for r in inventory.resources] == ["aws_iam_user.u"]


def test_ci_wrapper_command_line_gets_a_hint(tmp_path):
    text = "[command]/home/runner/work/_temp/terraform-bin show -json tfplan\n" + _plan(resource_changes=[])
    path, (inventory, [error]) = _read(tmp_path, text)
    assert inventory is None
    assert error.line == 1
    assert error.message.startswith("invalid JSON: Expecting value (column 2); the file starts with a CI "
                                    "wrapper's `[command]` line")
    assert "terraform_wrapper: false" in error.message


def test_plain_syntax_error_gets_no_wrapper_hint(tmp_path):
    path, (_, [error]) = _read(tmp_path, "{oops")
    assert "[command]" not in error.message


def test_huge_instance_index_is_not_a_crash(tmp_path):
    address = f"aws_iam_user.u[{'9' * 5000}]"
    _, (inventory, errors) = _read(tmp_path, _plan(resource_changes=[{**_CHANGE, "address": address}]))
    assert errors == []
    assert [r.address for r in inventory.resources] == [address]


def test_deeply_nested_child_modules_are_an_error(tmp_path):
    module = '{"child_modules": [' * 600 + "{}" + "]}" * 600
    path, got = _read(tmp_path, '{"format_version": "1.2", "planned_values": {"root_module": ' + module + "}}")
    assert got[0] is None
    assert got[1][0].file == str(path)
    assert "nested too deeply" in got[1][0].message


def test_a_change_whose_whole_value_is_sensitive_is_read_without_values(tmp_path):
    change = {**_CHANGE, "change": {**_CHANGE["change"], "after_sensitive": True}}
    _, (inventory, errors) = _read(tmp_path, _plan(resource_changes=[change]))
    assert errors == []
    [user] = inventory.resources
    assert (user.props, user.notes) == ({}, ["plan marks sensitive: (whole value)"])
