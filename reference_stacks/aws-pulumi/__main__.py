"""Segmented CI/CD on AWS: private build subnets, VPC endpoints, a pull-only build role and a
push-capable deploy role, both reached only through GitHub OIDC, and an artifact bucket that refuses
traffic from outside the CI network. The Pulumi twin of reference_stacks/aws-terraform."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
org = config.get("githubOrg") or "acme"
repo = config.get("githubRepo") or "app"
environment = config.get("deployEnvironment") or "production"
region = aws.config.region or "eu-west-1"
issuer = "token.actions.githubusercontent.com"
vpc_cidr = "10.42.0.0/16"

# --- network: build subnets without internet routes, AWS services through endpoints -------------
vpc = aws.ec2.Vpc("ci", cidr_block=vpc_cidr, enable_dns_support=True, enable_dns_hostnames=True,
                  tags={"Name": "ci-network"})
subnets = [aws.ec2.Subnet(f"build-{i}", vpc_id=vpc.id, cidr_block=f"10.42.{i * 16}.0/20",
                          tags={"Name": f"ci-build-{i}"}) for i in range(2)]
routes = aws.ec2.RouteTable("build", vpc_id=vpc.id)
for i, subnet in enumerate(subnets):
    aws.ec2.RouteTableAssociation(f"build-{i}", subnet_id=subnet.id, route_table_id=routes.id)
endpoint_sg = aws.ec2.SecurityGroup(
    "endpoints", vpc_id=vpc.id, description="HTTPS from the build subnets to the interface endpoints",
    ingress=[{"description": "HTTPS from build subnets", "from_port": 443, "to_port": 443,
              "protocol": "tcp", "cidr_blocks": [vpc_cidr]}])
s3_endpoint = aws.ec2.VpcEndpoint("s3", vpc_id=vpc.id, service_name=f"com.amazonaws.{region}.s3",
                                  vpc_endpoint_type="Gateway", route_table_ids=[routes.id])
interface = {name: aws.ec2.VpcEndpoint(
    name.replace(".", "-"), vpc_id=vpc.id, service_name=f"com.amazonaws.{region}.{name}",
    vpc_endpoint_type="Interface", subnet_ids=[s.id for s in subnets],
    security_group_ids=[endpoint_sg.id], private_dns_enabled=True)
    for name in ("ecr.api", "ecr.dkr", "sts", "secretsmanager", "logs")}

# --- registry: immutable tags, usable only through the CI network ---------------------------------
app = aws.ecr.Repository("app", name="acme/app", image_tag_mutability="IMMUTABLE",
                         image_scanning_configuration={"scan_on_push": True})
aws.ecr.RepositoryPolicy("app", repository=app.name, policy=pulumi.Output.all(
    interface["ecr.api"].id, interface["ecr.dkr"].id).apply(lambda ids: json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "DenyOutsideCiNetwork", "Effect": "Deny", "Principal": "*",
                       "Action": "ecr:*", "Resource": "*",
                       "Condition": {"StringNotEquals": {"aws:SourceVpce": ids}}}]})))

# --- artifact storage: no public access, reads and writes only through the S3 endpoint -------------
artifacts = aws.s3.Bucket("artifacts", bucket="acme-ci-artifacts")
aws.s3.BucketPublicAccessBlock("artifacts", bucket=artifacts.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True,
                               restrict_public_buckets=True)
aws.s3.BucketOwnershipControls("artifacts", bucket=artifacts.id,
                               rule={"object_ownership": "BucketOwnerEnforced"})
aws.s3.BucketPolicy("artifacts", bucket=artifacts.id, policy=pulumi.Output.all(
    artifacts.arn, s3_endpoint.id).apply(lambda args: json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "DenyOutsideCiNetwork", "Effect": "Deny", "Principal": "*",
             "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": f"{args[0]}/*",
             "Condition": {"StringNotEquals": {"aws:SourceVpce": args[1]}}},
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [args[0], f"{args[0]}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        ]})))

# --- identities: OIDC only; build pulls, deploy pushes from the protected environment --------------
github = aws.iam.OpenIdConnectProvider("github", url=f"https://{issuer}", client_id_lists=["sts.amazonaws.com"])


def trust(subject: str) -> pulumi.Output:
    return github.arn.apply(lambda arn: json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                       "Principal": {"Federated": arn},
                       "Condition": {"StringEquals": {f"{issuer}:aud": "sts.amazonaws.com",
                                                      f"{issuer}:sub": subject}}}]}))


DENY_LISTING = {"Sid": "DenyRepositoryEnumeration", "Effect": "Deny", "Resource": "*",
                "Action": ["ecr:DescribeRepositories", "ecr:DescribeRegistry", "ecr:ListImages",
                           "ecr:DescribeImages"]}
LOGIN = {"Sid": "RegistryLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}


def registry_policy(actions: list[str], s3_action: str) -> pulumi.Output:
    return pulumi.Output.all(app.arn, artifacts.arn).apply(lambda arns: json.dumps({
        "Version": "2012-10-17",
        "Statement": [DENY_LISTING, LOGIN,
                      {"Effect": "Allow", "Action": actions, "Resource": arns[0]},
                      {"Effect": "Allow", "Action": s3_action, "Resource": f"{arns[1]}/*"}]}))


build = aws.iam.Role("build", name="ci-build", assume_role_policy=trust(f"repo:{org}/{repo}:ref:refs/heads/main"),
                     tags={"cicd-stage": "build"})
aws.iam.RolePolicy("build", role=build.name, name="pull-only", policy=registry_policy(
    ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], "s3:GetObject"))

deploy = aws.iam.Role("deploy", name="ci-deploy", assume_role_policy=trust(f"repo:{org}/{repo}:environment:{environment}"),
                      tags={"cicd-stage": "deploy"})
aws.iam.RolePolicy("deploy", role=deploy.id, name="push", policy=registry_policy(
    ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
     "ecr:CompleteLayerUpload", "ecr:PutImage"], "s3:PutObject"))

# --- secrets: in Secrets Manager, read at run time through the endpoint ---------------------------
aws.secretsmanager.Secret("signing-key", name="ci/cosign-key",
                          description="Image signing key, written out of band; the pipeline only reads it.")

pulumi.export("build_role_arn", build.arn)
pulumi.export("deploy_role_arn", deploy.arn)
