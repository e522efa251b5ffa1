/*
 * util.c — errors, buffers, checked numbers, clock, hex/base64, secret
 * (key) files.
 * Layer: lowest (no dependencies but libc and libsodium's base64).
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <unicode/ustring.h>

void pl_err_init(pl_err *e)
{
    if (!e)
        return;
    e->code = 0;
    e->msg[0] = 0;
}

/* A message is one line of UTF-8 (printed, logged, sent as JSON): the
 * truncation above can cut a character in two, and a message may quote a
 * tampered or mis-encoded value. A control character becomes a space and
 * each invalid sequence '?' (ICU); neither lengthens the text. */
static void utf8_clean(char *msg, size_t cap)
{
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    UChar u[PL_ERR_MSG];
    int32_t ulen = 0, nsub = 0;
    UErrorCode st = U_ZERO_ERROR;
    u_strFromUTF8WithSub(u, PL_ERR_MSG, &ulen, msg, -1, '?', &nsub, &st);
    if (U_FAILURE(st) || nsub == 0)
        return;
    int32_t n = 0;
    st = U_ZERO_ERROR;
    u_strToUTF8(msg, (int32_t)cap - 1, &n, u, ulen, &st);
    msg[U_SUCCESS(st) && n < (int32_t)cap ? n : 0] = 0;
}

int pl_err_set(pl_err *e, int code, const char *fmt, ...)
{
    if (e) {
        /* Format into a scratch buffer: callers may pass e->msg itself as an
         * argument to prefix context to an inner message. */
        char tmp[PL_ERR_MSG];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(tmp, sizeof tmp, fmt, ap);
        va_end(ap);
        utf8_clean(tmp, sizeof tmp);
        memcpy(e->msg, tmp, sizeof tmp);
        e->code = code;
    }
    return code;
}

const char *pl_strerror(int code)
{
    switch (code) {
    case PL_OK: return "ok";
    case PL_EINVAL: return "invalid input";
    case PL_ENOMEM: return "out of memory";
    case PL_EIO: return "I/O error";
    case PL_ESTORE: return "store error";
    case PL_ECORRUPT: return "corrupt store or ledger";
    case PL_ENOTFOUND: return "not found";
    case PL_EEXIST: return "already exists";
    case PL_ECRYPTO: return "cryptographic failure";
    case PL_EDENIED: return "permission denied";
    case PL_EBUSY: return "store busy";
    case PL_EFULL: return "the store's disk is full";
    default: return "internal error";
    }
}

void *pl_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        abort();
    return p;
}

void *pl_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        abort();
    return p;
}

void *pl_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        abort();
    return q;
}

void pl_str_copy(char *dst, size_t n, const char *src)
{
    if (!n)
        return;
    size_t len = src ? strnlen(src, n - 1) : 0;
    if (len)
        memcpy(dst, src, len);
    dst[len] = 0;
}

char *pl_strdup(const char *s)
{
    return pl_strndup(s, strlen(s));
}

char *pl_strndup(const char *s, size_t n)
{
    char *p = pl_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static char empty_buf[1];

void pl_buf_init(pl_buf *b)
{
    b->data = empty_buf;
    b->len = 0;
    b->cap = 0;
}

void pl_buf_release(pl_buf *b)
{
    if (b->cap)
        free(b->data);
    pl_buf_init(b);
}

void pl_buf_reset(pl_buf *b)
{
    b->len = 0;
    if (b->cap)
        b->data[0] = 0;
}

void pl_buf_grow(pl_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    if (b->cap) {
        b->data = pl_realloc(b->data, cap);
    } else {
        b->data = pl_malloc(cap);
        b->data[0] = 0;
    }
    b->cap = cap;
}

void pl_buf_add(pl_buf *b, const void *p, size_t n)
{
    pl_buf_grow(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

void pl_buf_adds(pl_buf *b, const char *s)
{
    pl_buf_add(b, s, strlen(s));
}

void pl_buf_addc(pl_buf *b, char c)
{
    pl_buf_add(b, &c, 1);
}

void pl_buf_add_i64(pl_buf *b, int64_t v)
{
    char tmp[24];
    int k = (int)sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--k] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[--k] = '-';
    pl_buf_add(b, tmp + k, sizeof tmp - (size_t)k);
}

void pl_buf_addf(pl_buf *b, const char *fmt, ...)
{
    /* Formatted straight into the room the buffer has (one pass, as a
     * short text usually fits); measured and formatted again only when it
     * does not (two passes, as always before). */
    pl_buf_grow(b, 63);
    size_t room = b->cap - b->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->data + b->len, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->data[b->len] = 0;
        return;
    }
    if ((size_t)n >= room) {
        pl_buf_grow(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

char *pl_buf_detach(pl_buf *b, size_t *len)
{
    char *s = b->cap ? b->data : pl_strdup("");
    if (len)
        *len = b->len;
    pl_buf_init(b);
    return s;
}

int pl_config_words(char *line, char **w, int max)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = 0;
    char *save = NULL;
    int n = 0;
    for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save))
        if (n++ < max)
            w[n - 1] = t;
    return n;
}

int pl_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s)
        return PL_EINVAL;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return PL_EINVAL;
    *out = v;
    return 0;
}

static int64_t fixed_now = -1;

void pl_time_set_now(int64_t t)
{
    fixed_now = t;
}

/* PLUMB_NOW, read once per process (a getenv scan of the environment and
 * a parse on every call were ten of each a clue intake), if set to a time. The environment is not
 * changed while plumb runs. */
static pthread_once_t env_now_once = PTHREAD_ONCE_INIT;
static int64_t env_now;
static int env_now_set;

static void env_now_read(void)
{
    const char *env = getenv("PLUMB_NOW");
    int64_t t;
    if (env && pl_time_parse(env, &t) == 0) {
        env_now = t;
        env_now_set = 1;
    }
}

int64_t pl_time_now(void)
{
    if (fixed_now >= 0)
        return fixed_now;
    pthread_once(&env_now_once, env_now_read);
    if (env_now_set)
        return env_now;
    return (int64_t)time(NULL);
}

/* pl_time_format and pl_time_parse: src/util/date.c. */

void pl_hex(char *out, const uint8_t *in, size_t n)
{
    sodium_bin2hex(out, 2 * n + 1, in, n);
}

int pl_unhex(uint8_t *out, size_t n, const char *s)
{
    size_t got = 0;
    const char *end = NULL;
    if (strlen(s) != 2 * n)
        return PL_EINVAL;
    if (sodium_hex2bin(out, n, s, 2 * n, NULL, &got, &end) != 0 || got != n)
        return PL_EINVAL;
    return 0;
}

size_t pl_b64_len(size_t n)
{
    return sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
}

void pl_b64(char *out, const uint8_t *in, size_t n)
{
    sodium_bin2base64(out, pl_b64_len(n), in, n, sodium_base64_VARIANT_ORIGINAL);
}

long pl_unb64(uint8_t *out, size_t cap, const char *s, size_t len)
{
    size_t got = 0;
    const char *end = NULL;
    if (sodium_base642bin(out, cap, s, len, NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) != 0)
        return -1;
    if (end != s + len)
        return -1;
    return (long)got;
}

/* ---------------------------------------------------------- secret files */

int pl_secret_file_read(const char *path, const char *what, int nofollow, char *buf, size_t cap,
                        pl_err *e)
{
    buf[0] = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
    if (fd < 0) {
        if (errno == ENOENT)
            return pl_err_set(e, PL_ENOTFOUND, "%s: %s missing", path, what);
        return pl_err_set(e, PL_EIO, "%s: cannot open %s: %s", path, what, strerror(errno));
    }
    struct stat sb;
    ssize_t n = -1;
    int rc = 0;
    if (fstat(fd, &sb) != 0)
        rc = pl_err_set(e, PL_EIO, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        rc = pl_err_set(e, PL_EINVAL, "%s: %s is not a regular file", path, what);
    else if (sb.st_mode & 077)
        rc = pl_err_set(e, PL_EDENIED,
                        "%s: %s is accessible by group or others (mode %04o); run chmod 600 %s",
                        path, what, (unsigned)(sb.st_mode & 07777), path);
    else if ((n = read(fd, buf, cap - 1)) < 0)
        rc = pl_err_set(e, PL_EIO, "%s: %s", path, strerror(errno));
    close(fd);
    if (rc)
        return rc;
    buf[n] = 0;
    n = (ssize_t)strlen(buf);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = 0;
    return 0;
}

int pl_secret_file_create(const char *path, const char *what, const void *data, size_t n, pl_err *e)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return pl_err_set(e, PL_EEXIST, "%s: %s already exists; not overwriting", path, what);
        return pl_err_set(e, PL_EIO, "%s: cannot create %s: %s", path, what, strerror(errno));
    }
    int rc = 0;
    /* The umask can only clear bits, but make the mode exact anyway. */
    if (fchmod(fd, 0600) != 0 || write(fd, data, n) != (ssize_t)n || fsync(fd) != 0)
        rc = pl_err_set(e, PL_EIO, "%s: cannot write %s: %s", path, what, strerror(errno));
    if (close(fd) != 0 && rc == 0)
        rc = pl_err_set(e, PL_EIO, "%s: cannot write %s: %s", path, what, strerror(errno));
    if (rc)
        unlink(path);
    return rc;
}

int pl_hexkey_read(const char *path, const char *what, int nofollow, const char *magic,
                   uint8_t *key, size_t n, pl_err *e)
{
    char buf[256];
    size_t mlen = strlen(magic), got = 0;
    int rc = pl_secret_file_read(path, what, nofollow, buf, sizeof buf, e);
    if (!rc) {
        const char *hex = buf + mlen;
        if (strncmp(buf, magic, mlen) != 0 || strlen(hex) != 2 * n ||
            sodium_hex2bin(key, n, hex, strlen(hex), NULL, &got, NULL) != 0 || got != n)
            rc = pl_err_set(e, PL_EINVAL, "%s: not a %s (expected '%s' and %zu hex digits)", path,
                            what, magic, 2 * n);
    }
    sodium_memzero(buf, sizeof buf);
    if (rc)
        sodium_memzero(key, n);
    return rc;
}

int pl_hexkey_create(const char *path, const char *what, const char *magic, uint8_t *key, size_t n,
                     pl_err *e)
{
    char line[256];
    size_t mlen = strlen(magic);
    if (mlen + 2 * n + 2 > sizeof line) {
        sodium_memzero(key, n);
        return pl_err_set(e, PL_EINTERNAL, "%s: key too long for a key file", path);
    }
    memcpy(line, magic, mlen);
    sodium_bin2hex(line + mlen, 2 * n + 1, key, n);
    line[mlen + 2 * n] = '\n';
    int rc = pl_secret_file_create(path, what, line, mlen + 2 * n + 1, e);
    sodium_memzero(line, sizeof line);
    if (rc)
        sodium_memzero(key, n);
    return rc;
}

/* ------------------------------------------------ argon2id, bounded */

static pthread_mutex_t pwhash_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pwhash_cv = PTHREAD_COND_INITIALIZER;
static int pwhash_in, pwhash_max;

void pl_pwhash_enter(void)
{
    pthread_mutex_lock(&pwhash_mu);
    while (pwhash_in >= PL_PWHASH_AT_ONCE)
        pthread_cond_wait(&pwhash_cv, &pwhash_mu);
    if (++pwhash_in > pwhash_max)
        pwhash_max = pwhash_in;
    pthread_mutex_unlock(&pwhash_mu);
}

void pl_pwhash_leave(void)
{
    pthread_mutex_lock(&pwhash_mu);
    pwhash_in--;
    pthread_cond_signal(&pwhash_cv);
    pthread_mutex_unlock(&pwhash_mu);
}

int pl_pwhash_peak(void)
{
    pthread_mutex_lock(&pwhash_mu);
    int n = pwhash_max;
    pthread_mutex_unlock(&pwhash_mu);
    return n;
}

static pthread_once_t pwhash_env_once = PTHREAD_ONCE_INIT;
static int pwhash_test;

static void pwhash_env(void)
{
    const char *v = getenv("PLUMB_TEST_PWHASH_MIN");
    pwhash_test = v && *v && strcmp(v, "0") != 0;
    if (pwhash_test)
        fputs("plumb: warning: test password-hash limits in use: not for production "
              "(PLUMB_TEST_PWHASH_MIN)\n",
              stderr);
}

int pl_pwhash_test_limits(void)
{
    pthread_once(&pwhash_env_once, pwhash_env);
    return pwhash_test;
}

unsigned long long pl_pwhash_opslimit(unsigned long long production)
{
    return pl_pwhash_test_limits() ? crypto_pwhash_OPSLIMIT_MIN : production;
}

size_t pl_pwhash_memlimit(size_t production)
{
    return pl_pwhash_test_limits() ? crypto_pwhash_MEMLIMIT_MIN : production;
}
