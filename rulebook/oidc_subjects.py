"""What an OIDC subject pattern pins, per CI issuer: one repository (IDF-003), a protected context (IDF-004).

Each CI writes its `sub` claim in its own grammar:

    GitHub Actions    repo:ORG/REPO:environment:NAME | :ref:refs/heads/BR | :ref:refs/tags/T | :pull_request,
                      customised: any `claim:value` pairs (repository_owner_id:1:repository_id:2:..., job_workflow_ref:...)
    GitLab            project_path:GROUP/PROJECT:ref_type:branch|tag:ref:NAME
    Terraform Cloud   organization:ORG:project:PROJECT:workspace:WS:run_phase:plan|apply
    CircleCI          org/ORG-ID/project/PROJECT-ID/user/USER-ID[/vcs-origin/ORIGIN/vcs-ref/REF]
    Bitbucket         {REPOSITORY-UUID}[{ENVIRONMENT-UUID}]:{STEP-UUID}
    Azure DevOps      sc://ORG/PROJECT/SERVICE-CONNECTION

`read(pattern, issuer)` takes one admitted value (a `conditions.Pattern`: literal, or a glob under
StringLike) and says which repository it pins (None: several) and which protected context (None:
an unprotected one such as pull requests, any branch or `:*`). A field counts only when the glob
fixes its whole value. A repository chooses which claims its subject carries, and a free-text claim
(a workflow's name) may hold `:repo:acme/app:...`, so the repository counts only when read from the
subject's start, before any wildcard or free-text claim; a context may also be read from the end,
after the last wildcard, once the repository is pinned (`repo:acme/app:*:environment:production`).
The grammar comes from the issuer; for an issuer added in the configuration, from the subject's shape.
A named branch counts as protected: branch protection itself is not visible at plan time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

import re2

from .conditions import Pattern
from .unknown import Unknown

WILDCARDS = "*?"


@dataclass(frozen=True)
class Field:
    """One `key:value` of a subject; `exact` when the glob fixes the whole value (else `value` is its prefix)."""

    key: str
    value: str
    exact: bool
    anchor: str = "start"  # "start": read from the subject's start; "end": from its end, after a wildcard


@dataclass(frozen=True)
class Reading:
    """What one admitted subject pins."""

    ci: str  # the CI whose grammar read it ("GitHub Actions", ...)
    repository: str | None  # the one repository / project / workspace it pins; None: several
    scope: str  # what it admits, for messages: "repository acme/app", "any repository of acme", ...
    context: str | None  # the protected context it pins ("environment production", "branch main"); None: unprotected
    admits: str  # the context it admits, for messages ("pull requests", "any branch", ...)

    def describe(self) -> str:
        return f"{self.scope}, {self.context or self.admits}"


# --------------------------------------------------------------------------------------------------
# reading `key:value` subjects (GitHub, GitLab, Terraform Cloud)


def _runs(pattern: Pattern) -> list[tuple[str, bool, bool]]:
    """(literal text, starts the subject, ends before a wildcard) for each wildcard-free run."""
    if not pattern.wildcard:
        return [(_literal(pattern.text), True, False)]
    pieces = re.split(r"[*?]+", pattern.text)
    return [(_literal(p), i == 0, i < len(pieces) - 1) for i, p in enumerate(pieces)]


def _literal(text: str) -> str:
    return text.replace("\x01", "*").replace("\x02", "?")


def pairs(pattern: Pattern, keys: Iterable[str], bare: Iterable[str] = ()) -> dict[str, Field]:
    """The `key:value` fields a colon-separated subject glob fixes (first occurrence of each key).

    Read from the start of the subject up to the first wildcard or the first key not in `keys` (a
    free-text claim such as a workflow name may hold `:repo:acme/app`, and CIs let a repository choose
    which claims its subject carries); and from the end, after the last wildcard (`anchor` "end"). What
    lies between two wildcards is not read: it can sit inside any value.
    """
    known, flags = set(keys), set(bare)
    out: dict[str, Field] = {}
    runs = _runs(pattern)
    for index, (text, first, open_end) in enumerate(runs):
        if not first and index != len(runs) - 1:
            continue
        tokens = text.split(":")
        i = 0
        if not first:  # the tail: its first token ends what the wildcard matched; align on a known key
            i = 1
            while i < len(tokens) and tokens[i] not in known | flags:
                i += 1
        anchor = "start" if first else "end"
        while i < len(tokens):
            key = tokens[i]
            last = i == len(tokens) - 1
            if (last and open_end) or key not in known | flags:
                break  # a key the wildcard may extend, or a free-text claim
            if key in flags:
                out.setdefault(key, Field(key, "", True, anchor))
                i += 1
                continue
            if last:
                out.setdefault(key, Field(key, "", False, anchor))
                break
            value_last = i + 1 == len(tokens) - 1
            out.setdefault(key, Field(key, tokens[i + 1], not (value_last and open_end), anchor))
            i += 2
    return out


def _prefix(field: Field) -> str:
    return field.value + ("" if field.exact else "*")


# --------------------------------------------------------------------------------------------------
# grammars


# claims whose values hold no `:` (a workflow's name is free text: reading stops there)
_GITHUB_KEYS = ("repo", "repository", "repository_id", "repository_owner", "repository_owner_id", "environment",
                "ref", "ref_type", "job_workflow_ref", "context", "actor", "actor_id", "event_name", "head_ref",
                "base_ref", "runner_environment", "repository_visibility")


def _started(fields: dict[str, Field]) -> dict[str, Field]:
    return {k: v for k, v in fields.items() if v.anchor == "start"}


def _github(pattern: Pattern) -> Reading:
    every = pairs(pattern, _GITHUB_KEYS, ("pull_request",))
    f = _started(every)  # who may choose a subject's claims: only its start names the repository
    repo = next((f[k] for k in ("repo", "repository") if k in f), None)
    repo_id = f.get("repository_id")
    if repo is not None and repo.exact and "/" in repo.value:
        repository, scope = repo.value, f"repository {repo.value}"
    elif repo_id is not None and repo_id.exact and repo_id.value:
        repository, scope = f"repository id {repo_id.value}", f"repository id {repo_id.value}"
    elif repo is not None and "/" in repo.value:
        owner = repo.value.split("/", 1)[0]
        repository, scope = None, f"any repository of {owner} matching {_prefix(repo)}"
    elif (owner_id := f.get("repository_owner_id")) is not None and owner_id.exact:
        repository, scope = None, f"any repository of owner id {owner_id.value}"
    elif (owner := f.get("repository_owner")) is not None and owner.exact:
        repository, scope = None, f"any repository of {owner.value}"
    elif not pattern.wildcard:
        repository, scope = None, "a subject naming no repository"
    else:
        repository, scope = None, "any repository"
    context, admits = _github_context(every if repository is not None else f)
    return Reading("GitHub Actions", repository, scope, context, admits)


def _github_context(f: dict[str, Field]) -> tuple[str | None, str]:
    env, ref, workflow = f.get("environment"), f.get("ref"), f.get("job_workflow_ref")
    if env is not None and env.exact and env.value:
        return f"environment {env.value}", ""
    if workflow is not None and workflow.exact and workflow.value:
        return f"reusable workflow {workflow.value}", ""
    if ref is not None:
        protected = _protected_ref(ref)
        if protected:
            return protected, ""
        if ref.value.startswith("refs/heads/") or "refs/heads/".startswith(ref.value):
            return None, f"any branch matching {_prefix(ref)}"
        return None, f"ref {_prefix(ref)}"
    if "pull_request" in f:
        return None, "pull requests"
    if env is not None:
        return None, f"any environment matching {_prefix(env)}"
    return None, "any branch, tag, environment or pull request"


def _protected_ref(ref: Field) -> str | None:
    if ref.value.startswith("refs/tags/"):
        return f"tags {_prefix(ref)[len('refs/tags/'):]}"
    if ref.exact and ref.value.startswith("refs/heads/") and len(ref.value) > len("refs/heads/"):
        return f"branch {ref.value[len('refs/heads/'):]}"
    return None


def _gitlab(pattern: Pattern) -> Reading:
    every = pairs(pattern, ("project_path", "ref_type", "ref", "environment", "namespace_path", "user_login",
                            "pipeline_source", "deployment_tier"))
    path = _started(every).get("project_path")
    if path is not None and path.exact and "/" in path.value:
        repository, scope = path.value, f"project {path.value}"
    elif path is not None and "/" in path.value:
        repository, scope = None, f"any project matching {_prefix(path)}"
    else:
        repository, scope = None, "any project"
    f = every if repository is not None else _started(every)
    kind, ref = f.get("ref_type"), f.get("ref")
    if kind is not None and kind.exact and kind.value == "tag":
        context: str | None = f"tags {_prefix(ref) if ref is not None else '*'}"
    elif kind is not None and kind.exact and kind.value == "branch" and ref is not None and ref.exact and ref.value:
        context = f"branch {ref.value}"
    else:
        context = None
    admits = "" if context else (f"any ref matching {_prefix(ref)}" if ref is not None else "any branch or tag")
    return Reading("GitLab", repository, scope, context, admits)


def _terraform_cloud(pattern: Pattern) -> Reading:
    f = pairs(pattern, ("organization", "project", "workspace", "run_phase"))
    # workspace names are unique in an organisation and hold no `:`: one read from the end pins it too
    org, workspace = _started(f).get("organization"), f.get("workspace")
    if org is not None and org.exact and workspace is not None and workspace.exact:
        repository: str | None = f"{org.value}/{workspace.value}"
        scope = f"organization {org.value} workspace {workspace.value}"
    elif org is not None and org.exact:
        repository, scope = None, f"any workspace of organization {org.value}"
    else:
        repository, scope = None, "any organization"
    phase = f.get("run_phase")
    if phase is not None and phase.exact and phase.value == "apply":
        return Reading("Terraform Cloud", repository, scope, "run phase apply", "")
    return Reading("Terraform Cloud", repository, scope, None,
                   f"run phase {_prefix(phase)}" if phase is not None else "any run phase (plans of pull requests)")


_CIRCLECI = re.compile(r"org/(?P<org>[^/]*)(?:/project/(?P<project>[^/]*))?(?:/user/(?P<user>[^/]*))?"
                       r"(?:/vcs-origin/(?P<origin>.*?))?(?:/vcs-ref/(?P<ref>.*))?")


def _positional(pattern: Pattern, grammar: re.Pattern[str]) -> dict[str, Field]:
    """Fields of a positional subject from its literal prefix: whole only when followed by more literal text."""
    text = _runs(pattern)[0][0]
    whole = not pattern.wildcard
    match = grammar.fullmatch(text)
    if match is None:
        return {}
    out: dict[str, Field] = {}
    for key, value in match.groupdict().items():
        if value is None:
            continue
        ends_text = match.end(key) == len(text)
        out[key] = Field(key, value, whole or not ends_text)
    return out


def _circleci(pattern: Pattern) -> Reading:
    f = _positional(pattern, _CIRCLECI)
    org, project = f.get("org"), f.get("project")
    if org is not None and org.exact and project is not None and project.exact and project.value:
        repository: str | None = f"{org.value}/{project.value}"
        scope = f"organization {org.value} project {project.value}"
    elif org is not None and org.exact:
        repository, scope = None, f"any project of organization {org.value}"
    else:
        repository, scope = None, "any organization"
    ref = f.get("ref")
    protected = _protected_ref(ref) if ref is not None else None
    admits = "" if protected else (f"ref {_prefix(ref)}" if ref is not None else
                                   "any branch (the subject names no ref)")
    return Reading("CircleCI", repository, scope, protected, admits)


_BITBUCKET = re.compile(r"(?P<repository>\{[^}]*\}?)(?P<environment>\{[^}]*\}?)?(?::(?P<step>\{[^}]*\}?)?)?")


def _bitbucket(pattern: Pattern) -> Reading:
    f = _positional(pattern, _BITBUCKET)
    repo, env = f.get("repository"), f.get("environment")
    if repo is not None and repo.value.endswith("}"):  # a UUID ends at "}"
        repository, scope = repo.value, f"repository {repo.value}"
    else:
        repository, scope = None, "any repository"
    if env is not None and env.value.endswith("}"):
        return Reading("Bitbucket Pipelines", repository, scope, f"deployment environment {env.value}", "")
    return Reading("Bitbucket Pipelines", repository, scope, None, "any step (no deployment environment)")


_AZURE_DEVOPS = re.compile(r"sc://(?P<org>[^/]*)(?:/(?P<project>[^/]*))?(?:/(?P<connection>.*))?")


def _azure_devops(pattern: Pattern) -> Reading:
    f = _positional(pattern, _AZURE_DEVOPS)
    parts = [f.get(k) for k in ("org", "project", "connection")]
    if all(p is not None and p.exact and p.value for p in parts):
        name = "/".join(p.value for p in parts)  # type: ignore[union-attr]
        return Reading("Azure DevOps", name, f"service connection sc://{name}", f"service connection {name}", "")
    org = parts[0]
    scope = f"any service connection of organization {org.value}" if org is not None and org.exact else \
        "any organization"
    return Reading("Azure DevOps", None, scope, None, "any pipeline")


Grammar = Callable[[Pattern], Reading]
# issuer (host[/path], lower case, no scheme) -> grammar; a configured issuer is read by the subject's shape
_BY_ISSUER: tuple[tuple[str, Grammar], ...] = (
    ("token.actions.githubusercontent.com", _github), ("gitlab.com", _gitlab), ("app.terraform.io", _terraform_cloud),
    ("oidc.circleci.com/org/", _circleci), ("api.bitbucket.org/", _bitbucket),
    ("vstoken.dev.azure.com/", _azure_devops),
)
_BY_SHAPE: tuple[tuple[re.Pattern[str], Grammar], ...] = (
    (re.compile(r"(repo|repository|repository_owner|repository_owner_id|repository_id):"), _github),
    (re.compile(r"project_path:"), _gitlab), (re.compile(r"organization:"), _terraform_cloud),
    (re.compile(r"org/"), _circleci), (re.compile(r"\{"), _bitbucket), (re.compile(r"sc://"), _azure_devops),
)


def host_path(issuer: str) -> str:
    """An issuer URL or provider ARN as IAM spells its condition-key prefix: host[/path], no scheme."""
    text = issuer.strip()
    if "oidc-provider/" in text:
        text = text.split("oidc-provider/", 1)[1]
    for scheme in ("https://", "http://"):
        if text.lower().startswith(scheme):
            text = text[len(scheme):]
    return text.rstrip("/")


def grammar_for(issuer: str, text: str) -> Grammar | None:
    wanted = host_path(issuer).lower()
    for base, grammar in _BY_ISSUER:
        stem = base.rstrip("/")
        if wanted == stem or wanted.startswith(stem + "/"):
            return grammar
    for shape, grammar in _BY_SHAPE:
        if shape.match(text):
            return grammar
    return None


def read(pattern: Pattern, issuer: str) -> Reading | Unknown:
    """What one admitted `sub` value of `issuer` pins (Unknown: a grammar cicd-guard does not know)."""
    grammar = grammar_for(issuer, pattern.text)
    if grammar is None:
        return Unknown(f"the subject format of issuer {host_path(issuer)} is not one cicd-guard knows "
                       f"('{_literal(pattern.text)}')")
    return grammar(pattern)


def covered(pattern: Pattern, globs: Iterable[str]) -> str | None:
    """The configured deploy-subject glob that admits every value `pattern` admits, if any."""
    for glob in globs:
        body = "".join(".*" if c == "*" else "[^*?]" if c == "?" else re.escape(c) for c in glob)
        text = _literal(pattern.text) if not pattern.wildcard else pattern.text
        if re2.compile("(?s)" + body).fullmatch(text) is not None:  # RE2: linear whatever the glob
            return glob
    return None


__all__ = ["Field", "Reading", "covered", "grammar_for", "host_path", "pairs", "read"]
