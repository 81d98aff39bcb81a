"""Commands a deployment runs (pulumi-command): fake credentials (tests/fake_secrets.py) in some."""

import sys
from pathlib import Path

import pulumi
import pulumi_command as command

sys.path.insert(0, str(Path.cwd().parents[2]))  # tests/, for fake_secrets
import fake_secrets as fake  # noqa: E402

command.local.Command("login", create=f"docker login -u ci -p {fake.DOCKER_PASSWORD} registry.example.com")
command.local.Command("stdin-login",
                      create='echo "$REGISTRY_PASSWORD" | docker login -u ci --password-stdin registry.example.com')
command.local.Command("cleanup", create="echo up",
                      delete=f"echo bye\naws configure set aws_secret_access_key {fake.SCRIPT_SECRET}")
command.remote.Command("host-key", connection={"host": "10.0.0.5", "user": "ci"},
                       create=f"export AWS_ACCESS_KEY_ID={fake.AWS_KEY_ID}")
command.local.Command("secret-input", create=pulumi.Output.secret(f"docker login -p {fake.DOCKER_PASSWORD} r"))
