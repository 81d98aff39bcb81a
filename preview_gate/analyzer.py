"""Play the Pulumi engine's part towards a policy pack: start it, configure it, analyze resources.

The pack is started as the engine starts a Python policy pack (`python -u -m pulumi.policy
<engine-address> .` in the pack directory, PULUMI_* environment, port on the first stdout line), and
driven over the Analyzer gRPC service with the engine's own request shapes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import grpc
import jsonschema
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2, engine_pb2_grpc

from policypack.messages import RESULTS_ENV, read_records
from rulebook import safe_yaml

STARTUP_TIMEOUT = 60.0
RPC_TIMEOUT = 300.0
_MAX_MESSAGE = 400 * 1024 * 1024
CHANNEL_OPTIONS = [("grpc.max_receive_message_length", _MAX_MESSAGE), ("grpc.max_send_message_length", _MAX_MESSAGE)]
LEVELS = {analyzer_pb2.ADVISORY: "advisory", analyzer_pb2.MANDATORY: "mandatory",
          analyzer_pb2.REMEDIATE: "remediate", analyzer_pb2.DISABLED: "disabled"}
LEVEL_VALUES = {v: k for k, v in LEVELS.items()}
SEVERITIES = {analyzer_pb2.POLICY_SEVERITY_LOW: "low", analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
              analyzer_pb2.POLICY_SEVERITY_HIGH: "high", analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical"}


class PackError(Exception):
    """The policy pack could not be started or answered with an error."""


class PackConfigError(ValueError):
    """Policy pack configuration rejected as the Pulumi CLI would reject it."""


class _Engine(engine_pb2_grpc.EngineServicer):
    """The engine service a plugin may log to; messages are kept for the report."""

    def __init__(self) -> None:
        self.logs: list[tuple[int, str]] = []
        self.root = ""

    def Log(self, request, context):  # noqa: N802
        self.logs.append((request.severity, request.message))
        return empty_pb2.Empty()

    def GetRootResource(self, request, context):  # noqa: N802
        return engine_pb2.GetRootResourceResponse(urn=self.root)

    def SetRootResource(self, request, context):  # noqa: N802
        self.root = request.urn
        return engine_pb2.SetRootResourceResponse()


@dataclass
class PackProject:
    directory: Path
    name: str
    version: str
    python: str


def load_pack(directory: str | Path) -> PackProject:
    """PulumiPolicy.yaml: runtime python, its virtualenv (as the CLI resolves it), version."""
    path = Path(directory).resolve()
    manifest = path / "PulumiPolicy.yaml"
    if not manifest.is_file():
        raise PackError(f"{path}: not a policy pack (no PulumiPolicy.yaml)")
    try:
        data = safe_yaml.read(manifest) or {}
    except safe_yaml.YamlError as exc:
        raise PackError(f"{manifest}{f':{exc.line}' if exc.line else ''}: {exc}") from None
    if not isinstance(data, dict):
        raise PackError(f"{manifest}: must be a mapping")
    runtime = data.get("runtime")
    name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if name != "python":
        raise PackError(f"{manifest}: runtime {name!r} is not supported (python expected)")
    options = runtime.get("options") or {} if isinstance(runtime, dict) else {}
    python = sys.executable
    venv = options.get("virtualenv")
    if venv:
        candidate = path / venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        if candidate.exists():
            python = os.path.abspath(candidate)  # the pack runs in its own directory: no relative paths
    return PackProject(path, path.name, str(data.get("version") or "0.0.1"), python)


@dataclass
class StackInfo:
    project: str
    stack: str
    organization: str = "organization"
    dry_run: bool = False
    config: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    program_dir: str = ""


class PackProcess:
    """A running policy pack and a fake engine service; always stopped by close() (or `with`)."""

    def __init__(self, pack: PackProject, stack: StackInfo, extra_env: dict[str, str] | None = None,
                 startup_timeout: float | None = None) -> None:
        startup_timeout = startup_timeout or STARTUP_TIMEOUT
        self.pack = pack
        self.engine = _Engine()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), options=CHANNEL_OPTIONS)
        engine_pb2_grpc.add_EngineServicer_to_server(self.engine, self._server)
        self.engine_address = f"127.0.0.1:{self._server.add_insecure_port('127.0.0.1:0')}"
        self._server.start()
        self._stderr = tempfile.TemporaryFile()
        results = tempfile.NamedTemporaryFile(prefix="cicd-guard-results-", suffix=".jsonl", delete=False)
        results.close()
        self.results_path, self._results_offset = results.name, 0
        env = {**os.environ, **(extra_env or {}), RESULTS_ENV: self.results_path,
               "PULUMI_PROJECT": stack.project, "PULUMI_STACK": stack.stack,
               "PULUMI_DRY_RUN": "true" if stack.dry_run else "false", "PULUMI_ORGANIZATION": stack.organization,
               "PULUMI_CONFIG": json.dumps(stack.config)}
        self.proc: subprocess.Popen | None = None
        self.channel: grpc.Channel | None = None
        try:
            try:
                self.proc = subprocess.Popen([pack.python, "-u", "-m", "pulumi.policy", self.engine_address, "."],
                                             cwd=pack.directory, env=env, stdin=subprocess.DEVNULL,
                                             stdout=subprocess.PIPE, stderr=self._stderr)
            except OSError as exc:
                raise PackError(f"policy pack {pack.directory} did not start: {pack.python}: {exc.strerror}") from None
            port = self._read_port(startup_timeout)
            self.address = f"127.0.0.1:{port}"
            self.channel = grpc.insecure_channel(self.address, options=CHANNEL_OPTIONS)
            try:
                grpc.channel_ready_future(self.channel).result(timeout=startup_timeout)
            except grpc.FutureTimeoutError:
                raise PackError(f"policy pack {pack.directory} printed port {port} but does not answer on it") from None
            self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
        except BaseException:
            self.close()
            raise

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else ""

    def _read_port(self, timeout: float) -> int:
        assert self.proc is not None and self.proc.stdout is not None
        box: list[bytes] = []
        reader = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        line = box[0].decode("utf-8", "replace").strip() if box else ""
        if not line.isdigit():
            if reader.is_alive():
                problem = f"printed no port within {timeout:.0f} s"
            elif self.proc.poll() is not None or not line:
                self.proc.wait(5)
                problem = f"exited with status {self.proc.returncode} before printing its port"
            else:
                problem = f"printed {line[:80]!r} instead of its port"
            tail = self._stderr_tail()
            raise PackError(f"policy pack {self.pack.directory} did not start: {problem}"
                            + (f": {tail}" if tail else ""))
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()  # drain anything printed later
        return int(line)

    def take_records(self) -> list[dict[str, Any]]:
        """The structured results the pack wrote since the last call (see policypack.messages)."""
        records, self._results_offset = read_records(self.results_path, self._results_offset)
        return records

    def peak_rss_mb(self) -> float | None:
        """The pack process's peak resident set so far (Linux), for benchmarks."""
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except (OSError, AttributeError):
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return None

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._server.stop(0)
        self._stderr.close()
        try:
            os.unlink(self.results_path)
        except OSError:
            pass

    def __enter__(self) -> "PackProcess":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _struct(data: dict[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(data)
    return out


def _call(method: Any, request: Any, optional: bool = False) -> Any:
    try:
        return method(request, timeout=RPC_TIMEOUT)
    except grpc.RpcError as exc:
        if optional and exc.code() == grpc.StatusCode.UNIMPLEMENTED:
            return None
        raise PackError(f"policy pack failed in {getattr(method, '_method', b'').decode() or 'a call'}: "
                        f"{exc.code().name}: {exc.details()}") from None


def _policy_schema(policy: Any) -> dict[str, Any]:
    """The schema the CLI validates a policy's config against (enforcementLevel injected)."""
    props = {k: json_format.MessageToDict(v) for k, v in policy.configSchema.properties.items()}
    props["enforcementLevel"] = {"type": "string", "enum": ["advisory", "mandatory", "remediate", "disabled"]}
    schema: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if policy.configSchema.required:
        schema["required"] = list(policy.configSchema.required)
    return schema


def _normalise_entry(key: str, value: Any) -> tuple[str | None, dict[str, Any]]:
    if isinstance(value, str):
        if value not in LEVEL_VALUES:
            raise PackConfigError(f"parsing enforcement level for {key!r}: {value!r} is not a valid enforcement level")
        return value, {}
    if isinstance(value, dict):
        props = dict(value)
        level = props.pop("enforcementLevel", None)
        if level is not None and level not in LEVEL_VALUES:
            raise PackConfigError(f"parsing enforcement level for {key!r}: {level!r} is not a valid enforcement level")
        return level, props
    raise PackConfigError(f"parsing {key!r}: {value!r} is not a valid value; must be a string or object")


def reconcile_config(info: analyzer_pb2.AnalyzerInfo, given: dict[str, Any]) -> dict[str, tuple[str, dict]]:
    """The engine's ReconcilePolicyPackConfig: schema defaults, initial config, given config, validation."""
    result: dict[str, tuple[str, dict]] = {}
    for policy in info.policies:
        schemas = {k: json_format.MessageToDict(v) for k, v in policy.configSchema.properties.items()}
        defaults = {k: v["default"] for k, v in schemas.items() if "default" in v}
        result[policy.name] = (LEVELS[policy.enforcementLevel], defaults)

    def apply(config: dict[str, tuple[str | None, dict]]) -> None:
        if "all" in config and config["all"][0]:
            for name, (_, props) in list(result.items()):
                result[name] = (config["all"][0], props)
        for name, (level, props) in config.items():
            if name not in result:  # "all", or a name only the pack's initial config uses
                continue
            old_level, old_props = result[name]
            result[name] = (level or old_level, {**old_props, **props})

    initial = {k: (LEVELS.get(v.enforcementLevel) if v.enforcementLevel else None,
                   json_format.MessageToDict(v.properties)) for k, v in info.initialConfig.items()}
    apply(initial)
    unknown = sorted(set(given) - set(result) - {"all"})
    if unknown:
        raise PackConfigError(f"policy pack configuration names policies the pack does not have: "
                              f"{', '.join(map(repr, unknown))} (its policies: {', '.join(sorted(result))})")
    apply({k: _normalise_entry(k, v) for k, v in given.items()})
    errors: list[str] = []
    for policy in info.policies:
        validator = jsonschema.Draft7Validator(_policy_schema(policy))
        for error in sorted(validator.iter_errors(result[policy.name][1]), key=lambda e: list(e.path)):
            path = ".".join(str(p) for p in error.path)
            errors.append(f"{policy.name}: {path + ': ' if path else ''}{error.message}")
    if errors:
        raise PackConfigError("policy pack configuration is invalid: " + "; ".join(errors[:5]))
    return result


class Session:
    """The calls the engine makes, in the engine's order."""

    def __init__(self, pack: PackProcess) -> None:
        self.pack = pack
        self.stub = pack.stub
        self.address = pack.address

    def start(self, stack: StackInfo, config: dict[str, Any]) -> tuple[analyzer_pb2.AnalyzerInfo, dict]:
        _call(self.stub.Handshake, analyzer_pb2.AnalyzerHandshakeRequest(
            engine_address=self.pack.engine_address, root_directory=stack.program_dir,
            program_directory=stack.program_dir), optional=True)
        _call(self.stub.ConfigureStack, analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=stack.stack, project=stack.project, organization=stack.organization, dry_run=stack.dry_run,
            config=stack.config, config_secret_keys=[k for k, v in stack.config.items() if v == "[secret]"],
            tags=stack.tags), optional=True)
        info = _call(self.stub.GetAnalyzerInfo, empty_pb2.Empty())
        reconciled = reconcile_config(info, config)
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, (level, props) in reconciled.items():
            request.policyConfig[name].CopyFrom(analyzer_pb2.PolicyConfig(
                enforcementLevel=LEVEL_VALUES[level], properties=_struct(props)))
        _call(self.stub.Configure, request)
        return info, reconciled

    def analyze(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.AnalyzeResponse:
        return _call(self.stub.Analyze, request)

    def analyze_stack(self, resources: Iterable[analyzer_pb2.AnalyzerResource]) -> analyzer_pb2.AnalyzeResponse | None:
        return _call(self.stub.AnalyzeStack, analyzer_pb2.AnalyzeStackRequest(resources=list(resources)),
                     optional=True)
