/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * image/ unit test: images made here, signed with a key made here, with
 * one thing wrong each; every one must be refused with the reason named,
 * leaving nothing behind, and the good one laid out byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "image/image.h"
#include "ipc/abi.h"

static char dir[] = "/tmp/cordon-image-test-XXXXXX";
static char img[256], tmpdir[256], pub[256];
static EVP_PKEY *key;

static const char content[] = "hello, image\n";
static char hash[65]; /* its SHA-256, hex */

static void hex(const unsigned char *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
}

static void put(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Writes IMAGE/manifest (body after a header naming `system`), signs it. */
static void make_image(const char *header_abi, const char *body)
{
	char path[512], m[4096], sig[129];
	unsigned char raw[64];
	size_t siglen = sizeof(raw);
	int n;

	n = snprintf(m, sizeof(m),
	             "cordon-image 1\nsystem s.system\nabi %s\notp %s\nelixir 1.14.0\n%s",
	             header_abi, "25", body);
	assert_true(n > 0 && (size_t)n < sizeof(m));
	snprintf(path, sizeof(path), "%s/manifest", img);
	put(path, m, (size_t)n);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, NULL, NULL, key), 1);
	assert_int_equal(EVP_DigestSign(ctx, raw, &siglen, (unsigned char *)m, (size_t)n), 1);
	EVP_MD_CTX_free(ctx);
	hex(raw, 64, sig);
	sig[128] = '\n';
	snprintf(path, sizeof(path), "%s/manifest.sig", img);
	put(path, sig, sizeof(sig));
}

static int setup(void **state)
{
	char path[512], k[65];
	unsigned char raw[32], md[32];
	size_t len = sizeof(raw);
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(img, sizeof(img), "%s/img", dir);
	snprintf(tmpdir, sizeof(tmpdir), "%s/tmp", dir);
	assert_int_equal(mkdir(img, 0755), 0);
	assert_int_equal(mkdir(tmpdir, 0755), 0);
	snprintf(path, sizeof(path), "%s/objects", img);
	assert_int_equal(mkdir(path, 0755), 0);
	setenv("TMPDIR", tmpdir, 1);

	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	assert_int_equal(EVP_PKEY_keygen_init(kc), 1);
	assert_int_equal(EVP_PKEY_keygen(kc, &key), 1);
	EVP_PKEY_CTX_free(kc);
	assert_int_equal(EVP_PKEY_get_raw_public_key(key, raw, &len), 1);
	hex(raw, 32, k);
	k[64] = '\n';
	snprintf(pub, sizeof(pub), "%s/key.pub", dir);
	put(pub, k, sizeof(k));

	EVP_Digest(content, strlen(content), md, NULL, EVP_sha256(), NULL);
	hex(md, 32, hash);
	snprintf(path, sizeof(path), "%s/objects/%s", img, hash);
	put(path, content, strlen(content));
	return 0;
}

static int teardown(void **state)
{
	char cmd[512];
	(void)state;
	EVP_PKEY_free(key);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void tmp_is_empty(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", tmpdir);
	assert_int_equal(system(cmd), 0);
}

/* make_image(body) with this ABI, then image_stage must fail saying `want`. */
static void refused(const char *abi, const char *body, const char *want)
{
	struct image_tree t;
	char why[2048];

	make_image(abi, body);
	assert_int_equal(image_stage(img, pub, &t, why, sizeof(why)), -1);
	if (!strstr(why, want))
		fail_msg("expected \"%s\" in \"%s\"", want, why);
	assert_string_equal(t.root, "");
	tmp_is_empty();
}

static char *line(const char *size, const char *mode, const char *path)
{
	static char buf[1024];
	snprintf(buf, sizeof(buf), "file %s %s %s %s\n", hash, size, mode, path);
	return buf;
}

static const char *abi_now(void)
{
	static char s[16];
	snprintf(s, sizeof(s), "%u", IPC_VERSION);
	return s;
}

static void good_image_is_laid_out(void **state)
{
	struct image_tree t;
	char why[2048], body[2048], path[PATH_MAX + 32], got[64] = {0};
	struct stat st;
	(void)state;

	snprintf(body, sizeof(body), "%s", line("13", "755", "a/b/run.elf"));
	strcat(body, line("13", "644", "s.system"));
	make_image(abi_now(), body);
	if (image_stage(img, pub, &t, why, sizeof(why)) != 0)
		fail_msg("%s", why);
	snprintf(path, sizeof(path), "%s/a/b/run.elf", t.root);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	FILE *f = fopen(path, "re");
	assert_non_null(f);
	assert_int_equal(fread(got, 1, sizeof(got) - 1, f), strlen(content));
	fclose(f);
	assert_string_equal(got, content);
	assert_non_null(strstr(t.system, "/s.system"));
	image_unstage(&t);
	tmp_is_empty();
}

static void hostile_paths_are_refused(void **state)
{
	static const char *const bad[] = {"../x", "/etc/x", "a/../../x", "./x", "a//b",
	                                  "a/",   "",       "a b",       "a/.", "a\\b"};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(image_path_ok(bad[i]), 0);
	assert_int_equal(image_path_ok("apps/demo/cordon-0.1.0/ebin/Elixir.Cordon.beam"), 1);
	assert_int_equal(image_path_ok("a/.hidden/..x"), 1);

	refused(abi_now(), line("13", "644", "../escape"), "bad path '../escape'");
	refused(abi_now(), line("13", "644", "/etc/passwd"), "bad path");
}

static void wrong_content_is_refused(void **state)
{
	char body[2048];
	(void)state;
	refused(abi_now(), line("12", "644", "s.system"),
	        "s.system: longer than the manifest says");
	refused(abi_now(), line("14", "644", "s.system"),
	        "s.system: shorter than the manifest says");
	snprintf(body, sizeof(body), "file %064d 13 644 s.system\n", 0);
	refused(abi_now(), body, "s.system: its content (objects/0000");
}

static void bad_manifests_are_refused(void **state)
{
	char body[2048];
	(void)state;
	snprintf(body, sizeof(body), "%s%s", line("13", "644", "s.system"),
	         line("13", "644", "s.system"));
	refused(abi_now(), body, "'s.system' is out of order or listed twice");
	snprintf(body, sizeof(body), "%s%s", line("13", "644", "z"), line("13", "644", "s.system"));
	refused(abi_now(), body, "out of order");
	refused(abi_now(), line("13", "600", "s.system"),
	        "expected \"file SHA256 SIZE 644|755 PATH\"");
	refused(abi_now(), line("13", "644", "other"), "lists no file s.system");
	refused("999", line("13", "644", "s.system"), "built for Cordon ABI 999");
}

static void signature_and_key_are_checked(void **state)
{
	struct image_tree t;
	char why[2048], path[512];
	(void)state;

	make_image(abi_now(), line("13", "644", "s.system"));
	/* one byte of the signed manifest changed */
	snprintf(path, sizeof(path), "%s/manifest", img);
	FILE *f = fopen(path, "r+e");
	assert_non_null(f);
	fseek(f, 5, SEEK_SET);
	fputc('X', f);
	fclose(f);
	assert_int_equal(image_stage(img, pub, &t, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "the signature does not verify"));

	snprintf(path, sizeof(path), "%s/bad.pub", dir);
	put(path, "zz\n", 3);
	make_image(abi_now(), line("13", "644", "s.system"));
	assert_int_equal(image_stage(img, path, &t, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not an Ed25519 public key"));

	snprintf(path, sizeof(path), "%s/manifest.sig", img);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(image_stage(img, pub, &t, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "refusing an unsigned image"));
	tmp_is_empty();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(good_image_is_laid_out),
	    cmocka_unit_test(hostile_paths_are_refused),
	    cmocka_unit_test(wrong_content_is_refused),
	    cmocka_unit_test(bad_manifests_are_refused),
	    cmocka_unit_test(signature_and_key_are_checked),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
