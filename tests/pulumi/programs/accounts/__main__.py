import json

import pulumi_aws as aws

repo = aws.ecr.Repository("app", image_tag_mutability="IMMUTABLE")
aws.ecr.RepositoryPolicy("app-policy", repository=repo.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "OwnDeploy", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/deploy"},
         "Action": ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"]},
        {"Sid": "PartnerPush", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
         "Action": "ecr:PutImage"},
    ],
}))
