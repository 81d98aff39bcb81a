"""azapi resources (`azapi_resource`, `azapi_update_resource`) -> rulebook kinds, by their ARM type.

An azapi body is the resource's ARM request body: the same camelCase `properties` azure-native
reads, so rulebook/arm.py maps both. `type` is `<ARM type>@<api-version>` (case-insensitive); `body`
an object (azapi v2) or JSON text (azapi v1 `jsonencode(...)`). What cannot be read (the body, or
its `properties`, unknown at plan time) reads as Unknown for every property, never as unset.

`azapi_update_resource` patches a resource declared elsewhere (`resource_id`, or `parent_id` and
`name`): it is modelled as that resource with only the properties it sends known; every other
property is Unknown ("not set by this patch"), as the patch cannot say what the resource holds.
When its `resource_id` is the id of a resource of the same kind in this configuration, the patch is
folded into that resource instead (what it sends wins, as it is applied after the resource) and is
kept only as an unmapped resource for the secret scan.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from rulebook import arm
from rulebook.model import Ref, Resource
from rulebook.reader import Reader
from rulebook.unknown import Unknown

Attrs = dict[str, Any]
UNMAPPED = "unmapped"
NOT_PATCHED = "not set by this patch"


class _Partly(dict):  # type: ignore[type-arg]
    """Props of which the rest is not known: a key not given reads as `rest`, never as unset."""

    def __init__(self, known: Attrs, rest: Unknown) -> None:
        super().__init__(known)
        self.rest = rest

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(key, default if key in arm.PATH_KEYS else self.rest)


def body_object(body: Any) -> Attrs | Unknown | None:
    """The body as an object: v2 objects as they are, v1 JSON text decoded; None when unset."""
    if body is None or isinstance(body, (dict, Unknown)):
        return body
    if isinstance(body, str):
        try:
            decoded = json.loads(body)
        except json.JSONDecodeError:
            return Unknown("body is not JSON")
        return decoded if isinstance(decoded, dict) else Unknown("body is not a JSON object")
    return Unknown("body is not an object")


def flat_props(attrs: Attrs, patch: bool) -> Attrs:
    """The ARM body with `properties` flattened in (as azure-native inputs are), plus the resource's
    name, id and parent; a `_Partly` when part of it cannot be read or when it is a patch."""
    body = body_object(attrs.get("body"))
    own = {k: attrs.get(k) for k in ("name", "id") if attrs.get(k) is not None}
    if attrs.get("parent_id") is not None:
        own["parentId"] = attrs["parent_id"]
    if patch:  # the patched resource's id (what azapi also gives as the patch's own id); no name of its own
        own["id"] = attrs.get("resource_id")
        own.setdefault("name", None)
    if isinstance(body, Unknown):
        return _Partly(own, body)
    body = body or {}
    inner = body.get("properties")
    flat = {**{k: v for k, v in body.items() if k != "properties"}, **own}
    if isinstance(inner, dict):
        flat.update(inner)
    if isinstance(inner, Unknown):
        return _Partly(flat, inner)
    if patch:
        target = attrs.get("resource_id") or attrs.get("name") or "the patched resource"
        return _Partly(flat, Unknown(f"{NOT_PATCHED}; decided where {target} is declared"))
    return flat


def _build(patch: bool) -> Callable[[Any], tuple[str, Attrs]]:
    def build(c: Any) -> tuple[str, Attrs]:
        versioned = c.get("type")
        if not isinstance(versioned, str):
            why = versioned.reason if isinstance(versioned, Unknown) else "not set"
            c.notes.append(f"resource type is not known before apply ({why}): not analysed")
            return UNMAPPED, {}
        reader_for = arm.TYPES.get(arm.resource_type(versioned) or "")
        if reader_for is None:
            return UNMAPPED, {}
        reader = Reader(flat_props(c.attrs, patch), c.address)
        kind, props = reader_for(reader)
        c.notes.extend(reader.notes)
        return kind, props
    return build


def unanalysed(resource: Resource) -> list[str]:
    """What an azapi resource left unmapped says about why (its type unknown), for the scan's notes:
    an unmapped resource has no findings to carry them."""
    if resource.kind != UNMAPPED or resource.native_type not in MANAGED:
        return []
    return [f"{resource.address}: {note}" for note in resource.notes]


MANAGED: dict[str, Callable[[Any], tuple[str, Attrs]]] = {
    "azapi_resource": _build(patch=False),
    "azapi_update_resource": _build(patch=True),
}


def _patched(value: Any) -> bool:
    return not (isinstance(value, Unknown) and value.reason.startswith(NOT_PATCHED))


def fold_patches(resources: list[Resource]) -> list[Resource]:
    """Each azapi_update_resource whose resource_id is a Ref to the id of a resource of the same kind
    here is applied to that resource (the properties it sends replace the resource's) and left unmapped."""
    by_address = {r.address: r for r in resources}
    for patch in resources:
        target_id = patch.props.get("id")
        if patch.native_type != "azapi_update_resource" or not isinstance(target_id, Ref):
            continue
        target = by_address.get(target_id.address)
        if target is None or target is patch or target.kind != patch.kind or target_id.attribute != "id":
            continue
        target.props.update({k: v for k, v in patch.props.items() if k not in ("id", "name") and _patched(v)})
        target.notes.append(f"properties patched by {patch.address}")
        patch.kind, patch.props = UNMAPPED, {}
    return resources
