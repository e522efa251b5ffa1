/*
 * roles.c — the role vocabulary and the role → permission table
 * (DESIGN.md §1, §8; docs/SECURITY.md "Roles"): one table for every
 * module, deny by default (a permission not listed here is refused), and
 * each role's scope mode. The HTTP route table names these permissions.
 * Layer: accounts.
 */
#include <string.h>

#include "accounts.h"

static const char *const role_names[PL_ROLE_COUNT] = {
    "cadre_officer",
    "discipline_officer",
    "inspection_officer",
    "petition_officer",
    "data_provider",
    "leader",
    "subject",
    "auditor",
    "admin",
};

const char *pl_accounts_role_name(int role)
{
    return role >= 0 && role < PL_ROLE_COUNT ? role_names[role] : NULL;
}

int pl_accounts_role_parse(const char *name)
{
    for (int i = 0; name && i < PL_ROLE_COUNT; i++)
        if (strcmp(role_names[i], name) == 0)
            return i;
    return -1;
}

#define ORG_R "unit:read", "person:read", "post:read", "tenure:read", "kin:read"
#define BIZ_R                                                                                      \
    "company:read", "company_role:read", "contract:read", "meeting:read", "decision:read",         \
        "speech:read", "payment:read", "person_record:read"
#define DECL_R "declaration:read", "declaration_item:read", "registry_record:read"
#define EVAL_R "evaluation:read", "supervision_activity:read", "accountability:read"
#define CLUE_R "clue:read", "disposition:read", "clue_reporter:read"
#define RULES_R "finding:read", "risk:read", "warning:read", "task:read", "profile:read"
/* The clue workflow (/api/v1/cases): one permission per bit of the
 * library's pl_cases_role_perms, granted to the same roles (docs/CASES.md §3;
 * tests/api/cases.test.mjs checks that the two tables agree). */
#define CASE_DISCIPLINE                                                                            \
    "case:intake", "case:read", "case:list", "case:handle", "case:note", "case:reply",             \
        "case:identity", "office_key:write"

/* The warnings' tasks and 研判 (/api/v1/tasks/{id}/..., /api/v1/judgements;
 * docs/RULES.md "Tasks and 研判"): the offices that own the tasks (cadre:
 * reminder talks, discipline: inquiry talks) work on them and assign them;
 * leaders assign; the discipline office records the 研判 meeting (it may
 * open a clue). */
#define TASKS_WORK "task:write", "task:assign"
static const char *const perms_cadre[] = {ORG_R,
                                          BIZ_R,
                                          DECL_R,
                                          EVAL_R,
                                          RULES_R,
                                          "unit:write",
                                          "person:write",
                                          "post:write",
                                          "tenure:write",
                                          "kin:write",
                                          "declaration:write",
                                          "declaration_item:write",
                                          "evaluation:write",
                                          "supervision_activity:write",
                                          "finding:write",
                                          "import:write",
                                          TASKS_WORK,
                                          "judgement:read",
                                          "declaration_check:read",
                                          "declaration_check:write",
                                          NULL};
static const char *const perms_discipline[] = {ORG_R,
                                               BIZ_R,
                                               DECL_R,
                                               EVAL_R,
                                               CLUE_R,
                                               RULES_R,
                                               "clue:write",
                                               "disposition:write",
                                               "clue_reporter:write",
                                               "accountability:write",
                                               "supervision_activity:write",
                                               "finding:write",
                                               "profile:write",
                                               "import:write",
                                               CASE_DISCIPLINE,
                                               TASKS_WORK,
                                               "judgement:read",
                                               "judgement:write",
                                               "declaration_check:read",
                                               "opinion:read",
                                               "opinion:write",
                                               NULL};
/* Inspection and rectification (/api/v1/inspection_*, rectification_tasks;
 * docs/INSPECT.md §3): the inspection office writes rounds, problems, tasks
 * and decides sign-off; the subject unit's own staff read their tasks and
 * report progress; leaders read; only the office reads the team's notes. */
#define INSPECT_OFFICE                                                                             \
    "inspection:read", "inspection:write", "inspection:notes", "rectification:read",               \
        "rectification:write"
static const char *const perms_inspection[] = {
    ORG_R,           BIZ_R,         EVAL_R,      RULES_R,        "supervision_activity:write",
    "finding:write", "case:intake", "case:list", INSPECT_OFFICE, NULL};
static const char *const perms_petition[] = {
    "unit:read",   "person:read", "post:read",          "tenure:read",
    "clue:read",   "clue:write",  "clue_reporter:read", "clue_reporter:write",
    "case:intake", "case:read",   "case:list",          "case:reply",
    NULL};
static const char *const perms_provider[] = {"unit:read",           "import:write",
                                             "person:write",        "kin:write",
                                             "company:write",       "company_role:write",
                                             "contract:write",      "meeting:write",
                                             "decision:write",      "speech:write",
                                             "payment:write",       "registry_record:write",
                                             "person_record:write", NULL};
static const char *const perms_leader[] = {ORG_R,
                                           BIZ_R,
                                           EVAL_R,
                                           RULES_R,
                                           "finding:write",
                                           "profile:write",
                                           "case:read",
                                           "case:list",
                                           "inspection:read",
                                           "rectification:read",
                                           "task:assign",
                                           "judgement:read",
                                           NULL};
static const char *const perms_subject[] = {
    "declaration:read",       "declaration:write",      "declaration_item:read",
    "declaration_item:write", "evaluation:read",        "self:read",
    "rectification:read",     "rectification:progress", NULL};
static const char *const perms_auditor[] = {"ledger:read", "ledger:write", "access_log:read", NULL};
static const char *const perms_admin[] = {"user:read", "user:write", NULL};

static const char *const *const role_perms[PL_ROLE_COUNT] = {
    perms_cadre,  perms_discipline, perms_inspection, perms_petition, perms_provider,
    perms_leader, perms_subject,    perms_auditor,    perms_admin,
};

const char *const *pl_accounts_role_perms(int role)
{
    return role >= 0 && role < PL_ROLE_COUNT ? role_perms[role] : NULL;
}

int pl_accounts_role_has(int role, const char *perm)
{
    const char *const *p = pl_accounts_role_perms(role);
    for (; p && *p; p++)
        if (strcmp(*p, perm) == 0)
            return 1;
    return 0;
}

int pl_accounts_role_scope(int role)
{
    switch (role) {
    case PL_ROLE_SUBJECT: return PL_SCOPE_SELF;
    case PL_ROLE_AUDITOR:
    case PL_ROLE_ADMIN: return PL_SCOPE_NONE;
    default: return PL_SCOPE_SUBTREE;
    }
}
