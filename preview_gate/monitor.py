"""A resource monitor that records every registration the way the engine would see it.

Built on pulumi.runtime.mocks: a MockMonitor subclass keeps, per resource, its type, name, URN,
inputs (as the engine receives them: unknown sentinels and secrets intact), parent, dependencies,
property dependencies, provider, options and source position, and answers with computed outputs.
"""

from __future__ import annotations

from typing import Any, Optional
from urllib.parse import unquote, urlparse

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import mocks, rpc
from pulumi.runtime.sync_await import _ensure_event_loop
from pulumi.runtime.proto import resource_pb2

from . import invokes, outputs, references, sdk_types
from .sdk_types import DECLARED, OUTPUT_FORM, is_unknown
from pulumi.runtime.rpc import UNKNOWN

RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def secret_texts(value: Any, inside: bool = False) -> set[str]:
    """The plain text of every Pulumi secret in a marshalled value: the engine hides these from what it
    prints, and so does the gate."""
    if isinstance(value, dict):
        inside = inside or value.get(SIG_KEY) == SECRET_SIG or (value.get(SIG_KEY) == OUTPUT_VALUE_SIG
                                                                and bool(value.get("secret")))
        return set().union(*(secret_texts(v, inside) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(secret_texts(v, inside) for v in value)) if value else set()
    if inside and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = str(value)
        return {text} if text and text not in (SECRET_SIG, OUTPUT_VALUE_SIG) and UNKNOWN not in text else set()
    return set()


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
    return outputs.UNKNOWN if is_unknown(value) else value


def _plain(value: Any) -> Any:
    """Invoke arguments as the gate's functions read them: the SDK's unknowns (and text built from a
    stand-in) become the engine's unknown sentinel."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if type(value).__name__ == "Unknown" or is_unknown(value):
        return outputs.UNKNOWN
    return value


def _has_unknown(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknown(v) for v in value)
    return value == outputs.UNKNOWN


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
        self.unanswered: list[str] = []  # functions answered with unknowns (or stand-ins), in call order

    def _note(self, token: str) -> None:
        if token not in self.unanswered:
            self.unanswered.append(token)

    def result(self, token: str, args: dict[str, Any], output_form: bool) -> dict[str, Any] | None:
        """The function's result; None when it is wholly unknown (only an Output can hold that)."""
        args = _plain(args)
        if invokes.answers(token) and not (output_form and _has_unknown(args)):
            return invokes.call(token, args, self.cloud)
        self._note(token)
        if output_form:
            return None
        typ = DECLARED.functions.get(token)
        known = lambda name: invokes.computable(name, self.cloud)  # noqa: E731
        return sdk_types.result_of(typ, known) if typ is not None else {}

    def call(self, args: mocks.MockCallArgs):  # type: ignore[override]
        return self.result(args.token, dict(args.args or {}), False) or {}

    def new_resource(self, args: mocks.MockResourceArgs):  # type: ignore[override]
        return "", {}


class RecordingMonitor(mocks.MockMonitor):
    def __init__(self, preview: bool, cloud: outputs.Cloud = outputs.DEFAULT_CLOUD,
                 stack_outputs: dict[str, dict[str, Any]] | None = None) -> None:
        super().__init__(GateMocks(cloud))
        self.preview = preview
        self.cloud = cloud
        self.stack_outputs = stack_outputs or {}  # referenced stack name -> its outputs, as given
        self.stack_references: list[dict[str, Any]] = []  # the references read, and whether they were known
        self.records: list[dict[str, Any]] = []
        self.not_computed: list[str] = []  # "type.property" outputs left unknown without --preview
        self.remote: list[str] = []  # multi-language components: their children run in a plugin
        self.secrets: set[str] = set()  # plain text of Pulumi secrets, never printed

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
            "remote": bool(getattr(request, "remote", False)),
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

    def _nested(self, urn: str) -> Any:
        """Fields of an output object the provider computes (a managed identity's principal)."""
        def fill(name: str, hint: Any) -> Any:
            if name in ("principalId", "clientId", "objectId"):
                return outputs.UNKNOWN if self.preview else outputs.guid(urn, name)
            if name == "tenantId":
                return self.cloud.tenant
            return None
        return fill

    @staticmethod
    def _auto_named(token: str) -> bool:
        """An aws resource with `name` and `namePrefix` inputs: the provider names it when the program
        does not (Pulumi's auto-naming)."""
        if not token.startswith("aws:") or outputs.AUTONAME.get(token):
            return False
        settable = sdk_types.resource_inputs(DECLARED.resources.get(token))
        return {"name", "namePrefix"} <= settable

    def _shape(self, token: str, urn: str, given: dict[str, Any], custom: bool) -> tuple[dict, dict]:
        """(state the SDK gets back, outputs the analyzer sees): every declared output in the provider's
        shape; what the gate cannot compute is left out of the first (the SDK resolves it unknown, as in a
        preview) and is the engine's unknown in the second."""
        cls = DECLARED.resources.get(token) if custom else None
        declared = sdk_types.resource_outputs(cls)
        settable = sdk_types.resource_inputs(cls)
        fill = self._nested(urn)
        state = {k: sdk_types.conform(v, declared[k], fill) if k in declared else v for k, v in given.items()}
        if "tagsAll" in declared and "tagsAll" not in state and not self.preview:
            state["tagsAll"] = state.get("tags") or {}  # no provider default tags offline
        # what only the provider computes; an input left unset stays unset for the rules (the program
        # itself sees it unknown, as the SDK resolves everything not returned)
        missing = [k for k in declared if k not in state and k not in settable]
        if not declared and custom:
            missing = [k for k in DECLARED.untyped.get(token, []) if k not in state]
        if custom and not self.preview:  # in a preview nothing computed is known: no news
            left = missing + [k for k, v in state.items()
                              if v == outputs.UNKNOWN and (k not in settable if declared else True)]
            for key in left:
                if f"{outputs.normalise(token)}.{key}" not in self.not_computed:
                    self.not_computed.append(f"{outputs.normalise(token)}.{key}")
        seen = {**state, **{k: outputs.UNKNOWN for k in missing}}
        return {k: v for k, v in state.items() if v != outputs.UNKNOWN}, seen

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            self._record(request, urn, {}, "", {}, custom=False)
            self.records[-1]["source"] = None
            return resource_pb2.RegisterResourceResponse(urn=urn)
        if getattr(request, "remote", False):
            self.remote.append(f"{request.type} {request.name}")
        raw = json_format.MessageToDict(request.object)
        self.secrets |= secret_texts(raw)
        inputs = engine_view(raw)
        inputs.update(outputs.autoname(request.type, request.name, urn, inputs))
        if self._auto_named(request.type) and inputs.get("name") in (None, "") and not inputs.get("namePrefix"):
            inputs["name"] = f"{request.name}-{outputs.digest(urn)[:7]}"
        id_, extra = outputs.computed(request.type, request.name, urn, inputs, bool(request.custom), self.preview,
                                      self.cloud)
        state, seen = self._shape(request.type, urn, {**inputs, **extra}, bool(request.custom))
        self.resources[urn] = mocks.MockMonitor.ResourceRegistration(urn, id_, seen)
        if request.custom:
            inputs = sdk_types.checked_inputs(DECLARED.resources.get(request.type), inputs)
        self._record(request, urn, inputs, id_, seen, custom=bool(request.custom))
        obj = struct_pb2.Struct()
        if not getattr(request, "remote", False):  # a remote component's outputs come from its plugin: unknown
            obj.update(self._secret_outputs(request, state))
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=obj)

    def _secret_outputs(self, request: Any, state: dict[str, Any]) -> dict[str, Any]:
        """The outputs a resource asks to keep secret (`additional_secret_outputs`: a RandomPassword's
        `result`, say) come back secret, as the engine returns them, so the program passes them on as secrets."""
        wanted = set(getattr(request, "additionalSecretOutputs", ()) or ())
        if not wanted or not getattr(request, "acceptSecrets", True):
            return state
        out = dict(state)
        for key in wanted & set(state):
            self.secrets |= secret_texts({SIG_KEY: SECRET_SIG, "value": state[key]})
            out[key] = {SIG_KEY: SECRET_SIG, "value": state[key]}
        return out

    def _read_reference(self, request: Any, inputs: dict[str, Any]) -> tuple[dict, dict]:
        """A stack reference's outputs as the engine reads them from the backend, in a preview too."""
        found = references.reference_state(inputs.get("name"), self.stack_outputs)
        known = found["outputs"] != UNKNOWN
        self.stack_references.append({"resource": request.name, "stack": str(inputs.get("name")), "known": known,
                                      "secret": found["secretOutputNames"] if known else []})
        seen = {**inputs, **found, "id": request.id}
        return {k: v for k, v in seen.items() if v != UNKNOWN}, seen

    def ReadResource(self, request):  # noqa: N802
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs = engine_view(json_format.MessageToDict(request.properties))
        if request.type == references.STACK_REFERENCE:
            state, seen = self._read_reference(request, inputs)
        else:  # an existing resource (Resource.get): its outputs exist
            _, extra = outputs.computed(request.type, request.name, urn, inputs, True, False, self.cloud)
            state, seen = self._shape(request.type, urn, {**inputs, **extra, "id": request.id}, True)
        self.resources[urn] = mocks.MockMonitor.ResourceRegistration(urn, request.id, seen)
        self._record(request, urn, inputs, request.id, seen, custom=True, read=True)
        obj = struct_pb2.Struct()
        obj.update(state)
        return resource_pb2.ReadResourceResponse(urn=urn, properties=obj)

    def Invoke(self, request):  # noqa: N802
        if request.tok == "pulumi:pulumi:getResource":
            return super().Invoke(request)
        _ensure_event_loop()
        args = rpc.deserialize_properties(request.args)
        result = self.mocks.result(request.tok, dict(args or {}), OUTPUT_FORM.get())
        if result is None:
            return resource_pb2.ResourceInvokeResponse(unknown=True)
        ret = struct_pb2.Struct()
        ret.update(result)
        return resource_pb2.ResourceInvokeResponse(**{"return": ret})


def install(preview: bool, project: str, stack: str, organization: Optional[str] = None,
            cloud: outputs.Cloud = outputs.DEFAULT_CLOUD,
            stack_outputs: dict[str, dict[str, Any]] | None = None) -> RecordingMonitor:
    monitor = RecordingMonitor(preview, cloud, stack_outputs)
    sdk_types.install_hooks()
    # The SDK always runs as in a preview: an output the gate leaves out is unknown (apply callbacks
    # wait), never None; without --preview the gate simply computes more of them.
    mocks.set_mocks(monitor.mocks, project=project, stack=stack, preview=True, monitor=monitor,
                    organization=organization or "organization")
    return monitor
