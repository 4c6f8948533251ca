# SPDX-License-Identifier: BSD-2-Clause
# tests/sandbox: the sandbox unit test and the probes it runs inside PDs.
# Probes are plain libc programs built without sanitizers (a PD cannot load
# their runtime); the unit test itself is a host program (ASan under
# SANITIZE=1), like the monitor that calls the sandbox.
SB_T := $(B)/tests/sandbox
SB_PROBE_CFLAGS = $(BASE_CFLAGS) -Wno-unused-result

$(SB_T)/probe: tests/sandbox/probe.c
	@mkdir -p $(dir $@)
	$(CC) $(SB_PROBE_CFLAGS) -o $@ $<

# Its interpreter does not exist.
$(SB_T)/probe-badinterp: tests/sandbox/probe.c
	@mkdir -p $(dir $@)
	$(CC) $(SB_PROBE_CFLAGS) -Wl,--dynamic-linker=/nonexistent/ld.so -o $@ $<

# Its interpreter is not an ELF file: the kernel refuses it at exec.
$(SB_T)/probe-interp-not-elf: tests/sandbox/probe.c $(SB_T)/not-elf
	@mkdir -p $(dir $@)
	$(CC) $(SB_PROBE_CFLAGS) -Wl,--dynamic-linker=$(SB_T)/not-elf -o $@ $<

# Not executable (mode 0644): the exec in the child fails.
$(SB_T)/probe-noexec: $(SB_T)/probe
	cp $< $@ && chmod 0644 $@

# The test holds it open for writing: exec fails with ETXTBSY.
$(SB_T)/probe-busy: $(SB_T)/probe
	cp $< $@

# Claims to be for AArch64 (e_machine is 2 bytes at 18): the exec fails.
$(SB_T)/probe-aarch64: $(SB_T)/probe
	cp $< $@.tmp && printf '\267\000' | dd of=$@.tmp bs=1 seek=18 conv=notrunc status=none
	mv $@.tmp $@

$(SB_T)/not-elf: tests/sandbox/not-elf.txt
	@mkdir -p $(dir $@)
	cp $< $@ && chmod 0755 $@

# A library found through DT_RUNPATH $ORIGIN/lib, and a copy of its user
# where $ORIGIN/lib does not exist.
$(SB_T)/origin/lib/libsbtest.so: tests/sandbox/libsbtest.c
	@mkdir -p $(dir $@)
	$(CC) $(SB_PROBE_CFLAGS) -fPIC -shared -Wl,-soname,libsbtest.so -o $@ $<

$(SB_T)/origin/origin: tests/sandbox/origin.c $(SB_T)/origin/lib/libsbtest.so
	$(CC) $(SB_PROBE_CFLAGS) -o $@ $< -L$(SB_T)/origin/lib -lsbtest \
		-Wl,--enable-new-dtags,-rpath,'$$ORIGIN/lib'

$(SB_T)/origin-nolib: $(SB_T)/origin/origin
	cp $< $@

SB_PROBES := $(addprefix $(SB_T)/,probe probe-badinterp probe-interp-not-elf probe-noexec probe-busy probe-aarch64 not-elf \
               origin/origin origin-nolib)

$(B)/obj/host/tests/sandbox/unit.o: HOST_CFLAGS += -DSB_DIR='"$(SB_T)"' \
	$(shell pkg-config --cflags cmocka libseccomp libelf)

$(B)/tests/unit/sandbox: $(B)/obj/host/tests/sandbox/unit.o $(SANDBOX_OBJS) | $(SB_PROBES)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $(filter %.o,$^) $(SANDBOX_LIBS) $(shell pkg-config --libs cmocka)

tests: $(B)/tests/unit/sandbox $(SB_PROBES)
