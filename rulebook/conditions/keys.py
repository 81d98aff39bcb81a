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
# policy variables fixed by the resource, not by the request: a bound built on them is a bound. Each with a
# value of its shape, so that a pattern built on it is judged as one written with the resource's own value.
FIXED_VARIABLES = {"aws:resourceaccount": "000000000000", "aws:resourceorgid": "o-0",
                   "aws:resourceorgpaths": "o-0/r-0/"}


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
    return key_lc in _CANONICAL or tag_key(key_lc)


def tag_key(key_lc: str) -> bool:
    """A key under a tag prefix of NOT_BOUNDING (`aws:PrincipalTag/team`): its other keys are in `_CANONICAL`."""
    return any(k.endswith("/") and key_lc.startswith(k.lower()) for k in NOT_BOUNDING)
