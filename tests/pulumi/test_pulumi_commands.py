"""Pulumi command resources (pulumi-command) through the gate: SEC-003 and SEC-001, exact findings.

A command the program marks secret is still read by SEC-003 (as user data is): a credential on a
command line shows in the runner's process list and logs wherever it came from. SEC-001 does not read
values marked secret (its engine note).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from preview_gate import run_gate

from conftest import PROGRAMS

sys.path.insert(0, str(Path(__file__).parents[1]))  # tests/, for fake_secrets
import fake_secrets as fake  # noqa: E402


@pytest.fixture(scope="module")
def report():
    return run_gate(str(PROGRAMS / "commands"))


def test_command_findings(report):
    assert report.errors == []
    rows = sorted((f.rule_id, f.resource, f.line, f.status.value, f.message) for f in report.findings
                  if f.rule_id.startswith("SEC"))
    assert rows == [
        ("SEC-001", "host-key", 17, "failed", "create holds an AWS access key (AKIA****, 20 characters)"),
        ("SEC-003", "cleanup", 15, "failed", "command run on the CI runner runs aws configure set "
         "aws_secret_access_key (Fake****, 21 characters) at line 2 of the delete command"),
        ("SEC-003", "host-key", 17, "failed", "command run on the remote host holds an AWS access key "
         "(AKIA****, 20 characters) at line 1 of the command"),
        ("SEC-003", "login", 12, "failed", "command run on the CI runner passes a password to docker login "
         "(Fake****, 19 characters) at line 1 of the command"),
        ("SEC-003", "secret-input", 19, "failed", "command run on the CI runner passes a password to docker login "
         "(Fake****, 19 characters) at line 1 of the command"),
    ]


def test_no_secret_is_printed(report):
    text = " ".join(f.message for f in report.findings)
    assert not any(s in text for s in (fake.DOCKER_PASSWORD, fake.SCRIPT_SECRET, fake.AWS_KEY_ID))
