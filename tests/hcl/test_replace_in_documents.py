"""replace() on `data.aws_iam_policy_document.X.json` (kept as the rendered document, not text)."""

from __future__ import annotations

import pytest

from hcl_scanner.functions import FUNCTIONS, FunctionError
from rulebook.model import Ref

DOC = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject",
     "Resource": ["arn:aws:s3:::_S3_BUCKET_ID_/*", "arn:aws:s3:::other"]}]}


def test_a_placeholder_is_replaced_in_every_string_as_in_the_json_text():
    out = FUNCTIONS["replace"](DOC, "_S3_BUCKET_ID_", "artifacts")
    assert out["Statement"][0]["Resource"] == ["arn:aws:s3:::artifacts/*", "arn:aws:s3:::other"]
    assert DOC["Statement"][0]["Resource"][0] == "arn:aws:s3:::_S3_BUCKET_ID_/*"  # input untouched


def test_a_replacement_known_only_after_apply_stays_a_reference():
    out = FUNCTIONS["replace"](DOC, "_S3_BUCKET_ID_", Ref("aws_s3_bucket.this", "id"))
    assert out["Statement"][0]["Resource"][0] == "arn:aws:s3:::${aws_s3_bucket.this.id}/*"


@pytest.mark.parametrize("search, replacement", [('"Allow"', '"Deny"'), ("/Al+ow/", "Deny"), ("x", 'a"b')])
def test_patterns_or_quotes_that_could_change_the_json_structure_are_not_evaluated(search, replacement):
    with pytest.raises(FunctionError, match="not evaluated"):
        FUNCTIONS["replace"](DOC, search, replacement)
