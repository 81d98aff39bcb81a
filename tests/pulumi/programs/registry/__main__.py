"""Components, explicit providers, apply and secrets: an ordinary program, not one written for the gate."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()


class Service(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("acme:ci:Service", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.repo = aws.ecr.Repository(f"{name}-repo", image_tag_mutability="MUTABLE", opts=child)
        self.role = aws.iam.Role(f"{name}-build", assume_role_policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"Service": "codebuild.amazonaws.com"}}],
        }), tags={"owner": config.require("owner")}, opts=child)
        self.register_outputs({"repo": self.repo.repository_url})


provider = aws.Provider("eu", region="eu-west-1")
api = Service("api", opts=pulumi.ResourceOptions(providers=[provider]))
plain = aws.ecr.Repository("cache")
untagged = aws.iam.Role("untagged", assume_role_policy=api.repo.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": arn}}],
})))
token = pulumi.Output.secret("not-a-real-token")
pulumi.export("token", token)

# a stack reference and a synchronous provider function, as ordinary programs use them
network = pulumi.StackReference("acme/network/prod")
account = aws.get_caller_identity().account_id
aws.iam.RolePolicy("untagged-pull", role=untagged.name, policy=network.get_output("repoArn").apply(
    lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "ecr:BatchGetImage",
        "Resource": arn or f"arn:aws:ecr:us-east-1:{account}:repository/app"}]})))
