"""The one YAML loader for settings files (cicd-guard.yaml, Pulumi project and stack files).

These files come from pull requests, so besides PyYAML's safe types the loader bounds what a
small file can cost: aliases may not expand the document past MAX_NODES nodes (a 473-byte
"billion laughs" file otherwise grows to gigabytes wherever it is walked), nesting stops at
MAX_DEPTH with an error naming the line (not a RecursionError), node count is checked while the
document is composed (a 9 MB one-line list stops at the budget instead of taking 1.7 GB), and files
larger than MAX_BYTES are not read. Dates stay text: the schemas check them, so an impossible date
is an error naming its key instead of a crash.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

from .files import read_regular

MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 20_000  # values; a settings file holds hundreds
MAX_DEPTH = 64


class YamlError(ValueError):
    """Why a settings file cannot be loaded, with the 1-based line when there is one."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line


class _Budget:
    """Composer hook counting nodes (aliases by the size they expand to) and nesting depth."""

    def _start_budget(self) -> None:
        self._depth = 0
        self._nodes = 0
        self._weights: dict[int, int] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)  # type: ignore[misc]
            self._count(self._weight(node), line)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlError(line, f"nested more than {MAX_DEPTH} levels deep")
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._count(1, line)
        return node

    def _count(self, nodes: int, line: int | None) -> None:
        self._nodes += nodes
        if self._nodes > MAX_NODES:
            raise YamlError(line, f"more than {MAX_NODES} values (aliases counted as what they expand to); "
                            "not loaded")

    def _weight(self, node: Node) -> int:
        """How many nodes `node` stands for once every alias inside it is expanded."""
        key = id(node)
        if key not in self._weights:
            if isinstance(node, SequenceNode):
                inner = sum(self._weight(child) for child in node.value)
            elif isinstance(node, MappingNode):
                inner = sum(self._weight(k) + self._weight(v) for k, v in node.value)
            else:
                inner = 0
            self._weights[key] = 1 + inner
        return self._weights[key]


class _BoundedLoader(_Budget, yaml.SafeLoader):
    """The pure-Python SafeLoader (libyaml, where installed, words its errors differently)."""

    def __init__(self, stream: str) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self._start_budget()


_BoundedLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text: str) -> Any:
    """The document in `text`; YamlError when it is not valid YAML or over a budget."""
    if len(text) > MAX_BYTES:
        raise YamlError(None, f"over the {MAX_BYTES // 1048576} MB limit for a settings file; not read")
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise YamlError(mark.line + 1 if mark else None, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except RecursionError:
        raise YamlError(None, "nested too deeply") from None
    finally:
        loader.dispose()


def read(path: str | Path, noun: str = "") -> Any:
    """A settings file (a regular file of at most MAX_BYTES, UTF-8) as data; YamlError saying why not
    ("cannot read <noun>: ...")."""
    data, error = read_regular(path, str(path), MAX_BYTES, noun=noun)
    if error is not None or data is None:
        raise YamlError(None, error.message if error else "cannot read")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise YamlError(None, "not UTF-8 text") from None
    return load(text)
