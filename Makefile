# Two commands on a fresh machine with Python 3.11+ and make: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INDEX ?= .berita-index
QUERY ?= Kim Jong Un
NODES ?= 1

.PHONY: demo test check typecheck serve lint format bench bench-million relevance clean opensearch opensearch-stop opensearch-build

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/berita-search index --index $(INDEX) sample/
	$(BIN)/berita-search query --index $(INDEX) "$(QUERY)"

serve: $(VENV)/.installed
	$(BIN)/berita-search index --index $(INDEX) sample/
	$(BIN)/berita-search serve --index $(INDEX)

test: $(VENV)/.test-installed
	bash tests/ensure-chromium.sh
	$(PYTHON) opensearch/cluster.py build
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) typecheck
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# The edit loop: lint and the fast tests (no browser, OpenSearch, fault or whole-corpus tests),
# in two processes: about two minutes on two cores, three and a half in one.
check: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) typecheck
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup -m "not slow and not faults and not browser and not opensearch"

# mypy over the three folders under their import names (pyproject.toml [tool.mypy]): it cannot
# follow setuptools' package-dir mapping, so build/typecheck links them as berita_search.*.
typecheck: $(VENV)/.test-installed
	mkdir -p build/typecheck/berita_search
	for part in index search web; do ln -sfn ../../../$$part build/typecheck/berita_search/$$part; done
	$(BIN)/mypy -p berita_search.index -p berita_search.search -p berita_search.web

lint: $(VENV)/.test-installed
	$(BIN)/ruff check --fix .

format: $(VENV)/.test-installed
	$(BIN)/ruff format .

# The speed suite: clickid and a 200,000-article scale corpus, with plain Whoosh, Tantivy,
# SQLite FTS5 and bm25s in the same run (about 50 minutes on two cores, most of it indexing the scale
# corpus). The million-article run is separate and long: make bench-million (the product alone;
# the scale corpus, about 2 GB of JSONL, is written first; on two cores its indexing alone takes
# about two and a half hours: the last index of a million took 104 minutes to 618,000 articles
# and 52 more for the last 376,000, at about 120 articles/s; see the README).
bench: $(VENV)/.test-installed
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/python -m bench

bench-million: $(VENV)/.test-installed
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/python -m bench --scale 1000000 --no-opensearch

relevance: $(VENV)/.test-installed
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/python -m bench.relevance

# A development OpenSearch cluster on loopback (NODES=1 or 3): builds the launcher from Maven
# Central jars if needed, starts the nodes in the background and prints the URL last once green.
opensearch:
	$(PYTHON) opensearch/cluster.py start --nodes $(NODES)

opensearch-stop:
	$(PYTHON) opensearch/cluster.py stop

opensearch-build:
	$(PYTHON) opensearch/cluster.py build

clean:
	rm -rf $(VENV) $(INDEX) test-artifacts opensearch/target
