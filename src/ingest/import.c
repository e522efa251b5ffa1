/*
 * import.c — the batch importer: sources and their entities, inputs read in
 * blocks of whole lines, encoding pass, header mapping, per-row validation
 * (model), duplicate keys within a batch, recording (registry → ledger) in
 * one transaction, rejects, counts. Layer: ingest (above model, ledger,
 * store). Spec: docs/IMPORT.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "ingest.h"
#include "ingest_int.h"
#include "util/jarena.h"

/* -------------------------------------------------------------- sources */

typedef struct source_def {
    const char *kind;
    const char *label_zh;
    const char *label_en;
    const char *entities[6];
} source_def;

/* The order of `plumb import --all`. */
static const source_def SOURCES[] = {
    {"org", "组织部干部名册", "organisation cadre list", {"unit", "post", "person", "tenure"}},
    {"police",
     "公安户籍与出入境",
     "police household and exit-entry",
     {"person", "kin", "registry_record", "person_record"}},
    {"market",
     "市场监管企业与股东",
     "market regulation companies and shareholders",
     {"person", "company", "company_role", "registry_record", "person_record"}},
    {"realestate", "不动产登记", "real estate", {"registry_record"}},
    {"securities", "证券登记", "securities", {"registry_record"}},
    {"vehicles", "车辆登记", "vehicles", {"registry_record"}},
    {"contracts", "合同", "contracts", {"contract"}},
    {"meetings", "会议纪要", "meeting minutes", {"meeting", "decision", "speech"}},
    {"finance", "财务支付", "finance payments", {"payment"}},
    {"declarations", "个人有关事项报告", "declarations", {"declaration", "declaration_item"}},
    {"evaluations", "考核测评", "evaluations", {"evaluation"}},
    {"supervision",
     "日常监督",
     "supervision activities",
     {"supervision_activity", "accountability"}},
    {"clues", "问题线索", "clues", {"clue", "clue_reporter", "disposition", "accountability"}},
};
#define NSOURCES (sizeof SOURCES / sizeof SOURCES[0])

static const source_def *find_source(const char *kind, int *order)
{
    for (size_t i = 0; i < NSOURCES; i++)
        if (kind && strcmp(SOURCES[i].kind, kind) == 0) {
            if (order)
                *order = (int)i;
            return &SOURCES[i];
        }
    return NULL;
}

const char *const *pl_ingest_sources(void)
{
    static const char *names[NSOURCES + 1];
    if (!names[0])
        for (size_t i = 0; i < NSOURCES; i++)
            names[i] = SOURCES[i].kind;
    return names;
}

const char *const *pl_ingest_source_entities(const char *source)
{
    const source_def *s = find_source(source, NULL);
    return s ? s->entities : NULL;
}

const char *pl_ingest_source_label(const char *source, int english)
{
    const source_def *s = find_source(source, NULL);
    if (!s)
        return source;
    return english ? s->label_en : s->label_zh;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

int pl_ingest_file_entity(const char *path, const pl_entity **out, int *jsonl, pl_err *e)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    /* A rejects file "x.csv.rejects.csv" holds the rows of "x.csv". */
    if (ends_with(base, n, ".rejects.csv"))
        n -= strlen(".rejects.csv");
    int is_jsonl;
    if (ends_with(base, n, ".csv"))
        n -= 4, is_jsonl = 0;
    else if (ends_with(base, n, ".jsonl"))
        n -= 6, is_jsonl = 1;
    else
        return pl_err_set(e, PL_EINVAL, "%s: not a .csv, .jsonl, .xlsx or .xls file", path);
    size_t i = 0;
    while (i < n && base[i] >= '0' && base[i] <= '9')
        i++;
    if (i > 0 && i < n && base[i] == '_')
        i++;
    else
        i = 0;
    char name[64];
    if (n - i >= sizeof name || n == i)
        return pl_err_set(e, PL_EINVAL, "%s: the file name does not name an entity", path);
    memcpy(name, base + i, n - i);
    name[n - i] = 0;
    const pl_entity *ent = pl_model_entity(name);
    if (!ent || strcmp(ent->table, name) != 0)
        return pl_err_set(e, PL_EINVAL,
                          "%s: '%s' is not an entity table (units, persons, payments, ...)", path,
                          name);
    *out = ent;
    if (jsonl)
        *jsonl = is_jsonl;
    return 0;
}

/* ------------------------------------------------- blocks of whole lines */

#define BLOCK_BYTES (1u << 20)

/* Reads an input as blocks that end at a '\n' (the last may not), so that
 * neither encoding ever sees a sequence cut in two ('\n' is never inside a
 * UTF-8 or GB18030 sequence) and line numbers stay simple. */
typedef struct blocks {
    const pl_ingest_input *in;
    int fd;
    size_t pos;   /* memory input: next offset */
    pl_buf buf;   /* file input: buffered bytes */
    size_t taken; /* file input: bytes of buf handed out last time */
    int eof;
    int first;
    uint64_t done; /* bytes handed out so far (with the BOM) */
} blocks;

static int blocks_open(blocks *b, const pl_ingest_input *in, pl_err *e)
{
    memset(b, 0, sizeof *b);
    b->in = in;
    b->fd = -1;
    b->first = 1;
    pl_buf_init(&b->buf);
    if (!in->data) {
        b->fd = open(in->name, O_RDONLY | O_CLOEXEC);
        if (b->fd < 0)
            return pl_err_set(e, errno == ENOENT ? PL_ENOTFOUND : PL_EIO, "%s: %s", in->name,
                              strerror(errno));
        posix_fadvise(b->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    return 0;
}

static void blocks_close(blocks *b)
{
    if (b->fd >= 0)
        close(b->fd);
    pl_buf_release(&b->buf);
}

/* Next block: 1 with *p, *len set; 0 at the end; <0 on a read error. */
static int blocks_next(blocks *b, const char **p, size_t *len, pl_err *e)
{
    if (!b->in->data) {
        if (b->taken) {
            memmove(b->buf.data, b->buf.data + b->taken, b->buf.len - b->taken);
            b->buf.len -= b->taken;
            b->taken = 0;
        }
        size_t scanned = 0, cut = 0; /* cut: bytes up to the last '\n' seen */
        for (;;) {
            if (b->buf.len > scanned) {
                const char *nl = memrchr(b->buf.data + scanned, '\n', b->buf.len - scanned);
                if (nl)
                    cut = (size_t)(nl - b->buf.data) + 1;
                scanned = b->buf.len;
            }
            if (b->eof || (cut && b->buf.len >= BLOCK_BYTES)) {
                size_t n = b->eof ? b->buf.len : cut;
                if (n == 0)
                    return 0;
                b->taken = n;
                *p = b->buf.data;
                *len = n;
                b->done += n;
                return 1;
            }
            pl_buf_grow(&b->buf, BLOCK_BYTES);
            ssize_t r = read(b->fd, b->buf.data + b->buf.len, BLOCK_BYTES);
            if (r < 0) {
                if (errno == EINTR)
                    continue;
                return pl_err_set(e, PL_EIO, "%s: read: %s", b->in->name, strerror(errno));
            }
            if (r == 0)
                b->eof = 1;
            b->buf.len += (size_t)r;
            b->buf.data[b->buf.len] = 0;
        }
    }
    const char *data = b->in->data;
    size_t total = b->in->len;
    if (b->pos >= total)
        return 0;
    size_t n = total - b->pos;
    if (n > BLOCK_BYTES) {
        const char *nl = memrchr(data + b->pos, '\n', BLOCK_BYTES);
        if (!nl)
            nl = memchr(data + b->pos + BLOCK_BYTES, '\n', n - BLOCK_BYTES);
        if (nl)
            n = (size_t)(nl - (data + b->pos)) + 1;
    }
    *p = data + b->pos;
    *len = n;
    b->pos += n;
    b->done += n;
    return 1;
}

/* Next block with a leading byte-order mark removed (and noted in *bom_enc). */
static int blocks_next_nobom(blocks *b, const char **p, size_t *len, pl_encoding *bom_enc,
                             pl_err *e)
{
    int rc = blocks_next(b, p, len, e);
    if (rc == 1 && b->first) {
        b->first = 0;
        pl_encoding enc = PL_ENC_AUTO;
        size_t skip = pl_ingest__bom(*p, *len, &enc, e);
        if (skip == (size_t)-1)
            return PL_EINVAL;
        *p += skip;
        *len -= skip;
        if (bom_enc)
            *bom_enc = enc;
    }
    return rc;
}

/* ----------------------------------------------------------------- jobs */

typedef struct job {
    const pl_ingest_input *in;
    size_t given; /* position in the caller's list */
    const pl_entity *ent;
    size_t ent_idx;
    int src_order;
    int jsonl;
    pl_encoding enc;
    uint64_t size;
    char actor[96];
    pl_xlsx *wb;                /* .xlsx input: its workbook (owned by imp.wbs), else NULL */
    size_t sheet;               /* .xlsx input: the sheet */
    char *rej_head;             /* pipelined, partial: the rejects section's header line */
    size_t rej_cols, rej_ncols; /* and the columns a reject keeps, of ncols */
} job;

static int job_cmp(const void *a, const void *b)
{
    const job *x = a, *y = b;
    if (x->ent_idx != y->ent_idx)
        return x->ent_idx < y->ent_idx ? -1 : 1;
    if (x->src_order != y->src_order)
        return x->src_order < y->src_order ? -1 : 1;
    if (x->given != y->given)
        return x->given < y->given ? -1 : 1;
    return x->sheet < y->sheet ? -1 : x->sheet > y->sheet;
}

/* ------------------------------------------------------ keys of the batch */

/* Ids recorded in this batch: a 64-bit keyed hash of (entity, id) with the
 * place of its first occurrence. A hit is confirmed against the stored row
 * (a recorded row is always stored): an absent row means a collision, and
 * only a collision with a stored row of other content could be reported
 * wrongly (probability ~n²/2^65 per batch). 16 bytes per row. */
typedef struct seen_entry {
    uint64_t h; /* 0 = empty */
    uint32_t line;
    uint32_t job;
} seen_entry;

typedef struct seen_tab {
    seen_entry *v;
    size_t cap, n;
} seen_tab;

/* SipHash-2-4 (libsodium crypto_shorthash) of (entity, id) under a key
 * drawn per batch: no input can make ids collide on purpose. */
static uint64_t key_hash(const uint8_t key[crypto_shorthash_KEYBYTES], size_t ent_idx,
                         const char *id)
{
    uint8_t buf[80];
    size_t n = strlen(id);
    if (n > sizeof buf - 1)
        n = sizeof buf - 1;
    buf[0] = (uint8_t)ent_idx;
    memcpy(buf + 1, id, n);
    uint8_t out[crypto_shorthash_BYTES];
    crypto_shorthash(out, buf, n + 1, key);
    uint64_t h;
    memcpy(&h, out, sizeof h);
    return h ? h : 1;
}

static seen_entry *seen_find(seen_tab *t, uint64_t h)
{
    if (!t->cap)
        return NULL;
    for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        if (t->v[i].h == h)
            return &t->v[i];
        if (!t->v[i].h)
            return NULL;
    }
}

static void seen_put(seen_tab *t, uint64_t h, int64_t line, size_t jobi)
{
    if ((t->n + 1) * 4 > t->cap * 3) {
        size_t ncap = t->cap ? t->cap * 2 : 4096;
        seen_entry *nv = pl_calloc(ncap, sizeof *nv);
        for (size_t k = 0; k < t->cap; k++) {
            if (!t->v[k].h)
                continue;
            size_t i = t->v[k].h & (ncap - 1);
            while (nv[i].h)
                i = (i + 1) & (ncap - 1);
            nv[i] = t->v[k];
        }
        free(t->v);
        t->v = nv;
        t->cap = ncap;
    }
    size_t i = h & (t->cap - 1);
    while (t->v[i].h) {
        if (t->v[i].h == h)
            return;
        i = (i + 1) & (t->cap - 1);
    }
    t->v[i].h = h;
    t->v[i].line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
    t->v[i].job = (uint32_t)jobi;
    t->n++;
}

/* --------------------------------------------------------- import state */

typedef struct imp {
    pl_store *s;
    pl_ledger *l;
    pl_registry *reg;
    const pl_ingest_opts *o;
    pl_ingest_stats *st;
    pl_err *e;
    job *jobs;
    size_t njobs, cur; /* current job */
    pl_xlsx **wbs;     /* the workbooks of .xlsx inputs */
    size_t nwbs;
    /* .xlsx: problems found before the row path (an Excel error value, a
     * value without a header, a bad date serial), with their columns */
    size_t npending;
    struct {
        size_t col;
        char field[16];
        char reason[160];
    } pending[8];
    long hint_col;   /* column of the problem being reported, -1 = by field */
    uint64_t xdone;  /* .xlsx: XML bytes of the current sheet read */
    int fatal;       /* internal error (store, I/O): abort */
    int file_errors; /* file-level problems: the batch is refused */
    /* header of the current CSV file */
    int have_header;
    size_t ncols;
    const char *col_field[PL_INGEST_MAX_FIELDS]; /* field name, NULL = ignored */
    char *col_orig[PL_INGEST_MAX_FIELDS];
    size_t nused;
    const char *use_names[PL_INGEST_MAX_FIELDS];
    const char *use_values[PL_INGEST_MAX_FIELDS];
    size_t use_col[PL_INGEST_MAX_FIELDS];
    /* the row being processed */
    pl_buf repaired[PL_INGEST_MAX_FIELDS]; /* its repaired values */
    const char *rvalues[PL_INGEST_MAX_FIELDS];
    const char *repair_field; /* the field being repaired */
    int64_t line;
    int row_bad;
    pl_buf row_err;
    /* rejects */
    FILE *rej;
    pl_buf *rej_buf;
    pl_buf rej_line;
    long rej_section; /* job whose rejects section is open, -1 none */
    /* keys */
    seen_tab seen;
    uint8_t seen_key[crypto_shorthash_KEYBYTES];
    /* progress */
    uint64_t total, before; /* bytes of all inputs, of the jobs done */
    blocks *blk;
    int64_t rows_at_progress;
    /* entities whose table was empty when the batch began */
    unsigned char fresh[PL_INGEST_MAX_ENTITIES];
    /* the pipelined import (pipe_run): this state's role, the producer's
     * item being filled, the queue; the writer's bytes done */
    int mode;
    struct pipe_item *pit;
    struct pipe_q *q;
    pl_subject_hasher *hasher; /* the producer's (MODE_PRODUCE) */
    uint64_t pipe_done;
    /* PLUMB_IMPORT_FLOOR_SQL: the SQL the batch ran around its rows */
    pl_buf *floor_before, *floor_after;
    pl_buf floor_settings;
} imp;

enum { MODE_SINGLE = 0, MODE_PRODUCE = 1, MODE_WRITE = 2 };

/* One problem found by the producer, reported by the writer. */
typedef struct pipe_prob {
    int64_t line;
    char *field, *reason, *cell; /* field, cell may be NULL */
    int warning;
    int file; /* a file problem (counted in file_errors) */
} pipe_prob;

/* What the producer hands the writer: problems alone (a file's header), or
 * a record with its problems so far, its normalised row and payload
 * encoding, and what a reject of it writes. */
typedef struct pipe_item {
    int is_row;
    uint32_t job;
    int64_t line;
    int64_t rows;  /* st->rows the producer counted for it */
    int recorded;  /* it reached record_row (record_rest counts it) */
    json_t *row;   /* normalised, or NULL */
    int row_bad;   /* a problem found by the producer rejects it */
    char *row_err; /* their text for the rejects file */
    size_t row_err_len;
    char *enc; /* the payload's canonical bytes, or NULL */
    size_t enc_len;
    char hex[65];
    char *handles_enc; /* the canonical JSON array of the subjects' keyed
                          handles (the header's "subjects"), or NULL */
    size_t handles_enc_len;
    uint64_t seen_h; /* key_hash of the row's id (the batch's key table), or 0 */
    char *initials;  /* a person's pinyin initials, or NULL */
    char *rej;       /* CSV: the reject's fields; JSON Lines: the raw line */
    size_t rej_len;
    json_t *rej_obj; /* JSON Lines: the parsed object, or NULL */
    int jsonl;
    uint64_t done; /* bytes read when it was made (progress) */
    pipe_prob *probs;
    size_t nprobs;
} pipe_item;

static void pipe_prob_add(imp *m, int64_t line, const char *field, const char *reason, int warning,
                          const char *cell);
static void pipe_mark_file(imp *m);
static void pipe_begin_row(imp *m);
static int pipe_end_row(imp *m, const char *const *fields, const size_t *lens, size_t n,
                        int recorded);
static int pipe_end_jsonl(imp *m, json_t *obj, const char *raw, size_t rawlen, int recorded);

/* The cell of a problem of an .xlsx input: "sheet!C7" (the column of
 * `field`, or m->hint_col), "sheet!7:7" for the row, "sheet" for the sheet.
 * 0 (nothing written) for other inputs. */
static int cell_ref(const imp *m, int64_t line, const char *field, char *out, size_t size)
{
    const job *j = &m->jobs[m->cur];
    if (!j->wb)
        return 0;
    const char *sheet = pl_xlsx_sheet_name(j->wb, j->sheet);
    long col = m->hint_col;
    for (size_t i = 0; i < m->ncols && col < 0 && field; i++)
        if ((m->col_field[i] && strcmp(m->col_field[i], field) == 0) ||
            strcmp(m->col_orig[i], field) == 0)
            col = (long)i;
    char letters[8];
    if (line <= 0) {
        snprintf(out, size, "%s", sheet);
    } else if (col < 0) {
        snprintf(out, size, "%s!%lld:%lld", sheet, (long long)line, (long long)line);
    } else {
        pl_xlsx_col_name((size_t)col, letters);
        snprintf(out, size, "%s!%s%lld", sheet, letters, (long long)line);
    }
    return 1;
}

static void problem(imp *m, int64_t line, const char *field, const char *reason, int warning)
{
    if (m->mode == MODE_PRODUCE) {
        /* reported by the writer, in order, when it takes this item */
        char cell[600];
        int has = cell_ref(m, line, field, cell, sizeof cell);
        pipe_prob_add(m, line, field, reason, warning, has ? cell : NULL);
        return;
    }
    if (warning)
        m->st->warnings++;
    else
        m->st->errors++;
    if (m->o->on_problem) {
        pl_ingest_problem p = {.file = m->jobs[m->cur].in->name,
                               .line = line,
                               .field = field && *field ? field : "-",
                               .reason = reason,
                               .warning = warning};
        char cell[600];
        if (cell_ref(m, line, field, cell, sizeof cell))
            p.cell = cell;
        m->o->on_problem(m->o->problem_ctx, &p);
    }
}

/* A problem with the current row: reported, and remembered for the
 * rejects file's error column. */
static void row_problem(imp *m, const char *field, const char *reason)
{
    problem(m, m->line, field, reason, 0);
    m->row_bad = 1;
    if (m->row_err.len)
        pl_buf_adds(&m->row_err, "; ");
    char cell[600];
    if (cell_ref(m, m->line, field, cell, sizeof cell))
        pl_buf_addf(&m->row_err, "%s: %s", cell, reason);
    else
        pl_buf_addf(&m->row_err, "line %lld: %s: %s", (long long)m->line,
                    field && *field ? field : "-", reason);
}

static void file_problem(imp *m, int64_t line, const char *field, const char *reason)
{
    problem(m, line, field, reason, 0);
    if (m->mode == MODE_PRODUCE)
        pipe_mark_file(m); /* the writer counts it too */
    m->file_errors++;
}

/* pl_report_fn for the model: "warning:field" is a warning. */
static void model_report(void *ctx, const char *field, const char *msg)
{
    imp *m = ctx;
    if (field && strncmp(field, "warning:", 8) == 0) {
        problem(m, m->line, field + 8, msg, 1);
        return;
    }
    row_problem(m, field, msg);
}

/* ------------------------------------------------------------- rejects */

static void csv_quote(pl_buf *out, const char *s, size_t n)
{
    int q = n == 0 ? 0 : (s[0] == ' ' || s[n - 1] == ' ');
    for (size_t i = 0; i < n && !q; i++)
        q = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!q) {
        pl_buf_add(out, s, n);
        return;
    }
    pl_buf_addc(out, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            pl_buf_addc(out, '"');
        pl_buf_addc(out, s[i]);
    }
    pl_buf_addc(out, '"');
}

static int rejects_emit(imp *m, const char *text, size_t n)
{
    if (m->rej_buf)
        pl_buf_add(m->rej_buf, text, n);
    if (m->rej && fwrite(text, 1, n, m->rej) != n)
        return pl_err_set(m->e, PL_EIO, "%s: write: %s", m->st->rejects_path, strerror(errno));
    return 0;
}

static int rejects_open(imp *m)
{
    if (m->rej || !m->st->rejects_path[0])
        return 0;
    m->rej = fopen(m->st->rejects_path, "w");
    if (!m->rej)
        return pl_err_set(m->e, PL_EIO, "%s: %s", m->st->rejects_path, strerror(errno));
    return 0;
}

/* The columns a CSV reject keeps: a re-imported rejects file's old error
 * column is not data. */
static size_t reject_cols(const imp *m)
{
    size_t cols = m->ncols;
    if (cols > 1 && !m->col_field[cols - 1])
        cols--;
    return cols;
}

/* The header line of a rejects section (the current file's columns). */
static void reject_csv_head(const imp *m, pl_buf *b)
{
    size_t cols = reject_cols(m);
    for (size_t i = 0; i < cols; i++) {
        csv_quote(b, m->col_orig[i], strlen(m->col_orig[i]));
        pl_buf_addc(b, ',');
    }
    pl_buf_adds(b, "error\n");
}

/* A reject's record, each field followed by ',' (short ones padded). */
static void reject_csv_fields(const imp *m, pl_buf *b, const char *const *fields,
                              const size_t *lens, size_t n)
{
    size_t cols = reject_cols(m), keep = n < cols ? n : cols;
    if (cols == m->ncols)
        keep = n;
    for (size_t i = 0; i < keep; i++) {
        csv_quote(b, fields[i], lens[i]);
        pl_buf_addc(b, ',');
    }
    /* Pad short records so the error column stays last. */
    for (size_t i = n; i < cols; i++)
        pl_buf_addc(b, ',');
}

/* A CSV reject: the section's header (once per file), then the record
 * (given as its formatted fields) plus "error". */
static int reject_csv_emit(imp *m, const char *head, const char *rec, size_t reclen)
{
    int rc = rejects_open(m);
    if (rc)
        return rc;
    pl_buf *b = &m->rej_line;
    pl_buf_reset(b);
    if (m->rej_section != (long)m->cur) {
        m->rej_section = (long)m->cur;
        pl_buf_adds(b, head ? head : "");
    }
    pl_buf_add(b, rec, reclen);
    csv_quote(b, m->row_err.data, m->row_err.len);
    pl_buf_addc(b, '\n');
    return rejects_emit(m, b->data, b->len);
}

/* A CSV reject: the header (once per file), then the record plus "error". */
static int reject_csv(imp *m, const char *const *fields, const size_t *lens, size_t n)
{
    if (!m->o->partial)
        return 0;
    pl_buf head, rec;
    pl_buf_init(&head);
    pl_buf_init(&rec);
    if (m->rej_section != (long)m->cur)
        reject_csv_head(m, &head);
    reject_csv_fields(m, &rec, fields, lens, n);
    int rc = reject_csv_emit(m, head.data, rec.data, rec.len);
    pl_buf_release(&head);
    pl_buf_release(&rec);
    return rc;
}

/* A JSON Lines reject: the object with an "error" member added. */
static int reject_jsonl(imp *m, json_t *obj, const char *raw, size_t rawlen)
{
    if (!m->o->partial)
        return 0;
    int rc = rejects_open(m);
    if (rc)
        return rc;
    m->rej_section = (long)m->cur;
    json_t *o = json_is_object(obj) ? json_deep_copy(obj) : json_object();
    if (!json_is_object(obj))
        json_object_set_new(o, "raw", json_stringn(raw, rawlen));
    json_object_set_new(o, "error", json_string(m->row_err.data));
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!text)
        return 0;
    pl_buf *b = &m->rej_line;
    pl_buf_reset(b);
    pl_buf_adds(b, text);
    pl_buf_addc(b, '\n');
    free(text);
    return rejects_emit(m, b->data, b->len);
}

/* --------------------------------------------------------------- a row */

/* Is the stored row of `row`'s id identical to it? 1 yes, 0 no, 2 no such
 * row, <0 error. */
static int stored_same(imp *m, const pl_entity *ent, const json_t *row)
{
    pl_buf sql;
    pl_buf_init(&sql);
    pl_buf_adds(&sql, "SELECT ");
    for (size_t i = 0; i < ent->nfields; i++)
        pl_buf_addf(&sql, "%s%s", i ? "," : "", ent->fields[i].name);
    pl_buf_addf(&sql, " FROM %s WHERE id=?", ent->table);
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(m->s, sql.data, &st, m->e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, json_string_value(json_object_get(row, "id")));
    rc = pl_stmt_step(st, m->e);
    int same = 2;
    if (rc == PL_ROW) {
        same = 1;
        for (size_t i = 0; i < ent->nfields && same; i++) {
            const json_t *v = json_object_get(row, ent->fields[i].name);
            int t = pl_stmt_type(st, (int)i);
            if (!v)
                same = t == PL_COL_NULL;
            else if (json_is_integer(v))
                same = t == PL_COL_INT && pl_stmt_i64(st, (int)i) == json_integer_value(v);
            else
                same =
                    t == PL_COL_TEXT && strcmp(pl_stmt_text(st, (int)i), json_string_value(v)) == 0;
        }
    }
    pl_stmt_reset(st);
    return rc < 0 ? rc : same;
}

static void progress(imp *m)
{
    if (!m->o->on_progress || m->mode == MODE_PRODUCE)
        return;
    uint64_t done =
        m->mode == MODE_WRITE ? m->pipe_done : m->before + (m->blk ? m->blk->done : m->xdone);
    m->o->on_progress(m->o->progress_ctx, done > m->total ? m->total : done, m->total);
}

/* ------------------------------------------------ clue rows (workflow) */

static const char *jrow(const json_t *row, const char *k)
{
    const json_t *v = json_object_get(row, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* One text column of a one-row query on `id`; 1 found (out set), 0 none. */
static int one_text(imp *m, const char *sql, const char *id, char *out, size_t n)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(m->s, sql, &st, m->e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    rc = pl_stmt_step(st, m->e);
    if (rc == PL_ROW) {
        const char *t = pl_stmt_text(st, 0);
        snprintf(out, n, "%s", t ? t : "");
        rc = 1;
    } else if (rc == PL_DONE) {
        rc = 0;
    }
    pl_stmt_reset(st);
    return rc;
}

/*
 * Imported clues are workflow clues (docs/CASES.md "Imported clues"), so a
 * clue, disposition or accountability row that would change one must agree
 * with the workflow: a disposition needs its clue and its dates in order (a
 * conclusion after its disposition, which follows the clue's receipt); an
 * accountability naming a clue needs a concluded disposition of it. Each
 * contradiction is a row problem (file:line:field). A new or changed row
 * for a clue the workflow has moved since its import (a step taken in
 * `plumb clue`, the API) is not applied: *skip = 1, with a warning.
 * Returns 0 or an internal error.
 */
static int clue_rows(imp *m, const pl_entity *ent, const json_t *row, int *skip)
{
    *skip = 0;
    int disp = !strcmp(ent->name, "disposition"), acc = !strcmp(ent->name, "accountability");
    if (!disp && !acc && strcmp(ent->name, "clue") != 0)
        return 0;
    const char *clue = disp || acc ? jrow(row, "clue_id") : jrow(row, "id");
    if (!clue)
        return 0;
    int rc = stored_same(m, ent, row);
    if (rc < 0)
        return rc;
    if (rc == 1)
        return 0; /* unchanged: nothing is appended */
    char buf[64], msg[512];
    rc = one_text(m,
                  "SELECT type FROM case_history WHERE clue_id = ? AND type <> 'clue.imported' "
                  "LIMIT 1",
                  clue, buf, sizeof buf);
    if (rc < 0)
        return rc;
    if (rc) {
        snprintf(msg, sizeof msg,
                 "clue '%s' has been handled in the workflow since (%s): this row is not "
                 "applied; record the step there (plumb clue ...)",
                 clue, buf);
        problem(m, m->line, disp || acc ? "clue_id" : "id", msg, 1);
        *skip = 1;
        return 0;
    }
    if (disp) {
        char received[16];
        rc = one_text(m, "SELECT received_at FROM clues WHERE id = ?", clue, received,
                      sizeof received);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            snprintf(msg, sizeof msg,
                     "unknown clue '%s': a disposition needs its clue (clues, in this batch or "
                     "the store)",
                     clue);
            row_problem(m, "clue_id", msg);
            return 0;
        }
        const char *method = jrow(row, "method"), *decided = jrow(row, "decided_at"),
                   *verified = jrow(row, "verified_at"), *concluded = jrow(row, "concluded_at"),
                   *outcome = jrow(row, "outcome");
        if (decided && strcmp(decided, received) < 0) {
            snprintf(msg, sizeof msg, "disposition decided %s before the clue was received %s",
                     decided, received);
            row_problem(m, "decided_at", msg);
        }
        if (verified && decided && strcmp(verified, decided) < 0) {
            snprintf(msg, sizeof msg, "verification %s before the disposition %s", verified,
                     decided);
            row_problem(m, "verified_at", msg);
        }
        if (concluded && decided && strcmp(concluded, decided) < 0) {
            snprintf(msg, sizeof msg, "conclusion %s before the disposition %s", concluded,
                     decided);
            row_problem(m, "concluded_at", msg);
        } else if (concluded && verified && strcmp(concluded, verified) < 0) {
            snprintf(msg, sizeof msg, "conclusion %s before the verification %s", concluded,
                     verified);
            row_problem(m, "concluded_at", msg);
        }
        if (outcome && !concluded) {
            snprintf(msg, sizeof msg, "outcome %s without its conclusion date", outcome);
            row_problem(m, "concluded_at", msg);
        } else if (concluded && !outcome) {
            row_problem(m, "outcome", "a conclusion date without its outcome");
        }
        if (method && !strcmp(method, "hold") && (concluded || outcome))
            row_problem(m, concluded ? "concluded_at" : "outcome",
                        "a held clue (hold, 暂存待查) has no conclusion");
        if (method && !strcmp(method, "close") && outcome && strcmp(outcome, "closed") != 0) {
            snprintf(msg, sizeof msg, "close (予以了结) gives outcome closed, not %s", outcome);
            row_problem(m, "outcome", msg);
        }
        return 0;
    }
    if (acc) {
        rc = one_text(m,
                      "SELECT min(concluded_at) FROM dispositions WHERE clue_id = ? AND "
                      "concluded_at IS NOT NULL",
                      clue, buf, sizeof buf);
        if (rc < 0)
            return rc;
        if (!buf[0] || rc == 0) {
            snprintf(msg, sizeof msg,
                     "accountability for clue '%s', which has no concluded disposition (a "
                     "conclusion before any disposition)",
                     clue);
            row_problem(m, "clue_id", msg);
        }
    }
    return 0;
}

/* A repair of the field m->repair_field: a warning with the before and
 * after (docs/IMPORT.md "Repairs"). */
static void repair_note(void *ctx, const char *what, const char *before, const char *after)
{
    imp *m = ctx;
    char msg[1400];
    snprintf(msg, sizeof msg, "repaired: %s: '%s' → '%s'", what, before, after);
    problem(m, m->line, m->repair_field, msg, 1);
}

/* Repair the row's values before the model sees them: each change a
 * warning, damage that cannot be repaired a row error. *out points at
 * the values to validate (the given ones when nothing changed). */
static int repair_row(imp *m, const char *const *names, const char *const *values, size_t n,
                      const char *const **out)
{
    const pl_entity *ent = m->jobs[m->cur].ent;
    *out = values;
    int changed = 0;
    if (n > PL_INGEST_MAX_FIELDS)
        return 0; /* more names than any entity has fields: the model refuses the row */
    for (size_t i = 0; i < n; i++) {
        pl_buf_reset(&m->repaired[i]);
        m->rvalues[i] = values[i];
        int fi = pl_model_field_index(ent, names[i]);
        if (fi < 0 || !values[i] || !values[i][0])
            continue;
        pl_repair_class cls = pl_ingest_repair_class((int)ent->fields[fi].type);
        if (cls == PL_REPAIR_NONE)
            continue;
        pl_err e;
        pl_err_init(&e);
        size_t len = strlen(values[i]);
        m->repair_field = names[i];
        int rc = pl_ingest_repair(&m->repaired[i], values[i], len, cls, repair_note, m, &e);
        if (rc == PL_EINVAL) {
            row_problem(m, names[i], e.msg);
            continue;
        }
        if (rc)
            return pl_err_set(m->e, rc, "%s", e.msg);
        if (m->repaired[i].len != len || memcmp(m->repaired[i].data, values[i], len) != 0) {
            m->rvalues[i] = m->repaired[i].data;
            changed = 1;
        }
    }
    if (changed)
        *out = m->rvalues;
    return 0;
}

static int record_rest(imp *m, json_t *row);
static int pipe_row_normalized(imp *m, json_t *row);

/* Validate and record one row given as name/value strings. Returns 0 (the
 * row may have been rejected) or an internal error. The pipelined import's
 * producer stops after the model (repairs, normalisation: pure work) and
 * hands the row on; its writer does the rest (record_rest: what reads or
 * writes the store). */
static int record_row(imp *m, const char *const *names, const char *const *given, size_t n)
{
    job *j = &m->jobs[m->cur];
    json_t *row = NULL;
    m->st->rows++;
    const char *const *values = given;
    int rc = repair_row(m, names, given, n, &values);
    if (rc)
        return rc;
    if (pl_model_normalize(j->ent, names, values, n, &row, model_report, m) != 0)
        row = NULL;
    if (m->mode == MODE_PRODUCE)
        return pipe_row_normalized(m, row);
    rc = record_rest(m, row);
    json_decref(row);
    return rc;
}

/* The part of record_row that reads and writes the store: duplicate keys,
 * the clue workflow, check_row, the registry (ledger and projection), the
 * counts. `row` (NULL: the model refused it) stays the caller's. */
static int record_rest(imp *m, json_t *row)
{
    job *j = &m->jobs[m->cur];
    pl_ingest_counts *cnt = &m->st->entity[j->ent_idx];
    int rc = 0;
    if (row) {
        const char *id = json_string_value(json_object_get(row, "id"));
        /* made by the producer (the same key), or here */
        uint64_t h = m->mode == MODE_WRITE && m->pit && m->pit->seen_h
                         ? m->pit->seen_h
                         : key_hash(m->seen_key, j->ent_idx, id ? id : "");
        seen_entry *prev = seen_find(&m->seen, h);
        if (prev) {
            rc = stored_same(m, j->ent, row);
            if (rc < 0)
                goto out;
            if (rc == 2)
                prev = NULL; /* a hash collision: that id was never recorded */
            if (rc == 0) {
                char msg[1400];
                const job *pj = &m->jobs[prev->job];
                if (pj->wb)
                    snprintf(msg, sizeof msg,
                             "duplicate key '%s': row %u of %s, sheet %s, has the same id with "
                             "different content",
                             id, prev->line, pj->in->name, pl_xlsx_sheet_name(pj->wb, pj->sheet));
                else
                    snprintf(msg, sizeof msg,
                             "duplicate key '%s': line %u of %s has the same id with different "
                             "content",
                             id, prev->line, pj->in->name);
                row_problem(m, "id", msg);
            }
            rc = 0;
        }
        int skip = 0;
        if (!m->row_bad && (rc = clue_rows(m, j->ent, row, &skip)) < 0)
            goto out;
        if (!m->row_bad && skip) {
            cnt->same++;
            goto counted;
        }
        if (!m->row_bad && m->o->check_row) {
            rc = m->o->check_row(m->o->check_ctx, m->s, j->ent, row, model_report, m, m->e);
            if (rc < 0)
                goto out;
            if (rc > 0 && !m->row_bad)
                row_problem(m, "-", "rejected");
            rc = 0;
        }
        if (!m->row_bad) {
            int outcome = 0;
            /* A row of an entity whose table was empty when the batch
             * began, with an id not seen in the batch, is new. */
            if (m->mode == MODE_WRITE && m->pit && m->pit->enc)
                pl_registry_set_encoded(m->reg, m->pit->enc, m->pit->enc_len, m->pit->hex);
            if (m->mode == MODE_WRITE && m->pit)
                pl_registry_set_prepared(m->reg, m->pit->handles_enc, m->pit->handles_enc_len,
                                         m->pit->initials);
            rc = !prev && m->fresh[j->ent_idx]
                     ? pl_registry_record_new(m->reg, j->ent, row, j->actor, &outcome, model_report,
                                              m, m->e)
                     : pl_registry_record(m->reg, j->ent, row, j->actor, &outcome, model_report, m,
                                          m->e);
            if (rc == PL_EINVAL) {
                rc = 0; /* reported: a reference problem */
                m->row_bad = 1;
            } else if (rc) {
                goto out;
            } else {
                if (outcome == PL_REC_NEW)
                    cnt->added++;
                else if (outcome == PL_REC_CHANGED)
                    cnt->changed++;
                else
                    cnt->same++;
                if (!prev)
                    seen_put(&m->seen, h, m->line, m->cur);
            }
        }
    }
    if (m->row_bad)
        cnt->rejected++;
counted:
    if (m->st->rows - m->rows_at_progress >= 4096) {
        m->rows_at_progress = m->st->rows;
        progress(m);
    }
out:
    return rc;
}

/* ------------------------------------------------------------------ CSV */

static void header_reset(imp *m)
{
    for (size_t i = 0; i < m->ncols; i++)
        free(m->col_orig[i]);
    m->ncols = 0;
    m->have_header = 0;
}

static void trim(const char **s, size_t *n)
{
    while (*n && ((*s)[0] == ' ' || (*s)[0] == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
        (*n)--;
}

/* Map the header's columns to fields: the English name or the Chinese
 * label. Unknown, repeated and missing required columns are file errors. */
static int csv_header(imp *m, const pl_ingest_row *row)
{
    const pl_entity *ent = m->jobs[m->cur].ent;
    char msg[512];
    if (row->error) {
        file_problem(m, row->line, "-", row->error);
        return PL_EINVAL;
    }
    m->ncols = row->n;
    m->have_header = 1;
    int used[64] = {0};
    int bad = 0;
    for (size_t i = 0; i < row->n; i++) {
        const char *s = row->fields[i];
        size_t n = row->lens[i];
        trim(&s, &n);
        m->col_orig[i] = pl_strndup(s, n);
        m->col_field[i] = NULL;
        int fi = -1;
        for (size_t k = 0; k < ent->nfields && fi < 0; k++)
            if (strcmp(ent->fields[k].name, m->col_orig[i]) == 0 ||
                (ent->fields[k].label_zh && strcmp(ent->fields[k].label_zh, m->col_orig[i]) == 0))
                fi = (int)k;
        if (fi < 0 && m->jobs[m->cur].wb && !m->col_orig[i][0])
            continue; /* an empty (or merged-over) header cell of a sheet */
        if (fi < 0) {
            if (i + 1 == row->n && i > 0 && strcmp(m->col_orig[i], "error") == 0)
                continue; /* the error column of a rejects file */
            snprintf(msg, sizeof msg, "unknown column for %s (expected: ", ent->table);
            for (size_t k = 0; k < ent->nfields; k++)
                snprintf(msg + strlen(msg), sizeof msg - strlen(msg), "%s%s", k ? "," : "",
                         ent->fields[k].name);
            snprintf(msg + strlen(msg), sizeof msg - strlen(msg), ")");
            file_problem(m, row->line, m->col_orig[i][0] ? m->col_orig[i] : "-", msg);
            bad = 1;
            continue;
        }
        if (used[fi]) {
            file_problem(m, row->line, ent->fields[fi].name, "column given twice");
            bad = 1;
            continue;
        }
        used[fi] = 1;
        m->col_field[i] = ent->fields[fi].name;
    }
    for (size_t k = 0; k < ent->nfields; k++)
        if (ent->fields[k].required && !used[k]) {
            file_problem(m, row->line, ent->fields[k].name, "required column missing");
            bad = 1;
        }
    m->nused = 0;
    for (size_t i = 0; i < m->ncols; i++)
        if (m->col_field[i]) {
            m->use_names[m->nused] = m->col_field[i];
            m->use_col[m->nused] = i;
            m->nused++;
        }
    if (m->mode == MODE_PRODUCE && m->o->partial) {
        /* the writer writes this file's rejects after the producer moved on */
        job *j = &m->jobs[m->cur];
        pl_buf h;
        pl_buf_init(&h);
        reject_csv_head(m, &h);
        free(j->rej_head);
        j->rej_head = pl_buf_detach(&h, NULL);
        j->rej_cols = reject_cols(m);
        j->rej_ncols = m->ncols;
    }
    return bad ? PL_EINVAL : 0;
}

static int csv_row(void *ctx, const pl_ingest_row *row)
{
    imp *m = ctx;
    if (!m->have_header)
        return csv_header(m, row);
    m->line = row->line;
    m->row_bad = 0;
    pl_buf_reset(&m->row_err);
    if (m->mode == MODE_PRODUCE)
        pipe_begin_row(m);
    char msg[256];
    if (m->npending) {
        m->st->rows++;
        for (size_t k = 0; k < m->npending; k++) {
            m->hint_col = (long)m->pending[k].col;
            row_problem(m, m->pending[k].field, m->pending[k].reason);
        }
        m->hint_col = -1;
        m->npending = 0;
    } else if (row->error) {
        m->st->rows++;
        const char *field = row->n < m->ncols ? m->col_orig[row->n] : "-";
        row_problem(m, field, row->error);
    } else if (row->n != m->ncols) {
        m->st->rows++;
        int multi = row->end_line > row->line;
        char hint[128] = "";
        if (multi)
            snprintf(hint, sizeof hint, " (the record runs to line %lld: an unterminated quote?)",
                     (long long)row->end_line);
        snprintf(msg, sizeof msg, "wrong column count: %zu fields, the header has %zu%s", row->n,
                 m->ncols, hint);
        row_problem(m, row->n < m->ncols ? m->col_orig[row->n] : "-", msg);
    } else {
        for (size_t i = 0; i < m->ncols; i++)
            if (strlen(row->fields[i]) != row->lens[i]) {
                if (!m->row_bad)
                    m->st->rows++;
                row_problem(m, m->col_orig[i], "contains a NUL byte");
            }
        if (!m->row_bad) {
            for (size_t k = 0; k < m->nused; k++)
                m->use_values[k] = row->fields[m->use_col[k]];
            int rc = record_row(m, m->use_names, m->use_values, m->nused);
            if (rc) {
                m->fatal = rc;
                return rc;
            }
            if (m->mode == MODE_PRODUCE)
                return pipe_end_row(m, row->fields, row->lens, row->n, 1);
            if (!m->row_bad)
                return 0;
            return reject_csv(m, row->fields, row->lens, row->n) ? (m->fatal = PL_EIO) : 0;
        }
    }
    if (m->mode == MODE_PRODUCE)
        return pipe_end_row(m, row->fields, row->lens, row->n, 0);
    m->st->entity[m->jobs[m->cur].ent_idx].rejected++;
    return reject_csv(m, row->fields, row->lens, row->n) ? (m->fatal = PL_EIO) : 0;
}

/* ---------------------------------------------------------------- JSONL */

static int jsonl_line(imp *m, const char *p, size_t n)
{
    const pl_entity *ent = m->jobs[m->cur].ent;
    while (n && (p[n - 1] == '\n' || p[n - 1] == '\r'))
        n--;
    size_t k = 0;
    while (k < n && (p[k] == ' ' || p[k] == '\t'))
        k++;
    if (k == n)
        return 0; /* blank line */
    m->row_bad = 0;
    pl_buf_reset(&m->row_err);
    if (m->mode == MODE_PRODUCE)
        pipe_begin_row(m);
    pl_ingest_jsonl_row jr;
    const char *bad_field = "-";
    pl_err pe;
    pl_err_init(&pe);
    int rc = 0, recorded = 0;
    if (pl_ingest_jsonl_parse(&jr, p, n, &bad_field, &pe) != 0) {
        m->st->rows++;
        row_problem(m, bad_field, pe.msg);
        if (m->mode != MODE_PRODUCE)
            m->st->entity[m->jobs[m->cur].ent_idx].rejected++;
    } else {
        recorded = 1;
        /* Chinese labels are accepted as keys, as in CSV headers. */
        const char *names[PL_INGEST_MAX_FIELDS];
        size_t nn = jr.n < PL_INGEST_MAX_FIELDS ? jr.n : PL_INGEST_MAX_FIELDS;
        for (size_t i = 0; i < nn; i++) {
            names[i] = jr.names[i];
            for (size_t f = 0; f < ent->nfields; f++)
                if (ent->fields[f].label_zh && strcmp(ent->fields[f].label_zh, jr.names[i]) == 0)
                    names[i] = ent->fields[f].name;
        }
        rc = record_row(m, names, (const char *const *)jr.values, nn);
    }
    if (m->mode == MODE_PRODUCE) {
        if (rc == 0)
            rc = pipe_end_jsonl(m, jr.obj, p, n, recorded);
    } else if (rc == 0 && m->row_bad && reject_jsonl(m, jr.obj, p, n)) {
        rc = PL_EIO;
    }
    pl_ingest_jsonl_release(&jr);
    return rc;
}

/* ---------------------------------------------------------- the passes */

/* One pass over an input checking that it is valid in *want (a byte-order
 * mark overrides *want and sets *bom). *bad_line = first bad line or 0. */
static int scan(imp *m, job *j, pl_encoding *want, int *bom, int64_t *bad_line)
{
    blocks b;
    int rc = blocks_open(&b, j->in, m->e);
    if (rc)
        return rc;
    int64_t line = 1;
    *bad_line = 0;
    const char *p;
    size_t n;
    pl_encoding bom_enc = PL_ENC_AUTO;
    while ((rc = blocks_next_nobom(&b, &p, &n, &bom_enc, m->e)) == 1) {
        if (bom_enc != PL_ENC_AUTO) {
            *want = bom_enc; /* the byte-order mark decides */
            *bom = 1;
            bom_enc = PL_ENC_AUTO;
        }
        size_t bad = n, off = 0;
        if (*want == PL_ENC_GB18030) {
            if (pl_ingest__gb_check(p, n, &off, NULL) != 0)
                bad = off;
        } else {
            bad = pl_ingest_utf8_valid_prefix(p, n);
        }
        if (bad < n) {
            *bad_line = line + pl_ingest__count_lines(p, bad);
            break;
        }
        line += pl_ingest__count_lines(p, n);
    }
    j->size = b.in->data ? b.in->len : (uint64_t)b.done;
    blocks_close(&b);
    if (rc == PL_EINVAL) { /* UTF-16 */
        const char *msg = m->e->msg;
        file_problem(m, 1, "-", strncmp(msg, "line 1: ", 8) == 0 ? msg + 8 : msg);
        *bad_line = -1;
        return 0;
    }
    return rc < 0 ? rc : 0;
}

/* Encoding pass over one input: decide its encoding (BOM, declared, or
 * detected) or report the first bad line as a file problem. */
static int encoding_pass(imp *m, job *j)
{
    pl_encoding declared = m->o->encoding;
    pl_encoding want = declared == PL_ENC_GB18030 ? PL_ENC_GB18030 : PL_ENC_UTF8;
    int bom = 0;
    int64_t bad = 0;
    int rc = scan(m, j, &want, &bom, &bad);
    if (rc || bad < 0)
        return rc;
    if (!bad) {
        j->enc = want;
        return 0;
    }
    if (want == PL_ENC_UTF8 && declared == PL_ENC_AUTO && !bom) {
        pl_encoding gb = PL_ENC_GB18030;
        int64_t gbad = 0;
        rc = scan(m, j, &gb, &bom, &gbad);
        if (rc || gbad < 0)
            return rc;
        if (!gbad && gb == PL_ENC_GB18030) {
            j->enc = PL_ENC_GB18030;
            return 0;
        }
    }
    file_problem(m, bad, "-",
                 want == PL_ENC_UTF8 ? "not valid UTF-8 (use --encoding gb18030?)"
                                     : "not valid GB18030");
    return 0;
}

static int import_xlsx_job(imp *m);

static int import_job(imp *m)
{
    job *j = &m->jobs[m->cur];
    if (j->wb)
        return import_xlsx_job(m);
    blocks b;
    int rc = blocks_open(&b, j->in, m->e);
    if (rc)
        return rc;
    m->blk = &b;
    pl_buf conv;
    pl_buf_init(&conv);
    pl_ingest_csv *csv = NULL;
    header_reset(m);
    if (!j->jsonl)
        pl_ingest_csv_new(&csv, csv_row, m);
    int64_t line = 1;
    const char *p;
    size_t n;
    while ((rc = blocks_next_nobom(&b, &p, &n, NULL, m->e)) == 1) {
        rc = 0;
        if (j->enc == PL_ENC_GB18030) {
            pl_buf_reset(&conv);
            rc = pl_ingest_to_utf8(&conv, p, n, PL_ENC_GB18030, m->e);
            if (rc)
                break;
            p = conv.data;
            n = conv.len;
        }
        if (csv) {
            rc = pl_ingest_csv_feed(csv, p, n);
        } else {
            const char *end = p + n;
            while (p < end && rc == 0) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
                m->line = line++;
                rc = jsonl_line(m, p, len);
                p += len;
            }
        }
        if (rc)
            break;
        progress(m);
    }
    if (rc == 0 && csv) {
        rc = pl_ingest_csv_finish(csv);
        if (rc == 0 && !m->have_header)
            file_problem(m, 0, "-", "empty file: no header row");
    }
    if (m->fatal)
        rc = m->fatal;
    else if (rc == PL_EINVAL && m->file_errors)
        rc = 0; /* a header problem, reported */
    m->before += j->size;
    m->blk = NULL;
    pl_ingest_csv_free(csv);
    pl_buf_release(&conv);
    blocks_close(&b);
    return rc;
}

/* ---------------------------------------------------------------- .xlsx */

static void pend(imp *m, size_t col, const char *reason)
{
    if (m->npending >= sizeof m->pending / sizeof m->pending[0])
        return;
    m->pending[m->npending].col = col;
    if (col < m->ncols && m->col_field[col])
        snprintf(m->pending[m->npending].field, sizeof m->pending[0].field, "%s",
                 m->col_field[col]);
    else
        pl_xlsx_col_name(col, m->pending[m->npending].field);
    snprintf(m->pending[m->npending].reason, sizeof m->pending[0].reason, "%s", reason);
    m->npending++;
}

/* One row of a sheet: the first non-empty row is the header; the others
 * become records of the header's width and take the CSV row path
 * (csv_row), after the cell types are resolved: a number in a date column
 * is a date serial number of the workbook's system. */
static int xlsx_row(void *ctx, const pl_xlsx_row *r)
{
    imp *m = ctx;
    const job *j = &m->jobs[m->cur];
    size_t n = r->n;
    while (n && !r->values[n - 1][0])
        n--;
    if (n == 0)
        return 0; /* a blank row */
    size_t lens[PL_INGEST_MAX_FIELDS];
    if (!m->have_header) {
        if (n > PL_INGEST_MAX_FIELDS) {
            file_problem(m, r->row, "-", "more than 256 header columns");
            return PL_EINVAL;
        }
        for (size_t i = 0; i < n; i++)
            lens[i] = strlen(r->values[i]);
        pl_ingest_row h = {
            .line = r->row, .end_line = r->row, .n = n, .fields = r->values, .lens = lens};
        return csv_header(m, &h);
    }
    m->npending = 0;
    const char *fields[PL_INGEST_MAX_FIELDS];
    char dates[PL_INGEST_MAX_FIELDS][11];
    for (size_t i = 0; i < n; i++) {
        const char *v = r->values[i];
        if (!v[0])
            continue;
        if (i >= m->ncols || !m->col_field[i]) {
            if (i >= m->ncols || !m->col_orig[i][0])
                pend(m, i, "a value in a column with no header");
            continue;
        }
        if (r->kinds[i] == PL_XLSX_ERROR) {
            char msg[96];
            snprintf(msg, sizeof msg, "the cell holds the Excel error %.40s", v);
            pend(m, i, msg);
        } else if (r->kinds[i] == PL_XLSX_NUMBER && strpbrk(v, "eE")) {
            /* 433127197003150112 kept as a number: Excel keeps 15 digits. */
            char msg[160];
            snprintf(msg, sizeof msg,
                     "the cell holds the number %.30s: a spreadsheet keeps 15 digits, so a "
                     "longer code stored as a number has lost digits (store it as text)",
                     v);
            pend(m, i, msg);
        }
    }
    const pl_entity *ent = j->ent;
    for (size_t i = 0; i < m->ncols; i++) {
        const char *v = i < n ? r->values[i] : "";
        fields[i] = v;
        lens[i] = strlen(v);
        if (!v[0] || !m->col_field[i])
            continue;
        const pl_field *f = NULL;
        for (size_t k = 0; k < ent->nfields && !f; k++)
            if (strcmp(ent->fields[k].name, m->col_field[i]) == 0)
                f = &ent->fields[k];
        if (!f || f->type != PL_F_DATE)
            continue;
        if (r->kinds[i] == PL_XLSX_NUMBER) {
            const char *why = NULL;
            if (pl_xlsx_serial_date(v, pl_xlsx_date1904(j->wb), dates[i], &why) != 0) {
                char msg[160];
                snprintf(msg, sizeof msg, "%s: %.20s", why, v);
                pend(m, i, msg);
                continue;
            }
            fields[i] = dates[i];
            lens[i] = 10;
        } else if (r->kinds[i] == PL_XLSX_ISODATE && lens[i] > 10 &&
                   (v[10] == 'T' || v[10] == ' ')) {
            memcpy(dates[i], v, 10); /* "2024-03-01T00:00:00": the date */
            dates[i][10] = 0;
            fields[i] = dates[i];
            lens[i] = 10;
        }
    }
    pl_ingest_row row = {
        .line = r->row, .end_line = r->row, .n = m->ncols, .fields = fields, .lens = lens};
    return csv_row(m, &row);
}

static int import_xlsx_job(imp *m)
{
    job *j = &m->jobs[m->cur];
    header_reset(m);
    m->xdone = 0;
    m->npending = 0;
    pl_err xe;
    pl_err_init(&xe);
    int rc = pl_xlsx_read_sheet(j->wb, j->sheet, xlsx_row, m, &m->xdone, &xe);
    if (m->fatal) {
        rc = m->fatal;
    } else if (rc == PL_EINVAL && m->file_errors) {
        rc = 0; /* a header problem, reported */
    } else if (rc == PL_EINVAL) {
        file_problem(m, 0, "-", xe.msg); /* the sheet cannot be read */
        rc = 0;
    } else if (rc == 0 && !m->have_header) {
        file_problem(m, 0, "-", "empty sheet: no header row");
    } else if (rc && m->e && !m->e->msg[0]) {
        pl_err_set(m->e, rc, "%s", xe.msg);
    }
    m->before += j->size;
    m->xdone = 0;
    return rc;
}

/* ------------------------------------------------------ the pipeline */

/*
 * The pipelined import (docs/IMPORT.md "Pipelined import"): one producer
 * thread reads, decodes and parses the inputs, repairs and normalises each
 * row (the model) and encodes its payload (canonical JSON, SHA-256); this
 * thread, the writer, takes the rows in order from a bounded queue and does
 * what reads or writes the store (duplicate keys, references, the clue
 * workflow, the ledger append with its sequence-dependent header and leaf
 * hash, the projections, the rejects file). Every problem the producer
 * finds travels with its row and is reported by the writer, so problems
 * come in the order of the single-threaded import, and the batch is still
 * one transaction of the writer.
 */

#define PIPE_BATCH 512 /* items per batch */
#define PIPE_DEPTH 8   /* batches in the queue: at most ~4,000 rows ahead */

typedef struct pipe_batch {
    pipe_item v[PIPE_BATCH];
    size_t n;
    struct pipe_batch *next; /* on the spent list */
    pl_jarena *arena;        /* the JSON the producer built for its rows
                                (docs/IMPORT.md "Batch arenas") */
} pipe_batch;

typedef struct pipe_q {
    pthread_mutex_t mu;
    pthread_cond_t can_put, can_take;
    pipe_batch *ring[PIPE_DEPTH];
    size_t head, count;
    int done; /* the producer has put its last batch */
    int stop; /* the writer failed: the producer stops */
    int rc;   /* the producer's status */
    pl_err err;
    pipe_batch *fill;  /* the producer's batch being filled */
    pipe_batch *spent; /* batches the writer is done with: the producer
                          frees them, as it allocated their rows (memory
                          freed by the thread that allocated it stays in
                          that thread's malloc arena: no lock, no
                          consolidation) */
    imp *pm;           /* the producer's state */
    int no_arena;      /* PLUMB_IMPORT_ARENA=0: the rows' JSON from malloc */
    /* PLUMB_IMPORT_STATS: waits on the queue (count, seconds) and the
     * producer thread's CPU seconds */
    long put_waits, take_waits;
    double put_wait_s, take_wait_s, producer_cpu;
} pipe_q;

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This thread's CPU seconds (user + system). */
static double thread_cpu_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void pipe_item_free(pipe_item *it)
{
    for (size_t i = 0; i < it->nprobs; i++) {
        free(it->probs[i].field);
        free(it->probs[i].reason);
        free(it->probs[i].cell);
    }
    free(it->probs);
    json_decref(it->row);
    json_decref(it->rej_obj);
    free(it->handles_enc);
    free(it->initials);
    free(it->row_err);
    free(it->enc);
    free(it->rej);
    memset(it, 0, sizeof *it);
}

static void pipe_batch_free(pipe_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++)
        pipe_item_free(&b->v[i]);
    /* every row's JSON has been freed above: the arena's memory goes back
     * now (a value still referenced keeps it, and counts as kept) */
    pl_jarena_release(b->arena);
    free(b);
}

/* Producer: put the filled batch (waits while the queue is full). 0, or
 * PL_EINTERNAL when the writer has stopped. */
static int pipe_put(pipe_q *q)
{
    pipe_batch *b = q->fill;
    q->fill = NULL;
    if (!b)
        return 0;
    /* the batch's JSON is complete: what the producer builds next goes to
     * the next batch's arena */
    pl_jarena_use(NULL);
    pthread_mutex_lock(&q->mu);
    if (q->count == PIPE_DEPTH && !q->stop) {
        double t0 = mono_s();
        while (q->count == PIPE_DEPTH && !q->stop)
            pthread_cond_wait(&q->can_put, &q->mu);
        q->put_waits++;
        q->put_wait_s += mono_s() - t0;
    }
    int stop = q->stop;
    if (!stop) {
        q->ring[(q->head + q->count) % PIPE_DEPTH] = b;
        q->count++;
        pthread_cond_signal(&q->can_take);
    }
    pipe_batch *spent = q->spent;
    q->spent = NULL;
    pthread_mutex_unlock(&q->mu);
    while (spent) {
        pipe_batch *next = spent->next;
        pipe_batch_free(spent);
        spent = next;
    }
    if (stop) {
        pipe_batch_free(b);
        return PL_EINTERNAL;
    }
    return 0;
}

/* Producer: a new item at the end of the batch being filled. */
static pipe_item *pipe_new_item(imp *m)
{
    pipe_q *q = m->q;
    if (!q->fill) {
        q->fill = pl_calloc(1, sizeof *q->fill);
        if (!q->no_arena)
            pl_jarena_use(q->fill->arena = pl_jarena_new());
    }
    pipe_item *it = &q->fill->v[q->fill->n++];
    it->job = (uint32_t)m->cur;
    it->line = m->line;
    it->done = m->before + (m->blk ? m->blk->done : 0);
    m->pit = it;
    return it;
}

/* Producer: the current item is complete; a full batch goes to the queue. */
static int pipe_finish_item(imp *m)
{
    m->pit = NULL;
    if (m->q->fill && m->q->fill->n == PIPE_BATCH)
        return pipe_put(m->q);
    return 0;
}

static void pipe_prob_add(imp *m, int64_t line, const char *field, const char *reason, int warning,
                          const char *cell)
{
    if (m->pit && !m->pit->is_row && m->pit->job != m->cur)
        pipe_finish_item(m); /* another file's problems: an item of their own */
    pipe_item *it = m->pit ? m->pit : pipe_new_item(m); /* problems outside a row */
    it->probs = pl_realloc(it->probs, (it->nprobs + 1) * sizeof *it->probs);
    pipe_prob *p = &it->probs[it->nprobs++];
    p->line = line;
    p->field = field ? pl_strdup(field) : NULL;
    p->reason = pl_strdup(reason ? reason : "");
    p->cell = cell ? pl_strdup(cell) : NULL;
    p->warning = warning;
    p->file = 0;
}

static void pipe_mark_file(imp *m)
{
    if (m->pit && m->pit->nprobs)
        m->pit->probs[m->pit->nprobs - 1].file = 1;
}

/* Producer: a record begins (problems already found for no record, as a
 * header's, go first as an item of their own). */
static void pipe_begin_row(imp *m)
{
    if (m->pit && !m->pit->is_row)
        pipe_finish_item(m); /* put later with its batch: cannot fail here */
    pipe_item *it = pipe_new_item(m);
    it->is_row = 1;
    it->rows = m->st->rows; /* until pipe_end_*: the count before */
}

/* Producer: record_row's row, normalised (or NULL), with its payload
 * encoded as the ledger will store it. */
static int pipe_row_normalized(imp *m, json_t *row)
{
    pipe_item *it = m->pit;
    it->row = row;
    if (row) {
        const char *id = json_string_value(json_object_get(row, "id"));
        it->seen_h = key_hash(m->seen_key, m->jobs[m->cur].ent_idx, id ? id : "");
        pl_buf enc;
        pl_buf_init(&enc);
        /* a payload that cannot be encoded is left to the writer, whose
         * append then fails as the single-threaded import's does */
        if (pl_ledger_encode_payload(&enc, row, it->hex, NULL) == 0)
            it->enc = pl_buf_detach(&enc, &it->enc_len);
        pl_buf_release(&enc);
        /* what the writer's append and projection would compute: the
         * canonical JSON array of the subjects' keyed handles (the
         * store's key), and a person's initials. The handles are those of
         * pl_registry_subjects(ent, row), in its order (the id, then each
         * reference field's string value), made straight from the row:
         * neither the ids nor the handles become JSON strings. */
        const pl_entity *ent = m->jobs[m->cur].ent;
        pl_buf hb;
        pl_buf_init(&hb);
        for (size_t i = 0; i == 0 || i < ent->nfields; i++) {
            if (i > 0 && !ent->fields[i].ref)
                continue;
            const json_t *v = json_object_get(row, i == 0 ? "id" : ent->fields[i].name);
            if (!json_is_string(v))
                continue;
            char hnd[PL_SUBJECT_HANDLE_LEN];
            pl_subject_hasher_handle(m->hasher, json_string_value(v), hnd);
            pl_ledger_add_handle(&hb, hnd);
        }
        pl_ledger_end_handles(&hb);
        it->handles_enc = pl_buf_detach(&hb, &it->handles_enc_len);
        pl_buf_release(&hb);
        if (strcmp(ent->table, "persons") == 0) {
            const char *name = json_string_value(json_object_get(row, "name"));
            char ini[128];
            pl_pinyin_initials(name ? name : "", ini, sizeof ini);
            it->initials = pl_strdup(ini);
        }
    }
    return 0;
}

static void pipe_end_common(imp *m, pipe_item *it, int recorded)
{
    it->rows = m->st->rows - it->rows;
    it->recorded = recorded;
    it->row_bad = m->row_bad;
    if (m->row_err.len) {
        it->row_err = pl_strndup(m->row_err.data, m->row_err.len);
        it->row_err_len = m->row_err.len;
    }
}

/* Producer: a CSV record done; its fields kept (partial mode) for a reject
 * the writer may still decide. */
static int pipe_end_row(imp *m, const char *const *fields, const size_t *lens, size_t n,
                        int recorded)
{
    pipe_item *it = m->pit;
    pipe_end_common(m, it, recorded);
    if (m->o->partial) {
        pl_buf b;
        pl_buf_init(&b);
        reject_csv_fields(m, &b, fields, lens, n);
        it->rej = pl_buf_detach(&b, &it->rej_len);
        pl_buf_release(&b);
    }
    int rc = pipe_finish_item(m);
    return rc ? (m->fatal = rc) : 0;
}

static int pipe_end_jsonl(imp *m, json_t *obj, const char *raw, size_t rawlen, int recorded)
{
    pipe_item *it = m->pit;
    pipe_end_common(m, it, recorded);
    it->jsonl = 1;
    if (m->o->partial) {
        it->rej_obj = obj ? json_incref(obj) : NULL;
        it->rej = pl_strndup(raw, rawlen);
        it->rej_len = rawlen;
    }
    return pipe_finish_item(m);
}

static void *pipe_produce(void *arg)
{
    pipe_q *q = arg;
    imp *m = q->pm;
    int rc = 0;
    for (m->cur = 0; m->cur < m->njobs && rc == 0; m->cur++)
        rc = import_job(m);
    if (rc == 0 && m->pit)
        rc = pipe_finish_item(m);
    if (rc == 0)
        rc = pipe_put(q);
    pl_jarena_use(NULL);
    double cpu = thread_cpu_s();
    pthread_mutex_lock(&q->mu);
    q->producer_cpu = cpu;
    q->done = 1;
    q->rc = rc;
    pthread_cond_signal(&q->can_take);
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

/* Writer: one item, as the single-threaded import would have done it. */
static int pipe_apply(imp *m, pipe_item *it)
{
    m->cur = it->job;
    m->line = it->line;
    m->pit = it;
    for (size_t i = 0; i < it->nprobs; i++) {
        const pipe_prob *p = &it->probs[i];
        if (p->warning)
            m->st->warnings++;
        else
            m->st->errors++;
        if (m->o->on_problem) {
            pl_ingest_problem pp = {.file = m->jobs[m->cur].in->name,
                                    .line = p->line,
                                    .field = p->field && *p->field ? p->field : "-",
                                    .reason = p->reason,
                                    .warning = p->warning,
                                    .cell = p->cell};
            m->o->on_problem(m->o->problem_ctx, &pp);
        }
        if (p->file)
            m->file_errors++;
    }
    if (!it->is_row)
        return 0;
    m->st->rows += it->rows;
    m->row_bad = it->row_bad;
    pl_buf_reset(&m->row_err);
    if (it->row_err)
        pl_buf_add(&m->row_err, it->row_err, it->row_err_len);
    m->pipe_done = it->done;
    int rc = 0;
    if (it->recorded) {
        rc = record_rest(m, it->row);
        if (rc)
            return rc;
    } else {
        m->st->entity[m->jobs[m->cur].ent_idx].rejected++;
    }
    if (!m->row_bad || !m->o->partial)
        return 0;
    if (it->jsonl)
        return reject_jsonl(m, it->rej_obj, it->rej, it->rej_len) ? PL_EIO : 0;
    const job *j = &m->jobs[m->cur];
    return reject_csv_emit(m, j->rej_head, it->rej, it->rej_len) ? PL_EIO : 0;
}

/* PLUMB_IMPORT_THREADS=1 keeps the single-threaded import; unset or any
 * other count, the pipeline (one producer and this writer) where it
 * applies: not with an .xlsx input (its problems name cells of the
 * sheet's header) nor with a check_row hook (it reads the store for
 * each row). */
static int pipe_wanted(const imp *m)
{
    const char *v = getenv("PLUMB_IMPORT_THREADS");
    if (v && strcmp(v, "1") == 0)
        return 0;
    if (m->o->check_row)
        return 0;
    for (size_t i = 0; i < m->njobs; i++)
        if (m->jobs[i].wb)
            return 0;
    return 1;
}

/* Run every job through the pipeline; the writer is this thread. */
static int pipe_run(imp *m)
{
    pipe_q q;
    memset(&q, 0, sizeof q);
    pthread_mutex_init(&q.mu, NULL);
    pthread_cond_init(&q.can_put, NULL);
    pthread_cond_init(&q.can_take, NULL);
    pl_err_init(&q.err);
    /* The producer's own state: the same jobs and options; its counts and
     * problems go to the writer with the rows. */
    pl_ingest_stats pst;
    memset(&pst, 0, sizeof pst);
    imp *pm = pl_calloc(1, sizeof *pm);
    pm->jobs = m->jobs;
    pm->njobs = m->njobs;
    pm->o = m->o;
    pm->st = &pst;
    pm->e = &q.err;
    pm->rej_section = -1;
    pm->hint_col = -1;
    pm->total = m->total;
    pm->mode = MODE_PRODUCE;
    pm->q = &q;
    memcpy(pm->seen_key, m->seen_key, sizeof pm->seen_key);
    /* the store's subject key, read (or made) here in the batch's
     * transaction; the producer hashes with its own copy */
    int rc = pl_ledger_subject_hasher(m->l, &pm->hasher, m->e);
    if (rc) {
        free(pm);
        pthread_cond_destroy(&q.can_take);
        pthread_cond_destroy(&q.can_put);
        pthread_mutex_destroy(&q.mu);
        return rc;
    }
    pl_buf_init(&pm->row_err);
    for (size_t k = 0; k < PL_INGEST_MAX_FIELDS; k++)
        pl_buf_init(&pm->repaired[k]);
    q.pm = pm;
    const char *arena_env = getenv("PLUMB_IMPORT_ARENA");
    q.no_arena = arena_env && strcmp(arena_env, "0") == 0;
    pl_jarena_counts ac0;
    pl_jarena_counts_get(&ac0);
    m->mode = MODE_WRITE;
    double w_cpu0 = thread_cpu_s(), w_t0 = mono_s();
    pthread_t th;
    if (pthread_create(&th, NULL, pipe_produce, &q) != 0) {
        rc = pl_err_set(m->e, PL_EINTERNAL, "import: cannot start the producer thread");
        goto out;
    }
    for (;;) {
        pthread_mutex_lock(&q.mu);
        if (q.count == 0 && !q.done) {
            double t0 = mono_s();
            while (q.count == 0 && !q.done)
                pthread_cond_wait(&q.can_take, &q.mu);
            q.take_waits++;
            q.take_wait_s += mono_s() - t0;
        }
        pipe_batch *b = NULL;
        if (q.count) {
            b = q.ring[q.head];
            q.head = (q.head + 1) % PIPE_DEPTH;
            q.count--;
            pthread_cond_signal(&q.can_put);
        }
        pthread_mutex_unlock(&q.mu);
        if (!b)
            break; /* done, and nothing left */
        for (size_t i = 0; i < b->n && rc == 0; i++) {
            /* the next row's slot of the key table (a cache miss in a
             * table of up to 64 MB at prefecture scale), fetched while
             * this row is written */
            if (i + 1 < b->n && b->v[i + 1].seen_h && m->seen.cap)
                __builtin_prefetch(&m->seen.v[b->v[i + 1].seen_h & (m->seen.cap - 1)]);
            rc = pipe_apply(m, &b->v[i]);
        }
        pthread_mutex_lock(&q.mu);
        b->next = q.spent;
        q.spent = b;
        if (rc) {
            q.stop = 1;
            pthread_cond_signal(&q.can_put);
        }
        pthread_mutex_unlock(&q.mu);
        if (rc)
            break;
    }
    pthread_join(th, NULL);
    if (getenv("PLUMB_IMPORT_STATS"))
        fprintf(stderr,
                "import: pipeline %.2f s wall; writer %.2f s CPU, waited for rows %ld times "
                "(%.2f s); producer %.2f s CPU, waited for room %ld times (%.2f s)\n",
                mono_s() - w_t0, thread_cpu_s() - w_cpu0, q.take_waits, q.take_wait_s,
                q.producer_cpu, q.put_waits, q.put_wait_s);
    /* what the producer left: only after a stop */
    while (q.count) {
        pipe_batch_free(q.ring[q.head]);
        q.head = (q.head + 1) % PIPE_DEPTH;
        q.count--;
    }
    pipe_batch_free(q.fill);
    while (q.spent) {
        pipe_batch *next = q.spent->next;
        pipe_batch_free(q.spent);
        q.spent = next;
    }
    if (getenv("PLUMB_IMPORT_STATS")) {
        pl_jarena_counts ac;
        pl_jarena_counts_get(&ac);
        fprintf(stderr,
                "import: batch arenas %llu (%llu JSON allocations), arenas kept %llu, "
                "chunks mapped %llu\n",
                (unsigned long long)(ac.arenas - ac0.arenas),
                (unsigned long long)(ac.allocs - ac0.allocs),
                (unsigned long long)(ac.kept - ac0.kept),
                (unsigned long long)(ac.chunks - ac0.chunks));
    }
    if (rc == 0 && q.rc) {
        rc = q.rc;
        if (m->e)
            *m->e = q.err;
    }
out:
    m->pit = NULL;
    m->mode = MODE_SINGLE;
    header_reset(pm);
    pl_subject_hasher_free(pm->hasher);
    pl_buf_release(&pm->row_err);
    for (size_t k = 0; k < PL_INGEST_MAX_FIELDS; k++)
        pl_buf_release(&pm->repaired[k]);
    free(pm);
    pthread_cond_destroy(&q.can_take);
    pthread_cond_destroy(&q.can_put);
    pthread_mutex_destroy(&q.mu);
    return rc;
}

/* ----------------------------------------------------------------- run */

/* The source of a job and the entity of a CSV or JSON Lines one. */
static void resolve_job(imp *m, job *j, const pl_entity *ents)
{
    const pl_ingest_input *in = j->in;
    {
        int order = 0;
        const source_def *src = find_source(in->source, &order);
        if (!src) {
            char msg[256];
            snprintf(msg, sizeof msg, "unknown source '%s'", in->source ? in->source : "");
            file_problem(m, 0, "-", msg);
            return;
        }
        j->src_order = order;
        pl_err fe;
        pl_err_init(&fe);
        if (j->wb) {
            if (!j->ent)
                return; /* reported */
        } else if (pl_ingest_file_entity(in->name, &j->ent, &j->jsonl, &fe) != 0) {
            const char *msg = fe.msg;
            size_t k = strlen(in->name);
            if (strncmp(msg, in->name, k) == 0 && msg[k] == ':')
                msg += k + 2;
            file_problem(m, 0, "-", msg);
            return;
        }
        j->ent_idx = (size_t)(j->ent - ents);
        int allowed = 0;
        for (int k = 0; src->entities[k]; k++)
            if (strcmp(src->entities[k], j->ent->name) == 0)
                allowed = 1;
        if (!allowed) {
            char msg[512];
            snprintf(msg, sizeof msg, "source '%s' does not deliver %s (it delivers:", src->kind,
                     j->ent->table);
            for (int k = 0; src->entities[k]; k++)
                snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " %s",
                         pl_model_entity(src->entities[k])->table);
            snprintf(msg + strlen(msg), sizeof msg - strlen(msg), ")");
            file_problem(m, 0, "-", msg);
            return;
        }
        if (m->o->actor)
            snprintf(j->actor, sizeof j->actor, "%s", m->o->actor);
        else
            snprintf(j->actor, sizeof j->actor, "import:%s", src->kind);
    }
}

/* The entity named by a sheet: its table ("persons"), optionally after
 * digits and '_' ("01_units"), or its Chinese label ("人员"). NULL if none. */
static const pl_entity *sheet_entity(const char *name)
{
    size_t i = 0;
    while (name[i] >= '0' && name[i] <= '9')
        i++;
    if (i > 0 && name[i] == '_')
        name += i + 1;
    const pl_entity *ent = pl_model_entity(name);
    if (ent && strcmp(ent->table, name) == 0)
        return ent;
    size_t nent;
    const pl_entity *ents = pl_model_entities(&nent);
    for (size_t k = 0; k < nent; k++)
        if (ents[k].label_zh && strcmp(ents[k].label_zh, name) == 0)
            return &ents[k];
    return NULL;
}

static job *add_job(imp *m, size_t *cap)
{
    if (m->njobs == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        m->jobs = pl_realloc(m->jobs, *cap * sizeof *m->jobs);
    }
    job *j = &m->jobs[m->njobs++];
    memset(j, 0, sizeof *j);
    m->cur = m->njobs - 1;
    return j;
}

/* An .xlsx input: a file named for an entity holds it in its first sheet;
 * otherwise each sheet is named for its entity. One job per sheet. */
static void resolve_xlsx(imp *m, const pl_ingest_input *in, size_t given, size_t *cap)
{
    job *j = add_job(m, cap);
    j->in = in;
    j->given = given;
    pl_err xe;
    pl_err_init(&xe);
    pl_xlsx *wb = NULL;
    if (pl_xlsx_open(&wb, in->name, in->data, in->len, &xe) != 0) {
        file_problem(m, 0, "-", xe.msg);
        return;
    }
    m->wbs = pl_realloc(m->wbs, (m->nwbs + 1) * sizeof *m->wbs);
    m->wbs[m->nwbs++] = wb;
    j->wb = wb;
    const char *base = strrchr(in->name, '/');
    base = base ? base + 1 : in->name;
    char stem[128];
    size_t bl = strlen(base);
    snprintf(stem, sizeof stem, "%.*s", (int)(bl - (ends_with(base, bl, ".xls") ? 4 : 5)), base);
    const pl_entity *file_ent = sheet_entity(stem);
    size_t nsheets = pl_xlsx_nsheets(wb);
    for (size_t k = 0; k < nsheets; k++) {
        if (k > 0) {
            if (file_ent) { /* the file names the entity: its first sheet only */
                char msg[600];
                snprintf(msg, sizeof msg,
                         "sheet '%.200s' is not read: the file name names the entity (%s), "
                         "which is read from the first sheet",
                         pl_xlsx_sheet_name(wb, k), file_ent->table);
                problem(m, 0, "-", msg, 1);
                continue;
            }
            job tmp = *j;
            j = add_job(m, cap);
            *j = tmp;
        }
        j->sheet = k;
        j->ent = file_ent ? file_ent : sheet_entity(pl_xlsx_sheet_name(wb, k));
        j->size = pl_xlsx_sheet_size(wb, k);
        j->enc = PL_ENC_UTF8;
        if (!j->ent) {
            file_problem(m, 0, "-",
                         "the sheet does not name an entity table (name each sheet, or the "
                         "file, for its entity: persons, 01_units, 人员, ...)");
            j->ent = NULL;
        }
    }
}

static int resolve(imp *m, const pl_ingest_input *in, size_t n)
{
    size_t nent;
    const pl_entity *ents = pl_model_entities(&nent);
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        size_t first = m->njobs;
        size_t nl = strlen(in[i].name);
        if (ends_with(in[i].name, nl, ".xlsx") || ends_with(in[i].name, nl, ".xls")) {
            resolve_xlsx(m, &in[i], i, &cap);
        } else {
            job *j = add_job(m, &cap);
            j->in = &in[i];
            j->given = i;
        }
        for (m->cur = first; m->cur < m->njobs; m->cur++)
            resolve_job(m, &m->jobs[m->cur], ents);
    }
    return 0;
}

/* m->fresh[e]: entity e's table has no row (read inside the batch's
 * transaction, so it holds for the whole batch). */
static int find_fresh(imp *m)
{
    for (size_t i = 0; i < m->njobs; i++) {
        size_t k = m->jobs[i].ent_idx;
        if (k >= PL_INGEST_MAX_ENTITIES || m->fresh[k])
            continue;
        pl_buf sql;
        pl_buf_init(&sql);
        pl_buf_addf(&sql, "SELECT 1 FROM \"%s\" LIMIT 1", m->jobs[i].ent->table);
        int64_t one = 0;
        int rc = pl_store_query_i64(m->s, &one, m->e, sql.data, NULL);
        pl_buf_release(&sql);
        if (rc == 0)
            continue;
        if (rc != PL_ENOTFOUND)
            return rc;
        m->fresh[k] = 1;
    }
    return 0;
}

/* PLUMB_IMPORT_FLOOR_SQL=FILE (bench/import.sh): the statements the batch
 * runs in its transaction besides its rows (the deferred indexes and
 * triggers dropped before the rows; the derived tables' fill, the
 * triggers and indexes created after, with the sorter's settings) are
 * noted and written to FILE after a commit, so that the write floor does
 * exactly what the import does around the rows it copies. */
static void floor_note(imp *m, int after, const char *sql)
{
    pl_buf *b = after ? m->floor_after : m->floor_before;
    if (b && sql && *sql) {
        pl_buf_adds(b, sql);
        pl_buf_adds(b, "\n");
    }
}

/* The connection's settings in the batch, as PRAGMA statements (SQLite). */
static void floor_settings(imp *m)
{
    static const char *const names[] = {"journal_mode", "synchronous",  "cache_size",
                                        "temp_store",   "foreign_keys", NULL};
    if (!m->floor_before || pl_store_dialect(m->s) != PL_DIALECT_SQLITE)
        return;
    for (int i = 0; names[i]; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA %s", names[i]);
        pl_stmt *st = NULL;
        if (pl_store_prepare(m->s, sql, &st, NULL) != 0)
            continue;
        if (pl_stmt_step(st, NULL) == PL_ROW) {
            pl_buf_addf(&m->floor_settings, "PRAGMA %s=%s;\n", names[i], pl_stmt_text(st, 0));
        }
        pl_stmt_finalize(st);
    }
}

static void floor_write(imp *m)
{
    const char *path = getenv("PLUMB_IMPORT_FLOOR_SQL");
    FILE *f = path && *path && m->floor_before ? fopen(path, "w") : NULL;
    if (!f)
        return;
    fprintf(f, "-- settings\n%s-- before the rows\n%s-- after the rows\n%s",
            m->floor_settings.data ? m->floor_settings.data : "",
            m->floor_before->data ? m->floor_before->data : "",
            m->floor_after->data ? m->floor_after->data : "");
    fclose(f);
}

/* The HTTP API's sort indexes (named sort_*, migration 0064) serve list
 * reads only, nothing the import looks up. On a table with no row at the
 * start of the batch they are dropped here and built again by
 * sort_indexes_build after the rows: one sort of the table instead of an
 * insert into each index per row (at prefecture scale, ~1 s instead of
 * ~4 s of CPU per index of the million payments). Both inside the batch's
 * transaction: a rejected batch leaves them as they were. Their CREATE
 * statements collect in *ddl.
 *
 * The same holds for every other secondary index (not a UNIQUE one: it is
 * a constraint) of a table that nothing in the batch reads by them: the
 * importer reads its rows by id only (the primary key: references,
 * duplicates, the stored row). Not deferred: the tables the derived
 * tables' triggers read or are on (units, persons, posts, tenures, kin:
 * migrations 0063, 0066) and the clue workflow's (clue_rows reads
 * dispositions by clue). What runs after the rows — the clues' workflow,
 * the rule sweep — runs after sort_indexes_build. */
static int index_deferrable(const char *table)
{
    static const char *const keep[] = {
        "units", "persons",        "posts",        "tenures",        "kin",
        "clues", "clue_reporters", "dispositions", "accountability", NULL};
    for (int i = 0; keep[i]; i++)
        if (strcmp(keep[i], table) == 0)
            return 0;
    return 1;
}

/* Append to *ddl and *drop the statements of `create`/`dropped` (each
 * ";"-ended, in the same order) that are not UNIQUE indexes. */
static void keep_non_unique(const pl_buf *create, const pl_buf *dropped, pl_buf *ddl, pl_buf *drop)
{
    const char *c = create->data, *d = dropped->data;
    while (c && d && *c && *d) {
        const char *ce = strchr(c, ';'), *de = strchr(d, ';');
        if (!ce || !de)
            break;
        if (strncmp(c, "CREATE UNIQUE", 13) != 0) {
            pl_buf_add(ddl, c, (size_t)(ce - c) + 1);
            pl_buf_add(drop, d, (size_t)(de - d) + 1);
        }
        c = ce + 1;
        d = de + 1;
    }
}

static int sort_indexes_defer(imp *m, pl_buf *ddl)
{
    unsigned char done[PL_INGEST_MAX_ENTITIES] = {0};
    pl_buf drop, c1, d1;
    pl_buf_init(&drop);
    pl_buf_init(&c1);
    pl_buf_init(&d1);
    int rc = 0;
    int all = !getenv("PLUMB_IMPORT_KEEP_INDEXES"); /* for comparisons (bench) */
    for (size_t i = 0; i < m->njobs && !rc; i++) {
        size_t k = m->jobs[i].ent_idx;
        if (k >= PL_INGEST_MAX_ENTITIES || !m->fresh[k] || done[k])
            continue;
        done[k] = 1;
        const char *table = m->jobs[i].ent->table;
        pl_buf_reset(&c1);
        pl_buf_reset(&d1);
        rc = pl_store_index_ddl(m->s, table, all && index_deferrable(table) ? "" : "sort_", &c1,
                                &d1, m->e);
        if (rc == 0)
            keep_non_unique(&c1, &d1, ddl, &drop);
    }
    if (!rc && drop.len) {
        rc = pl_store_exec(m->s, drop.data, m->e);
        floor_note(m, 0, drop.data);
    }
    pl_buf_release(&drop);
    pl_buf_release(&c1);
    pl_buf_release(&d1);
    return rc;
}

static int sort_indexes_build(imp *m, const pl_buf *ddl)
{
    if (!ddl->len)
        return 0;
    /* SQLite's sorter in runs of a few MiB, not one list of the whole
     * table (pl_store_sort_runs): half the CPU at a million rows. */
    int runs = pl_store_sort_runs(m->s, 1) == 0;
    int rc = pl_store_exec(m->s, ddl->data, m->e);
    if (runs)
        pl_store_sort_runs(m->s, 0);
    /* the settings as pl_store_sort_runs makes them (src/store/sqlite.c) */
    floor_note(m, 1, runs ? "PRAGMA temp_store=FILE; PRAGMA cache_size=-4096;" : NULL);
    floor_note(m, 1, ddl->data);
    floor_note(m, 1, runs ? "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;" : NULL);
    return rc;
}

/* The derived tables person_units (migration 0063) and persons_placed
 * (0066) are kept exact by SQLite row triggers on posts, tenures, kin,
 * persons, person_units and units: at prefecture scale ~330,000 firings,
 * each a few B-tree probes and an insert, about 3 s of the writer's CPU
 * (docs/BENCHMARKS.md, floor (d) against floor (a-rows)). When the tables
 * they are derived from (units aside) and both derived tables have no row
 * at the start of the batch, nothing but the batch's rows can place
 * anyone: the triggers are dropped here, inside the batch's transaction
 * as the sort indexes are, and derived_fill writes both tables once from
 * their rule (the views person_units_source and persons_placed_source,
 * which filled them in the migrations), then creates the triggers again
 * from their stored definitions, all before the batch commits. A rejected
 * batch rolls the DROPs back with its rows. Nothing in the batch reads the
 * derived tables before derived_fill: the importer reads rows by id, and
 * the one reader of scopes, the API's per-row check (check_row), keeps
 * the triggers. SQLite only: PostgreSQL's INSERT triggers already run once
 * per statement (migrations-pg 0145). PLUMB_IMPORT_DERIVED_ROWS=1 keeps
 * the triggers (tests/cli/import_derived_bulk.sh compares the two ways;
 * bench). The CREATE TRIGGER statements collect in *ddl. */
static int derived_defer(imp *m, pl_buf *ddl)
{
    static const char *const from[] = {"posts",        "tenures",        "kin", "persons",
                                       "person_units", "persons_placed", NULL};
    const char *rows = getenv("PLUMB_IMPORT_DERIVED_ROWS");
    if (pl_store_dialect(m->s) != PL_DIALECT_SQLITE || m->o->check_row ||
        (rows && strcmp(rows, "1") == 0))
        return 0;
    for (int i = 0; from[i]; i++) {
        pl_buf sql;
        pl_buf_init(&sql);
        pl_buf_addf(&sql, "SELECT 1 FROM \"%s\" LIMIT 1", from[i]);
        int64_t one = 0;
        int rc = pl_store_query_i64(m->s, &one, m->e, sql.data, NULL);
        pl_buf_release(&sql);
        if (rc == 0)
            return 0; /* rows before the batch: the triggers keep the tables */
        if (rc != PL_ENOTFOUND)
            return rc;
    }
    /* The triggers of 0063 and 0066, by their names' prefixes, in the
     * order they were created. Another trigger that wrote a derived table
     * would make derived_fill's plain INSERTs fail, not write twice. */
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(m->s,
                              "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND "
                              "(substr(name, 1, 13)='person_units_' OR "
                              "substr(name, 1, 15)='persons_placed_') ORDER BY rowid",
                              &st, m->e);
    if (rc)
        return rc;
    pl_buf drop;
    pl_buf_init(&drop);
    while ((rc = pl_stmt_step(st, m->e)) == PL_ROW) {
        pl_buf_addf(ddl, "%s;", pl_stmt_text(st, 1));
        pl_buf_addf(&drop, "DROP TRIGGER \"%s\";", pl_stmt_text(st, 0));
    }
    pl_stmt_finalize(st);
    rc = rc == PL_DONE ? 0 : rc;
    if (rc == 0 && drop.len) {
        rc = pl_store_exec(m->s, drop.data, m->e);
        floor_note(m, 0, drop.data);
    }
    pl_buf_release(&drop);
    if (rc)
        pl_buf_reset(ddl);
    return rc;
}

/* After the rows: both derived tables from their rule, person_units first
 * (persons_placed reads it), each in its key's order; then the triggers. */
static int derived_fill(imp *m, const pl_buf *ddl)
{
    if (!ddl->len)
        return 0;
    static const char fill[] = "INSERT INTO person_units(person_id, unit_id) "
                               "SELECT DISTINCT person_id, unit_id FROM person_units_source "
                               "ORDER BY person_id, unit_id;"
                               "INSERT INTO persons_placed SELECT * FROM persons_placed_source "
                               "ORDER BY id;";
    floor_note(m, 1, fill);
    floor_note(m, 1, ddl->data);
    int rc = pl_store_exec(m->s, fill, m->e);
    return rc ? rc : pl_store_exec(m->s, ddl->data, m->e);
}

/* PLUMB_IMPORT_STATS=1: the batch's phases on stderr, each with its wall
 * seconds and this (the writer's) thread's CPU seconds. */
static void phase_note(const char *what, double *t, double *cpu)
{
    double t1 = mono_s(), c1 = thread_cpu_s();
    if (getenv("PLUMB_IMPORT_STATS"))
        fprintf(stderr, "import: %s %.2f s wall, %.2f s CPU\n", what, t1 - *t, c1 - *cpu);
    *t = t1;
    *cpu = c1;
}

int pl_ingest_run(pl_store *s, pl_ledger *l, const pl_ingest_input *in, size_t n,
                  const pl_ingest_opts *opts, pl_ingest_stats *st, pl_err *e)
{
    pl_ingest_stats local;
    pl_ingest_opts defaults = {0};
    if (!st)
        st = &local;
    if (!opts)
        opts = &defaults;
    memset(st, 0, sizeof *st);
    imp m = {.s = s, .l = l, .o = opts, .st = st, .e = e, .rej_section = -1, .hint_col = -1};
    pl_buf_init(&m.row_err);
    pl_buf_init(&m.floor_settings);
    for (size_t k = 0; k < PL_INGEST_MAX_FIELDS; k++)
        pl_buf_init(&m.repaired[k]);
    pl_buf_init(&m.rej_line);
    m.rej_buf = opts->rejects_buf;
    int rc = 0, began = 0;
    pl_buf sort_ddl, derived_ddl, floor_before, floor_after;
    pl_buf_init(&sort_ddl);
    pl_buf_init(&derived_ddl);
    pl_buf_init(&floor_before);
    pl_buf_init(&floor_after);
    if (getenv("PLUMB_IMPORT_FLOOR_SQL")) {
        m.floor_before = &floor_before;
        m.floor_after = &floor_after;
    }
    int64_t size0 = 0;
    double ph_t = mono_s(), ph_cpu = thread_cpu_s();
    if (n == 0) {
        rc = pl_err_set(e, PL_EINVAL, "nothing to import");
        goto out;
    }
    resolve(&m, in, n);
    if (m.file_errors) {
        rc = pl_err_set(e, PL_EINVAL, "%lld problem(s) with the input files; nothing written",
                        (long long)st->errors);
        goto out;
    }
    for (m.cur = 0; m.cur < m.njobs; m.cur++) {
        if (m.jobs[m.cur].wb) { /* XML: UTF-8 by the parser */
            m.total += m.jobs[m.cur].size;
            continue;
        }
        rc = encoding_pass(&m, &m.jobs[m.cur]);
        if (rc)
            goto out;
        if (m.jobs[m.cur].enc == PL_ENC_GB18030)
            st->gb18030_files++;
        m.total += m.jobs[m.cur].size;
    }
    st->bytes = m.total;
    phase_note("encoding pass", &ph_t, &ph_cpu);
    if (m.file_errors) {
        rc = pl_err_set(e, PL_EINVAL, "%lld problem(s) with the input encodings; nothing written",
                        (long long)st->errors);
        goto out;
    }
    qsort(m.jobs, m.njobs, sizeof *m.jobs, job_cmp);
    if (opts->partial) {
        if (opts->rejects_path)
            snprintf(st->rejects_path, sizeof st->rejects_path, "%s", opts->rejects_path);
        else if (!in[0].data)
            snprintf(st->rejects_path, sizeof st->rejects_path, "%s.rejects.csv", in[0].name);
    }
    rc = pl_registry_new(&m.reg, s, l, e);
    if (rc)
        goto out;
    if (sodium_init() < 0) {
        rc = pl_err_set(e, PL_EINTERNAL, "libsodium: cannot initialise");
        goto out;
    }
    crypto_shorthash_keygen(m.seen_key);
    rc = pl_store_begin(s, e);
    if (rc)
        goto out;
    began = 1;
    /* The size under the writer lock: another writer may have appended
     * since the ledger was opened. */
    rc = pl_ledger_sync(l, e);
    if (rc)
        goto out;
    size0 = pl_ledger_size(l);
    floor_settings(&m);
    rc = find_fresh(&m);
    if (rc == 0)
        rc = sort_indexes_defer(&m, &sort_ddl);
    if (rc == 0)
        rc = derived_defer(&m, &derived_ddl);
    /* The rows' inserts (ledger and projections) in bulk where the store
     * has a faster way (PostgreSQL: COPY); reads in between see them. */
    if (rc == 0)
        rc = pl_store_bulk(s, 1, e);
    if (rc == 0 && pipe_wanted(&m))
        rc = pipe_run(&m);
    else if (rc == 0)
        for (m.cur = 0; m.cur < m.njobs && rc == 0; m.cur++)
            rc = import_job(&m);
    if (rc == 0)
        rc = pl_store_bulk(s, 0, e);
    phase_note("rows", &ph_t, &ph_cpu);
    if (rc == 0)
        rc = derived_fill(&m, &derived_ddl);
    phase_note("derived tables", &ph_t, &ph_cpu);
    if (rc == 0)
        rc = sort_indexes_build(&m, &sort_ddl);
    phase_note("deferred indexes", &ph_t, &ph_cpu);
    if (rc == 0 && m.rej && fflush(m.rej) != 0)
        rc = pl_err_set(e, PL_EIO, "%s: %s", st->rejects_path, strerror(errno));
    if (rc) {
        if (!e || !e->msg[0])
            pl_err_set(e, rc, "import failed: %s", pl_strerror(rc));
        goto out;
    }
    if (m.file_errors || (st->errors && !opts->partial)) {
        int64_t bad = 0;
        for (size_t i = 0; i < PL_INGEST_MAX_ENTITIES; i++)
            bad += st->entity[i].rejected;
        if (m.file_errors)
            rc = pl_err_set(e, PL_EINVAL, "%lld problem(s) with the input files; nothing written",
                            (long long)m.file_errors);
        else
            rc = pl_err_set(e, PL_EINVAL, "%lld bad row(s) of %lld; nothing written",
                            (long long)bad, (long long)st->rows);
        goto out;
    }
    int64_t size1 = pl_ledger_size(l);
    rc = pl_store_commit(s, e);
    began = 0;
    phase_note("commit", &ph_t, &ph_cpu);
    if (rc)
        goto out;
    st->committed = 1;
    st->events = size1 - size0;
    floor_write(&m);
out:
    if (began)
        pl_store_rollback(s);
    if (m.rej) {
        fclose(m.rej);
        if (!st->committed) {
            /* Nothing was written: a rejects file would mislead. */
            unlink(st->rejects_path);
        }
    }
    if (!m.rej && !(m.rej_buf && m.rej_buf->len))
        st->rejects_path[0] = 0;
    header_reset(&m);
    pl_registry_free(m.reg);
    for (size_t i = 0; i < m.njobs; i++)
        free(m.jobs[i].rej_head);
    free(m.jobs);
    for (size_t i = 0; i < m.nwbs; i++)
        pl_xlsx_free(m.wbs[i]);
    free(m.wbs);
    free(m.seen.v);
    pl_buf_release(&m.row_err);
    for (size_t k = 0; k < PL_INGEST_MAX_FIELDS; k++)
        pl_buf_release(&m.repaired[k]);
    pl_buf_release(&m.rej_line);
    pl_buf_release(&sort_ddl);
    pl_buf_release(&derived_ddl);
    pl_buf_release(&floor_before);
    pl_buf_release(&floor_after);
    pl_buf_release(&m.floor_settings);
    return rc;
}

/* ------------------------------------------------------ data-set dirs */

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int pl_ingest_scan_dir(const char *dir, pl_ingest_input **out, size_t *n, pl_err *e)
{
    *out = NULL;
    *n = 0;
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return pl_err_set(e, PL_ENOTFOUND, "%s: not a directory", dir);
    size_t cap = 0;
    pl_ingest_input *v = NULL;
    for (const char *const *src = pl_ingest_sources(); *src; src++) {
        pl_buf path;
        pl_buf_init(&path);
        pl_buf_addf(&path, "%s/%s", dir, *src);
        DIR *d = opendir(path.data);
        if (!d) {
            pl_buf_release(&path);
            continue;
        }
        char **names = NULL;
        size_t nn = 0, cn = 0;
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            size_t k = strlen(de->d_name);
            if (de->d_name[0] == '.' || strncmp(de->d_name, "~$", 2) == 0 ||
                ends_with(de->d_name, k, ".rejects.csv"))
                continue;
            if (!ends_with(de->d_name, k, ".csv") && !ends_with(de->d_name, k, ".jsonl") &&
                !ends_with(de->d_name, k, ".xlsx") && !ends_with(de->d_name, k, ".xls"))
                continue;
            if (nn == cn) {
                cn = cn ? 2 * cn : 16;
                names = pl_realloc(names, cn * sizeof *names);
            }
            names[nn++] = pl_strdup(de->d_name);
        }
        closedir(d);
        qsort(names, nn, sizeof *names, name_cmp);
        for (size_t i = 0; i < nn; i++) {
            if (*n == cap) {
                cap = cap ? 2 * cap : 32;
                v = pl_realloc(v, cap * sizeof *v);
            }
            pl_buf f;
            pl_buf_init(&f);
            pl_buf_addf(&f, "%s/%s", path.data, names[i]);
            v[*n] = (pl_ingest_input){.source = *src, .name = pl_buf_detach(&f, NULL)};
            (*n)++;
            free(names[i]);
        }
        free(names);
        pl_buf_release(&path);
    }
    if (*n == 0) {
        free(v);
        return pl_err_set(e, PL_ENOTFOUND,
                          "%s: no <source>/*.csv or *.jsonl files (sources: org, police, ...)",
                          dir);
    }
    *out = v;
    return 0;
}

void pl_ingest_inputs_free(pl_ingest_input *in, size_t n)
{
    if (!in)
        return;
    for (size_t i = 0; i < n; i++)
        free((char *)in[i].name);
    free(in);
}
