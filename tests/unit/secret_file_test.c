/*
 * secret_file_test.c — the key-file helpers of util.h (pl_secret_file_*,
 * pl_hexkey_*), which the ledger, TOTP and rules keys use: expected values
 * from util.h and docs/SECURITY.md (a key file is a regular file of mode
 * 0600, never replaced, one line "magic" + lower-case hex), written by hand.
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

#include "util/util.h"

#define MAGIC "plumb-test-key-1 "
/* Bytes 0x00..0x1f, as their file line spells them. */
#define HEX32 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

typedef struct dir {
    char path[64];
    char file[96];
} dir;

static void dir_open(dir *d)
{
    snprintf(d->path, sizeof d->path, "/tmp/plumb-secret-XXXXXX");
    assert_non_null(mkdtemp(d->path));
    snprintf(d->file, sizeof d->file, "%s/k", d->path);
}

static void dir_close(dir *d)
{
    char link[112];
    snprintf(link, sizeof link, "%s/link", d->path);
    unlink(link);
    unlink(d->file);
    rmdir(d->path);
}

static void put(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static void create_writes_one_line_mode_0600_and_reads_back(void **state)
{
    (void)state;
    dir d;
    dir_open(&d);
    uint8_t key[32], back[32];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    pl_err e;
    pl_err_init(&e);
    umask(022);
    assert_int_equal(pl_hexkey_create(d.file, "test key file", MAGIC, key, 32, &e), 0);
    struct stat sb;
    assert_int_equal(stat(d.file, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0600);
    char buf[256];
    FILE *f = fopen(d.file, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    assert_string_equal(buf, MAGIC HEX32 "\n");
    assert_int_equal(pl_hexkey_read(d.file, "test key file", 1, MAGIC, back, 32, &e), 0);
    assert_memory_equal(back, key, 32);
    dir_close(&d);
}

static void create_never_replaces_a_file(void **state)
{
    (void)state;
    dir d;
    dir_open(&d);
    put(d.file, "old", 0600);
    uint8_t key[32] = {1};
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_hexkey_create(d.file, "test key file", MAGIC, key, 32, &e), PL_EEXIST);
    char buf[16];
    assert_int_equal(pl_secret_file_read(d.file, "test key file", 0, buf, sizeof buf, &e), 0);
    assert_string_equal(buf, "old");
    dir_close(&d);
}

static void read_refuses_missing_open_and_malformed_files(void **state)
{
    (void)state;
    dir d;
    dir_open(&d);
    uint8_t key[32];
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_hexkey_read(d.file, "test key file", 0, MAGIC, key, 32, &e), PL_ENOTFOUND);
    assert_non_null(strstr(e.msg, "test key file missing"));

    put(d.file, MAGIC HEX32 "\n", 0640); /* the group may read it */
    assert_int_equal(pl_hexkey_read(d.file, "test key file", 0, MAGIC, key, 32, &e), PL_EDENIED);
    assert_non_null(strstr(e.msg, "chmod 600"));
    for (int i = 0; i < 32; i++)
        assert_int_equal(key[i], 0); /* wiped on failure */

    put(d.file, "other-magic " HEX32 "\n", 0600);
    assert_int_equal(pl_hexkey_read(d.file, "test key file", 0, MAGIC, key, 32, &e), PL_EINVAL);
    put(d.file, MAGIC "0001\n", 0600); /* too short */
    assert_int_equal(pl_hexkey_read(d.file, "test key file", 0, MAGIC, key, 32, &e), PL_EINVAL);
    put(d.file, MAGIC HEX32 "\r\n", 0600); /* CR/LF ends the line */
    assert_int_equal(pl_hexkey_read(d.file, "test key file", 0, MAGIC, key, 32, &e), 0);
    assert_int_equal(key[31], 0x1f);
    dir_close(&d);
}

static void nofollow_refuses_a_symbolic_link(void **state)
{
    (void)state;
    dir d;
    dir_open(&d);
    put(d.file, MAGIC HEX32 "\n", 0600);
    char link[112];
    snprintf(link, sizeof link, "%s/link", d.path);
    assert_int_equal(symlink(d.file, link), 0);
    uint8_t key[32];
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_hexkey_read(link, "test key file", 0, MAGIC, key, 32, &e), 0);
    assert_int_not_equal(pl_hexkey_read(link, "test key file", 1, MAGIC, key, 32, &e), 0);
    dir_close(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_writes_one_line_mode_0600_and_reads_back),
        cmocka_unit_test(create_never_replaces_a_file),
        cmocka_unit_test(read_refuses_missing_open_and_malformed_files),
        cmocka_unit_test(nofollow_refuses_a_symbolic_link),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
