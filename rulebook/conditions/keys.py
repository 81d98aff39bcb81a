"""Condition keys the rules care about, and how they are spelled."""

from __future__ import annotations

# keys whose values can bound who calls (canonical spelling, for messages)
CALLER_KEYS: tuple[str, ...] = (
    "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn",
    "aws:SourceVpce", "aws:SourceVpc", "aws:SourceIp", "aws:SourceAccount", "aws:SourceArn",
    "aws:SourceOrgID", "aws:SourceOrgPaths", "sts:ExternalId",
)
NETWORK_KEYS: tuple[str, ...] = ("aws:SourceVpce", "aws:SourceVpc", "aws:SourceIp")
# keys known to say nothing about who calls: the caller sets them, or they describe the request
NOT_BOUNDING: tuple[str, ...] = (
    "aws:SecureTransport", "aws:UserAgent", "aws:Referer", "aws:RequestedRegion", "aws:CurrentTime",
    "aws:EpochTime", "aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge", "aws:TokenIssueTime",
    "aws:ViaAWSService", "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:PrincipalType",
    "aws:PrincipalIsAWSService", "aws:PrincipalServiceName", "aws:username", "aws:RoleSessionName",
    "aws:SourceIdentity", "aws:TagKeys", "aws:RequestTag/",
    "aws:ResourceTag/", "aws:PrincipalTag/",
)
_CANONICAL = {k.lower(): k for k in CALLER_KEYS + NOT_BOUNDING}
ARN_KEYS = frozenset({"aws:principalarn", "aws:sourcearn"})  # lower case: the account is the 5th ARN part
ORG_PATH_KEYS = frozenset({"aws:principalorgpaths", "aws:sourceorgpaths"})  # o-id/r-root/ou-...
# policy variables fixed by the resource, not by the request: a bound built on them is a bound
FIXED_VARIABLES = frozenset({"aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths"})


def canonical(key: str) -> str:
    """The usual spelling of a known key (keys compare case-insensitively), else the key as written."""
    lower = key.lower()
    if lower in _CANONICAL:
        return _CANONICAL[lower]
    for prefix in ("aws:requesttag/", "aws:resourcetag/", "aws:principaltag/"):
        if lower.startswith(prefix):
            return _CANONICAL[prefix] + key[len(prefix):]
    return key


def known(key_lc: str) -> bool:
    """A key this module judges (bounding or not)."""
    return key_lc in _CANONICAL or not_bounding(key_lc)


def not_bounding(key_lc: str) -> bool:
    """A key that says nothing about who calls (the caller sets it, or it describes the request)."""
    return any(key_lc == k.lower() or (k.endswith("/") and key_lc.startswith(k.lower())) for k in NOT_BOUNDING)
