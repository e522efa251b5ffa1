/*
 * snapshot_fuzz.c — libFuzzer target for the rules snapshot reader
 * (src/rules/snapshot.c rl_snapshot_read, then rl_model_materialize and
 * rl_model_release). The input is the payload; the target puts in front of
 * it a header that matches the key asked for, with the payload's size and
 * XXH3-128 checksum recomputed, as someone who edits the file would
 * (issue #15, defect 3), so the reader's walk of the payload is what is
 * fuzzed, not the checksum. The header comes from a snapshot of an empty
 * model written by rl_snapshot_write at start-up. Properties: no crash, no
 * sanitizer report, no read outside the mapping.
 * Layer: fuzz (rules). Spec: docs/RULES.md "Snapshot".
 */
#include <fcntl.h>
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
} fz_hdr;

static char dir[64];
static char path[96];
static uint8_t header[HDR];
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
}

static void cleanup(void)
{
    unlink(path);
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
    uint8_t hdr[HDR];
    memcpy(hdr, header, HDR);
    memcpy(hdr, &h, sizeof h);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        abort();
    if (write(fd, hdr, HDR) != HDR || (size && write(fd, data, size) != (ssize_t)size))
        abort();
    close(fd);
    rl_model m;
    rl_model_init(&m);
    if (rl_snapshot_read(&m, path, 0, root, hwm) == 1)
        rl_model_materialize(&m);
    rl_model_release(&m);
    return 0;
}
