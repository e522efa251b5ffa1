/*
 * cosigs.c — the log's side of the witness protocol: which size a witness
 * last cosigned for us (from the stored checkpoints), the add-checkpoint
 * request for a stored checkpoint, and storing the cosignature/v1 lines a
 * witness returned into that checkpoint's note. Layer: ledger.
 * Protocol: https://c2sp.org/tlog-witness; docs/LEVELS.md.
 */
#include "witness.h"

#include "ledger_int.h"

#include <stdlib.h>
#include <string.h>

int pl_ledger_witness_old_size(pl_ledger *l, const pl_verifier *w, int64_t *old, pl_err *e)
{
    *old = 0;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(l->s, "SELECT size, note FROM ledger_checkpoints ORDER BY size DESC",
                              &st, e);
    while (rc == 0) {
        int r = pl_stmt_step(st, e);
        if (r != PL_ROW) {
            rc = r == PL_DONE ? 0 : r;
            break;
        }
        size_t len = 0;
        const char *note = pl_stmt_textn(st, 1, &len);
        pl_note n;
        pl_err ne;
        pl_err_init(&ne);
        if (note && pl_note_parse(&n, note, len, &ne) == 0) {
            int ok = pl_note_verify(&n, w, &ne) == 0;
            pl_note_release(&n);
            if (ok) {
                *old = pl_stmt_i64(st, 0);
                break;
            }
        }
    }
    pl_stmt_finalize(st);
    return rc;
}

int pl_ledger_witness_request(pl_ledger *l, const char *note, size_t note_len, int64_t old,
                              pl_buf *out, pl_err *e)
{
    pl_note n;
    int rc = pl_note_parse(&n, note, note_len, e);
    if (rc)
        return rc;
    pl_checkpoint cp;
    rc = pl_checkpoint_parse(&cp, n.text, n.text_len, e);
    pl_note_release(&n);
    if (rc)
        return rc;
    if (old < 0 || old > cp.size)
        return pl_err_set(e, PL_EINVAL,
                          "the witness holds size %lld, beyond this checkpoint (%lld)",
                          (long long)old, (long long)cp.size);
    uint8_t(*proof)[PL_HASH_BYTES] = pl_calloc(64, PL_HASH_BYTES);
    size_t np = 0;
    if (old > 0 && old < cp.size)
        rc = pl_ledger_consistency_proof(l, old, cp.size, proof, &np, e);
    if (rc == 0 && np > PL_WITNESS_MAX_PROOF)
        rc = pl_err_set(e, PL_EINTERNAL, "consistency proof longer than %d hashes",
                        PL_WITNESS_MAX_PROOF);
    if (rc == 0)
        pl_witness_req_format(out, old, (const uint8_t(*)[PL_HASH_BYTES])proof, np, note, note_len);
    free(proof);
    return rc;
}

int pl_ledger_add_cosignature(pl_ledger *l, const char *note, size_t note_len, const char *lines,
                              size_t lines_len, const pl_verifier *w, pl_err *e)
{
    pl_note n;
    int rc = pl_note_parse(&n, note, note_len, e);
    if (rc)
        return rc;
    /* The answer's lines on the note's text: parse as one note, keep the
     * witness's lines (others are ignored, as the spec says) if valid. */
    pl_buf both;
    pl_buf_init(&both);
    pl_buf_add(&both, n.text, n.text_len);
    pl_buf_addc(&both, '\n');
    pl_buf_add(&both, lines, lines_len);
    pl_note r;
    rc = pl_note_parse(&r, both.data, both.len, e);
    if (rc)
        rc = pl_ledger__wrap(e, PL_EINVAL, "the witness's answer is not signature lines");
    if (rc == 0) {
        rc = pl_note_verify(&r, w, e);
        if (rc == PL_ENOTFOUND)
            rc = pl_err_set(e, PL_ECRYPTO, "the witness's answer has no cosignature by %s+%08x",
                            w->name, w->key_id);
        else if (rc)
            rc = pl_ledger__wrap(e, PL_ECRYPTO, "the witness's cosignature");
    }
    pl_buf merged;
    pl_buf_init(&merged);
    if (rc == 0) {
        pl_buf_add(&merged, n.text, n.text_len);
        pl_buf_addc(&merged, '\n');
        /* The stored lines (an older cosignature by the same key replaced). */
        const char *sigs = note + n.text_len + 1;
        const char *end = note + note_len;
        for (size_t i = 0; i < n.nsigs; i++) {
            const char *nl = memchr(sigs, '\n', (size_t)(end - sigs));
            if (!(n.sigs[i].key_id == w->key_id && strcmp(n.sigs[i].name, w->name) == 0))
                pl_buf_add(&merged, sigs, (size_t)(nl - sigs) + 1);
            sigs = nl + 1;
        }
        const char *p = lines, *lend = lines + lines_len;
        for (size_t i = 0; i < r.nsigs; i++) {
            const char *nl = memchr(p, '\n', (size_t)(lend - p));
            if (r.sigs[i].key_id == w->key_id && strcmp(r.sigs[i].name, w->name) == 0)
                pl_buf_add(&merged, p, (size_t)(nl - p) + 1);
            p = nl + 1;
        }
    }
    if (rc == 0) {
        pl_stmt *st = NULL;
        rc = pl_store_begin(l->s, e);
        if (rc == 0)
            rc =
                pl_store_prepare(l->s, "UPDATE ledger_checkpoints SET note=? WHERE note=?", &st, e);
        if (rc == 0) {
            pl_stmt_bind_textn(st, 1, merged.data, merged.len);
            pl_stmt_bind_textn(st, 2, note, note_len);
            rc = pl_stmt_step(st, e);
            rc = rc == PL_DONE ? 0 : rc < 0 ? rc : 0;
            pl_stmt_finalize(st);
        }
        if (rc == 0 && pl_store_changes(l->s) != 1)
            rc = pl_err_set(e, PL_ENOTFOUND, "the checkpoint is no longer stored");
        if (rc == 0)
            rc = pl_store_commit(l->s, e);
        else
            pl_store_rollback(l->s);
    }
    pl_buf_release(&merged);
    pl_buf_release(&both);
    if (r.text || r.sigs)
        pl_note_release(&r);
    pl_note_release(&n);
    return rc;
}

int pl_ledger_witnessed_checkpoint(pl_ledger *l, const pl_verifier *ws, size_t nws, pl_buf *note,
                                   int64_t *size, pl_err *e)
{
    *size = -1;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(l->s, "SELECT size, note FROM ledger_checkpoints ORDER BY size DESC",
                              &st, e);
    while (rc == 0 && *size < 0) {
        int r = pl_stmt_step(st, e);
        if (r != PL_ROW) {
            rc = r == PL_DONE ? 0 : r;
            break;
        }
        size_t len = 0;
        const char *text = pl_stmt_textn(st, 1, &len);
        pl_note n;
        pl_err ne;
        pl_err_init(&ne);
        if (text && pl_note_parse(&n, text, len, &ne) == 0) {
            for (size_t i = 0; i < nws && *size < 0; i++)
                if (pl_note_verify(&n, &ws[i], &ne) == 0) {
                    *size = pl_stmt_i64(st, 0);
                    pl_buf_add(note, text, len);
                }
            pl_note_release(&n);
        }
    }
    pl_stmt_finalize(st);
    if (rc == 0 && *size < 0)
        rc = pl_err_set(e, PL_ENOTFOUND, "no stored checkpoint is cosigned by %s",
                        nws ? ws[0].name : "a witness");
    return rc;
}
