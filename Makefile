# SPDX-License-Identifier: GPL-2.0
#
# roulette-dkms: build the modules, check them, test them in QEMU guests,
# and build the packages. `make help` lists the targets.

KVER ?= $(KERNELRELEASE)
ifeq ($(KVER),)
KVER := $(shell uname -r)
endif
KDIR ?= /lib/modules/$(KVER)/build
SRC := $(CURDIR)/src

.PHONY: all modules clean check test test-all demo deb rpm repo systest \
	test-debug stress bench qa help harness-test checks

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(SRC) modules

clean:
	$(MAKE) -C $(KDIR) M=$(SRC) clean 2>/dev/null || \
		rm -rf $(SRC)/*.o $(SRC)/*.ko $(SRC)/*.mod* $(SRC)/.*.cmd \
			$(SRC)/Module.symvers $(SRC)/modules.order $(SRC)/.tmp_versions
	# out/repo-key is kept: the repository key users trust (see README)
	[ ! -d out ] || find out -mindepth 1 -maxdepth 1 ! -name repo-key -exec rm -rf {} +

help:
	@echo 'make [KVER=release | KDIR=dir]  build hello.ko mymod.ko roulette.ko'
	@echo 'make check      checkpatch, sparse + W=1 builds for every Debian flavour, shellcheck'
	@echo 'make checks     tests/checks/: the manifest of every check, from the last full run (out/results)'
	@echo 'make harness-test  tests of the verdict and bench statistics on recorded data, no QEMU (make check runs them)'
	@echo 'make test       guest tests: boot Debian kernels in QEMU and test the modules'
	@echo 'make demo       boot a guest and show hello, a few timer ticks, a roulette spin'
	@echo 'make deb|rpm|repo  packages and a local apt + dnf repository in out/'
	@echo 'make systest    package life cycle in booted Debian 12 and 13 systems, release upgrade 12 -> 13'
	@echo 'make test-all   check + test + systest, one closing count (the CI command)'
	@echo 'make test-debug guest tests on a KASAN/lockdep/kmemleak kernel'
	@echo 'make stress     parallel readers, sysfs flips, load/unload loops, fuzzing'
	@echo 'make qa         piuparts (the qa runs of tests/piuparts.conf) and autopkgtest on sid: Debian QA beyond test-all'
	@echo 'make bench      benchmarks, written to bench/results.md and bench/plots/'

check:
	scripts/check.sh

test:
	scripts/test.sh

harness-test:
	scripts/harness-test.sh

# The manifest (tests/checks/STAGE.txt) from the last full run's results.
checks:
	/usr/bin/python3 -B scripts/verdict.py checks $${ROULETTE_OUT:-out}/results $${ROULETTE_STAGES:-check test systest}

demo:
	scripts/demo.sh

test-all:
	scripts/test-all.sh

deb:
	scripts/build-deb.sh

rpm:
	scripts/build-rpm.sh

repo:
	scripts/build-repo.sh

systest:
	scripts/systest.sh

test-debug:
	scripts/test-debug.sh

stress:
	scripts/stress.sh

qa:
	scripts/qa.sh

bench:
	bench/run.sh
