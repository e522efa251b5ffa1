/*
 * portal.c — the reporter portal over HTTP under its own prefix
 * /portal/api/: file a report without an account, come back with receipt +
 * passphrase, add material, get the inclusion proof. Layer: http, on
 * src/cases only. Spec: docs/API.md "Reporter portal", docs/CASES.md §5.
 *
 * No session is ever read here (a staff cookie sent along is ignored), no
 * /api/v1 route is reachable under the prefix, and the client address is
 * used for the library's hourly limits only: it is blanked from the
 * request before the access log line is written and never enters an event.
 */
#include <string.h>
#include <strings.h>

#include <microhttpd.h>
#include <sodium.h>

#include "../cases/cases.h"
#include "http_int.h"

/* The client address for the limits (server.c moved it out of r->ip so
 * that the access log never has it). */
static void take_addr(req *r, char *addr, size_t n)
{
    snprintf(addr, n, "%s", r->portal_addr[0] ? r->portal_addr : "?");
    sodium_memzero(r->portal_addr, sizeof r->portal_addr);
}

/* The reporter's language: the body's "lang" if given, else the first of
 * en / zh in Accept-Language: 1 English, 0 Chinese, -1 no preference (the
 * bilingual "中文 / English" messages older clients read). */
static int want_en(req *r, const char *lang)
{
    if (lang && *lang)
        return strncasecmp(lang, "en", 2) == 0;
    const char *al = MHD_lookup_connection_value(r->mc, MHD_HEADER_KIND, "Accept-Language");
    for (const char *p = al; p && *p; p++) {
        if (p != al && p[-1] != ',' && p[-1] != ' ')
            continue;
        if (strncasecmp(p, "en", 2) == 0)
            return 1;
        if (strncasecmp(p, "zh", 2) == 0)
            return 0;
    }
    return -1;
}

/* One language of a bilingual library message "A / B" (the half with
 * Chinese in it is the zh one); a message in one language, or no
 * preference (en < 0), keeps the message as it is. */
static void msg_in(const char *msg, int en, char *out, size_t n)
{
    const char *sep = strstr(msg, " / ");
    if (!sep || en < 0) {
        snprintf(out, n, "%s", msg);
        return;
    }
    int first_zh = 0;
    for (const char *p = msg; p < sep; p++)
        first_zh |= (unsigned char)*p >= 0x80;
    int take_first = en ? !first_zh : first_zh;
    if (take_first)
        snprintf(out, n, "%.*s", (int)(sep - msg), msg);
    else
        snprintf(out, n, "%s", sep + 3);
}

/* Library status → reply. Over a limit is 429 with Retry-After and, in
 * the body, reason (the message without the time), retry_after (seconds)
 * and retry_at (UTC, the next full hour: the page shows it in local time); a wrong receipt or
 * passphrase is one 403. Messages in the reporter's language (`en`). */
static int portal_reply(req *r, int rc, const pl_err *e, int en)
{
    const char *full = e && e->msg[0] ? e->msg : pl_strerror(rc);
    char msg[sizeof e->msg];
    msg_in(full, en, msg, sizeof msg);
    if (rc == PL_EDENIED && strstr(full, "try again after")) {
        int64_t now = http_now(r->srv), wait = 3600 - now % 3600;
        char at[21];
        pl_time_format_clock(at, now + wait);
        snprintf(r->extra_hdr, sizeof r->extra_hdr, "Retry-After");
        snprintf(r->extra_val, sizeof r->extra_val, "%lld", (long long)wait);
        /* The reason alone (without the UTC time), for a page that shows
         * the time in the reporter's own. */
        char reason[sizeof msg];
        snprintf(reason, sizeof reason, "%s", msg);
        char *cut = strstr(reason, "，请于");
        if (!cut)
            cut = strstr(reason, ": try again after");
        if (cut)
            *cut = 0;
        json_t *err = json_pack("{s:s, s:s, s:s, s:I, s:s}", "code", "rate_limited", "message", msg,
                                "reason", reason, "retry_after", (json_int_t)wait, "retry_at", at);
        return reply_json(r, 429, json_pack("{s:o}", "error", err));
    }
    if (rc == PL_EDENIED)
        return reply_error(r, 403, "wrong_receipt_or_passphrase", "passphrase", msg);
    if (rc == PL_EINVAL) {
        char field[48] = "";
        size_t k = 0;
        while (k < sizeof field - 1 &&
               ((full[k] >= 'a' && full[k] <= 'z') || full[k] == '_' || full[k] == '\''))
            k++;
        if (k > 0 && full[k] == ':' && full[k + 1] == ' ') {
            memcpy(field, full, k);
            field[k] = 0;
        }
        /* Attachment errors name the file: the field is "attachments". */
        if (strstr(full, "attachment '") || strstr(full, "attachment name"))
            snprintf(field, sizeof field, "attachments");
        /* A mistyped receipt code (check digit). */
        if (strstr(full, "receipt code"))
            snprintf(field, sizeof field, "receipt");
        /* The field is named by the reply, not in the words shown. */
        size_t fl = strlen(field);
        const char *shown = msg;
        if (fl && !strncmp(msg, field, fl) && msg[fl] == ':' && msg[fl + 1] == ' ')
            shown = msg + fl + 2;
        return reply_error(r, 400, "invalid", field[0] ? field : NULL, shown);
    }
    if (rc == PL_ENOTFOUND)
        return reply_error(r, 404, "not_found", NULL, msg);
    return reply_status(r, rc, e);
}

/* Strings of the body: unknown fields and wrong types are 400s. */
typedef struct pfield {
    const char *name;
    int kind; /* 0 string, 1 boolean, 2 attachments */
} pfield;

static int body_get(req *r, const pfield *f, size_t n, const char **out, int *flag, json_t **att)
{
    const char *k;
    json_t *v;
    json_object_foreach(r->json, k, v)
    {
        size_t i = 0;
        while (i < n && strcmp(f[i].name, k) != 0)
            i++;
        if (i == n)
            return reply_error(r, 400, "unknown_field", k, "unknown field"), -1;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = NULL;
        v = json_object_get(r->json, f[i].name);
        if (!v || json_is_null(v))
            continue;
        if (f[i].kind == 1) {
            if (!json_is_boolean(v))
                return reply_error(r, 400, "invalid", f[i].name, "must be true or false"), -1;
            *flag = json_is_true(v);
        } else if (f[i].kind == 2) {
            if (!json_is_array(v))
                return reply_error(r, 400, "invalid", f[i].name, "must be a list of files"), -1;
            *att = v;
        } else {
            if (!json_is_string(v))
                return reply_error(r, 400, "invalid", f[i].name, "must be a string"), -1;
            out[i] = json_string_value(v);
        }
    }
    return 0;
}

/* Decoded attachments of a request (freed by files_free). */
typedef struct files {
    pl_attachment a[PL_CASES_ATTACH_COUNT];
    uint8_t *data[PL_CASES_ATTACH_COUNT];
    size_t n;
} files;

static void files_free(files *fs)
{
    for (size_t i = 0; i < fs->n; i++)
        free(fs->data[i]);
    fs->n = 0;
}

/* [{name, content_base64}] → attachments, each checked by the library
 * (type by magic bytes, size) so that the error names the file. */
static int files_get(req *r, json_t *arr, files *fs, int check, int en)
{
    memset(fs, 0, sizeof *fs);
    if (!arr)
        return 0;
    if (json_array_size(arr) > PL_CASES_ATTACH_COUNT)
        return reply_error(r, 400, "invalid", "attachments", "at most 10 files per upload"), -1;
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it)
    {
        const char *name = json_string_value(json_object_get(it, "name"));
        const char *b64 = json_string_value(json_object_get(it, "content_base64"));
        if (!json_is_object(it) || !name || !b64 || json_object_size(it) != 2) {
            files_free(fs);
            return reply_error(r, 400, "invalid", "attachments",
                               "each file is {name, content_base64}"),
                   -1;
        }
        size_t blen = strlen(b64), cap = blen / 4 * 3 + 3, len = 0;
        uint8_t *buf = pl_malloc(cap ? cap : 1);
        if (sodium_base642bin(buf, cap, b64, blen, "\r\n", &len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0) {
            free(buf);
            files_free(fs);
            char msg[200];
            snprintf(msg, sizeof msg, "attachment '%.100s': content_base64 is not base64", name);
            return reply_error(r, 400, "invalid", "attachments", msg), -1;
        }
        fs->a[fs->n] = (pl_attachment){name, buf, len};
        fs->data[fs->n++] = buf;
        if (!check)
            continue;
        const char *kind;
        pl_err e;
        pl_err_init(&e);
        int rc = pl_cases_attachment_check(&fs->a[fs->n - 1], &kind, &e);
        if (rc) {
            files_free(fs);
            return portal_reply(r, rc, &e, en), -1;
        }
    }
    return 0;
}

/* ----------------------------------------------------------- handlers */

/* GET /portal/api/units: the public list of units to choose the subject's
 * unit from (names only; no people). */
static int h_units(req *r)
{
    pl_stmt *st;
    pl_err e;
    pl_err_init(&e);
    int rc = pl_store_prepare_cached(r->s,
                                     "SELECT id, name, parent_id, level, kind FROM units "
                                     "WHERE kind <> 'discipline' ORDER BY id",
                                     &st, &e);
    if (rc)
        return reply_status(r, rc, &e);
    json_t *items = json_array();
    while ((rc = pl_stmt_step(st, &e)) == PL_ROW) {
        json_t *o = json_object();
        static const char *const cols[] = {"id", "name", "parent_id", "level", "kind"};
        for (int i = 0; i < 5; i++)
            if (pl_stmt_text(st, i) && *pl_stmt_text(st, i))
                json_object_set_new(o, cols[i], json_string(pl_stmt_text(st, i)));
        json_array_append_new(items, o);
    }
    pl_stmt_reset(st);
    if (rc != PL_DONE) {
        json_decref(items);
        return reply_status(r, rc, &e);
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int h_report(req *r)
{
    char addr[64];
    take_addr(r, addr, sizeof addr);
    static const pfield f[] = {
        {"subject_name", 0},
        {"subject_unit_id", 0},
        {"category", 0},
        {"summary", 0},
        {"facts", 0},
        {"real_name", 1},
        {"reporter_name", 0},
        {"reporter_contact", 0},
        {"reporter_id_number", 0},
        {"passphrase", 0},
        {"attachments", 2},
        {"lang", 0},
    };
    const char *x[12];
    int real = 0;
    json_t *att = NULL;
    if (body_get(r, f, 12, x, &real, &att))
        return 0;
    int en = want_en(r, x[11]);
    files fs;
    /* The files' types and sizes are checked with the other fields, so
     * that every error of the report comes back at once. */
    if (files_get(r, att, &fs, 0, en))
        return 0;
    http_sync_clock(r);
    pl_portal_report rep = {
        .subject_name = x[0],
        .subject_unit_id = x[1],
        .category = x[2],
        .summary = x[3],
        .facts = x[4],
        .real_name = real,
        .reporter_name = x[6],
        .reporter_contact = x[7],
        .reporter_id_number = x[8],
        .passphrase = x[9],
        .attachments = fs.a,
        .nattachments = fs.n,
        .client_addr = addr,
    };
    pl_err e;
    pl_err_init(&e);
    gc_member gm;
    writer *w = writer_lock_group(r->srv, &gm, 0, &e);
    if (!w) {
        files_free(&fs);
        return reply_status(r, PL_ESTORE, &e);
    }
    pl_portal_receipt rec;
    int rc = pl_cases_portal_report(w->cases, &rep, &rec, &e);
    pl_err ge;
    pl_err_init(&ge);
    int grc = writer_unlock_group(r->srv, &gm, &ge);
    if (!rc && grc) {
        rc = grc;
        e = ge;
    }
    files_free(&fs);
    sodium_memzero(addr, sizeof addr);
    if (rc == PL_EINVAL && rec.nerrors) {
        /* Every field error at once, in the reporter's language; the first
         * also as the single {field, message} older clients read. */
        json_t *list = json_array();
        char m[sizeof rec.errors[0].zh + sizeof rec.errors[0].en + 4];
        for (size_t i = 0; i < rec.nerrors; i++) {
            const pl_field_error *fe = &rec.errors[i];
            if (en < 0)
                snprintf(m, sizeof m, "%s / %s", fe->zh, fe->en);
            else
                snprintf(m, sizeof m, "%s", en ? fe->en : fe->zh);
            json_array_append_new(list, json_pack("{s:s, s:s}", "field", fe->field, "message", m));
        }
        json_t *first = json_array_get(list, 0);
        json_t *err =
            json_pack("{s:s, s:s, s:O, s:o}", "code", "invalid", "field", rec.errors[0].field,
                      "message", json_object_get(first, "message"), "errors", list);
        return reply_json(r, 400, json_pack("{s:o}", "error", err));
    }
    if (rc)
        return portal_reply(r, rc, &e, en);
    json_t *o = json_pack("{s:s, s:I}", "receipt", rec.receipt, "seq", (json_int_t)rec.seq);
    sodium_memzero(&rec, sizeof rec);
    return reply_json(r, 201, o);
}

/* The three calls that come back with receipt + passphrase. */
enum back { B_CHECK, B_MATERIAL, B_PROOF };

static int come_back(req *r, enum back b)
{
    char addr[64];
    take_addr(r, addr, sizeof addr);
    static const pfield fc[] = {
        {"receipt", 0}, {"passphrase", 0}, {"lang", 0}, {"text", 0}, {"attachments", 2}};
    const char *x[5] = {0};
    int flag = 0;
    json_t *att = NULL;
    if (body_get(r, fc, b == B_MATERIAL ? 5 : 3, x, &flag, &att))
        return 0;
    int en = want_en(r, x[2]);
    if (!x[0] || !*x[0])
        return reply_error(r, 400, "required", "receipt", "required");
    if (!x[1] || !*x[1])
        return reply_error(r, 400, "required", "passphrase", "required");
    files fs;
    if (files_get(r, att, &fs, 1, en))
        return 0;
    http_sync_clock(r);
    pl_err e;
    pl_err_init(&e);
    writer *w = writer_lock(r->srv, &e);
    if (!w) {
        files_free(&fs);
        return reply_status(r, PL_ESTORE, &e);
    }
    pl_buf out;
    pl_buf_init(&out);
    int rc;
    if (b == B_CHECK)
        rc = pl_cases_portal_check(w->cases, x[0], x[1], addr, &out, &e);
    else if (b == B_MATERIAL)
        rc = pl_cases_portal_add(w->cases, x[0], x[1], addr, x[3], fs.a, fs.n, &e);
    else
        rc = pl_cases_portal_proof(w->cases, x[0], x[1], addr, &out, &e);
    pl_verifier vk;
    pl_buf vks;
    pl_buf_init(&vks);
    if (!rc && b == B_PROOF && pl_ledger_identity(w->l, &vk, NULL) == 0)
        pl_verifier_format(&vks, &vk);
    writer_unlock(r->srv);
    files_free(&fs);
    sodium_memzero(addr, sizeof addr);
    if (rc) {
        pl_buf_release(&out);
        pl_buf_release(&vks);
        return portal_reply(r, rc, &e, en);
    }
    if (b == B_MATERIAL) {
        pl_buf_release(&out);
        pl_buf_release(&vks);
        return reply_json(r, 201, json_pack("{s:s}", "outcome", "added"));
    }
    json_t *o = json_loadb(out.data, out.len, 0, NULL);
    pl_buf_release(&out);
    if (o && vks.len)
        json_object_set_new(o, "log_key", json_string(vks.data));
    pl_buf_release(&vks);
    return o ? reply_json(r, 200, o) : reply_status(r, PL_EINTERNAL, NULL);
}

static int h_check(req *r)
{
    return come_back(r, B_CHECK);
}
static int h_material(req *r)
{
    return come_back(r, B_MATERIAL);
}
static int h_proof(req *r)
{
    return come_back(r, B_PROOF);
}

/* Public: no session is read. Their limits are the library's, per address
 * and per receipt per hour (docs/CASES.md §5), plus PORTAL_MAX_BODY. */
static const route portal_routes[] = {
    {"GET", "/portal/api/units", "public", NULL, h_units, "Portal: units to choose from", 0},
    {"POST", "/portal/api/reports", "public", NULL, h_report,
     "Portal: file a report (no account) → {receipt, seq}", 1},
    {"POST", "/portal/api/check", "public", NULL, h_check,
     "Portal: {receipt, passphrase} → status and replies", 1},
    {"POST", "/portal/api/material", "public", NULL, h_material,
     "Portal: add text and attachments to one's report", 1},
    {"POST", "/portal/api/proof", "public", NULL, h_proof,
     "Portal: ledger inclusion proof and signed checkpoint of the report", 1},
};

const route *routes_portal(size_t *n)
{
    *n = sizeof portal_routes / sizeof portal_routes[0];
    return portal_routes;
}
