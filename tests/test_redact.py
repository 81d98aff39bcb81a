"""Each redaction pattern pinned with an exact result, including where it stops matching."""

from __future__ import annotations

import pytest

from rulebook.findings import Enforcement, Finding, Report, Severity, Status, Suppression
from rulebook.model import InputError
from rulebook.redact import REDACTED, mask, redact, redact_optional, redact_values
from rulebook.reporters.common import redacted

SLACK = "xoxb-1234567890-abcdefGHIJ"
GITLAB = "glpat-abcdefghij0123456789"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
SAS = "sv=2022-11-02&ss=b&srt=sco&sp=rl&sig=AbCdEfGh1234567890%2BxyZ%3D"


@pytest.mark.parametrize("text, expected", [
    (f"slack {SLACK} end", "slack xoxb-**** end"),
    ("xoxp-1234567890", "xoxp-****"),                         # ten characters after the prefix: enough
    ("xoxp-123456789", "xoxp-123456789"),                     # nine: not a token
    ("xoxz-1234567890abc", "xoxz-1234567890abc"),             # not a Slack token type
    (f"gitlab {GITLAB}", "gitlab glpat-****"),
    ("glpat-" + "a" * 20, "glpat-****"),
    ("glpat-" + "a" * 19, "glpat-" + "a" * 19),
    (f"jwt {JWT} end", "jwt eyJ**** end"),
    ("eyJabcdefgh.eyJabcdefgh.x", "eyJ****"),
    ("eyJabcdefg.eyJabcdefgh.x", "eyJabcdefg.eyJabcdefgh.x"),  # a first part too short
    (f"https://acct.blob.core.windows.net/c?{SAS}", f"https://acct.blob.core.windows.net/c?{SAS[:SAS.index('sig=') + 4]}"
                                                   f"{REDACTED}"),
    ("?sig=abcdefghijklmnop", f"?sig={REDACTED}"),
    ("?sig=abcdefghijklmno", "?sig=abcdefghijklmno"),         # fifteen characters: too short for a signature
    ("nosig=abcdefghijklmnopqrst", "nosig=abcdefghijklmnopqrst"),  # only as a query parameter
    ("az login -u x --password hunter22 --tenant t", f"az login -u x --password {REDACTED} --tenant t"),
    ("tool --password=hunter22", f"tool --password={REDACTED}"),
    ("tool --client-secret s3cr3tvalue", f"tool --client-secret {REDACTED}"),
    ("tool --token abc123 --secret def456", f"tool --token {REDACTED} --secret {REDACTED}"),
    ("tool --password --verbose", "tool --password --verbose"),  # a flag, not a value
    ("tool --password $PASSWORD", "tool --password $PASSWORD"),  # a reference, not a literal
    ("podman login -p hunter22 quay.io", f"podman login -p {REDACTED} quay.io"),
    ("aws_session_token FwoGZXIvYXdzEJr", f"aws_session_token {REDACTED}"),
    ("SharedAccessSignature=sv=abc;next", f"SharedAccessSignature={REDACTED};next"),
])
def test_redaction_patterns(text, expected):
    assert redact(text) == expected
    assert redact(expected) == expected


@pytest.mark.parametrize("value, expected", [
    ("", ""), (None, None), ("plain text", "plain text"), (SLACK, "xoxb-****")])
def test_redact_optional(value, expected):
    assert redact_optional(value) == expected


def test_mask_keeps_the_github_pat_prefix():
    assert mask("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz") == "github_pat_****"
    assert mask("ASIAY34FZKBOKMUTVV7A") == "ASIA****"
    assert mask(GITLAB) == REDACTED
    assert mask("") == REDACTED


def _finding(**changes) -> Finding:
    base = dict(rule_id="IDF-001", severity=Severity.CRITICAL, enforcement=Enforcement.MANDATORY,
                status=Status.FAILED, resource="r", engine="terraform", message="m", remediation="fix", file=None, line=None,
                title="t")
    return Finding(**{**base, **changes})


def test_every_text_of_a_report_is_redacted():
    report = Report(
        findings=[_finding(message=f"token {SLACK}", remediation=f"rotate {GITLAB}", resource=f"r-{SLACK}",
                           title=f"t {JWT}", file=f"f-{SLACK}.tf", urn=f"urn:{SLACK}", called_from=f"c-{SLACK}",
                           status=Status.SUPPRESSED,
                           suppression=Suppression(f"accepted, rotated {SLACK}", "config", "2027-01-01"))],
        errors=[InputError(f"e-{SLACK}.json", 3, f"bad value {GITLAB}")],
        notes=[f"note {JWT}"])
    out = redacted(report)
    [finding] = out.findings
    assert (finding.message, finding.remediation, finding.resource, finding.title) == (
        "token xoxb-****", "rotate glpat-****", "r-xoxb-****", "t eyJ****")
    assert (finding.file, finding.urn, finding.called_from) == ("f-xoxb-****.tf", "urn:xoxb-****", "c-xoxb-****")
    assert finding.suppression == Suppression("accepted, rotated xoxb-****", "config", "2027-01-01")
    assert out.errors == [InputError("e-xoxb-****.json", 3, "bad value glpat-****")]
    assert out.notes == ["note eyJ****"]


@pytest.mark.parametrize("text, secrets, expected", [
    ("key abc and b", {"b", "abc"}, f"key {REDACTED} and {REDACTED}"),  # longest first: not a<redacted>c
    ("token=xyz", {"xyz"}, f"token={REDACTED}"),
    ("ab", {""}, "ab"),            # an empty value redacts nothing (not one marker between every letter)
    ("ab", {"zz"}, "ab"),
    ("", {"x"}, ""),
    ("x", set(), "x"),
])
def test_redact_values_replaces_every_sensitive_value_longest_first(text, secrets, expected):
    assert redact_values(text, secrets) == expected


@pytest.mark.parametrize("text, expected", [
    ('password = "hunter22"', f'password = "{REDACTED}"'),   # quotes kept around the marker
    ("password = 'hunter22'", f"password = '{REDACTED}'"),
    ('password = "', 'password = "'),                         # a lone quote: nothing to redact
    ('token: "x"', f'token: "{REDACTED}"'),
    ("ghp_" + "a" * 36, "ghp_****"),
])
def test_assignment_keeps_the_quotes_it_found(text, expected):
    assert redact(text) == expected
