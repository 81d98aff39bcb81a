"""What counts as a secret in configuration: detectors, secret-like names, and the redacted form.

Detection runs in-process on values the adapters hand over (never on files): the regex plugins of
detect-secrets (AWS keys, GitHub, GitLab, Slack, Azure storage keys, private key blocks, JSON Web
Tokens, Stripe, ...) filtered by its false-positive heuristics (sequential strings, UUIDs,
templated values, `$` references, strings without letters), plus the shapes detect-secrets does
not know (fine-grained `github_pat_` tokens, `Authorization: Bearer` tokens, Azure connection
strings with any key length), and its Shannon-entropy measure for assignment-style secrets
(`password=...` inside a script or a JSON string). `DETECTORS` lists what runs; the docs print it.

A found secret is never printed: `shown` gives its first four characters (only for values of 16
characters or more, so a short password is not half revealed) and its length.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

from detect_secrets.filters import heuristic
from detect_secrets.plugins.aws import AWSKeyDetector
from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.github_token import GitHubTokenDetector
from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString, HexHighEntropyString
from detect_secrets.plugins.jwt import JwtTokenDetector
from detect_secrets.plugins.npm import NpmDetector
from detect_secrets.plugins.openai import OpenAIDetector
from detect_secrets.plugins.private_key import PrivateKeyDetector
from detect_secrets.plugins.pypi_token import PypiTokenDetector
from detect_secrets.plugins.sendgrid import SendGridDetector
from detect_secrets.plugins.slack import SlackDetector
from detect_secrets.plugins.stripe import StripeDetector
from detect_secrets.plugins.twilio import TwilioKeyDetector

MAX_SCAN = 256 * 1024  # characters of one value scanned (hostile input: bounded work)


@dataclass(frozen=True, slots=True)
class Detection:
    """One secret found in a value: what it is and the secret itself (never printed; see `shown`)."""

    what: str
    secret: str

    def __str__(self) -> str:
        return f"{self.what} ({shown(self.secret)})"


class _GitHubFineGrained(RegexBasedDetector):
    secret_type = "GitHub Token"
    denylist = (re.compile(r"github_pat_[A-Za-z0-9_]{22,}"),)


class _BearerToken(RegexBasedDetector):
    secret_type = "Bearer token"
    denylist = (re.compile(r"\b(?:Bearer|bearer|BEARER)\s+([A-Za-z0-9\-._~+/]{20,}=*)"),)


class _AzureConnectionString(RegexBasedDetector):
    secret_type = "Azure Storage Account access key"
    denylist = (re.compile(r"(?i)(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{20,}={0,2})"),)


class _AwsSecretKeyAssignment(RegexBasedDetector):
    """A 40-character AWS secret access key after a key name (`aws_secret_access_key=`), quoted or not."""

    secret_type = "AWS Secret Access Key"
    denylist = (re.compile(r"(?i)secret_?access_?key[\"']?\s*[:=]?\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"),)


_PLUGINS: tuple[RegexBasedDetector, ...] = (
    AWSKeyDetector(), _AwsSecretKeyAssignment(), GitHubTokenDetector(), _GitHubFineGrained(),
    GitLabTokenDetector(), AzureStorageKeyDetector(), _AzureConnectionString(), PrivateKeyDetector(),
    SlackDetector(), JwtTokenDetector(), _BearerToken(), StripeDetector(), TwilioKeyDetector(),
    SendGridDetector(), NpmDetector(), PypiTokenDetector(), OpenAIDetector(),
)



_SECRET_HINT = re.compile(r"(?i)pass|pwd|secret|token|key|credential|auth")

DETECTORS: tuple[str, ...] = tuple(dict.fromkeys(
    f"{p.secret_type} ({'detect-secrets ' + type(p).__name__ if not type(p).__name__.startswith('_') else 'cicd-guard pattern'})"
    for p in _PLUGINS)) + (
    "literal value of a credential attribute or secret-named variable (password, client_secret, token, ...)",
    "assignment-style secret in text (`password=...`) whose detect-secrets Shannon entropy reaches its limits "
    "(base64 4.5, hex 3.0; 85% of log2(length) for shorter values)",
)

_WHAT = {
    "AWS Access Key": "an AWS access key",
    "AWS Secret Access Key": "an AWS secret access key",
    "GitHub Token": "a GitHub token",
    "GitLab Token": "a GitLab token",
    "Azure Storage Account access key": "an Azure storage account key",
    "Private Key": "a private key block",
    "Slack Token": "a Slack token",
    "JSON Web Token": "a JSON Web Token",
    "Bearer token": "a bearer token",
}


def _filtered(secret: str) -> bool:
    """detect-secrets' false-positive heuristics that apply to a bare value."""
    return (heuristic.is_sequential_string(secret) or heuristic.is_potential_uuid(secret)
            or heuristic.is_templated_secret(secret) or heuristic.is_prefixed_with_dollar_sign(secret)
            or heuristic.is_not_alphanumeric_string(secret))


def detect(text: str) -> list[Detection]:
    """Every known secret shape in `text`, at most one detection per secret."""
    if not isinstance(text, str) or len(text) < 8:
        return []
    text = text[:MAX_SCAN]
    found: dict[str, Detection] = {}
    for plugin in _PLUGINS:
        for secret in _matches(plugin, text):
            if not secret or _filtered(secret) or secret in found:
                continue
            if plugin.secret_type == "Private Key":
                secret = _pem_block(text, secret)
            if isinstance(plugin, AWSKeyDetector) and len(secret) == 40:
                what = "an AWS secret access key"
            else:
                what = _WHAT.get(plugin.secret_type, f"a {plugin.secret_type}")
            if not any(secret in d.secret or d.secret in secret for d in found.values()):
                found[secret] = Detection(what, secret)
    return list(found.values())


def _matches(plugin: RegexBasedDetector, text: str) -> Iterator[str]:
    """The secret each pattern of a plugin matches: its last group when that holds the value
    (`aws_secret_access_key = "..."`), else the whole match (`ghp_...`, whose group is the prefix)."""
    for regex in plugin.denylist:
        for match in regex.finditer(text):
            group = match.group(match.lastindex) if match.lastindex else None
            yield group if group and len(group) >= 16 else match.group(0)


def _pem_block(text: str, marker: str) -> str:
    """The whole private key block around a `BEGIN ... PRIVATE KEY` marker (the secret to redact)."""
    start = text.rfind("-----", 0, text.find(marker)) if "-----" in text else text.find(marker)
    start = max(start, 0)
    end = text.find("-----END", start)
    end = text.find("-----", end + 8) + 5 if end >= 0 else len(text)
    return text[start:end if end > start else len(text)]


# --- names ------------------------------------------------------------------------------------

_SECRET_WORDS = {"password", "passwd", "passphrase", "pwd", "secret", "secrets", "token", "apikey",
                 "credential", "credentials", "privatekey", "accesskey", "secretkey", "clientsecret",
                 "authkey", "accountkey", "connectionstring", "sastoken"}
_SECRET_PAIRS = {("api", "key"), ("private", "key"), ("access", "key"), ("secret", "key"), ("auth", "key"),
                 ("account", "key"), ("client", "secret"), ("connection", "string"), ("master", "key"),
                 ("signing", "key"), ("key", "raw")}
# Names that hold an identifier despite a secret-like word (EFS creation_token is an idempotency key).
# Words that make any name describe a secret rather than hold one (policies, encrypted forms, fingerprints).
_NOT_SECRET_WORDS = {"encrypted", "pgp", "fingerprint", "policy", "status", "decrypt", "keybase", "expire",
                     "expiry", "hashed", "rotation"}
# A leading verb makes the name a setting about secrets (`restrict_create_platform_apikey`, `create_access_key`).
_SETTING_VERBS = {"restrict", "create", "enable", "disable", "allow", "require", "manage", "use", "generate",
                  "rotate", "auto", "skip", "ignore", "include", "exclude", "is", "has", "should"}
_NOT_SECRET_NAMES = {("credential", "set", "key"), ("creation", "token"), ("client", "request", "token"), ("idempotency", "token"),
                     ("client", "token")}
# A trailing word that makes the name point at a secret (or describe it) rather than hold one.
_NOT_A_SECRET_TAIL = {"arn", "arns", "id", "ids", "name", "names", "url", "uri", "endpoint", "path", "paths",
                      "length", "policy", "ttl", "file", "filename", "version", "versions", "ref", "reference",
                      "enabled", "type", "types", "count", "rotation", "rotate", "expiry", "expiration",
                      "expires", "audience", "issuer", "prefix", "suffix", "arg", "header", "location",
                      "required", "kms", "parameter", "param", "store", "vault", "source", "mode", "auth",
                      "authentication", "reset", "validity", "units", "output", "wo", "hash", "sha", "digest",
                      "description", "tags", "label", "labels", "format", "lifetime", "period", "days",
                      "recovery", "rules", "usage", "set", "sets", "spec", "specs", "prevention", "age", "reuse", "complexity", "strength",
                      "permissions", "permission", "scopes", "scope", "identifier", "key_id", "selector", "env", "field"}


def words(name: str) -> list[str]:
    """`dbPassword`, `DB-PASSWORD`, `db.password` -> ['db', 'password']."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def is_secret_name(name: str) -> bool:
    """PASSWORD, PASSWD, SECRET, TOKEN, API_KEY, PRIVATE_KEY, CREDENTIAL(S), ACCESS_KEY ... in any case
    and separator style, unless the name points at the secret (`..._ARN`, `_NAME`, `_LENGTH`, ...)."""
    parts = words(name)
    if not parts or parts[-1] in _NOT_A_SECRET_TAIL or _NOT_SECRET_WORDS.intersection(parts) \
            or (parts[0] in _SETTING_VERBS and len(parts) > 1) \
            or tuple(parts[-3:]) in _NOT_SECRET_NAMES \
            or tuple(parts[-2:]) in _NOT_SECRET_NAMES:
        return False
    if any(p in _SECRET_WORDS for p in parts):
        return True
    return any(pair in _SECRET_PAIRS for pair in zip(parts, parts[1:]))


# --- values -----------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"^(?:|\*+|x+|<[^>]*>|\{\{.*\}\}|\$\{.*\}|\$\(.*\)|%[A-Za-z_]+%|(?:changeme|change_me|todo|tbd|none|null|"
    r"placeholder|redacted|dummy|example|your[-_ ]?\w*|replace[-_ ]?me)|true|false)$", re.I)
_STORE_REFERENCE = re.compile(
    r"^(?:@Microsoft\.KeyVault\(|arn:aws[a-z-]*:(?:secretsmanager|ssm|kms):|https://[a-z0-9-]+\.vault\.azure\.net/"
    r"|\{\{resolve:(?:secretsmanager|ssm-secure):|vault:|projects/[^/]+/secrets/)", re.I)


_CONNECTION_STRING = re.compile(r"^(?:[\w .-]+=[^;]*;)+(?:[\w .-]+=[^;]*)?$")
_CONNECTION_CREDENTIAL = re.compile(r"(?i)(?:^|;)\s*(?:password|pwd|accountkey|sharedaccesskey|sharedaccesssignature"
                                    r"|sharedsecretvalue|access ?token|sig)\s*=\s*[^;\s]")


def credential_free_connection_string(value: str) -> bool:
    """`Server=db;Integrated Security=SSPI`: a connection string that carries no credential part."""
    return bool(_CONNECTION_STRING.match(value.strip())) and not _CONNECTION_CREDENTIAL.search(value)


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.match(value.strip()))


def is_store_reference(value: object) -> bool:
    """A pointer into a secret store (Key Vault reference, Secrets Manager / SSM ARN), not the secret."""
    return isinstance(value, str) and bool(_STORE_REFERENCE.match(value.strip()))


def literal_credential(value: object) -> bool:
    """A string literal that may be a credential: not empty, not a placeholder, not a store reference."""
    return isinstance(value, str) and not is_placeholder(value) and not is_store_reference(value)


@lru_cache(maxsize=1)
def _entropy() -> tuple[Base64HighEntropyString, HexHighEntropyString]:
    return Base64HighEntropyString(), HexHighEntropyString()


def high_entropy(value: str) -> bool:
    """detect-secrets' Shannon entropy (base64 charset; hex for hex strings), against its limits (4.5 and
    3.0) scaled down for short values, whose entropy cannot reach them: 85% of log2(length) at most."""
    b64, hexa = _entropy()
    plugin = hexa if re.fullmatch(r"[0-9a-fA-F]+", value) else b64
    bar = min(plugin.entropy_limit, math.log2(max(len(value), 2)) * 0.85)
    return plugin.calculate_shannon_entropy(value) >= bar


_ASSIGNMENT = re.compile(
    r"(?P<key>[A-Za-z_][A-Za-z0-9_.-]{0,60})[\"']?\s*(?:=|:)\s*[\"']?(?P<value>[^\s\"'`;,&|)}\]]{8,})")


def assignments(text: str) -> Iterator[tuple[str, str]]:
    """(key, value) of `KEY=value` / `"key": "value"` in text where the key is secret-like."""
    if not _SECRET_HINT.search(text):
        return
    for match in _ASSIGNMENT.finditer(text[:MAX_SCAN]):
        if is_secret_name(match.group("key")):
            yield match.group("key"), match.group("value")


def assignment_secrets(text: str) -> list[Detection]:
    """Assignment-style secrets in free text: a secret-like key with a high-entropy literal value."""
    out = []
    for key, value in assignments(text):
        if literal_credential(value) and not _filtered(value) and high_entropy(value):
            out.append(Detection(f"a high-entropy value assigned to {key}", value))
    return out


def shown(secret: str) -> str:
    """The redacted form of a secret: first 4 characters (values of 16+ characters) and the length."""
    head = secret[:4] if len(secret) >= 16 and "\n" not in secret[:4] else ""
    return f"{head}****, {len(secret)} characters"
