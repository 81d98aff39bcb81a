"""Module directories: which blocks a directory declares, and where a module call's source points.

Local sources (`./x`, `../x`) are loaded and evaluated like the root; anything else (registry,
git, http, s3, ...) is never fetched: the call is reported as not scanned and its outputs are
Unknown, so rules that depend on them say UNKNOWN instead of passing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from rulebook.model import InputError

from .files import is_input_candidate
from .loader import ParsedFile, load_files

LOCAL_PREFIXES = ("./", "../", ".\\", "..\\")


@dataclass(slots=True)
class Decl:
    """A declaration block: resource, data source, module call, variable or output."""

    mode: str  # managed | data | module | variable | output
    type: str
    name: str
    body: list
    file: str
    line: int
    end_line: int
    parsed: ParsedFile

    def attr(self, name: str):
        for item in self.body:
            if item[0] == "a" and item[1] == name:
                return item[2]
        return None

    @property
    def key(self) -> str:
        return f"data.{self.type}.{self.name}" if self.mode == "data" else f"{self.type}.{self.name}"


@dataclass(slots=True)
class ModuleDef:
    """Everything one directory of .tf files declares (shared by all instances of the module)."""

    path: Path
    files: list[ParsedFile] = field(default_factory=list)
    variables: dict[str, Decl] = field(default_factory=dict)
    locals: dict[str, tuple] = field(default_factory=dict)  # name -> (expr, file, line)
    resources: dict[str, Decl] = field(default_factory=dict)  # "type.name" / "data.type.name"
    modules: dict[str, Decl] = field(default_factory=dict)
    outputs: dict[str, Decl] = field(default_factory=dict)
    providers: list[Decl] = field(default_factory=list)  # provider blocks (type = provider name)
    errors: list[InputError] = field(default_factory=list)


def index_module(path: Path, files: list[ParsedFile]) -> ModuleDef:
    """Group the top-level blocks of a directory's files; duplicates are input errors."""
    mod = ModuleDef(path, files)
    for parsed in files:
        mod.errors.extend(parsed.errors)
        for item in parsed.body:
            if item[0] != "b":
                continue
            _, btype, labels, body, line, end = item
            if btype in ("resource", "data") and len(labels) == 2:
                decl = Decl("managed" if btype == "resource" else "data", labels[0], labels[1], body,
                            parsed.path, line, end, parsed)
                _put(mod, mod.resources, decl.key, decl)
            elif btype == "module" and len(labels) == 1:
                _put(mod, mod.modules, labels[0], Decl("module", "module", labels[0], body, parsed.path,
                                                       line, end, parsed))
            elif btype == "variable" and len(labels) == 1:
                _put(mod, mod.variables, labels[0], Decl("variable", "variable", labels[0], body, parsed.path,
                                                         line, end, parsed))
            elif btype == "output" and len(labels) == 1:
                _put(mod, mod.outputs, labels[0], Decl("output", "output", labels[0], body, parsed.path,
                                                       line, end, parsed))
            elif btype == "provider" and len(labels) == 1:
                mod.providers.append(Decl("provider", labels[0], labels[0], body, parsed.path, line, end, parsed))
            elif btype == "locals":
                for sub in body:
                    if sub[0] == "a":
                        if sub[1] in mod.locals:
                            mod.errors.append(InputError(parsed.path, sub[3], f"duplicate local value {sub[1]!r}"))
                        mod.locals[sub[1]] = (sub[2], parsed.path, sub[3])
    return mod


def _put(mod: ModuleDef, table: dict, key: str, decl: Decl) -> None:
    if key in table:
        first = table[key]
        mod.errors.append(InputError(decl.file, decl.line, f"duplicate {decl.mode} {key!r} "
                                     f"(first declared at {first.file}:{first.line})"))
        return
    table[key] = decl


def is_local_source(source: str) -> bool:
    return source.startswith(LOCAL_PREFIXES) or source in (".", "..")


def is_path_source(source: str) -> bool:
    """A source Terraform reads from the file system: relative (`./x`, `../x`) or absolute (`/etc`)."""
    return is_local_source(source) or os.path.isabs(source)


def enclosing_repository(path: Path, fallback: Path) -> Path:
    """The git work tree holding `path`, else `fallback` (--repo-root, else the scanned directory):
    the place local module sources must stay inside."""
    here = path.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return fallback.resolve()


def local_source_dir(caller: Path, source: str, repository: Path) -> tuple[Path | None, str | None]:
    """The directory a path source names, or why it may not be read (it leaves the repository)."""
    folder = (caller / source).resolve()
    if folder != repository and repository not in folder.parents:
        return None, f"source {source} leaves the repository ({repository}); not read"
    return folder, None


def tf_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.name.endswith(".tf") and is_input_candidate(p))
    except OSError:
        return []


def display_path(path: Path, base: Path | None = None) -> str:
    """Paths in findings: relative to `base` (the repo root) or the working directory when below it."""
    try:
        rel = os.path.relpath(path, base) if base is not None else os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


class ModuleLoader:
    """Loads each module directory once per scan, however many times it is called."""

    def __init__(self, base: Path | None = None) -> None:
        self._defs: dict[str, ModuleDef] = {}
        self._repositories: dict[Path, Path] = {}
        self.base = base  # file paths are shown relative to it (the repo root) when given

    def repository(self, root: Path, fallback: Path) -> Path:
        """enclosing_repository of a root module directory, looked up once per root."""
        if root not in self._repositories:
            self._repositories[root] = enclosing_repository(root, self.base or fallback)
        return self._repositories[root]

    def preload(self, folders: dict[Path, list[Path]]) -> None:
        """Parse the files of many directories in one batch (parallel when it pays)."""
        pending = [(folder, files) for folder, files in folders.items()
                   if os.path.realpath(folder) not in self._defs]
        flat = [(f, display_path(f, self.base)) for _, files in pending for f in files]
        parsed = iter(load_files(flat))
        for folder, files in pending:
            self._defs[os.path.realpath(folder)] = index_module(folder, [next(parsed) for _ in files])

    def load(self, folder: Path) -> ModuleDef:
        real = os.path.realpath(folder)
        if real not in self._defs:
            files = tf_files(folder)
            self._defs[real] = index_module(folder, load_files([(f, display_path(f, self.base)) for f in files]))
        return self._defs[real]

    def files_read(self) -> list[str]:
        """Every .tf file loaded so far (roots and the local modules they call), as displayed."""
        return [parsed.path for mod in self._defs.values() for parsed in mod.files]
