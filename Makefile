# The two commands: `make book` and `make test`. Everything else is optional.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-requirements

# One BLAS thread per process: threaded BLAS on 2 cores makes semopy 6-40x slower.
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help setup book book-en locale pdf epub test data bench district assignments grade release clean

ASSIGNMENT ?=
SUBMISSIONS ?=

help:
	@echo "make book   build the site into _build/html, English and Chinese (_build/html/zh); every notebook executed, warnings are errors"
	@echo "make book-en  build the English edition only"
	@echo "make locale   after an English edit: update the translation catalogs in locale/ (then translate what is new)"
	@echo "make pdf    print the whole book to _build/pdf/chaoyang-residents.pdf (Chromium, offline) and copy it into the site"
	@echo "make epub   build _build/epub/chaoyang-residents.epub, check it with epubcheck and copy it into the site"
	@echo "make test   run the whole test suite"
	@echo "make data   regenerate datasets/ from the planted truth"
	@echo "make bench  run the benchmarks in benchmarks/"
	@echo "make assignments [SECRET_FILE=path] [BLIND_SET=folder] [LANG_ASSIGN=zh_CN]   otter assign every exercise into _build/assignments/ (student + course variant data + autograder zip with the kit's wheel + LMS zip) and write the grader's code manifest"
	@echo "make grade ASSIGNMENT=<name> SUBMISSIONS=<folder|zip>   grade submissions in a sandbox into a new dated run in _build/grades/<name>/"
	@echo "make district   run all of Chaoyang at 1:1 and store the comparison (benchmarks/results/district.json)"
	@echo "make release   wheel + sdist (dist/), site, PDF, assignment bundle, then check version/changelog/citation agree"

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip check
	@touch $(STAMP)

# Both editions from the same sources (book/_ext/build_editions.py): English into _build/html, Chinese into
# _build/html/zh (its notebooks run with CHAOYANG_LANG=zh_CN, cached apart, so figures are drawn in Chinese).
# `make book-en` builds the English edition alone.
book: book-en
	$(BIN)/python book/_ext/build_editions.py html --lang zh_CN
	@echo "The site is in _build/html: open _build/html/index.html (中文版: _build/html/zh/index.html)"

book-en: $(STAMP)
	$(BIN)/python book/_ext/build_editions.py html --lang en

# After editing English text: extract the messages again and merge them into locale/zh_CN/LC_MESSAGES — the pages
# (Sphinx gettext + sphinx-intl) and the quizzes, course plans, assignments and feedback texts
# (chaoyang.teaching.catalogs). New and changed messages arrive untranslated or fuzzy; tests/test_i18n.py and
# tests/test_teaching_i18n.py fail until they are translated.
locale: $(STAMP)
	$(BIN)/python book/_ext/build_editions.py locale
	$(BIN)/python -m chaoyang.teaching.catalogs update

# The PDF and EPUB are made from the built site's sources after `make book` (which executes the
# notebooks into _build/.jupyter_cache; these builds reuse it) and copied into the site's downloads/
# folder, where book/download.md links to them.
PDF := _build/pdf/chaoyang-residents.pdf
EPUB := _build/epub/chaoyang-residents.epub
DOWNLOADS := _build/html/downloads

pdf: book
	$(BIN)/jupyter-book build . --builder singlehtml --warningiserror --keep-going
	$(BIN)/python book/_ext/book_pdf.py _build/singlehtml $(PDF) --copy-to $(DOWNLOADS)

epub: book
	$(BIN)/jupyter-book build . --builder custom --custom-builder epub --warningiserror --keep-going
	$(BIN)/python book/_ext/book_epub.py check $(EPUB)
	mkdir -p $(DOWNLOADS) && cp $(EPUB) $(DOWNLOADS)/
	@echo "The EPUB is $(EPUB) (also in $(DOWNLOADS))"

AXE := node_modules/axe-core/axe.min.js

$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $(AXE); \
	else echo "npm not found: the axe-core accessibility checks will be skipped (apt-get install -y npm)"; fi

# The chapters in notebooks/ are executed once, by the book build inside the tests (tests/_book.py,
# warnings as errors); nbmake runs the assignment masters in exercises/, which the book does not hold.
test: $(STAMP) $(AXE)
	$(BIN)/python -m pytest -n 2 --dist loadgroup --nbmake --nbmake-timeout=900 tests exercises

data: $(STAMP)
	$(BIN)/python -m chaoyang.data

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

# All of Chaoyang at 1:1 (3.45 million residents x 365 days; minutes, about 3 GB) and its comparison
# with the chapter's sample, stored for the book's scale page (benchmarks/results/district.json).
district: $(STAMP)
	$(BIN)/python -c "import sys; from chaoyang.sim.district import main; main(sys.argv[1:])" --out benchmarks/results/district.json

# With a course secret (CHAOYANG_COURSE_SECRET or SECRET_FILE=path outside the repository) the student folders get
# the course variant's data/; without one, students' notebooks use the public practice variant. BLIND_SET=<folder
# outside the repository> (or CHAOYANG_BLIND_SET) gives a1 the instructor's private blind passages, whose coding the
# public kit does not hold (python -m chaoyang.teaching.blindset template <folder> shows the format).
# LANG_ASSIGN=zh_CN builds the student notebooks in Chinese into _build/assignments_zh_CN (and, for make grade,
# writes Chinese feedback pages). LANG itself is the shell's locale variable, hence the longer name.
assignments: $(STAMP)
	$(BIN)/python -m chaoyang.teaching.assignments build $(if $(SECRET_FILE),--secret-file $(SECRET_FILE)) $(if $(BLIND_SET),--blind-set $(BLIND_SET)) $(if $(LANG_ASSIGN),--lang $(LANG_ASSIGN))
	$(BIN)/python -m chaoyang.teaching.grading write-manifest

# Each notebook runs in a bubblewrap sandbox (Debian: apt-get install bubblewrap); without one, grading
# warns and marks every run "not isolated". Optional: LAYOUT=folder|canvas|moodle SECRET_FILE=<file outside
# the repository> DEADLINE=2027-03-01T23:59+08:00 ISOLATION=bwrap|none TIMEOUT=<s per notebook> MEMORY_MB=<MB>
# BLIND_SET=<the private blind set a1 was built with>.
GRADE_FLAGS = $(if $(LAYOUT),--layout $(LAYOUT)) $(if $(SECRET_FILE),--secret-file $(SECRET_FILE)) \
	$(if $(DEADLINE),--deadline $(DEADLINE)) $(if $(ISOLATION),--isolation $(ISOLATION)) \
	$(if $(TIMEOUT),--timeout $(TIMEOUT)) $(if $(MEMORY_MB),--memory-mb $(MEMORY_MB)) \
	$(if $(BLIND_SET),--blind-set $(BLIND_SET)) $(if $(LANG_ASSIGN),--lang $(LANG_ASSIGN))
grade: $(STAMP)
	@test -n "$(ASSIGNMENT)" -a -n "$(SUBMISSIONS)" || { echo "usage: make grade ASSIGNMENT=<name> SUBMISSIONS=<folder or Canvas zip> [LAYOUT=...] [SECRET_FILE=...] [DEADLINE=...] [ISOLATION=bwrap|none] [BLIND_SET=...]"; exit 2; }
	$(BIN)/python -m chaoyang.teaching.grading $(ASSIGNMENT) $(SUBMISSIONS) $(GRADE_FLAGS)

# The release procedure is in CONTRIBUTING.md. Everything is rebuilt from scratch so the files published
# are the files checked; tests/test_release.py then reuses them (no second build).
release: $(STAMP) $(AXE)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/python book/_ext/build_editions.py html --lang en
	$(BIN)/python book/_ext/build_editions.py html --lang zh_CN
	$(MAKE) pdf epub
	$(MAKE) assignments
	CHAOYANG_BUILT_SITE=_build/html CHAOYANG_DIST=dist $(BIN)/python -m pytest -q tests/test_release.py tests/test_wheel.py
	@echo "Release $$($(BIN)/python -c 'import chaoyang; print(chaoyang.__version__)') is ready: dist/, _build/html, _build/assignments, the PDF and the EPUB."

clean:
	rm -rf _build node_modules dist

# Issue #14: feedback pages and written answers (chaoyang.teaching.feedback / .written).
RUN ?=
SCORES ?=
.PHONY: feedback written
feedback: $(STAMP)
	@test -n "$(ASSIGNMENT)" || { echo "usage: make feedback ASSIGNMENT=<name> [RUN=<run folder>]"; exit 2; }
	$(BIN)/python -m chaoyang.teaching.feedback $(ASSIGNMENT) $(if $(RUN),--run $(RUN))

written: $(STAMP)
	@test -n "$(ASSIGNMENT)$(SCORES)" || { echo "usage: make written ASSIGNMENT=<name> SUBMISSIONS=<folder or zip>   (export)"; \
	  echo "       make written SCORES=<.../for_graders/rubric_scores.csv> [RUN=<run folder>]   (merge)"; exit 2; }
	$(if $(SCORES),$(BIN)/python -m chaoyang.teaching.written merge $(SCORES) $(if $(RUN),--run $(RUN)),$(BIN)/python -m chaoyang.teaching.written export $(ASSIGNMENT) $(SUBMISSIONS))
