"""The `cicd-guard` command line.

    cicd-guard scan PATH... [--plan FILE]... [--var-file F]... [--repo-root DIR] [--format F] [--output FILE]
                    [--config FILE] [--strict] [--strict-suppressions] [--no-cache]
    cicd-guard gate PROGRAM_DIR [--policy-pack DIR] [--config FILE] [--stack NAME] [--preview] [--timeout S]
                    [--stack-outputs NAME=FILE]... [--format F]
    cicd-guard rules [--format text|json]
    cicd-guard explain RULE_ID
    cicd-guard access-map PATH... | --plan FILE | --gate PROGRAM_DIR [--stack-outputs NAME=FILE]...
                          [--format text|json|mermaid] [--output FILE] [--config FILE]

Exit codes: 0 no failed mandatory finding; 1 at least one (with --strict, an UNKNOWN result under a
mandatory rule counts too); 2 an input or the config could not be evaluated (fail closed: the other
inputs are still reported). Bad input never shows a traceback; set CICD_GUARD_DEBUG=1 to see one for an
internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Sequence

from rulebook import TOOL_NAME, __version__
from rulebook.findings import Report
from rulebook.model import InputError

EXIT_OK, EXIT_ERROR = 0, 2
DEBUG_ENV = "CICD_GUARD_DEBUG"


class CliError(Exception):
    """A problem with the command line, the config or the environment: one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 as well; keep the message to one usage line
        self.print_usage(sys.stderr)
        raise CliError(message)


def _add_output_options(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    parser.add_argument("--format", "-f", choices=formats, default="text", help="report format (default: text)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of stdout")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour in text output (auto: only on a terminal, and not when NO_COLOR is set)")


def build_parser() -> argparse.ArgumentParser:
    from rulebook.reporters import FORMATS

    parser = _Parser(prog=TOOL_NAME, description="Plan-time guardrails against CI/CD supply-chain attacks.")
    parser.add_argument("--version", action="version", version=f"{TOOL_NAME} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    scan = sub.add_parser("scan", help="scan Terraform directories, files and plan JSON")
    scan.add_argument("paths", nargs="*", metavar="PATH", help=".tf/.tfvars files or directories; plan .json too")
    scan.add_argument("--plan", action="append", default=[], metavar="FILE",
                      help="`terraform show -json` output (repeatable)")
    scan.add_argument("--var-file", action="append", default=[], metavar="FILE", help="extra .tfvars (repeatable)")
    scan.add_argument("--repo-root", metavar="DIR", help="repository root: report paths relative to it "
                      "and map plan resources back to .tf lines (default: the current directory; a plan's "
                      ".tf files are looked for below it)")
    _add_output_options(scan, list(FORMATS))
    _add_policy_options(scan)
    scan.add_argument("--strict-suppressions", action="store_true",
                      help="ignore inline suppression comments; only config suppressions count")
    scan.add_argument("--no-cache", action="store_true",
                      help="neither read nor write the parse cache (also CICD_GUARD_NO_CACHE=1); use it "
                      "where the cache could have been written by a less trusted run (or set CICD_GUARD_CACHE_KEY)")

    gate = sub.add_parser("gate", help="run a Pulumi program offline and drive the policy pack over it")
    gate.add_argument("program_dir", metavar="PROGRAM_DIR")
    gate.add_argument("--policy-pack", metavar="DIR", help="policy pack directory (default: the bundled pack)")
    gate.add_argument("--stack", metavar="NAME", help="stack name the program sees (default: dev)")
    gate.add_argument("--preview", action="store_true",
                      help="leave values unknown that a real preview would not know yet")
    gate.add_argument("--timeout", type=_seconds, default=None, metavar="SECONDS",
                      help="kill the program (and everything it started) after this long (default: 300)")
    _add_stack_outputs_option(gate)
    _add_output_options(gate, list(FORMATS))
    _add_policy_options(gate)

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--format", "-f", choices=("text", "json"), default="text")

    explain = sub.add_parser("explain", help="show a rule's rationale, remediation, examples and compliance "
                             "(offline)")
    explain.add_argument("rule_id", metavar="RULE_ID", help="a rule ID, its policy name, or the docs URL a "
                         "report or the policy pack printed")

    amap = sub.add_parser("access-map", help="who can pull, push, list and administer each registry, and how "
                          "they get there")
    amap.add_argument("paths", nargs="*", metavar="PATH", help=".tf/.tfvars files or directories; plan .json too")
    amap.add_argument("--plan", action="append", default=[], metavar="FILE",
                      help="`terraform show -json` output (repeatable)")
    amap.add_argument("--gate", metavar="PROGRAM_DIR", help="a Pulumi program, run offline as the gate does")
    amap.add_argument("--stack", metavar="NAME", help="--gate: stack name the program sees (default: dev)")
    _add_stack_outputs_option(amap)
    amap.add_argument("--var-file", action="append", default=[], metavar="FILE", help="extra .tfvars (repeatable)")
    amap.add_argument("--repo-root", metavar="DIR", help="repository root (default: current directory)")
    amap.add_argument("--format", "-f", choices=("text", "json", "mermaid"), default="text",
                      help="text (a table, default), json, or mermaid (a flowchart GitHub renders)")
    amap.add_argument("--output", "-o", metavar="FILE", help="write the map here instead of stdout")
    amap.add_argument("--config", "-c", metavar="FILE", help="settings (default: ./cicd-guard.yaml if present)")
    return parser


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"must be between 0 and 86400 seconds: {text!r}")
    return value


def _stack_output_pair(text: str) -> tuple[str, str]:
    name, sep, path = text.partition("=")
    if not sep or not name.strip() or not path:
        raise argparse.ArgumentTypeError(f"expected NAME=FILE: {text!r}")
    return name.strip(), path


def _add_stack_outputs_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack-outputs", action="append", default=[], type=_stack_output_pair,
                        metavar="NAME=FILE", help="outputs of a stack the program references "
                        "(pulumi.StackReference NAME), as `pulumi stack output --json --stack NAME` prints them; "
                        "known, in a preview too (repeatable; without it that reference's outputs are unknown)")


def _stack_outputs(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """NAME -> FILE; one file per stack."""
    found: dict[str, str] = {}
    for name, path in pairs:
        if found.get(name, path) != path:
            raise CliError(f"--stack-outputs {name}: given twice ({found[name]}, {path})")
        found[name] = path
    return found


def _add_policy_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", "-c", metavar="FILE", help="settings (default: ./cicd-guard.yaml if present)")
    parser.add_argument("--strict", action="store_true",
                        help="an UNKNOWN result under a mandatory rule fails the run")


# --- configuration -----------------------------------------------------------------------------------

def _load_config(path: str | None):
    from rulebook.config import ConfigError, load

    try:
        return load(path, search_from=os.getcwd())
    except ConfigError as exc:
        raise CliError(f"config error: {exc}") from None


def _config_path(path: str | None) -> str | None:
    if path:
        return path
    from rulebook.config import DEFAULT_FILENAME

    default = Path.cwd() / DEFAULT_FILENAME
    return str(default) if default.is_file() else None


# --- subcommands -------------------------------------------------------------------------------------

def _merge_errors(*groups) -> list[InputError]:
    seen, merged = set(), []
    for group in groups:
        for error in group or ():
            key = (str(error.file), error.line, str(error.message))
            if key not in seen:
                seen.add(key)
                merged.append(error)
    return merged


def _pulumi_hint(error: InputError) -> InputError:
    """`scan` on a Pulumi project finds no Terraform: say which command reads it."""
    folder = Path(str(error.file))
    if error.line is None and folder.is_dir() and not any(folder.glob("*.tf")) and \
            any((folder / name).is_file() for name in ("Pulumi.yaml", "Pulumi.yml")):
        return InputError(error.file, None, f"{error.message}; this is a Pulumi project: run "
                                            f"`{TOOL_NAME} gate {error.file}`")
    return error


def _no_lines_hint(plans: Sequence[str]) -> list[str]:
    """One line for every plan whose findings cannot point at .tf lines: why, and how to fix it."""
    if not plans:
        return []
    return [f"{', '.join(plans)}: no folder under the current directory declares the plan's resources, so "
            "its findings cannot point at .tf lines (no line in text, no SARIF region for code scanning); "
            "run from the checkout the plan was made from, or pass --repo-root DIR"]


def run_scan(args: argparse.Namespace) -> tuple[Report, str | None, list[str]]:
    if not args.paths and not args.plan:
        raise CliError("scan: give at least one PATH or --plan FILE")
    config = _load_config(args.config)
    try:
        from hcl_scanner import scan as tf_scan
    except ImportError as exc:
        raise CliError(f"the Terraform scanner is not available: {exc}") from None
    from rulebook.roots import evaluate_scan
    from rulebook.rules import all_rules

    if args.no_cache:
        from hcl_scanner import cache

        cache.disable()
    result = tf_scan(paths=list(args.paths), plans=list(args.plan), var_files=list(args.var_file),
                     repo_root=args.repo_root, strict_suppressions=args.strict_suppressions,
                     default_root=None if args.repo_root else os.getcwd())
    findings = evaluate_scan(result, config, strict_suppressions=args.strict_suppressions)
    errors = [_pulumi_hint(e) for e in _merge_errors(result.errors, *(inv.errors for inv in result.inventories))]
    findings.sort(key=lambda f: f.sort_key())
    report = Report(findings=findings, errors=errors, scanned=list(result.scanned),
                    rules_run=[r.id for r in all_rules()], notes=list(result.notes))
    return report, args.repo_root, _no_lines_hint(result.plans_without_lines)


def run_gate(args: argparse.Namespace) -> tuple[Report, str | None, list[str]]:
    program = Path(args.program_dir)
    if not program.is_dir():
        raise CliError(f"gate: {args.program_dir}: not a directory")
    if args.policy_pack and not Path(args.policy_pack).is_dir():
        raise CliError(f"gate: --policy-pack {args.policy_pack}: not a directory")
    try:
        from preview_gate import run_gate as gate
    except ImportError as exc:
        raise CliError(f"the Pulumi preview gate is not available: {exc}") from None
    from rulebook.config import ConfigError

    try:  # the gate reads the file itself: a cicd-guard.yaml or a Pulumi policy pack config
        report = gate(str(program), policy_pack=args.policy_pack, config_path=_config_path(args.config),
                      stack=args.stack, preview=args.preview, stack_outputs=_stack_outputs(args.stack_outputs),
                      **({"timeout": args.timeout} if args.timeout is not None else {}))
    except ConfigError as exc:
        raise CliError(f"config error: {exc}") from None
    return report, None, []


def _map_title(inventory, fallback: str) -> str:
    """A root module's folder (from its resources' files), else `fallback`."""
    files = sorted({r.location.file for r in inventory.resources if r.location.file and r.location.called_from is None})
    return (os.path.dirname(files[0]) or ".") if files else fallback


def _with_escaped_forms(values: set[str]) -> set[str]:
    """The values as written, and as JSON and Mermaid labels escape them."""
    return values | {json.dumps(v)[1:-1] for v in values} | {v.replace('"', "#quot;") for v in values}


def run_access_map(args: argparse.Namespace) -> int:
    """Print the access map; exit 2 when an input could not be read (the rest is still mapped)."""
    if args.gate and (args.paths or args.plan):
        raise CliError("access-map: give PATH/--plan or --gate, not both")
    if args.stack_outputs and not args.gate:
        raise CliError("access-map: --stack-outputs goes with --gate")
    if not args.gate and not args.paths and not args.plan:
        raise CliError("access-map: give at least one PATH, --plan FILE or --gate PROGRAM_DIR")
    config = _load_config(args.config)
    from rulebook.access_map import build, render

    maps, errors = [], []
    sensitive: set[str] = set()  # values Terraform marks sensitive: names and ARNs built from them included
    if args.gate:
        if not Path(args.gate).is_dir():
            raise CliError(f"access-map: --gate {args.gate}: not a directory")
        try:
            from preview_gate import inventory_of
        except ImportError as exc:
            raise CliError(f"the Pulumi preview gate is not available: {exc}") from None
        inventory = inventory_of(args.gate, stack=args.stack, stack_outputs=_stack_outputs(args.stack_outputs))
        errors.extend(inventory.errors)
        if not inventory.errors:
            maps.append(build(inventory, config, title=args.gate))
    else:
        try:
            from hcl_scanner import scan as tf_scan
        except ImportError as exc:
            raise CliError(f"the Terraform scanner is not available: {exc}") from None
        result = tf_scan(paths=list(args.paths), plans=list(args.plan), var_files=list(args.var_file),
                         repo_root=args.repo_root)
        errors.extend(_merge_errors(result.errors, *(inv.errors for inv in result.inventories)))
        stacks = [inventory for root, inventory in zip(result.inventory_roots, result.inventories)
                  if root not in result.module_defaults]  # a called module's defaults are no stack
        several = len(stacks) > 1
        for i, inventory in enumerate(stacks):
            maps.append(build(inventory, config, title=_map_title(inventory, f"stack {i + 1}") if several else ""))
            sensitive |= inventory.sensitive_values
    from rulebook.redact import redact, redact_values

    if maps or not errors:  # an input that could not be read prints its error only, not an empty map
        _emit(redact_values(render(maps, args.format), _with_escaped_forms(sensitive)), args.output)
    for error in errors[:20]:
        say(f"error: {redact_values(redact(str(error)), sensitive)}")
    return EXIT_ERROR if errors else EXIT_OK


def rules_table() -> str:
    from rulebook.compliance import PRACTICES
    from rulebook.rules import all_rules
    from rulebook.rules.base import ENGINES

    rows = [("ID", "SEVERITY", "PRACTICE", "TITLE", "ENGINES")]
    for rule in all_rules():
        engines = ",".join(e + ("*" if e in rule.engine_notes else "") for e in ENGINES)
        severity = "/".join(dict.fromkeys(s.value for s in (rule.severity, *rule.severities)))
        rows.append((rule.id, severity, f"{rule.practice} {PRACTICES[rule.practice].title}", rule.title, engines))
    if len(rows) == 1:
        return "No rules are registered.\n"
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1] for row in rows]
    footer = "\n* partial coverage in that engine: see `cicd-guard explain RULE_ID`" \
        if any("*" in row[-1] for row in rows[1:]) else ""
    return "\n".join(lines) + footer + f"\n{len(rows) - 1} rules\n"


def rules_json() -> str:
    from rulebook.rules import all_rules

    return json.dumps([{"id": r.id, "title": r.title, "severity": r.severity.value,
                        "severities": [s.value for s in r.severities], "practice": r.practice,
                        "default_enforcement": r.severity.default_enforcement.value, "scope": r.scope,
                        "pulumi_policy": r.slug, "engine_notes": r.engine_notes,
                        "compliance": {k: list(v) for k, v in r.compliance.items()}}
                       for r in all_rules()], indent=2) + "\n"


def explain(rule_id: str) -> str:
    from rulebook.docs import rule_page
    from rulebook.rules import all_rules

    from rulebook.doc_urls import rule_id_in
    from policypack.policies import policy_names

    wanted = rule_id.strip().lower()
    from_url = (rule_id_in(wanted) or "").lower()  # a docs URL the reports or the pack printed
    for rule in all_rules():
        names = {rule.id.lower(), rule.slug, *policy_names(rule).values()}
        if wanted in names or from_url == rule.id.lower():
            return rule_page(rule).split("\n", 1)[1].lstrip("\n")  # without the "generated" comment
    raise CliError(f"unknown rule {rule_id!r}; `{TOOL_NAME} rules` lists them")


# --- output ------------------------------------------------------------------------------------------

def say(text: str) -> None:
    """One line on stderr, as safe for a terminal and a CI log as the text report (no control
    characters, no workflow commands)."""
    from rulebook.reporters.common import neutralised, printable

    line = neutralised(printable(f"{TOOL_NAME}: {text}"))
    try:
        print(line, file=sys.stderr)
    except UnicodeEncodeError:
        encoding = sys.stderr.encoding or "ascii"
        print(line.encode(encoding, "backslashreplace").decode(encoding), file=sys.stderr)


def _use_color(choice: str, output: str | None) -> bool:
    if choice != "auto":
        return choice == "always"
    return output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _emit(text: str, output: str | None) -> None:
    if output is None:
        try:
            sys.stdout.write(text)
        except UnicodeEncodeError:  # a terminal that cannot show some character must not lose the report
            encoding = sys.stdout.encoding or "ascii"
            sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding))
        sys.stdout.flush()
        return
    try:
        # a lone surrogate from scanned input must not lose the report: written as its escape
        Path(output).write_text(text, "utf-8", errors="backslashreplace")
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror or exc}") from None


def _report(args: argparse.Namespace, report: Report, repo_root: str | None, hints: Sequence[str] = ()) -> int:
    """Write the report; on stderr, each hint once (whatever the format) and, when the report went to a
    file or a machine format, the verdict and the errors."""
    from rulebook.reporters import render
    from rulebook.reporters.common import summary_line, verdict

    text = render(report, args.format, color=_use_color(args.color, args.output), repo_root=repo_root,
                  strict=args.strict)
    _emit(text, args.output)
    for hint in dict.fromkeys(hints):
        say(f"hint: {hint}")
    code = report.exit_code(args.strict)
    if args.output or args.format != "text":  # the report went elsewhere: leave a one-line verdict on stderr
        say(f"{verdict(report, args.strict)}: {summary_line(report, args.strict)}")
        for error in report.errors[:20]:
            from rulebook.redact import redact

            say(f"error: {redact(str(error))}")
    return code


def dispatch(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.command == "scan":
        return _report(args, *run_scan(args))
    if args.command == "gate":
        return _report(args, *run_gate(args))
    if args.command == "rules":
        _emit(rules_json() if args.format == "json" else rules_table(), None)
        return EXIT_OK
    if args.command == "explain":
        _emit(explain(args.rule_id), None)
        return EXIT_OK
    if args.command == "access-map":
        return run_access_map(args)
    parser.print_help(sys.stderr)
    return EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        return dispatch(args, parser)
    except CliError as exc:
        from rulebook.redact import redact

        say(f"error: {redact(str(exc))}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - fail closed, one line, traceback only on request
        if os.environ.get(DEBUG_ENV):
            traceback.print_exc()
        from rulebook.redact import redact

        detail = redact(str(exc).splitlines()[0]) if str(exc) else ""
        say(f"internal error: {type(exc).__name__}: {detail} (set {DEBUG_ENV}=1 for a traceback)")
        return EXIT_ERROR
