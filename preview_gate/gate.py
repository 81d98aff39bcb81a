"""`cicd-guard gate`: run a Pulumi program offline and put the policy pack to it as `pulumi preview` would."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

import policypack
from policypack.policies import rule_id_of

from rulebook.config import Config, ConfigError, read_document, schema
from rulebook.findings import Enforcement, Finding, Report, Severity, Status
from rulebook.model import InputError

from .analyzer import (CHANNEL_OPTIONS, LEVELS, RPC_TIMEOUT, SEVERITIES, PackConfigError, PackError, PackProcess,
                       Session, StackInfo, _struct, load_pack)
from .program import PROGRAM_TIMEOUT, ProgramError, ProgramRun, load_project, run_program
from .references import read_all

_CANT_RUN = "can't run policy"
PARALLEL = 4


class GateConfigError(ConfigError):
    """Gate configuration rejected (cicd-guard settings or Pulumi policy pack config)."""


def default_pack_dir() -> Path:
    return Path(policypack.__file__).resolve().parent


def config_to_dict(config: Config) -> dict[str, Any]:
    """A Config back in cicd-guard.yaml form (what the pack's policy config carries)."""
    data: dict[str, Any] = {}
    for key, value in (("deploy_identities", config.deploy_identities),
                       ("admin_identities", config.admin_identities)):
        if value:
            data[key] = list(value)
    net = {k: list(v) for k, v in (("aws_vpc_endpoint_ids", config.aws_vpc_endpoint_ids),
                                   ("aws_vpc_ids", config.aws_vpc_ids), ("cidrs", config.cidrs),
                                   ("azure_subnet_ids", config.azure_subnet_ids)) if v}
    oidc = {k: list(v) for k, v in (("issuers", config.oidc_issuers), ("audiences", config.oidc_audiences),
                                    ("deploy_subject_patterns", config.deploy_subject_patterns)) if v}
    buckets: dict[str, Any] = {}
    if config.artifact_bucket_names:
        buckets["names"] = list(config.artifact_bucket_names)
    if config.artifact_bucket_tags:
        buckets["tags"] = dict(config.artifact_bucket_tags)
    for key, value in (("ci_network", net), ("oidc", oidc), ("artifact_buckets", buckets)):
        if value:
            data[key] = value
    if config.enforcement:
        data["enforcement"] = {k: v.value for k, v in config.enforcement.items()}
    if config.suppressions:
        data["suppressions"] = [{"rule": s.rule, "resource": s.resource, "reason": s.reason,
                                 **({"expires": s.expires.isoformat()} if s.expires else {})}
                                for s in config.suppressions]
    if config.suppression_horizon_days != Config.suppression_horizon_days:
        data["suppression_horizon_days"] = config.suppression_horizon_days
    return data


def _is_settings(data: dict[str, Any]) -> bool:
    """A cicd-guard.yaml names at least one settings key; a Pulumi policy pack config names policies only.
    Either is then validated in full, so a typo is an error instead of a file silently read as the other."""
    return bool(set(data) & set(schema()["properties"])) or not data


def _load_config(config: Any, config_path: str | Path | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(cicd-guard settings, Pulumi policy pack config) from either form, validated."""
    data: Any = None
    source = "<config>"
    if isinstance(config, Config):
        if config_path is None or not Path(config_path).is_file():
            return config_to_dict(config), {}
        config = None  # the file it was loaded from has the settings as written
    if config is not None:
        data = config
    elif config_path is not None:
        source = str(config_path)
        try:
            data = read_document(config_path)
        except ConfigError as exc:
            raise GateConfigError(str(exc)) from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise GateConfigError(f"{source}: the top level must be a mapping")
    if _is_settings(data):
        try:
            Config.from_dict(data, source)  # the schema, and rule IDs that exist
        except ConfigError as exc:
            raise GateConfigError(str(exc)) from None
        return data, {}
    return {}, data


def _policy_config(info: Any, settings: dict[str, Any], native: dict[str, Any]) -> dict[str, Any]:
    """The settings given to every policy that accepts them, plus per-rule enforcement levels."""
    given = {k: v for k, v in native.items()}
    enforcement = settings.get("enforcement", {})
    for policy in info.policies:
        accepted = set(policy.configSchema.properties)
        props = {k: v for k, v in settings.items() if k in accepted}
        level = enforcement.get(rule_id_of(policy.name) or "")
        entry = given.get(policy.name)
        entry = {"enforcementLevel": entry} if isinstance(entry, str) else dict(entry or {})
        entry = {**props, **entry}
        if level and "enforcementLevel" not in entry:
            entry["enforcementLevel"] = level
        if entry:
            given[policy.name] = entry
    return given


def _options(record: dict[str, Any]) -> Any:
    opts = record.get("options", {})
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=opts.get("protect", False), ignoreChanges=opts.get("ignoreChanges", []),
        deleteBeforeReplace=opts.get("deleteBeforeReplace", False),
        deleteBeforeReplaceDefined=opts.get("deleteBeforeReplaceDefined", False),
        additionalSecretOutputs=opts.get("additionalSecretOutputs", []), aliases=opts.get("aliases", []),
        parent=record.get("parent", ""))


def _provider(record: dict[str, Any], by_urn: dict[str, dict[str, Any]]) -> Any:
    ref = record.get("provider") or ""
    provider = by_urn.get(ref.rsplit("::", 1)[0]) if "::" in ref else None
    if provider is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(type=provider["type"], properties=_struct(provider["outputs"]),
                                                 urn=provider["urn"], name=provider["name"])


def _addresses(records: Iterable[dict[str, Any]]) -> dict[str, str]:
    """URN -> address, as policypack.adapter.to_inventory names them."""
    seen: set[str] = set()
    out: dict[str, str] = {}
    for record in records:
        address = record["name"] if record["name"] not in seen else f"{record['name']} ({record['type']})"
        seen.add(address)
        out[record["urn"]] = address
    return out


def _relative(path: str | None) -> str | None:
    if not path:
        return None
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


class _Collector:
    """Findings from what the pack reported: the structured records it wrote for the gate
    (policypack.messages.record), so nothing is parsed back from the text the engine shows; a policy
    that wrote none (another pack given with --policy-pack) is taken from its diagnostics as they are."""

    def __init__(self, info: Any, reconciled: dict[str, tuple[str, dict]], run: ProgramRun) -> None:
        self.policies = {p.name: p for p in info.policies}
        self.levels = {name: level for name, (level, _) in reconciled.items()}
        self.by_urn = {r["urn"]: r for r in run.resources}
        self.addresses = _addresses(run.resources)
        self.findings: list[Finding] = []
        self.diagnostics: list[tuple[Any, str]] = []

    def add(self, diagnostics: Iterable[Any], urn: str = "") -> None:
        self.diagnostics.extend((diag, urn) for diag in diagnostics)

    def _level(self, policy_name: str, reported: Any = None) -> Enforcement:
        level = LEVELS.get(reported) if reported is not None else self.levels.get(policy_name)
        return Enforcement("mandatory" if level in (None, "remediate") else level)

    def _finding(self, policy_name: str, rule_id: str, severity: str, status: Status, where: str, message: str,
                 level: Enforcement, remediation: str = "") -> Finding:
        policy = self.policies.get(policy_name)
        source = self.by_urn.get(where, {}).get("source") or {}
        return Finding(rule_id=rule_id, severity=Severity(severity), enforcement=level, status=status,
                       resource=self.addresses.get(where, where), engine="pulumi",
                       file=_relative(source.get("file")), line=source.get("line"), message=message,
                       remediation=remediation or (policy.remediation_steps if policy else ""),
                       title=policy.description if policy else "", urn=where or None)

    def finish(self, records: list[dict[str, Any]]) -> list[Finding]:
        structured = {r["policy"] for r in records}
        for r in records:
            where = r.get("urn") or r.get("resource_urn") or ""
            self.findings.append(self._finding(r["policy"], r["rule_id"], r["severity"],
                                               Status.UNKNOWN if r["unknown"] else Status.FAILED, where,
                                               r["message"], self._level(r["policy"]), _text(r.get("remediation"))))
        for diag, urn in self.diagnostics:
            if diag.policyName in structured:
                continue
            cant_run = diag.message.startswith(_CANT_RUN)
            level = self._level(diag.policyName, None if cant_run else diag.enforcementLevel)
            self.findings.append(self._finding(
                diag.policyName, rule_id_of(diag.policyName) or diag.policyName,
                SEVERITIES.get(diag.severity, "high"), Status.UNKNOWN if cant_run else Status.FAILED,
                diag.urn or urn, diag.message.split("\n", 1)[-1], level))  # after the description line
        self.findings.sort(key=Finding.sort_key)
        return self.findings


async def _analyze_all(address: str, requests: list[Any]) -> list[Any]:
    """Remediate then Analyze each resource; resources in parallel, as the engine's steps run.

    Results keep the order of `requests` (registration order)."""
    limit = asyncio.Semaphore(PARALLEL)
    async with grpc.aio.insecure_channel(address, options=CHANNEL_OPTIONS) as channel:
        stub = analyzer_pb2_grpc.AnalyzerStub(channel)

        async def one(request: Any) -> Any:
            async with limit:
                try:
                    remediated = await stub.Remediate(request, timeout=RPC_TIMEOUT)
                except grpc.aio.AioRpcError as exc:
                    if exc.code() != grpc.StatusCode.UNIMPLEMENTED:
                        raise PackError(f"policy pack failed in Remediate({request.urn}): "
                                        f"{exc.code().name}: {exc.details()}") from None
                    remediated = None
                for remediation in (remediated.remediations if remediated else []):
                    if remediation.HasField("properties") and remediation.properties.fields:
                        request.properties.CopyFrom(remediation.properties)
                try:
                    return (await stub.Analyze(request, timeout=RPC_TIMEOUT)).diagnostics
                except grpc.aio.AioRpcError as exc:
                    raise PackError(f"policy pack failed in Analyze({request.urn}): "
                                    f"{exc.code().name}: {exc.details()}") from None

        return await asyncio.gather(*(one(r) for r in requests))


def _with_provider(message: Any, record: dict[str, Any], by_urn: dict[str, dict[str, Any]]) -> Any:
    provider = _provider(record, by_urn)
    if provider is not None:
        message.provider.CopyFrom(provider)
    return message


def resource_requests(run: ProgramRun) -> list[tuple[dict[str, Any], Any]]:
    """(record, AnalyzeRequest) for every resource the program registered (reads are not analyzed), in
    registration order."""
    by_urn = {r["urn"]: r for r in run.resources}
    return [(record, _with_provider(analyzer_pb2.AnalyzeRequest(
        type=record["type"], properties=_struct(record["inputs"]), urn=record["urn"], name=record["name"],
        options=_options(record)), record, by_urn)) for record in run.resources if not record.get("read")]


def stack_resources(run: ProgramRun) -> list[Any]:
    """The AnalyzeStack resources: every resource's outputs and relationships."""
    by_urn = {r["urn"]: r for r in run.resources}
    out = []
    for record in run.resources:
        resource = _with_provider(analyzer_pb2.AnalyzerResource(
            type=record["type"], properties=_struct(record["outputs"]), urn=record["urn"], name=record["name"],
            options=_options(record), parent=record.get("parent", ""), dependencies=record.get("dependencies", [])),
            record, by_urn)
        for prop, urns in record.get("property_dependencies", {}).items():
            resource.propertyDependencies[prop].urns.extend(urns)
        out.append(resource)
    return out


def analyze(session: Session, run: ProgramRun, info: Any, reconciled: dict[str, tuple[str, dict]],
            stats: dict[str, Any] | None = None) -> list[Finding]:
    """Remediate then Analyze each resource in registration order, then AnalyzeStack: the engine's order.

    `stats` (benchmarks) receives the seconds spent on the resource calls and on AnalyzeStack."""
    collect = _Collector(info, reconciled, run)
    started = time.perf_counter()
    requests = resource_requests(run)
    results = asyncio.run(_analyze_all(session.address, [request for _, request in requests]))
    for (record, _), diagnostics in zip(requests, results):
        collect.add(diagnostics, record["urn"])
    del requests, results  # freed before the stack's messages are built: one set in memory at a time
    resources_done = time.perf_counter()
    response = session.analyze_stack(stack_resources(run))
    if response is not None:
        collect.add(response.diagnostics)
    if stats is not None:
        stats["resource_calls_seconds"] = resources_done - started
        stats["stack_seconds"] = time.perf_counter() - resources_done
    return collect.finish(session.pack.take_records())


def run_gate(program_dir: str | Path, policy_pack: str | Path | None = None, config: Any = None,
             config_path: str | Path | None = None, stack: str | None = "dev", preview: bool = False,
             extra_env: dict[str, str] | None = None, timeout: float = PROGRAM_TIMEOUT,
             stack_outputs: Mapping[str, str | Path] | None = None) -> Report:
    """Findings of the policy pack on the program; input problems are Report.errors (exit 2).

    `timeout`: seconds the program may run before it and everything it started are killed.
    `stack_outputs`: referenced stack name (as the program passes it to pulumi.StackReference) -> the
    file `pulumi stack output --json --stack NAME` wrote; those outputs are known, in a preview too.

    Raises ConfigError (GateConfigError) when the configuration is invalid, as `scan` does.
    """
    report = Report()
    stack = stack or "dev"
    settings, native = _load_config(config, config_path)
    given, report.errors = read_all(stack_outputs or {})
    if report.errors:
        return report
    try:
        project = load_project(program_dir, stack)
        run = run_program(project, stack, preview, timeout=timeout, stack_outputs=given)
    except ProgramError as exc:
        report.errors.append(exc.error)
        return report
    report.scanned.append(_relative(str(project.main)) or str(project.main))
    report.notes.extend(run.notes)
    pack_dir = Path(policy_pack) if policy_pack is not None else default_pack_dir()
    try:
        report.findings, report.rules_run = analyze_run(run, pack_dir, settings, native, extra_env,
                                                        config_label=str(config_path or "<config>"))
    except PackError as exc:
        report.errors.append(InputError(str(pack_dir), None, run.hide(str(exc))))
    for finding in report.findings:  # the engine masks secrets in what it prints: so does the gate
        finding.message, finding.resource = run.hide(finding.message), run.hide(finding.resource)
    return report


def analyze_run(run: ProgramRun, pack_dir: Path, settings: dict[str, Any] | None = None,
                native: dict[str, Any] | None = None, extra_env: dict[str, str] | None = None,
                config_label: str = "<config>", stats: dict[str, Any] | None = None) -> tuple[list[Finding], list[str]]:
    """Start the pack, configure it and analyze a recorded program run; the pack is always stopped."""
    stack = StackInfo(project=run.project.name, stack=run.stack, dry_run=run.preview, config=run.project.config,
                      program_dir=str(run.project.directory),
                      tags={"pulumi:project": run.project.name, "pulumi:runtime": "python"})
    pack = load_pack(pack_dir)
    with PackProcess(pack, stack, extra_env) as process:
        session = Session(process)
        try:
            info, reconciled = _start(session, stack, settings or {}, native or {})
        except PackConfigError as exc:
            raise GateConfigError(f"{config_label}: {exc}") from None
        findings = analyze(session, run, info, reconciled, stats)
        if stats is not None:
            stats["pack_peak_rss_mb"] = process.peak_rss_mb()
    return findings, sorted({rule_id_of(p.name) or p.name for p in info.policies})


def _start(session: Session, stack: StackInfo, settings: dict[str, Any], native: dict[str, Any]):
    info = session.stub.GetAnalyzerInfo(empty_pb2.Empty())
    return session.start(stack, _policy_config(info, settings, native))
