/*
 * util.h — the lowest layer: errors, growable buffers, checked numbers, time,
 * hex/base64, and the canonical JSON encoding that the ledger hashes.
 *
 * Nothing here knows about the domain. Every other module may include it.
 */
#ifndef PL_UTIL_H
#define PL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "date.h"

/* ---------------------------------------------------------------- errors */

/** Status codes. 0 is success; every failure is negative. */
enum {
    PL_OK = 0,
    PL_EINVAL = -1,   /**< bad input from the user (file, row, argument) */
    PL_ENOMEM = -2,   /**< allocation failed */
    PL_EIO = -3,      /**< read/write/fsync failed */
    PL_ESTORE = -4,   /**< the database said no */
    PL_ECORRUPT = -5, /**< the store or ledger is inconsistent */
    PL_ENOTFOUND = -6,
    PL_EEXIST = -7,
    PL_ECRYPTO = -8, /**< signature or key failure */
    PL_EDENIED = -9,
    PL_EINTERNAL = -10,
    PL_EBUSY = -11, /**< another writer holds the store past the wait: try again */
    PL_EFULL = -12, /**< the store's disk (or file size limit) is full */
};

#define PL_ERR_MSG 512

/**
 * An error report filled by the callee: a human message (already naming
 * file, line and field where known) and the status code.
 * Embed it on the stack; `pl_err_init` before use. Not thread-shared.
 */
typedef struct pl_err {
    int code;
    char msg[PL_ERR_MSG];
} pl_err;

/** Clear `e` to "no error". */
void pl_err_init(pl_err *e);
/** Set `e` (if not NULL) with a printf-style message; returns `code`. */
int pl_err_set(pl_err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/** Short English name of a status code ("invalid input", ...). */
const char *pl_strerror(int code);

/* --------------------------------------------------------------- buffers */

/**
 * A growable byte buffer (after git's strbuf). Invariants: `data` is never
 * NULL after `pl_buf_init`, `data[len] == 0` always, `len < cap`.
 * Allocation failure aborts: the only sane reaction in this program.
 */
typedef struct pl_buf {
    char *data;
    size_t len;
    size_t cap;
} pl_buf;

void pl_buf_init(pl_buf *b);
void pl_buf_release(pl_buf *b);
/** Empty the buffer, keeping its memory. */
void pl_buf_reset(pl_buf *b);
void pl_buf_grow(pl_buf *b, size_t extra);
void pl_buf_add(pl_buf *b, const void *p, size_t n);
void pl_buf_adds(pl_buf *b, const char *s);
void pl_buf_addc(pl_buf *b, char c);
/** The decimal digits of v (a leading '-' if negative), as "%lld" writes them. */
void pl_buf_add_i64(pl_buf *b, int64_t v);
void pl_buf_addf(pl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Hand the string to the caller (who frees it); `b` is re-initialised. */
char *pl_buf_detach(pl_buf *b, size_t *len);

/** Allocation wrappers that abort on failure. */
void *pl_malloc(size_t n);
void *pl_calloc(size_t n, size_t size);
void *pl_realloc(void *p, size_t n);
char *pl_strdup(const char *s);
/** Copy `src` (NULL: "") into dst[0..n-1], cut to n-1 bytes and ended by a
 * NUL, as snprintf(dst, n, "%s", src) at a fraction of its cost; n > 0. */
void pl_str_copy(char *dst, size_t n, const char *src);
char *pl_strndup(const char *s, size_t n);

/** One line of a settings file (origins, witnesses, mirror and relay
 * files): cut at '#', split on blanks; the first `max` words go to w[],
 * the count of all words is returned (more than `max`: too many). The
 * line is changed in place. */
int pl_config_words(char *line, char **w, int max);

/* --------------------------------------------------------------- numbers */

/** Parse a whole string as a base-10 integer in [min, max]. 0 or PL_EINVAL. */
int pl_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* ------------------------------------------------------------------ time */

/**
 * The clock. Tests inject a fixed time with the environment variable
 * PLUMB_NOW (ISO 8601 UTC, e.g. 2026-01-01T00:00:00Z) or pl_time_set_now().
 */
int64_t pl_time_now(void);
void pl_time_set_now(int64_t unix_seconds);
/** The unix seconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the
 * times pl_time_format writes. */
#define PL_TIME_MIN INT64_C(-62135596800)
#define PL_TIME_MAX INT64_C(253402300799)
/** Format unix seconds as "YYYY-MM-DDTHH:MM:SSZ" into out[21]: 0, or
 * PL_EINVAL for a time outside years 0001..9999 (PL_TIME_MIN..PL_TIME_MAX),
 * out then "" (never a wrapped year). The result must be looked at
 * (src/util/date.c). */
int pl_time_format(char out[21], int64_t t) __attribute__((warn_unused_result));
/** As pl_time_format, the refusal explained in *e. */
int pl_time_format_e(char out[21], int64_t t, pl_err *e) __attribute__((warn_unused_result));
/** As pl_time_format, for a time read from the clock (pl_time_now, the
 * server's clock) or a few days from it: aborts the process on a time
 * outside years 0001..9999 (a clock that far off is a broken machine; a
 * wrong date is never written). */
void pl_time_format_clock(char out[21], int64_t t);
/** Parse "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DD" (midnight UTC), years
 * 1900..2999, nothing before or after (no offset but Z): 0, or PL_EINVAL
 * with *out untouched (src/util/date.c). */
int pl_time_parse(const char *s, int64_t *out);

/* ------------------------------------------------------------- encodings */

/** Lower-case hex of `n` bytes into `out` (2n+1 bytes, NUL-terminated). */
void pl_hex(char *out, const uint8_t *in, size_t n);
/** Decode hex; returns 0 if `s` is exactly 2n hex digits. */
int pl_unhex(uint8_t *out, size_t n, const char *s);
/** Standard base64 with padding; out needs pl_b64_len(n) bytes. */
size_t pl_b64_len(size_t n);
void pl_b64(char *out, const uint8_t *in, size_t n);
/** Decode standard base64; returns decoded length or -1. */
long pl_unb64(uint8_t *out, size_t cap, const char *s, size_t len);

/* ---------------------------------------------------------- secret files */

/**
 * Read a small secret file (a key) that must be a regular file only its
 * owner can access: at most `cap - 1` bytes into `buf`, NUL-terminated, up to
 * its first NUL, trailing CR/LF removed. `what` names the file in messages
 * ("key file", "TOTP key file"). `nofollow`: a symbolic link is refused.
 * Returns PL_ENOTFOUND ("<path>: <what> missing"), PL_EINVAL (not a regular
 * file), PL_EDENIED (group or others have any access; the message says to run
 * chmod 600) or PL_EIO. The caller wipes `buf` (sodium_memzero) after use.
 */
/**
 * At most PL_PWHASH_AT_ONCE argon2id hashes run at once in the process:
 * every crypto_pwhash_str / crypto_pwhash_str_verify is made between
 * pl_pwhash_enter and pl_pwhash_leave. Each takes
 * crypto_pwhash_MEMLIMIT_INTERACTIVE (64 MiB), so the bound holds a burst
 * of sign-ins to 512 MiB whatever the number of threads that may run one
 * (the server's pool, HTTP_POOL_THREADS); a caller past it waits. A
 * holder waits for nothing else, so no lock order is involved; but the
 * portal's report hashes its passphrase under the writer lock, and may
 * now wait there behind up to 8 sign-ins' hashes (~0.1 s each).
 */
#define PL_PWHASH_AT_ONCE 8
void pl_pwhash_enter(void);
void pl_pwhash_leave(void);
/** The most hashes that were inside at once (tests). */
int pl_pwhash_peak(void);

/**
 * The argon2id limits of every new hash or key derivation (users' passwords,
 * the sign-in's dummy hash, reporters' passphrases, office keys): the
 * production limit passed in, or libsodium's crypto_pwhash_OPSLIMIT_MIN /
 * MEMLIMIT_MIN when the environment has PLUMB_TEST_PWHASH_MIN set to
 * anything but "" or "0" — the test suites' servers, as Django's test runner
 * takes a cheap hasher (docs/SECURITY.md "Test password-hash limits").
 * Verification is unchanged: a hash string, and an office key's row, carry
 * their own limits. The first call that finds the variable set prints
 * "plumb: warning: test password-hash limits in use: not for production"
 * once on stderr (pl_pwhash_test_limits; plumb serve calls it at start).
 */
int pl_pwhash_test_limits(void);
unsigned long long pl_pwhash_opslimit(unsigned long long production);
size_t pl_pwhash_memlimit(size_t production);

int pl_secret_file_read(const char *path, const char *what, int nofollow, char *buf, size_t cap,
                        pl_err *e);
/**
 * Create `path` for a secret: never replaces a file (O_EXCL, no link
 * followed: PL_EEXIST), mode exactly 0600, `n` bytes written and fsync'd.
 * On any failure the new file is removed (PL_EIO).
 */
int pl_secret_file_create(const char *path, const char *what, const void *data, size_t n,
                          pl_err *e);
/**
 * A hex key file: one line, `magic` then the 2n lower-case hex digits of an
 * n-byte key (2n + strlen(magic) < 250). `pl_hexkey_read` reads it as
 * pl_secret_file_read does and decodes it (PL_EINVAL "not a <what>" when the
 * line is not that); `pl_hexkey_create` writes `key` to a new file as
 * pl_secret_file_create does. On failure both wipe `key`.
 */
int pl_hexkey_read(const char *path, const char *what, int nofollow, const char *magic,
                   uint8_t *key, size_t n, pl_err *e);
int pl_hexkey_create(const char *path, const char *what, const char *magic, uint8_t *key, size_t n,
                     pl_err *e);

/* -------------------------------------------------------- canonical JSON */

struct json_t;

/**
 * The JSON escape of byte c (a quote, a backslash or a control character,
 * RFC 8259 §7) written at w, the short forms where JSON has them, else
 * \u00XX with the digits of hex ("0123456789abcdef" for canonical JSON,
 * docs/LEDGER.md; upper case where a reader expects it). Returns the byte
 * after it (at most 6 written).
 */
static inline char *pl_json_escape_byte(char *w, unsigned char c, const char *hex)
{
    *w++ = '\\';
    switch (c) {
    case '"': *w++ = '"'; break;
    case '\\': *w++ = '\\'; break;
    case '\b': *w++ = 'b'; break;
    case '\f': *w++ = 'f'; break;
    case '\n': *w++ = 'n'; break;
    case '\r': *w++ = 'r'; break;
    case '\t': *w++ = 't'; break;
    default:
        *w++ = 'u';
        *w++ = '0';
        *w++ = '0';
        *w++ = hex[c >> 4];
        *w++ = hex[c & 15];
    }
    return w;
}
/**
 * Canonical JSON: object keys sorted by UTF-8 bytes, no insignificant
 * whitespace, strings NFC-normalised, integers only (no floats: money is
 * fen, scores are integers). Appends to `out`. Fails with PL_EINVAL (and a
 * message naming the JSON path) on a real number or invalid UTF-8.
 */
int pl_json_canonical(pl_buf *out, const struct json_t *v, pl_err *e);
/* One string value's canonical bytes (NFC, quoted and escaped: what
 * pl_json_canonical writes for a JSON string), appended to out. 0 or
 * PL_EINVAL (not valid UTF-8; out may hold part of it). */
int pl_json_canonical_string(pl_buf *out, const char *s, size_t len, pl_err *e);
/**
 * pl_json_canonical, and *changed = 1 if any string of `v` was not NFC
 * (so the canonical bytes, parsed, hold other strings than `v`), else 0:
 * a caller that needs the value as the bytes say may then keep `v`.
 */
int pl_json_canonical_changed(pl_buf *out, const struct json_t *v, int *changed, pl_err *e);

/** NFC-normalise UTF-8 `s` (ICU). Appends to out. PL_EINVAL on bad UTF-8. */
int pl_utf8_nfc(pl_buf *out, const char *s, size_t len, pl_err *e);

/**
 * The pinyin initials of UTF-8 `s` into `out` (NUL-terminated, at most
 * cap - 1 letters): the first letter of each Han character's reading (ICU
 * "Han-Latin", its most common reading), ASCII letters and digits kept in
 * lower case, anything else dropped: "吴俊峰" → "wjf" (pinyin.c). Returns
 * the length. Thread-safe.
 */
size_t pl_pinyin_initials(const char *s, char *out, size_t cap);

#endif
