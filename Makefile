# The project's commands. Odoo 18 must be installed: see README.md.
.PHONY: run test check-uninstall check-upgrade lint bench

## run: demo database with the three addons, served on http://localhost:8069
run:
	bash tools/run.sh

## test: fresh database, the three addons installed, every test (tours included)
test:
	bash tools/test.sh

## check-uninstall: install, uninstall and reinstall the addons on a scratch
## database (UNINSTALL_DB): no customer data may go with them (also run by test)
check-uninstall:
	bash tools/check_uninstall.sh

## check-upgrade: install the previous release (UPGRADE_FROM) on a scratch
## database (UPGRADE_DB), update it with this tree: clean log, nothing lost
## or left over (also run by test)
check-upgrade:
	bash tools/check_upgrade.sh

## lint: OCA's pre-commit hooks: README.rst from readme/ (oca-gen-addon-readme),
## oca-checks-odoo-module, oca-checks-po, ruff, ruff-format, pylint-odoo,
## prettier and eslint (README.md, Development)
lint:
	pre-commit run --all-files

## bench: benchmarks of tests/bench (figures printed; see README.md)
bench:
	bash tools/bench.sh
