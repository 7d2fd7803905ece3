.PHONY: test golden example lint bench bench-precheck

test:
	sh scripts/test.sh

example:
	sh scripts/render-example.sh

# The one way to change golden files. Read every diff it shows before committing.
golden:
	rm -rf golden/
	.venv/bin/python -m pytest tests/test_golden.py --regen-all -q
	git add --intent-to-add golden/ && git diff --stat -- golden/

lint:
	.venv/bin/ruff check generator tests benchmarks
	.venv/bin/ruff format --check generator tests benchmarks
	.venv/bin/mypy
	.venv/bin/python scripts/deadcode.py

bench:
	.venv/bin/python benchmarks/bench.py

bench-precheck:
	.venv/bin/python benchmarks/precheck_scale.py
