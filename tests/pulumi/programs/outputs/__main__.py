import pulumi
import pulumi_aws as aws


class Random(pulumi.CustomResource):
    """pulumi-random's resources as the engine sees them (type token, inputs, outputs)."""

    result: pulumi.Output[str]
    hex: pulumi.Output[str]

    def __init__(self, kind: str, name: str, **props):
        super().__init__(f"random:index/{kind[0].lower()}{kind[1:]}:{kind}", name,
                         {"result": None, "hex": None, **props})


suffix = Random("RandomId", "suffix", byteLength=4)
password = Random("RandomPassword", "db", length=20)
bucket = aws.s3.Bucket("artifacts", bucket=suffix.hex.apply(lambda h: f"acme-artifacts-{h}"))
secret = aws.secretsmanager.Secret("db")
aws.secretsmanager.SecretVersion("db", secret_id=secret.id, secret_string=password.result.apply(str.upper))
pulumi.export("password_length", password.result.apply(len))

if pulumi.get_stack() == "unmodelled":
    token = pulumi.CustomResource("acme:index:Token", "ci", {"value": None})
    token.value.apply(lambda v: v.upper())  # None without --preview: the program fails here

zones = aws.get_availability_zones(state="available")
aws.s3.Bucket("logs", bucket=f"acme-logs-{zones.names[0]}")
if pulumi.get_stack() == "lookup":
    vpc = aws.ec2.get_vpc(default=True)
    network = vpc.cidr_block.split("/")[0]  # an existing VPC's CIDR: nothing offline
