/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * image — a signed, content-addressed system image (docs/images.md), as
 * `mix cordon.build` makes it: IMAGE/manifest, IMAGE/manifest.sig (Ed25519,
 * hex) and IMAGE/objects/SHA256.
 *
 * Usage:
 *
 *   struct image_tree t;
 *   char why[1024];
 *   if (image_stage("img", "keys/signing.pub", &t, why, sizeof(why)) < 0)
 *           fail(why);                 // nothing was laid out
 *   ... sdf_load(t.system, ...), run it from t.root ...
 *   image_unstage(&t);                 // removes the tree
 *
 * image_stage checks the signature of the manifest with the public key
 * before it reads anything else, then copies every file the manifest lists
 * out of objects/ into a fresh private directory, hashing the bytes it
 * copies: what runs is exactly what was hashed, whatever happens to the
 * image meanwhile.  Every failure names the file and leaves nothing behind.
 */
#ifndef CORDON_IMAGE_H
#define CORDON_IMAGE_H

#include <limits.h>
#include <stddef.h>

struct image_tree {
	char root[PATH_MAX];   /* the laid-out tree, a fresh directory */
	char system[PATH_MAX]; /* its system description */
};

/* Verifies image (a directory) with the Ed25519 public key in the file
 * pubkey (64 hex digits) and lays its files out in a new directory under
 * $TMPDIR (default /tmp).  0, or -1 with why set. */
int image_stage(const char *image, const char *pubkey, struct image_tree *t, char *why,
                size_t whylen);

/* Removes the tree image_stage laid out; safe on a zeroed tree. */
void image_unstage(struct image_tree *t);

/* Only for the unit tests: check one manifest line's path (relative, no
 * "." or ".." component, letters, digits and ._+@- only).  1 valid, 0 not. */
int image_path_ok(const char *path);

#endif
