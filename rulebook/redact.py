"""Redaction of credentials in any text a reporter prints.

Rules redact the values they quote, but every reporter runs its texts through `redact` as well
(defence in depth): a secret that reaches a message by any path is still never printed.
Key identifiers keep a short prefix (`AKIA****`, `ghp_****`) so a reader can tell what leaked;
every other secret becomes `<redacted>`. `redact` is idempotent.
"""

from __future__ import annotations

import re
from typing import Callable

REDACTED = "<redacted>"

_SECRET_WORDS = (
    r"password|passwd|pwd|passphrase|secret|client[_-]?secret|token|api[_-]?key|apikey|access[_-]?key"
    r"|private[_-]?key|account[_-]?key|auth[_-]?key|credentials?"
)

# A value that is a reference or a placeholder, not a literal secret.
_NOT_A_VALUE = re.compile(
    r"^(?:<redacted>|\$\{|\$\(|\$[A-Za-z_]|(?:var|local|data|module|each|count|self)\.|\(|<|\*+$|"
    r"[A-Za-z0-9]{0,12}\*{4})")


def _keep_prefix(match: re.Match, size: int = 4) -> str:
    return match.group(0)[:size] + "****"


def _keep_token_prefix(match: re.Match) -> str:
    """A token with its type prefix (group `p`) kept: `ghp_****`."""
    return match.group("p") + "****"


def _assignment(match: re.Match) -> str:
    value = match.group("value")
    bare = value.strip("\"'")
    if not bare or _NOT_A_VALUE.match(bare):
        return match.group(0)
    quote = value[0] if value[0] in "\"'" and value[-1] == value[0] else ""  # a lone quote returned above
    return f"{match.group('key')}{quote}{REDACTED}{quote}"


def _mixed(token: str) -> bool:
    return (any(c.isupper() for c in token) and any(c.islower() for c in token)
            and any(c.isdigit() for c in token))


def _bare_secret_key(match: re.Match) -> str:
    token = match.group(0)
    return REDACTED if _mixed(token) else token


_PATTERNS: list[tuple[re.Pattern, str | Callable[[re.Match], str]]] = [
    # PEM private key blocks (also a block cut off before its END line).
    (re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
                r"(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|.*\Z)", re.S),
     "<redacted private key>"),
    # Azure storage / service bus / SAS connection-string parts.
    (re.compile(r"(?i)(?P<key>\b(?:AccountKey|SharedAccessKey|SharedAccessSignature|SharedSecretValue"
                r"|Password|Pwd)\s*=\s*)(?P<value>[^;\"'\s]+)"), _assignment),
    (re.compile(r"(?P<key>[?&]sig=)(?P<value>[A-Za-z0-9%/+=]{16,})"), _assignment),
    # Credentials inside URLs: scheme://user:password@host
    (re.compile(r"(?P<key>\b[a-z][a-z0-9+.-]*://[^\s:/@]+:)(?P<value>[^\s@/]+)(?=@)"), _assignment),
    # AWS access key ids (only the credential-bearing prefixes).
    (re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b"), _keep_prefix),
    # GitHub tokens.
    (re.compile(r"\b(?P<p>github_pat_)[A-Za-z0-9_]{20,}"), _keep_token_prefix),
    (re.compile(r"\b(?P<p>gh[pousr]_)[A-Za-z0-9]{30,}\b"), _keep_token_prefix),
    # Slack, GitLab and JSON Web Tokens.
    (re.compile(r"\b(?P<p>xox[abprs]-)[A-Za-z0-9-]{10,}"), _keep_token_prefix),
    (re.compile(r"\b(?P<p>glpat-)[A-Za-z0-9_-]{20,}"), _keep_token_prefix),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"), lambda m: "eyJ****"),
    # `aws configure set aws_secret_access_key VALUE`, `docker login -p VALUE`, `--password VALUE`.
    (re.compile(r"(?i)(?P<key>\b(?:aws_secret_access_key|aws_session_token)\s+)(?P<value>[^\s=:;\"']+)"),
     _assignment),
    (re.compile(r"(?i)(?P<key>\b(?:docker|podman|helm|az|oras|buildah|skopeo)\s+(?:registry\s+)?login\b[^\n]*?"
                r"\s-p\s+)(?P<value>\S+)"), _assignment),
    (re.compile(r"(?P<key>--(?:password|client-secret|secret|token)(?:=|\s+))(?P<value>(?!-)\S+)"),
     _assignment),
    # key = value / key: "value" / "key": "value" with a secret-like key name.
    (re.compile(rf"(?i)(?P<key>\b[A-Za-z0-9_.-]*(?:{_SECRET_WORDS})[\"']?\s*=\s*)"
                r"(?P<value>\"[^\"\n]*\"|'[^'\n]*'|[^\s;,&\"')\]}]+)"), _assignment),
    (re.compile(rf"(?i)(?P<key>\b[A-Za-z0-9_.-]*(?:{_SECRET_WORDS})[\"']?\s*:\s*)"
                r"(?P<value>\"[^\"\n]*\"|'[^'\n]*')"), _assignment),
    # (YAML style: a blank after the colon, so URNs like `aws:iam/accessKey:AccessKey::x` stay intact.)
    (re.compile(rf"(?i)(?P<key>(?<![\"'])\b[A-Za-z0-9_.-]*(?:{_SECRET_WORDS}):[ \t]+)"
                r"(?P<value>[^\s\"'(<][^\s,;]*)(?=\s*$)", re.M), _assignment),
    # A bare 40-character AWS secret access key (mixed case and digits; not a hex digest).
    (re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"), _bare_secret_key),
]


def redact(text: str) -> str:
    """`text` with every credential it contains replaced by a redacted form."""
    if not text:
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_optional(text: str | None) -> str | None:
    return None if text is None else redact(text)


def mask(secret: str, keep: int = 4) -> str:
    """The redacted form of a value known to be secret: a short prefix for key ids, else <redacted>."""
    if re.fullmatch(r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}|gh[pousr]_\w+|github_pat_\w+", secret or ""):
        return secret[:keep if not secret.startswith("github_pat_") else 11] + "****"
    return REDACTED


def redact_values(text: str, secrets: set[str] | frozenset[str]) -> str:
    """`text` with every occurrence of a value the engine marked sensitive replaced by <redacted>
    (Inventory.sensitive_values: Terraform `sensitive`, values derived from it); longest first."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text
