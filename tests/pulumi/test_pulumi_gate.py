"""The preview gate end to end: program offline, pack started as the engine starts it, findings back."""

from __future__ import annotations

import json
import re
import textwrap
from concurrent import futures
from pathlib import Path

import grpc
import pytest
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

from conftest import EXTRA_ENV, PROGRAMS, children
from policypack.policies import build_policies
from preview_gate import GateConfigError, run_gate
from preview_gate.analyzer import Session, StackInfo
from preview_gate.gate import analyze, _policy_config
from preview_gate.program import load_project, run_program
from rulebook.findings import Enforcement, Status
from rulebook.rules import REGISTRY

BASIC = PROGRAMS / "basic"
MAIN = "tests/pulumi/programs/basic/__main__.py"


CORE = ("IDF-001", "BKT-001")  # rules these programs are written for (other rules land independently)


def core(report) -> list:
    return [f for f in report.findings if f.rule_id in CORE]


def summary(report) -> list[tuple]:
    return [(f.rule_id, f.resource, f.line, f.status.value, f.enforcement.value, f.severity.value)
            for f in core(report)]


@pytest.fixture(scope="module")
def basic():
    return run_gate(BASIC)


def test_gate_reports_the_pack_findings_with_program_lines(basic):
    assert basic.errors == []
    assert summary(basic) == [("IDF-001", "ci-key", 7, "failed", "mandatory", "critical"),
                              ("BKT-001", "artifacts", 9, "failed", "mandatory", "high")]
    key = core(basic)[0]
    assert key.file.endswith("programs/basic/__main__.py") and key.engine == "pulumi"
    assert key.message == "a long-lived access key is created for ci-bot; use OIDC federation instead"
    assert key.urn == "urn:pulumi:dev::gate-basic::aws:iam/accessKey:AccessKey::ci-key"
    assert key.title == "No long-lived cloud keys"
    assert key.remediation == REGISTRY["IDF-001"].remediation_for("aws", "pulumi")
    assert set(CORE) <= set(basic.rules_run) and basic.exit_code() == 1


def test_preview_decides_what_the_engines_dependencies_tell():
    """locked-pab's bucket is unknown in a preview, but its property dependency names `locked`: the block
    protects that bucket, and `artifacts` has none, exactly as without --preview."""
    report = run_gate(BASIC, preview=True)
    assert summary(report) == [("IDF-001", "ci-key", 7, "failed", "mandatory", "critical"),
                               ("BKT-001", "artifacts", 9, "failed", "mandatory", "high")]
    assert report.exit_code() == 1 and report.exit_code(strict=True) == 1


def test_settings_enforcement_and_suppressions_reach_the_pack():
    others = {r: "disabled" for r in REGISTRY if r not in CORE}
    report = run_gate(BASIC, config={"enforcement": {"IDF-001": "advisory", "BKT-001": "disabled", **others},
                                     "suppressions": []})
    assert summary(report) == [("IDF-001", "ci-key", 7, "failed", "advisory", "critical")]
    assert report.exit_code() == 0 and [f.rule_id for f in report.findings] == ["IDF-001"]
    report = run_gate(BASIC, config={"suppressions": [{"rule": "BKT-001", "resource": "artif*",
                                                       "reason": "public website bucket"}]})
    assert summary(report) == [("IDF-001", "ci-key", 7, "failed", "mandatory", "critical")]


def test_native_pulumi_policy_pack_config_file(tmp_path):
    cfg = tmp_path / "policy-config.json"
    cfg.write_text(json.dumps({"all": "advisory", REGISTRY["IDF-001"].slug: {"enforcementLevel": "disabled"}}))
    report = run_gate(BASIC, config_path=cfg)
    assert summary(report) == [("BKT-001", "artifacts", 9, "failed", "advisory", "high")]


@pytest.mark.parametrize("config, message", [
    ({"deploy_identities": "ci-*"}, "deploy_identities: 'ci-*' is not of type 'array'"),
    ({"ci_network": {"cidrs": ["300.0.0.0/8"]}}, "ci_network.cidrs[0]"),
    ({"idf-001-no-long-lived-cloud-keys": {"enforcementLevel": "sometimes"}}, "'sometimes' is not a valid"),
    ({"idf-001-no-long-lived-cloud-keys": {"deploy_identities": [1]}}, "1 is not of type 'string'"),
])
def test_malformed_config_is_a_config_error(config, message):
    with pytest.raises(GateConfigError, match=re.escape(message)):
        run_gate(BASIC, config=config)


@pytest.mark.parametrize("config, message", [
    # a typo'd settings key next to real ones: settings, validated, not read as a pack config
    ({"enforcment": {"IDF-001": "advisory"}, "suppressions": []}, "<config>: enforcment: unknown key 'enforcment'"),
    ({"enforcement": {"REG-999": "advisory"}}, "<config>: enforcement.REG-999: unknown rule 'REG-999'"),
    # only a typo: a pack config naming a policy the pack does not have
    ({"enforcment": {"IDF-001": "advisory"}}, "names policies the pack does not have: 'enforcment'"),
    ({"idf-001-no-long-lived-cloud-keys": {"enforcementLevel": "advisory", "colour": "red"}},
     "idf-001-no-long-lived-cloud-keys: Additional properties are not allowed ('colour' was unexpected)"),
])
def test_unknown_keys_and_policies_are_config_errors(config, message):
    with pytest.raises(GateConfigError, match=re.escape(message)):
        run_gate(BASIC, config=config)


def test_a_policy_without_a_configured_level_keeps_its_own_not_advisory():
    """Fail closed: a pack config that names other policies leaves IDF-001 at its mandatory default."""
    report = run_gate(BASIC, config={REGISTRY["BKT-001"].slug: {"enforcementLevel": "disabled"}})
    assert summary(report) == [("IDF-001", "ci-key", 7, "failed", "mandatory", "critical")]


def test_a_program_that_raises_is_an_input_error_with_its_line():
    before = children()
    report = run_gate(PROGRAMS / "raises")
    assert report.findings == [] and report.exit_code() == 2
    (error,) = report.errors
    assert (Path(error.file).name, error.line) == ("__main__.py", 5)
    assert error.message == "program raised KeyError: 'bucket'"
    assert children() <= before


def test_missing_directory_and_missing_program(tmp_path):
    report = run_gate(tmp_path / "nope")
    assert [e.message for e in report.errors] == ["program directory does not exist"] and report.exit_code() == 2
    report = run_gate(tmp_path)
    assert [e.message for e in report.errors] == ["no Pulumi program found (__main__.py or Pulumi.yaml main)"]


def _pack(tmp_path: Path, main: str) -> Path:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (pack / "__main__.py").write_text(textwrap.dedent(main))
    return pack


@pytest.mark.parametrize("main, problem", [
    ("raise RuntimeError('broken pack')\n", "exited with status 1 before printing its port: RuntimeError: broken pack"),
    ("print('hello', flush=True)\nimport time\ntime.sleep(60)\n", "printed 'hello' instead of its port"),
])
def test_a_pack_that_does_not_start_is_an_input_error_and_is_stopped(tmp_path, main, problem):
    before = children()
    report = run_gate(BASIC, policy_pack=_pack(tmp_path, main))
    (error,) = report.errors
    assert problem in error.message and report.exit_code() == 2
    assert children() <= before


def test_custom_rules_from_the_environment_and_ordinary_programs():
    report = run_gate(PROGRAMS / "registry", extra_env=EXTRA_ENV)
    assert report.errors == []
    got = [(f.rule_id, f.resource, f.line, f.status.value, f.enforcement.value, f.severity.value, f.message)
           for f in report.findings if f.rule_id.startswith("TST")]
    assert got == [
        ("TST-901", "api-repo", 15, "failed", "mandatory", "high", "tags are MUTABLE"),
        ("TST-901", "cache", 26, "failed", "advisory", "medium", "tag mutability is not set"),
        # api-build is tagged from the stack config (Pulumi.dev.yaml), so only `untagged` fails
        ("TST-902", "untagged", 27, "failed", "advisory", "medium", "role untagged-7e37ecf has no owner tag"),
    ]
    assert report.findings[0].urn == ("urn:pulumi:dev::gate-registry::acme:ci:Service$aws:ecr/repository:"
                                      "Repository::api-repo")


def test_protocol_in_process_against_the_sdk_servicer(test_rules, tmp_path, monkeypatch):
    """Session + analyze against pulumi_policy's own servicer in this process (no pack subprocess); the
    policies write their structured results where the gate asks (RESULTS_ENV)."""
    from policypack.messages import RESULTS_ENV, read_records

    results = tmp_path / "results.jsonl"
    results.touch()
    monkeypatch.setenv(RESULTS_ENV, str(results))
    servicer = _PolicyAnalyzerServicer("cicd-guard", "0.1.0", build_policies(), EnforcementLevel.ADVISORY)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    analyzer_pb2_grpc.add_AnalyzerServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            fake = type("Pack", (), {"stub": analyzer_pb2_grpc.AnalyzerStub(channel), "engine_address": "",
                                     "address": f"127.0.0.1:{port}",
                                     "take_records": lambda self: read_records(str(results))[0]})()
            session = Session(fake)
            project = load_project(PROGRAMS / "registry", "dev")
            run = run_program(project)
            stack = StackInfo(project=project.name, stack="dev")
            from google.protobuf import empty_pb2
            info = session.stub.GetAnalyzerInfo(empty_pb2.Empty())
            info, reconciled = session.start(stack, _policy_config(info, {"admin_identities": ["ops-*"]}, {}))
            assert reconciled["tst-901-repository-tags-are-pinned"] == ("mandatory", {"admin_identities": ["ops-*"]})
            findings = analyze(session, run, info, reconciled)
    finally:
        server.stop(0)
    assert [(f.rule_id, f.resource, f.status) for f in findings if f.rule_id.startswith("TST")] == [
        ("TST-901", "api-repo", Status.FAILED), ("TST-901", "cache", Status.FAILED),
        ("TST-902", "untagged", Status.FAILED)]
    assert [f.enforcement for f in findings if f.rule_id == "TST-901"][0] is Enforcement.MANDATORY


REMEDIATING_PACK = '''
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


def pin(args):
    if args.resource_type == "aws:ecr/repository:Repository":
        return {**args.props, "imageTagMutability": "IMMUTABLE"}


def report(args, violation):
    if args.resource_type == "aws:ecr/repository:Repository":
        violation("ABC-001 [low] tags are " + str(args.props.get("imageTagMutability")))


PolicyPack(name="remediating", policies=[
    ResourceValidationPolicy(name="abc-000-pin-tags", description="pin tags", remediate=pin,
                             enforcement_level=EnforcementLevel.REMEDIATE),
    ResourceValidationPolicy(name="abc-001-show-tags", description="show tags", validate=report),
])
'''


def test_remediations_are_applied_before_analysis_as_the_engine_does(tmp_path):
    """Another pack (no structured results): its violations are taken as the engine shows them, rule ID
    from the policy name, the text after the policy's description line kept as it is."""
    report = run_gate(PROGRAMS / "registry", policy_pack=_pack(tmp_path, REMEDIATING_PACK))
    assert report.errors == []
    assert [(f.rule_id, f.resource, f.message, f.enforcement.value) for f in report.findings] == [
        ("ABC-001", "api-repo", "ABC-001 [low] tags are IMMUTABLE", "advisory"),
        ("ABC-001", "cache", "ABC-001 [low] tags are IMMUTABLE", "advisory")]


def test_inventory_of_a_program_for_other_commands():
    from preview_gate import inventory_of
    inventory = inventory_of(BASIC)
    key = inventory.by_address("ci-key")
    assert (key.kind, key.props, key.location.line) == ("aws.iam.access_key", {"user": "ci-bot"}, 7)
    assert key.location.file.endswith("programs/basic/__main__.py")
    assert inventory.resolve("ci-bot", ["aws.iam.user"]).address == "ci"
    broken = inventory_of(PROGRAMS / "raises")
    assert broken.resources == [] and [e.line for e in broken.errors] == [5]


def test_bench_program_generator_and_figures():
    """The benchmark's generated program is analyzed correctly (figures are not asserted here)."""
    from bench.pulumi_gate import run
    figures = run(resources=50)
    # 5 blocks of 10 resources + the stack; 5 access keys, 3 buckets whose block leaves restrict_public_buckets off
    assert figures["resources"] == 51
    assert (figures["findings_by_rule"]["IDF-001"], figures["findings_by_rule"]["BKT-001"]) == (5, 3)
    assert figures["pack_peak_rss_mb"] > 0 and figures["analysis_seconds"] > 0


def test_a_loaded_config_round_trips_into_policy_settings():
    from preview_gate.gate import config_to_dict
    from rulebook.config import Config
    data = {"deploy_identities": ["deploy-*"], "admin_identities": ["break-glass"],
            "ci_network": {"aws_vpc_endpoint_ids": ["vpce-1a2b"], "aws_vpc_ids": ["vpc-9f"], "cidrs": ["10.0.0.0/8"],
                           "azure_subnet_ids": ["/subscriptions/s/subnets/ci"]},
            "oidc": {"issuers": ["gitlab.acme.dev"], "audiences": ["sts.amazonaws.com"],
                     "deploy_subject_patterns": ["repo:acme/*:environment:prod"]},
            "artifact_buckets": {"names": ["art-*"], "tags": {"purpose": "artifacts"}},
            "enforcement": {"REG-003": "advisory"},
            "suppressions": [{"rule": "IDF-001", "resource": "legacy", "reason": "tracked", "expires": "2030-01-01"}]}
    config = Config.from_dict(data, "x")
    assert config_to_dict(config) == data
    assert Config.from_dict(config_to_dict(config), "x") == config


def test_a_pack_that_prints_a_port_but_serves_nothing(tmp_path, monkeypatch):
    import preview_gate.analyzer as analyzer
    monkeypatch.setattr(analyzer, "STARTUP_TIMEOUT", 8.0)  # room for a loaded machine to start python
    before = children()
    report = run_gate(BASIC, policy_pack=_pack(tmp_path, "print(1, flush=True)\nimport time\ntime.sleep(60)\n"))
    (error,) = report.errors
    assert "printed port 1 but does not answer on it" in error.message and report.exit_code() == 2
    assert children() <= before


def test_pack_given_as_a_relative_path_uses_its_virtualenv(monkeypatch):
    from preview_gate.analyzer import load_pack
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    pack = load_pack("policypack")
    assert Path(pack.python).is_absolute() and Path(pack.python).parent.parent.name == ".venv"
    assert (pack.name, pack.version) == ("policypack", "0.1.0")


def test_outputs_name_the_account_of_the_stack_provider_config():
    """aws:allowedAccountIds names the account the ARNs are in: a grant to this account's own role is
    not cross-account, a grant to another account still is (REG-007)."""
    report = run_gate(PROGRAMS / "accounts", stack="prod")
    assert report.errors == []
    assert [(f.rule_id, f.resource, f.line, f.status.value, f.message) for f in report.findings
            if f.rule_id == "REG-007"] == [
        ("REG-007", "app-policy", 6, "failed", "arn:aws:iam::444455556666:root, another account (ours: 111122223333 "
                                               "from allowed_account_ids of provider default), may push images "
                                               "(ecr:PutImage) through statement 'PartnerPush' of app-policy")]


def test_programs_compute_with_pulumi_random_outputs():
    run = run_program(load_project(PROGRAMS / "outputs", "dev"), "dev")
    by_type = {r["type"].rsplit(":", 1)[-1]: r for r in run.resources}
    password, suffix = by_type["RandomPassword"], by_type["RandomId"]
    assert len(password["outputs"]["result"]) == 20 and password["id"] == "none"
    assert len(suffix["outputs"]["hex"]) == 8 and suffix["id"] == suffix["outputs"]["b64Url"]
    buckets = {r["name"]: r for r in run.resources if r["type"] == "aws:s3/bucket:Bucket"}
    assert buckets["artifacts"]["inputs"]["bucket"] == f"acme-artifacts-{suffix['outputs']['hex']}"
    assert by_type["SecretVersion"]["inputs"]["secretString"]["value"] == password["outputs"]["result"].upper()
    assert buckets["logs"]["inputs"]["bucket"] == "acme-logs-us-east-1a"  # aws.get_availability_zones is answered


def test_an_output_the_gate_cannot_compute_is_unknown_and_named_in_both_modes():
    """An apply on it waits, as in `pulumi preview`; the report says which output was not computed."""
    for preview in (False, True):
        report = run_gate(PROGRAMS / "outputs", stack="unmodelled", preview=preview)
        assert report.errors == []
        (named,) = [n for n in report.notes if n.startswith("outputs the gate does not compute")] or [""]
        assert ("; acme:index:Token value" in named) is not preview


def test_a_provider_function_the_gate_does_not_answer_is_unknown_and_named():
    for preview in (False, True):
        report = run_gate(PROGRAMS / "outputs", stack="lookup", preview=preview)
        assert report.errors == []
        assert ("provider functions answered with unknown values (their results were not analysed): "
                "aws:ec2/getVpc:getVpc") in report.notes
