# SPDX-License-Identifier: BSD-2-Clause
# tests/image/: the image unit test (image/): hostile manifests, signed
# with a key the test makes, are refused; a good one is laid out.
$(B)/tests/unit/image: $(B)/obj/host/tests/image/unit.o $(IMAGE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ $(IMAGE_LIBS) $(shell pkg-config --libs cmocka)

tests: $(B)/tests/unit/image
