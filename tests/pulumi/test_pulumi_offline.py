"""Offline pieces of the gate: provider-function answers, computed outputs, the violation codec."""

from __future__ import annotations

import json

from policypack import messages
from preview_gate import invokes, outputs
from rulebook.policy import parse_policy


def test_policy_document_data_source_renders_like_the_provider():
    source = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Pull", "Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*"},
        {"Sid": "Keep", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]})
    override = json.dumps({"Statement": [{"Sid": "Pull", "Effect": "Allow", "Action": "ecr:BatchGetImage",
                                          "Resource": "arn:aws:ecr:us-east-1:1:repository/app"}]})
    out = invokes.call("aws:iam/getPolicyDocument:getPolicyDocument", {
        "sourcePolicyDocuments": [source], "overridePolicyDocuments": [override],
        "statements": [{"sid": "Trust", "effect": "Deny", "notActions": ["ecr:Describe*"], "resources": ["*"],
                        "principals": [{"type": "*", "identifiers": ["*"]}],
                        "conditions": [{"test": "StringNotEquals", "variable": "aws:PrincipalOrgID",
                                        "values": ["o-1"]}]}]})
    document = json.loads(out["json"])
    assert document["Statement"] == [
        {"Sid": "Pull", "Effect": "Allow", "Action": "ecr:BatchGetImage",
         "Resource": "arn:aws:ecr:us-east-1:1:repository/app"},
        {"Sid": "Keep", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {"Sid": "Trust", "Effect": "Deny", "NotAction": "ecr:Describe*", "Resource": "*", "Principal": "*",
         "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-1"}}}]
    assert parse_policy(out["minifiedJson"]).statements[2].not_actions == ("ecr:Describe*",)
    identity = invokes.call("aws:index/getCallerIdentity:getCallerIdentity", {})
    assert identity["accountId"] == outputs.DEFAULT_CLOUD.account == "123456789012"
    assert invokes.call("unknown:index:fn", {}) == {}


def test_outputs_are_realistic_and_unknown_in_preview():
    urn = "urn:pulumi:dev::p::aws:iam/role:Role::ci"
    named = outputs.autoname("aws:iam/role:Role", "ci", urn, {})
    assert named == {"name": "ci-" + named["name"][3:]} and len(named["name"]) == 10
    rid, out = outputs.computed("aws:iam/role:Role", "ci", urn, {"name": "ci-role"}, True, False)
    assert (rid, out["arn"], out["id"]) == ("ci-role", "arn:aws:iam::123456789012:role/ci-role", "ci-role")
    rid, out = outputs.computed("aws:iam/role:Role", "ci", urn, {"name": "ci-role"}, True, True)
    assert rid == "" and set(out.values()) == {outputs.UNKNOWN} and "arn" in out
    assert outputs.autoname("aws:iam/role:Role", "ci", urn, {"name": "fixed"}) == {}
    assert outputs.normalise("azure-native:storage/v20240101:StorageAccount") == "azure-native:storage:StorageAccount"


def test_violation_text_round_trips():
    line = messages.Line("REG-002", "medium", "role ci holds push and pull", unknown=True,
                         urn="urn:pulumi:dev::p::aws:iam/role:Role::ci")
    text = messages.encode(line)
    assert text == "REG-002 [medium, unknown] role ci holds push and pull <urn:pulumi:dev::p::aws:iam/role:Role::ci>"
    assert messages.decode(text) == line
    assert messages.decode_all("No long-lived cloud keys\nIDF-001 [critical] key for bot") == [
        messages.Line("IDF-001", "critical", "key for bot")]
    assert messages.decode("some other policy's message") is None


def test_role_definition_lookups_by_guid_and_name():
    by_name = invokes.call("azure:authorization/getRoleDefinition:getRoleDefinition",
                           {"name": "AcrPush", "scope": "/subscriptions/s"})
    assert by_name["id"] == ("/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/"
                             "8311e382-0749-4cb8-b61a-304f252e45ec")
    by_guid = invokes.call("azure-native:authorization:getRoleDefinition",
                           {"roleDefinitionId": "7f951dda-4ed3-4680-a7ca-43fe172d538d", "scope": "/subscriptions/s"})
    assert (by_guid["roleName"], by_guid["name"]) == ("AcrPull", "7f951dda-4ed3-4680-a7ca-43fe172d538d")


def test_the_cloud_comes_from_the_stack_provider_config():
    cloud = outputs.Cloud.from_config({
        "aws:allowedAccountIds": '["111122223333"]', "aws:region": "eu-west-1",
        "azure-native:subscriptionId": "AAAAAAAA-0000-0000-0000-000000000001", "azure:tenantId": "[secret]"})
    assert cloud == outputs.Cloud(account="111122223333", region="eu-west-1",
                                  subscription="aaaaaaaa-0000-0000-0000-000000000001",
                                  tenant=outputs.DEFAULT_CLOUD.tenant)
    assert outputs.Cloud.from_config({"aws:allowedAccountIds": "111122223333"}).account == "111122223333"
    # several allowed accounts (or none, or a secret): which one is deployed to is unknown, placeholder kept
    for text in ('["111122223333", "444455556666"]', "[secret]", "", "not-an-id"):
        assert outputs.Cloud.from_config({"aws:allowedAccountIds": text}).account == "123456789012"
    rid, out = outputs.computed("aws:ecr/repository:Repository", "app", "urn:pulumi:dev::p::aws:ecr/repository:"
                                "Repository::app", {"name": "app"}, True, False, cloud)
    assert out["arn"] == "arn:aws:ecr:eu-west-1:111122223333:repository/app"
    assert out["repositoryUrl"] == "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app"
    assert invokes.call("aws:index/getCallerIdentity:getCallerIdentity", {}, cloud)["accountId"] == "111122223333"
    assert invokes.call("azure-native:authorization:getClientConfig", {}, cloud)["subscriptionId"] == \
        "aaaaaaaa-0000-0000-0000-000000000001"


def test_pulumi_random_outputs_have_the_provider_shapes():
    def out(kind: str, state: dict) -> tuple[str, dict]:
        token = f"random:index/{kind[0].lower()}{kind[1:]}:{kind}"
        return outputs.computed(token, "x", f"urn:pulumi:dev::p::{token}::x", state, True, False)

    rid, got = out("RandomInteger", {"min": 10.0, "max": 12.0})
    assert 10 <= got["result"] <= 12 and rid == str(got["result"])
    rid, got = out("RandomString", {"length": 5.0})
    assert len(got["result"]) == 5 and got["result"].isalnum() and rid == got["result"]
    assert out("RandomUuid", {})[1]["result"] == out("RandomUuid", {})[0]
    assert out("RandomPet", {"prefix": "ci"})[0].startswith("ci-x-")
    assert out("RandomShuffle", {"inputs": ["a", "b"]})[1]["results"] == ["a", "b"]
    assert out("RandomBytes", {})[1] == {"id": out("RandomBytes", {})[0]}  # unknown kinds: an ID only
    rid, got = out("RandomId", {"byteLength": 2.0})
    assert (len(got["hex"]), got["dec"]) == (4, str(int(got["hex"], 16)))
    _, preview = outputs.computed("random:index/randomPassword:RandomPassword", "x", "urn:x", {}, True, True)
    assert preview == {"result": outputs.UNKNOWN, "id": outputs.UNKNOWN}
