# Build agents run in private subnets with no route to the internet; AWS services are reached
# through VPC endpoints, so artifact storage and the registry can refuse everything else.

data "aws_availability_zones" "available" {
  state = "available"
}

resource "aws_vpc" "ci" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags = {
    Name = "${var.prefix}-network"
  }
}

resource "aws_subnet" "build" {
  count             = 2
  vpc_id            = aws_vpc.ci.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index)
  availability_zone = data.aws_availability_zones.available.names[count.index]
  tags = {
    Name = "${var.prefix}-build-${count.index}"
  }
}

resource "aws_route_table" "build" {
  vpc_id = aws_vpc.ci.id
}

resource "aws_route_table_association" "build" {
  count          = 2
  subnet_id      = aws_subnet.build[count.index].id
  route_table_id = aws_route_table.build.id
}

resource "aws_security_group" "endpoints" {
  name        = "${var.prefix}-endpoints"
  description = "HTTPS from the build subnets to the interface endpoints"
  vpc_id      = aws_vpc.ci.id

  ingress {
    description = "HTTPS from build subnets"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.ci.id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.build.id]
}

resource "aws_vpc_endpoint" "interface" {
  for_each            = toset(["ecr.api", "ecr.dkr", "sts", "secretsmanager", "logs"])
  vpc_id              = aws_vpc.ci.id
  service_name        = "com.amazonaws.${var.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = aws_subnet.build[*].id
  security_group_ids  = [aws_security_group.endpoints.id]
  private_dns_enabled = true
}
