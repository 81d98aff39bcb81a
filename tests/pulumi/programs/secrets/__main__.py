"""Fake secrets (tests/fake_secrets.py, assembled at run time) in every place the SEC rules read."""

import base64
import json
import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws

sys.path.insert(0, str(Path.cwd().parents[2]))  # tests/, for fake_secrets
import fake_secrets as fake  # noqa: E402

aws.s3.BucketObjectv2("creds-object", bucket="b", key="credentials",
                      content=f"[default]\naws_secret_access_key = {fake.AWS_SECRET_KEY}\n")
aws.s3.Bucket("tagged", tags={"note": fake.GITHUB_TOKEN, "key": fake.AWS_KEY_ID})
aws.s3.Bucket("secret-tag", tags={"note": pulumi.Output.secret(fake.GITHUB_PAT)})

aws.codebuild.Project("build", service_role="arn:aws:iam::111122223333:role/cb",
                      artifacts={"type": "NO_ARTIFACTS"}, source={"type": "GITHUB"},
                      environment={"compute_type": "BUILD_GENERAL1_SMALL", "image": "aws/codebuild/standard:7.0",
                                   "type": "LINUX_CONTAINER", "environment_variables": [
                                       {"name": "NPM_TOKEN", "value": "plain-npm-token"},
                                       {"name": "DB_PASSWORD", "value": "ci/db", "type": "PARAMETER_STORE"}]})
aws.codebuild.Project("build-stored", service_role="arn:aws:iam::111122223333:role/cb",
                      artifacts={"type": "NO_ARTIFACTS"}, source={"type": "GITHUB"},
                      environment={"compute_type": "BUILD_GENERAL1_SMALL", "image": "aws/codebuild/standard:7.0",
                                   "type": "LINUX_CONTAINER", "environment_variables": [
                                       {"name": "NPM_TOKEN", "value": "ci/npm", "type": "SECRETS_MANAGER"}]})
aws.ecs.TaskDefinition("task", family="app", container_definitions=json.dumps([{
    "name": "app", "image": "app",
    "environment": [{"name": "API_KEY", "value": "plain-api-key"}],
    "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db"}]}]))
aws.lambda_.Function("fn-secret", role="arn:aws:iam::111122223333:role/fn", runtime="python3.12",
                     handler="a.h", environment={"variables": {"SLACK_TOKEN": pulumi.Output.secret(fake.SLACK_TOKEN)}})

aws.ec2.Instance("agent", ami="ami-1", instance_type="t3.micro",
                 user_data=f"#!/bin/sh\nexport AWS_SECRET_ACCESS_KEY={fake.SCRIPT_SECRET}\n")
aws.ec2.LaunchTemplate("runners", image_id="ami-1", metadata_options={"http_tokens": "required"},
                       user_data=base64.b64encode(
                           f"docker login -u ci -p {fake.DOCKER_PASSWORD} r.example.com\n".encode()).decode())
