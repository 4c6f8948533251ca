/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Verifying and laying out a system image (image.h, docs/images.md).
 *
 * Order matters: the signature is checked over the manifest's bytes before
 * a single line of it is believed, and each file's hash is computed over
 * the bytes written into the new tree, not over the object in the image,
 * which its owner could change between a check and a use.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "image/image.h"
#include "ipc/abi.h"
#include "sdf/sdf.h"

#define MANIFEST_MAX (16u << 20) /* a manifest line per file: ample */
#define FILE_MAX     (1ull << 32)
#define HASH_LEN     32
#define KEY_LEN      32
#define SIG_LEN      64

static void say(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* Reads at most max bytes of path into a NUL-terminated buffer.  A file
 * of more than max bytes is an error, not a silent truncation. */
static int slurp(const char *path, size_t max, char **out, size_t *len)
{
	int fd = -1, rc = -1;
	char *buf = NULL;
	size_t n = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		goto out;
	buf = malloc(max + 2);
	if (!buf)
		goto out;
	for (;;) {
		ssize_t r = read(fd, buf + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			errno = EFBIG;
			goto out;
		}
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int unhex(const char *s, size_t slen, unsigned char *out, size_t n)
{
	if (slen != 2 * n)
		return -1;
	for (size_t i = 0; i < 2 * n; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                               : -1;
		if (v < 0)
			return -1;
		if (i % 2 == 0)
			out[i / 2] = (unsigned char)(v << 4);
		else
			out[i / 2] |= (unsigned char)v;
	}
	return 0;
}

static void tohex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* A file of 2n hex digits, then at most one newline. */
static int read_hex_file(const char *path, unsigned char *out, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	int rc = -1;

	if (slurp(path, 4 * n, &text, &len) < 0)
		return -1;
	if (len && text[len - 1] == '\n')
		len--;
	rc = unhex(text, len, out, n);
	if (rc < 0)
		errno = EINVAL;
	free(text);
	return rc;
}

static int verify_sig(const unsigned char key[KEY_LEN], const unsigned char sig[SIG_LEN],
                      const char *msg, size_t len)
{
	EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key, KEY_LEN);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = -1;

	if (!pkey || !ctx)
		goto out;
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) != 1)
		goto out;
	if (EVP_DigestVerify(ctx, sig, SIG_LEN, (const unsigned char *)msg, len) == 1)
		rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return rc;
}

int image_path_ok(const char *path)
{
	static const char ok[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+@-";
	const char *p = path;

	if (!*p || strlen(p) >= PATH_MAX / 2)
		return 0;
	for (;;) {
		size_t n = strspn(p, ok);
		/* each component: non-empty, not "." nor "..", followed by '/' or the end */
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (p[n] == '\0')
			return 1;
		if (p[n] != '/')
			return 0;
		p += n + 1;
	}
}

/* mkdir -p of path's parent directories, below root (which exists). */
static int make_parents(const char *root, const char *rel)
{
	char dir[PATH_MAX];
	int n = snprintf(dir, sizeof(dir), "%s/%s", root, rel);
	if (n < 0 || (size_t)n >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *s = dir + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return 0;
}

/* Copies objects/HASH to root/rel with the given mode, hashing what it
 * writes; 0 when the bytes are size long and hash to want. */
static int copy_object(const char *image, const char *root, const char *rel, const char *hashhex,
                       unsigned long long size, mode_t mode, char *why, size_t whylen)
{
	char src[PATH_MAX], dst[PATH_MAX], got[2 * HASH_LEN + 1];
	unsigned char buf[65536], md[HASH_LEN];
	unsigned int mdlen = 0;
	unsigned long long total = 0;
	int in = -1, out = -1, rc = -1;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if ((size_t)snprintf(src, sizeof(src), "%s/objects/%s", image, hashhex) >= sizeof(src) ||
	    (size_t)snprintf(dst, sizeof(dst), "%s/%s", root, rel) >= sizeof(dst)) {
		say(why, whylen, "%s: path too long", rel);
		goto out;
	}
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		say(why, whylen, "%s: cannot hash: out of memory", rel);
		goto out;
	}
	in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0) {
		say(why, whylen, "%s/%s: its content (objects/%s) %s", image, rel, hashhex,
		    errno == ENOENT ? "is missing" : strerror(errno));
		goto out;
	}
	if (make_parents(root, rel) < 0) {
		say(why, whylen, "%s: cannot make its directory: %s", rel, strerror(errno));
		goto out;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (out < 0) {
		say(why, whylen, "%s: cannot create: %s", dst, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t r = read(in, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			say(why, whylen, "%s: %s", src, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		total += (unsigned long long)r;
		if (total > size) /* stop reading a file grown past the manifest */
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)r);
		for (ssize_t w = 0; w < r;) {
			ssize_t k = write(out, buf + w, (size_t)(r - w));
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				say(why, whylen, "%s: %s", dst, strerror(errno));
				goto out;
			}
			w += k;
		}
	}
	if (total != size) {
		say(why, whylen,
		    "%s/%s: %s than the manifest says (%llu bytes); refusing the image", image, rel,
		    total > size ? "longer" : "shorter", size);
		goto out;
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	tohex(md, HASH_LEN, got);
	if (strcmp(got, hashhex) != 0) {
		say(why, whylen,
		    "%s/%s: its content does not match the manifest (sha256 %s, signed %s); "
		    "refusing the image",
		    image, rel, got, hashhex);
		goto out;
	}
	/* the mode asked for, whatever the umask */
	if (fchmod(out, mode) < 0) {
		say(why, whylen, "%s: %s", dst, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && rc == 0) {
		say(why, whylen, "%s: %s", dst, strerror(errno));
		rc = -1;
	}
	return rc;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void image_unstage(struct image_tree *t)
{
	if (t->root[0])
		nftw(t->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	t->root[0] = t->system[0] = '\0';
}

/* The runtime the image was built for must be this machine's: .beam files
 * of another OTP release may not load. */
static int check_otp(const char *otp, char *why, size_t whylen)
{
	char dir[PATH_MAX];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/releases/%s", SDF_ERLANG_ROOT, otp);
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	say(why, whylen, "the image was built for Erlang/OTP %s, and %s has no %s", otp,
	    SDF_ERLANG_ROOT, dir);
	return -1;
}

/* One header line "KEY VALUE": the value, or NULL. */
static char *header(char **line, const char *key)
{
	size_t n = strlen(key);
	if (!*line || strncmp(*line, key, n) != 0 || (*line)[n] != ' ')
		return NULL;
	char *v = *line + n + 1;
	*line = NULL;
	return v;
}

int image_stage(const char *image, const char *pubkey, struct image_tree *t, char *why,
                size_t whylen)
{
	char path[PATH_MAX], *manifest = NULL, *sigtext = NULL, *save = NULL;
	unsigned char key[KEY_LEN], sig[SIG_LEN];
	const char *sysname = NULL, *tmp = getenv("TMPDIR");
	bool have_system = false;
	size_t len = 0, siglen = 0;
	char prev[PATH_MAX] = "";
	unsigned lineno = 0;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	if (read_hex_file(pubkey, key, KEY_LEN) < 0) {
		say(why, whylen, "%s: %s", pubkey,
		    errno == EINVAL || errno == EFBIG ? "not an Ed25519 public key (64 hex digits)"
		                                      : strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/manifest", image);
	if (slurp(path, MANIFEST_MAX, &manifest, &len) < 0) {
		say(why, whylen, "%s: %s", path,
		    errno == ENOENT ? "missing: not a system image" : strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/manifest.sig", image);
	if (slurp(path, 4 * SIG_LEN, &sigtext, &siglen) < 0) {
		say(why, whylen, "%s: %s; refusing an unsigned image", path,
		    errno == ENOENT ? "missing" : strerror(errno));
		goto out;
	}
	if (siglen && sigtext[siglen - 1] == '\n')
		siglen--;
	if (unhex(sigtext, siglen, sig, SIG_LEN) < 0) {
		say(why, whylen, "%s: not an Ed25519 signature (128 hex digits)", path);
		goto out;
	}
	if (strlen(manifest) != len) {
		say(why, whylen, "%s/manifest: holds a NUL byte", image);
		goto out;
	}
	if (verify_sig(key, sig, manifest, len) < 0) {
		say(why, whylen,
		    "%s/manifest: the signature does not verify with %s (another key signed it, or "
		    "the manifest was changed); refusing the image",
		    image, pubkey);
		goto out;
	}

	snprintf(t->root, sizeof(t->root), "%s/cordon-image-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(t->root)) {
		say(why, whylen, "%s: %s", t->root, strerror(errno));
		t->root[0] = '\0';
		goto out;
	}
	/* PDs run as nobody: they must traverse and read the tree */
	if (chmod(t->root, 0755) < 0) {
		say(why, whylen, "%s: %s", t->root, strerror(errno));
		goto out;
	}

	char *line = strtok_r(manifest, "\n", &save);
	char *v;
	lineno = 1;
#define NEXT() (line = strtok_r(NULL, "\n", &save), lineno++)
	if (!(v = header(&line, "cordon-image")) || strcmp(v, "1") != 0) {
		say(why, whylen, "%s/manifest:1: not a version 1 image (\"cordon-image 1\")",
		    image);
		goto out;
	}
	NEXT();
	if (!(sysname = header(&line, "system")) || !image_path_ok(sysname) ||
	    strchr(sysname, '/')) {
		say(why, whylen, "%s/manifest:%u: expected \"system FILE\"", image, lineno);
		goto out;
	}
	NEXT();
	if (!(v = header(&line, "abi")) || strtoul(v, NULL, 10) != IPC_VERSION) {
		say(why, whylen,
		    "%s/manifest:%u: the image was built for Cordon ABI %s, this is ABI %u", image,
		    lineno, v ? v : "(none)", IPC_VERSION);
		goto out;
	}
	NEXT();
	if (!(v = header(&line, "otp")) || !image_path_ok(v) || strchr(v, '/')) {
		say(why, whylen, "%s/manifest:%u: expected \"otp RELEASE\"", image, lineno);
		goto out;
	}
	if (check_otp(v, why, whylen) < 0)
		goto out;
	NEXT();
	if (!header(&line, "elixir")) {
		say(why, whylen, "%s/manifest:%u: expected \"elixir VERSION\"", image, lineno);
		goto out;
	}
	for (NEXT(); line; NEXT()) {
		char hash[2 * HASH_LEN + 1], perm[4], rel[PATH_MAX / 2];
		unsigned long long size;
		unsigned char raw[HASH_LEN];
		int used = 0;

		if (sscanf(line, "file %64s %llu %3s %n", hash, &size, perm, &used) != 3 || !used ||
		    unhex(hash, strlen(hash), raw, HASH_LEN) < 0 ||
		    strspn(hash, "0123456789abcdef") != 64 || size > FILE_MAX ||
		    (strcmp(perm, "644") && strcmp(perm, "755")) ||
		    strlen(line + used) >= sizeof(rel)) {
			say(why, whylen,
			    "%s/manifest:%u: expected \"file SHA256 SIZE 644|755 PATH\"", image,
			    lineno);
			goto out;
		}
		strcpy(rel, line + used);
		if (!image_path_ok(rel)) {
			say(why, whylen,
			    "%s/manifest:%u: bad path '%s' (relative, no . or .., only letters, "
			    "digits and ._+@-)",
			    image, lineno, rel);
			goto out;
		}
		/* sorted and unique: a path listed twice would be two contents for one file */
		if (strcmp(prev, rel) >= 0) {
			say(why, whylen, "%s/manifest:%u: '%s' is out of order or listed twice",
			    image, lineno, rel);
			goto out;
		}
		snprintf(prev, sizeof(prev), "%s", rel);
		if (copy_object(image, t->root, rel, hash, size, perm[0] == '7' ? 0755 : 0644, why,
		                whylen) < 0)
			goto out;
		if (strcmp(rel, sysname) == 0)
			have_system = true;
	}
#undef NEXT
	if (!have_system) {
		say(why, whylen, "%s/manifest: lists no file %s, its system description", image,
		    sysname);
		goto out;
	}
	snprintf(t->system, sizeof(t->system), "%s/%s", t->root, sysname);
	rc = 0;
out:
	if (rc < 0)
		image_unstage(t);
	free(manifest);
	free(sigtext);
	return rc;
}
