/*
 * escalate.c — clue escalation between levels (上级抓下级, issue #21 item
 * 4): sealing a clue to the office key of the level above (libsodium
 * crypto_box_seal), taking it into the upper workflow on import, and the
 * status reports that go back down. See escalate.h; docs/LEVELS.md §9.
 * Layer: levels over cases.
 */
#include "escalate.h"

#include "../cases/cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define BOX_PK 32
#define BOX_SK 32

/* ---------------------------------------------------------- projections */

static const char *jstr(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static void bind_opt(pl_stmt *st, int i, const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    if (v && *v)
        pl_stmt_bind_text(st, i, v);
    else
        pl_stmt_bind_null(st, i);
}

static int step_done(pl_stmt *st, pl_err *e)
{
    int r = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return r == PL_DONE ? 0 : r;
}

/* escalation.sent (the level below) → escalations_out */
static int apply_sent(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        s,
        "INSERT INTO escalations_out(clue_id, to_origin, to_office, box_key, sealed_sha256, "
        "sent_at, status, ev_seq) VALUES(?,?,?,?,?,?,'sent',?)",
        &st, e);
    if (rc)
        return rc;
    char at[21];
    rc = pl_time_format_e(at, ev->time, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, jstr(p, "clue_id"));
    pl_stmt_bind_text(st, 2, jstr(p, "to_origin"));
    pl_stmt_bind_text(st, 3, jstr(p, "to_office"));
    pl_stmt_bind_text(st, 4, jstr(p, "box_key"));
    pl_stmt_bind_text(st, 5, jstr(p, "sealed_sha256"));
    pl_stmt_bind_text(st, 6, at);
    pl_stmt_bind_i64(st, 7, seq);
    return step_done(st, e);
}

/* escalation.update (the level below, from a bundle of the level above) */
static int apply_update(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        s,
        "UPDATE escalations_out SET upper_clue_id = ?, status = ?, method = ?, outcome = ?, "
        "measure = ?, replies = ?, upper_seq = ?, updated_at = ?, ev_seq = ? WHERE clue_id = ?",
        &st, e);
    if (rc)
        return rc;
    char at[21];
    rc = pl_time_format_e(at, ev->time, e);
    if (rc)
        return rc;
    bind_opt(st, 1, p, "upper_clue_id");
    pl_stmt_bind_text(st, 2, jstr(p, "status"));
    bind_opt(st, 3, p, "method");
    bind_opt(st, 4, p, "outcome");
    bind_opt(st, 5, p, "measure");
    pl_stmt_bind_i64(st, 6, json_integer_value(json_object_get(p, "replies")));
    pl_stmt_bind_i64(st, 7, json_integer_value(json_object_get(p, "upper_seq")));
    pl_stmt_bind_text(st, 8, at);
    pl_stmt_bind_i64(st, 9, seq);
    pl_stmt_bind_text(st, 10, jstr(p, "clue_id"));
    return step_done(st, e);
}

/* escalation.accepted (the level above) → escalations_in */
static int apply_accepted(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        s,
        "INSERT INTO escalations_in(origin, origin_clue_id, origin_seq, checkpoint_size, "
        "checkpoint_root, clue_id, office, ev_seq) VALUES(?,?,?,?,?,?,?,?)",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, jstr(p, "origin"));
    pl_stmt_bind_text(st, 2, jstr(p, "origin_clue_id"));
    pl_stmt_bind_i64(st, 3, json_integer_value(json_object_get(p, "origin_seq")));
    pl_stmt_bind_i64(st, 4, json_integer_value(json_object_get(p, "checkpoint_size")));
    pl_stmt_bind_text(st, 5, jstr(p, "checkpoint_root"));
    pl_stmt_bind_text(st, 6, jstr(p, "clue_id"));
    pl_stmt_bind_text(st, 7, jstr(p, "office"));
    pl_stmt_bind_i64(st, 8, seq);
    return step_done(st, e);
}

/* The state an escalation.status reports, as one comparable string. */
static void reported_key(char *out, size_t n, const json_t *p)
{
    snprintf(out, n, "%s|%s|%s|%s|%lld", jstr(p, "status"), jstr(p, "method"), jstr(p, "outcome"),
             jstr(p, "measure"), (long long)json_integer_value(json_object_get(p, "replies")));
}

/* escalation.status (the level above): what was last reported down */
static int apply_status(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        s, "UPDATE escalations_in SET reported = ?, ev_seq = ? WHERE origin = ? AND clue_id = ?",
        &st, e);
    if (rc)
        return rc;
    char key[512];
    reported_key(key, sizeof key, p);
    pl_stmt_bind_text(st, 1, key);
    pl_stmt_bind_i64(st, 2, seq);
    pl_stmt_bind_text(st, 3, jstr(p, "origin"));
    pl_stmt_bind_text(st, 4, jstr(p, "upper_clue_id"));
    return step_done(st, e);
}

/* stats.clues_published: the event is the record (read from the ledger
 * by the level above, from levels_received); nothing to project. */
static int apply_none(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    (void)s, (void)seq, (void)ev, (void)e;
    return 0;
}

void pl_escalate_register(void)
{
    pl_ledger_register_type("stats.clues_published", apply_none);
    pl_ledger_register_type("escalation.sent", apply_sent);
    pl_ledger_register_type("escalation.update", apply_update);
    pl_ledger_register_type("escalation.accepted", apply_accepted);
    pl_ledger_register_type("escalation.status", apply_status);
}

/* ----------------------------------------------------------------- keys */

int pl_escalation_keygen(const char *path, char pk_b64[64], pl_err *e)
{
    uint8_t pk[BOX_PK], sk[BOX_SK];
    crypto_box_keypair(pk, sk);
    char text[128], b64[64];
    pl_b64(b64, sk, sizeof sk);
    int n = snprintf(text, sizeof text, "%s\n%s\n", PL_ESCALATION_KEY_FORMAT, b64);
    int rc = pl_secret_file_create(path, "escalation key file", text, (size_t)n, e);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(text, sizeof text);
    sodium_memzero(b64, sizeof b64);
    if (rc == 0)
        pl_b64(pk_b64, pk, sizeof pk);
    return rc;
}

int pl_escalation_key_read(const char *path, pl_escalation_recv *r, pl_err *e)
{
    char buf[256];
    int rc = pl_secret_file_read(path, "escalation key file", 1, buf, sizeof buf, e);
    if (rc)
        return rc;
    size_t fl = strlen(PL_ESCALATION_KEY_FORMAT "\n");
    char *nl = NULL;
    if (strncmp(buf, PL_ESCALATION_KEY_FORMAT "\n", fl) != 0)
        rc = pl_err_set(e, PL_EINVAL, "%s: not an escalation key file (first line '%s')", path,
                        PL_ESCALATION_KEY_FORMAT);
    else {
        nl = strchr(buf + fl, '\n');
        size_t kl = nl ? (size_t)(nl - (buf + fl)) : strlen(buf + fl);
        uint8_t sk[BOX_SK + 4];
        if (pl_unb64(sk, sizeof sk, buf + fl, kl) != BOX_SK)
            rc = pl_err_set(e, PL_EINVAL, "%s: the key line is not base64 of 32 bytes", path);
        else {
            memcpy(r->sk, sk, BOX_SK);
            crypto_scalarmult_base(r->pk, r->sk);
            r->has_key = 1;
        }
        sodium_memzero(sk, sizeof sk);
    }
    sodium_memzero(buf, sizeof buf);
    return rc;
}

void pl_escalation_recv_wipe(pl_escalation_recv *r)
{
    sodium_memzero(r->sk, sizeof r->sk);
    r->has_key = 0;
}

int pl_escalation_above_read(const char *path, pl_escalation_above *out, pl_err *e)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f)
        return pl_err_set(e, PL_EINVAL, "%s: cannot read: %m", path);
    char line[1024];
    int rc = 0, found = 0, lineno = 0;
    while (rc == 0 && !found && fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *save = NULL;
        char *o = strtok_r(line, " \t\r\n", &save);
        if (!o)
            continue;
        char *k = strtok_r(NULL, " \t\r\n", &save);
        char *name = strtok_r(NULL, "\r\n", &save);
        while (name && (*name == ' ' || *name == '\t'))
            name++;
        uint8_t pk[BOX_PK + 4];
        if (!k || !name || !*name)
            rc = pl_err_set(e, PL_EINVAL,
                            "%s line %d: expected \"<origin> <office key> <office name>\"", path,
                            lineno);
        else if (!pl_note_name_valid(o, strlen(o)) || strlen(o) >= sizeof out->origin)
            rc = pl_err_set(e, PL_EINVAL, "%s line %d: bad origin '%s'", path, lineno, o);
        else if (pl_unb64(pk, sizeof pk, k, strlen(k)) != BOX_PK)
            rc = pl_err_set(e, PL_EINVAL,
                            "%s line %d: the office key is not base64 of 32 bytes "
                            "(plumb escalation keygen prints it)",
                            path, lineno);
        else if (strlen(name) >= sizeof out->office)
            rc = pl_err_set(e, PL_EINVAL, "%s line %d: office name too long", path, lineno);
        else {
            snprintf(out->origin, sizeof out->origin, "%s", o);
            snprintf(out->office, sizeof out->office, "%s", name);
            memcpy(out->pk, pk, BOX_PK);
            found = 1;
        }
    }
    fclose(f);
    if (rc == 0 && !found)
        rc = pl_err_set(e, PL_EINVAL, "%s: no level above configured", path);
    return rc;
}

/* ------------------------------------------------------------ the sender */

/* One text column of a one-row query with one text parameter ("" if
 * NULL); PL_ENOTFOUND if no row. */
static int one_text(pl_store *s, const char *sql, const char *arg, char *out, size_t n, pl_err *e)
{
    out[0] = 0;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, arg);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        snprintf(out, n, "%s", pl_stmt_text(st, 0));
        rc = 0;
    } else if (rc == PL_DONE) {
        rc = PL_ENOTFOUND;
    }
    pl_stmt_reset(st);
    return rc;
}

int pl_escalate_send(pl_store *s, pl_ledger *l, const char *clue_id, const pl_escalation_above *a,
                     const char *actor, int64_t *seq, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(
        s,
        "SELECT channel, category, received_at, subject_person_id, subject_unit_id, "
        "subject_name, summary, facts, handling_unit_id, status FROM case_clues WHERE id = ?",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, clue_id);
    rc = pl_stmt_step(st, e);
    json_t *content = NULL;
    if (rc == PL_DONE) {
        rc = pl_err_set(e, PL_ENOTFOUND, "clue_id: no clue %s", clue_id);
    } else if (rc == PL_ROW) {
        rc = 0;
        if (*pl_stmt_text(st, 8))
            rc = pl_err_set(e, PL_EINVAL,
                            "clue_id: %s is handled by office %s of this store: only a clue with "
                            "no discipline office above in this store is escalated",
                            clue_id, pl_stmt_text(st, 8));
        else if (strcmp(pl_stmt_text(st, 9), "linked") == 0)
            rc = pl_err_set(e, PL_EINVAL, "clue_id: %s is merged into another clue: escalate that",
                            clue_id);
        else
            content = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "clue_id", clue_id,
                                "channel", pl_stmt_text(st, 0), "category", pl_stmt_text(st, 1),
                                "received_at", pl_stmt_text(st, 2), "subject_person_id",
                                pl_stmt_text(st, 3), "subject_unit_id", pl_stmt_text(st, 4),
                                "subject_name", pl_stmt_text(st, 5), "summary", pl_stmt_text(st, 6),
                                "facts", pl_stmt_text(st, 7));
    }
    pl_stmt_finalize(st);
    if (rc)
        return rc;
    char buf[512];
    {
        rc = one_text(s, "SELECT to_origin FROM escalations_out WHERE clue_id = ?", clue_id, buf,
                      sizeof buf, e);
        if (rc == 0)
            rc = pl_err_set(e, PL_EEXIST, "clue_id: %s was escalated to %s already", clue_id, buf);
        else if (rc == PL_ENOTFOUND)
            rc = 0;
    }
    /* The subject's name and unit as the level above needs them. */
    const char *pid = jstr(content, "subject_person_id");
    if (rc == 0 && *pid) {
        int r = one_text(s, "SELECT name FROM persons WHERE id = ?", pid, buf, sizeof buf, e);
        if (r == 0 && !*jstr(content, "subject_name"))
            json_object_set_new(content, "subject_name", json_string(buf));
        else if (r && r != PL_ENOTFOUND)
            rc = r;
    }
    const char *uid = jstr(content, "subject_unit_id");
    if (rc == 0 && *uid) {
        int r = one_text(s, "SELECT name FROM units WHERE id = ?", uid, buf, sizeof buf, e);
        if (r == 0)
            json_object_set_new(content, "subject_unit_name", json_string(buf));
        else if (r != PL_ENOTFOUND)
            rc = r;
    }
    if (rc) {
        json_decref(content);
        return rc;
    }
    pl_buf plain;
    pl_buf_init(&plain);
    rc = pl_json_canonical(&plain, content, e);
    json_decref(content);
    if (rc) {
        pl_buf_release(&plain);
        return rc;
    }
    size_t clen = plain.len + crypto_box_SEALBYTES;
    uint8_t *sealed = pl_malloc(clen);
    crypto_box_seal(sealed, (const uint8_t *)plain.data, plain.len, a->pk);
    sodium_memzero(plain.data, plain.len);
    pl_buf_release(&plain);
    char *sb64 = pl_malloc(pl_b64_len(clen));
    pl_b64(sb64, sealed, clen);
    uint8_t h[PL_HASH_BYTES];
    char hex[2 * PL_HASH_BYTES + 1], kb64[64];
    pl_sha256(h, sealed, clen);
    pl_hex(hex, h, PL_HASH_BYTES);
    pl_b64(kb64, a->pk, BOX_PK);
    free(sealed);
    json_t *p =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "clue_id", clue_id, "to_origin", a->origin,
                  "to_office", a->office, "box_key", kb64, "sealed", sb64, "sealed_sha256", hex);
    free(sb64);
    json_t *subj = json_pack("[s]", clue_id);
    pl_event ev = {.type = "escalation.sent", .actor = actor, .subjects = subj, .payload = p};
    rc = pl_store_begin(s, e);
    if (rc == 0) {
        rc = pl_ledger_append_normal(l, &ev, seq, e);
        if (rc == 0)
            rc = pl_store_commit(s, e);
        else
            pl_store_rollback(s);
    }
    json_decref(subj);
    json_decref(p);
    return rc;
}

/* ------------------------------------------------------------- listing */

static const char *status_zh(const char *st)
{
    static const char *const m[][2] = {{"sent", "已报送，待上级导入"}, {"accepted", "上级已受理"},
                                       {"registered", "已登记"},       {"routed", "已分办"},
                                       {"verifying", "核查中"},        {"verified", "已核实"},
                                       {"held", "暂存待查"},           {"closed", "予以了结"},
                                       {"concluded", "已办结"},        {"archived", "已办结归档"}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(m[i][0], st) == 0)
            return m[i][1];
    return st;
}

static const char *status_en(const char *st)
{
    static const char *const m[][2] = {{"sent", "sent, not yet imported above"},
                                       {"accepted", "accepted above"},
                                       {"registered", "registered"},
                                       {"routed", "routed"},
                                       {"verifying", "under verification"},
                                       {"verified", "verified"},
                                       {"held", "held"},
                                       {"closed", "closed"},
                                       {"concluded", "concluded"},
                                       {"archived", "concluded and archived"}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(m[i][0], st) == 0)
            return m[i][1];
    return st;
}

static const char *outcome_label(const char *o, int en)
{
    static const char *const m[][3] = {
        {"form1", "第一种形态", "form 1"},      {"form2", "第二种形态", "form 2"},
        {"form3", "第三种形态", "form 3"},      {"form4", "第四种形态", "form 4"},
        {"unfounded", "反映失实", "unfounded"}, {"fault_tolerance", "容错", "fault tolerance"}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(m[i][0], o) == 0)
            return m[i][en ? 2 : 1];
    return o;
}

/* The rows of escalations_out (all, or the one of clue_id) for which keep
 * (when given) answers 1, as JSON. */
static int list_rows_keep(pl_store *s, const char *clue_id, json_t *out,
                          int (*keep)(void *ctx, const char *clue_id, pl_err *e), void *ctx,
                          pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(
        s,
        clue_id ? "SELECT clue_id, to_origin, to_office, sent_at, upper_clue_id, status, method, "
                  "outcome, measure, replies, upper_seq, updated_at FROM escalations_out "
                  "WHERE clue_id = ?"
                : "SELECT clue_id, to_origin, to_office, sent_at, upper_clue_id, status, method, "
                  "outcome, measure, replies, upper_seq, updated_at FROM escalations_out "
                  "ORDER BY ev_seq, clue_id",
        &st, e);
    if (rc == 0 && clue_id)
        pl_stmt_bind_text(st, 1, clue_id);
    while (rc == 0 && out && (rc = pl_stmt_step(st, e)) == PL_ROW) {
        rc = 0;
        if (keep) {
            int k = keep(ctx, pl_stmt_text(st, 0), e);
            if (k < 0) {
                rc = k;
                break;
            }
            if (k == 0)
                continue;
        }
        const char *office = pl_stmt_text(st, 2), *upper = pl_stmt_text(st, 4);
        const char *status = pl_stmt_text(st, 5), *outcome = pl_stmt_text(st, 7);
        char zh[1024], en[1024], uz[128] = "", ue[128] = "", oz[128] = "", oe[128] = "";
        if (*upper) {
            snprintf(uz, sizeof uz, "（上级线索 %s）", upper);
            snprintf(ue, sizeof ue, " (their clue %s)", upper);
        }
        if (*outcome) {
            snprintf(oz, sizeof oz, "（%s）", outcome_label(outcome, 0));
            snprintf(oe, sizeof oe, " (%s)", outcome_label(outcome, 1));
        }
        snprintf(zh, sizeof zh, "已移送%s%s：%s%s", office, uz, status_zh(status), oz);
        snprintf(en, sizeof en, "transferred to %s%s: %s%s", office, ue, status_en(status), oe);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "clue_id",
                              pl_stmt_text(st, 0), "to_origin", pl_stmt_text(st, 1), "to_office",
                              office, "sent_at", pl_stmt_text(st, 3), "status", status, "replies",
                              (json_int_t)pl_stmt_i64(st, 9), "text_zh", zh, "text_en", en);
        const char *opt[] = {"upper_clue_id", "method", "outcome", "measure"};
        const int col[] = {4, 6, 7, 8};
        for (int i = 0; i < 4; i++)
            json_object_set_new(o, opt[i],
                                *pl_stmt_text(st, col[i]) ? json_string(pl_stmt_text(st, col[i]))
                                                          : json_null());
        json_object_set_new(o, "upper_seq",
                            *upper ? json_integer(pl_stmt_i64(st, 10)) : json_null());
        json_object_set_new(o, "updated_at",
                            *pl_stmt_text(st, 11) ? json_string(pl_stmt_text(st, 11))
                                                  : json_null());
        json_array_append_new(out, o);
    }
    if (rc == PL_DONE || rc == PL_ROW)
        rc = 0;
    pl_stmt_finalize(st);
    return rc;
}

static int list_rows(pl_store *s, const char *clue_id, json_t *out, pl_err *e)
{
    return list_rows_keep(s, clue_id, out, NULL, NULL, e);
}

int pl_escalate_list_ex(pl_store *s, json_t *out,
                        int (*keep)(void *ctx, const char *clue_id, pl_err *e), void *ctx,
                        pl_err *e)
{
    return list_rows_keep(s, NULL, out, keep, ctx, e);
}

int pl_escalate_list(pl_store *s, json_t *out, pl_err *e)
{
    return list_rows(s, NULL, out, e);
}

int pl_escalate_one(pl_store *s, const char *clue_id, json_t **out, pl_err *e)
{
    json_t *a = json_array();
    int rc = list_rows(s, clue_id, a, e);
    *out = rc == 0 && json_array_size(a) ? json_incref(json_array_get(a, 0)) : NULL;
    json_decref(a);
    return rc;
}

/* ------------------------------------------------------------ the receiver */

static int hook_check(void *ctx, const char *origin, const char *policy, const char *for_origin,
                      pl_err *e)
{
    pl_escalation_recv *r = ctx;
    (void)policy;
    if (for_origin && strcmp(for_origin, r->origin) != 0)
        return pl_err_set(e, PL_EDENIED,
                          "bundle: addressed to %s, not to this store (%s): nothing written",
                          for_origin, r->origin[0] ? r->origin : "no log key");
    (void)origin;
    return 0;
}

/* At the level above: an escalation.sent addressed here becomes a clue. */
static int take_clue(pl_escalation_recv *r, pl_store *s, pl_ledger *l,
                     const pl_bundle_event_info *ev, const json_t *p, pl_err *e)
{
    const char *to = jstr(p, "to_origin"), *cid = jstr(p, "clue_id");
    long long seq = (long long)ev->seq;
    if (strcmp(to, r->origin) != 0)
        return pl_err_set(e, PL_EDENIED,
                          "bundle: event seq %lld: clue %s of %s is escalated to %s, not to this "
                          "level (%s)",
                          seq, cid, ev->origin, to, r->origin);
    if (!r->has_key || !r->office_id[0])
        return pl_err_set(e, PL_EINVAL,
                          "bundle: event seq %lld: clue %s of %s is escalated to this level, and "
                          "this store has no office escalation key (--escalation-key, "
                          "--escalation-office)",
                          seq, cid, ev->origin);
    char kb64[64];
    pl_b64(kb64, r->pk, sizeof r->pk);
    if (strcmp(jstr(p, "box_key"), kb64) != 0)
        return pl_err_set(e, PL_ECRYPTO,
                          "bundle: event seq %lld: clue %s is sealed to office key %s, not to "
                          "this level's (%s)",
                          seq, cid, jstr(p, "box_key"), kb64);
    const char *sb = jstr(p, "sealed");
    size_t sl = strlen(sb);
    uint8_t *box = pl_malloc(sl + 4);
    long bl = pl_unb64(box, sl + 4, sb, sl);
    int rc = 0;
    uint8_t h[PL_HASH_BYTES];
    char hex[2 * PL_HASH_BYTES + 1];
    if (bl > 0)
        pl_sha256(h, box, (size_t)bl), pl_hex(hex, h, PL_HASH_BYTES);
    if (bl <= (long)crypto_box_SEALBYTES || strcmp(hex, jstr(p, "sealed_sha256")) != 0)
        rc = pl_err_set(e, PL_ECRYPTO, "bundle: event seq %lld: clue %s: the sealed box is damaged",
                        seq, cid);
    char *plain = NULL;
    size_t pl = 0;
    if (rc == 0) {
        pl = (size_t)bl - crypto_box_SEALBYTES;
        plain = sodium_malloc(pl + 1);
        if (!plain || crypto_box_seal_open((uint8_t *)plain, box, (size_t)bl, r->pk, r->sk) != 0)
            rc = pl_err_set(e, PL_ECRYPTO,
                            "bundle: event seq %lld: clue %s: the sealed box does not open with "
                            "this level's office key",
                            seq, cid);
        else
            plain[pl] = 0;
    }
    free(box);
    json_t *c = rc == 0 ? json_loadb(plain, pl, 0, NULL) : NULL;
    if (plain) {
        sodium_memzero(plain, pl);
        sodium_free(plain);
    }
    if (rc == 0 && (!json_is_object(c) || strcmp(jstr(c, "clue_id"), cid) != 0))
        rc = pl_err_set(e, PL_ECRYPTO,
                        "bundle: event seq %lld: clue %s: the sealed content is not that clue's",
                        seq, cid);
    /* Already taken in (the same clue escalated twice): keep the first. */
    char have[128] = "";
    if (rc == 0) {
        pl_stmt *st = NULL;
        rc = pl_store_prepare_cached(
            s, "SELECT clue_id FROM escalations_in WHERE origin = ? AND origin_clue_id = ?", &st,
            e);
        if (rc == 0) {
            pl_stmt_bind_text(st, 1, ev->origin);
            pl_stmt_bind_text(st, 2, cid);
            int x = pl_stmt_step(st, e);
            if (x == PL_ROW)
                snprintf(have, sizeof have, "%s", pl_stmt_text(st, 0));
            else if (x != PL_DONE)
                rc = x;
            pl_stmt_reset(st);
        }
    }
    if (rc || have[0]) {
        json_decref(c);
        return rc;
    }
    /* The subject as this store knows it: the person (national id) or the
     * unit if registered here; else by name, for the office. */
    char buf[256];
    const char *pid = jstr(c, "subject_person_id"), *uid = jstr(c, "subject_unit_id");
    int known_p =
        *pid && one_text(s, "SELECT id FROM persons WHERE id = ?", pid, buf, sizeof buf, e) == 0;
    int known_u =
        *uid && one_text(s, "SELECT id FROM units WHERE id = ?", uid, buf, sizeof buf, e) == 0;
    char ref[512], name[300];
    snprintf(ref, sizeof ref, "%s#%s", ev->origin, cid);
    snprintf(name, sizeof name, "%s", *jstr(c, "subject_name") ? jstr(c, "subject_name") : cid);
    char actor[PL_KEY_NAME_MAX + 16];
    snprintf(actor, sizeof actor, "levels:%s", ev->origin);
    pl_viewer v = {.role = PL_CASES_ROLE_SYSTEM, .actor = actor};
    pl_clue_input in = {.channel = "escalation",
                        .category = jstr(c, "category"),
                        .subject_person_id = known_p ? pid : NULL,
                        .subject_unit_id = known_u ? uid : NULL,
                        .subject_name = name,
                        .summary = jstr(c, "summary"),
                        .facts = jstr(c, "facts"),
                        .source_ref = ref,
                        .handling_office_id = r->office_id};
    pl_cases *cs = NULL;
    pl_clue_result res;
    rc = pl_cases_new(&cs, s, l, e);
    if (rc == 0)
        rc = pl_cases_intake(cs, &v, &in, &res, e);
    pl_cases_free(cs);
    if (rc) {
        pl_err w;
        pl_err_init(&w);
        pl_err_set(&w, rc, "bundle: event seq %lld: clue %s of %s could not be taken in: %s", seq,
                   cid, ev->origin, e->msg);
        *e = w;
        json_decref(c);
        return rc;
    }
    json_decref(c);
    json_t *pa = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:s}", "origin", ev->origin,
                           "origin_clue_id", cid, "origin_seq", (json_int_t)ev->seq,
                           "checkpoint_size", (json_int_t)ev->checkpoint_size, "checkpoint_root",
                           ev->checkpoint_root, "clue_id", res.clue_id, "office", r->office_id);
    json_t *subj = json_pack("[s]", res.clue_id);
    pl_event ae = {.type = "escalation.accepted", .actor = actor, .subjects = subj, .payload = pa};
    rc = pl_ledger_append_normal(l, &ae, NULL, e);
    json_decref(subj);
    json_decref(pa);
    return rc;
}

/* At the level below: the level above reports on a clue sent up. */
static int take_status(pl_escalation_recv *r, pl_store *s, pl_ledger *l,
                       const pl_bundle_event_info *ev, const json_t *p, pl_err *e)
{
    long long seq = (long long)ev->seq;
    const char *cid = jstr(p, "origin_clue_id");
    if (strcmp(jstr(p, "origin"), r->origin) != 0)
        return pl_err_set(e, PL_EDENIED,
                          "bundle: event seq %lld (%s): about clue %s of %s, not of this store "
                          "(%s)",
                          seq, ev->type, cid, jstr(p, "origin"), r->origin);
    char to[PL_KEY_NAME_MAX];
    int rc = one_text(s, "SELECT to_origin FROM escalations_out WHERE clue_id = ?", cid, to,
                      sizeof to, e);
    if (rc == PL_ENOTFOUND || (rc == 0 && strcmp(to, ev->origin) != 0))
        return pl_err_set(e, PL_ENOTFOUND,
                          "bundle: event seq %lld (%s): clue %s was not escalated by this store "
                          "to %s (unknown clue): nothing written",
                          seq, ev->type, cid, ev->origin);
    if (rc)
        return rc;
    int accepted = strcmp(ev->type, "escalation.accepted") == 0;
    json_t *u =
        json_pack("{s:s, s:s, s:s, s:I, s:s, s:I}", "clue_id", cid, "from_origin", ev->origin,
                  "upper_clue_id", jstr(p, accepted ? "clue_id" : "upper_clue_id"), "upper_seq",
                  (json_int_t)ev->seq, "status", accepted ? "accepted" : jstr(p, "status"),
                  "replies", (json_int_t)json_integer_value(json_object_get(p, "replies")));
    const char *opt[] = {"method", "outcome", "measure", "office"};
    for (int i = 0; i < 4 && !accepted; i++)
        if (*jstr(p, opt[i]))
            json_object_set_new(u, opt[i], json_string(jstr(p, opt[i])));
    /* Whatever the level above reports, never more than this: no content. */
    json_t *subj = json_pack("[s]", cid);
    pl_event ue = {.type = "escalation.update", .actor = "levels", .subjects = subj, .payload = u};
    {
        /* A report older than the one recorded (a bundle from an earlier
         * range) must not move the state back. */
        int64_t last = -1;
        pl_stmt *st = NULL;
        rc = pl_store_prepare_cached(s, "SELECT upper_seq FROM escalations_out WHERE clue_id = ?",
                                     &st, e);
        if (rc == 0) {
            pl_stmt_bind_text(st, 1, cid);
            if (pl_stmt_step(st, e) == PL_ROW && *pl_stmt_text(st, 0))
                last = pl_stmt_i64(st, 0);
            pl_stmt_reset(st);
        }
        if (rc == 0 && last >= ev->seq) {
            json_decref(subj);
            json_decref(u);
            return 0;
        }
    }
    if (rc == 0)
        rc = pl_ledger_append_normal(l, &ue, NULL, e);
    json_decref(subj);
    json_decref(u);
    return rc;
}

static int hook_event(void *ctx, pl_store *s, pl_ledger *l, const pl_bundle_event_info *ev,
                      pl_err *e)
{
    pl_escalation_recv *r = ctx;
    int sent = strcmp(ev->type, "escalation.sent") == 0;
    int back =
        strcmp(ev->type, "escalation.accepted") == 0 || strcmp(ev->type, "escalation.status") == 0;
    int down = ev->for_origin != NULL;
    if (!sent && !back) {
        if (down)
            return pl_err_set(e, PL_EINVAL,
                              "bundle: event seq %lld: %s is not an escalation report (policy %s)",
                              (long long)ev->seq, ev->type, ev->policy);
        return 0;
    }
    if (sent == down || !ev->payload)
        return pl_err_set(e, PL_EINVAL, "bundle: event seq %lld: %s in a bundle of policy %s%s",
                          (long long)ev->seq, ev->type, ev->policy,
                          ev->payload ? "" : " without its payload");
    json_t *p = json_loadb(ev->payload, ev->payload_len, 0, NULL);
    int rc = sent ? take_clue(r, s, l, ev, p, e) : take_status(r, s, l, ev, p, e);
    json_decref(p);
    return rc;
}

void pl_escalation_hook(pl_bundle_hook *h, pl_escalation_recv *r)
{
    h->check = hook_check;
    h->event = hook_event;
    h->ctx = r;
}

/* ---------------------------------------------------------------- sync */

int pl_escalate_sync(pl_store *s, pl_ledger *l, const char *actor, int64_t *n, pl_err *e)
{
    *n = 0;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(
        s,
        "SELECT i.origin, i.origin_clue_id, i.clue_id, i.office, COALESCE(i.reported, ''), "
        "c.status, c.method, c.outcome, c.measure, "
        "(SELECT count(*) FROM case_replies r WHERE r.clue_id = i.clue_id), "
        "COALESCE((SELECT u.name FROM units u WHERE u.id = i.office), i.office) "
        "FROM escalations_in i JOIN case_clues c ON c.id = i.clue_id ORDER BY i.ev_seq",
        &st, e);
    json_t *todo = json_array();
    while (rc == 0 && (rc = pl_stmt_step(st, e)) == PL_ROW) {
        rc = 0;
        json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "origin", pl_stmt_text(st, 0),
                              "origin_clue_id", pl_stmt_text(st, 1), "upper_clue_id",
                              pl_stmt_text(st, 2), "office", pl_stmt_text(st, 10), "status",
                              pl_stmt_text(st, 5), "replies", (json_int_t)pl_stmt_i64(st, 9));
        const char *opt[] = {"method", "outcome", "measure"};
        for (int i = 0; i < 3; i++)
            if (*pl_stmt_text(st, 6 + i))
                json_object_set_new(p, opt[i], json_string(pl_stmt_text(st, 6 + i)));
        char key[512];
        reported_key(key, sizeof key, p);
        if (strcmp(key, pl_stmt_text(st, 4)) != 0)
            json_array_append(todo, p);
        json_decref(p);
    }
    if (rc == PL_DONE)
        rc = 0;
    pl_stmt_finalize(st);
    if (rc == 0 && json_array_size(todo))
        rc = pl_store_begin(s, e);
    size_t i;
    json_t *p;
    int began = rc == 0 && json_array_size(todo);
    json_array_foreach(todo, i, p)
    {
        if (rc)
            break;
        json_t *subj = json_pack("[s]", jstr(p, "upper_clue_id"));
        pl_event ev = {.type = "escalation.status", .actor = actor, .subjects = subj, .payload = p};
        rc = pl_ledger_append_normal(l, &ev, NULL, e);
        json_decref(subj);
        if (rc == 0)
            (*n)++;
    }
    if (began) {
        if (rc == 0)
            rc = pl_store_commit(s, e);
        else
            pl_store_rollback(s);
    }
    if (rc)
        *n = 0;
    json_decref(todo);
    return rc;
}

/* --------------------------------------------------------------- stats */

int pl_escalate_publish_stats(pl_store *s, pl_ledger *l, const char *from, const char *to,
                              const char *actor, int64_t *seq, pl_err *e)
{
    pl_cases *c = NULL;
    int rc = pl_cases_new(&c, s, l, e);
    pl_buf b;
    pl_buf_init(&b);
    pl_viewer v = {.role = PL_CASES_ROLE_SYSTEM, .actor = actor};
    if (rc == 0)
        rc = pl_cases_stats(c, &v, from, to, &b, e);
    pl_cases_free(c);
    json_t *st = rc == 0 ? json_loadb(b.data, b.len, 0, NULL) : NULL;
    pl_buf_release(&b);
    if (rc == 0 && !json_is_object(st))
        rc = pl_err_set(e, PL_EINTERNAL, "clue statistics are not a JSON object");
    if (rc) {
        json_decref(st);
        return rc;
    }
    json_object_del(st, "from");
    json_object_del(st, "to");
    json_t *p =
        json_pack("{s:s, s:s, s:o}", "from", from ? from : "", "to", to ? to : "", "stats", st);
    json_t *subj = json_array();
    pl_event ev = {.type = "stats.clues_published", .actor = actor, .subjects = subj, .payload = p};
    rc = pl_store_begin(s, e);
    if (rc == 0) {
        rc = pl_ledger_append_normal(l, &ev, seq, e);
        if (rc == 0)
            rc = pl_store_commit(s, e);
        else
            pl_store_rollback(s);
    }
    json_decref(subj);
    json_decref(p);
    return rc;
}
