# mimoto-gov: every target creates .venv with pip on its own.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help demo clean-demo doctor test test-fast lint format lab review clean-reports system-deps

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

system-deps: ## Install the system packages: pango (PDF rendering), Chromium (the browser test)
	@if ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0' \
		|| ! ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset'; then \
		echo "installing pango and harfbuzz-subset for PDF rendering"; \
		(apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0) >/dev/null \
			|| echo "warning: could not install pango/harfbuzz-subset with apt-get; PDF rendering needs them"; \
	fi
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
		echo "installing chromium and chromium-driver for the browser test"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >/dev/null \
			|| echo "warning: could not install chromium with apt-get; the browser test needs it"; \
	fi

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
		git config filter.nbstripout.clean "$(abspath $(BIN))/python -m nbstripout"; \
		git config filter.nbstripout.smudge cat; \
		git config filter.nbstripout.required true; \
		git config filter.nbstripout.extrakeys "metadata.papermill cell.metadata.papermill cell.metadata.execution"; \
		git config diff.ipynb.textconv "$(abspath $(BIN))/python -m nbstripout -t"; \
	fi
	@touch $(STAMP)

demo: $(STAMP) ## Every job on the built-in sandboxes, written only under demo/ (HTML + PDF)
	$(BIN)/mimoto-gov demo

clean-demo: ## Remove demo/ (the demo's made-up data and reports); nothing else is touched
	@if [ -d demo ]; then rm -rf demo && echo "removed demo/"; else echo "no demo/ to remove"; fi

doctor: $(STAMP) ## Check what a real review needs (.env, Zammad token, policy files, key...)
	$(BIN)/mimoto-gov doctor

test: $(STAMP) ## Run the whole test suite (unit, sandbox HTTP, notebooks)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP) ## Run the tests that are not marked slow
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP) ## ruff, the import contracts (layers, no cycles), stripped notebooks
	$(BIN)/ruff check mimoto_gov tests benchmarks
	$(BIN)/ruff format --check mimoto_gov tests benchmarks
	$(BIN)/lint-imports --no-cache
	$(BIN)/nbstripout --verify notebooks/*.ipynb

format: $(STAMP) ## Format the code and strip notebook outputs
	$(BIN)/ruff format mimoto_gov tests benchmarks
	$(BIN)/ruff check --fix mimoto_gov tests benchmarks
	$(BIN)/nbstripout notebooks/*.ipynb

lab: $(STAMP) ## Open JupyterLab on the project's kernel (notebooks/)
	$(BIN)/jupyter lab --notebook-dir=. notebooks/

review: $(STAMP) ## Render last month's retention review from the current snapshot
	$(BIN)/mimoto-gov review

# Reports hold personal data and evidence (certificates of erasure, answered requests), so
# they go by their retention periods (data/policy/own-copies.yml), never all at once.
clean-reports: $(STAMP) ## List the reports past their retention period; EXECUTE=1 deletes them
	$(BIN)/mimoto-gov tidy $(if $(EXECUTE),--execute,)
