"""A resource monitor that records every registration the way the engine would see it.

Built on pulumi.runtime.mocks: a MockMonitor subclass keeps, per resource, its type, name, URN,
inputs (as the engine receives them: unknown sentinels and secrets intact), parent, dependencies,
property dependencies, provider, options and source position, and answers with computed outputs.
"""

from __future__ import annotations

from typing import Any, Optional
from urllib.parse import unquote, urlparse

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import mocks
from pulumi.runtime.proto import resource_pb2

from . import invokes, outputs

RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
SIG_KEY = "4dabf18193072939515e22adb298388d"


def engine_view(value: Any) -> Any:
    """Inputs as the engine marshals them for analyzers: resource references become their ID (or URN)."""
    if isinstance(value, dict):
        sig = value.get(SIG_KEY)
        if sig == RESOURCE_REF_SIG:
            return value.get("id") or value.get("urn", "")
        if sig == OUTPUT_VALUE_SIG:
            return engine_view(value.get("value", outputs.UNKNOWN))
        return {k: engine_view(v) for k, v in value.items()}
    if isinstance(value, list):
        return [engine_view(v) for v in value]
    return value


def _source(request: Any) -> dict[str, Any] | None:
    pos = getattr(request, "sourcePosition", None)
    if pos is None or not pos.uri:
        return None
    parsed = urlparse(pos.uri)
    return {"file": unquote(parsed.path), "line": pos.line or None}


class GateMocks(mocks.Mocks):
    """Provider functions answered offline; resources are handled by the monitor itself."""

    def __init__(self, cloud: outputs.Cloud) -> None:
        self.cloud = cloud
        self.unanswered: list[str] = []  # functions the gate does not know: their results are empty

    def call(self, args: mocks.MockCallArgs):  # type: ignore[override]
        if not invokes.answers(args.token) and args.token not in self.unanswered:
            self.unanswered.append(args.token)
        return invokes.call(args.token, dict(args.args or {}), self.cloud)

    def new_resource(self, args: mocks.MockResourceArgs):  # type: ignore[override]
        return "", {}


class RecordingMonitor(mocks.MockMonitor):
    def __init__(self, preview: bool, cloud: outputs.Cloud = outputs.DEFAULT_CLOUD) -> None:
        super().__init__(GateMocks(cloud))
        self.preview = preview
        self.cloud = cloud
        self.records: list[dict[str, Any]] = []

    def _record(self, request: Any, urn: str, inputs: dict[str, Any], id_: str, state: dict[str, Any],
                custom: bool, read: bool = False) -> None:
        options: dict[str, Any] = {}
        for field in ("protect", "deleteBeforeReplace", "deleteBeforeReplaceDefined"):
            if hasattr(request, field):
                options[field] = bool(getattr(request, field))
        for field in ("ignoreChanges", "additionalSecretOutputs"):
            options[field] = [str(v) for v in getattr(request, field, [])]
        options["aliases"] = [str(v) for v in getattr(request, "aliasURNs", [])]
        self.records.append({
            "type": request.type, "name": request.name, "urn": urn, "custom": custom, "read": read,
            "parent": request.parent or "", "provider": getattr(request, "provider", "") or "",
            "dependencies": list(getattr(request, "dependencies", [])),
            "property_dependencies": {k: list(v.urns) for k, v in
                                      getattr(request, "propertyDependencies", {}).items() if v.urns},
            "inputs": inputs, "outputs": state, "id": id_, "options": options, "source": _source(request),
        })

    def add_default_provider(self, package: str, config: dict[str, str], keys: tuple[str, ...]) -> None:
        """The engine's default provider of `package`, when the program used it without an explicit one,
        with the stack config keys it reads (e.g. aws:allowedAccountIds), as the analyzer sees it."""
        if not any(r["type"].startswith(f"{package}:") and not r["provider"] for r in self.records):
            return
        inputs = {k: config[f"{package}:{k}"] for k in keys
                  if f"{package}:{k}" in config and config[f"{package}:{k}"] != "[secret]"}
        if not inputs:
            return
        stack = next((r["urn"] for r in self.records if r["type"] == "pulumi:pulumi:Stack"), "")
        prefix = stack.split("::pulumi:pulumi:Stack::")[0] if stack else "urn:pulumi:stack::project"
        self.records.append({
            "type": f"pulumi:providers:{package}", "name": "default",
            "urn": f"{prefix}::pulumi:providers:{package}::default",
            "custom": True, "read": False, "parent": "", "provider": "", "dependencies": [],
            "property_dependencies": {}, "inputs": inputs, "outputs": dict(inputs), "id": "default", "options": {},
            "source": None})

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """As the engine does: the root stack is not part of its children's qualified type."""
        if parent and parent.split("::")[2].split("$")[-1] == "pulumi:pulumi:Stack":
            parent = ""
        return super().make_urn(parent, type_, name)

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            self._record(request, urn, {}, "", {}, custom=False)
            self.records[-1]["source"] = None
            return resource_pb2.RegisterResourceResponse(urn=urn)
        inputs = engine_view(json_format.MessageToDict(request.object))
        inputs.update(outputs.autoname(request.type, request.name, urn, inputs))
        id_, extra = outputs.computed(request.type, request.name, urn, inputs, bool(request.custom), self.preview,
                                      self.cloud)
        state = {**inputs, **extra}
        self.resources[urn] = mocks.MockMonitor.ResourceRegistration(urn, id_, state)
        self._record(request, urn, inputs, id_, state, custom=bool(request.custom))
        obj = struct_pb2.Struct()
        obj.update(state)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=obj)

    def ReadResource(self, request):  # noqa: N802
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs = engine_view(json_format.MessageToDict(request.properties))
        # an existing resource (Resource.get, StackReference): its outputs exist, except a stack
        # reference's, which only the referenced stack knows (unknown in a preview, empty otherwise)
        _, extra = outputs.computed(request.type, request.name, urn, inputs, True,
                                    self.preview and request.type == "pulumi:pulumi:StackReference", self.cloud)
        state = {**inputs, **extra, "id": request.id}
        self.resources[urn] = mocks.MockMonitor.ResourceRegistration(urn, request.id, state)
        self._record(request, urn, inputs, request.id, state, custom=True, read=True)
        obj = struct_pb2.Struct()
        obj.update(state)
        return resource_pb2.ReadResourceResponse(urn=urn, properties=obj)


def install(preview: bool, project: str, stack: str, organization: Optional[str] = None,
            cloud: outputs.Cloud = outputs.DEFAULT_CLOUD) -> RecordingMonitor:
    monitor = RecordingMonitor(preview, cloud)
    mocks.set_mocks(monitor.mocks, project=project, stack=stack, preview=preview, monitor=monitor,
                    organization=organization or "organization")
    return monitor
