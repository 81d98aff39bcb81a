"""Benchmark: the preview gate's analysis of a generated 5,000-resource Pulumi program.

Times the analysis only (pack start, configuration, Remediate/Analyze per resource, AnalyzeStack),
not the program run, and reports memory. Target: analysis <= 5 s on 2 cores.

For scale, the same calls are also made to a pack with one policy that does nothing (and the same SDK
speed-up as ours): what the Python policy SDK and its gRPC server cost before any rule runs.
"""

from __future__ import annotations

import resource
from collections import Counter
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 5.0
RESOURCES = 5_000

# one block registers 10 resources: buckets with and without public access blocks, IAM, ECR, keys
_BLOCK = '''
b{i} = aws.s3.Bucket("bucket-{i}")
aws.s3.BucketPublicAccessBlock("pab-{i}", bucket=b{i}.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets={closed})
aws.s3.BucketPolicy("bp-{i}", bucket=b{i}.id, policy=b{i}.arn.apply(lambda arn: json.dumps({{
    "Version": "2012-10-17",
    "Statement": [{{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [arn, arn + "/*"],
                   "Condition": {{"StringNotEquals": {{"aws:SourceVpce": "vpce-1a2b3c4d"}}}}}}],
}})))
r{i} = aws.iam.Role("role-{i}", assume_role_policy=TRUST, tags={{"cicd-stage": "build"}})
aws.iam.RolePolicy("rp-{i}", role=r{i}.name, policy=json.dumps({{"Version": "2012-10-17", "Statement": [
    {{"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/app-{i}"}}]}}))
aws.iam.RolePolicyAttachment("rpa-{i}", role=r{i}.name,
                             policy_arn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly")
aws.ecr.Repository("repo-{i}", image_tag_mutability="IMMUTABLE")
u{i} = aws.iam.User("user-{i}", name="dev-{i}")
aws.iam.AccessKey("key-{i}", user=u{i}.name)
aws.iam.UserPolicyAttachment("upa-{i}", user=u{i}.name, policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess")
'''

_HEADER = '''import json
import pulumi_aws as aws

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                   "token.actions.githubusercontent.com:sub": "repo:acme/app:environment:prod"}}}]})
'''


def write_program(directory: Path, resources: int = RESOURCES) -> Path:
    blocks = resources // 10
    body = "".join(_BLOCK.format(i=i, closed="True" if i % 2 else "False") for i in range(blocks))
    (directory / "Pulumi.yaml").write_text("name: bench\nruntime: python\n")
    (directory / "__main__.py").write_text(_HEADER + body)
    return directory


_NO_OP_PACK = '''from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

from policypack import sdk_speedups

sdk_speedups.apply()
PolicyPack(name="no-op", enforcement_level=EnforcementLevel.ADVISORY, policies=[
    ResourceValidationPolicy(name="no-op", description="does nothing", validate=lambda args, report: None)])
'''


def _no_op_pack(directory: Path) -> Path:
    """A pack run by this interpreter (no virtualenv option) whose one policy never reports."""
    directory.mkdir()
    (directory / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (directory / "__main__.py").write_text(_NO_OP_PACK)
    return directory


def run(resources: int = RESOURCES) -> dict:
    from preview_gate.gate import analyze_run, default_pack_dir
    from preview_gate.program import load_project, run_program

    with tempfile.TemporaryDirectory(prefix="cicd-guard-bench-") as tmp:
        project = load_project(write_program(Path(tmp), resources), "dev")
        started = time.perf_counter()
        recorded = run_program(project)
        program_seconds = time.perf_counter() - started
        started = time.perf_counter()
        stats: dict = {}
        findings, rules = analyze_run(recorded, default_pack_dir(), stats=stats)
        analysis_seconds = time.perf_counter() - started
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        floor: dict = {}
        started = time.perf_counter()
        analyze_run(recorded, _no_op_pack(Path(tmp) / "no-op-pack"), stats=floor)
        floor_seconds = time.perf_counter() - started
    return {
        "name": "pulumi-gate",
        "resources": len(recorded.resources),
        "rules": len(rules),
        "findings": len(findings),
        "findings_by_rule": dict(sorted(Counter(f.rule_id for f in findings).items())),
        "program_seconds": round(program_seconds, 2),
        "analysis_seconds": round(analysis_seconds, 2),
        "resource_calls_seconds": round(stats.get("resource_calls_seconds", 0.0), 2),
        "stack_seconds": round(stats.get("stack_seconds", 0.0), 2),
        "no_op_pack_seconds": round(floor_seconds, 2),
        "no_op_pack_resource_calls_seconds": round(floor.get("resource_calls_seconds", 0.0), 2),
        "target_seconds": TARGET_SECONDS,
        "within_target": analysis_seconds <= TARGET_SECONDS,
        "gate_peak_rss_mb": round(own, 1),
        "pack_peak_rss_mb": round(stats.get("pack_peak_rss_mb") or 0, 1),
    }


if __name__ == "__main__":
    import json
    print(json.dumps(run(), indent=2))
