# Two commands for a new user: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup test demo bench docs tables data fuzz mutate clean

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
mutate: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,mutate]'
	nice -n 10 $(VENV)/bin/mutmut run --max-children $${MUTATE_JOBS:-1}
	$(VENV)/bin/mutmut results

docs: $(STAMP)
	$(PY) -m rulebook.docs write

# The HCL parser's LALR tables shipped in the package; rerun after upgrading lark or python-hcl2.
tables: $(STAMP)
	PYTHONHASHSEED=0 $(PY) -c 'from hcl_scanner import tables; tables.write()'

clean:
	rm -rf $(VENV) .pytest_cache .cicd-guard-cache mutants
