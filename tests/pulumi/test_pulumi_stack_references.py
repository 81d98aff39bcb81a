"""Stack references: the gate gives a referenced stack's outputs as the engine reads them from the backend
(known in a preview too) when `--stack-outputs NAME=FILE` names them, and leaves them unknown in both
modes otherwise (fail closed, with a note); a bad outputs file is an input error naming it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cicd_guard import cli
from preview_gate import run_gate
from preview_gate.program import load_project, run_program
from preview_gate.references import MAX_DEPTH, read_outputs
from pulumi.runtime.rpc import UNKNOWN

PROGRAM = '''
import pulumi
import pulumi_aws as aws

network = pulumi.StackReference("network", stack_name="acme/network/prod")
aws.s3.Bucket("artifacts", bucket="acme-artifacts", tags={"vpce": network.require_output("endpoint"),
                                                          "token": network.get_output("token")})
'''
NETWORK = "acme/network/prod"


@pytest.fixture
def program(tmp_path: Path) -> Path:
    folder = tmp_path / "program"
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text("name: refs\nruntime: python\n", "utf-8")
    (folder / "__main__.py").write_text(PROGRAM, "utf-8")
    return folder


def _outputs(tmp_path: Path, text: str | bytes, name: str = "network.json") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def _tags(program: Path, preview: bool, stack_outputs: dict | None = None) -> tuple[object, list[str]]:
    run = run_program(load_project(program, "dev"), preview=preview, stack_outputs=stack_outputs)
    (bucket,) = [r for r in run.resources if r["type"] == "aws:s3/bucket:Bucket"]
    return bucket["inputs"]["tags"], run.notes


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_given_outputs_are_known_in_both_modes_and_secret_ones_stay_secret(program, preview):
    tags, notes = _tags(program, preview, {NETWORK: {"endpoint": "vpce-0a1b2c3d4e5f67890", "token": "[secret]"}})
    assert tags["vpce"] == "vpce-0a1b2c3d4e5f67890"
    assert tags["token"]["value"] == "[secret]" and tags["token"]["4dabf18193072939515e22adb298388d"] \
        == "1b47061264138c4ac30d75fd1eb44270"  # the engine's secret signature: the program passes it on as secret
    assert [n for n in notes if "stack reference" in n] == [
        f"stack reference network ({NETWORK}): outputs token were given as [secret] and are that text to the "
        f"program (kept secret)"]


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_without_outputs_a_reference_is_unknown_in_both_modes_never_empty(program, preview):
    tags, notes = _tags(program, preview)
    assert tags == {"vpce": UNKNOWN, "token": UNKNOWN}  # not None: get_output on {} would be a silent None
    assert [n for n in notes if "stack reference" in n] == [
        f"stack reference network ({NETWORK}): its outputs are unknown and so is everything built from them (the "
        f"engine reads them from the deployed stack); give them with --stack-outputs {NETWORK}=FILE, FILE from "
        f"`pulumi stack output --json --stack {NETWORK}`"]


def test_outputs_of_a_stack_the_program_does_not_reference_are_a_note(program, tmp_path):
    report = run_gate(program, stack_outputs={NETWORK: _outputs(tmp_path, '{"endpoint": "vpce-1"}'),
                                              "acme/other/prod": _outputs(tmp_path, "{}", "other.json")})
    assert report.errors == []
    assert [n for n in report.notes if "--stack-outputs" in n] == [
        "--stack-outputs acme/other/prod: the program references no stack of that name; not used"]


DEEP = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)


@pytest.mark.parametrize("content, message", [
    ("{not json", "stack outputs are not JSON (Expecting property name enclosed in double quotes); give what "
                  "`pulumi stack output --json` prints"),
    (b"\xff\xfe{}", "stack outputs are not JSON (not UTF-8); give what `pulumi stack output --json` prints"),
    ('["vpce-1"]', "stack outputs must be a JSON object (output name -> value), not list"),
    ('"vpce-1"', "stack outputs must be a JSON object (output name -> value), not str"),
    ('{"a": ' + DEEP + "}", f"stack outputs are nested deeper than {MAX_DEPTH} levels"),
    ('{"a": ' + "[" * 100000 + "]" * 100000 + "}", "stack outputs are not JSON (nested too deeply); give what "
                                                   "`pulumi stack output --json` prints"),
])
def test_a_bad_outputs_file_is_an_input_error_naming_it(program, tmp_path, content, message):
    path = _outputs(tmp_path, content)
    report = run_gate(program, stack_outputs={NETWORK: path})
    assert [(e.file, e.message) for e in report.errors] == [(str(path), message)]
    assert report.exit_code() == 2 and report.findings == [] and report.scanned == []


def test_outputs_nested_up_to_the_limit_are_read(tmp_path):
    nested = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)  # inside the object: MAX_DEPTH levels in all
    path = _outputs(tmp_path, '{"a": ' + nested + ', "b": "vpce-1"}')
    assert read_outputs(path) == ({"a": json.loads(nested), "b": "vpce-1"}, None)


@pytest.mark.parametrize("make, message", [
    (lambda tmp: tmp / "missing.json", "cannot read stack outputs: No such file or directory"),
    (lambda tmp: tmp, "is a directory, not a regular file; not read"),
])
def test_an_unreadable_outputs_file_is_an_input_error_on_the_command_line(program, tmp_path, capsys, make, message):
    path = make(tmp_path)
    assert cli.main(["gate", str(program), "--stack-outputs", f"{NETWORK}={path}", "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out)["errors"] == [{"file": str(path), "line": None, "message": message}]
    assert f"error: {path}: {message}" in captured.err and "Traceback" not in captured.err


@pytest.mark.parametrize("args, message", [
    (["--stack-outputs", "acme/network/prod"], "expected NAME=FILE: 'acme/network/prod'"),
    (["--stack-outputs", "=network.json"], "expected NAME=FILE: '=network.json'"),
    (["--stack-outputs", f"{NETWORK}=a.json", "--stack-outputs", f"{NETWORK}=b.json"],
     f"--stack-outputs {NETWORK}: given twice (a.json, b.json)"),
])
def test_stack_outputs_option_errors(program, capsys, args, message):
    assert cli.main(["gate", str(program), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_access_map_takes_stack_outputs_with_gate_only(program, tmp_path, capsys):
    path = _outputs(tmp_path, '{"endpoint": "vpce-1"}')
    assert cli.main(["access-map", str(tmp_path), "--stack-outputs", f"{NETWORK}={path}"]) == 2
    assert "--stack-outputs goes with --gate" in capsys.readouterr().err
    assert cli.main(["access-map", "--gate", str(program), "--stack-outputs", f"{NETWORK}={tmp_path / 'no.json'}"]) == 2
    assert f"error: {tmp_path / 'no.json'}: cannot read stack outputs: No such file or directory" \
        in capsys.readouterr().err
