/*
 * gen_bench.c — generation speed of `plumb gen` (src/gen) at county,
 * prefecture and (with argument "province") province scale: rows/s and
 * the peak resident memory, for docs/BENCHMARKS.md "## Generator".
 * Layer: bench. Usage: gen_bench [OUTDIR] [province]
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "../src/gen/gen.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : "/tmp/plumb-gen-bench";
    int province = argc > 2 && strcmp(argv[2], "province") == 0;
    printf("| scale | areas | rows | payments | findings | seconds | rows/s | peak RSS MiB |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    for (int s = 0; s <= (province ? 2 : 1); s++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/%s", base, pl_gen_scale_name((pl_gen_scale)s));
        pl_gen_opts o = {.scale = (pl_gen_scale)s, .seed = 1, .out_dir = dir, .quiet = 1};
        pl_gen_stats st;
        pl_err e;
        pl_err_init(&e);
        double t0 = now_s();
        if (pl_gen_run(&o, &st, &e)) {
            fprintf(stderr, "gen_bench: %s\n", e.msg);
            return 2;
        }
        double dt = now_s() - t0;
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("| %s | %d | %lld | %lld | %lld | %.2f | %.0f | %.0f |\n",
               pl_gen_scale_name((pl_gen_scale)s), st.areas, (long long)st.rows,
               (long long)st.payments, (long long)st.findings, dt, (double)st.rows / dt,
               (double)ru.ru_maxrss / 1024.0);
        fflush(stdout);
    }
    return 0;
}
