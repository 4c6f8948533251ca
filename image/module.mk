# SPDX-License-Identifier: BSD-2-Clause
# image/: signed system images (verify, lay out); OpenSSL's libcrypto for
# Ed25519 and SHA-256.
IMAGE_OBJS := $(B)/obj/host/image/image.o
IMAGE_LIBS := $(shell pkg-config --libs libcrypto 2>/dev/null)
