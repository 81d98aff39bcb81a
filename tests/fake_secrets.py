"""Obviously fake credentials, assembled at run time so that this repository holds none of them
literally (its own secret scanning stays quiet). Every value is unique, so a test can assert that
none of them appears in any output."""

from __future__ import annotations

import base64

AWS_KEY_ID = "AK" + "IA" + "TESTFAKE" + "KEY12345"
AWS_SESSION_KEY_ID = "AS" + "IA" + "TESTFAKE" + "KEY67890"
AWS_SECRET_KEY = "Fake" + "SecretKey0123456789/abcdEFGHijklMNOP"
GITHUB_TOKEN = "gh" + "p_" + "Fake" * 9
GITHUB_OAUTH = "gh" + "o_" + "Oaut" * 9
GITHUB_PAT = "github" + "_pat_" + "11FAKE0" + "abcdEFGHijkl" * 4
AZURE_KEY = "Fake" * 21 + "Key="
AZURE_CONNECTION = f"DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={AZURE_KEY};EndpointSuffix=core"
PRIVATE_KEY = ("-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEFakeKeyMaterialForTestsOnly0123\n"
               "-----END " + "RSA PRIVATE KEY-----")
SLACK_TOKEN = "xo" + "xb-" + "1234567890-1234567890-FakeSlackTokenValue"
BEARER_TOKEN = "Fake" + "BearerToken9x8y7z6w5v4u3t"
PASSWORD = "Fake" + "Passw0rd-Zq81"
DOCKER_PASSWORD = "Fake" + "DockerPass-Q7w2"
AZ_PASSWORD = "Fake" + "AzPassword-R3t5"
SCRIPT_SECRET = "Fake" + "ScriptSecret-K9L8"

ALL = [AWS_KEY_ID, AWS_SESSION_KEY_ID, AWS_SECRET_KEY, GITHUB_TOKEN, GITHUB_OAUTH, GITHUB_PAT, AZURE_KEY,
       PRIVATE_KEY, SLACK_TOKEN, BEARER_TOKEN, PASSWORD, DOCKER_PASSWORD, AZ_PASSWORD, SCRIPT_SECRET]


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def leaked(text: str) -> list[str]:
    """The fake secrets (or their base64 forms, or the private key's body) that appear in `text`."""
    out = []
    for secret in ALL:
        needles = [secret, b64(secret)] + ([secret.splitlines()[1]] if "\n" in secret else [])
        if any(n in text for n in needles):
            out.append(secret[:6])
    return out
