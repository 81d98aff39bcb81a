"""SEC-001..005 on Terraform (HCL and plan JSON): every case of the rulebook, exact findings.

Fake secrets come from fake_secrets (assembled at run time). Each case is a small configuration,
the expected (rule, resource, line, status) rows of the SEC rules, and nothing else.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import fake_secrets as fake
from hcl_scanner import scan
from rulebook.engine import evaluate
from rulebook.rules import REGISTRY

SEC = [REGISTRY[r] for r in ("SEC-001", "SEC-002", "SEC-003", "SEC-004", "SEC-005")]


def rows(tmp_path: Path, files: dict[str, str], plan: dict | None = None, errors: tuple[str, ...] = ()) -> list[tuple]:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, "utf-8")
    if plan is not None:
        (tmp_path / "plan.json").write_text(json.dumps(plan), "utf-8")
        result = scan([], plans=[str(tmp_path / "plan.json")], repo_root=str(tmp_path))
    else:
        result = scan([str(tmp_path / "root")], repo_root=str(tmp_path))
    assert [e.message for e in result.errors] == list(errors)
    findings = [f for inv in result.inventories for f in evaluate(inv, rules=SEC)]
    return sorted((f.rule_id, f.resource, f.line, f.status.value) for f in findings)


def messages(tmp_path: Path, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, "utf-8")
    result = scan([str(tmp_path / "root")], repo_root=str(tmp_path))
    return [f.message for inv in result.inventories for f in evaluate(inv, rules=SEC)]


IMDS = 'metadata_options {\n    http_tokens = "required"\n  }'

# --- SEC-001: literal credentials ------------------------------------------------------------------

SEC_001 = {
    "aws key id in a resource": (f'''
resource "aws_ssm_parameter" "p" {{
  name  = "/ci/key"
  type  = "String"
  value = "{fake.AWS_KEY_ID}"
}}
''', [("SEC-001", "aws_ssm_parameter.p", 2, "failed")]),
    "session key id, github tokens, slack, bearer, private key, azure connection string": (f'''
resource "null_resource" "all" {{
  triggers = {{
    a = "{fake.AWS_SESSION_KEY_ID}"
    b = "{fake.GITHUB_TOKEN}"
    c = "{fake.GITHUB_PAT}"
    d = "{fake.GITHUB_OAUTH}"
    e = "{fake.SLACK_TOKEN}"
    f = "Authorization: Bearer {fake.BEARER_TOKEN}"
    g = "{fake.AZURE_CONNECTION}"
    h = <<-EOT
{fake.PRIVATE_KEY}
EOT
  }}
}}
''', [("SEC-001", "null_resource.all", 2, "failed")] * 8),
    "aws secret key in a credential attribute": (f'''
resource "aws_iam_user_ssh_key" "k" {{
  username   = "ci"
  encoding   = "SSH"
  public_key = "ssh-rsa AAAA"
}}

resource "aws_s3_object" "creds" {{
  bucket  = "b"
  key     = "credentials"
  content = "[default]\\naws_secret_access_key = {fake.AWS_SECRET_KEY}\\n"
}}
''', [("SEC-001", "aws_s3_object.creds", 8, "failed")]),
    "literal in credential attributes": (f'''
resource "azurerm_linux_virtual_machine" "vm" {{
  name           = "agent"
  admin_password = "{fake.PASSWORD}"
}}

resource "aws_secretsmanager_secret_version" "v" {{
  secret_id     = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ci"
  secret_string = "{fake.PASSWORD}"
}}

resource "azuread_application_password" "p" {{
  application_id = "/applications/1"
}}

resource "kubernetes_secret" "s" {{
  data = {{
    client_secret = "{fake.PASSWORD}"
  }}
}}
''', [("SEC-001", "aws_secretsmanager_secret_version.v", 7, "failed"),
      ("SEC-001", "azurerm_linux_virtual_machine.vm", 2, "failed"),
      ("SEC-001", "kubernetes_secret.s", 16, "failed")]),
    "references pass: variable without default, random_password, secret store": ('''
variable "db_password" {
  type      = string
  sensitive = true
}

resource "random_password" "p" {
  length = 32
}

data "aws_secretsmanager_secret_version" "db" {
  secret_id = "ci/db"
}

resource "aws_db_instance" "a" {
  password = var.db_password
}

resource "aws_db_instance" "b" {
  password = random_password.p.result
}

resource "aws_db_instance" "c" {
  password = data.aws_secretsmanager_secret_version.db.secret_string
}

resource "azurerm_linux_web_app" "w" {
  app_settings = {
    SECRET_NAME     = "ci-db"
    PASSWORD_LENGTH = "32"
    DB_PASSWORD     = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/db)"
  }
}
''', []),
    "placeholders and non-secret attributes pass": ('''
resource "aws_db_instance" "a" {
  password            = ""
  password_wo_version = 1
  kms_key_id          = "arn:aws:kms:eu-west-1:111122223333:key/1"
  manage_master_user_password = true
}
''', []),
    "a key in a variable default is reported at the variable and named at the use": (f'''
variable "deploy_key" {{
  type    = string
  default = "{fake.AWS_KEY_ID}"
}}

resource "aws_ssm_parameter" "p" {{
  name  = "/ci/key"
  type  = "String"
  value = var.deploy_key
}}
''', [("SEC-001", "var.deploy_key", 2, "failed")]),
    "a local and a tfvars value": (f'''
variable "registry_password" {{
  type = string
}}

locals {{
  token = "{fake.GITHUB_TOKEN}"
}}

resource "github_actions_variable" "v" {{
  repository    = "app"
  variable_name = "T"
  value         = local.token
}}
''', [("SEC-001", "local.token", 7, "failed"), ("SEC-001", "var.registry_password (root/terraform.tfvars)", 1, "failed"),
      ("SEC-004", "var.registry_password", 2, "failed")]),
}


@pytest.mark.parametrize("case", SEC_001, ids=list(SEC_001))
def test_sec_001(tmp_path, case):
    code, expected = SEC_001[case]
    files = {"root/main.tf": code}
    if "tfvars" in case:
        files["root/terraform.tfvars"] = f'registry_password = "{fake.PASSWORD}"\n'
    assert rows(tmp_path, files) == sorted(expected)


def test_sec_001_names_the_use_and_shows_only_a_redacted_form(tmp_path):
    code, _ = SEC_001["a key in a variable default is reported at the variable and named at the use"]
    [message] = messages(tmp_path, {"root/main.tf": code})
    assert message == ("variable deploy_key holds an AWS access key (AKIA****, 20 characters); "
                       "used by aws_ssm_parameter.p.value")


def test_sec_001_reports_a_variables_file_value_where_the_winning_assignment_is(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text('variable "registry_password" {\n  type = string\n  sensitive = true\n}\n'
                                  'resource "aws_ssm_parameter" "p" {\n  name  = "p"\n  type  = "SecureString"\n'
                                  '  value = var.registry_password\n}\n')
    (root / "terraform.tfvars").write_text('registry_password = "placeholder"\n')
    (root / "prod.auto.tfvars.json").write_text(
        f'{{\n  "region": "eu-west-1",\n  "registry_password": "{fake.PASSWORD}",\n'
        f'  "legacy_key": "{fake.AWS_KEY_ID}"\n}}\n')
    result = scan([str(root)], repo_root=str(tmp_path))
    findings = [f for inv in result.inventories for f in evaluate(inv, rules=[REGISTRY["SEC-001"]])]
    assert sorted((f.resource, f.file, f.line, f.message) for f in findings) == [
        ("var.legacy_key (root/prod.auto.tfvars.json)", "root/prod.auto.tfvars.json", 4,
         f"variable legacy_key (value from a variables file) holds an AWS access key ({fake.AWS_KEY_ID[:4]}****, "
         "20 characters)"),
        ("var.registry_password (root/prod.auto.tfvars.json)", "root/prod.auto.tfvars.json", 3,
         f"variable registry_password (value from a variables file) holds a literal credential "
         f"({fake.PASSWORD[:4]}****, {len(fake.PASSWORD)} characters); used by aws_ssm_parameter.p.value")]


def test_sec_001_in_a_module_called_with_a_literal(tmp_path):
    files = {"root/main.tf": f'module "db" {{\n  source   = "../db"\n  password = "{fake.PASSWORD}"\n}}\n',
             "db/main.tf": 'variable "password" {\n  type = string\n  sensitive = true\n}\n'
                           'resource "aws_db_instance" "x" {\n  password = var.password\n}\n'}
    assert rows(tmp_path, files) == [("SEC-001", "module.db.var.password", 1, "failed")]


# --- SEC-002: plain-text secrets in build and deploy environments -----------------------------------

def _codebuild(var_type: str, name: str = "DB_PASSWORD") -> str:
    type_line = f'\n      type  = "{var_type}"' if var_type else ""
    return f'''
resource "aws_codebuild_project" "b" {{
  name = "b"
  environment {{
    image = "aws/codebuild/standard:7.0"
    environment_variable {{
      name  = "{name}"
      value = "ci/db-password"{type_line}
    }}
  }}
}}
'''


SEC_002 = {
    "codebuild plaintext": (_codebuild(""), [("SEC-002", "aws_codebuild_project.b", 2, "failed")]),
    "codebuild PLAINTEXT explicit, camel-case name": (_codebuild("PLAINTEXT", "dbPassword"),
                                                     [("SEC-002", "aws_codebuild_project.b", 2, "failed")]),
    "codebuild parameter store": (_codebuild("PARAMETER_STORE"), []),
    "codebuild secrets manager": (_codebuild("SECRETS_MANAGER"), []),
    "codebuild not secret-like": (_codebuild("", "LOG_LEVEL"), []),
    "ecs jsonencode environment": ('''
resource "aws_ecs_task_definition" "t" {
  family = "t"
  container_definitions = jsonencode([{
    name        = "app"
    environment = [{ name = "API_KEY", value = "plain-api-key" }]
  }])
}
''', [("SEC-002", "aws_ecs_task_definition.t", 2, "failed")]),
    "ecs json string environment": ('''
resource "aws_ecs_task_definition" "t" {
  family = "t"
  container_definitions = <<-JSON
    [{"name": "app", "environment": [{"name": "private-key", "value": "plain"}]}]
  JSON
}
''', [("SEC-002", "aws_ecs_task_definition.t", 2, "failed")]),
    "ecs secrets valueFrom": ('''
resource "aws_ecs_task_definition" "t" {
  family = "t"
  container_definitions = jsonencode([{
    name    = "app"
    secrets = [{ name = "API_KEY", valueFrom = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:k" }]
  }])
}
''', []),
    "lambda literal vs secret arn": ('''
resource "aws_lambda_function" "f" {
  function_name = "f"
  environment {
    variables = {
      Access_Key        = "plain-access-key"
      TOKEN_SECRET_ARN  = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:t"
      CREDENTIALS       = "arn:aws:ssm:eu-west-1:111122223333:parameter/creds"
    }
  }
}
''', [("SEC-001", "aws_lambda_function.f", 2, "failed"), ("SEC-002", "aws_lambda_function.f", 2, "failed")]),
    "lambda value unknown": ('''
variable "token" {
  type      = string
  sensitive = true
}

resource "aws_lambda_function" "f" {
  function_name = "f"
  environment {
    variables = { GITHUB_TOKEN = var.token }
  }
}
''', [("SEC-002", "aws_lambda_function.f", 7, "unknown")]),
    "lambda value from a sensitive variable": ('''
variable "token" {
  type      = string
  sensitive = true
  default   = "not-a-real-token-value"
}

resource "aws_lambda_function" "f" {
  function_name = "f"
  environment {
    variables = { GITHUB_TOKEN = var.token }
  }
}
''', [("SEC-001", "var.token", 2, "failed")]),
    "app service literal vs key vault reference": ('''
resource "azurerm_linux_web_app" "w" {
  name = "w"
  app_settings = {
    "Api-Key" = "plain-value"
    PASSWD    = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/p)"
  }
}
''', [("SEC-001", "azurerm_linux_web_app.w", 2, "failed"), ("SEC-002", "azurerm_linux_web_app.w", 2, "failed")]),
    "container app env value vs secret_name": ('''
resource "azurerm_container_app" "a" {
  name = "a"
  template {
    container {
      name = "app"
      env {
        name  = "REGISTRY_CREDENTIAL"
        value = "plain-value"
      }
      env {
        name        = "DB_PASSWORD"
        secret_name = "db-password"
      }
    }
  }
}
''', [("SEC-002", "azurerm_container_app.a", 2, "failed")]),
    "github actions secret literal": ('''
resource "github_actions_secret" "s" {
  repository      = "app"
  secret_name     = "DEPLOY_TOKEN"
  plaintext_value = "plain-token-value"
}
''', [("SEC-002", "github_actions_secret.s", 2, "failed")]),
    "github actions secret from a variable or encrypted": ('''
variable "deploy_token" {
  type      = string
  sensitive = true
}

resource "github_actions_secret" "a" {
  repository      = "app"
  secret_name     = "DEPLOY_TOKEN"
  plaintext_value = var.deploy_token
}

resource "github_actions_secret" "b" {
  repository      = "app"
  secret_name     = "OTHER"
  encrypted_value = "c2VhbGVkIGJveA=="
}
''', []),
}


@pytest.mark.parametrize("case", SEC_002, ids=list(SEC_002))
def test_sec_002(tmp_path, case):
    code, expected = SEC_002[case]
    assert rows(tmp_path, {"root/main.tf": code}) == sorted(expected)


# --- SEC-003: credentials in bootstrap scripts ------------------------------------------------------

def _instance(user_data: str, attr: str = "user_data") -> str:
    return f'''
resource "aws_instance" "agent" {{
  ami = "ami-1"
  {attr} = {user_data}
  {IMDS}
}}
'''


SCRIPTS = {
    "export plain": (_instance(f'"#!/bin/sh\\nexport AWS_SECRET_ACCESS_KEY={fake.SCRIPT_SECRET}\\n"'), "failed"),
    "aws configure set in a heredoc": (_instance(
        f'<<-EOT\n    #!/bin/bash\n    aws configure set aws_secret_access_key {fake.SCRIPT_SECRET}\n  EOT'), "failed"),
    "docker login -p in base64encode": (_instance(
        f'base64encode("docker login -u ci -p {fake.DOCKER_PASSWORD} registry.example.com")', "user_data_base64"),
        "failed"),
    "docker login --password=": (_instance(f'"docker login --password={fake.DOCKER_PASSWORD} r.example.com"'),
                                 "failed"),
    "az login -p": (_instance(f'"az login --service-principal -u app -p {fake.AZ_PASSWORD} --tenant t"'), "failed"),
    "credentials file": (_instance(
        f'<<-EOT\n    mkdir -p ~/.aws\n    cat > ~/.aws/credentials <<EOF\n    [default]\n'
        f'    aws_secret_access_key = {fake.SCRIPT_SECRET}\n    EOF\n  EOT'), "failed"),
    "templatefile inside the root": (_instance('templatefile("${path.module}/boot.sh", { key = "' + fake.SCRIPT_SECRET
                                               + '" })'), "failed"),
    "password-stdin and runtime values pass": (_instance(
        '<<-EOT\n    aws ecr get-login-password | docker login -u AWS --password-stdin r.example.com\n'
        '    export AWS_SECRET_ACCESS_KEY=$(aws secretsmanager get-secret-value --secret-id k)\n'
        '    az login --identity\n  EOT'), None),
    "templatefile outside the repository": (_instance('templatefile("/etc/boot.sh", {})'), "unknown"),
}
_OUTSIDE = "templatefile('/etc/boot.sh') reads outside the repository; not read"


@pytest.mark.parametrize("case", SCRIPTS, ids=list(SCRIPTS))
def test_sec_003_instance_scripts(tmp_path, case):
    code, status = SCRIPTS[case]
    files = {"root/main.tf": code, "root/boot.sh": "#!/bin/sh\nexport AWS_SECRET_ACCESS_KEY=${key}\n"}
    errors = (_OUTSIDE,) if "/etc/" in code else ()  # an error naming the file (hostile input), and UNKNOWN
    found = [r for r in rows(tmp_path, files, errors=errors) if r[0] == "SEC-003"]
    assert found == ([("SEC-003", "aws_instance.agent", 2, status)] if status else [])


def test_sec_003_launch_template_and_azure_custom_data(tmp_path):
    code = f'''
resource "aws_launch_template" "lt" {{
  user_data = base64encode("#!/bin/sh\\nexport AWS_SECRET_ACCESS_KEY={fake.SCRIPT_SECRET}\\n")
  {IMDS}
}}

resource "azurerm_linux_virtual_machine" "vm" {{
  custom_data = base64encode("az login -u ci -p {fake.AZ_PASSWORD}")
}}
'''
    assert rows(tmp_path, {"root/main.tf": code}) == [("SEC-003", "aws_launch_template.lt", 2, "failed"),
                                                     ("SEC-003", "azurerm_linux_virtual_machine.vm", 9, "failed")]


# --- SEC-004: sensitive declarations ---------------------------------------------------------------

def test_sec_004(tmp_path):
    code = '''
variable "db_password" {
  type = string
}

variable "api_token" {
  type      = string
  sensitive = true
}

variable "create_access_key" {
  default = true
}

variable "password_length" {
  default = 32
}

variable "auth_credentials" {
  type = object({ username_secret_id = string, password_secret_id = string })
}

variable "restrict_create_platform_apikey" {
  type = string
}

resource "aws_iam_access_key" "ci" {
  user = "ci"
}

output "ci_secret" {
  value = aws_iam_access_key.ci.secret
}

output "ci_secret_sensitive" {
  value     = aws_iam_access_key.ci.secret
  sensitive = true
}

output "ci_encrypted" {
  value = aws_iam_access_key.ci.encrypted_secret
}

output "admin_password" {
  value = "x${random_password.p.result}"
}

resource "random_password" "p" {
  length = 16
}
'''
    assert [r for r in rows(tmp_path, {"root/main.tf": code}) if r[0] == "SEC-004"] == [
        ("SEC-004", "output.admin_password", 44, "failed"),
        ("SEC-004", "output.ci_secret", 31, "failed"),
        ("SEC-004", "var.db_password", 2, "failed"),
    ]


# --- SEC-005: IMDSv2 -------------------------------------------------------------------------------

IMDS_CASES = {
    "instance without metadata_options": ('resource "aws_instance" "a" {\n  ami = "x"\n}\n', "failed"),
    "instance optional": ('resource "aws_instance" "a" {\n  metadata_options {\n    http_tokens = "optional"\n  }\n}\n',
                          "failed"),
    "instance required": ('resource "aws_instance" "a" {\n  metadata_options {\n    http_tokens = "required"\n  }\n}\n',
                          None),
    "instance endpoint disabled": ('resource "aws_instance" "a" {\n  metadata_options {\n'
                                   '    http_endpoint = "disabled"\n  }\n}\n', None),
    "instance unknown": ('variable "t" {\n  type = string\n}\nresource "aws_instance" "a" {\n  metadata_options {\n'
                         '    http_tokens = var.t\n  }\n}\n', "unknown"),
    "launch template without": ('resource "aws_launch_template" "a" {\n  name = "x"\n}\n', "failed"),
    "launch template required": ('resource "aws_launch_template" "a" {\n  metadata_options {\n'
                                 '    http_tokens = "required"\n  }\n}\n', None),
}


@pytest.mark.parametrize("case", IMDS_CASES, ids=list(IMDS_CASES))
def test_sec_005(tmp_path, case):
    code, status = IMDS_CASES[case]
    address = "aws_instance.a" if "instance" in case else "aws_launch_template.a"
    line = code.splitlines().index(next(l for l in code.splitlines() if l.startswith("resource"))) + 1
    assert rows(tmp_path, {"root/main.tf": code}) == ([("SEC-005", address, line, status)] if status else [])


# --- plan JSON -------------------------------------------------------------------------------------

def _plan(env_sensitive: bool) -> dict:
    lam = {"address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function", "name": "f",
           "values": {"function_name": "f", "environment": [{"variables": {"DB_PASSWORD": fake.PASSWORD}}]},
           "sensitive_values": {"environment": [{"variables": {"DB_PASSWORD": True}}]} if env_sensitive else {}}
    return {
        "format_version": "1.2", "terraform_version": "1.9.0",
        "variables": {"db_password": {"value": fake.PASSWORD}, "deploy_key": {"value": fake.AWS_KEY_ID}},
        "planned_values": {"root_module": {"resources": [lam]},
                           "outputs": {"key_secret": {"sensitive": False}, "db": {"sensitive": True}}},
        "resource_changes": [],
        "configuration": {"root_module": {
            "variables": {"db_password": {"sensitive": env_sensitive}, "deploy_key": {"default": fake.AWS_KEY_ID}},
            "outputs": {"key_secret": {"expression": {"references": ["aws_iam_access_key.ci.secret",
                                                                     "aws_iam_access_key.ci"]}},
                        "db": {"sensitive": True, "expression": {"references": ["var.db_password"]}}},
            "resources": [{"address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function",
                           "name": "f", "expressions": {"environment": [{"variables": {
                               "references": ["var.db_password"]}}]}}]}},
    }


SOURCES = '''variable "db_password" {
  type = string
}

variable "deploy_key" {
  type = string
}

resource "aws_lambda_function" "f" {
  function_name = "f"
}

output "key_secret" {
  value = aws_iam_access_key.ci.secret
}
'''


def test_plan_sensitive_values_variables_and_outputs(tmp_path):
    assert rows(tmp_path, {"main.tf": SOURCES}, _plan(env_sensitive=False)) == [
        ("SEC-001", "var.deploy_key", 5, "failed"),
        ("SEC-002", "aws_lambda_function.f", 9, "failed"),
        ("SEC-004", "output.key_secret", 13, "failed"),
        ("SEC-004", "var.db_password", 1, "failed"),
    ]


def test_plan_values_marked_sensitive_are_not_plain_text(tmp_path):
    assert rows(tmp_path, {"main.tf": SOURCES}, _plan(env_sensitive=True)) == [
        ("SEC-001", "var.deploy_key", 5, "failed"),
        ("SEC-004", "output.key_secret", 13, "failed"),
    ]
