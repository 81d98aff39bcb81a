"""data "aws_iam_policy_document" -> the IAM JSON document the AWS provider would render.

Rendered as a dict (not a string) so that Refs to roles and repositories and Unknown values
stay in place for the rules; parse_policy accepts the dict directly. Merge order follows the
provider: source_policy_documents first, then this document's statements (a statement whose
sid matches a source statement replaces it), then override_policy_documents (same sid
replaces, others are appended).
"""

from __future__ import annotations

import json
from typing import Any

from rulebook.model import Ref
from rulebook.unknown import Unknown


def _simplify(values: Any) -> Any:
    """The provider writes a single-element set as a bare string."""
    if isinstance(values, list) and len(values) == 1:
        return values[0]
    return values


def _principals(blocks: Any) -> Any:
    if isinstance(blocks, Unknown):
        return blocks
    out: dict[str, list] = {}
    if not isinstance(blocks, list):
        return Unknown("principals must be written as blocks")
    for block in blocks:
        if isinstance(block, Unknown):
            return block
        if not isinstance(block, dict):
            return Unknown("principals must be written as blocks")
        ptype = block.get("type")
        idents = block.get("identifiers")
        if isinstance(ptype, Unknown) or isinstance(idents, Unknown):
            return ptype if isinstance(ptype, Unknown) else idents
        if not isinstance(idents, list):
            idents = [idents]
        if ptype == "*" and idents == ["*"]:
            return "*"
        out.setdefault(str(ptype), []).extend(idents)
    return {k: _simplify(v) for k, v in out.items()}


def _conditions(blocks: Any) -> Any:
    if isinstance(blocks, Unknown):
        return blocks
    out: dict[str, dict[str, Any]] = {}
    if not isinstance(blocks, list):
        return Unknown("condition must be written as blocks")
    for block in blocks:
        if isinstance(block, Unknown):
            return block
        if not isinstance(block, dict):
            return Unknown("condition must be written as blocks")
        test, variable, values = block.get("test"), block.get("variable"), block.get("values")
        for part in (test, variable):
            if isinstance(part, Unknown):
                return part
        values = values if isinstance(values, (list, Unknown)) else [values]
        out.setdefault(str(test), {})[str(variable)] = _simplify(values) if isinstance(values, list) else values
    return out


_FIELDS = (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"),
           ("not_resources", "NotResource"))


def _statement(block: dict) -> dict:
    stmt: dict[str, Any] = {}
    if block.get("sid") not in (None, ""):
        stmt["Sid"] = block["sid"]
    effect = block.get("effect")
    stmt["Effect"] = "Allow" if effect is None else effect
    for attr, key in _FIELDS:
        value = block.get(attr)
        if value is not None:
            stmt[key] = _simplify(value) if isinstance(value, list) else value
    for attr, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if attr in block:
            stmt[key] = _principals(block[attr])
    if "condition" in block:
        stmt["Condition"] = _conditions(block["condition"])
    return stmt


def _statements_of(document: Any) -> list | Unknown:
    """Statements of a source/override document given as a dict or a JSON string."""
    if isinstance(document, Unknown):
        return document
    if isinstance(document, Ref):
        return Unknown(f"policy document {document} is computed at apply time")
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as exc:
            return Unknown(f"source/override policy document is not valid JSON ({exc.msg})")
    if not isinstance(document, dict):
        return Unknown("source/override policy document is not an object")
    statements = document.get("Statement", [])
    if isinstance(statements, (dict, Unknown)):
        return [statements] if isinstance(statements, dict) else statements
    return list(statements)


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
    """The IAM policy JSON (as a dict) of an evaluated aws_iam_policy_document's arguments."""
    version = attrs.get("version")
    doc: dict[str, Any] = {"Version": "2012-10-17" if version is None else version}
    if attrs.get("policy_id") is not None:
        doc["Id"] = attrs["policy_id"]
    statements = _merge_documents([], attrs, ("source_policy_documents", "source_json"))
    if isinstance(statements, Unknown):
        doc["Statement"] = statements
        return doc
    own = attrs.get("statement", [])
    if isinstance(own, Unknown):
        doc["Statement"] = own
        return doc
    if not isinstance(own, list):
        doc["Statement"] = Unknown("statement must be written as blocks")
        return doc
    for block in own:
        if isinstance(block, Unknown):
            doc["Statement"] = block
            return doc
        if not isinstance(block, dict):
            doc["Statement"] = Unknown("statement must be written as blocks")
            return doc
    statements = _merge(statements, [_statement(b) for b in own])
    doc["Statement"] = _merge_documents(statements, attrs, ("override_policy_documents", "override_json"))
    return doc


def _merge_documents(statements: list, attrs: dict, fields: tuple[str, ...]) -> list | Unknown:
    """Merge the statements of the documents named by `fields` (source or override) in order."""
    for field_name in fields:
        documents = attrs.get(field_name)
        if documents is None:
            continue
        for document in documents if isinstance(documents, list) else [documents]:
            found = _statements_of(document)
            if isinstance(found, Unknown):
                return found
            statements = _merge(statements, found)
    return statements
