"""The reference stacks' CI workflows pin every action by full commit SHA, with its release in a comment.

A tag can be moved to other code after review; a commit SHA cannot. The comment says which release the
SHA is, so a reader (and Dependabot) can tell what runs and update both together.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / "reference_stacks").glob("**/workflows/*.yml"))
PINNED = re.compile(r"^\s*-?\s*uses:\s*(?P<action>[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+)@(?P<sha>[0-9a-f]{40})"
                    r"\s+#\s*v\d+\.\d+\.\d+\s*$")
USES = re.compile(r"^\s*-?\s*uses:")


def unpinned(text: str) -> list[tuple[int, str]]:
    """(line, text) of every `uses:` line not pinned to a 40-hex SHA with a `# vX.Y.Z` comment."""
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
            if USES.match(line) and not PINNED.match(line)]


def test_every_stack_has_a_workflow():
    assert {p.parent.parent.name for p in WORKFLOWS} >= {"aws-terraform", "aws-pulumi", "azure-terraform",
                                                        "azure-pulumi"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.relative_to(ROOT).as_posix() for p in WORKFLOWS])
def test_every_action_is_pinned_by_sha_with_its_version(path):
    text = path.read_text("utf-8")
    steps = [s for job in yaml.safe_load(text)["jobs"].values() for s in job.get("steps", [])]
    uses_lines = [line for line in text.splitlines() if USES.match(line)]
    assert len(uses_lines) == sum("uses" in s for s in steps) > 0  # every step's `uses:` is on a line we check
    assert unpinned(text) == []


@pytest.mark.parametrize("line", [
    "      - uses: actions/setup-python@v5",
    "      - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065",
    "      - uses: actions/setup-python@PIN-SHA-OF-V5 # pin: <sha of v5>",
    "      - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d8706 # v5.6.0",
    "        uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065 # latest",
])
def test_unpinned_forms_are_caught(line):
    assert unpinned(line) == [(1, line.strip())]


def test_pinned_form_passes():
    assert unpinned("      - uses: github/codeql-action/upload-sarif@dd903d2e4f5405488e5ef1422510ee31c8b32357 # v3.36.2") == []
