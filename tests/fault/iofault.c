/*
 * iofault.c — an LD_PRELOAD shim for the I/O fault tests: it counts the
 * write-side system calls (write, pwrite, pwrite64, writev, pwritev, fsync,
 * fdatasync) on files whose path contains IOFAULT_PATH, and fails the
 * IOFAULT_AT-th of them with IOFAULT_ERRNO (EIO or ENOSPC) — and every
 * later one too with IOFAULT_STICKY=1 (a disk that stays full). Counting
 * starts when the file IOFAULT_ARM exists (if set), so a server can start
 * and sign in before the write under test. At exit the number of counted
 * calls is written to IOFAULT_COUNT (if set): the write points of a run.
 * IOFAULT_KILL=1: the IOFAULT_AT-th call kills the process (SIGKILL, as
 * `kill -9`) instead of failing. IOFAULT_KILL_UNLINK=TEXT: the
 * IOFAULT_UNLINK_AT-th (default first) unlink of a path containing TEXT
 * kills the process before it is made (the commit point of a rollback
 * journal: the journal's unlink).
 * Layer: tests only (tests/cli/io_fault.sh, import_journal.sh,
 * docs/RELIABILITY.md).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static atomic_long counted;
static long fail_at = -1;
static int fail_errno = EIO;
static int sticky;
static const char *want_path;
static const char *arm_file;
static const char *count_file;
static int ready;
static int kill_at;
static const char *kill_unlink;
static long unlink_at = 1;
static atomic_long unlinks;

static void setup(void)
{
    if (ready)
        return;
    const char *v = getenv("IOFAULT_AT");
    fail_at = v ? strtol(v, NULL, 10) : -1;
    v = getenv("IOFAULT_ERRNO");
    if (v && strcmp(v, "ENOSPC") == 0)
        fail_errno = ENOSPC;
    v = getenv("IOFAULT_STICKY");
    sticky = v && strcmp(v, "1") == 0;
    want_path = getenv("IOFAULT_PATH");
    arm_file = getenv("IOFAULT_ARM");
    count_file = getenv("IOFAULT_COUNT");
    v = getenv("IOFAULT_KILL");
    kill_at = v && strcmp(v, "1") == 0;
    kill_unlink = getenv("IOFAULT_KILL_UNLINK");
    v = getenv("IOFAULT_UNLINK_AT");
    unlink_at = v ? strtol(v, NULL, 10) : 1;
    ready = 1;
}

__attribute__((destructor)) static void report(void)
{
    if (!count_file)
        return;
    FILE *f = fopen(count_file, "w");
    if (f) {
        fprintf(f, "%ld\n", atomic_load(&counted));
        fclose(f);
    }
}

/* 1 if this call on fd is to fail (with errno set). */
static int fault(int fd)
{
    setup();
    if (!want_path)
        return 0;
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return 0;
    path[n] = 0;
    if (!strstr(path, want_path))
        return 0;
    if (arm_file && access(arm_file, F_OK) != 0)
        return 0;
    long k = atomic_fetch_add(&counted, 1) + 1;
    if (fail_at > 0 && k == fail_at && kill_at)
        raise(SIGKILL);
    if (fail_at > 0 && (k == fail_at || (sticky && k > fail_at))) {
        errno = fail_errno;
        return 1;
    }
    return 0;
}

#define REAL(name, ret, ...)                                                                       \
    static ret (*real_##name)(__VA_ARGS__);                                                        \
    if (!real_##name)                                                                              \
        real_##name = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name);

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(write, ssize_t, int, const void *, size_t)
    return fault(fd) ? -1 : real_write(fd, buf, n);
}
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite, ssize_t, int, const void *, size_t, off_t)
    return fault(fd) ? -1 : real_pwrite(fd, buf, n, off);
}
ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
    REAL(pwrite64, ssize_t, int, const void *, size_t, off64_t)
    return fault(fd) ? -1 : real_pwrite64(fd, buf, n, off);
}
ssize_t writev(int fd, const struct iovec *iov, int n)
{
    REAL(writev, ssize_t, int, const struct iovec *, int)
    return fault(fd) ? -1 : real_writev(fd, iov, n);
}
ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
    REAL(pwritev, ssize_t, int, const struct iovec *, int, off_t)
    return fault(fd) ? -1 : real_pwritev(fd, iov, n, off);
}
int fsync(int fd)
{
    REAL(fsync, int, int)
    return fault(fd) ? -1 : real_fsync(fd);
}
int fdatasync(int fd)
{
    REAL(fdatasync, int, int)
    return fault(fd) ? -1 : real_fdatasync(fd);
}
int unlink(const char *path)
{
    REAL(unlink, int, const char *)
    setup();
    if (kill_unlink && strstr(path, kill_unlink) && atomic_fetch_add(&unlinks, 1) + 1 == unlink_at)
        raise(SIGKILL);
    return real_unlink(path);
}
