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

from rulebook.model import Ref
from rulebook.unknown import Unknown, find_unknown


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
    raise FunctionError(f"{type(value).__name__} is not a number")


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


def type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "list"
    return type(value).__name__


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


def _replace(text: Any, search: Any, replacement: Any) -> str:
    text, search, replacement = to_str(text), to_str(search), to_str(replacement)
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        pattern = re.compile(search[1:-1])
        return pattern.sub(re.sub(r"\$(\d+)", r"\\\1", replacement), text)
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


def _range(*args: Any) -> list:
    nums = [number(a) for a in args]
    if len(nums) == 1:
        return list(range(int(nums[0])))
    step = nums[2] if len(nums) > 2 else (1 if nums[1] >= nums[0] else -1)
    out, value = [], nums[0]
    while (step > 0 and value < nums[1]) or (step < 0 and value > nums[1]):
        out.append(value)
        value += step
        if len(out) > 1024:
            raise FunctionError("range: more than 1024 elements")
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
    match = re.search(to_str(pattern), to_str(text))
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
    return [items[i:i + size] for i in range(0, len(items), size)] if size > 0 else [items]


def _setproduct(*lists: Any) -> list:
    out: list = [[]]
    for items in lists:
        out = [prefix + [item] for prefix in out for item in _list(items)]
    return out


def _indent(spaces: Any, text: Any) -> str:
    pad = " " * int(number(spaces))
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
    "toset": lambda ls: _distinct(_list(ls)),
    "tolist": lambda ls: list(_list(ls)),
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
    "join": lambda sep, *ls: to_str(sep).join(to_str(x) for items in ls for x in _list(items)),
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
    "regexall": lambda p, s: [m.group() for m in re.finditer(to_str(p), to_str(s))],
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
    "pow": lambda a, b: number(number(a) ** number(b)),
    "signum": lambda n: (number(n) > 0) - (number(n) < 0),
    "parseint": lambda s, base: int(to_str(s), int(number(base))),
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
