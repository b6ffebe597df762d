# Convenience targets; the scripts do the work.
PREFIX ?= /usr/local

.PHONY: all lib install demo test
all:
	bash scripts/setup.sh
lib:
	bash scripts/build-lib.sh
install:
	bash scripts/install-lib.sh $(PREFIX)
demo:
	bash scripts/demo.sh
test:
	bash scripts/test.sh
