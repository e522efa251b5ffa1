/*
 * cases.h — the clue workflow (问题线索, DESIGN.md §7, docs/CASES.md): intake
 * from every channel, dedupe into groups, routing to the level above
 * (上级抓下级), disposition → verification → conclusion → archive with
 * deadlines and reminders, handler notes, replies, sealed reporter identity
 * (libsodium sealed boxes to the handling office's keys), the reporter
 * portal (receipt code + argon2id passphrase, rate limits, inclusion
 * proofs), recusal and visibility, and statistics (JSON, XLSX).
 *
 * Every change is a ledger event ("clue.*", "office.*") whose projection is
 * one of the case_* tables of migration 0040. Beside its own events the
 * workflow records the registry rows the rules read — "clue.recorded",
 * "clue_reporter.recorded", "disposition.recorded",
 * "accountability.recorded" (src/model) — in the same transaction, so R11,
 * R12, R13 and R17 run on live workflow data, incrementally too.
 *
 * The HTTP layer calls these functions only: each takes the caller as a
 * pl_viewer and decides access itself (deny by default). Not thread-safe:
 * one pl_cases per store/ledger/thread.
 */
#ifndef PL_CASES_H
#define PL_CASES_H

#include <stddef.h>
#include <stdint.h>

#include "../accounts/accounts.h"
#include "../ledger/ledger.h"
#include "../store/store.h"
#include "../util/util.h"

struct pl_rules;

/* ------------------------------------------------------------- limits */

#define PL_CASES_RECEIPT_DIGITS 16
/** Granularity of the public (leaf header) time of the portal's events: the
 * UTC day (DESIGN.md §4; docs/LEDGER.md "What a published header reveals"). */
#define PL_CASES_PORTAL_PUBLIC_TIME 86400
#define PL_CASES_ID_MAX 64
/** Largest attachment accepted (bytes) and most attachments per upload. */
#define PL_CASES_ATTACH_MAX (10 * 1024 * 1024)
#define PL_CASES_ATTACH_COUNT 10
/** Longest facts text (bytes) and summary (characters, as clues.summary). */
#define PL_CASES_FACTS_MAX 65536
#define PL_CASES_SUMMARY_MAX 2000

/* ------------------------------------------------------- registration */

/**
 * Register the workflow event types ("clue.received", "clue.linked",
 * "clue.routed", "clue.disposed", "clue.verified", "clue.concluded",
 * "clue.name_cleared", "clue.archived", "clue.assigned", "clue.note_added",
 * "clue.reminder", "clue.reply", "clue.material_added", "clue.read",
 * "clue.reporter_read", "office.key_created", "office.key_unlocked",
 * "office.unlock_failed", "clue.imported", "clue.proposed", "clue.approved",
 * "clue.refused", "office.approver_set") with
 * their projection handlers. Idempotent; call at start-up next to
 * pl_model_register(). Also registers the model's types.
 */
void pl_cases_register(void);

/* ----------------------------------------------------- roles and viewers */

/** Roles as far as clues are concerned: the codes of the one role
 * vocabulary (accounts.h pl_role, with PL_ROLE_SYSTEM and
 * PL_ROLE_REPORTER), so an account's role is a viewer's role as is. */
typedef int pl_cases_role;
#define PL_CASES_ROLE_NONE PL_ROLE_NONE
#define PL_CASES_ROLE_SYSTEM PL_ROLE_SYSTEM         /**< CLI operator: all but reporter identity */
#define PL_CASES_ROLE_DISCIPLINE PL_ROLE_DISCIPLINE /**< 纪委监委: handles clues; identity role */
#define PL_CASES_ROLE_PETITION PL_ROLE_PETITION     /**< 信访办: intake, read, reply */
#define PL_CASES_ROLE_INSPECTION PL_ROLE_INSPECTION /**< 巡察办: intake, count */
#define PL_CASES_ROLE_LEADER PL_ROLE_LEADER         /**< 领导: read, list, count within scope */
#define PL_CASES_ROLE_CADRE PL_ROLE_CADRE           /**< 组织部: nothing on clues */
#define PL_CASES_ROLE_AUDITOR PL_ROLE_AUDITOR       /**< ledger only, no content */
#define PL_CASES_ROLE_ADMIN PL_ROLE_ADMIN           /**< accounts only, no content */
#define PL_CASES_ROLE_SUBJECT PL_ROLE_SUBJECT       /**< a supervised leader: never sees clues */
#define PL_CASES_ROLE_REPORTER PL_ROLE_REPORTER     /**< the portal: only receipt + passphrase */

/** Permission bits of a role (pl_cases_role_perms). */
enum {
    PL_PERM_INTAKE = 1 << 0,   /**< register a clue */
    PL_PERM_READ = 1 << 1,     /**< read one clue (logged) */
    PL_PERM_LIST = 1 << 2,     /**< list and count clues, statistics */
    PL_PERM_HANDLE = 1 << 3,   /**< dispose, verify, conclude, archive, assign */
    PL_PERM_NOTES = 1 << 4,    /**< read and write handler notes, sub-status */
    PL_PERM_REPLY = 1 << 5,    /**< write replies to the reporter */
    PL_PERM_IDENTITY = 1 << 6, /**< read sealed reporter identity (after unlock) */
    PL_PERM_KEYS = 1 << 7,     /**< create and unlock office keys */
};

/**
 * Who is asking. `person_id` is the user's own person (citizen ID) for
 * recusal; `scope_unit_id` the root of the user's jurisdiction (NULL: the
 * whole store, only honoured for PL_CASES_ROLE_SYSTEM); `actor` the name written
 * on events. All borrowed.
 */
typedef struct pl_viewer {
    pl_cases_role role;
    const char *actor;
    const char *person_id;
    const char *scope_unit_id;
} pl_viewer;

/** Permission bits of `role`. */
unsigned pl_cases_role_perms(pl_cases_role role);
/** Parse "discipline", "petition", ... (also the zh names); 0 or PL_EINVAL. */
int pl_cases_role_parse(const char *s, pl_cases_role *out);
/** English name of a role ("discipline"). */
const char *pl_cases_role_name(pl_cases_role role);

/* ------------------------------------------------------------ the handle */

typedef struct pl_cases pl_cases;

/**
 * A workflow handle over store `s` and ledger `l` (both borrowed; they must
 * outlive it). Creates its own pl_registry for the registry rows.
 */
int pl_cases_new(pl_cases **out, pl_store *s, pl_ledger *l, pl_err *e);
void pl_cases_free(pl_cases *c);

/**
 * Imported clues enter the workflow (docs/CASES.md "Imported clues"):
 * for every registry clue without a workflow row, and every imported clue
 * whose clue, disposition or accountability rows were recorded after
 * `after_seq` (unless the workflow has moved it since), append one
 * "clue.imported" event with the state its dispositions imply, its routing
 * and deadlines. Called by the import service inside the batch's
 * transaction; `actor` is the batch's (NULL: "import:clues").
 */
int pl_cases_import_sync(pl_cases *c, const char *actor, int64_t after_seq, int64_t *synced,
                         pl_err *e);

/**
 * Take deadlines from the rule profiles (r12_dispose_days,
 * r12_conclude_days, r17_clearing_days for the subject's unit) so that
 * reminders and R12/R17 agree. `r` borrowed; NULL = built-in defaults.
 */
void pl_cases_set_rules(pl_cases *c, struct pl_rules *r);
/**
 * The log's signing key, used by the portal to sign a checkpoint covering
 * a new report when none does yet. Borrowed; NULL = never sign.
 */
void pl_cases_set_signer(pl_cases *c, const pl_signer *s);
/**
 * Office passphrase lockout: after `max_failures` wrong passphrases in a
 * row by one user for one office, that user waits `lock_secs` from the last
 * (defaults 5 and 900, as sign-in). Values <= 0 keep the defaults.
 */
void pl_cases_set_unlock_limit(pl_cases *c, int max_failures, int lock_secs);

/** Deadlines and limits (profile parameters; defaults in docs/CASES.md). */
typedef struct pl_cases_params {
    int register_days;            /**< 0: registered the day received */
    int dispose_days;             /**< 30 */
    int conclude_days;            /**< 90 (talk_inquiry, preliminary_verification) */
    int hold_review_days;         /**< 180: a held clue is reviewed */
    int clearing_days;            /**< 30: name clearing after an unfounded conclusion */
    int remind_days;              /**< 7: "due soon" reminder before a deadline */
    int dedupe_pct;               /**< 60: facts overlap (%) that links a new clue */
    int portal_reports_per_hour;  /**< 5 per client address */
    int portal_failures_per_hour; /**< 10 wrong receipt/passphrase per address */
    int portal_receipt_failures;  /**< 5 wrong passphrases per receipt per hour */
    int portal_rejects_per_hour;  /**< 20 rejected (invalid) reports per address */
} pl_cases_params;

/** The parameters in force for clues about unit `unit_id` (NULL: defaults). */
int pl_cases_params_for(pl_cases *c, const char *unit_id, pl_cases_params *out, pl_err *e);

/* ------------------------------------------------------------ attachments */

/** One uploaded file (borrowed). */
typedef struct pl_attachment {
    const char *name;
    const uint8_t *data;
    size_t len;
} pl_attachment;

/**
 * Classify an attachment by its magic bytes: "pdf", "jpg", "png", "docx"
 * (a ZIP with word/document.xml) or "txt" (valid UTF-8, no NUL); the name's
 * extension must agree. PL_EINVAL with a clear message (in Chinese and
 * English) naming the file for a forbidden type, a mismatch, an empty file
 * or a size over PL_CASES_ATTACH_MAX. `kind_out` gets a static string.
 */
int pl_cases_attachment_check(const pl_attachment *a, const char **kind_out, pl_err *e);

/* ------------------------------------------------------------------ intake */

/** A clue as staff register it (all strings borrowed; NULL = absent). */
typedef struct pl_clue_input {
    const char *channel;     /**< online letter visit phone inspection investigation
                                  meeting audit rule_warning */
    const char *category;    /**< power money personnel conduct other */
    const char *received_at; /**< YYYY-MM-DD or ISO 8601 UTC; NULL = now */
    const char *subject_person_id;
    const char *subject_unit_id;
    const char *subject_name; /**< free text (portal); resolved to a person if unique */
    const char *summary;      /**< required, <= PL_CASES_SUMMARY_MAX characters */
    const char *facts;        /**< full text; NULL = summary */
    int real_name;
    const char *reporter_person_id; /**< a real-name reporter who is a known person */
    const char *reporter_identity;  /**< name, contact...: sealed to the office keys */
    const char *source_ref;         /**< finding id, inspection round... */
    /** Escalated from the level below (docs/LEVELS.md §9): route to this
     * discipline office of the store; a subject_name then suffices. */
    const char *handling_office_id;
    const pl_attachment *attachments;
    size_t nattachments;
} pl_clue_input;

/** What intake did. */
typedef struct pl_clue_result {
    char clue_id[PL_CASES_ID_MAX + 1];
    char group_id[PL_CASES_ID_MAX + 1];         /**< = clue_id unless linked */
    char handling_unit_id[PL_CASES_ID_MAX + 1]; /**< "" if no office found */
    int linked;      /**< merged into an open clue about the same subject */
    int overlap_pct; /**< facts overlap with the group when linked */
    int is_top;      /**< routed to the level above */
    int64_t seq;     /**< the clue.received event */
} pl_clue_result;

/**
 * Register a clue: validate, append "clue.received" (+ registry rows),
 * link it to an open clue about the same subject whose facts overlap by
 * dedupe_pct or more ("clue.linked"; the group's primary counts the
 * report), else route it ("clue.routed") to the discipline office of the
 * level above the subject's unit when the subject is its top leader (or
 * the clue is about the unit), else to the unit's own level. A reporter
 * identity is sealed to every key of the handling office (PL_EINVAL if it
 * has none). One transaction. Needs PL_PERM_INTAKE.
 */
int pl_cases_intake(pl_cases *c, const pl_viewer *v, const pl_clue_input *in, pl_clue_result *out,
                    pl_err *e);

/**
 * Turn a rule finding (findings table) into a clue of channel
 * "rule_warning": subject, unit, category by rule, summary from the
 * finding's explanation, source_ref = the finding id. PL_EEXIST if the
 * finding already became a clue.
 */
int pl_cases_from_finding(pl_cases *c, const pl_viewer *v, const char *finding_id,
                          pl_clue_result *out, pl_err *e);

/* ---------------------------------------------------------------- workflow */

/**
 * Choose the disposition of a registered or routed (or held) clue group:
 * method talk_inquiry | preliminary_verification | hold | close, with a
 * non-empty reason. Sets the conclusion deadline (talk/verification) or
 * review date (hold). Linked clues follow their group's primary. Needs
 * PL_PERM_HANDLE and visibility.
 */
int pl_cases_dispose(pl_cases *c, const pl_viewer *v, const char *clue_id, const char *method,
                     const char *reason, pl_err *e);
/**
 * Approvals (审批, docs/CASES.md "Approvals"): when the handling office of
 * a clue about a top leader has an approver configured, pl_cases_dispose and
 * pl_cases_conclude do not move the clue: they append "clue.proposed" (the
 * step and its parameters; case_clues.pending_step) and return 0. Another
 * step of the kind is PL_EEXIST ("pending_step: ...") until it is decided.
 *
 * pl_cases_decide approves (approve = 1: "clue.approved", then the step
 * itself, dated the day of the approval) or refuses ("clue.refused"; the
 * clue stays) with a reason. The viewer must be the configured approver
 * (the role, or the person) and see the clue (scope, recusal), else
 * PL_EDENIED ("approver: ..."); the proposer (same actor or same person) is
 * PL_EEXIST ("approver: ... cannot also approve"); nothing pending is
 * PL_EINVAL ("pending_step: ...").
 */
int pl_cases_decide(pl_cases *c, const pl_viewer *v, const char *clue_id, int approve,
                    const char *reason, pl_err *e);
/** The step of clue `clue_id`'s group waiting for approval ("" none). */
int pl_cases_pending_step(pl_cases *c, const char *clue_id, char out[16], pl_err *e);
/**
 * Configure who approves for discipline office `office_id`: a role name or
 * a person (exactly one), with a reason ("office.approver_set"; case_approvers).
 * Needs PL_PERM_KEYS and the office in scope.
 */
int pl_cases_set_approver(pl_cases *c, const pl_viewer *v, const char *office_id, const char *role,
                          const char *person_id, const char *reason, pl_err *e);
/** Verification done (talk_inquiry / preliminary_verification only). */
int pl_cases_verify(pl_cases *c, const pl_viewer *v, const char *clue_id, const char *reason,
                    pl_err *e);

/** A conclusion. */
typedef struct pl_conclusion {
    const char *outcome; /**< form1..form4 | unfounded | fault_tolerance */
    const char *measure; /**< criticism | sanction | org_measure (forms 1-4) */
    const char *basis;   /**< required for fault_tolerance (容错 basis) */
    const char *reason;  /**< required */
} pl_conclusion;

/**
 * Conclude a verified clue group (or one under verification: verification
 * is then implied by the conclusion). form1..4 need a measure; unfounded
 * opens a name-clearing task due in clearing_days; fault_tolerance needs its
 * basis. Records accountability for the subject person.
 */
int pl_cases_conclude(pl_cases *c, const pl_viewer *v, const char *clue_id, const pl_conclusion *k,
                      pl_err *e);
/** Complete the name-clearing task (澄清正名) of an unfounded clue. */
int pl_cases_clear_name(pl_cases *c, const pl_viewer *v, const char *clue_id, const char *basis,
                        pl_err *e);
/** Archive a concluded or closed clue group (name clearing must be done). */
int pl_cases_archive(pl_cases *c, const pl_viewer *v, const char *clue_id, const char *reason,
                     pl_err *e);
/**
 * Hand the clue to a handler (person) and/or team. A handler recused for the
 * clue's subject is refused (PL_EDENIED naming why).
 */
int pl_cases_assign(pl_cases *c, const pl_viewer *v, const char *clue_id,
                    const char *handler_person_id, const char *team, pl_err *e);
/** A handler note, optionally setting the sub-status. Staff-only. */
int pl_cases_note(pl_cases *c, const pl_viewer *v, const char *clue_id, const char *text,
                  const char *sub_status, pl_err *e);
/** A reply the reporter will read on the portal. */
int pl_cases_reply(pl_cases *c, const pl_viewer *v, const char *clue_id, const char *text,
                   pl_err *e);
/**
 * Send the reminders due as of `as_of` (YYYY-MM-DD; NULL = today): for every
 * open clue, a "clue.reminder" when a deadline (register, dispose, conclude,
 * review, clearing) is within remind_days ("due_soon") or past ("overdue"),
 * each stating the clue, the deadline, its basis and the days left or
 * over. Never twice for the same (clue, deadline, stage); none for closed,
 * concluded (except name clearing) or archived clues. *sent may be NULL.
 */
int pl_cases_remind(pl_cases *c, const pl_viewer *v, const char *as_of, int64_t *sent, pl_err *e);

/* ------------------------------------------------------------------- reads */

/** Filter of pl_cases_list / pl_cases_count (NULL / 0 fields = any). */
typedef struct pl_cases_filter {
    const char *status;
    const char *unit_id; /**< subject unit */
    const char *subject_person_id;
    const char *overdue_as_of; /**< only clues past a deadline at this date */
    int limit;                 /**< 0 = 1000 */
    int offset;
} pl_cases_filter;

/**
 * Recusal (回避): is person `person_id` linked to the subject of clue
 * `clue_id` — the subject, kin (either direction of the kin table), or a
 * member of the subject unit's leadership team (an open tenure today in
 * a top post of the unit or a post reporting to one)? 1 yes (`why`, if
 * given, gets a short reason), 0 no, <0 error.
 */
int pl_cases_recused(pl_cases *c, const char *person_id, const char *clue_id, char *why,
                     size_t whylen, pl_err *e);
/**
 * May `v` see clue `clue_id` at all: role permits reading or listing,
 * the handling office (else the subject unit) lies in the viewer's scope,
 * and the viewer is not recused. 1 yes, 0 no, <0 error (PL_ENOTFOUND for
 * an unknown clue — callers must answer "not found" for 0 as well).
 */
int pl_cases_visible(pl_cases *c, const pl_viewer *v, const char *clue_id, pl_err *e);
/** pl_cases_visible on a store without a workflow handle (a reader's own
 * connection: GET /api/v1/levels/escalations). */
int pl_cases_visible_in(pl_store *s, const pl_viewer *v, const char *clue_id, pl_err *e);

/**
 * One clue as JSON for staff: fields, group, deadlines, history, replies,
 * attachments, materials, and (with PL_PERM_NOTES) notes and sub-status.
 * Logs the read ("clue.read"). Invisible clues are PL_ENOTFOUND.
 */
int pl_cases_show(pl_cases *c, const pl_viewer *v, const char *clue_id, const char *reason,
                  pl_buf *out, pl_err *e);
/** Visible clues matching `f` as a JSON array (newest first). */
int pl_cases_list(pl_cases *c, const pl_viewer *v, const pl_cases_filter *f, pl_buf *out,
                  pl_err *e);
/** Number of visible clues matching `f`. */
int pl_cases_count(pl_cases *c, const pl_viewer *v, const pl_cases_filter *f, int64_t *out,
                   pl_err *e);
/** pl_cases_list and the pl_cases_count of the same filter in one read
 * (the same answers, one statement: the scope is resolved once). */
int pl_cases_list_total(pl_cases *c, const pl_viewer *v, const pl_cases_filter *f, pl_buf *out,
                        int64_t *total, pl_err *e);

/**
 * The global search's clue hits (docs/API.md "Search"): visible clues
 * (pl_cases_list's access: PL_PERM_LIST, scope, recusal) whose number
 * equals, starts with or contains `term`, or whose subject person's or
 * unit's name does, or whose summary contains it; at most `limit`, best
 * rank first (0 exact, 1 prefix, 2 contains), then newest. Appends to the
 * JSON array `out` objects {id, rank, subject_person_id, subject_person,
 * subject_unit_id, subject_unit, category, status, received_at, summary}.
 * `like_prefix` and `like_contains` are `term` escaped for LIKE with '\'
 * and followed / surrounded by '%'. Reads only; no event.
 */
int pl_cases_search(pl_cases *c, const pl_viewer *v, const char *term, const char *like_prefix,
                    const char *like_contains, int limit, json_t *out, pl_err *e);

/* -------------------------------------------------------------- statistics */

/**
 * Statistics over the clues visible to `v` (the registry tables clues +
 * dispositions, so imported clues count too) received in [from, to]
 * (YYYY-MM-DD, NULL = open): JSON {"total", "from", "to", "by_channel",
 * "by_category", "by_unit", "by_method", "by_outcome", "by_month"}, each an
 * object key → count. method/outcome are those of the clue's latest
 * disposition ("none" / "pending" when absent); unit is the subject unit
 * ("none" when absent).
 */
int pl_cases_stats(pl_cases *c, const pl_viewer *v, const char *from, const char *to, pl_buf *out,
                   pl_err *e);
/**
 * The same statistics as a JSON object in *out (the caller decrefs), not
 * dumped and parsed back; `units` 0 leaves out "by_unit" and "unit_names"
 * (the dashboard's clue panel shows neither: docs/API.md "Dashboard
 * aggregates"). Keys and values otherwise as pl_cases_stats.
 */
int pl_cases_stats_json(pl_cases *c, const pl_viewer *v, const char *from, const char *to,
                        int units, json_t **out, pl_err *e);
/** The same statistics as an Excel workbook (libxlsxwriter) at `path`. */
int pl_cases_stats_xlsx(pl_cases *c, const pl_viewer *v, const char *from, const char *to,
                        const char *path, pl_err *e);

/* ------------------------------------------------------------- office keys */

/**
 * Create a key pair (X25519, crypto_box) for discipline office `office_id`
 * (a unit id): the public key is recorded by "office.key_created"; the
 * secret key is stored encrypted with crypto_secretbox under a key derived
 * from `passphrase` (argon2id, moderate limits) in office_key_secrets.
 * `key_id_out` (17 bytes, may be NULL) gets the key id. Needs PL_PERM_KEYS.
 * A unit that is not of kind discipline is PL_EINVAL ("office_id: ...").
 */
int pl_cases_office_keygen(pl_cases *c, const pl_viewer *v, const char *office_id,
                           const char *passphrase, char key_id_out[17], pl_err *e);

/** An unlocked office key (secret in guarded sodium memory). */
typedef struct pl_office_key pl_office_key;

/**
 * Unlock the newest key of `office_id` with `passphrase` — an explicit
 * action logged as "office.key_unlocked" (actor, role, reason). Wrong
 * passphrase: PL_ECRYPTO, logged as "office.unlock_failed"; a user locked
 * out (pl_cases_office_unlock_locked) gets PL_EDENIED before any work.
 * Needs PL_PERM_KEYS and the office within the viewer's scope. Free with
 * pl_office_key_free.
 */
int pl_cases_office_unlock(pl_cases *c, const pl_viewer *v, const char *office_id,
                           const char *passphrase, const char *reason, pl_office_key **out,
                           pl_err *e);
void pl_office_key_free(pl_office_key *k);
/**
 * Is `v` locked out of unlocking `office_id` (too many wrong passphrases,
 * pl_cases_set_unlock_limit)? 1 yes (*retry_after: seconds left), 0 no,
 * <0 error. pl_cases_office_unlock refuses a locked user with PL_EDENIED.
 */
int pl_cases_office_unlock_locked(pl_cases *c, const pl_viewer *v, const char *office_id,
                                  int64_t *retry_after, pl_err *e);

/**
 * Read the sealed reporter identity of `clue_id` with unlocked key `k`:
 * only for PL_PERM_IDENTITY (the designated role), a visible clue, and a
 * key of the clue's handling office. Logged as "clue.reporter_read".
 * Appends the identity text to `out`. PL_ENOTFOUND if the clue has none.
 */
int pl_cases_reporter_read(pl_cases *c, const pl_viewer *v, const pl_office_key *k,
                           const char *clue_id, const char *reason, pl_buf *out, pl_err *e);

/* ------------------------------------------------------------------ portal */

/** A report filed on the portal (no account). Strings borrowed. */
typedef struct pl_portal_report {
    const char *subject_name;    /**< the person reported, as written */
    const char *subject_unit_id; /**< chosen from the public unit list */
    const char *category;
    const char *summary;
    const char *facts;
    int real_name;
    const char *reporter_name;      /**< real name only; sealed */
    const char *reporter_contact;   /**< sealed */
    const char *reporter_id_number; /**< sealed; a known person feeds R11 */
    const char *passphrase;         /**< reporter-chosen, >= 8 characters */
    const pl_attachment *attachments;
    size_t nattachments;
    const char *client_addr; /**< for the rate limit only; never stored */
} pl_portal_report;

/** One field error of a rejected portal report, in both languages. */
typedef struct pl_field_error {
    const char *field; /**< the body's field name (static) */
    char zh[256];
    char en[256];
} pl_field_error;

#define PL_PORTAL_MAX_ERRORS 12

/**
 * Every field error of a staff intake at once (no write; issue #16 item 5:
 * the clerk's form shows them all beside their fields): channel, category,
 * summary, facts, the subject (field "subject": a person or a unit), the
 * received date (format, not in the future), that the subject unit, subject
 * person and reporter person exist, the number of attachments — the rules
 * pl_cases_intake applies one at a time — and that a real-name report
 * names its reporter (reporter_identity: text, or a JSON object with a
 * "name"; checked here only, as the HTTP intake calls this first). Fills out[0..max) and *n;
 * 0 or PL_E* (a store error).
 */
int pl_cases_intake_check(pl_store *s, const pl_clue_input *in, pl_field_error *out, size_t max,
                          size_t *n, pl_err *e);

/** What the reporter gets back. */
typedef struct pl_portal_receipt {
    char receipt[PL_CASES_RECEIPT_DIGITS + 1]; /**< 16 digits, Luhn check digit */
    int64_t seq;                               /**< the report's ledger event */
    /** A rejected report (PL_EINVAL): every field error at once. */
    pl_field_error errors[PL_PORTAL_MAX_ERRORS];
    size_t nerrors;
} pl_portal_receipt;

/**
 * File a report: rate limits per client address per hour, validate every
 * field, generate the receipt code (randombytes, Luhn), hash the passphrase
 * (argon2id), then pl_cases_intake with channel "online" and the identity
 * sealed. PL_EDENIED when rate-limited (message says until when).
 * PL_EINVAL with every field error in out->errors (and the first in `e`)
 * when the report is rejected. Only accepted reports count toward
 * portal_reports_per_hour; a rejected one counts toward the separate
 * portal_rejects_per_hour (docs/SECURITY.md "Reporter portal").
 */
int pl_cases_portal_report(pl_cases *c, const pl_portal_report *r, pl_portal_receipt *out,
                           pl_err *e);

/**
 * Come back with receipt + passphrase: JSON {"receipt", "received_at",
 * "status" (received / in_progress / concluded), "concluded_at" and
 * "outcome" (substantiated / tolerated / unfounded / closed / concluded)
 * once concluded, "can_add" (material is taken), "replies", "materials",
 * "attachments"} — never notes, sub-status, handlers or office. A wrong
 * receipt or passphrase is PL_EDENIED with one message for both, and
 * counts against the address and the receipt; over the limits every try is
 * PL_EDENIED until the hour ends.
 */
int pl_cases_portal_check(pl_cases *c, const char *receipt, const char *passphrase,
                          const char *client_addr, pl_buf *out, pl_err *e);
/** Add text and/or attachments to one's report ("clue.material_added"). */
int pl_cases_portal_add(pl_cases *c, const char *receipt, const char *passphrase,
                        const char *client_addr, const char *text, const pl_attachment *att,
                        size_t natt, pl_err *e);
/**
 * The inclusion proof of the report's "clue.received" event: JSON {"seq",
 * "leaf_hash" (hex), "tree_size", "proof" [hex...], "checkpoint" (signed
 * note)}, against the newest checkpoint covering it (signing one with the
 * signer set by pl_cases_set_signer when needed; PL_ENOTFOUND if none can).
 */
int pl_cases_portal_proof(pl_cases *c, const char *receipt, const char *passphrase,
                          const char *client_addr, pl_buf *out, pl_err *e);
/**
 * What a reporter (or anyone) runs on a proof: parse the JSON, check the
 * checkpoint's signature with `log_key` and the inclusion of leaf_hash at
 * seq in its root. 0 if it all holds, PL_ECRYPTO / PL_EINVAL otherwise.
 */
int pl_cases_proof_verify(const char *proof_json, const pl_verifier *log_key, pl_err *e);

/** Luhn check of a 16-digit receipt code: 1 valid, 0 not. */
int pl_cases_receipt_valid(const char *receipt);

/* ------------------------------------------------------------ integrity */

/**
 * Check the state kept outside the ledger against it: every attachment's
 * blob hashes to its sha256, every office secret to its secret_sha256.
 * 0 or PL_ECORRUPT naming the first mismatch.
 */
int pl_cases_check(pl_cases *c, pl_err *e);

/**
 * For `plumb verify` (the ledger does not know cases; the CLI calls this
 * after pl_ledger_verify): recompute the SHA-256 of every row of case_blobs
 * and compare it with its key, the sha256 the ledger's events reference;
 * check every attachment (case_attachments, verified against the replay)
 * has its blob. 0 with *blobs = the number of blobs checked, or
 * PL_ECORRUPT naming the blob and the attachments that use it.
 */
int pl_cases_blobs_verify(pl_store *s, int64_t *blobs, pl_err *e);

#endif
