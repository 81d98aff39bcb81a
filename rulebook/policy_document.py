"""The AWS provider's policy document data source -> the IAM JSON document it renders.

One renderer for every engine: the Terraform scan (`data "aws_iam_policy_document"` evaluated from
HCL), the plan reader (the data source's arguments when Terraform deferred reading it) and the
Pulumi gate (`aws.iam.get_policy_document`, whose camelCase arguments are renamed first). Arguments
are Terraform-shaped: nested blocks are lists of dicts.

Rendered as a dict (not a string) so that Refs to roles and repositories and Unknown values
stay in place for the rules; parse_policy accepts the dict directly. Merge order follows the
provider: source documents first, then this document's statements (a statement whose sid matches a
source statement replaces it), then override documents (same sid replaces, others are appended).
"""

from __future__ import annotations

import json
from typing import Any

from rulebook.model import Ref
from rulebook.unknown import Unknown, UnknownKey


def _simplify(values: Any) -> Any:
    """The provider writes a single-element set as a bare string."""
    if isinstance(values, list) and len(values) == 1:
        return values[0]
    return values


def given(value: Any) -> bool:
    """Set to something: Unknown counts as set; None, "" and [] do not (a plan lists unset blocks
    and sets as empty lists). Never tests truthiness."""
    return value is not None and not (isinstance(value, (str, list)) and len(value) == 0)


def _principals(blocks: Any) -> Any:
    """`principals` blocks -> Principal; an unknown identifier list stays Unknown under its type."""
    if isinstance(blocks, Unknown):
        return blocks
    if not isinstance(blocks, list):
        return Unknown("principals must be written as blocks")
    out: dict[str, list] = {}
    for block in blocks:
        if isinstance(block, Unknown):
            return block
        if not isinstance(block, dict):
            return Unknown("principals must be written as blocks")
        ptype, idents = block.get("type"), block.get("identifiers")
        if isinstance(ptype, Unknown):
            return ptype
        if isinstance(idents, Unknown):
            out.setdefault(str(ptype), []).append(idents)
        else:
            out.setdefault(str(ptype), []).extend(idents if isinstance(idents, list) else [idents])
    if out == {"*": ["*"]}:
        return "*"
    return {k: _simplify(v) for k, v in out.items()}


def _conditions(blocks: Any) -> Any:
    """`condition` blocks -> Condition; blocks with the same test and variable add up their values."""
    if isinstance(blocks, Unknown):
        return blocks
    if not isinstance(blocks, list):
        return Unknown("condition must be written as blocks")
    out: dict[str, dict[str, Any]] = {}
    for block in blocks:
        if isinstance(block, Unknown):
            return block
        if not isinstance(block, dict):
            return Unknown("condition must be written as blocks")
        test, variable, values = block.get("test"), block.get("variable"), block.get("values")
        if isinstance(test, Unknown):
            return test
        if isinstance(variable, Unknown):  # keep the values: they still say what the condition admits
            variable = UnknownKey(Unknown(f"condition key: {variable.reason}"))
        slot = out.setdefault(str(test), {})
        key = variable if isinstance(variable, UnknownKey) else str(variable)
        if isinstance(values, Unknown) or isinstance(slot.get(key), Unknown):
            slot[key] = values if isinstance(values, Unknown) else slot[key]
            continue
        slot.setdefault(key, []).extend(values if isinstance(values, list) else [values])
    return {test: {var: _simplify(v) for var, v in by_var.items()} for test, by_var in out.items()}


_FIELDS = (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"),
           ("not_resources", "NotResource"))


def statement(block: dict) -> dict:
    """One IAM statement from a `statement` block (Terraform-shaped: nested blocks are lists)."""
    stmt: dict[str, Any] = {}
    if given(block.get("sid")):
        stmt["Sid"] = block["sid"]
    effect = block.get("effect")
    stmt["Effect"] = effect if given(effect) else "Allow"
    for attr, key in _FIELDS:
        value = block.get(attr)
        if given(value):
            stmt[key] = _simplify(value) if isinstance(value, list) else value
    for attr, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if given(block.get(attr)):
            stmt[key] = _principals(block[attr])
    if given(block.get("condition")):
        stmt["Condition"] = _conditions(block["condition"])
    return stmt


def _statements_of(document: Any, what: str) -> list | Unknown:
    """Statements of a source/override document given as a dict or a JSON string."""
    if isinstance(document, Unknown):
        return Unknown(f"{what} is not known at plan time ({document.reason})")
    if isinstance(document, Ref):
        return Unknown(f"{what} {document} is computed at apply time")
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as exc:
            return Unknown(f"{what} is not valid JSON: {exc.msg}")
    if not isinstance(document, dict):
        return Unknown(f"{what} is not a policy document")
    statements = document.get("Statement", [])
    if isinstance(statements, (dict, Unknown)):
        return [statements] if isinstance(statements, dict) else statements
    return list(statements) if isinstance(statements, list) else Unknown(f"{what} has no statement list")


def _merge(base: list, extra: list) -> list:
    """Append statements; one whose Sid matches an earlier statement replaces it."""
    out = list(base)
    for stmt in extra:
        sid = stmt.get("Sid") if isinstance(stmt, dict) else None
        if not isinstance(sid, str) or not sid:
            out.append(stmt)
            continue
        hit = next((i for i, s in enumerate(out) if isinstance(s, dict) and s.get("Sid") == sid), None)
        if hit is not None:
            out[hit] = stmt
        else:
            out.append(stmt)
    return out


def render(attrs: dict) -> dict:
    """The IAM policy JSON (as a dict) of an aws_iam_policy_document's arguments, evaluated from HCL
    or read from a plan. Undecidable parts become an Unknown Statement list with the reason."""
    version = attrs.get("version")
    doc: dict[str, Any] = {"Version": version if given(version) else "2012-10-17"}
    if given(attrs.get("policy_id")):
        doc["Id"] = attrs["policy_id"]
    statements = _merge_documents([], attrs, ("source_json", "source_policy_documents"))
    own = _statement_blocks(attrs.get("statement"))
    if not isinstance(statements, Unknown):
        statements = own if isinstance(own, Unknown) else _merge(statements, [statement(b) for b in own])
    if not isinstance(statements, Unknown):
        statements = _merge_documents(statements, attrs, ("override_json", "override_policy_documents"))
    doc["Statement"] = statements
    return doc


def _statement_blocks(blocks: Any) -> list[dict] | Unknown:
    if blocks is None:
        return []
    if isinstance(blocks, Unknown):
        return blocks
    if not isinstance(blocks, list):
        return Unknown("statement must be written as blocks")
    for block in blocks:
        if isinstance(block, Unknown):
            return block
        if not isinstance(block, dict):
            return Unknown("statement must be written as blocks")
    return blocks


def _merge_documents(statements: list, attrs: dict, fields: tuple[str, ...]) -> list | Unknown:
    """Merge the statements of the documents named by `fields` (source or override) in order."""
    for field_name in fields:
        documents = attrs.get(field_name)
        if not given(documents):
            continue
        if isinstance(documents, Unknown):
            return Unknown(f"{field_name} is not known at plan time ({documents.reason})")
        listed = isinstance(documents, list)
        for i, document in enumerate(documents if listed else [documents]):
            found = _statements_of(document, f"{field_name}[{i}]" if listed else field_name)
            if isinstance(found, Unknown):
                return found
            statements = _merge(statements, found)
    return statements
