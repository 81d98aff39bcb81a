"""The HCL parser's LALR tables, shipped inside the package as JSON data.

Building the tables from python-hcl2's grammar takes about 1.2 s, so `make tables` builds them
once and commits them (`hcl_scanner/data/hcl2_lalr_tables.json`, with the lark and grammar versions
they came from). At run time the tables are only ever read from the package, never from a cache
a scan can write: a pull request must not be able to plant a parser. When the installed lark or
grammar differs from the recorded source (an unusual install), the tables are built in memory
instead; tests/hcl/test_tables.py fails until `make tables` refreshes the file.

    make tables        # rewrite the data file from the installed lark + python-hcl2
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

import lark
from lark import Lark
from lark.grammar import Rule
from lark.lark import _LOAD_ALLOWED_OPTIONS
from lark.lexer import TerminalDef

import hcl2
from hcl2.postlexer import PostLexer

DATA_FILE = Path(__file__).parent / "data" / "hcl2_lalr_tables.json"
GRAMMAR = Path(hcl2.__file__).with_name("hcl2.lark")
_OPTIONS = {"parser": "lalr", "propagate_positions": False, "maybe_placeholders": False}
# Where the serialized tables hold dicts with integer keys (JSON keeps only string keys).
_INT_KEYED = (("memo",), ("data", "parser", "parser", "tokens"), ("data", "parser", "parser", "states"),
              ("data", "parser", "parser", "states", "*"))


def source() -> dict[str, str]:
    """What the tables are built from: a change to any of these makes the shipped tables stale."""
    return {"lark": lark.__version__, "python-hcl2": metadata.version("python-hcl2"),
            "grammar_sha256": hashlib.sha256(GRAMMAR.read_bytes()).hexdigest()}


def build(**kwargs: Any) -> Lark:
    """The parser built from the grammar (slow: the LALR analysis runs here)."""
    return Lark.open(str(GRAMMAR), **_OPTIONS, **kwargs)


def serialize(parser: Lark) -> dict:
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    data["options"] = {k: v for k, v in data["options"].items() if k not in _LOAD_ALLOWED_OPTIONS}
    return {"source": source(), "data": data, "memo": memo}


def _convert_keys(node: Any, path: tuple[str, ...], convert) -> Any:
    """Apply `convert` to the dicts at one of the _INT_KEYED paths under `node`."""
    if not path:
        return convert(node)
    head, rest = path[0], path[1:]
    if head == "*":
        return {k: _convert_keys(v, rest, convert) for k, v in node.items()}
    node[head] = _convert_keys(node[head], rest, convert)
    return node


def write(path: Path = DATA_FILE) -> None:
    """Regenerate the shipped tables (`make tables`)."""
    tables = serialize(build(postlex=PostLexer()))
    for keyed in sorted(_INT_KEYED, key=len, reverse=True):
        _convert_keys(tables, keyed, lambda d: {str(k): v for k, v in d.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(tables, separators=(",", ":"), sort_keys=True) + "\n", "utf-8")


def shipped() -> dict | None:
    """The packaged tables when they match the installed lark and grammar, else None."""
    try:
        tables = json.loads(DATA_FILE.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(tables, dict) or tables.get("source") != source():
        return None
    try:
        for keyed in _INT_KEYED:
            _convert_keys(tables, keyed, lambda d: {int(k): v for k, v in d.items()})
    except (KeyError, TypeError, AttributeError, ValueError):
        return None
    return tables


def parser(**kwargs: Any) -> Lark:
    """The LALR parser: from the shipped tables when they fit this install, else built here."""
    tables = shipped()
    if tables is not None:
        try:
            return Lark._load_from_dict(tables["data"], tables["memo"], **kwargs)
        except Exception:  # noqa: BLE001 - damaged package data: building is slow but correct
            pass
    return build(**kwargs)
