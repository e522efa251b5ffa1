/*
 * snap_forge.c — the attacker of issue #15, defect 3, as a test helper: edit
 * a rules snapshot (every 4-byte-aligned int32 FROM in the payload becomes
 * TO, e.g. a tenure's start date 20160915 → 20260101) and recompute the
 * header's XXH3-128 checksum, as someone who can write the file but does
 * not hold its key would. Built by tests/cli/rules_snapshot_mac.sh with cc.
 * Layout (src/rules/snapshot.c): a 4 KiB header whose u64 `payload` field
 * (the payload's byte count) is followed by the 16-byte checksum.
 */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 4 || (argc - 2) % 2) {
        fprintf(stderr, "usage: snap_forge FILE FROM TO [FROM TO]...\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r+b");
    if (!f || fseek(f, 0, SEEK_END) != 0)
        return perror(argv[1]), 2;
    long len = ftell(f);
    if (len < 4096)
        return fprintf(stderr, "too short\n"), 2;
    uint8_t *b = malloc((size_t)len);
    rewind(f);
    if (fread(b, 1, (size_t)len, f) != (size_t)len)
        return perror("read"), 2;
    size_t sum_at = 0;
    for (size_t off = 64; off + 24 <= 4096 && !sum_at; off += 8) {
        uint64_t v;
        memcpy(&v, b + off, 8);
        if (v == (uint64_t)len - 4096)
            sum_at = off + 8;
    }
    if (!sum_at)
        return fprintf(stderr, "no payload size field in the header\n"), 2;
    long n = 0;
    for (int a = 2; a + 1 < argc; a += 2) {
        int32_t from = (int32_t)atol(argv[a]), to = (int32_t)atol(argv[a + 1]);
        for (long off = 4096; off + 4 <= len; off += 4) {
            int32_t v;
            memcpy(&v, b + off, 4);
            if (v == from) {
                memcpy(b + off, &to, 4);
                n++;
            }
        }
    }
    XXH128_canonicalFromHash((XXH128_canonical_t *)(void *)(b + sum_at),
                             XXH3_128bits(b + 4096, (size_t)(len - 4096)));
    rewind(f);
    if (fwrite(b, 1, (size_t)len, f) != (size_t)len || fclose(f) != 0)
        return perror("write"), 2;
    printf("%ld\n", n);
    free(b);
    return 0;
}
