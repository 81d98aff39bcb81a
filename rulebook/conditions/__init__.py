"""Policy conditions with IAM's semantics: which callers, networks and token claims satisfy a statement.

Every rule that reads a Condition block asks this module, never the raw conditions. Three questions:

    bound = caller_bound(statement, accept=("aws:PrincipalOrgID", "aws:SourceVpce", "aws:PrincipalArn"))
        Allow statements (REG-007, BKT-003, IDF-005): is the set of callers bounded by a condition on one
        of the accepted keys? `bound.bounded` is True, False or Unknown(reason); `bound.keys` names the
        keys that bound it; `bound.why` says, when it is not bounded, what the conditions do instead.

    exempt = deny_exceptions(statement)
        Deny statements (BKT-004): who escapes the Deny. A Deny applies when every condition entry holds,
        so a request escapes when any one entry fails: one `Escape` per entry, in `exempt.escapes`.
        `exempt.only(("aws:SourceVpce", "aws:SourceVpc", "aws:SourceIp"))` answers "this statement refuses
        every request except those whose key K is in set S": a tuple of `Allowed(key, values, wildcards)`
        (several when e.g. a VPC endpoint OR a CIDR escapes), None when the statement has another way out
        (a key outside those asked, a request without the key escaping, a positive operator) or no
        condition at all, Unknown when a part of it is unknown.

    claim = claim_values(statement, "token.actions.githubusercontent.com:sub")
        Trust statements (IDF-002..004): the values of an OIDC claim that satisfy the statement.
        `claim.anything` is True when no condition bounds the claim (none, negated, IfExists,
        ForAllValues, Null, a bare `*`), Unknown when the deciding values are unknown. Entries on the same
        key AND together, the values of one entry OR: `claim.conjuncts` holds one tuple of `Pattern`s per
        bounding entry; `claim.patterns` is the first, for messages; `claim.wildcards` whether it uses
        `*`/`?`; `claim.all(predicate)` whether every admitted value satisfies a predicate on patterns
        (True when some conjunct's patterns all do: the admitted set lies within each conjunct).
        A Deny that refuses every token whose claim lies outside a set (`deny_bound`) adds that set as one
        more conjunct (`bounded_by`): the admitted tokens are those the Allow admits and the Deny spares.

Below them, `entries(statement)` parses each (operator, key) entry into an `Entry`, and `Entry.holds(request)`
evaluates it for a request value as IAM does (table-driven tests pin every case):

- operators: String{Equals,NotEquals,EqualsIgnoreCase,NotEqualsIgnoreCase,Like,NotLike},
  Arn{Equals,Like,NotEquals,NotLike}, IpAddress/NotIpAddress, Bool, Null, Numeric*, Date*, BinaryEquals;
  names compare case-insensitively; an unknown operator is Unknown;
- values of one entry OR (negated operators: the request matches none); entries AND;
- `...IfExists`: a request without the key satisfies the entry; `ForAllValues:` is satisfied by a
  request without the key (or with an empty set); `ForAnyValue:` is not; a negated operator is
  satisfied by a request without the key; `Null` tests presence ("true": absent);
- wildcards `*`/`?` in *Like and Arn* values (Arn* match each of the six ARN parts separately);
  StringEquals compares literally; String* and Arn* are case-sensitive except *IgnoreCase; Bool ignores
  case; keys compare case-insensitively;
- policy variables: `${*}`, `${?}`, `${$}` are literal characters; `${aws:ResourceAccount}`,
  `${aws:ResourceOrgID}` and `${aws:ResourceOrgPaths}` are fixed by the resource (they bound callers);
  any other IAM variable (`namespace:key`) is filled in from each request, so a bound built on it is
  Unknown; a `${...}` without a namespace is a stack value known only at apply, rendered into the text
  by the scanner: one concrete value;
- a value unknown at plan time makes what depends on it Unknown, with the reason; a Ref (a value of a
  resource declared in the stack) is one concrete value: it bounds, but cannot be matched.

A positive condition on a key outside `CALLER_KEYS` and `NOT_BOUNDING` (and not an OIDC claim such as
`<issuer>:sub`) is an "unknown restriction": when nothing else bounds the callers, `caller_bound` is
Unknown naming the key. A negated, IfExists, ForAllValues or Null entry bounds no one, whatever its key.

The package: `operators` evaluates one entry, `callers`, `deny` and `claims` answer the three
questions, `keys` names the keys.
"""

from __future__ import annotations

from .callers import CallerBound, caller_bound
from .claims import ClaimValues, Pattern, bounded_by, claim_values, deny_bound
from .deny import Allowed, DenyExceptions, Escape, deny_exceptions
from .keys import CALLER_KEYS, NETWORK_KEYS, NOT_BOUNDING, canonical
from .operators import Entry, entries, holds, parse

__all__ = ["CALLER_KEYS", "NETWORK_KEYS", "NOT_BOUNDING", "Allowed", "CallerBound", "ClaimValues",
           "DenyExceptions", "Escape", "Pattern", "Entry", "bounded_by", "caller_bound", "canonical", "claim_values",
           "deny_bound", "deny_exceptions", "holds", "parse", "entries"]

