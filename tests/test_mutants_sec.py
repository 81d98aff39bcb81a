"""SEC-001..005: the cases that tell surviving mutants of the secret rules apart from the code.

Mutation testing (docs/mutation.md) showed branches of the secret rules and their helpers that no
other test reached: where a leaf's key and place are read from its path, who reads a variable, how a
plain-text environment value is told from a pointer or a run-time read, which line of a script holds a
credential, the phases of a command, and the UNKNOWN results of every rule. Each case asserts an exact
result; rule-level cases also have their findings (rule, status, resource, message) in the golden record.
Fake secrets come from fake_secrets (assembled at run time).
"""

from __future__ import annotations

import pytest

import fake_secrets as fake
from builders import make
from rulebook.engine import evaluate
from rulebook.model import Inventory, Ref
from rulebook.rules import REGISTRY
from rulebook.rules.sec._common import last_key, used_by, where
from rulebook.rules.sec.sec_001_literal_credentials import findings_in
from rulebook.rules.sec.sec_003_bootstrap_credentials import _literal, credential_lines
from rulebook.rules.sec.sec_004_sensitive_declarations import secret_attribute
from rulebook.unknown import Unknown

DB_PASSWORD = "Winter2024-ci-db"  # a literal credential no detector knows by its shape


def found(rule_id: str, *resources) -> list[tuple[str, str, str, str]]:
    return [(f.rule_id, f.status.value, f.resource, f.message)
            for f in evaluate(Inventory(list(resources)), rules=[REGISTRY[rule_id]])]


# --- _common: where a leaf sits, who reads it ----------------------------------------------------------

@pytest.mark.parametrize("path, key", [
    ("password", "password"),
    ("environment[0].variables.DB_PASSWORD", "DB_PASSWORD"),
    ("a.b.c", "c"),
    ("settings.tokens[0]", "tokens"),
    ("tokens[12]", "tokens"),
    ("", ""),
])
def test_last_key(path, key):
    assert last_key(path) == key


def test_where_provider_attribute():
    provider = make("terraform.provider", "provider.aws", name="aws")
    assert where(provider, "secret_key") == 'provider "aws" secret_key'
    assert where(provider, "") == 'provider "aws"'


@pytest.mark.parametrize("kind, path, text", [
    ("terraform.variable", "api_token", "variable api_token"),
    ("terraform.variable", "api_token.value", "variable api_token (value)"),
    ("terraform.local", "api_token.X_TOKEN", "local value api_token (X_TOKEN)"),
    ("terraform.local", "settings.token", "local value api_token (settings.token)"),
    ("terraform.output", "api_token[0]", "output api_token ([0])"),
])
def test_where_declarations(kind, path, text):
    assert where(make(kind, "x", name="api_token"), path) == text


def test_where_tfvars_value():
    value = make("terraform.variable_value", "var.api_token", name="api_token", source="tfvars")
    assert where(value, "api_token") == "variable api_token (value from a variables file)"


def test_where_resource():
    bucket = make("aws.s3.bucket", "aws_s3_bucket.b")
    assert where(bucket, "tags.token") == "tags.token"
    assert where(bucket, "") == "a value"


@pytest.mark.parametrize("count, text", [
    (0, ""),
    (2, "; used by aws_a.x1, aws_a.x2"),
    (5, "; used by aws_a.x1, aws_a.x2, aws_a.x3, aws_a.x4, aws_a.x5"),
    (6, "; used by aws_a.x1, aws_a.x2, aws_a.x3, aws_a.x4, aws_a.x5 and 1 more"),
    (7, "; used by aws_a.x1, aws_a.x2, aws_a.x3, aws_a.x4, aws_a.x5 and 2 more"),
])
def test_used_by(count, text):
    uses = [f"aws_a.x{i}" for i in range(1, count + 1)]
    assert used_by(make("terraform.local", "local.t", name="t", used_by=uses)) == text


# --- SEC-001 -----------------------------------------------------------------------------------------

def test_output_literal_is_not_a_credential_attribute():
    """An output's value is SEC-004's business; SEC-001 finds only key shapes and assignments in it."""
    output = make("terraform.output", "output.db_password", name="db_password")
    assert findings_in(output, "db_password", DB_PASSWORD) == []
    variable = make("terraform.variable", "var.db_password", name="db_password")
    assert [(d.what, d.secret) for d in findings_in(variable, "db_password", DB_PASSWORD)] == \
        [("a literal credential", DB_PASSWORD)]


def test_sec001_reads_past_values_that_are_not_text():
    database = make("unmapped", "aws_db_instance.ci")
    database.values = [("port", 5432), ("deletion_protection", False), ("password", DB_PASSWORD)]
    assert found("SEC-001", database) == [
        ("SEC-001", "failed", "aws_db_instance.ci", "password holds a literal credential (Wint****, 16 characters)")]


def test_sec001_provider_and_used_variable():
    provider = make("terraform.provider", "provider.aws", name="aws")
    provider.values = [("secret_key", fake.AWS_SECRET_KEY)]
    local = make("terraform.local", "local.db", 5, name="db", used_by=[f"aws_db_instance.r{i}" for i in range(7)])
    local.values = [("db.password", DB_PASSWORD)]
    assert found("SEC-001", provider, local) == [
        ("SEC-001", "failed", "provider.aws",
         'provider "aws" secret_key holds a literal credential (Fake****, 40 characters)'),
        ("SEC-001", "failed", "local.db",
         "local value db (password) holds a literal credential (Wint****, 16 characters); used by "
         "aws_db_instance.r0, aws_db_instance.r1, aws_db_instance.r2, aws_db_instance.r3, aws_db_instance.r4 "
         "and 2 more"),
    ]


# --- SEC-002 -----------------------------------------------------------------------------------------

def env(name, value, **flags) -> dict:
    return {"name": name, "value": value, "path": f"environment.{name}", "from_store": False, "secret": False, **flags}


def test_sec002_values_told_apart():
    """Pointers, run-time reads and blank values pass; a reference to a value or a literal fails."""
    function = make("aws.lambda.function", "aws_lambda_function.f", environment=[
        env("TOKEN_A", Ref("aws_secretsmanager_secret.s", "arn")),
        env("TOKEN_B", Ref("module.vault", "outputs.db.secret_id")),
        env("TOKEN_C", Ref("aws_iam_access_key.k", "secret")),
        env("TOKEN_D", Ref("module.store", "arn.value")),
        env("TOKEN_E", "   "),
        env("TOKEN_F", "$DEPLOY_TOKEN"),
        env("TOKEN_G", "plain-token-value"),
        env("TOKEN_H", {"nested": "x"}),
        env("TOKEN_I", None),
    ])
    assert found("SEC-002", function) == [
        ("SEC-002", "failed", "aws_lambda_function.f", "Lambda environment variable TOKEN_C takes "
         "aws_iam_access_key.k.secret in plain text; reference a secret store instead"),
        ("SEC-002", "failed", "aws_lambda_function.f", "Lambda environment variable TOKEN_D takes "
         "module.store.arn.value in plain text; reference a secret store instead"),
        ("SEC-002", "failed", "aws_lambda_function.f", "Lambda environment variable TOKEN_G holds a plain-text "
         "value (plai****, 17 characters); reference a secret store instead"),
    ]


def test_sec002_unknown_value():
    project = make("aws.codebuild.project", "aws_codebuild_project.p", environment=[
        env("NPM_TOKEN", Unknown("var.npm_token has no value"))])
    assert found("SEC-002", project) == [
        ("SEC-002", "unknown", "aws_codebuild_project.p", "cannot decide whether CodeBuild environment variable "
         "NPM_TOKEN is a plain-text secret: var.npm_token has no value")]


def test_sec002_unknown_environment():
    app = make("azure.app_service", "azurerm_linux_web_app.a", environment=Unknown("app_settings from a module"))
    assert found("SEC-002", app) == [
        ("SEC-002", "unknown", "azurerm_linux_web_app.a",
         "cannot decide the environment variables: app_settings from a module")]


def test_sec002_container_env_name_after_the_container():
    """Container app entries are named container/VARIABLE: the variable's own name decides."""
    app = make("azure.container_app", "azurerm_container_app.a", environment=[
        env("encrypted-proxy/DB_PASSWORD", "plain-db-password"),
        env("api/legacy/encrypted/API_TOKEN", "plain-api-token"),
        env("db_password/HOST", "db.internal"),
    ])
    assert found("SEC-002", app) == [
        ("SEC-002", "failed", "azurerm_container_app.a", "container app environment variable "
         "encrypted-proxy/DB_PASSWORD holds a plain-text value (plai****, 17 characters); "
         "reference a secret store instead"),
        ("SEC-002", "failed", "azurerm_container_app.a", "container app environment variable "
         "api/legacy/encrypted/API_TOKEN holds a plain-text value (****, 15 characters); "
         "reference a secret store instead"),
    ]


def test_sec002_github_secret():
    written = make("github.actions_secret", "github_actions_secret.w", name="DEPLOY_KEY",
                   plaintext_value="plain-deploy-key")
    written.values = [("plaintext_value", "plain-deploy-key")]
    marked = make("github.actions_secret", "github_actions_secret.m", 5, name="DEPLOY_KEY", secret=True,
                  plaintext_value="from-the-stack-config")
    marked.values = [("plaintext_value", "from-the-stack-config")]
    assert found("SEC-002", written, marked) == [
        ("SEC-002", "failed", "github_actions_secret.w", "GitHub Actions secret DEPLOY_KEY is written in the "
         "configuration as plaintext_value (plai****, 16 characters)")]


# --- SEC-003 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, literal", [
    ("abcdef", True), ("abcde", False),
    ("$ABCDEFG", False), ("%ABCDEFG", False), ("`cat token`", False), ("<ABCDEFG", False), ("(ABCDEFG", False),
    ("changeme", False),
])
def test_literal(value, literal):
    assert _literal(value) is literal


def test_credential_lines_numbers_lines_from_one():
    script = f"\nexport AWS_SECRET_ACCESS_KEY=abcdefgh1234\n\necho {fake.AWS_KEY_ID}\nrun\necho {fake.AWS_KEY_ID}\n"
    assert list(credential_lines(script)) == [
        ("exports AWS_SECRET_ACCESS_KEY", "abcdefgh1234", 2),
        ("holds an AWS access key", fake.AWS_KEY_ID, 4),
    ]


def test_credential_lines_detections_after_a_command():
    """A detected secret inside a value a command already reported is not reported again; another is."""
    script = (f'docker login -u ci -p "{fake.GITHUB_TOKEN}x" registry.example.com\n'
              f"echo {fake.SLACK_TOKEN} > /etc/slack\n"
              f"echo {fake.AWS_KEY_ID} > /etc/key\n")
    assert list(credential_lines(script)) == [
        ("passes a password to docker login", fake.GITHUB_TOKEN + "x", 1),
        ("holds an AWS access key", fake.AWS_KEY_ID, 3),
        ("holds a Slack token", fake.SLACK_TOKEN, 2),
    ]


def test_sec003_scripts_not_known():
    instance = make("aws.ec2.instance", "aws_instance.a", user_data=Unknown("templatefile outside the scan root"))
    template = make("aws.ec2.launch_template", "aws_launch_template.t", 5,
                    user_data=Ref("aws_s3_object.boot", "content"))
    vm = make("azure.vm", "azurerm_linux_virtual_machine.v", 9, user_data={"not": "a script"})
    assert found("SEC-003", instance, template, vm) == [
        ("SEC-003", "unknown", "aws_instance.a",
         "cannot decide whether the bootstrap script carries credentials: templatefile outside the scan root"),
        ("SEC-003", "unknown", "aws_launch_template.t", "cannot decide whether the bootstrap script carries "
         "credentials: the script is aws_s3_object.boot.content, known only after apply"),
    ]


def test_sec003_command_phases():
    command = make("deploy.command", "publish", script="./build.sh", other_phases=[
        {"when": "update", "script": f"docker login -u ci -p {fake.DOCKER_PASSWORD} registry.example.com"},
        {"when": "delete", "script": Unknown("the delete command comes from stack config")},
        "not a phase",
    ])
    assert found("SEC-003", command) == [
        ("SEC-003", "failed", "publish", "command run on the deployment passes a password to docker login "
         "(Fake****, 19 characters) at line 1 of the update command"),
        ("SEC-003", "unknown", "publish", "cannot decide whether the delete command run on the deployment "
         "carries credentials: the delete command comes from stack config"),
    ]


# --- SEC-004 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("reference, secret", [
    ("aws_iam_access_key.ci.secret", True),
    ("aws_iam_access_key.ci.encrypted_secret", False),
    ("aws_db_instance.encrypted.password", True),
    ("aws_s3_bucket.secret.id", False),
])
def test_secret_attribute(reference, secret):
    assert secret_attribute(reference) is secret


def test_sec004_outputs_and_variables():
    exposes = make("terraform.output", "output.keys", 1, name="keys", exposes=[
        "aws_iam_access_key.a.secret", "aws_iam_access_key.b.secret", "aws_iam_access_key.c.secret",
        "aws_iam_access_key.d.secret", "aws_s3_bucket.b.id"])
    named = make("terraform.output", "output.deploy_token", 5, name="deploy_token",
                 exposes=["aws_ssm_parameter.encrypted.id"])
    pgp = make("terraform.output", "output.deploy_secret", 9, name="deploy_secret",
               exposes=["aws_iam_access_key.d.encrypted_secret"])
    unknown = make("terraform.output", "output.db_password", 13, name="db_password",
                   sensitive=Unknown("var.hide has no value"))
    variable = make("terraform.variable", "var.api_token", 17, name="api_token", sensitive=False)
    unknown_variable = make("terraform.variable", "var.db_password", 21, name="db_password",
                            sensitive=Unknown("var.hide has no value"))
    assert found("SEC-004", exposes, named, pgp, unknown, variable, unknown_variable) == [
        ("SEC-004", "failed", "output.keys", "output keys exposes aws_iam_access_key.a.secret, "
         "aws_iam_access_key.b.secret, aws_iam_access_key.c.secret but is not marked sensitive = true; "
         "its value is printed in plans, logs and terraform output"),
        ("SEC-004", "failed", "output.deploy_token", "output deploy_token has a secret-like name but is not "
         "marked sensitive = true; its value is printed in plans, logs and terraform output"),
        ("SEC-004", "unknown", "output.db_password",
         "cannot decide whether output db_password is sensitive: var.hide has no value"),
        ("SEC-004", "failed", "var.api_token", "variable api_token has a secret-like name but is not "
         "marked sensitive = true; its value is printed in plans, logs and terraform output"),
        ("SEC-004", "unknown", "var.db_password",
         "cannot decide whether variable db_password is sensitive: var.hide has no value"),
    ]


# --- SEC-005 -----------------------------------------------------------------------------------------

def test_sec005_token_settings():
    unknown = make("aws.ec2.instance", "aws_instance.u", 1, metadata_http_tokens=Unknown("var.tokens has no value"))
    optional = make("aws.ec2.instance", "aws_instance.o", 5, metadata_http_tokens="optional")
    unset = make("aws.ec2.launch_template", "aws_launch_template.n", 9)
    disabled = make("aws.ec2.instance", "aws_instance.d", 13, metadata_http_endpoint="disabled")
    required = make("aws.ec2.instance", "aws_instance.r", 17, metadata_http_tokens="Required")
    assert found("SEC-005", unknown, optional, unset, disabled, required) == [
        ("SEC-005", "unknown", "aws_instance.u", "cannot decide whether IMDSv2 is required: var.tokens has no value"),
        ("SEC-005", "failed", "aws_instance.o", 'http_tokens is "optional": the instance metadata service answers '
         'IMDSv1 requests; require session tokens (http_tokens = "required")'),
        ("SEC-005", "failed", "aws_launch_template.n", "metadata_options http_tokens is not set: the instance "
         'metadata service answers IMDSv1 requests; require session tokens (http_tokens = "required")'),
    ]


def test_credential_lines_name_the_session_token_they_find():
    script = ("export AWS_SESSION_TOKEN=FwoGZXIvYXdzEXAMPLEtoken\n"
              "aws configure set aws_session_token IQoJb3JpZ2luX2VjEXAMPLE\n"
              "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\n")
    assert [(what, line) for what, _, line in credential_lines(script)] == [
        ("exports AWS_SECRET_ACCESS_KEY", 3), ("exports AWS_SESSION_TOKEN", 1),
        ("runs aws configure set aws_session_token", 2)]
