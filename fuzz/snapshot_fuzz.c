/*
 * snapshot_fuzz.c — libFuzzer target for the rules snapshot reader
 * (src/rules/snapshot.c rl_snapshot_read, then rl_model_materialize and
 * rl_model_release). The input is the payload; the target puts in front of
 * it a header that matches the key asked for, with the payload's size and
 * XXH3-128 checksum recomputed and the MAC computed under the rules key
 * (as only the key's holder could), so the reader's walk of the payload is
 * what is fuzzed, not the checksum or the MAC. The header comes from a snapshot of an empty
 * model written by rl_snapshot_write at start-up. Properties: no crash, no
 * sanitizer report, no read outside the mapping.
 * Layer: fuzz (rules). Spec: docs/RULES.md "Snapshot".
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "rules/rules_int.h"

enum { HDR = 4096 };

/* The header's layout, as snapshot.c's snap_hdr (keep in step). */
typedef struct fz_hdr {
    char magic[8];
    uint64_t layout;
    int64_t size;
    uint8_t root[32];
    int64_t hwm[T_NTABLES];
    uint64_t payload;
    uint8_t sum[16];
    uint8_t mac[RL_SNAP_MAC_BYTES];
} fz_hdr;

static char dir[64];
static char path[96];
static uint8_t header[HDR];
static uint8_t key[RL_SNAP_KEY_BYTES];
static const uint8_t root[32];
static const int64_t hwm[T_NTABLES];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/snapshot_fuzz.XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/s.rules-snapshot", dir);
    rl_model m;
    rl_model_init(&m);
    pl_err e;
    pl_err_init(&e);
    if (rl_snapshot_write(&m, path, 0, root, hwm, &e) != 0)
        abort();
    rl_model_release(&m);
    int fd = open(path, O_RDONLY);
    if (fd < 0 || pread(fd, header, HDR, 0) != HDR)
        abort();
    close(fd);
    if (rl_snapshot_key(path, 0, key, &e) != 0) /* made by the write above */
        abort();
}

static void cleanup(void)
{
    char keypath[128];
    snprintf(keypath, sizeof keypath, "%s/s.rules.key", dir);
    unlink(path);
    unlink(keypath);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        setup();
        atexit(cleanup);
    }
    fz_hdr h;
    memcpy(&h, header, sizeof h);
    h.payload = size;
    XXH128_canonicalFromHash((XXH128_canonical_t *)(void *)h.sum, XXH3_128bits(data, size));
    uint8_t *file = malloc(HDR + size + 1);
    if (!file)
        abort();
    memcpy(file, header, HDR);
    memcpy(file, &h, sizeof h);
    if (size)
        memcpy(file + HDR, data, size);
    rl_snapshot_mac(file, size, key, file + offsetof(fz_hdr, mac));
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        abort();
    if (write(fd, file, HDR + size) != (ssize_t)(HDR + size))
        abort();
    close(fd);
    free(file);
    rl_model m;
    rl_model_init(&m);
    int rc = rl_snapshot_read(&m, path, 0, root, hwm);
    if (rc == RL_SNAP_FORGED) /* the target signed it: a MAC failure is a bug */
        abort();
    if (rc == 1)
        rl_model_materialize(&m);
    rl_model_release(&m);
    return 0;
}
