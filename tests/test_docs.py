"""Rule docs are generated from rule metadata; the committed ones must match (`make docs` rewrites them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import throwaway_rule
from rulebook import docs
from rulebook.rules import all_rules


def test_committed_docs_are_up_to_date() -> None:
    # In a fresh interpreter: the registry holds exactly the shipped rules, whatever other tests registered.
    done = subprocess.run([sys.executable, "-m", "rulebook.docs", "check"], cwd=docs.REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def widget_rule():
    rule = throwaway_rule.register()
    yield rule
    throwaway_rule.unregister()


def test_rule_page_holds_every_piece_of_metadata(widget_rule) -> None:
    page = docs.rule_page(widget_rule)
    assert page.splitlines()[2] == "# ZZZ-901: Widgets stay closed | always"
    for expected in [
        "| Severity | high |",
        "| Default enforcement | mandatory |",
        "| Practice area | P5: Network isolation of critical assets |",
        "| Resource kinds | `test.widget` |",
        "| Engines | Terraform (HCL and plan JSON); Pulumi (policy pack and gate) (partial, see engine notes) |",
        "| Pulumi policy name | `zzz-901-widgets-stay-closed-always` |",
        "## Rationale\n\nAn open widget lets anyone in.\n\nSecond paragraph of the rationale.\n",
        "## Remediation\n\nSet `open = false` on the widget.\n",
        "| NIST CSF 2.0 | PR.IR-01 |",
        "| CIS Controls v8 | 12.2, 13.4, 99.1 |",
        "| ISO/IEC 27001:2022 Annex A | 8.20, 8.22 |",
        "| ISO/IEC 27001:2013 Annex A | A.9.1.2, A.14.1.2 |",
        'Failing (flags `test_widget.w`):\n\n```hcl\nresource "test_widget" "w" {\n  open = true\n}\n```',
        'Passing:\n\n```hcl\nresource "test_widget" "w" {\n  open = false\n}\n```',
        "### Pulumi (policy pack and gate)\n\nFailing (flags `w`):\n\n```python\nWidget(\"w\", open=True)\n```",
        "- **Pulumi (policy pack and gate)**: Pulumi has no widgets; the pack cannot see this.",
        "  ZZZ-901: advisory   # mandatory | advisory | disabled",
    ]:
        assert expected in page, expected


def test_index_and_matrix(widget_rule) -> None:
    index = docs.index_page([widget_rule])
    assert "## P5: Network isolation of critical assets" in index
    assert "| [ZZZ-901](ZZZ-901.md) | high | Widgets stay closed \\| always | `zzz-901-widgets-stay-closed-always` |" \
        in index
    matrix = docs.matrix_page([widget_rule])
    assert ("| [ZZZ-901](rules/ZZZ-901.md) Widgets stay closed \\| always | high | P5 | PR.IR-01 | 12.2, 13.4, 99.1 "
            "| 8.20, 8.22 | A.9.1.2, A.14.1.2 |") in matrix
    assert "| 99.1 | ZZZ-901 |" in matrix
    assert "No rules are registered yet." in docs.index_page([])


def test_write_then_check_then_detect_drift(tmp_path: Path, widget_rule) -> None:
    rules = [widget_rule]
    written = docs.write(tmp_path, rules)
    assert sorted(map(str, written)) == ["docs/compliance-matrix.md", "docs/rules/README.md", "docs/rules/ZZZ-901.md"]
    assert docs.stale(tmp_path, rules) == []
    assert docs.write(tmp_path, rules) == []  # nothing changed, nothing rewritten

    page = tmp_path / "docs/rules/ZZZ-901.md"
    page.write_text(page.read_text() + "hand edit\n")
    (tmp_path / "docs/rules/QQQ-001.md").write_text("a rule that was removed\n")
    (tmp_path / "docs/compliance-matrix.md").unlink()
    assert docs.stale(tmp_path, rules) == [
        "docs/compliance-matrix.md: missing",
        "docs/rules/ZZZ-901.md: out of date",
        "docs/rules/QQQ-001.md: no such rule any more",
    ]
    docs.write(tmp_path, rules)
    assert docs.stale(tmp_path, rules) == []
    assert not (tmp_path / "docs/rules/QQQ-001.md").exists()


def test_check_command_exit_codes(tmp_path: Path, capsys) -> None:
    assert docs.main(["check", "--root", str(tmp_path)]) == 1
    assert "docs/rules/README.md: missing" in capsys.readouterr().err
    assert docs.main(["write", "--root", str(tmp_path)]) == 0
    assert docs.main(["check", "--root", str(tmp_path)]) == 0


def test_generation_is_deterministic() -> None:
    assert docs.generate() == docs.generate()
    assert set(docs.generate()) >= {docs.RULES_DIR / f"{r.id}.md" for r in all_rules()}
