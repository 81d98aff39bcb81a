"""Terraform's built-in functions over evaluated values.

Values: str, int/float, bool, None, list (tuples, lists and sets), dict (maps and objects),
Ref (a computed attribute of another resource), Unknown. A function that meets an Unknown
argument returns an Unknown carrying the same reason (try/can/coalesce are handled by the
evaluator, which must see unevaluated arguments). Refs embedded in strings keep Terraform's
reference text `${address.attribute}` so that the string stays recognisable.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import math
import re
import urllib.parse
from typing import Any, Callable

import re2

from rulebook.model import Ref
from rulebook.unknown import Unknown, find_unknown

from .budgets import MAX_STRING, BudgetError, check_count, check_length, check_number, check_power


class FunctionError(ValueError):
    """A call Terraform itself would reject (wrong types, bad arguments)."""


def number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise FunctionError("a bool is not a number")
    if isinstance(value, (int, float)):
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if isinstance(value, str):
        try:
            parsed = float(value)
        except ValueError:
            raise FunctionError(f"{value!r} is not a number") from None
        return int(parsed) if parsed.is_integer() else parsed
    raise FunctionError(f"a {type_name(value)} is not a number")


def to_str(value: Any) -> str:
    """Terraform's string conversion; a Ref renders as its reference text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        value = number(value)
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, Ref):
        return "${" + str(value) + "}"
    if value is None:
        raise FunctionError("null value cannot be used as a string")
    raise FunctionError(f"a {type_name(value)} cannot be used as a string")


_TYPE_NAMES = {str: "string", int: "number", float: "number", bool: "bool", type(None): "null",
               Ref: "value known only after apply", Unknown: "unknown value"}


def type_name(value: Any) -> str:
    """Terraform's name for a value's type (`null`, not NoneType), for messages."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "list"
    return _TYPE_NAMES.get(type(value), "value")


def has_ref(value: Any) -> bool:
    if isinstance(value, Ref):
        return True
    if isinstance(value, dict):
        return any(has_ref(v) for v in value.values())
    if isinstance(value, list):
        return any(has_ref(v) for v in value)
    return False


def _list(value: Any) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        raise FunctionError("a map cannot be used as a list")
    raise FunctionError(f"a {type_name(value)} cannot be used as a list")


def _map(value: Any) -> dict:
    if isinstance(value, dict):
        return value
    raise FunctionError(f"a {type_name(value)} cannot be used as a map")


def _distinct(items: list) -> list:
    out: list = []
    seen: set = set()
    for item in items:
        key = json.dumps(item, sort_keys=True, default=str) if isinstance(item, (dict, list)) else (type(item), item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _unified(items: list) -> list:
    """Terraform gives a list or set one element type: primitives mixed with a string all become
    strings (`toset([1, "a"])` is `["1", "a"]`); anything else is left as it is."""
    primitive = all(isinstance(i, (str, int, float)) for i in items)  # bool is an int
    if primitive and any(isinstance(i, str) for i in items) and not all(isinstance(i, str) for i in items):
        return [to_str(i) for i in items]
    return items


_FMT = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])")


def _format(fmt: Any, *args: Any) -> str:
    fmt = to_str(fmt)
    position = 0

    def sub(m: re.Match) -> str:
        nonlocal position
        verb = m.group(5)
        if verb == "%":
            return "%"
        if m.group(1):
            position = int(m.group(1)) - 1
        if position >= len(args):
            raise FunctionError("format: not enough arguments")
        value = args[position]
        position += 1
        flags, width, precision = m.group(2), m.group(3), m.group(4)
        check_length(int(width or 0) + int(precision or 0), "format() width")
        if verb in ("s", "v"):
            text = to_str(value) if not isinstance(value, (dict, list)) else jsonencode(value)
        elif verb == "q":
            text = json.dumps(to_str(value))
        elif verb == "d":
            text = str(int(number(value)))
        elif verb in ("f", "e", "g"):
            text = f"{float(number(value)):{'.' + precision if precision else ''}{verb}}"
        elif verb in ("x", "X", "o", "b"):
            text = format(int(number(value)), verb)
        elif verb == "t":
            text = "true" if value else "false"
        else:
            raise FunctionError(f"format: unsupported verb %{verb}")
        if width:
            text = text.ljust(int(width)) if "-" in flags else text.rjust(int(width), "0" if "0" in flags else " ")
        return text
    return _FMT.sub(sub, fmt)


def _formatlist(fmt: Any, *args: Any) -> list:
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise FunctionError("formatlist: lists of different lengths")
    count = lengths.pop() if lengths else 1
    check_length(count * len(to_str(fmt)), "formatlist() result")
    return [_format(fmt, *[a[i] if isinstance(a, list) else a for a in args]) for i in range(count)]


def jsonencode(value: Any) -> Any:
    """A JSON string; a value still holding Refs or Unknowns stays structured (dict/list) so
    that policy readers keep the references instead of a flattened string."""
    if has_ref(value) or find_unknown(value) is not None:
        return value
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def jsondecode(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return value  # structured jsonencode result (see above)
    try:
        return json.loads(to_str(value))
    except json.JSONDecodeError as exc:
        raise FunctionError(f"jsondecode: invalid JSON ({exc.msg})") from None


def _re2(pattern: Any) -> Any:
    """An RE2 pattern (Terraform's syntax and linear-time matching); errors are FunctionErrors."""
    try:
        return re2.compile(to_str(pattern), options=_RE2_OPTIONS)
    except re2.error as exc:
        detail = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else exc
        raise FunctionError(f"invalid regular expression: {detail}") from None


def _replace_in_document(document: Any, search: str, replacement: str) -> Any:
    """replace() on a rendered policy document: the same as on its JSON text when neither string can
    touch JSON syntax (placeholders such as `_S3_BUCKET_ID_`), applied to every key and string."""
    if not search or search.startswith("/") or any(c in search + replacement for c in '"\\'):
        raise FunctionError("replace() on a policy document's JSON with a pattern or quotes is not evaluated")

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {walk(k) if isinstance(k, str) else k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str):
            check_length(len(value) + value.count(search) * len(replacement), "replace() result")
            return value.replace(search, replacement)
        if isinstance(value, Ref):
            return walk(to_str(value))
        return value

    return walk(document)


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # RE2 would print the attacker's pattern to stderr
_RE2_OPTIONS.max_mem = 64 << 20


def _replace(text: Any, search: Any, replacement: Any) -> Any:
    if isinstance(text, (dict, list)):  # `.json` of an aws_iam_policy_document, kept as its document
        return _replace_in_document(text, to_str(search), to_str(replacement))
    text, search, replacement = to_str(text), to_str(search), to_str(replacement)
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        pattern = _re2(search[1:-1])
        if len(text) * max(1, len(replacement)) > MAX_STRING:
            matches = sum(1 for _ in pattern.finditer(text))
            check_length(len(text) + matches * len(replacement), "replace() result")
        return pattern.sub(re.sub(r"\$\{?(\d+)\}?", r"\\\1", replacement), text)
    if search:
        check_length(len(text) + text.count(search) * len(replacement), "replace() result")
    else:
        check_length((len(text) + 1) * max(1, len(replacement)), "replace() result")
    return text.replace(search, replacement)


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    mapping = _map(mapping)
    key = to_str(key)
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise FunctionError(f"lookup: no key {key!r} and no default")


def _element(items: Any, index: Any) -> Any:
    items = _list(items)
    if not items:
        raise FunctionError("element: empty list")
    return items[int(number(index)) % len(items)]


def _flatten(items: Any) -> list:
    out: list = []
    for item in _list(items):
        if isinstance(item, list):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out


def _merge(*maps: Any) -> dict:
    out: dict = {}
    for mapping in maps:
        if mapping is None:
            continue
        out.update(_map(mapping))
    return out


def _cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> str:
    network = ipaddress.ip_network(to_str(prefix), strict=False)
    new_prefix = network.prefixlen + int(number(newbits))
    if new_prefix > network.max_prefixlen:
        raise FunctionError("cidrsubnet: not enough address space")
    size = 1 << (network.max_prefixlen - new_prefix)
    net_address = int(network.network_address) + int(number(netnum)) * size
    subnet = ipaddress.ip_network((net_address, new_prefix))
    if not subnet.subnet_of(network):  # type: ignore[arg-type]
        raise FunctionError("cidrsubnet: netnum out of range")
    return str(subnet)


def _cidrhost(prefix: Any, hostnum: Any) -> str:
    network = ipaddress.ip_network(to_str(prefix), strict=False)
    number_ = int(number(hostnum))
    base = int(network.broadcast_address) + 1 + number_ if number_ < 0 else int(network.network_address) + number_
    return str(ipaddress.ip_address(base))


def _b64decode(value: Any) -> str:
    try:
        return base64.b64decode(to_str(value), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise FunctionError("base64decode: not valid base64 of UTF-8 text") from None


def _substr(text: Any, offset: Any, length: Any) -> str:
    text = to_str(text)
    offset, length = int(number(offset)), int(number(length))
    if offset < 0:
        offset += len(text)
    return text[offset:] if length == -1 else text[offset:offset + length]


def _slice(items: Any, start: Any, end: Any) -> list:
    return _list(items)[int(number(start)):int(number(end))]


RANGE_LIMIT = 1024  # Terraform's own limit on range()


def _range(*args: Any) -> list:
    nums = [number(a) for a in args]
    if not 1 <= len(nums) <= 3:
        raise FunctionError("range: one to three arguments")
    if len(nums) == 1:
        if nums[0] > RANGE_LIMIT:
            raise BudgetError(f"range() of more than {RANGE_LIMIT} elements (Terraform refuses it too)")
        return list(range(int(nums[0])))
    step = nums[2] if len(nums) > 2 else (1 if nums[1] >= nums[0] else -1)
    out, value = [], nums[0]
    while (step > 0 and value < nums[1]) or (step < 0 and value > nums[1]):
        out.append(value)
        value += step
        if len(out) > RANGE_LIMIT:
            raise BudgetError(f"range() of more than {RANGE_LIMIT} elements (Terraform refuses it too)")
    return out


def _one(items: Any) -> Any:
    items = _list(items)
    if len(items) > 1:
        raise FunctionError("one: more than one element")
    return items[0] if items else None


def _index(items: Any, value: Any) -> int:
    try:
        return _list(items).index(value)
    except ValueError:
        raise FunctionError("index: value not in list") from None


def _regex(pattern: Any, text: Any) -> Any:
    match = _re2(pattern).search(to_str(text))
    if not match:
        raise FunctionError("regex: no match")
    if match.groupdict():
        return match.groupdict()
    return list(match.groups()) if match.groups() else match.group()


def _tobool(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise FunctionError(f"cannot convert {value!r} to bool")


def _chunklist(items: Any, size: Any) -> list:
    items, size = _list(items), int(number(size))
    check_count(len(items) / size if size > 0 else 0, "chunklist() result")
    return [items[i:i + size] for i in range(0, len(items), size)] if size > 0 else [items]


def _setproduct(*lists: Any) -> list:
    check_count(math.prod(len(_list(items)) for items in lists), "setproduct() result")
    out: list = [[]]
    for items in lists:
        out = [prefix + [item] for prefix in out for item in _list(items)]
    return out


def _indent(spaces: Any, text: Any) -> str:
    count = int(number(spaces))
    check_length((count + 1) * (to_str(text).count("\n") + 1) + len(to_str(text)), "indent() result")
    pad = " " * count
    return to_str(text).replace("\n", "\n" + pad)


def _transpose(mapping: Any) -> dict:
    out: dict[str, list] = {}
    for key, values in sorted(_map(mapping).items()):
        for value in _list(values):
            out.setdefault(to_str(value), []).append(key)
    return out


def _matchkeys(values: Any, keys: Any, search: Any) -> list:
    wanted = _list(search)
    return [v for v, k in zip(_list(values), _list(keys)) if k in wanted]


def _pow(base: Any, exponent: Any) -> int | float:
    a, b = number(base), number(exponent)
    check_power(a, b)
    try:
        return number(a ** b)
    except ZeroDivisionError:
        raise FunctionError("pow: zero to a negative power") from None


def _join(sep: Any, *lists: Any) -> str:
    sep = to_str(sep)
    parts = [to_str(x) for items in lists for x in _list(items)]
    check_length(sum(map(len, parts)) + len(sep) * len(parts), "join() result")
    return sep.join(parts)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    # collections
    "concat": lambda *ls: [x for items in ls for x in _list(items)],
    "merge": _merge,
    "lookup": _lookup,
    "element": _element,
    "flatten": _flatten,
    "length": lambda v: len(v) if isinstance(v, (list, dict, str)) else (_ for _ in ()).throw(
        FunctionError("length: not a collection")),
    "keys": lambda m: sorted(_map(m)),
    "values": lambda m: [v for _, v in sorted(_map(m).items())],
    "distinct": lambda ls: _distinct(_list(ls)),
    "compact": lambda ls: [x for x in _list(ls) if x not in (None, "")],
    "contains": lambda ls, v: v in _list(ls),
    "toset": lambda ls: _distinct(_unified(_list(ls))),
    "tolist": lambda ls: _unified(list(_list(ls))),
    "tomap": lambda m: dict(_map(m)),
    "coalescelist": lambda *ls: next((items for items in ls if _list(items)), []),
    "zipmap": lambda ks, vs: dict(zip([to_str(k) for k in _list(ks)], _list(vs))),
    "range": _range,
    "slice": _slice,
    "sort": lambda ls: sorted(to_str(x) for x in _list(ls)),
    "reverse": lambda ls: list(reversed(_list(ls))),
    "index": _index,
    "one": _one,
    "chunklist": _chunklist,
    "setunion": lambda *ls: _distinct([x for items in ls for x in _list(items)]),
    "setintersection": lambda first, *rest: [x for x in _distinct(_list(first)) if all(x in _list(r) for r in rest)],
    "setsubtract": lambda a, b: [x for x in _distinct(_list(a)) if x not in _list(b)],
    "setproduct": _setproduct,
    "alltrue": lambda ls: all(x is True or x == "true" for x in _list(ls)),
    "anytrue": lambda ls: any(x is True or x == "true" for x in _list(ls)),
    "sum": lambda ls: number(sum(number(x) for x in _list(ls))),
    "transpose": _transpose,
    "matchkeys": _matchkeys,
    # strings
    "format": _format,
    "formatlist": _formatlist,
    "join": _join,
    "split": lambda sep, text: to_str(text).split(to_str(sep)) if to_str(text) != "" else [],
    "lower": lambda s: to_str(s).lower(),
    "upper": lambda s: to_str(s).upper(),
    "title": lambda s: to_str(s).title(),
    "replace": _replace,
    "trimprefix": lambda s, p: to_str(s)[len(to_str(p)):] if to_str(s).startswith(to_str(p)) else to_str(s),
    "trimsuffix": lambda s, p: to_str(s)[:-len(to_str(p))] if to_str(p) and to_str(s).endswith(to_str(p))
    else to_str(s),
    "trimspace": lambda s: to_str(s).strip(),
    "trim": lambda s, chars: to_str(s).strip(to_str(chars)),
    "chomp": lambda s: to_str(s).rstrip("\r\n"),
    "indent": _indent,
    "substr": _substr,
    "strrev": lambda s: to_str(s)[::-1],
    "startswith": lambda s, p: to_str(s).startswith(to_str(p)),
    "endswith": lambda s, p: to_str(s).endswith(to_str(p)),
    "strcontains": lambda s, p: to_str(p) in to_str(s),
    "regex": _regex,
    "regexall": lambda p, s: [m.group() for m in _re2(p).finditer(to_str(s))],
    "tostring": lambda v: None if v is None else to_str(v),
    "tonumber": lambda v: None if v is None else number(v),
    "tobool": _tobool,
    "jsonencode": jsonencode,
    "jsondecode": jsondecode,
    "base64encode": lambda s: base64.b64encode(to_str(s).encode()).decode(),
    "base64decode": _b64decode,
    "urlencode": lambda s: urllib.parse.quote(to_str(s), safe=""),
    "md5": lambda s: hashlib.md5(to_str(s).encode()).hexdigest(),
    "sha1": lambda s: hashlib.sha1(to_str(s).encode()).hexdigest(),
    "sha256": lambda s: hashlib.sha256(to_str(s).encode()).hexdigest(),
    "base64sha256": lambda s: base64.b64encode(hashlib.sha256(to_str(s).encode()).digest()).decode(),
    "basename": lambda s: to_str(s).rstrip("/").rsplit("/", 1)[-1],
    "dirname": lambda s: to_str(s).rsplit("/", 1)[0] if "/" in to_str(s) else ".",
    # numbers
    "min": lambda *ns: number(min(number(n) for n in ns)),
    "max": lambda *ns: number(max(number(n) for n in ns)),
    "abs": lambda n: abs(number(n)),
    "ceil": lambda n: math.ceil(number(n)),
    "floor": lambda n: math.floor(number(n)),
    "pow": _pow,
    "signum": lambda n: (number(n) > 0) - (number(n) < 0),
    "parseint": lambda s, base: check_number(int(to_str(s), int(number(base)))),
    # network
    "cidrsubnet": _cidrsubnet,
    "cidrhost": _cidrhost,
    "cidrnetmask": lambda p: str(ipaddress.ip_network(to_str(p), strict=False).netmask),
    # identity
    "sensitive": lambda v: v,
    "nonsensitive": lambda v: v,
}

# Functions whose result is not known before apply (or depends on the machine running Terraform).
UNKNOWABLE = {"timestamp": "timestamp() is only known at apply time",
              "uuid": "uuid() is only known at apply time",
              "bcrypt": "bcrypt() output is random",
              "plantimestamp": "plantimestamp() is only known at plan time",
              "abspath": "abspath() depends on the machine running Terraform",
              "pathexpand": "pathexpand() depends on the machine running Terraform"}

# Functions that accept Refs/Unknowns inside their collection arguments and keep them in place.
STRUCTURAL = {"concat", "merge", "flatten", "tolist", "toset", "tomap", "compact", "distinct", "element",
              "lookup", "length", "keys", "values", "coalescelist", "zipmap", "slice", "reverse", "one",
              "jsonencode", "jsondecode", "sensitive", "nonsensitive", "setunion", "chunklist"}


def call(name: str, args: list) -> Any:
    """Apply a function; Unknown arguments give Unknown results (except structural functions)."""
    if name in UNKNOWABLE:
        return Unknown(UNKNOWABLE[name])
    fn = FUNCTIONS.get(name)
    if fn is None:
        return Unknown(f"function {name}() is not supported by the scanner")
    if name in STRUCTURAL:
        for arg in args:
            if isinstance(arg, Unknown):
                return arg
        return fn(*args)
    unknown = find_unknown(args)
    if unknown is not None:
        return unknown
    return fn(*args)
