"""The evaluator, feature by feature, with exact values."""

from __future__ import annotations

import json

import pytest

import hcl_scanner
from rulebook.model import InputError, Ref
from rulebook.unknown import Unknown

from hcl_helpers import evaluated, scan_text


def test_literals_interpolation_and_heredocs(tmp_path):
    attrs, result = scan_text(tmp_path, r'''
resource "x" "a" {
  s      = "a\tb \"q\" \u00e9 $${literal} %%{x}"
  n      = 1.5e3
  f      = 0.25
  neg    = -3
  b      = true
  nul    = null
  interp = "pre-${1 + 2}-post"
  alone  = "${[1, 2]}"
  doc    = <<EOT
line ${upper("one")}
  two
EOT
  trimmed = <<-EOT
    {
      "k": "${lower("V")}"
    }
    EOT
  directive = "%{ if true }yes%{ else }no%{ endif } %{ for v in ["a", "b"] }${v};%{ endfor }"
}
''')
    assert result.errors == []
    a = attrs["x.a"]
    assert a["s"] == 'a\tb "q" é ${literal} %{x}'
    assert (a["n"], a["f"], a["neg"], a["b"], a["nul"]) == (1500, 0.25, -3, True, None)
    assert a["interp"] == "pre-3-post"
    assert a["alone"] == [1, 2]
    assert a["doc"] == "line ONE\n  two\n"
    assert a["trimmed"] == '{\n  "k": "v"\n}\n'
    assert a["directive"] == "yes a;b;"


def test_variable_precedence(tmp_path, monkeypatch):
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text('''
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "e" { type = list(string) }
variable "missing" {}
resource "x" "v" {
  a = var.a
  b = var.b
  c = var.c
  d = var.d
  e = var.e
  m = var.missing
}
''')
    (root / "terraform.tfvars").write_text('b = "tfvars"\nc = "tfvars"\nd = "tfvars"\n')
    (root / "z.auto.tfvars").write_text('c = "auto"\nd = "auto"\n')
    extra = tmp_path / "prod.tfvars"
    extra.write_text('d = "var-file"\n')
    monkeypatch.setenv("TF_VAR_a", "env")
    monkeypatch.setenv("TF_VAR_b", "env")
    monkeypatch.setenv("TF_VAR_e", '["x", "y"]')
    result = hcl_scanner.scan([str(root)], var_files=[str(extra)])
    attrs = evaluated(result)["x.v"].attrs
    assert (attrs["a"], attrs["b"], attrs["c"], attrs["d"]) == ("env", "tfvars", "auto", "var-file")
    assert attrs["e"] == ["x", "y"]
    assert attrs["m"] == Unknown("variable missing has no value (no default, not set in tfvars, "
                                 "--var-file or TF_VAR_missing)")


def test_locals_in_dependency_order_and_cycles(tmp_path):
    attrs, result = scan_text(tmp_path, '''
locals {
  full = "${local.base}-${local.suffix}"
  base = upper(local.raw)
  raw  = "ci"
  suffix = "x"
  loop_a = local.loop_b
  loop_b = local.loop_a
}
resource "x" "l" {
  full = local.full
  loop = local.loop_a
}
''')
    assert attrs["x.l"]["full"] == "CI-x"
    assert attrs["x.l"]["loop"] == Unknown("cycle in local values: local.loop_a -> local.loop_b -> local.loop_a")
    file = str(tmp_path / "root" / "main.tf")
    assert InputError(file, 7, "cycle in local values: local.loop_a -> local.loop_b -> local.loop_a") \
        in result.errors


def test_references_keep_identity(tmp_path):
    attrs, _ = scan_text(tmp_path, '''
variable "env" {}
resource "aws_iam_role" "ci" { name = "ci-role" }
resource "aws_iam_role" "dyn" { name = "ci-${var.env}" }
resource "aws_iam_role" "prefixed" {
  name        = null
  name_prefix = "ci-"
}
resource "x" "r" {
  prefixed    = aws_iam_role.prefixed.name
  by_name     = aws_iam_role.ci.name
  computed    = aws_iam_role.ci.arn
  unknown_arg = aws_iam_role.dyn.name
  in_string   = "${aws_iam_role.ci.arn}/*"
  nested      = aws_iam_role.ci.arn_suffix.part
  data        = data.aws_caller_identity.me.account_id
}
data "aws_caller_identity" "me" {}
''')
    r = attrs["x.r"]
    assert r["by_name"] == "ci-role"
    assert r["prefixed"] == Ref("aws_iam_role.prefixed", "name")
    assert r["computed"] == Ref("aws_iam_role.ci", "arn")
    assert r["unknown_arg"] == Ref("aws_iam_role.dyn", "name")
    assert r["in_string"] == "${aws_iam_role.ci.arn}/*"
    assert r["nested"] == Ref("aws_iam_role.ci", "arn_suffix.part")
    assert r["data"] == Ref("data.aws_caller_identity.me", "account_id")
    assert attrs["aws_iam_role.dyn"]["name"] == Unknown(
        "variable env has no value (no default, not set in tfvars, --var-file or TF_VAR_env)")


def test_jsonencode_jsondecode(tmp_path):
    attrs, _ = scan_text(tmp_path, '''
resource "aws_iam_role" "ci" { name = "r" }
resource "x" "j" {
  plain   = jsonencode({ b = [1, "two"], a = true })
  with_ref = jsonencode({ Resource = aws_iam_role.ci.arn })
  decoded = jsondecode("{\\"k\\": [1, 2]}").k
  round   = jsondecode(jsonencode({ x = 1 })).x
}
''')
    j = attrs["x.j"]
    assert j["plain"] == '{"a":true,"b":[1,"two"]}'
    assert j["with_ref"] == {"Resource": Ref("aws_iam_role.ci", "arn")}
    assert j["decoded"] == [1, 2]
    assert j["round"] == 1


def test_conditionals(tmp_path):
    attrs, _ = scan_text(tmp_path, '''
variable "u" {}
variable "n" { default = 3 }
resource "x" "c" {
  simple   = var.n > 2 ? "big" : "small"
  nested   = var.n == 3 ? (var.n < 1 ? "a" : "b") : "c"
  unknown  = var.u ? "a" : "b"
  same     = var.u ? "a" : "a"
  and_false = false && var.u
  or_true   = true || var.u
}
''')
    c = attrs["x.c"]
    reason = "variable u has no value (no default, not set in tfvars, --var-file or TF_VAR_u)"
    assert (c["simple"], c["nested"], c["same"]) == ("big", "b", "a")
    assert c["unknown"] == Unknown(reason)
    assert (c["and_false"], c["or_true"]) == (False, True)


def test_for_expressions_and_splats(tmp_path):
    attrs, result = scan_text(tmp_path, '''
locals {
  users = { alice = "admin", bob = "dev", carol = "dev" }
  items = [{ name = "a", ports = [1] }, { name = "b", ports = [2, 3] }]
}
resource "x" "f" {
  list     = [for k, v in local.users : upper(k) if v == "dev"]
  obj      = { for k, v in local.users : v => k... }
  ones     = [for x in ["p", "q"] : 1]
  idx      = [for i, x in ["p", "q"] : "${i}=${x}"]
  names    = local.items[*].name
  legacy   = local.items.*.name
  first    = local.items.*.ports[0]
  full     = local.items[*].ports[0]
  single   = { a = 1 }[*].a
  null_spl = null[*]
}
''')
    assert result.errors == []
    f = attrs["x.f"]
    assert f["list"] == ["BOB", "CAROL"]
    assert f["obj"] == {"admin": ["alice"], "dev": ["bob", "carol"]}
    assert f["ones"] == [1, 1]
    assert f["idx"] == ["0=p", "1=q"]
    assert f["names"] == ["a", "b"] and f["legacy"] == ["a", "b"]
    assert f["first"] == [1]
    assert f["full"] == [1, 2]
    assert f["single"] == [1]
    assert f["null_spl"] == []


def test_splat_over_counted_resources_gives_refs(tmp_path):
    attrs, _ = scan_text(tmp_path, '''
resource "aws_ecr_repository" "r" {
  count = 2
  name  = "repo-${count.index}"
}
resource "x" "s" {
  arns  = aws_ecr_repository.r[*].arn
  names = aws_ecr_repository.r[*].name
  one   = aws_ecr_repository.r[1].arn
}
''')
    s = attrs["x.s"]
    assert s["arns"] == [Ref("aws_ecr_repository.r[0]", "arn"), Ref("aws_ecr_repository.r[1]", "arn")]
    assert s["names"] == ["repo-0", "repo-1"]
    assert s["one"] == Ref("aws_ecr_repository.r[1]", "arn")


FUNCTION_CASES = [
    ('concat(["a"], ["b", "c"])', ["a", "b", "c"]),
    ('merge({a = 1, b = 1}, {b = 2})', {"a": 1, "b": 2}),
    ('format("%s-%03d-%q", "x", 7, "y")', 'x-007-"y"'),
    ('formatlist("%s:%s", ["a", "b"], "p")', ["a:p", "b:p"]),
    ('join(",", ["a", "b"])', "a,b"),
    ('split(",", "a,b")', ["a", "b"]),
    ('lookup({a = "x"}, "b", "dflt")', "dflt"),
    ('element(["a", "b"], 3)', "b"),
    ('try(local.nope.x, {a = 1}.b, "fallback")', "fallback"),
    ('can({a = 1}.b)', False),
    ('can({a = 1}.a)', True),
    ('coalesce("", null, "c")', "c"),
    ('toset(["b", "a", "b"])', ["b", "a"]),
    ('toset([1, "a", "1", true, 1.5])', ["1", "a", "true", "1.5"]),  # one element type: string
    ('toset([2, 1, 2])', [2, 1]),
    ('tolist([1, "a"])', ["1", "a"]),
    ('tolist(["a"])', ["a"]),
    ('tomap({a = "1"})', {"a": "1"}),
    ('flatten([["a"], [["b"]], "c"])', ["a", "b", "c"]),
    ('length({a = 1, b = 2})', 2),
    ('keys({b = 1, a = 2})', ["a", "b"]),
    ('values({b = 1, a = 2})', [2, 1]),
    ('distinct(["a", "a", "b"])', ["a", "b"]),
    ('compact(["a", "", null, "b"])', ["a", "b"]),
    ('contains(["a"], "a")', True),
    ('lower("AbC")', "abc"),
    ('upper("abc")', "ABC"),
    ('replace("a-b-c", "-", "_")', "a_b_c"),
    ('replace("v1.2", "/v(\\\\d)/", "V$1")', "V1.2"),
    ('trimprefix("arn:aws:x", "arn:")', "aws:x"),
    ('trimsuffix("a.json", ".json")', "a"),
    ('cidrsubnet("10.0.0.0/16", 8, 2)', "10.0.2.0/24"),
    ('base64encode("hi")', "aGk="),
    ('base64decode("aGk=")', "hi"),
    ('substr("abcdef", 1, 3)', "bcd"),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ('max(1, 5, 3)', 5),
    ('1 + 2 * 3 - 4 / 2', 5),
    ('5 % 3', 2),
    ('!(1 >= 2)', True),
    ('"1" == 1', False),
    ('startswith("repo:org/x", "repo:")', True),
    ('sort(["b", "a"])', ["a", "b"]),
    ('concat([["x"], ["y"]]...)', ["x", "y"]),
]


@pytest.mark.parametrize("expr,expected", FUNCTION_CASES)
def test_functions(tmp_path, expr, expected):
    attrs, result = scan_text(tmp_path, f'resource "x" "fn" {{\n  v = {expr}\n}}\n')
    assert result.errors == []
    assert attrs["x.fn"]["v"] == expected


def test_unsupported_and_unknowable_functions(tmp_path):
    attrs, _ = scan_text(tmp_path, '''
resource "x" "u" {
  t   = timestamp()
  odd = frobnicate(1)
  bad = element([], 0)
  pf  = provider::aws::arn_parse("x")
}
''')
    u = attrs["x.u"]
    assert u["t"] == Unknown("timestamp() is only known at apply time")
    assert u["odd"] == Unknown("function frobnicate() is not supported by the scanner")
    assert u["bad"] == Unknown("cannot evaluate: element(): element: empty list")
    assert u["pf"] == Unknown("provider function provider::aws::arn_parse() is not evaluated by the scanner")


def test_file_and_templatefile_only_inside_the_repository(tmp_path):
    root = tmp_path / "root"
    (root / "tpl").mkdir(parents=True)
    (root / "tpl" / "policy.json.tpl").write_text(
        '{"Resource": "${arn}", "Items": [%{ for i in items }"${i}",%{ endfor }"end"]}')
    (root / "tpl" / "raw.txt").write_text("\ufeffraw text\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside")
    (root / "main.tf").write_text('''
resource "x" "files" {
  raw     = file("${path.module}/tpl/raw.txt")
  tpl     = templatefile("${path.module}/tpl/policy.json.tpl", { arn = "arn:aws:s3:::b", items = ["a", "b"] })
  outside = file("../secret.txt")
  exists  = fileexists("tpl/raw.txt")
}
''')
    result = hcl_scanner.scan([str(root)])
    attrs = evaluated(result)["x.files"].attrs
    assert attrs["raw"] == "raw text\n"
    assert json.loads(attrs["tpl"]) == {"Resource": "arn:aws:s3:::b", "Items": ["a", "b", "end"]}
    message = "file('../secret.txt') reads outside the repository; not read"
    assert attrs["outside"] == Unknown(message)
    assert attrs["exists"] is True
    assert result.errors == [InputError(str(root / "main.tf"), 5, message)]


def test_count_and_for_each_instances(tmp_path):
    attrs, result = scan_text(tmp_path, '''
variable "n" {}
resource "x" "c" {
  count = 2
  name  = "c${count.index}"
}
resource "x" "m" {
  for_each = { app = "IMMUTABLE", "web.v2" = "MUTABLE" }
  name     = each.key
  mode     = each.value
}
resource "x" "s" {
  for_each = toset(["a"])
  name     = each.value
}
resource "x" "mixed" {
  for_each = toset([1, "b"])
  name     = each.value
}
resource "x" "zero" {
  count = 0
}
resource "x" "u" {
  count = var.n
  idx   = count.index
}
resource "x" "refs" {
  for_each = toset([x.s["a"].id])
  k        = each.key
}
''')
    assert attrs["x.c[0]"] == {"name": "c0"} and attrs["x.c[1]"] == {"name": "c1"}
    assert attrs['x.m["app"]'] == {"name": "app", "mode": "IMMUTABLE"}
    assert attrs['x.m["web.v2"]'] == {"name": "web.v2", "mode": "MUTABLE"}
    assert attrs['x.s["a"]'] == {"name": "a"}
    assert attrs['x.mixed["1"]'] == {"name": "1"} and attrs['x.mixed["b"]'] == {"name": "b"}
    assert not any(k.startswith("x.zero") for k in attrs)
    reason = "variable n has no value (no default, not set in tfvars, --var-file or TF_VAR_n)"
    assert attrs["x.u"] == {"idx": Unknown(f"count.index: {reason}")}
    assert evaluated(result)["x.u"].notes == [f"count is unknown ({reason}); evaluated as one instance"]
    assert attrs["x.refs"] == {"k": Unknown('each: x.s["a"].id is known only after apply')}
    assert result.errors == []


def test_dynamic_blocks_merged_with_static(tmp_path):
    attrs, _ = scan_text(tmp_path, '''
variable "u" {}
locals {
  rules = { ssh = 22, https = 443 }
}
resource "aws_security_group" "sg" {
  ingress {
    from_port = 80
  }
  dynamic "ingress" {
    for_each = local.rules
    iterator = rule
    content {
      from_port   = rule.value
      description = rule.key
      dynamic "nested" {
        for_each = [1, 2]
        content { n = nested.value * 10 }
      }
    }
  }
  dynamic "egress" {
    for_each = var.u
    content { to = egress.value }
  }
  lifecycle { create_before_destroy = true }
}
''')
    sg = attrs["aws_security_group.sg"]
    assert sg["ingress"] == [
        {"from_port": 80},
        {"from_port": 443, "description": "https", "nested": [{"n": 10}, {"n": 20}]},
        {"from_port": 22, "description": "ssh", "nested": [{"n": 10}, {"n": 20}]},
    ]
    assert sg["egress"] == [Unknown("dynamic egress blocks: for_each is unknown (variable u has no value "
                                    "(no default, not set in tfvars, --var-file or TF_VAR_u))")]
    assert "lifecycle" not in sg


def test_bad_expressions_become_unknown_not_lost(tmp_path):
    attrs, _ = scan_text(tmp_path, '''
resource "x" "e" {
  missing = { a = 1 }.b
  index   = ["a"][3]
  undeclared = var.nope
  ok = "still here"
}
''')
    e = attrs["x.e"]
    assert e["missing"] == Unknown("cannot evaluate: object has no attribute 'b'")
    assert e["index"] == Unknown("cannot evaluate: index 3 out of range (length 1)")
    assert e["undeclared"] == Unknown("cannot evaluate: undeclared variable var.nope")
    assert e["ok"] == "still here"


def test_json_tfvars_module_count_and_computed_keys(tmp_path):
    root = tmp_path / "root"
    (root / "mod").mkdir(parents=True)
    (root / "mod" / "main.tf").write_text(
        'variable "i" {}\nresource "x" "m" {\n  i = var.i\n  where = path.module\n}\n')
    (root / "main.tf").write_text('''
variable "name" {}
variable "k" { default = "dyn" }
module "m" {
  source = "./mod"
  count  = 2
  i      = count.index * 10
}
resource "x" "r" {
  name = var.name
  obj  = { (var.k) = 1, plain = 2 }
  mods = module.m[*]
}
''')
    (root / "terraform.tfvars.json").write_text('{"name": "from-json"}')
    result = hcl_scanner.scan([str(root)])
    found = evaluated(result)
    assert found["x.r"].attrs["name"] == "from-json"
    assert found["x.r"].attrs["obj"] == {"dyn": 1, "plain": 2}
    assert found["module.m[0].x.m"].attrs == {"i": 0, "where": "mod"}
    assert found["module.m[1].x.m"].attrs == {"i": 10, "where": "mod"}
    assert found["x.r"].attrs["mods"] == [{}, {}]  # the module has no outputs


def test_whole_objects_are_materialized(tmp_path):
    attrs, _ = scan_text(tmp_path, '''
locals {
  repos = aws_ecr_repository.r
}
resource "aws_ecr_repository" "r" {
  for_each = toset(["a"])
  name     = each.key
}
resource "x" "w" {
  arns  = [for r in local.repos : r.arn]
  whole = aws_ecr_repository.r["a"]
  root  = var
}
''')
    w = attrs["x.w"]
    assert w["arns"] == [Ref('aws_ecr_repository.r["a"]', "arn")]
    assert w["whole"] == Unknown('aws_ecr_repository.r["a"] used as a whole object')
    assert w["root"] == Unknown("a reference prefix (var, local, module, data or a resource type) used as a value")


def test_provider_default_tags_give_tags_all(tmp_path):
    attrs, _ = scan_text(tmp_path, '''
provider "aws" {
  default_tags {
    tags = { "cicd-stage" = "deploy", Team = "platform" }
  }
}
provider "aws" {
  alias = "build"
  default_tags {
    tags = { "cicd-stage" = "build" }
  }
}
resource "aws_iam_role" "deployer" {
  name = "deployer"
  tags = { Team = "release" }
}
resource "aws_iam_role" "builder" {
  provider = aws.build
  name     = "builder"
}
resource "azurerm_resource_group" "rg" {
  name = "rg"
}
''')
    assert attrs["aws_iam_role.deployer"]["tags_all"] == {"cicd-stage": "deploy", "Team": "release"}
    assert attrs["aws_iam_role.builder"]["tags_all"] == {"cicd-stage": "build"}
    assert "tags_all" not in attrs["azurerm_resource_group.rg"]


def test_variable_type_conversion_and_optional_attributes(tmp_path):
    attrs, result = scan_text(tmp_path, '''
variable "flag" {
  type    = bool
  default = "true"
}
variable "port" {
  type    = number
  default = "443"
}
variable "label" {
  type    = string
  default = 5
}
variable "website" {
  type = object({
    index_document = optional(string)
    error_document = optional(string, "error.html")
    routing = optional(list(object({ host = optional(string, "example.com"), code = number })), [])
  })
  default = { index_document = "index.html", routing = [{ code = "301" }] }
}
variable "ids" {
  type    = set(string)
  default = ["a", "a", 1]
}
resource "x" "t" {
  flag    = var.flag
  port    = var.port + 1
  label   = var.label
  index   = var.website.index_document
  error   = var.website.error_document
  routing = var.website.routing
  ids     = var.ids
}
''')
    assert result.errors == []
    assert attrs["x.t"] == {"flag": True, "port": 444, "label": "5", "index": "index.html",
                            "error": "error.html", "routing": [{"code": 301, "host": "example.com"}],
                            "ids": ["a", "1"]}


def test_nullable_false_takes_the_default_for_a_null_argument(tmp_path):
    root = tmp_path / "root"
    (root / "mod").mkdir(parents=True)
    (root / "mod" / "main.tf").write_text('''
variable "maps" {
  default  = {}
  nullable = false
}
variable "kept" { default = "dflt" }
variable "strict" { nullable = false }
resource "x" "each" {
  for_each = var.maps
  name     = each.key
}
resource "x" "v" {
  kept   = var.kept
  strict = var.strict
}
''')
    (root / "main.tf").write_text('module "m" {\n  source = "./mod"\n  maps   = null\n  kept   = null\n'
                                  '  strict = null\n}\n')
    result = hcl_scanner.scan([str(root)])
    found = evaluated(result)
    assert result.errors == []
    assert not any(address.startswith("module.m.x.each") for address in found)
    v = found["module.m.x.v"].attrs
    assert v["kept"] is None  # nullable (the default): null stays null
    assert v["strict"] == Unknown("variable strict is null but declared nullable = false")


def test_messages_name_null_not_python_types(tmp_path):
    _, result = scan_text(tmp_path, '''
variable "m" { default = null }
resource "x" "e" {
  for_each = var.m
  name     = each.key
}
resource "x" "a" { v = var.m.key }
''')
    file = str(tmp_path / "root" / "main.tf")
    assert result.errors == [InputError(file, 3, "for_each of x.e is null, not a map or set of strings")]
    assert evaluated(result)["x.a"].attrs["v"] == Unknown("cannot evaluate: attribute 'key' of null")


def test_sensitive_values_stay_readable_but_are_marked_and_never_quoted(tmp_path):
    root = tmp_path / "root"
    (root / "mod").mkdir(parents=True)
    (root / "mod" / "main.tf").write_text('''
variable "in" {}
output "token" {
  value     = "tok-${var.in}"
  sensitive = true
}
''')
    (root / "main.tf").write_text('''
variable "pass" {
  sensitive = true
  default   = "s3cretvalue"
}
module "m" {
  source = "./mod"
  in     = "abc"
}
resource "x" "s" {
  plain   = "p"
  derived = upper(var.pass)
  nested  = { inner = module.m.token, list = [var.pass] }
  unsafe  = nonsensitive(var.pass)
  failing = tonumber(var.pass)
}
''')
    result = hcl_scanner.scan([str(root)])
    s = evaluated(result)["x.s"]
    assert s.attrs["derived"] == "S3CRETVALUE" and s.attrs["nested"] == {"inner": "tok-abc", "list": ["s3cretvalue"]}
    assert s.sensitive_paths == frozenset({"derived", "nested.inner", "nested.list[0]"})  # not "unsafe"
    assert s.attrs["failing"] == Unknown("cannot evaluate: tonumber(): invalid argument (a sensitive value)")
    assert {"s3cretvalue", "S3CRETVALUE", "tok-abc"} <= result.inventories[0].sensitive_values


def test_templatefile_sees_only_its_variables(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "t.tpl").write_text("${a}-${local.x}")
    (root / "ok.tpl").write_text("${a}")
    (root / "main.tf").write_text('''
locals { x = "local" }
resource "x" "t" {
  leak = templatefile("t.tpl", { a = "A" })
  ok   = templatefile("ok.tpl", { a = "A" })
}
''')
    attrs = evaluated(hcl_scanner.scan([str(root)]))["x.t"].attrs
    assert attrs["ok"] == "A"
    assert attrs["leak"] == Unknown("cannot evaluate: templatefile: variable 'local' was not given to the template")


REGEX_CASES = [
    ('regex("^(a|aa)+$", "aaaa")', ["a"]),
    ('regex("(?P<user>[a-z]+)@(?P<host>[a-z.]+)", "me@example.com")', {"user": "me", "host": "example.com"}),
    ('regex("[0-9]+", "ab123cd")', "123"),
    ('regexall("[a-z]", "a1b2")', ["a", "b"]),
    ('replace("a-b-c", "/-([a-z])/", "_$1")', "a_b_c"),
    ('can(regex("(?=lookahead)", "x"))', False),  # RE2 has no lookahead, as in Terraform
]


@pytest.mark.parametrize("expr,expected", REGEX_CASES, ids=[c[0] for c in REGEX_CASES])
def test_regex_functions_use_re2(tmp_path, expr, expected):
    attrs, _ = scan_text(tmp_path, f'resource "x" "r" {{\n  v = {expr}\n}}\n')
    assert attrs["x.r"]["v"] == expected
