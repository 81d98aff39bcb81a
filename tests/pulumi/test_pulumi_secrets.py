"""SEC rules through the real pack: a program full of fake secrets (programs/secrets), exact findings.

Values the program wraps as Pulumi secrets (a tag, a Lambda variable) are not plain-text literals;
every other value is read as written.
"""

from __future__ import annotations

import pytest

from preview_gate import run_gate

from conftest import PROGRAMS


@pytest.fixture(scope="module")
def report():
    return run_gate(str(PROGRAMS / "secrets"))


def test_secret_findings_of_the_program(report):
    assert report.errors == []
    rows = sorted((f.rule_id, f.resource, f.line, f.status.value) for f in report.findings
                  if f.rule_id.startswith("SEC"))
    assert rows == [
        ("SEC-001", "agent", 37, "failed"),
        ("SEC-001", "creds-object", 14, "failed"),
        ("SEC-001", "tagged", 16, "failed"),
        ("SEC-001", "tagged", 16, "failed"),
        ("SEC-002", "build", 19, "failed"),
        ("SEC-002", "task", 30, "failed"),
        ("SEC-003", "agent", 37, "failed"),
        ("SEC-003", "runners", 39, "failed"),
        ("SEC-005", "agent", 37, "failed"),
    ]


def test_messages_show_only_redacted_forms(report):
    messages = sorted(f.message for f in report.findings if f.rule_id in ("SEC-001", "SEC-003"))
    assert "tags.key holds an AWS access key (AKIA****, 20 characters)" in messages
    assert ("bootstrap script passes a password to docker login (Fake****, 19 characters) at line 1 of the script"
            in messages)


def test_the_sdk_deserializer_keeps_pulumi_secrets_recognisable():
    from pulumi_policy import policy as sdk

    from policypack import secret_inputs
    from rulebook.adapters import SecretText, leaves

    assert secret_inputs.apply() and secret_inputs.apply()  # idempotent
    envelope = {secret_inputs.SIG_KEY: secret_inputs.SECRET_SIG}
    props = sdk.deserialize_properties({"a": {**envelope, "value": "x"}, "b": "y",
                                        "c": {**envelope, "value": {"d": ["e"], "n": 1}}})
    assert props == {"a": "x", "b": "y", "c": {"d": ["e"], "n": 1}}
    assert isinstance(props["a"], SecretText) and isinstance(props["c"]["d"][0], SecretText)
    assert not isinstance(props["b"], SecretText)
    assert list(leaves(props)) == [("b", "y"), ("c.n", 1)]


SECRET_OUTPUT = '''
import json

import pulumi
import pulumi_aws as aws
import pulumi_azure_native as azure_native

role = aws.iam.Role("generated", assume_role_policy=json.dumps({{"Version": "2012-10-17", "Statement": []}}),
                    opts=pulumi.ResourceOptions(additional_secret_outputs={secret}))
azure_native.synapse.Workspace("ws", resource_group_name="rg", location="westeurope",
    default_data_lake_storage={{"account_url": "https://x.dfs.core.windows.net", "filesystem": "fs"}},
    sql_administrator_login="sqladminuser", sql_administrator_login_password=role.unique_id)
'''


@pytest.mark.parametrize("secret, expected", [(["uniqueId"], []), ([], [("SEC-001", "ws", 9, "failed")])],
                         ids=["secret output", "plain output"])
def test_an_output_the_resource_keeps_secret_reaches_the_next_resource_as_a_secret(tmp_path, secret, expected):
    """`additional_secret_outputs` (a RandomPassword's result) comes back secret, as the engine returns it."""
    (tmp_path / "__main__.py").write_text(SECRET_OUTPUT.format(secret=secret).lstrip("\n"))
    (tmp_path / "Pulumi.yaml").write_text("name: secret-outputs\nruntime: python\n")
    report = run_gate(str(tmp_path))
    assert report.errors == []
    assert [(f.rule_id, f.resource, f.line, f.status.value) for f in report.findings if f.rule_id == "SEC-001"] \
        == expected
