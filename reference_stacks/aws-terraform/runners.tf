# Self-hosted GitHub runners: an autoscaling group in the private build subnets. No public IP, no
# inbound rule, IMDSv2 only (hop limit 1, so containers on the host cannot reach the instance
# credentials), encrypted disks, and an instance role that can only pull images and read artifacts.
# Registering with GitHub needs an egress path to github.com (an egress proxy or a NAT with an allow
# list) that this stack deliberately does not open: add yours, then pass the runner's registration as
# runner_user_data (with a just-in-time token fetched from Secrets Manager through the endpoint).

data "aws_ssm_parameter" "runner_ami" {
  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

resource "aws_security_group" "runner" {
  name        = "${var.prefix}-runner"
  description = "Self-hosted runners: no inbound; HTTPS to the VPC endpoints only"
  vpc_id      = aws_vpc.ci.id

  egress {
    description = "HTTPS to the interface endpoints"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }

  egress {
    description     = "HTTPS to S3 through the gateway endpoint"
    from_port       = 443
    to_port         = 443
    protocol        = "tcp"
    prefix_list_ids = [aws_vpc_endpoint.s3.prefix_list_id]
  }
}

data "aws_iam_policy_document" "runner_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "runner" {
  name               = "${var.prefix}-runner"
  assume_role_policy = data.aws_iam_policy_document.runner_trust.json
  tags = {
    cicd-stage = "build"
  }
}

# The runner host pulls like the build role, nothing more; jobs get their own OIDC roles.
resource "aws_iam_role_policy" "runner" {
  name   = "pull-only"
  role   = aws_iam_role.runner.name
  policy = data.aws_iam_policy_document.pull.json
}

resource "aws_iam_instance_profile" "runner" {
  name = "${var.prefix}-runner"
  role = aws_iam_role.runner.name
}

resource "aws_launch_template" "runner" {
  name_prefix   = "${var.prefix}-runner-"
  image_id      = data.aws_ssm_parameter.runner_ami.value
  instance_type = var.runner_instance_type
  user_data     = var.runner_user_data == "" ? null : base64encode(var.runner_user_data)

  iam_instance_profile {
    arn = aws_iam_instance_profile.runner.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  network_interfaces {
    associate_public_ip_address = false
    security_groups             = [aws_security_group.runner.id]
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size = 50
      volume_type = "gp3"
      encrypted   = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags = {
      Name = "${var.prefix}-runner"
    }
  }
}

resource "aws_autoscaling_group" "runner" {
  name                = "${var.prefix}-runner"
  vpc_zone_identifier = aws_subnet.build[*].id
  min_size            = var.runner_count
  desired_capacity    = var.runner_count
  max_size            = var.runner_count * 2

  launch_template {
    id      = aws_launch_template.runner.id
    version = "$Latest"
  }
}
