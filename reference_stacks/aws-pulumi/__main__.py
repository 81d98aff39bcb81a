"""Segmented CI/CD on AWS: pull-only build role and push-capable deploy role, both reached only through
GitHub OIDC, self-hosted runners in private build subnets, and an artifact bucket and registry that refuse
traffic from outside the CI network. The Pulumi twin of reference_stacks/aws-terraform.

The CI network (VPC, build subnets, VPC endpoints) is its own project and stack, `network/`, deployed
first; this stack reads its outputs through a pulumi.StackReference (config `networkStack`). The engine
reads a stack reference's outputs from the backend, so in every `pulumi preview` the endpoint IDs the
bucket and registry policies name are known, and a preview gate decides those policies.

Every name derives from the stack config (githubOrg, githubRepo, deployEnvironment, prefix), and every
ARN a policy names is built from config and the get_caller_identity invoke, not from Output.apply on a
resource being created: so the policies are known in `pulumi preview` and a preview gate can decide
them instead of reporting them unknown.
"""

import base64
import json
import re

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
org = config.require("githubOrg")
repo = config.require("githubRepo")
environment = config.get("deployEnvironment") or "production"
prefix = config.get("prefix") or "ci"
images = config.get_object("imageRepositories") or [repo]
region = aws.get_region().region
account = aws.get_caller_identity().account_id
issuer = "token.actions.githubusercontent.com"
# S3 names are global: organisation, repository and region make the copy's name its own.
bucket_name = re.sub(r"[^a-z0-9-]", "-", f"{prefix}-{org}-{repo}-artifacts-{region}".lower())[:63]
bucket_arn = f"arn:aws:s3:::{bucket_name}"
repository_arns = [f"arn:aws:ecr:{region}:{account}:repository/{org}/{image}" for image in images]
oidc_arn = f"arn:aws:iam::{account}:oidc-provider/{issuer}"
tags = {"managed-by": "pulumi", "ci-stack": prefix, "repository": f"{org}/{repo}"}

# --- network: the network stack's VPC, build subnets and VPC endpoints (deployed before this stack) ----
network = pulumi.StackReference(config.require("networkStack"))
vpc_id = network.require_output("vpc_id")
vpc_cidr = network.require_output("vpc_cidr")
subnet_ids = network.require_output("build_subnet_ids")
s3_endpoint_id = network.require_output("s3_endpoint_id")
s3_prefix_list_id = network.require_output("s3_prefix_list_id")
ecr_endpoint_ids = pulumi.Output.all(network.require_output("ecr_api_endpoint_id"),
                                     network.require_output("ecr_dkr_endpoint_id"))

# --- registry: immutable tags, scanned, usable only through the CI network -------------------------
repositories = {}
for image in images:
    repositories[image] = aws.ecr.Repository(
        image, name=f"{org}/{image}", image_tag_mutability="IMMUTABLE", tags=tags,
        image_scanning_configuration={"scan_on_push": True}, encryption_configurations=[{"encryption_type": "KMS"}])
    aws.ecr.RepositoryPolicy(image, repository=repositories[image].name, policy=ecr_endpoint_ids.apply(
        lambda ids: json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Sid": "DenyOutsideCiNetwork", "Effect": "Deny", "Principal": "*",
                           "Action": "ecr:*", "Resource": "*",
                           "Condition": {"StringNotEquals": {"aws:SourceVpce": ids}}}]})))

# --- artifact storage: no public access, reads and writes only through the S3 endpoint -------------
artifacts = aws.s3.Bucket("artifacts", bucket=bucket_name, tags=tags)
aws.s3.BucketPublicAccessBlock("artifacts", bucket=artifacts.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True,
                               restrict_public_buckets=True)
aws.s3.BucketOwnershipControls("artifacts", bucket=artifacts.id,
                               rule={"object_ownership": "BucketOwnerEnforced"})
# SSE-KMS with a key of this account (rotated yearly): the roles' kms grants decide who can read artifacts;
# the bucket key keeps KMS requests to one per bucket and time window instead of one per object.
artifact_key = aws.kms.Key("artifacts", description=f"{prefix} artifact bucket (SSE-KMS)", enable_key_rotation=True,
                           rotation_period_in_days=365, deletion_window_in_days=30, tags=tags)
aws.s3.BucketServerSideEncryptionConfiguration("artifacts", bucket=artifacts.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": artifact_key.arn},
    "bucket_key_enabled": True}])
aws.s3.BucketVersioning("artifacts", bucket=artifacts.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketPolicy("artifacts", bucket=artifacts.id, policy=s3_endpoint_id.apply(lambda endpoint: json.dumps({
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "DenyOutsideCiNetwork", "Effect": "Deny", "Principal": "*",
         "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": f"{bucket_arn}/*",
         "Condition": {"StringNotEquals": {"aws:SourceVpce": endpoint}}},
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [bucket_arn, f"{bucket_arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ]})))

# --- identities: OIDC only; build pulls, deploy pushes from the protected environment --------------
github = aws.iam.OpenIdConnectProvider("github", url=f"https://{issuer}", client_id_lists=["sts.amazonaws.com"],
                                       tags=tags)


def trust(subject: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                       "Principal": {"Federated": oidc_arn},
                       "Condition": {"StringEquals": {f"{issuer}:aud": "sts.amazonaws.com",
                                                      f"{issuer}:sub": subject}}}]})


DENY_LISTING = {"Sid": "DenyRepositoryEnumeration", "Effect": "Deny", "Resource": "*",
                "Action": ["ecr:DescribeRepositories", "ecr:DescribeRegistry", "ecr:ListImages",
                           "ecr:DescribeImages"]}
LOGIN = {"Sid": "RegistryLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
PUSH = ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload", "ecr:PutImage"]


# The artifact key's ARN exists only after apply: the kms grant names this account's keys used by S3 for
# this bucket (with a bucket key, S3's encryption context is the bucket ARN), so it is known in preview.
ARTIFACT_KEY_USE = {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com",
                                     "kms:EncryptionContext:aws:s3:arn": bucket_arn}}


def registry_policy(actions: list[str], s3_action: str, kms_actions: list[str]) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [DENY_LISTING, LOGIN,
                      {"Effect": "Allow", "Action": actions, "Resource": repository_arns},
                      {"Effect": "Allow", "Action": s3_action, "Resource": f"{bucket_arn}/*"},
                      {"Effect": "Allow", "Action": kms_actions, "Resource": f"arn:aws:kms:{region}:{account}:key/*",
                       "Condition": ARTIFACT_KEY_USE}]})


build = aws.iam.Role("build", name=f"{prefix}-build", assume_role_policy=trust(f"repo:{org}/{repo}:ref:refs/heads/main"),
                     tags={**tags, "cicd-stage": "build"}, opts=pulumi.ResourceOptions(depends_on=[github]))
aws.iam.RolePolicy("build", role=build.name, name="pull-only", policy=registry_policy(PULL, "s3:GetObject", ["kms:Decrypt"]))

deploy = aws.iam.Role("deploy", name=f"{prefix}-deploy",
                      assume_role_policy=trust(f"repo:{org}/{repo}:environment:{environment}"),
                      tags={**tags, "cicd-stage": "deploy"}, opts=pulumi.ResourceOptions(depends_on=[github]))
aws.iam.RolePolicy("deploy", role=deploy.id, name="push", policy=registry_policy(PUSH, "s3:PutObject", ["kms:GenerateDataKey", "kms:Decrypt"]))

# --- self-hosted runners: private subnets, no public IP, IMDSv2 only, pull-only instance role --------
# Registering with GitHub needs an egress path to github.com (egress proxy or NAT with an allow list)
# that this stack deliberately does not open; see README.
runner_sg = aws.ec2.SecurityGroup(
    "runner", name=f"{prefix}-runner", vpc_id=vpc_id, tags=tags,
    description="Self-hosted runners: no inbound; HTTPS to the VPC endpoints only",
    egress=[{"description": "HTTPS to the interface endpoints", "from_port": 443, "to_port": 443,
             "protocol": "tcp", "cidr_blocks": [vpc_cidr]},
            {"description": "HTTPS to S3 through the gateway endpoint", "from_port": 443, "to_port": 443,
             "protocol": "tcp", "prefix_list_ids": [s3_prefix_list_id]}])
runner_role = aws.iam.Role("runner", name=f"{prefix}-runner", tags={**tags, "cicd-stage": "build"},
                           assume_role_policy=json.dumps({
                               "Version": "2012-10-17",
                               "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                              "Principal": {"Service": "ec2.amazonaws.com"}}]}))
aws.iam.RolePolicy("runner", role=runner_role.name, name="pull-only", policy=registry_policy(PULL, "s3:GetObject", ["kms:Decrypt"]))
runner_profile = aws.iam.InstanceProfile("runner", name=f"{prefix}-runner", role=runner_role.name, tags=tags)
runner_boot = config.get("runnerUserData")  # registration script; its token comes from Secrets Manager at boot
runner_template = aws.ec2.LaunchTemplate(
    "runner", name_prefix=f"{prefix}-runner-", instance_type=config.get("runnerInstanceType") or "m7i.large",
    image_id=aws.ssm.get_parameter(name="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64").value,
    iam_instance_profile={"arn": runner_profile.arn},
    user_data=base64.b64encode(runner_boot.encode()).decode() if runner_boot else None,
    metadata_options={"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1},
    network_interfaces=[{"associate_public_ip_address": "false", "security_groups": [runner_sg.id]}],
    block_device_mappings=[{"device_name": "/dev/xvda",
                            "ebs": {"volume_size": 50, "volume_type": "gp3", "encrypted": "true"}}],
    tag_specifications=[{"resource_type": "instance", "tags": {**tags, "Name": f"{prefix}-runner"}}], tags=tags)
runner_count = config.get_int("runnerCount") or 1
aws.autoscaling.Group("runner", name=f"{prefix}-runner", vpc_zone_identifiers=subnet_ids,
                      min_size=runner_count, desired_capacity=runner_count, max_size=runner_count * 2,
                      launch_template={"id": runner_template.id, "version": "$Latest"})

# --- secrets: in Secrets Manager, read at run time through the endpoint ---------------------------
signing_key = aws.secretsmanager.Secret(
    "signing-key", name=f"{prefix}/cosign-key", tags=tags,
    description="Image signing key, written out of band; the pipeline only reads it.")

pulumi.export("build_role_arn", build.arn)
pulumi.export("deploy_role_arn", deploy.arn)
pulumi.export("registry_url", f"{account}.dkr.ecr.{region}.amazonaws.com")
pulumi.export("repository_urls", {name: r.repository_url for name, r in repositories.items()})
pulumi.export("artifact_bucket", artifacts.bucket)
pulumi.export("artifact_key_arn", artifact_key.arn)
pulumi.export("signing_key_secret_arn", signing_key.arn)
pulumi.export("build_subnet_ids", subnet_ids)
