"""Files -> parsed bodies with line numbers, and the bad-input guard rails in front of the parser.

Every problem becomes an InputError naming the file (and line when there is one); the scan of
the other files goes on. Nothing read here is ever executed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from rulebook.model import InputError

from . import cache, files, shapes
from . import workers as workers_mod
from .syntax import Comment, HclSyntaxError, parse_source

MAX_BYTES = files.TF_LIMIT
MAX_DEPTH = 200  # nesting of brackets; Terraform itself gives up long before a stack overflow
PARALLEL_MIN_FILES = 8
PARALLEL_MIN_BYTES = 512 * 1024
SKIP_DIRS = {".terraform", ".git", ".hg", ".svn", "node_modules", "__pycache__", ".terragrunt-cache"}
_SUPPRESS_RE = re.compile(r"^(?:#|//|/\*)\s*cicd-guard\s*:\s*ignore\b[^\n]*")


@dataclass(slots=True)
class ParsedFile:
    """One parsed file: its body items, its cicd-guard comments, and its errors."""

    path: str
    body: list = field(default_factory=list)
    comments: dict[int, str] = field(default_factory=dict)  # line -> "cicd-guard:ignore..." comment text
    comment_lines: frozenset[int] = frozenset()  # lines holding nothing but comments
    errors: list[InputError] = field(default_factory=list)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


_IN_CODE = re.compile(r'"|[\[\](){}]|#[^\n]*|//[^\n]*|/\*.*?\*/|<<-?([A-Za-z_][\w.-]*)[ \t]*\r?\n', re.S)
_IN_STRING = re.compile(r'\\.|\$\$\{|%%\{|"|\$\{|%\{|\n', re.S)


def _depth_error(text: str) -> tuple[int, int] | None:
    """(line, depth) where bracket nesting in code first exceeds MAX_DEPTH, else None.

    Brackets inside quoted strings, comments and heredoc bodies are text, not nesting (a string of
    201 `(` is fine); an interpolation `${ ... }` inside a string is code again and counts a level.
    """
    depth, pos = 0, 0
    frames: list[int | None] = [0]  # open braces of each code frame; None: inside a quoted string
    while True:
        found = (_IN_STRING if frames[-1] is None else _IN_CODE).search(text, pos)
        if found is None:
            return None
        token, pos = found.group(), found.end()
        if frames[-1] is None:
            if token in ('"', "\n"):  # a newline ends an unterminated string (the parser reports it)
                frames.pop()
            elif token in ("${", "%{"):
                frames.append(0)
                depth += 1
            continue
        if token == '"':
            frames.append(None)
        elif token.startswith("<<"):
            close = re.compile(r"^[ \t]*" + re.escape(found.group(1)) + r"[ \t]*\r?$", re.M).search(text, pos)
            pos = close.end() if close else len(text)
        elif token in "([{":
            depth += 1
            frames[-1] += 1  # type: ignore[operator]
            if depth > MAX_DEPTH:
                return text.count("\n", 0, found.start()) + 1, depth
        elif token in ")]}":
            depth = max(depth - 1, 0)
            if token == "}" and len(frames) > 1 and frames[-1] == 0:
                frames.pop()  # the end of an interpolation
            else:
                frames[-1] = max((frames[-1] or 0) - 1, 0)


def _suppression_comments(comments: list[Comment]) -> tuple[dict[int, str], frozenset[int]]:
    """cicd-guard comments by line (real comment tokens only), and the lines holding only comments."""
    found: dict[int, str] = {}
    alone: set[int] = set()
    for comment in comments:
        if comment.alone:
            alone.update(range(comment.line, comment.end_line + 1))
        if "cicd-guard" in comment.text:
            match = _SUPPRESS_RE.match(comment.text)
            if match:
                found[comment.line] = match.group().rstrip("*/ \t\r")
    return found, frozenset(alone)


def decode(data: bytes, path: str) -> tuple[str | None, InputError | None]:
    """UTF-8 text (BOM stripped), or the reason it is not text."""
    nul = data.find(b"\0", 0, 1 << 20)
    if nul >= 0:
        return None, InputError(path, _line_of(data, nul), "binary file (NUL byte); not scanned")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        return None, InputError(path, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); not scanned")


def read_text(path: Path, display: str) -> tuple[str | None, bytes | None, InputError | None]:
    """Guarded read (files.read_regular: regular files under the size limit), then text decoding."""
    data, error = files.read_regular(path, display, MAX_BYTES)
    if error is not None or data is None:
        return None, None, error
    text, error = decode(data, display)
    return text, data, error


def parse_text(text: str, display: str) -> ParsedFile:
    parsed = ParsedFile(display)
    deep = _depth_error(text)
    if deep:
        parsed.errors.append(InputError(display, deep[0], f"expression nested more than {MAX_DEPTH} levels deep; "
                                        "not scanned"))
        return parsed
    try:
        body, comments = parse_source(text)
        parsed.body = list(body)
        for line, message in getattr(body, "failures", ()):
            parsed.errors.append(InputError(display, line, message))
    except HclSyntaxError as exc:
        parsed.errors.append(InputError(display, exc.line, str(exc)))
        return parsed
    except RecursionError:
        parsed.errors.append(InputError(display, None, "expression nested too deeply; not scanned"))
        return parsed
    parsed.comments, parsed.comment_lines = _suppression_comments(comments)
    return parsed


def _as_cached(parsed: ParsedFile) -> tuple:
    return (parsed.body, parsed.comments, parsed.comment_lines,
            [(e.line, e.message) for e in parsed.errors])


def _from_cached(display: str, value: object) -> ParsedFile | None:
    """The ParsedFile a cache entry holds, or None when the entry is not exactly that shape."""
    if not (isinstance(value, tuple) and len(value) == 4):
        return None
    body, comments, lines, errors = value
    if not (isinstance(comments, dict) and all(isinstance(k, int) and isinstance(v, str) for k, v in comments.items())
            and isinstance(lines, frozenset) and all(isinstance(n, int) for n in lines)
            and isinstance(errors, list) and all(isinstance(e, tuple) and len(e) == 2 and isinstance(e[1], str)
                                                 and (e[0] is None or isinstance(e[0], int)) for e in errors)
            and shapes.valid_body(body)):
        return None
    return ParsedFile(display, body, comments, lines, [InputError(display, line, msg) for line, msg in errors])


def _cached(display: str, data: bytes) -> ParsedFile | None:
    """A valid cache hit for this content; a malformed entry is dropped (and rewritten after parsing)."""
    hit = cache.get(cache.key_for(data))
    return _from_cached(display, hit) if hit is not None else None


def load_file(path: Path, display: str | None = None) -> ParsedFile:
    """Read, guard, and parse one file (through the content-hash cache)."""
    display = display or str(path)
    text, data, error = read_text(path, display)
    if error is not None or text is None or data is None:
        return ParsedFile(display, errors=[error] if error else [])
    hit = _cached(display, data)
    if hit is not None:
        return hit
    parsed = parse_text(text, display)
    cache.put(cache.key_for(data), _as_cached(parsed))
    return parsed


def _load_for_pool(args: tuple[str, str]) -> tuple:
    parsed = load_file(Path(args[0]), args[1])
    return _as_cached(parsed)


def load_files(files_: list[tuple[Path, str]], workers: int | None = None) -> list[ParsedFile]:
    """Load many files; parse in worker processes when there is enough uncached work to pay."""
    todo: list[tuple[Path, str]] = []
    done: dict[str, ParsedFile] = {}
    total = 0
    for path, display in files_:
        text, data, error = read_text(path, display)
        if error is not None or text is None or data is None:
            done[display] = ParsedFile(display, errors=[error] if error else [])
            continue
        hit = _cached(display, data)
        if hit is not None:
            done[display] = hit
        else:
            todo.append((path, display))
            total += len(data)
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    if workers > 1 and len(todo) >= PARALLEL_MIN_FILES and total >= PARALLEL_MIN_BYTES:
        parsed = workers_mod.parse_in_workers(_load_for_pool, [(str(p), d) for p, d in todo], workers)
        if parsed is not None:
            for (_, display), value in zip(todo, parsed):
                done[display] = _from_cached(display, value) or ParsedFile(display)
            todo = []
    for path, display in todo:
        done[display] = load_file(path, display)
    return [done[display] for _, display in files_]


def walk_tf_dirs(top: Path, errors: list[InputError]) -> dict[Path, list[Path]]:
    """Directories under `top` (followed symlinks included, loops reported) -> their .tf files."""
    found: dict[Path, list[Path]] = {}
    seen: set[str] = set()
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            real = os.path.realpath(folder, strict=True)
        except (OSError, RuntimeError) as exc:
            errors.append(InputError(str(folder), None, f"cannot resolve directory: {_os_reason(exc)}"))
            continue
        if real in seen:
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            errors.append(InputError(str(folder), None, f"cannot list directory: {exc.strerror or exc}"))
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink():
                try:
                    target = Path(os.path.realpath(path, strict=True))
                except (OSError, RuntimeError) as exc:
                    errors.append(InputError(str(path), None, f"broken or looping symlink: {_os_reason(exc)}"))
                    continue
                if target.is_dir():
                    if str(target) in seen or str(real).startswith(str(target) + os.sep):
                        errors.append(InputError(str(path), None, "symlink loop (points at a directory "
                                                 "already being scanned); not followed"))
                        continue
            try:
                is_dir = entry.is_dir()
            except OSError as exc:
                errors.append(InputError(str(path), None, f"cannot stat: {exc.strerror or exc}"))
                continue
            if is_dir:
                if entry.name not in SKIP_DIRS and not entry.name.startswith("."):
                    stack.append(path)
            elif entry.name.endswith(".tf"):  # FIFOs and devices too: the reader reports them
                found.setdefault(folder, []).append(path)
    return found


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == 40:
        return "too many levels of symbolic links (loop)"
    return getattr(exc, "strerror", None) or str(exc)
