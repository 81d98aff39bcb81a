"""The CI network of the AWS reference stack, its own project and stack: a VPC without an internet
gateway, private build subnets, and AWS services reached through VPC endpoints only.

The CI stack (the __main__.py one folder up) reads what it exports through a pulumi.StackReference. Deployed first, the
endpoint IDs are then stack outputs the engine reads from the backend, known in every `pulumi preview`
of the CI stack: its bucket and registry policies, which name them, are decided before anything changes.
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
prefix = config.get("prefix") or "ci"
vpc_cidr = config.get("vpcCidr") or "10.42.0.0/16"
region = aws.get_region().region
tags = {"managed-by": "pulumi", "ci-stack": prefix, "ci-layer": "network"}

zones = aws.get_availability_zones(state="available").names
vpc = aws.ec2.Vpc("ci", cidr_block=vpc_cidr, enable_dns_support=True, enable_dns_hostnames=True,
                  tags={**tags, "Name": f"{prefix}-network"})
base = vpc_cidr.split("/")[0].rsplit(".", 2)[0]  # "10.42" of 10.42.0.0/16: the /20s are 10.42.0.0 and 10.42.16.0
subnets = [aws.ec2.Subnet(f"build-{i}", vpc_id=vpc.id, cidr_block=f"{base}.{i * 16}.0/20",
                          availability_zone=zones[i], tags={**tags, "Name": f"{prefix}-build-{i}"})
           for i in range(2)]
routes = aws.ec2.RouteTable("build", vpc_id=vpc.id, tags=tags)
for i, subnet in enumerate(subnets):
    aws.ec2.RouteTableAssociation(f"build-{i}", subnet_id=subnet.id, route_table_id=routes.id)
endpoint_sg = aws.ec2.SecurityGroup(
    "endpoints", name=f"{prefix}-endpoints", vpc_id=vpc.id, tags=tags,
    description="HTTPS from the build subnets to the interface endpoints",
    ingress=[{"description": "HTTPS from build subnets", "from_port": 443, "to_port": 443,
              "protocol": "tcp", "cidr_blocks": [vpc_cidr]}])
s3_endpoint = aws.ec2.VpcEndpoint("s3", vpc_id=vpc.id, service_name=f"com.amazonaws.{region}.s3",
                                  vpc_endpoint_type="Gateway", route_table_ids=[routes.id], tags=tags)
interface = {name: aws.ec2.VpcEndpoint(
    name.replace(".", "-"), vpc_id=vpc.id, service_name=f"com.amazonaws.{region}.{name}",
    vpc_endpoint_type="Interface", subnet_ids=[s.id for s in subnets],
    security_group_ids=[endpoint_sg.id], private_dns_enabled=True, tags=tags)
    for name in ("ecr.api", "ecr.dkr", "sts", "secretsmanager", "logs")}

pulumi.export("vpc_id", vpc.id)
pulumi.export("vpc_cidr", vpc_cidr)
pulumi.export("build_subnet_ids", [s.id for s in subnets])
pulumi.export("build_route_table_id", routes.id)
pulumi.export("endpoint_security_group_id", endpoint_sg.id)
pulumi.export("s3_endpoint_id", s3_endpoint.id)
pulumi.export("s3_prefix_list_id", s3_endpoint.prefix_list_id)
for name, endpoint in interface.items():  # ecr_api_endpoint_id, ecr_dkr_endpoint_id, sts_endpoint_id, ...
    pulumi.export(f"{name.replace('.', '_')}_endpoint_id", endpoint.id)
