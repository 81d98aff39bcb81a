import json

import pulumi
import pulumi_aws as aws

ci = aws.iam.User("ci", name="ci-bot")
key = aws.iam.AccessKey("ci-key", user=ci.name)

bucket = aws.s3.Bucket("artifacts")
locked = aws.s3.Bucket("locked")
aws.s3.BucketPublicAccessBlock("locked-pab", bucket=locked.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)

role = aws.iam.Role("deploy", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "codebuild.amazonaws.com"}}],
}))
doc = aws.iam.get_policy_document_output(statements=[{"actions": ["ecr:*"], "resources": ["*"]}])
aws.iam.RolePolicy("deploy-ecr", role=role.name, policy=doc.json)

pulumi.export("bucket", bucket.bucket)
