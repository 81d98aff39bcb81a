"""The insecure twin of reference_stacks/aws-pulumi: the mistakes cicd-guard exists to stop."""

import json

import pulumi_aws as aws

# A machine user with a static key, pasted into the CI system's variables.
ci_user = aws.iam.User("ci", name="ci-bot")
aws.iam.AccessKey("ci-key", user=ci_user.name)

# Artifact buckets: one with no public access block, one whose block leaves policies open.
aws.s3.Bucket("artifacts", bucket="acme-ci-artifacts-legacy")
cache = aws.s3.BucketV2("cache", bucket="acme-ci-cache")
aws.s3.BucketPublicAccessBlock("cache", bucket=cache.id, block_public_acls=True, block_public_policy=False,
                               ignore_public_acls=True, restrict_public_buckets=False)

# The registry role: every ECR action on every repository, mutable tags; its trust pins no audience (IDF-002).
runner = aws.iam.Role("ci", name="ci-runner", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
        "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}},
    }],
}))
aws.iam.RolePolicy("ci", role=runner.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}],
}))
aws.ecr.Repository("app", name="acme/app", image_tag_mutability="MUTABLE")

# The legacy bucket is shared through a public-read ACL, and Jenkins answers the whole internet.
aws.s3.BucketAclV2("artifacts-acl", bucket="acme-ci-artifacts-legacy", acl="public-read")
aws.ec2.SecurityGroup("jenkins", vpc_id="vpc-0123456789abcdef0", ingress=[{
    "description": "Jenkins UI and agents", "from_port": 8080, "to_port": 50000, "protocol": "tcp",
    "cidr_blocks": ["0.0.0.0/0"]}])
aws.s3.BucketPolicy("artifacts-policy", bucket="acme-ci-artifacts-legacy", policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "ReadFromCi", "Effect": "Allow", "Principal": {"AWS": "*"},
                   "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::acme-ci-artifacts-legacy/*",
                   "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0a1b2c3d4e5f67890"}}}]}))

# A Jenkins agent bootstrapped with a static cloud key, on IMDSv1, and a deploy function holding a
# registry token in plain text.
aws.ec2.Instance("jenkins-agent", ami="ami-0123456789abcdef0", instance_type="m7i.large",
                 user_data="#!/bin/bash\nexport AWS_SECRET_ACCESS_KEY=demo-static-key-not-real\njava -jar agent.jar\n")
aws.lambda_.Function("deployer", role="arn:aws:iam::111122223333:role/deployer", runtime="python3.12",
                     handler="app.handler", environment={"variables": {"REGISTRY_TOKEN": "demo-registry-token-not-real"}})

# A cross-account deploy role any AWS principal may assume: no organisation, account or external ID (IDF-005).
aws.iam.Role("cross-account-deploy", name="cross-account-deploy", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}}],
}))
