/*
 * portal.c — the reporter portal's library (DESIGN.md §7, §8): file a report
 * without an account, come back with receipt + passphrase (argon2id), read
 * replies, add material, get the RFC 9162 inclusion proof with a C2SP signed
 * checkpoint; per-address and per-receipt rate limits under a keyed hash of
 * the address that is never stored with the report. Layer: cases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cases_int.h"

int cs_intake(pl_cases *c, const pl_viewer *v, const pl_clue_input *in, const char *origin,
              json_t *extra, pl_clue_result *out, pl_err *e);
void cs_receipt_new(char out[PL_CASES_RECEIPT_DIGITS + 1]);

/* Argon2id limits for reporter passphrases (libsodium's interactive; the
 * minimum under PLUMB_TEST_PWHASH_MIN). */
#define PASS_OPSLIMIT pl_pwhash_opslimit(crypto_pwhash_OPSLIMIT_INTERACTIVE)
#define PASS_MEMLIMIT pl_pwhash_memlimit(crypto_pwhash_MEMLIMIT_INTERACTIVE)

static const pl_viewer portal_viewer = {.role = PL_CASES_ROLE_REPORTER, .actor = "portal"};

/* ------------------------------------------------------------ rate limits */

/* The per-store random key of the address hash (created on first use). */
static int rate_key(pl_cases *c, uint8_t key[32], pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(c->s, "SELECT key FROM portal_secret WHERE id = 1", &st, e);
    if (rc)
        return rc;
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        size_t n;
        const void *k = pl_stmt_blob(st, 0, &n);
        rc = n == 32 ? 0 : pl_err_set(e, PL_ECORRUPT, "portal_secret: bad key");
        if (!rc)
            memcpy(key, k, 32);
        pl_stmt_reset(st);
        return rc;
    }
    pl_stmt_reset(st);
    if (rc < 0)
        return rc;
    randombytes_buf(key, 32);
    rc = pl_store_prepare_cached(c->s, "INSERT INTO portal_secret(id, key) VALUES(1, ?)", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_blob(st, 1, key, 32);
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return rc == PL_DONE ? 0 : rc;
}

/* bucket = kind ":" hex(BLAKE2b-128_key(value)) */
static int bucket(pl_cases *c, const char *kind, const char *value, char out[64], pl_err *e)
{
    uint8_t key[32], h[16];
    int rc = rate_key(c, key, e);
    if (rc)
        return rc;
    const char *v = value && *value ? value : "-";
    crypto_generichash(h, sizeof h, (const uint8_t *)v, strlen(v), key, sizeof key);
    sodium_memzero(key, sizeof key);
    char hex[33];
    pl_hex(hex, h, sizeof h);
    snprintf(out, 64, "%s:%s", kind, hex);
    return 0;
}

static int64_t hour_now(void)
{
    return pl_time_now() / 3600;
}

static int rate_get(pl_cases *c, const char *b, int64_t *n, pl_err *e)
{
    *n = 0;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        c->s, "SELECT count FROM portal_rate WHERE bucket = ? AND hour = ?", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, b);
    pl_stmt_bind_i64(st, 2, hour_now());
    if ((rc = pl_stmt_step(st, e)) == PL_ROW)
        *n = pl_stmt_i64(st, 0);
    pl_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

/* Count one more in the bucket, committed at once (survives the error the
 * caller is about to return) and prune windows older than a day. */
static int rate_bump(pl_cases *c, const char *b, pl_err *e)
{
    int rc = pl_store_begin(c->s, e);
    if (rc)
        return rc;
    pl_stmt *st;
    rc = pl_store_prepare_cached(
        c->s,
        "INSERT INTO portal_rate(bucket, hour, count) VALUES(?, ?, 1) ON "
        "CONFLICT(bucket, hour) DO UPDATE SET count = portal_rate.count + 1",
        &st, e);
    if (!rc) {
        pl_stmt_bind_text(st, 1, b);
        pl_stmt_bind_i64(st, 2, hour_now());
        rc = pl_stmt_step(st, e);
        pl_stmt_reset(st);
        rc = rc == PL_DONE ? 0 : rc;
    }
    if (!rc) {
        rc = pl_store_prepare_cached(c->s, "DELETE FROM portal_rate WHERE hour < ?", &st, e);
        if (!rc) {
            pl_stmt_bind_i64(st, 1, hour_now() - 24);
            rc = pl_stmt_step(st, e);
            pl_stmt_reset(st);
            rc = rc == PL_DONE ? 0 : rc;
        }
    }
    if (rc) {
        pl_store_rollback(c->s);
        return rc;
    }
    return pl_store_commit(c->s, e);
}

static int limited(pl_err *e, const char *what_zh, const char *what_en)
{
    char until[21];
    pl_time_format_clock(until, (hour_now() + 1) * 3600);
    return pl_err_set(e, PL_EDENIED, "%s，请于 %s 之后再试 / %s: try again after %s", what_zh,
                      until, what_en, until);
}

/* -------------------------------------------------------------- reports */

static size_t chars(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* One more field error; a bilingual library message "中文 / English" is
 * split into its two languages. */
/* Copy at most n-1 bytes of s[0..len) (cut on a UTF-8 boundary). */
static void copy_cut(char *dst, size_t n, const char *s, size_t len)
{
    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(dst, s, len);
    dst[len] = 0;
}

static void field_err(pl_portal_receipt *o, const char *field, const char *zh, const char *en)
{
    if (o->nerrors >= PL_PORTAL_MAX_ERRORS)
        return;
    pl_field_error *f = &o->errors[o->nerrors++];
    f->field = field;
    copy_cut(f->zh, sizeof f->zh, zh, strlen(zh));
    copy_cut(f->en, sizeof f->en, en, strlen(en));
}

/* A bilingual library message "中文 / English", split in its languages. */
static void field_err_split(pl_portal_receipt *o, const char *field, const char *msg)
{
    const char *sep = strstr(msg, " / ");
    if (!sep || o->nerrors >= PL_PORTAL_MAX_ERRORS) {
        field_err(o, field, msg, msg);
        return;
    }
    pl_field_error *f = &o->errors[o->nerrors++];
    f->field = field;
    copy_cut(f->zh, sizeof f->zh, msg, (size_t)(sep - msg));
    copy_cut(f->en, sizeof f->en, sep + 3, strlen(sep + 3));
}

static int in_categories(const char *s)
{
    static const char *const cats[] = {"power", "money", "personnel", "conduct", "other"};
    for (size_t i = 0; s && i < sizeof cats / sizeof cats[0]; i++)
        if (!strcmp(s, cats[i]))
            return 1;
    return 0;
}

/* Every field error of a report at once, into out->errors (no write). */
static int portal_validate(pl_cases *c, const pl_portal_report *r, pl_portal_receipt *o, pl_err *e)
{
    if (!r->subject_unit_id || !*r->subject_unit_id) {
        field_err(o, "subject_unit_id", "请选择被反映人所在单位", "choose the unit reported");
    } else {
        int64_t k = 0;
        int rc = pl_store_query_i64(c->s, &k, e, "SELECT count(*) FROM units WHERE id = ?",
                                    r->subject_unit_id, NULL);
        if (rc)
            return rc;
        if (!k)
            field_err(o, "subject_unit_id", "所选单位不存在，请从列表中选择",
                      "no such unit: choose one from the list");
    }
    if (!r->category || !*r->category)
        field_err(o, "category", "请选择问题类别", "choose the kind of problem");
    else if (!in_categories(r->category))
        field_err(o, "category", "问题类别无效，请从列表中选择",
                  "unknown kind of problem: choose one from the list");
    if (!r->summary || !*r->summary)
        field_err(o, "summary", "请填写摘要", "the summary is required");
    else if (chars(r->summary) > PL_CASES_SUMMARY_MAX)
        field_err(o, "summary", "摘要过长（最多2000字）", "the summary is over 2000 characters");
    if (r->facts && strlen(r->facts) > PL_CASES_FACTS_MAX)
        field_err(o, "facts", "反映内容过长（最多64KB）", "the facts are over 64 KiB");
    if (r->real_name && !(r->reporter_name && *r->reporter_name))
        field_err(o, "reporter_name", "实名举报须填写姓名", "a real-name report needs your name");
    if (!r->passphrase || !*r->passphrase)
        field_err(o, "passphrase", "请设置查询密码", "choose a passphrase");
    else if (chars(r->passphrase) < 8)
        field_err(o, "passphrase", "查询密码至少8个字符",
                  "the passphrase needs at least 8 characters");
    if (r->nattachments > PL_CASES_ATTACH_COUNT)
        field_err(o, "attachments", "附件过多（最多10个）", "more than 10 files");
    for (size_t i = 0; i < r->nattachments && i < PL_CASES_ATTACH_COUNT; i++) {
        const char *kind;
        pl_err ae;
        pl_err_init(&ae);
        if (pl_cases_attachment_check(&r->attachments[i], &kind, &ae))
            field_err_split(o, "attachments", ae.msg);
    }
    return 0;
}

int pl_cases_portal_report(pl_cases *c, const pl_portal_report *r, pl_portal_receipt *out,
                           pl_err *e)
{
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return pl_err_set(e, PL_ECRYPTO, "libsodium failed to initialise");
    pl_cases_params prm;
    int rc = pl_cases_params_for(c, r->subject_unit_id, &prm, e);
    if (rc)
        return rc;
    /* Two counters per address and hour: accepted reports (the limit a
     * reporter meets) and rejected ones (a higher limit, so that probing
     * with invalid reports is bounded too). */
    char b[64], bx[64];
    int64_t n, nx;
    if ((rc = bucket(c, "report", r->client_addr, b, e)) || (rc = rate_get(c, b, &n, e)) ||
        (rc = bucket(c, "reject", r->client_addr, bx, e)) || (rc = rate_get(c, bx, &nx, e)))
        return rc;
    if (n >= prm.portal_reports_per_hour)
        return limited(e, "本地址一小时内提交次数已达上限",
                       "too many reports from this address "
                       "this hour");
    if (nx >= prm.portal_rejects_per_hour)
        return limited(e, "本地址一小时内被退回的提交过多",
                       "too many rejected reports from this address this hour");
    if ((rc = portal_validate(c, r, out, e)))
        return rc;
    if (out->nerrors) {
        if ((rc = rate_bump(c, bx, e)))
            return rc;
        return pl_err_set(e, PL_EINVAL, "%s: %s / %s", out->errors[0].field, out->errors[0].zh,
                          out->errors[0].en);
    }
    /* The identity, sealed: only what the reporter gave. */
    json_t *id = json_object();
    if (r->real_name && r->reporter_name && *r->reporter_name)
        json_object_set_new(id, "name", json_string(r->reporter_name));
    if (r->reporter_contact && *r->reporter_contact)
        json_object_set_new(id, "contact", json_string(r->reporter_contact));
    if (r->real_name && r->reporter_id_number && *r->reporter_id_number)
        json_object_set_new(id, "id_number", json_string(r->reporter_id_number));
    char *identity = json_object_size(id) ? json_dumps(id, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(id);
    /* A real-name reporter who is a known person is watched for
     * retaliation (R11): clue_reporters holds the link. */
    char reporter[PL_CASES_ID_MAX + 1] = "";
    if (r->real_name && r->reporter_id_number && *r->reporter_id_number) {
        int64_t k = 0;
        rc = pl_store_query_i64(c->s, &k, e, "SELECT count(*) FROM persons WHERE id = ?",
                                r->reporter_id_number, NULL);
        if (rc) {
            free(identity);
            return rc;
        }
        if (k)
            cs_copy(reporter, sizeof reporter, r->reporter_id_number);
    }
    char receipt[PL_CASES_RECEIPT_DIGITS + 1], rh[65];
    for (int tries = 0;; tries++) {
        cs_receipt_new(receipt);
        cs_receipt_hash(rh, receipt);
        int64_t k = 0;
        rc = pl_store_query_i64(
            c->s, &k, e, "SELECT count(*) FROM case_receipts WHERE receipt_hash = ?", rh, NULL);
        if (rc || !k || tries > 8)
            break;
    }
    char ph[crypto_pwhash_STRBYTES];
    if (!rc) {
        pl_pwhash_enter();
        if (crypto_pwhash_str(ph, r->passphrase, strlen(r->passphrase), PASS_OPSLIMIT,
                              PASS_MEMLIMIT) != 0)
            rc = pl_err_set(e, PL_ENOMEM, "argon2id: out of memory");
        pl_pwhash_leave();
    }
    if (rc) {
        free(identity);
        return rc;
    }
    pl_clue_input in = {
        .channel = "online",
        .category = r->category,
        .subject_unit_id = r->subject_unit_id,
        .subject_name = r->subject_name,
        .summary = r->summary,
        .facts = r->facts,
        .real_name = r->real_name != 0,
        .reporter_person_id = reporter[0] ? reporter : NULL,
        .reporter_identity = identity,
        .attachments = r->attachments,
        .nattachments = r->nattachments,
    };
    pl_clue_result res;
    json_t *extra = json_pack("{s:s,s:s}", "receipt_hash", rh, "pass_hash", ph);
    /* Leaves are published: the portal's events (and what the rules
     * append with them) carry the day, not the second, in their headers;
     * the exact time stays in the payload (received_time). */
    pl_ledger_set_public_time(c->l, PL_CASES_PORTAL_PUBLIC_TIME);
    rc = cs_intake(c, &portal_viewer, &in, "portal", extra, &res, e);
    pl_ledger_set_public_time(c->l, 0);
    if (identity) {
        sodium_memzero(identity, strlen(identity));
        free(identity);
    }
    if (rc) {
        /* What the library refuses (an invalid field the checks above
         * did not catch) counts as a rejected attempt. */
        if (rc == PL_EINVAL) {
            pl_err be;
            pl_err_init(&be);
            rate_bump(c, bx, &be);
        }
        return rc;
    }
    /* Only an accepted report counts toward the reports limit. */
    pl_err be;
    pl_err_init(&be);
    if (rate_bump(c, b, &be))
        fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"portal: rate counter not bumped\"}\n");
    memcpy(out->receipt, receipt, sizeof out->receipt);
    out->seq = res.seq;
    return 0;
}

/* Receipt + passphrase → the clue, with the failure limits. */
static int portal_auth(pl_cases *c, const char *receipt, const char *passphrase, const char *addr,
                       cs_clue *g, pl_err *e)
{
    if (sodium_init() < 0)
        return pl_err_set(e, PL_ECRYPTO, "libsodium failed to initialise");
    pl_cases_params prm;
    int rc = pl_cases_params_for(c, NULL, &prm, e);
    if (rc)
        return rc;
    char ba[64], br[64];
    int64_t na, nr;
    if ((rc = bucket(c, "fail", addr, ba, e)) || (rc = rate_get(c, ba, &na, e)))
        return rc;
    if (na >= prm.portal_failures_per_hour)
        return limited(e, "本地址一小时内查询失败次数过多",
                       "too many failed attempts from this "
                       "address this hour");
    /* A typo is caught by the check digit and costs nothing. */
    if (!pl_cases_receipt_valid(receipt))
        return pl_err_set(e, PL_EINVAL,
                          "受理编号有误（应为16位数字，校验位不符），请核对 / the receipt code is "
                          "mistyped (16 digits with a check digit): please check it");
    char rh[65];
    cs_receipt_hash(rh, receipt);
    if ((rc = bucket(c, "receipt", rh, br, e)) || (rc = rate_get(c, br, &nr, e)))
        return rc;
    if (nr >= prm.portal_receipt_failures)
        return limited(e, "该受理编号一小时内密码错误次数过多",
                       "too many wrong passphrases for "
                       "this receipt this hour");
    pl_stmt *st;
    rc = pl_store_prepare_cached(c->s,
                                 "SELECT receipt_hash, clue_id, pass_hash FROM case_receipts "
                                 "WHERE receipt_hash = ?",
                                 &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, rh);
    rc = pl_stmt_step(st, e);
    char clue[PL_CASES_ID_MAX + 1] = "", ph[crypto_pwhash_STRBYTES] = "";
    int found = 0;
    if (rc == PL_ROW) {
        found = sodium_memcmp(pl_stmt_text(st, 0), rh, 64) == 0;
        cs_copy(clue, sizeof clue, pl_stmt_text(st, 1));
        cs_copy(ph, sizeof ph, pl_stmt_text(st, 2));
    }
    pl_stmt_reset(st);
    if (rc < 0)
        return rc;
    const char *pw = passphrase ? passphrase : "";
    int ok;
    pl_pwhash_enter();
    if (found) {
        ok = crypto_pwhash_str_verify(ph, pw, strlen(pw)) == 0;
    } else {
        /* Same work for an unknown receipt: no timing oracle. */
        static char dummy[crypto_pwhash_STRBYTES];
        if (!dummy[0] &&
            crypto_pwhash_str(dummy, "dummy passphrase", 16, PASS_OPSLIMIT, PASS_MEMLIMIT) != 0) {
            pl_pwhash_leave();
            return pl_err_set(e, PL_ENOMEM, "argon2id: out of memory");
        }
        ok = crypto_pwhash_str_verify(dummy, pw, strlen(pw)) == 2; /* never */
    }
    pl_pwhash_leave();
    if (!ok) {
        if ((rc = rate_bump(c, ba, e)) || (rc = rate_bump(c, br, e)))
            return rc;
        return pl_err_set(e, PL_EDENIED,
                          "受理编号或查询密码不正确 / receipt code or passphrase is wrong");
    }
    return cs_load(c, clue, g, e);
}

static const char *public_status(const char *status)
{
    if (!strcmp(status, "registered") || !strcmp(status, "linked") || !strcmp(status, "routed"))
        return "received";
    if (!strcmp(status, "concluded") || !strcmp(status, "closed") || !strcmp(status, "archived"))
        return "concluded";
    return "in_progress";
}

/* The outcome a reporter is told, in public words (never the internal
 * form): substantiated (form1..form4), tolerated (fault_tolerance),
 * unfounded, closed (disposed of without verification), or concluded
 * (no recorded outcome); NULL while the report is being handled. */
static const char *public_outcome(const cs_clue *p)
{
    if (!strcmp(p->status, "closed"))
        return "closed";
    if (strcmp(p->status, "concluded") && strcmp(p->status, "archived"))
        return NULL;
    if (!strncmp(p->outcome, "form", 4))
        return "substantiated";
    if (!strcmp(p->outcome, "fault_tolerance"))
        return "tolerated";
    if (!strcmp(p->outcome, "unfounded"))
        return "unfounded";
    return "concluded";
}

static int add_rows(pl_cases *c, json_t *o, const char *key, const char *sql, const char *id,
                    pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(c->s, sql, &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    json_t *arr = json_array();
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        json_t *r = json_object();
        for (int i = 0; i < pl_stmt_ncols(st); i++) {
            if (pl_stmt_type(st, i) == PL_COL_INT)
                json_object_set_new(r, pl_stmt_colname(st, i), json_integer(pl_stmt_i64(st, i)));
            else
                json_object_set_new(r, pl_stmt_colname(st, i), json_string(pl_stmt_text(st, i)));
        }
        json_array_append_new(arr, r);
    }
    pl_stmt_reset(st);
    json_object_set_new(o, key, arr);
    return rc < 0 ? rc : 0;
}

int pl_cases_portal_check(pl_cases *c, const char *receipt, const char *passphrase,
                          const char *client_addr, pl_buf *out, pl_err *e)
{
    cs_clue g;
    int rc = portal_auth(c, receipt, passphrase, client_addr, &g, e);
    if (rc)
        return rc;
    /* The public face of the clue: its own group's status, no internals. */
    cs_clue p = g;
    if (strcmp(g.group_id, g.id) != 0 && (rc = cs_load(c, g.group_id, &p, e)))
        return rc;
    json_t *o = json_pack("{s:s,s:s,s:s}", "receipt", receipt, "received_at", g.received_at,
                          "status", public_status(p.status));
    if (p.concluded_at[0] || !strcmp(p.status, "closed"))
        json_object_set_new(o, "concluded_at",
                            json_string(p.concluded_at[0] ? p.concluded_at : p.disposed_at));
    const char *outcome = public_outcome(&p);
    if (outcome)
        json_object_set_new(o, "outcome", json_string(outcome));
    /* Whether pl_cases_portal_add would take material (the page offers
     * its form only then). */
    json_object_set_new(o, "can_add", json_boolean(strcmp(g.status, "archived") != 0));
    rc = add_rows(c, o, "replies",
                  "SELECT at, text FROM case_replies WHERE clue_id = ? ORDER BY seq", g.id, e);
    if (!rc)
        rc =
            add_rows(c, o, "materials",
                     "SELECT at, text FROM case_materials WHERE clue_id = ? ORDER BY seq", g.id, e);
    if (!rc)
        rc = add_rows(c, o, "attachments",
                      "SELECT name, kind, size, added_at FROM case_attachments WHERE clue_id = ? "
                      "AND source = 'reporter' ORDER BY id",
                      g.id, e);
    if (!rc) {
        char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        pl_buf_adds(out, s);
        free(s);
    }
    json_decref(o);
    return rc;
}

int pl_cases_portal_add(pl_cases *c, const char *receipt, const char *passphrase,
                        const char *client_addr, const char *text, const pl_attachment *att,
                        size_t natt, pl_err *e)
{
    cs_clue g;
    int rc = portal_auth(c, receipt, passphrase, client_addr, &g, e);
    if (rc)
        return rc;
    if (!(text && *text) && natt == 0)
        return pl_err_set(e, PL_EINVAL, "nothing to add / 请填写补充内容或上传附件");
    if (text && strlen(text) > PL_CASES_FACTS_MAX)
        return pl_err_set(e, PL_EINVAL, "text over 64 KiB / 补充内容过长");
    if (!strcmp(g.status, "archived"))
        return pl_err_set(e, PL_EINVAL, "the report is archived / 该件已归档，不能补充材料");
    pl_cases_params prm;
    char b[64];
    int64_t n;
    if ((rc = pl_cases_params_for(c, NULL, &prm, e)) ||
        (rc = bucket(c, "report", client_addr, b, e)) || (rc = rate_get(c, b, &n, e)))
        return rc;
    if (n >= prm.portal_reports_per_hour)
        return limited(e, "本地址一小时内提交次数已达上限",
                       "too many submissions from this "
                       "address this hour");
    if ((rc = rate_bump(c, b, e)))
        return rc;
    rc = pl_store_begin(c->s, e);
    if (rc)
        return rc;
    json_t *atts = NULL;
    if (natt)
        rc = cs_store_attachments(c, att, natt, &atts, e);
    if (!rc) {
        char now[21];
        pl_time_format_clock(now, pl_time_now());
        json_t *p = json_pack("{s:s,s:s,s:s,s:s}", "id", g.id, "text", text ? text : "", "source",
                              "reporter", "added_time", now);
        if (atts)
            json_object_set_new(p, "attachments", atts);
        /* The header says the day only (as for the report itself). */
        pl_ledger_set_public_time(c->l, PL_CASES_PORTAL_PUBLIC_TIME);
        rc = cs_append(c, "clue.material_added", "portal", json_pack("[s]", g.id), p, NULL, e);
        pl_ledger_set_public_time(c->l, 0);
    }
    if (rc) {
        pl_store_rollback(c->s);
        return rc;
    }
    return pl_store_commit(c->s, e);
}

/* ------------------------------------------------------------------ proofs */

int pl_cases_portal_proof(pl_cases *c, const char *receipt, const char *passphrase,
                          const char *client_addr, pl_buf *out, pl_err *e)
{
    cs_clue g;
    int rc = portal_auth(c, receipt, passphrase, client_addr, &g, e);
    if (rc)
        return rc;
    int64_t seq = -1;
    rc = pl_store_query_i64(c->s, &seq, e,
                            "SELECT seq FROM case_history WHERE clue_id = ? AND type = "
                            "'clue.received'",
                            g.id, NULL);
    if (rc)
        return rc;
    pl_buf note;
    pl_buf_init(&note);
    pl_checkpoint cp = {0};
    pl_note n = {0};
    rc = pl_ledger_latest_checkpoint(c->l, &note, e);
    if (!rc && (rc = pl_note_parse(&n, note.data, note.len, e)) == 0)
        rc = pl_checkpoint_parse(&cp, n.text, n.text_len, e);
    pl_note_release(&n);
    if ((rc == PL_ENOTFOUND || (!rc && cp.size <= seq)) && c->signer) {
        pl_buf_reset(&note);
        pl_err_init(e);
        rc = pl_ledger_checkpoint(c->l, c->signer, &note, NULL, e);
        memset(&n, 0, sizeof n);
        if (!rc && (rc = pl_note_parse(&n, note.data, note.len, e)) == 0)
            rc = pl_checkpoint_parse(&cp, n.text, n.text_len, e);
        pl_note_release(&n);
    }
    if (!rc && cp.size <= seq)
        rc = pl_err_set(e, PL_ENOTFOUND,
                        "no signed checkpoint covers the report yet: try again later / "
                        "尚无覆盖该件的签名检查点，请稍后再试");
    uint8_t(*proof)[PL_HASH_BYTES] = NULL;
    size_t np = 0;
    pl_event_rec rec = {0};
    if (!rc)
        rc = pl_ledger_get(c->l, seq, &rec, e);
    if (!rc) {
        proof = pl_malloc(PL_MAX_PROOF * PL_HASH_BYTES);
        rc = pl_ledger_inclusion_proof(c->l, seq, cp.size, proof, &np, e);
    }
    if (!rc) {
        char hex[65];
        pl_hex(hex, rec.leaf_hash, PL_HASH_BYTES);
        json_t *o = json_pack("{s:I,s:s,s:s%,s:I,s:s}", "seq", (json_int_t)seq, "leaf_hash", hex,
                              "leaf", rec.header, rec.header_len, "tree_size", (json_int_t)cp.size,
                              "checkpoint", note.data);
        json_t *arr = json_array();
        for (size_t i = 0; i < np; i++) {
            pl_hex(hex, proof[i], PL_HASH_BYTES);
            json_array_append_new(arr, json_string(hex));
        }
        json_object_set_new(o, "proof", arr);
        char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        pl_buf_adds(out, s);
        free(s);
        json_decref(o);
    }
    free(proof);
    pl_event_rec_release(&rec);
    pl_buf_release(&note);
    return rc;
}

int pl_cases_proof_verify(const char *proof_json, const pl_verifier *log_key, pl_err *e)
{
    json_error_t je;
    json_t *o = json_loads(proof_json ? proof_json : "", 0, &je);
    if (!o)
        return pl_err_set(e, PL_EINVAL, "proof: not JSON (line %d: %s)", je.line, je.text);
    int rc = 0;
    const json_t *jseq = json_object_get(o, "seq"), *jsize = json_object_get(o, "tree_size");
    const char *leaf = cs_jstr(o, "leaf_hash"), *note = cs_jstr(o, "checkpoint");
    const json_t *arr = json_object_get(o, "proof");
    uint8_t lh[PL_HASH_BYTES];
    uint8_t(*proof)[PL_HASH_BYTES] = NULL;
    size_t np = json_array_size(arr);
    if (!json_is_integer(jseq) || !json_is_integer(jsize) || !leaf || !note ||
        !json_is_array(arr) || np > PL_MAX_PROOF || pl_unhex(lh, sizeof lh, leaf) != 0)
        rc = pl_err_set(e, PL_EINVAL, "proof: missing or malformed field");
    const char *leafbytes = cs_jstr(o, "leaf");
    if (!rc && leafbytes) {
        /* The leaf is the event header: its hash must be leaf_hash. */
        uint8_t h[PL_HASH_BYTES];
        pl_merkle_leaf_hash(h, leafbytes, strlen(leafbytes));
        if (sodium_memcmp(h, lh, sizeof h) != 0)
            rc = pl_err_set(e, PL_ECRYPTO, "proof: leaf_hash is not the hash of leaf");
    }
    if (!rc) {
        proof = pl_malloc((np ? np : 1) * PL_HASH_BYTES);
        for (size_t i = 0; i < np && !rc; i++) {
            const char *h = json_string_value(json_array_get(arr, i));
            if (!h || pl_unhex(proof[i], PL_HASH_BYTES, h) != 0)
                rc = pl_err_set(e, PL_EINVAL, "proof: hash %zu is not 64 hex digits", i);
        }
    }
    pl_note n = {0};
    pl_checkpoint cp;
    if (!rc)
        rc = pl_note_parse(&n, note, strlen(note), e);
    if (!rc && (rc = pl_note_verify(&n, log_key, e)) != 0)
        rc = pl_err_set(e, PL_ECRYPTO, "proof: the checkpoint is not signed by %s", log_key->name);
    if (!rc)
        rc = pl_checkpoint_parse(&cp, n.text, n.text_len, e);
    if (!rc && cp.size != json_integer_value(jsize))
        rc = pl_err_set(e, PL_ECRYPTO, "proof: tree_size %lld differs from the checkpoint's %lld",
                        (long long)json_integer_value(jsize), (long long)cp.size);
    if (!rc && pl_merkle_verify_inclusion(lh, json_integer_value(jseq), cp.size,
                                          (const uint8_t(*)[PL_HASH_BYTES])proof, np, cp.root) != 0)
        rc = pl_err_set(e, PL_ECRYPTO,
                        "proof: leaf %lld is not included in the checkpoint's tree of size %lld",
                        (long long)json_integer_value(jseq), (long long)cp.size);
    pl_note_release(&n);
    free(proof);
    json_decref(o);
    return rc;
}
