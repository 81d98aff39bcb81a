"""In a preview, what the engine's property dependencies say decides what unknown values cannot.

Through the analyzer protocol with preview on (the gate plays the engine): an unknown reference to one
resource designates it, and an unknown document names the resources it waits on.
"""

from __future__ import annotations

import textwrap

from preview_gate import run_gate
from rulebook.findings import Status


def _program(tmp_path, code: str):
    (tmp_path / "Pulumi.yaml").write_text("name: links\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(code).lstrip("\n"))
    return tmp_path


def _found(report, rule_id: str) -> list[tuple[str, int | None, str, str]]:
    return [(f.resource, f.line, f.status.value, f.message) for f in report.findings if f.rule_id == rule_id]


def test_a_public_access_block_given_the_bucket_id_is_decided_in_preview(tmp_path):
    program = _program(tmp_path, """
        import pulumi_aws as aws
        bucket = aws.s3.Bucket("site")
        aws.s3.BucketPublicAccessBlock("site", bucket=bucket.id, block_public_acls=False,
                                       block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)
        """)
    for preview in (False, True):
        report = run_gate(program, preview=preview)
        assert _found(report, "BKT-001") == [
            ("site", 2, "failed", "public access block site (aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock) "
                                  "does not set block_public_acls to true")], preview


def test_an_unknown_document_names_what_it_waits_on(tmp_path):
    program = _program(tmp_path, """
        import json
        import pulumi
        import pulumi_aws as aws
        repo = aws.ecr.Repository("app", image_tag_mutability="IMMUTABLE")
        aws.ecr.RepositoryPolicy("app", repository=repo.name, policy=repo.arn.apply(lambda arn: json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:*",
                                                    "Resource": arn}]})))
        """)
    report = run_gate(program, preview=True)
    unknown = [f for f in report.findings if f.rule_id == "REG-007"]
    assert [(f.status, f.message) for f in unknown] == [
        (Status.UNKNOWN, "cannot decide whether it opens the registry to other accounts: policy waits on "
                         "aws:ecr/repository:Repository app (not known until then)")]
    assert {f.status for f in run_gate(program).findings if f.rule_id == "REG-007"} == {Status.FAILED}


# A policy given as a dict with Output leaves: the aws provider's Check JSON-encodes the document, and a
# document with any unknown part becomes one unknown string (the bridge's TransformJSONDocument); the
# engine analyzes what Check returns. So the gate sees what `pulumi preview --policy-pack` sees.
ENDPOINT_POLICY = """
    import pulumi_aws as aws
    vpc = aws.ec2.Vpc("ci", cidr_block="10.42.0.0/16")
    endpoint = aws.ec2.VpcEndpoint("ecr-api", vpc_id=vpc.id, service_name="com.amazonaws.eu-west-1.ecr.api",
                                   vpc_endpoint_type="Interface")
    repo = aws.ecr.Repository("app", image_tag_mutability="IMMUTABLE")
    aws.ecr.RepositoryPolicy("app", repository=repo.name, policy={
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"], "Resource": "*",
                       "Condition": {"StringEquals": {"aws:SourceVpce": endpoint.id}}}]})
    bucket = aws.s3.Bucket("artifacts")
    aws.s3.BucketPolicy("artifacts", bucket=bucket.id, policy={
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
                       "Condition": {"StringEquals": {"aws:SourceVpce": endpoint.id}}}]})
    """


def test_a_dict_document_with_an_unknown_leaf_is_unknown_and_names_what_it_waits_on(tmp_path):
    report = run_gate(_program(tmp_path, ENDPOINT_POLICY), preview=True)
    assert _found(report, "REG-007") == [
        ("app (aws:ecr/repositoryPolicy:RepositoryPolicy)", 6, "unknown",
         "cannot decide whether it opens the registry to other accounts: policy waits on "
         "aws:ec2/vpcEndpoint:VpcEndpoint ecr-api (not known until then)")]
    assert _found(report, "BKT-003") == [
        ("artifacts (aws:s3/bucketPolicy:BucketPolicy)", 11, "unknown",
         "cannot decide whether the bucket policy is public: policy is not known until the resources it "
         "depends on exist (preview)")]


def test_the_same_document_is_decided_once_the_endpoint_exists(tmp_path):
    report = run_gate(_program(tmp_path, ENDPOINT_POLICY), preview=False)
    assert _found(report, "REG-007") == [] and _found(report, "BKT-003") == []


def test_a_dict_document_known_in_preview_is_decided_in_preview(tmp_path):
    """Built from config and invokes only: nothing in it waits on a resource being created."""
    program = _program(tmp_path, """
        import pulumi_aws as aws
        account = aws.get_caller_identity().account_id
        repo = aws.ecr.Repository("app", image_tag_mutability="IMMUTABLE")
        aws.ecr.RepositoryPolicy("app", repository=repo.name, policy={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:role/ci-build"},
                           "Action": ["ecr:BatchGetImage"], "Resource": "*"},
                          {"Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"],
                           "Resource": "*"}]})
        """)
    for preview in (False, True):
        assert _found(run_gate(program, preview=preview), "REG-007") == [
            ("app (aws:ecr/repositoryPolicy:RepositoryPolicy)", 4, "failed",
             "everyone (Principal *) is allowed pull (ecr:BatchGetImage) through statement #2 of app "
             "(aws:ecr/repositoryPolicy:RepositoryPolicy) without a condition on aws:PrincipalOrgID, "
             "aws:PrincipalOrgPaths, aws:SourceVpce, aws:PrincipalArn")
        ], preview


def test_the_same_unknown_is_reported_once_per_resource_and_rule_not_once_per_reason(tmp_path):
    program = _program(tmp_path, """
        import json
        import pulumi_aws as aws
        role = aws.iam.Role("build", name="ci-build", assume_role_policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "codebuild.amazonaws.com"}}]}))
        for name in ("app", "tools"):
            repo = aws.ecr.Repository(name, image_tag_mutability="IMMUTABLE")
            aws.iam.RolePolicy(name, role=role.name, policy=repo.arn.apply(lambda arn: json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": arn}]})))
        """)
    report = run_gate(program, preview=True)
    assert _found(report, "REG-001") == [
        ("build", 3, "unknown", "cannot decide whether role ci-build holds every registry action: policy waits on "
                                "aws:ecr/repository:Repository app (not known until then); also undecided: "
                                "policy waits on aws:ecr/repository:Repository tools (not known until then)")]
    # once the repositories exist every policy is decided: each failure is its own result
    assert [(f.resource, f.status.value) for f in run_gate(program).findings if f.rule_id == "REG-001"] == [
        ("build", "failed"), ("build", "failed")]
