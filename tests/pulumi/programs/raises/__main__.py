import pulumi_aws as aws

aws.iam.User("ci", name="ci-bot")
settings = {"region": "eu-west-1"}
bucket_name = settings["bucket"]
