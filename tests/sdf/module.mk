# SPDX-License-Identifier: BSD-2-Clause
# tests/sdf/: program images for the fixtures, a sdf-only `check` driver and
# the sdf unit test.  Fixture images are built without sanitizers: they are
# only inspected, never run.
SDF_T := $(B)/tests/sdf

$(SDF_T)/pd.elf: tests/sdf/pd.c
	@mkdir -p $(dir $@)
	$(CC) -O0 -g -fPIE -pie -o $@ $<

# A fixed-address (ET_EXEC) image: maps must not overlap its segments.
$(SDF_T)/pd-fixed.elf: tests/sdf/pd.c
	@mkdir -p $(dir $@)
	$(CC) -O0 -g -fno-PIE -no-pie -o $@ $<

# The same image claiming to be for AArch64 (e_machine is 2 bytes at 18).
$(SDF_T)/pd-aarch64.elf: $(SDF_T)/pd.elf
	cp $< $@.tmp && printf '\267\000' | dd of=$@.tmp bs=1 seek=18 conv=notrunc status=none
	mv $@.tmp $@

$(SDF_T)/pd-noexec.elf: $(SDF_T)/pd.elf
	cp $< $@ && chmod 0644 $@

$(SDF_T)/pd-object.elf: tests/sdf/pd.c
	@mkdir -p $(dir $@)
	$(CC) -O0 -c -o $@ $< && chmod 0755 $@

$(SDF_T)/not-elf.elf: tests/sdf/pd.c
	@mkdir -p $(dir $@)
	cp $< $@ && chmod 0755 $@

SDF_TEST_IMAGES := $(addprefix $(SDF_T)/,pd.elf pd-fixed.elf pd-aarch64.elf pd-noexec.elf \
                     pd-object.elf not-elf.elf)

$(SDF_T)/sdf-check: $(B)/obj/host/tests/sdf/sdf_check.o $(SDF_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ $(SDF_LIBS)

$(B)/tests/unit/sdf: $(B)/obj/host/tests/sdf/unit.o $(SDF_OBJS) | $(SDF_TEST_IMAGES)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ $(SDF_LIBS) $(shell pkg-config --libs cmocka)

$(B)/obj/host/tests/sdf/unit.o: HOST_CFLAGS += -DSDF_TEST_DIR='"$(TOP)/tests/sdf"' \
	-DSDF_IMAGE_DIR='"$(SDF_T)"'

tests: $(SDF_TEST_IMAGES) $(SDF_T)/sdf-check $(B)/tests/unit/sdf
