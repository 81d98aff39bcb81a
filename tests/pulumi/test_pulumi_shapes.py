"""Outputs and function results shaped as the providers return them (the SDK's declared types).

Programs run offline in one child process (run_programs); each reads back the value it cares about
through `apply`, so a wrong shape fails the program exactly where a user's program would fail.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from preview_gate.program import ProgramError, ProgramRun, load_project, run_programs
from preview_gate.sdk_types import SECRET_SIG, SIG_KEY, STAND_IN, UNKNOWN, checked_inputs

DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                               "Action": "ecr:BatchGetImage", "Resource": "*"}]}

# (type token, constructor call with {value} for the policy document, the property holding it)
POLICY_FIELDS = [
    ("aws:iam/policy:Policy", 'aws.iam.Policy("doc", policy={value})', "policy"),
    ("aws:iam/rolePolicy:RolePolicy", 'aws.iam.RolePolicy("doc", role="ci", policy={value})', "policy"),
    ("aws:iam/userPolicy:UserPolicy", 'aws.iam.UserPolicy("doc", user="ci", policy={value})', "policy"),
    ("aws:iam/groupPolicy:GroupPolicy", 'aws.iam.GroupPolicy("doc", group="ci", policy={value})', "policy"),
    ("aws:iam/role:Role", 'aws.iam.Role("doc", assume_role_policy={value})', "assumeRolePolicy"),
    ("aws:ecr/repositoryPolicy:RepositoryPolicy", 'aws.ecr.RepositoryPolicy("doc", repository="app", policy={value})',
     "policy"),
    ("aws:ecr/registryPolicy:RegistryPolicy", 'aws.ecr.RegistryPolicy("doc", policy={value})', "policy"),
    ("aws:s3/bucketPolicy:BucketPolicy", 'aws.s3.BucketPolicy("doc", bucket="b", policy={value})', "policy"),
]
AZURE_POLICY_FIELDS = [  # azure-native declares policy rules as objects: they stay objects
    ("azure-native:authorization:PolicyDefinition",
     'azure_native.authorization.PolicyDefinition("doc", policy_rule={value})', "policyRule"),
]


def _project(root, name: str, code: str):
    directory = root / name
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
    (directory / "__main__.py").write_text(textwrap.dedent(code).lstrip("\n"))
    return load_project(directory, "dev")


def _policy_program(call: str, prop: str, as_text: bool, azure: bool) -> str:
    value = f"json.dumps({DOC!r})" if as_text else repr(DOC)
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in prop)
    read = ("lambda p: pulumi.export('doc', p)" if azure else
            "lambda p: pulumi.export('doc', json.loads(p))")  # the aws SDK declares the document a string
    return f"""
        import json
        import pulumi
        import pulumi_aws as aws
        {"import pulumi_azure_native as azure_native" if azure else ""}
        resource = {call.format(value=value)}
        resource.{snake}.apply({read})
        """


CASES = [(token, call, prop, as_text, azure) for azure, table in ((False, POLICY_FIELDS), (True, AZURE_POLICY_FIELDS))
         for token, call, prop in table for as_text in (False, True)]


@pytest.fixture(scope="module")
def policy_runs(tmp_path_factory) -> dict[tuple[str, bool, bool], ProgramRun | ProgramError]:
    root = tmp_path_factory.mktemp("shapes")
    projects = [_project(root, f"p{i}", _policy_program(call, prop, as_text, azure))
                for i, (token, call, prop, as_text, azure) in enumerate(CASES)]
    out = {}
    for preview in (False, True):
        for case, run in zip(CASES, run_programs(projects, preview=preview)):
            out[(case[0], case[3], preview)] = run
    return out


@pytest.mark.parametrize("preview", [False, True], ids=["apply", "preview"])
@pytest.mark.parametrize("token, call, prop, as_text, azure", CASES,
                         ids=[f"{c[0].rsplit(':', 1)[-1]}-{'json' if c[3] else 'dict'}" for c in CASES])
def test_a_policy_document_as_dict_or_json_text_comes_back_as_the_provider_returns_it(
        policy_runs, token, call, prop, as_text, azure, preview):
    run = policy_runs[(token, as_text, preview)]
    assert not isinstance(run, ProgramError), f"{run}\n{run.detail}"
    (record,) = [r for r in run.resources if r["type"] == token]
    returned = record["outputs"][prop]
    if azure:  # declared `Any`: returned as given
        assert returned == (json.dumps(DOC) if as_text else DOC)
    else:
        assert isinstance(returned, str) and json.loads(returned) == DOC
    # what the policies analyze: the inputs as the provider's Check returns them (aws: the text it stores)
    assert record["inputs"][prop] == (returned if not azure else json.dumps(DOC) if as_text else DOC)


@pytest.mark.parametrize("given, checked", [
    ({"Statement": [{"Effect": "Deny", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}]},
     '{"Statement":[{"Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}},"Effect":"Deny"}]}'),
    ({"Statement": [{"Effect": "Deny", "Condition": {"StringNotEquals": {"aws:SourceVpce": UNKNOWN}}}]}, UNKNOWN),
    ({"Statement": [{"Effect": "Deny", "Resource": [f"{STAND_IN}/*"]}]}, UNKNOWN),  # text built from a stand-in
    ([{"Effect": UNKNOWN}], UNKNOWN),
    ("already text", "already text"),
])
def test_a_document_given_as_an_object_is_checked_as_the_bridge_encodes_it(given, checked):
    """TransformJSONDocument: JSON text when fully known, one unknown string when any part is unknown."""
    import pulumi_aws as aws
    import pulumi_azure_native as azure_native

    inputs = {"bucket": "b", "policy": given}
    assert checked_inputs(aws.s3.BucketPolicy, inputs) == {"bucket": "b", "policy": checked}
    assert checked_inputs(azure_native.authorization.PolicyDefinition, {"policyRule": given}) == {"policyRule": given}
    secret = {SIG_KEY: SECRET_SIG, "value": given}  # a secret document stays secret around its text
    assert checked_inputs(aws.s3.BucketPolicy, {"policy": secret}) == {"policy": {SIG_KEY: SECRET_SIG,
                                                                                   "value": checked}}
    asset = {SIG_KEY: "c44067f5952c0a294b673a41bacd8c17", "text": "{}"}  # not a document: left as given
    assert checked_inputs(aws.s3.BucketPolicy, {"policy": asset}) == {"policy": asset}


def test_outputs_and_function_results_follow_the_declared_types(tmp_path):
    """Computed outputs outside the gate's own table are unknown (applies wait), never None; functions the
    gate does not answer give unknown results (Output form) or stand-ins of the declared type (plain form),
    which read as unknown wherever they flow; an identity object gets its principal."""
    code = """
        import base64
        import pulumi
        import pulumi_aws as aws
        import pulumi_azure_native as azure_native

        api = aws.apigatewayv2.Api("api", protocol_type="HTTP")
        aws.sns.Topic("endpoint", display_name=api.api_endpoint.apply(lambda e: e + "/hook"))
        ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"])
        aws.ec2.Instance("web", ami=ami.id, instance_type="t3.micro")
        vpc = aws.ec2.get_vpc_output(default=True)
        aws.ec2.SecurityGroup("sg", vpc_id=vpc.id)
        creds = aws.ecr.get_credentials(registry_id="123456789012")  # base64 "user:password", as ECR returns
        user, password = base64.b64decode(creds.authorization_token).decode().split(":")
        aws.sns.Topic("password", display_name=password)
        me = aws.get_caller_identity()
        aws.sns.Topic("account", display_name=me.account_id)
        group = azure_native.resources.ResourceGroup("rg")
        keys = azure_native.storage.list_storage_account_keys(resource_group_name="rg", account_name="sa")
        aws.sns.Topic("key", display_name=keys.keys[0].value)
        account = azure_native.storage.StorageAccount("sa", resource_group_name=group.name, kind="StorageV2",
                                                      sku={"name": "Standard_LRS"}, identity={"type": "SystemAssigned"})
        aws.sns.Topic("principal", display_name=account.identity.apply(lambda i: i.principal_id))
        """
    project = _project(tmp_path, "typed", code)
    default, preview = run_programs([project], preview=False)[0], run_programs([project], preview=True)[0]
    for run in (default, preview):
        assert not isinstance(run, ProgramError), f"{run}\n{run.detail}"
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

    def value(run, name):
        (record,) = [r for r in run.resources if r["name"] == name and r["type"] == "aws:sns/topic:Topic"]
        return record["inputs"]["displayName"]

    def inputs(run, name):
        return next(r["inputs"] for r in run.resources if r["name"] == name)

    assert [value(default, n) for n in ("endpoint", "account", "key", "password")] == [
        unknown, "123456789012", unknown, unknown]
    principal = value(default, "principal")
    assert principal != unknown and len(principal) == 36
    assert value(preview, "principal") == unknown
    assert inputs(default, "web")["ami"] == unknown and inputs(default, "sg")["vpcId"] == unknown
    assert default.notes[0] == ("provider functions answered with unknown values (their results were not "
                                "analysed): aws:ec2/getAmi:getAmi, aws:ec2/getVpc:getVpc, "
                                "aws:ecr/getCredentials:getCredentials, azure-native:storage:listStorageAccountKeys")
    assert "aws:apigatewayv2/api:Api apiEndpoint" in default.notes[1]


def test_a_multi_language_component_is_named_as_not_analysed(tmp_path):
    code = """
        import pulumi

        class Vpc(pulumi.ComponentResource):
            def __init__(self, name):
                super().__init__("awsx:ec2:Vpc", name, {}, None, remote=True)

        Vpc("main")
        """
    run = run_programs([_project(tmp_path, "remote", code)])[0]
    assert not isinstance(run, ProgramError), f"{run}\n{run.detail}"
    assert run.notes == ["awsx:ec2:Vpc main is a multi-language component: its children are created inside its "
                         "provider plugin, which the gate does not run, and were not analysed"]
