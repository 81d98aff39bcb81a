"""Property-based fuzzing of the plan reader: whatever JSON a pull request supplies as a plan, the
scan ends in a report (findings and/or errors naming the file), never a traceback.

Bounded in `make test` (the shared profile, or Hypothesis' default); longer under `make fuzz`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cicd_guard.cli import main
from hcl_scanner.plan import read_plan

# A few examples in `make test`; the shared fuzz profile (HYPOTHESIS_PROFILE, `make fuzz`) decides otherwise.
_BOUNDED = {} if os.environ.get("HYPOTHESIS_PROFILE") else {"max_examples": 25}
_FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
                 **_BOUNDED)

_names = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=6)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False),
                     st.text(max_size=12))
_json = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                     max_leaves=20)
_types = st.sampled_from(["aws_iam_role", "aws_iam_role_policy", "aws_iam_policy", "aws_s3_bucket",
                          "aws_s3_bucket_public_access_block", "aws_ecr_repository", "aws_ecr_repository_policy",
                          "aws_iam_role_policy_attachment", "azurerm_container_registry", "azurerm_role_assignment",
                          "aws_iam_policy_document", "aws_iam_access_key"])
_keys = st.one_of(st.none(), st.integers(0, 3), _names)


@st.composite
def _address(draw) -> tuple[str, str, str, str, object]:
    module = draw(st.lists(st.tuples(_names, _keys), max_size=2))
    prefix = "".join(f"module.{n}" + (f"[{json.dumps(k)}]" if k is not None else "") + "." for n, k in module)
    mode = draw(st.sampled_from(["managed", "data"]))
    tf_type, name, index = draw(_types), draw(_names), draw(_keys)
    local = ("data." if mode == "data" else "") + f"{tf_type}.{name}"
    suffix = f"[{json.dumps(index)}]" if index is not None else ""
    return prefix + local + suffix, prefix.rstrip("."), mode, tf_type, name


_references = st.lists(st.one_of(
    st.builds(lambda t, n, a: f"{t}.{n}.{a}", _types, _names, st.sampled_from(["arn", "name", "id", "json"])),
    st.builds(lambda n: f"var.{n}", _names), st.builds(lambda n, o: f"module.{n}.{o}", _names, _names),
    st.sampled_from(["count.index", "each.key", "local.x"]), st.text(max_size=10)), max_size=3)
_expressions = st.dictionaries(_names, st.one_of(
    st.fixed_dictionaries({"references": _references}), st.fixed_dictionaries({"constant_value": _json})),
    max_size=4)


@st.composite
def _change(draw) -> dict:
    address, module, mode, tf_type, name = draw(_address())
    change = {"address": address, "mode": mode, "type": tf_type, "name": name,
              "change": {"actions": draw(st.sampled_from([["create"], ["update"], ["delete"], ["no-op"],
                                                          ["delete", "create"], ["read"]])),
                         "after": draw(st.dictionaries(_names, _json, max_size=5)),
                         "after_unknown": draw(st.one_of(st.booleans(), st.dictionaries(_names, _json, max_size=3))),
                         "after_sensitive": draw(st.one_of(st.booleans(), st.dictionaries(_names, _json, max_size=3)))}}
    if module:
        change["module_address"] = module
    return change


@st.composite
def _plan(draw) -> dict:
    changes = draw(st.lists(_change(), max_size=5))
    resources = [{"address": f"{c['type']}.{c['name']}", "mode": c["mode"], "type": c["type"], "name": c["name"],
                  "expressions": draw(_expressions)} for c in changes]
    plan: dict = {"format_version": draw(st.sampled_from(["0.1", "0.2", "1.0", "1.2"])),
                  "resource_changes": changes,
                  "planned_values": {"root_module": {"resources": [
                      {"address": c["address"], "mode": c["mode"], "type": c["type"], "name": c["name"],
                       "values": c["change"]["after"], "sensitive_values": draw(_json)} for c in changes[:2]]}},
                  "configuration": {"root_module": {"resources": resources, "module_calls": draw(st.dictionaries(
                      _names, st.fixed_dictionaries({"source": st.just("./m"), "expressions": _expressions,
                                                     "module": st.fixed_dictionaries({"resources": st.just(resources)})}),
                      max_size=2))}},
                  "variables": draw(st.dictionaries(_names, st.fixed_dictionaries({"value": _json}), max_size=2))}
    for key in draw(st.lists(st.sampled_from(sorted(plan)), max_size=2, unique=True)):
        plan[key] = draw(_json)  # a part of the wrong shape
    return plan


def _ends_in_a_report(tmp_path: Path, text: str | bytes) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    inventory, errors = read_plan(path, None)
    assert (inventory is None) == bool(errors)
    assert all(e.file == str(path) and e.message for e in errors)


@_FAST
@given(plan=_plan())
def test_plan_shaped_input_ends_in_a_report(tmp_path_factory, plan):
    _ends_in_a_report(tmp_path_factory.mktemp("plan"), json.dumps(plan))


@_FAST
@given(value=_json)
def test_any_json_ends_in_a_report(tmp_path_factory, value):
    _ends_in_a_report(tmp_path_factory.mktemp("json"), json.dumps({"format_version": "1.2", "resource_changes": value}))


@_FAST
@given(raw=st.binary(max_size=200))
def test_any_bytes_end_in_a_report(tmp_path_factory, raw):
    _ends_in_a_report(tmp_path_factory.mktemp("bytes"), raw)


@settings(_FAST, **({} if os.environ.get("HYPOTHESIS_PROFILE") else {"max_examples": 10}))
@given(plan=_plan())
def test_the_command_line_answers_with_an_exit_code_not_a_traceback(tmp_path_factory, plan):
    path = tmp_path_factory.mktemp("cli") / "plan.json"
    path.write_text(json.dumps(plan))
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["scan", "--plan", str(path), "--format", "json"])
    assert code in (0, 1, 2)
    assert "internal error" not in err.getvalue() and "Traceback" not in err.getvalue()
