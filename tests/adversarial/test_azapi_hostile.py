"""An azapi body written by a pull request as deeply nested JSON text is an input error naming the file and
line, never a crash, and the rest of the scan is still reported."""

from __future__ import annotations

import hcl_scanner

DEPTH = 200_000


def test_a_deeply_nested_body_is_an_input_error(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "azapi_resource" "sa" {\n  type = "Microsoft.Storage/storageAccounts@2023-05-01"\n'
        '  name = "x"\n  parent_id = "/subscriptions/s/resourceGroups/rg"\n'
        f'  body = "{"[" * DEPTH}{"]" * DEPTH}"\n}}\n'
        'resource "aws_ecr_repository" "app" {\n  name = "app"\n}\n')
    result = hcl_scanner.scan([str(tmp_path)], repo_root=str(tmp_path))
    assert [(e.file, e.line) for e in result.errors] == [("main.tf", 1)]
    assert "cannot translate azapi_resource.sa" in result.errors[0].message
    [inventory] = result.inventories
    assert [r.address for r in inventory.resources if r.kind == "aws.ecr.repository"] == ["aws_ecr_repository.app"]
