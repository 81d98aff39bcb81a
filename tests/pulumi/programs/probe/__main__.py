import pulumi_aws as aws

for i in range(60):
    aws.ecr.Repository(f"repo-{i}", image_tag_mutability="IMMUTABLE")
