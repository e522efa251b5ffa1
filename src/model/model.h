/*
 * model.h — the registry entities of DESIGN.md §5: their fields, validation
 * of one row, reference checks, and recording a row as an event whose
 * projection is the entity's table.
 *
 * Every entity is recorded by the event "<entity>.recorded" whose payload is
 * the whole normalised row (a JSON object: strings and integers). Recording
 * the same row twice appends nothing (idempotent import); a changed row is a
 * new event and the projection row is replaced — the ledger keeps history.
 * Not thread-safe: one pl_registry per store/ledger.
 */
#ifndef PL_MODEL_H
#define PL_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "../ledger/ledger.h"
#include "../store/store.h"
#include "../util/util.h"

struct json_t;

/* ------------------------------------------------------------ the fields */

typedef enum pl_field_type {
    PL_F_ID,          /**< source key: 1-64 of [A-Za-z0-9_.:-] */
    PL_F_TEXT,        /**< free text, NFC, 0-2000 chars, trimmed */
    PL_F_NAME,        /**< a unit's, post's or company's name: NFC, width-folded */
    PL_F_PERSON_NAME, /**< a person's name: as PL_F_NAME, Han/Latin letters and · only */
    PL_F_ENUM,        /**< one of `values` */
    PL_F_DATE,        /**< YYYY-MM-DD, a real date */
    PL_F_INT,         /**< integer in [min, max] */
    PL_F_MONEY,       /**< integer fen >= 0 */
    PL_F_BOOL,        /**< 0/1 (also true/false, 是/否) */
    PL_F_CITIZEN_ID,  /**< GB 11643 citizen ID, normalised to 18 digits */
    PL_F_USCC,        /**< GB 32100 unified social credit code */
    PL_F_DIVISION,    /**< GB/T 2260 division code (2, 4 or 6 digits) */
    PL_F_PORTFOLIO,   /**< list of portfolio codes (分管领域), normalised to
                           the canonical comma-joined list (see below) */
    PL_F_ID_WRITTEN,  /**< an ID number as a register wrote it: NFKC, 'x' as
                           'X', 1-18 of [0-9X], not checked (a wrong check
                           digit is what linkage looks for) */
} pl_field_type;

typedef struct pl_field {
    const char *name; /**< column and JSON key (snake_case, English) */
    pl_field_type type;
    int required;
    const char *ref;           /**< entity name a non-empty value must exist in */
    const char *const *values; /**< PL_F_ENUM: NULL-terminated list */
    int64_t min, max;          /**< PL_F_INT range */
    const char *label_zh;      /**< column label for people */
} pl_field;

typedef struct pl_entity {
    const char *name;  /**< "unit" — event type is "<name>.recorded" */
    const char *table; /**< projection table */
    const char *label_zh;
    const char *label_en;
    const pl_field *fields; /**< fields[0] is always "id" */
    size_t nfields;
} pl_entity;

/** All entities, in dependency order (referenced before referencing). */
const pl_entity *pl_model_entities(size_t *n);
/** Look up an entity by name ("unit") or table ("units"); NULL if unknown. */
const pl_entity *pl_model_entity(const char *name);
/** Index of field `name` in `ent`, or -1. */
int pl_model_field_index(const pl_entity *ent, const char *name);

/**
 * Register every "<entity>.recorded" event type with the ledger. Call once
 * at start-up (idempotent).
 */
void pl_model_register(void);

/* ------------------------------------------------------------ portfolio */

/* The areas a post is in charge of (分管领域, DESIGN.md §5 posts): a post's
 * `portfolio_codes` is a list of these codes (R18 reads it); `portfolio`
 * stays as free text. A row with text and no codes gets the codes the
 * text's keywords give (on import, and on replay of an event recorded before
 * the codes existed — the same keywords as migration 0105). */
typedef struct pl_portfolio_code {
    const char *code;        /**< "personnel" */
    const char *label_zh;    /**< "人事" */
    const char *label_en;    /**< "personnel" */
    const char *keywords[5]; /**< substrings of the old free text, NULL-ended */
} pl_portfolio_code;

/** The code table, in canonical order (bit i of a mask = code i). */
const pl_portfolio_code *pl_model_portfolio_codes(size_t *n);
/** Index of a code (or its zh label) of `len` bytes at s; -1 if unknown. */
int pl_model_portfolio_code_index(const char *s, size_t len);
/** Parse a list of codes or zh labels separated by , ; | space ，、；
 * into *mask; an unknown one is PL_EINVAL naming it and the codes. */
int pl_model_portfolio_parse(const char *text, uint32_t *mask, pl_err *e);
/** The codes the old free text names (its keywords), as a mask. */
uint32_t pl_model_portfolio_from_text(const char *text);
enum { PL_PORTFOLIO_CODES = 0, PL_PORTFOLIO_ZH = 1, PL_PORTFOLIO_EN = 2 };
/** Append `mask` as codes ("personnel,finance"), zh labels (人事、财务) or
 * English labels, in canonical order. */
void pl_model_portfolio_format(pl_buf *out, uint32_t mask, int style);

/* --------------------------------------------------------------- tenures */

/* The one rule for when a tenure is current at a date, PL_TENURE_OPEN_AT
 * (SQL) and pl_date_tenure_open (C), is in util/date.h (included through
 * util.h), so that src/accounts, below this module, uses it too. */

/** The same as pl_date_tenure_open (kept for the model's callers). */
int pl_model_tenure_open(const char *start, const char *end, const char *date);

/* ------------------------------------------------------------ validation */

/** Receives one problem with one field of a row (field NULL: the row). */
typedef void (*pl_report_fn)(void *ctx, const char *field, const char *msg);

/**
 * Validate and normalise one row given as strings (`values[i]` for
 * `names[i]`, n pairs; NULL or "" is empty). Unknown names are reported.
 * On success *out is a new JSON object with every field of the entity
 * (empty optional fields omitted) and 0 is returned; otherwise every problem
 * goes to `report` and PL_EINVAL is returned. Warnings (historic division
 * codes) go to `report` with field prefixed by "warning:" and do not fail.
 * A person's or company's row also gets "match_key", the match key of its
 * name (pl_model_match_key): derived, not an input field.
 */
int pl_model_normalize(const pl_entity *ent, const char *const *names, const char *const *values,
                       size_t n, struct json_t **out, pl_report_fn report, void *ctx);

/* ------------------------------------------------------------ match keys */

/**
 * Traditional → simplified Chinese with OpenCC's t2s (characters and
 * phrases), appended to out. ASCII is copied. Thread-safe (the converter
 * is opened once). PL_EINTERNAL if OpenCC's data cannot be opened.
 */
int pl_model_t2s(pl_buf *out, const char *s, size_t len, pl_err *e);

/**
 * The match key of a name, appended to out: t2s, then white space, the
 * middle dot and its variants, '-' and '.' dropped, then NFKC_Casefold.
 * 張　偉 and 张伟 have the same key; so have 阿依古麗•買買提 and
 * 阿依古丽·买买提. For comparing names only: the name is stored as given.
 * pl_model_normalize adds it to person and company rows as "match_key"
 * (projected into match_keys, migration 0110). Thread-safe.
 */
int pl_model_match_key(pl_buf *out, const char *name, size_t len, pl_err *e);

/* -------------------------------------------------------------- registry */

typedef struct pl_registry pl_registry;

/** A registry over store `s` and ledger `l` (both borrowed). */
int pl_registry_new(pl_registry **out, pl_store *s, pl_ledger *l, pl_err *e);
void pl_registry_free(pl_registry *r);
/** How many ids known to exist the registry keeps before it looks the
 * rest up in the store (src/model/registry.c, the known-id set). */
size_t pl_registry_known_max(const pl_registry *r);

/** Outcome of pl_registry_record. */
enum { PL_REC_NEW = 1, PL_REC_CHANGED = 2, PL_REC_SAME = 3 };

/**
 * Check `row`'s references (each `ref` field must name an existing record;
 * problems go to `report`), then append "<entity>.recorded" unless the
 * stored row is identical. Runs in the store's current transaction.
 * *outcome (may be NULL) is PL_REC_NEW, PL_REC_CHANGED or PL_REC_SAME.
 * Returns 0, PL_EINVAL (reference problem, reported) or another error in e.
 */
int pl_registry_record(pl_registry *r, const pl_entity *ent, const struct json_t *row,
                       const char *actor, int *outcome, pl_report_fn report, void *ctx, pl_err *e);

/** pl_registry_record for a row the caller knows is not stored: its table
 * was empty when the caller's transaction began and the id has not been
 * recorded since (a bulk import knows both). Skips the read of the stored
 * row; the outcome is PL_REC_NEW. */
int pl_registry_record_new(pl_registry *r, const pl_entity *ent, const struct json_t *row,
                           const char *actor, int *outcome, pl_report_fn report, void *ctx,
                           pl_err *e);

/** The next pl_registry_record(_new) call that appends uses these as the
 * event's payload encoding (pl_ledger_encode_payload of the same row, made
 * on the pipelined import's producer thread) instead of encoding the row;
 * borrowed, and forgotten after that call (appended or not). */
void pl_registry_set_encoded(pl_registry *r, const char *enc, size_t len, const char *hex);

/** The subjects of the event that records `row` (a new array): the
 * record's id, then the id of every record it refers to, in field order. */
struct json_t *pl_registry_subjects(const pl_entity *ent, const struct json_t *row);

/** What the next pl_registry_record(_new) call that appends may take as
 * made beforehand, on the pipelined import's producer thread:
 * `handles_enc`, the canonical JSON array of the keyed handles of
 * pl_registry_subjects(row) in order (a pl_subject_hasher of the same
 * ledger, pl_ledger_add_handle: the event's header takes it as it is and
 * its `subjects` are NULL), and `initials`, the pinyin initials of a
 * person's name (pl_pinyin_initials). Either may be NULL (computed by the
 * writer, as before). Borrowed, and forgotten after that call. */
void pl_registry_set_prepared(pl_registry *r, const char *handles_enc, size_t handles_enc_len,
                              const char *initials);

/** A projection hint (pl_event.apply_hint) of a "<entity>.recorded"
 * event: `fresh`, the record's row (and its initials and match key) is
 * known absent, so the projection is a plain INSERT (no upsert path: a row
 * that is there after all fails the batch with a UNIQUE error);
 * `initials`, a person's pinyin initials computed beforehand, or NULL. */
typedef struct pl_model_hint {
    int fresh;
    const char *initials;
} pl_model_hint;

/** Does a record `id` of entity `ent` exist? 1 yes, 0 no, <0 error. */
int pl_registry_exists(pl_registry *r, const pl_entity *ent, const char *id, pl_err *e);

/** Count rows of every entity table into counts[i] (i as pl_model_entities). */
int pl_registry_counts(pl_store *s, int64_t *counts, pl_err *e);

#endif
