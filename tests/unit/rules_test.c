/*
 * rules_test.c — the rule engine (src/rules) on a hand-made fixture that
 * plants every rule R01–R17 with near misses beside them (as of 2026-06-30):
 * the expected findings, derived by hand from docs/RULES.md; the C engine
 * equal to the SQL reference (evidence included); incremental evaluation
 * (one event at a time) equal to the full sweep; vanished evidence resolving
 * a finding with its reason; profiles (same facts, finding under one profile
 * and none under another; the most specific match winning; invalid profiles
 * rejected by name and range); status events; replay reproducing the rule
 * tables; calendar arithmetic. Layer: tests (rules, model, ledger, store).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../src/ledger/ledger.h"
#include "../../src/model/model.h"
#include "../../src/rules/rules.h"
#include "../../src/rules/rules_int.h"
#include "../../src/store/store.h"
#include "ut_store.h"

#define AS_OF "2026-06-30"

/* Persons (18-character citizen IDs; check digits are not the point here). */
#define A "433127196501010011"   /* 局长 of U1 since 2013: R01 high, R15, R16 */
#define B "433127197002020022"   /* 副局长 (finance) since 2021-03: R01 medium; reporter */
#define C "433127197503030033"   /* 副局长 since 2021-10-15: R01 low; appointee under clue */
#define D "433127196804040044"   /* A's spouse, clerk in U1: R02; 3 clues: R13 */
#define E "433127196605050055"   /* 县委书记, native 433127: R03, R06 */
#define F "433127198006060066"   /* 镇长 (township top), home from ID: R03, R15 */
#define G "433101197007070077"   /* prefecture bureau head; kin H under them: R02 */
#define H "433101199508080088"   /* G's child, clerk at U4: incompetent votes R14 */
#define I "433127200001010099"   /* A's adult child */
#define J "433127201005050011"   /* A's minor child: exit abroad in 2025 (R09) */
#define CO1 "91433127MA4L000011" /* D holds shares: R04 */
#define CO2 "91433127MA4L000022" /* supplier: R08 */

static const char *const fixture[][2] = {
    {"unit", "{\"id\":\"U1\",\"name\":\"县财政局\",\"division_code\":\"433127\",\"level\":"
             "\"county\",\"kind\":\"department\",\"industry\":\"finance\"}"},
    {"unit", "{\"id\":\"U2\",\"name\":\"县委\",\"division_code\":\"433127\",\"level\":\"county\","
             "\"kind\":\"party\",\"industry\":\"party\"}"},
    {"unit", "{\"id\":\"U3\",\"name\":\"某镇政府\",\"division_code\":\"433127\",\"level\":"
             "\"township\",\"kind\":\"government\",\"industry\":\"government\"}"},
    {"unit", "{\"id\":\"U4\",\"name\":\"州财政局\",\"division_code\":\"4331\",\"level\":"
             "\"prefecture\",\"kind\":\"department\",\"industry\":\"finance\"}"},
    {"person", "{\"id\":\"" A "\",\"name\":\"张三\",\"gender\":\"M\",\"birth_date\":\"1965-01-01\","
               "\"native_place\":\"433122\"}"},
    {"person",
     "{\"id\":\"" B "\",\"name\":\"李四\",\"gender\":\"M\",\"birth_date\":\"1970-02-02\"}"},
    {"person",
     "{\"id\":\"" C "\",\"name\":\"王五\",\"gender\":\"M\",\"birth_date\":\"1975-03-03\"}"},
    {"person",
     "{\"id\":\"" D "\",\"name\":\"赵六\",\"gender\":\"F\",\"birth_date\":\"1968-04-04\"}"},
    {"person", "{\"id\":\"" E "\",\"name\":\"钱七\",\"gender\":\"M\",\"birth_date\":\"1966-05-05\","
               "\"native_place\":\"433127\"}"},
    {"person",
     "{\"id\":\"" F "\",\"name\":\"孙八\",\"gender\":\"M\",\"birth_date\":\"1980-06-06\"}"},
    {"person",
     "{\"id\":\"" G "\",\"name\":\"周九\",\"gender\":\"M\",\"birth_date\":\"1970-07-07\"}"},
    {"person",
     "{\"id\":\"" H "\",\"name\":\"周小九\",\"gender\":\"F\",\"birth_date\":\"1995-08-08\"}"},
    {"person",
     "{\"id\":\"" I "\",\"name\":\"张大\",\"gender\":\"M\",\"birth_date\":\"2000-01-01\"}"},
    {"person",
     "{\"id\":\"" J "\",\"name\":\"张小\",\"gender\":\"F\",\"birth_date\":\"2010-05-05\"}"},
    {"post", "{\"id\":\"P1\",\"unit_id\":\"U1\",\"title\":\"局长\",\"rank\":\"section\",\"is_top\":"
             "1,\"category\":\"finance\"}"},
    {"post", "{\"id\":\"P2\",\"unit_id\":\"U1\",\"title\":\"副局长\",\"rank\":\"section\",\"is_"
             "top\":0,\"category\":\"finance\",\"reports_to\":\"P1\"}"},
    {"post", "{\"id\":\"P3\",\"unit_id\":\"U1\",\"title\":\"科员\",\"rank\":\"staff\",\"is_top\":0,"
             "\"category\":\"general\",\"reports_to\":\"P2\"}"},
    {"post", "{\"id\":\"P4\",\"unit_id\":\"U2\",\"title\":\"县委书记\",\"rank\":\"division\",\"is_"
             "top\":1,\"category\":\"general\"}"},
    {"post", "{\"id\":\"P5\",\"unit_id\":\"U3\",\"title\":\"镇长\",\"rank\":\"section\",\"is_top\":"
             "1,\"category\":\"general\"}"},
    {"post", "{\"id\":\"P6\",\"unit_id\":\"U4\",\"title\":\"局长\",\"rank\":\"division\",\"is_"
             "top\":1,\"category\":\"finance\"}"},
    {"post", "{\"id\":\"P8\",\"unit_id\":\"U4\",\"title\":\"科员\",\"rank\":\"staff\",\"is_top\":0,"
             "\"category\":\"general\",\"reports_to\":\"P6\"}"},
    {"tenure",
     "{\"id\":\"T1\",\"person_id\":\"" A "\",\"post_id\":\"P1\",\"start_date\":\"2013-03-01\"}"},
    {"tenure",
     "{\"id\":\"T2\",\"person_id\":\"" B "\",\"post_id\":\"P2\",\"start_date\":\"2021-03-01\"}"},
    {"tenure",
     "{\"id\":\"T3\",\"person_id\":\"" C "\",\"post_id\":\"P2\",\"start_date\":\"2021-10-15\"}"},
    {"tenure",
     "{\"id\":\"T4\",\"person_id\":\"" D "\",\"post_id\":\"P3\",\"start_date\":\"2000-01-01\"}"},
    {"tenure",
     "{\"id\":\"T5\",\"person_id\":\"" E "\",\"post_id\":\"P4\",\"start_date\":\"2020-01-01\"}"},
    {"tenure",
     "{\"id\":\"T6\",\"person_id\":\"" F "\",\"post_id\":\"P5\",\"start_date\":\"2024-01-01\"}"},
    {"tenure",
     "{\"id\":\"T7\",\"person_id\":\"" G "\",\"post_id\":\"P6\",\"start_date\":\"2019-05-01\"}"},
    {"tenure",
     "{\"id\":\"T8\",\"person_id\":\"" H "\",\"post_id\":\"P8\",\"start_date\":\"2020-09-01\"}"},
    {"tenure", "{\"id\":\"T9\",\"person_id\":\"" B
               "\",\"post_id\":\"P3\",\"start_date\":\"2015-01-01\",\"end_date\":\"2021-03-01\"}"},
    {"kin",
     "{\"id\":\"K1\",\"person_id\":\"" A "\",\"relative_id\":\"" D "\",\"relation\":\"spouse\"}"},
    {"kin",
     "{\"id\":\"K2\",\"person_id\":\"" G "\",\"relative_id\":\"" H "\",\"relation\":\"child\"}"},
    {"kin",
     "{\"id\":\"K3\",\"person_id\":\"" A "\",\"relative_id\":\"" I "\",\"relation\":\"child\"}"},
    {"kin",
     "{\"id\":\"K4\",\"person_id\":\"" A "\",\"relative_id\":\"" J "\",\"relation\":\"child\"}"},
    {"company",
     "{\"id\":\"" CO1 "\",\"name\":\"某某建材有限公司\",\"registered_at\":\"2010-01-01\"}"},
    {"company",
     "{\"id\":\"" CO2 "\",\"name\":\"某某信息技术有限公司\",\"registered_at\":\"2011-01-01\"}"},
    {"company_role",
     "{\"id\":\"CR1\",\"company_id\":\"" CO1 "\",\"person_id\":\"" D
     "\",\"role\":\"shareholder\",\"share_bp\":3000,\"start_date\":\"2015-01-01\"}"},
    {"meeting", "{\"id\":\"M1\",\"unit_id\":\"U1\",\"kind\":\"party_committee\",\"held_at\":\"2020-"
                "04-20\",\"members_total\":9,\"attendees\":7}"},
    {"meeting", "{\"id\":\"M2\",\"unit_id\":\"U2\",\"kind\":\"party_committee\",\"held_at\":\"2025-"
                "06-01\",\"members_total\":9,\"attendees\":5}"},
    {"meeting", "{\"id\":\"M3\",\"unit_id\":\"U2\",\"kind\":\"party_committee\",\"held_at\":\"2025-"
                "03-01\",\"members_total\":9,\"attendees\":9}"},
    {"decision", "{\"id\":\"DX\",\"unit_id\":\"U1\",\"meeting_id\":\"M1\",\"category\":\"large_"
                 "fund\",\"subject\":\"采购建材\",\"amount_fen\":20000000,\"result\":\"approved\","
                 "\"decided_at\":\"2020-04-20\"}"},
    {"decision", "{\"id\":\"D2\",\"unit_id\":\"U1\",\"category\":\"major_decision\",\"subject\":"
                 "\"调整预算\",\"result\":\"approved\",\"decided_at\":\"2025-02-01\"}"},
    {"decision",
     "{\"id\":\"D3\",\"unit_id\":\"U2\",\"meeting_id\":\"M2\",\"category\":\"appointment\","
     "\"subject\":\"关于王五同志任职\",\"appointee_id\":\"" C
     "\",\"integrity_opinion\":1,\"result\":\"approved\",\"decided_at\":\"2025-06-01\"}"},
    {"decision",
     "{\"id\":\"D4\",\"unit_id\":\"U2\",\"meeting_id\":\"M3\",\"category\":\"appointment\","
     "\"subject\":\"关于赵六同志任职\",\"appointee_id\":\"" D
     "\",\"integrity_opinion\":0,\"result\":\"approved\",\"decided_at\":\"2025-03-01\"}"},
    {"decision",
     "{\"id\":\"D5\",\"unit_id\":\"U2\",\"meeting_id\":\"M3\",\"category\":\"major_project\","
     "\"subject\":\"修建道路\",\"result\":\"approved\",\"decided_at\":\"2025-03-01\"}"},
    {"decision",
     "{\"id\":\"D6\",\"unit_id\":\"U2\",\"meeting_id\":\"M3\",\"category\":\"major_project\","
     "\"subject\":\"修建学校\",\"result\":\"approved\",\"decided_at\":\"2025-03-01\"}"},
    {"speech", "{\"id\":\"S1\",\"decision_id\":\"D5\",\"person_id\":\"" E "\",\"speech_order\":1}"},
    {"speech", "{\"id\":\"S2\",\"decision_id\":\"D5\",\"person_id\":\"" B "\",\"speech_order\":2}"},
    {"speech", "{\"id\":\"S3\",\"decision_id\":\"D6\",\"person_id\":\"" B "\",\"speech_order\":1}"},
    {"speech", "{\"id\":\"S4\",\"decision_id\":\"D6\",\"person_id\":\"" E "\",\"speech_order\":2}"},
    {"contract", "{\"id\":\"KT1\",\"unit_id\":\"U1\",\"supplier_id\":\"" CO1
                 "\",\"amount_fen\":5000000,\"signed_at\":\"2019-01-01\",\"procurement_method\":"
                 "\"inquiry\",\"subject\":\"建材\"}"},
    {"contract", "{\"id\":\"KT2\",\"unit_id\":\"U1\",\"supplier_id\":\"" CO2
                 "\",\"amount_fen\":30000000,\"signed_at\":\"2026-01-10\",\"procurement_method\":"
                 "\"inquiry\",\"subject\":\"软件一期\"}"},
    {"contract", "{\"id\":\"KT3\",\"unit_id\":\"U1\",\"supplier_id\":\"" CO2
                 "\",\"amount_fen\":20000000,\"signed_at\":\"2026-02-20\",\"procurement_method\":"
                 "\"inquiry\",\"subject\":\"软件二期\"}"},
    {"contract", "{\"id\":\"KT4\",\"unit_id\":\"U1\",\"supplier_id\":\"" CO2
                 "\",\"amount_fen\":10000000,\"signed_at\":\"2026-06-01\",\"procurement_method\":"
                 "\"inquiry\",\"subject\":\"运维\"}"},
    {"contract", "{\"id\":\"KT5\",\"unit_id\":\"U3\",\"supplier_id\":\"" CO2
                 "\",\"amount_fen\":15000000,\"signed_at\":\"2026-01-01\",\"procurement_method\":"
                 "\"inquiry\",\"subject\":\"网站\"}"},
    {"contract", "{\"id\":\"KT6\",\"unit_id\":\"U3\",\"supplier_id\":\"" CO2
                 "\",\"amount_fen\":10000000,\"signed_at\":\"2026-05-01\",\"procurement_method\":"
                 "\"inquiry\",\"subject\":\"网站维护\"}"},
    {"payment", "{\"id\":\"Y1\",\"unit_id\":\"U1\",\"payee_company_id\":\"" CO1
                "\",\"amount_fen\":20000000,\"paid_at\":\"2020-05-01\",\"purpose\":\"建材款\","
                "\"decision_id\":\"DX\"}"},
    {"payment", "{\"id\":\"Y2\",\"unit_id\":\"U1\",\"payee_company_id\":\"" CO1
                "\",\"amount_fen\":1000000,\"paid_at\":\"2012-01-01\",\"purpose\":\"旧款\"}"},
    {"payment", "{\"id\":\"Y3\",\"unit_id\":\"U1\",\"payee_company_id\":\"" CO2
                "\",\"amount_fen\":60000000,\"paid_at\":\"2026-03-01\",\"purpose\":\"软件款\"}"},
    {"payment", "{\"id\":\"Y4\",\"unit_id\":\"U3\",\"payee_company_id\":\"" CO2
                "\",\"amount_fen\":25000000,\"paid_at\":\"2026-03-01\",\"purpose\":\"网站款\"}"},
    {"payment", "{\"id\":\"Y5\",\"unit_id\":\"U4\",\"payee_company_id\":\"" CO2
                "\",\"amount_fen\":90000000,\"paid_at\":\"2026-03-01\",\"purpose\":\"系统款\"}"},
    {"payment", "{\"id\":\"Y6\",\"unit_id\":\"U3\",\"payee_company_id\":\"" CO2
                "\",\"amount_fen\":19999999,\"paid_at\":\"2026-03-02\",\"purpose\":\"差一分\"}"},
    {"declaration",
     "{\"id\":\"X1\",\"person_id\":\"" A "\",\"year\":2025,\"filed_at\":\"2026-01-20\"}"},
    {"declaration",
     "{\"id\":\"X2\",\"person_id\":\"" A "\",\"year\":2024,\"filed_at\":\"2025-03-01\"}"},
    {"declaration_item",
     "{\"id\":\"I1\",\"declaration_id\":\"X1\",\"kind\":\"vehicle\",\"holder_id\":\"" A
     "\",\"ref\":\"湘U12345\"}"},
    {"declaration_item",
     "{\"id\":\"I2\",\"declaration_id\":\"X1\",\"kind\":\"securities\",\"holder_id\":\"" A
     "\",\"ref\":\"SEC1\",\"amount_fen\":850000}"},
    {"declaration_item",
     "{\"id\":\"I3\",\"declaration_id\":\"X1\",\"kind\":\"securities\",\"holder_id\":\"" A
     "\",\"ref\":\"SEC2\",\"amount_fen\":950000}"},
    {"registry_record",
     "{\"id\":\"RR1\",\"source\":\"real_estate\",\"kind\":\"real_estate\",\"holder_id\":\"" D
     "\",\"ref\":\"房产001\",\"observed_at\":\"2020-01-01\"}"},
    {"registry_record",
     "{\"id\":\"RR2\",\"source\":\"vehicles\",\"kind\":\"vehicle\",\"holder_id\":\"" A
     "\",\"ref\":\"湘U12345\",\"observed_at\":\"2024-05-01\"}"},
    {"registry_record",
     "{\"id\":\"RR3\",\"source\":\"securities\",\"kind\":\"securities\",\"holder_id\":\"" A
     "\",\"ref\":\"SEC1\",\"amount_fen\":1000000,\"observed_at\":\"2025-06-01\"}"},
    {"registry_record",
     "{\"id\":\"RR4\",\"source\":\"police\",\"kind\":\"exit_abroad\",\"holder_id\":\"" A
     "\",\"ref\":\"EX2024\",\"observed_at\":\"2024-03-01\"}"},
    {"registry_record",
     "{\"id\":\"RR5\",\"source\":\"securities\",\"kind\":\"securities\",\"holder_id\":\"" A
     "\",\"ref\":\"SEC2\",\"amount_fen\":1000000,\"observed_at\":\"2025-06-01\"}"},
    {"registry_record",
     "{\"id\":\"RR6\",\"source\":\"vehicles\",\"kind\":\"vehicle\",\"holder_id\":\"" I
     "\",\"ref\":\"湘U99999\",\"observed_at\":\"2024-05-01\"}"},
    {"registry_record",
     "{\"id\":\"RR7\",\"source\":\"police\",\"kind\":\"exit_abroad\",\"holder_id\":\"" J
     "\",\"ref\":\"EX2025\",\"observed_at\":\"2025-07-01\"}"},
    {"evaluation", "{\"id\":\"E1\",\"person_id\":\"" B
                   "\",\"year\":2023,\"kind\":\"annual\",\"score\":90,\"votes_excellent\":20,"
                   "\"votes_competent\":20,\"votes_basic\":0,\"votes_incompetent\":0}"},
    {"evaluation", "{\"id\":\"E2\",\"person_id\":\"" B
                   "\",\"year\":2024,\"kind\":\"annual\",\"score\":75,\"votes_excellent\":10,"
                   "\"votes_competent\":25,\"votes_basic\":3,\"votes_incompetent\":2}"},
    {"evaluation", "{\"id\":\"E3\",\"person_id\":\"" H
                   "\",\"year\":2025,\"kind\":\"annual\",\"score\":80,\"votes_excellent\":10,"
                   "\"votes_competent\":20,\"votes_basic\":5,\"votes_incompetent\":5}"},
    {"evaluation", "{\"id\":\"E4\",\"person_id\":\"" H
                   "\",\"year\":2024,\"kind\":\"annual\",\"score\":90,\"votes_excellent\":10,"
                   "\"votes_competent\":20,\"votes_basic\":9,\"votes_incompetent\":1}"},
    {"supervision_activity",
     "{\"id\":\"SV1\",\"kind\":\"heart_talk\",\"person_id\":\"" E "\",\"held_at\":\"2026-01-10\"}"},
    {"supervision_activity", "{\"id\":\"SV2\",\"kind\":\"reminder_talk\",\"person_id\":\"" G
                             "\",\"held_at\":\"2025-12-01\"}"},
    {"supervision_activity",
     "{\"id\":\"SV3\",\"kind\":\"inspection\",\"unit_id\":\"U2\",\"held_at\":\"2023-05-01\"}"},
    {"supervision_activity",
     "{\"id\":\"SV4\",\"kind\":\"inspection\",\"unit_id\":\"U3\",\"held_at\":\"2020-01-01\"}"},
    {"clue",
     "{\"id\":\"CL1\",\"channel\":\"letter\",\"received_at\":\"2025-01-01\",\"subject_person_id\":"
     "\"" C "\",\"category\":\"money\",\"summary\":\"反映收受礼金\",\"real_name\":0}"},
    {"clue",
     "{\"id\":\"CL2\",\"channel\":\"online\",\"received_at\":\"2024-03-01\",\"subject_person_id\":"
     "\"" A "\",\"category\":\"power\",\"summary\":\"反映违规采购\",\"real_name\":1}"},
    {"clue",
     "{\"id\":\"CL3\",\"channel\":\"letter\",\"received_at\":\"2024-12-01\",\"subject_person_id\":"
     "\"" E "\",\"category\":\"conduct\",\"summary\":\"反映作风问题\",\"real_name\":0}"},
    {"clue",
     "{\"id\":\"CL4\",\"channel\":\"letter\",\"received_at\":\"2025-08-01\",\"subject_person_id\":"
     "\"" D "\",\"category\":\"money\",\"summary\":\"反映一\",\"real_name\":0}"},
    {"clue",
     "{\"id\":\"CL5\",\"channel\":\"phone\",\"received_at\":\"2025-10-01\",\"subject_person_id\":"
     "\"" D "\",\"category\":\"money\",\"summary\":\"反映二\",\"real_name\":0}"},
    {"clue",
     "{\"id\":\"CL6\",\"channel\":\"visit\",\"received_at\":\"2026-02-01\",\"subject_person_id\":"
     "\"" D "\",\"category\":\"money\",\"summary\":\"反映三\",\"real_name\":0}"},
    {"clue_reporter", "{\"id\":\"CRP1\",\"clue_id\":\"CL2\",\"person_id\":\"" B "\"}"},
    {"disposition",
     "{\"id\":\"DP1\",\"clue_id\":\"CL2\",\"method\":\"talk_inquiry\",\"decided_at\":\"2024-03-"
     "10\",\"concluded_at\":\"2024-05-01\",\"outcome\":\"unfounded\"}"},
    {"disposition", "{\"id\":\"DP2\",\"clue_id\":\"CL3\",\"method\":\"close\",\"decided_at\":"
                    "\"2024-12-20\",\"concluded_at\":\"2025-01-01\",\"outcome\":\"unfounded\"}"},
    {"disposition",
     "{\"id\":\"DP3\",\"clue_id\":\"CL4\",\"method\":\"hold\",\"decided_at\":\"2025-08-10\"}"},
    {"disposition", "{\"id\":\"DP4\",\"clue_id\":\"CL5\",\"method\":\"preliminary_verification\","
                    "\"decided_at\":\"2025-10-05\"}"},
    {"accountability", "{\"id\":\"AC1\",\"person_id\":\"" E
                       "\",\"measure\":\"name_clearing\",\"decided_at\":\"2025-01-15\",\"basis\":"
                       "\"经核查反映失实\",\"clue_id\":\"CL3\"}"},
};
#define NFIX (sizeof fixture / sizeof fixture[0])

/* The findings expected by hand from docs/RULES.md, as "Rnn key subject sev". */
static const char *const expected[] = {
    "R01 T1 " A " high",
    "R01 T2 " B " medium",
    "R01 T3 " C " low",
    "R02 T4 " A " high",
    "R02 T8 " G " high",
    "R03 T5 " E " high",
    "R03 T6 " F " high",
    "R04 " A "|" CO1 " " A " medium",
    "R05 D2 U1 high",
    "R05 D3 U2 high",
    "R06 D5 " E " medium",
    "R07 Y3 U1 high",
    "R07 Y4 U3 high",
    "R08 U1|" CO2 " U1 high",
    "R09 X1 " A " high",
    "R09 X2 " A " high",
    "R10 D3 " C " high",
    "R10 D4 " D " high",
    "R11 CL2|" B " " A " high",
    "R12 CL1 " C " medium",
    "R12 CL5 " D " medium",
    "R12 CL6 " D " medium",
    "R13 " D " " D " medium",
    "R14 E2 " B " medium",
    "R14 E3 " H " medium",
    "R15 " A " " A " low",
    "R15 " F " " F " low",
    "R15 U1 U1 low",
    "R15 U3 U3 low",
    "R16 " A "|2023 " A " high",
    "R16 " A "|2024 " A " medium",
    "R17 CL2 " A " medium",
};
#define NEXPECTED (sizeof expected / sizeof expected[0])

/* ------------------------------------------------------------ harness */

typedef struct world {
    pl_store *s;
    pl_ledger *l;
    pl_registry *reg;
    pl_rules *r;
} world;

static void report(void *ctx, const char *field, const char *msg)
{
    (void)ctx;
    print_error("problem: %s: %s\n", field ? field : "(row)", msg);
}

static void world_open(world *w)
{
    pl_err e;
    pl_err_init(&e);
    pl_model_register();
    pl_rules_register();
    assert_int_equal(ut_store_open(&w->s, &e), 0);
    assert_int_equal(pl_ledger_open(&w->l, w->s, &e), 0);
    assert_int_equal(pl_registry_new(&w->reg, w->s, w->l, &e), 0);
    assert_int_equal(pl_rules_new(&w->r, w->s, w->l, &e), 0);
    assert_int_equal(pl_rules_set_as_of(w->r, AS_OF, &e), 0);
}

static void world_close(world *w)
{
    pl_rules_free(w->r);
    pl_registry_free(w->reg);
    pl_ledger_free(w->l);
    pl_store_close(w->s);
}

/* Record one row; with `incremental`, run the engine on its event in the
 * same transaction — the first half of the fixture directly through
 * pl_rules_on_event, the rest through the ledger observer
 * (pl_rules_attach), so both paths are exercised. */
static void record(world *w, const char *entity, const char *json, int incremental)
{
    pl_err e;
    pl_err_init(&e);
    json_error_t je;
    json_t *row = json_loads(json, 0, &je);
    if (!row)
        fail_msg("bad fixture JSON %s: %s", json, je.text);
    const pl_entity *ent = pl_model_entity(entity);
    assert_non_null(ent);
    if (incremental == 2)
        pl_rules_attach(w->r);
    assert_int_equal(pl_store_begin(w->s, &e), 0);
    int64_t before = pl_ledger_size(w->l);
    int outcome = 0;
    int rc = pl_registry_record(w->reg, ent, row, "test", &outcome, report, NULL, &e);
    if (rc)
        fail_msg("record %s %s: %s", entity, json, e.msg);
    if (incremental == 1 && pl_ledger_size(w->l) > before) {
        char type[80];
        snprintf(type, sizeof type, "%s.recorded", entity);
        pl_event ev = {.type = type, .actor = "test", .payload = row};
        rc = pl_rules_on_event(w->r, before, &ev, &e);
        if (rc)
            fail_msg("on_event %s: %s", json, e.msg);
    }
    assert_int_equal(pl_store_commit(w->s, &e), 0);
    json_decref(row);
}

static void load_fixture(world *w, int incremental)
{
    for (size_t i = 0; i < NFIX; i++)
        record(w, fixture[i][0], fixture[i][1], incremental && i >= NFIX / 2 ? 2 : incremental);
    /* on-time declarations of the other top leaders (R16 near misses) */
    const char *leaders[] = {E, F, G};
    for (int k = 0; k < 3; k++)
        for (int y = 2023; y <= 2025; y++) {
            char buf[256];
            snprintf(
                buf, sizeof buf,
                "{\"id\":\"XD%d%d\",\"person_id\":\"%s\",\"year\":%d,\"filed_at\":\"%d-01-15\"}", k,
                y, leaders[k], y, y + 1);
            record(w, "declaration", buf, incremental ? 2 : 0);
        }
}

static void set_line(char *out, size_t n, const pl_finding *f)
{
    snprintf(out, n, "R%02d %s %s %s", f->rule, f->key, f->subject,
             pl_rules_severity_name(f->severity));
}

static void assert_expected(const pl_finding_set *fs)
{
    int bad = 0;
    char line[512];
    for (size_t i = 0; i < NEXPECTED; i++) {
        int found = 0;
        for (size_t j = 0; j < fs->n && !found; j++) {
            set_line(line, sizeof line, &fs->v[j]);
            found = strcmp(line, expected[i]) == 0;
        }
        if (!found) {
            print_error("missing: %s\n", expected[i]);
            bad++;
        }
    }
    for (size_t j = 0; j < fs->n; j++) {
        set_line(line, sizeof line, &fs->v[j]);
        int found = 0;
        for (size_t i = 0; i < NEXPECTED && !found; i++)
            found = strcmp(line, expected[i]) == 0;
        if (!found) {
            print_error("unexpected: %s\n", line);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

static const pl_finding *find(const pl_finding_set *fs, int rule, const char *key)
{
    for (size_t i = 0; i < fs->n; i++)
        if (fs->v[i].rule == rule && strcmp(fs->v[i].key, key) == 0)
            return &fs->v[i];
    return NULL;
}

static int has_ev(const pl_finding *f, const char *ref)
{
    for (size_t i = 0; f && i < f->nevidence; i++)
        if (strcmp(f->evidence[i], ref) == 0)
            return 1;
    return 0;
}

/* -------------------------------------------------------------- cases */

static void engine_finds_exactly_the_planted_cases(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    load_fixture(&w, 0);
    pl_err e;
    pl_err_init(&e);
    pl_finding_set fs = {0};
    assert_int_equal(pl_rules_evaluate(w.r, AS_OF, &fs, NULL, &e), 0);
    assert_expected(&fs);
    /* evidence the way docs/RULES.md lists it */
    const pl_finding *f = find(&fs, 9, "X1");
    assert_true(has_ev(f, "declarations:X1") && has_ev(f, "registry_records:RR1") &&
                has_ev(f, "registry_records:RR3") && has_ev(f, "registry_records:RR7"));
    assert_false(has_ev(f, "registry_records:RR5")); /* within the 10% tolerance */
    assert_false(has_ev(f, "registry_records:RR6")); /* adult child */
    assert_false(has_ev(f, "registry_records:RR4")); /* exit in another year */
    f = find(&fs, 4, A "|" CO1);
    assert_true(has_ev(f, "payments:Y1") && has_ev(f, "contracts:KT1") &&
                has_ev(f, "company_roles:CR1") && has_ev(f, "kin:K1"));
    assert_false(has_ev(f, "payments:Y2")); /* before A's tenure */
    f = find(&fs, 8, "U1|" CO2);
    assert_int_equal(f->nevidence, 2); /* KT2, KT3; KT4 is outside the window */
    f = find(&fs, 11, "CL2|" B);
    assert_true(has_ev(f, "evaluations:E1") && has_ev(f, "evaluations:E2") &&
                has_ev(f, "clue_reporters:CRP1"));
    pl_finding_set_release(&fs);
    world_close(&w);
}

static void sql_reference_equals_engine(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    load_fixture(&w, 0);
    pl_err e;
    pl_err_init(&e);
    pl_finding_set a = {0}, b = {0};
    assert_int_equal(pl_rules_evaluate(w.r, AS_OF, &a, NULL, &e), 0);
    int rc = pl_rules_reference(w.r, AS_OF, 0, &b, NULL, &e);
    if (rc)
        fail_msg("reference: %s", e.msg);
    pl_buf d;
    pl_buf_init(&d);
    if (pl_finding_set_compare(&a, &b, 1, &d))
        fail_msg("engine vs sql:\n%s", d.data);
    pl_buf_release(&d);
    pl_finding_set_release(&a);
    pl_finding_set_release(&b);
    world_close(&w);
}

static void incremental_equals_sweep(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    load_fixture(&w, 1);
    pl_err e;
    pl_err_init(&e);
    pl_finding_set cur = {0}, all = {0};
    assert_int_equal(pl_rules_current(w.r, &cur, &e), 0);
    assert_int_equal(pl_rules_evaluate(w.r, AS_OF, &all, NULL, &e), 0);
    pl_buf d;
    pl_buf_init(&d);
    if (pl_finding_set_compare(&cur, &all, 1, &d))
        fail_msg("incremental vs sweep:\n%s", d.data);
    assert_expected(&cur);
    /* a sweep afterwards changes nothing */
    pl_rules_stats st;
    assert_int_equal(pl_rules_sweep(w.r, AS_OF, &st, &e), 0);
    assert_int_equal(st.raised, 0);
    assert_int_equal(st.updated, 0);
    assert_int_equal(st.resolved, 0);
    pl_buf_release(&d);
    pl_finding_set_release(&cur);
    pl_finding_set_release(&all);
    world_close(&w);
}

static int64_t q(world *w, const char *sql)
{
    int64_t v = -1;
    pl_err e;
    pl_err_init(&e);
    if (pl_store_query_i64(w->s, &v, &e, sql, NULL) != 0)
        fail_msg("%s: %s", sql, e.msg);
    return v;
}

static void vanished_evidence_resolves_with_reason(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    load_fixture(&w, 1);
    /* A leaves the post: R01, R15 (person) and R16 stay or go as they should */
    record(&w, "tenure",
           "{\"id\":\"T1\",\"person_id\":\"" A
           "\",\"post_id\":\"P1\",\"start_date\":\"2013-03-01\","
           "\"end_date\":\"2026-06-01\"}",
           1);
    assert_int_equal(q(&w, "SELECT count(*) FROM findings WHERE rule='R01' AND key='T1' AND "
                           "status='resolved' AND status_reason LIKE '%R01%'"),
                     1);
    assert_int_equal(q(&w, "SELECT count(*) FROM findings WHERE rule='R02' AND key='T4' AND "
                           "status='resolved'"),
                     1);
    /* the payment gets its decision: R07 resolves */
    record(&w, "payment",
           "{\"id\":\"Y3\",\"unit_id\":\"U1\",\"payee_company_id\":\"" CO2
           "\",\"amount_fen\":60000000,"
           "\"paid_at\":\"2026-03-01\",\"purpose\":\"软件款\",\"decision_id\":\"D2\"}",
           1);
    assert_int_equal(q(&w, "SELECT count(*) FROM findings WHERE rule='R07' AND key='Y3' AND "
                           "status='resolved'"),
                     1);
    /* incremental still equals a fresh evaluation */
    pl_err e;
    pl_err_init(&e);
    pl_finding_set cur = {0}, all = {0};
    assert_int_equal(pl_rules_current(w.r, &cur, &e), 0);
    assert_int_equal(pl_rules_evaluate(w.r, AS_OF, &all, NULL, &e), 0);
    pl_buf d;
    pl_buf_init(&d);
    if (pl_finding_set_compare(&cur, &all, 1, &d))
        fail_msg("incremental vs sweep after changes:\n%s", d.data);
    /* the tenure comes back: the finding reopens with the same id */
    record(&w, "tenure",
           "{\"id\":\"T1\",\"person_id\":\"" A
           "\",\"post_id\":\"P1\",\"start_date\":\"2013-03-01\"}",
           1);
    assert_int_equal(q(&w, "SELECT count(*) FROM findings WHERE rule='R01' AND key='T1' AND "
                           "status='open'"),
                     1);
    assert_int_equal(q(&w, "SELECT count(*) FROM finding_events WHERE finding_id = (SELECT id FROM "
                           "findings WHERE rule='R01' AND key='T1')"),
                     3);
    pl_buf_release(&d);
    pl_finding_set_release(&cur);
    pl_finding_set_release(&all);
    world_close(&w);
}

static void profile_changes_outcome(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    load_fixture(&w, 1);
    pl_err e;
    pl_err_init(&e);
    /* Y6: 199,999.99 yuan at a township unit: under the township default
     * (200,000). A profile for townships of 433127 at 100,000 flags it. */
    assert_int_equal(q(&w, "SELECT count(*) FROM findings WHERE rule='R07' AND key='Y6'"), 0);
    json_t *params = json_pack("{s:i}", "r07_threshold_yuan", 100000);
    pl_profile p = {.name = "永顺-乡镇", .region = "433127", .level = "township", .params = params};
    int rc = pl_rules_profile_set(w.r, &p, "officer", &e);
    if (rc)
        fail_msg("profile: %s", e.msg);
    assert_int_equal(q(&w, "SELECT count(*) FROM findings WHERE rule='R07' AND key='Y6' AND "
                           "status='open' AND profile LIKE '%永顺-乡镇%'"),
                     1);
    /* A less specific profile (region only) with a higher value does not win. */
    json_t *p2 = json_pack("{s:i}", "r07_threshold_yuan", 900000);
    pl_profile lp = {.name = "永顺", .region = "433127", .params = p2};
    assert_int_equal(pl_rules_profile_set(w.r, &lp, "officer", &e), 0);
    assert_int_equal(q(&w, "SELECT count(*) FROM findings WHERE rule='R07' AND key='Y6' AND "
                           "status='open'"),
                     1);
    /* ... but it applies to the county unit U1: Y3 (600,000) resolves */
    assert_int_equal(q(&w, "SELECT count(*) FROM findings WHERE rule='R07' AND key='Y3' AND "
                           "status='resolved'"),
                     1);
    /* engine and SQL reference still agree under the profiles */
    pl_finding_set a = {0}, b = {0};
    assert_int_equal(pl_rules_evaluate(w.r, AS_OF, &a, NULL, &e), 0);
    assert_int_equal(pl_rules_reference(w.r, AS_OF, 0, &b, NULL, &e), 0);
    pl_buf d;
    pl_buf_init(&d);
    if (pl_finding_set_compare(&a, &b, 1, &d))
        fail_msg("engine vs sql under profiles:\n%s", d.data);
    /* R01 under a profile: 15 years for top finance posts → A's T1 no longer due */
    json_t *p3 = json_pack("{s:i,s:i}", "r01_top_years", 15, "r01_warn_months", 0);
    pl_profile fp = {.name = "县级-财政", .level = "county", .industry = "finance", .params = p3};
    assert_int_equal(pl_rules_profile_set(w.r, &fp, "officer", &e), 0);
    assert_int_equal(q(&w, "SELECT count(*) FROM findings WHERE rule='R01' AND key='T1' AND "
                           "status='open'"),
                     0);
    pl_finding_set cur = {0}, all = {0};
    assert_int_equal(pl_rules_current(w.r, &cur, &e), 0);
    assert_int_equal(pl_rules_evaluate(w.r, AS_OF, &all, NULL, &e), 0);
    pl_buf_reset(&d);
    if (pl_finding_set_compare(&cur, &all, 1, &d))
        fail_msg("incremental vs sweep after profiles:\n%s", d.data);
    pl_buf_release(&d);
    pl_finding_set_release(&a);
    pl_finding_set_release(&b);
    pl_finding_set_release(&cur);
    pl_finding_set_release(&all);
    json_decref(params);
    json_decref(p2);
    json_decref(p3);
    world_close(&w);
}

static void invalid_profiles_are_rejected(void **state)
{
    (void)state;
    pl_err e;
    pl_err_init(&e);
    json_t *bad = json_pack("{s:i}", "r01_top_yeers", 8);
    pl_profile p = {.name = "x", .params = bad};
    assert_int_equal(pl_rules_profile_check(&p, &e), PL_EINVAL);
    assert_non_null(strstr(e.msg, "r01_top_yeers"));
    assert_non_null(strstr(e.msg, "r01_top_years")); /* the known names are listed */
    json_decref(bad);
    bad = json_pack("{s:i}", "r01_top_years", 0);
    p.params = bad;
    pl_err_init(&e);
    assert_int_equal(pl_rules_profile_check(&p, &e), PL_EINVAL);
    assert_non_null(strstr(e.msg, "r01_top_years"));
    assert_non_null(strstr(e.msg, "[1, 40]"));
    json_decref(bad);
    bad = json_pack("{s:s}", "r01_top_years", "ten");
    p.params = bad;
    assert_int_equal(pl_rules_profile_check(&p, &e), PL_EINVAL);
    json_decref(bad);
    pl_profile q1 = {.name = "y", .level = "village", .params = NULL};
    assert_int_equal(pl_rules_profile_check(&q1, &e), PL_EINVAL);
    assert_non_null(strstr(e.msg, "village"));
    pl_profile q2 = {.name = "y", .region = "43A1", .params = NULL};
    assert_int_equal(pl_rules_profile_check(&q2, &e), PL_EINVAL);
    pl_profile q3 = {.name = "", .params = NULL};
    assert_int_equal(pl_rules_profile_check(&q3, &e), PL_EINVAL);
}

static void status_changes_and_replay(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    load_fixture(&w, 0);
    pl_err e;
    pl_err_init(&e);
    pl_rules_stats st;
    assert_int_equal(pl_rules_sweep(w.r, AS_OF, &st, &e), 0);
    assert_int_equal(st.raised, (int64_t)NEXPECTED);
    char id[20];
    rl_finding_id(id, 5, "D2", "U1");
    assert_int_equal(pl_rules_finding_status(w.r, id, "acknowledged", NULL, "officer", &e), 0);
    assert_int_equal(pl_rules_finding_status(w.r, id, "dismissed", "", "officer", &e), PL_EINVAL);
    assert_non_null(strstr(e.msg, "reason"));
    assert_int_equal(pl_rules_finding_status(w.r, id, "dismissed", "会议纪要补录", "officer", &e),
                     0);
    assert_int_equal(
        pl_rules_finding_status(w.r, "R05-000000000000", "acknowledged", NULL, "officer", &e),
        PL_ENOTFOUND);
    assert_int_equal(q(&w, "SELECT count(*) FROM findings WHERE status='dismissed' AND "
                           "status_reason='会议纪要补录'"),
                     1);
    /* a second sweep keeps the dismissal (the evidence still holds) */
    assert_int_equal(pl_rules_sweep(w.r, AS_OF, &st, &e), 0);
    assert_int_equal(st.raised + st.updated + st.resolved, 0);
    /* replay into a fresh store reproduces every rule table */
    pl_store *mem = NULL;
    assert_int_equal(ut_store_open(&mem, &e), 0);
    int rc = pl_ledger_replay(w.l, mem, &e);
    if (rc)
        fail_msg("replay: %s", e.msg);
    const char *tables[] = {"findings",      "finding_evidence", "finding_events",
                            "rule_profiles", "risk_warnings",    "rule_tasks"};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[t]);
        int64_t a = q(&w, sql), b = -1;
        assert_int_equal(pl_store_query_i64(mem, &b, &e, sql, NULL), 0);
        assert_int_equal(a, b);
    }
    int64_t h1 = -1, h2 = -2;
    const char *hash = "SELECT sum(length(id || rule || key || subject || severity || evidence || "
                       "status || COALESCE(status_reason,'') || explanation_zh || first_seen)) "
                       "FROM findings";
    assert_int_equal(pl_store_query_i64(w.s, &h1, &e, hash, NULL), 0);
    assert_int_equal(pl_store_query_i64(mem, &h2, &e, hash, NULL), 0);
    assert_int_equal(h1, h2);
    pl_store_close(mem);
    world_close(&w);
}

static void explanations_speak_plainly(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    load_fixture(&w, 0);
    pl_err e;
    pl_err_init(&e);
    json_t *params = json_pack("{s:i}", "r01_top_years", 10);
    pl_profile p = {
        .name = "县级-财政", .level = "county", .industry = "finance", .params = params};
    assert_int_equal(pl_rules_profile_set(w.r, &p, "officer", &e), 0);
    assert_int_equal(pl_rules_sweep(w.r, AS_OF, NULL, &e), 0);
    pl_stmt *st = NULL;
    assert_int_equal(pl_store_prepare(w.s,
                                      "SELECT explanation_zh, explanation_en, params FROM findings "
                                      "WHERE rule='R01' AND key='T1'",
                                      &st, &e),
                     0);
    assert_int_equal(pl_stmt_step(st, &e), PL_ROW);
    const char *zh = pl_stmt_text(st, 0), *en = pl_stmt_text(st, 1);
    assert_non_null(strstr(zh, "张三"));
    assert_non_null(strstr(zh, "县财政局"));
    assert_non_null(strstr(zh, "13 年 3 个月"));
    assert_non_null(strstr(en,
                           "张三 has held 局长 of 县财政局 since 2013-03-01, 13 years 3 months; "
                           "rotation is due after 10 years for this post in profile 县级-财政"));
    assert_non_null(strstr(pl_stmt_text(st, 2), "\"r01_top_years\":10"));
    pl_stmt_finalize(st);
    json_decref(params);
    world_close(&w);
}

static void risk_index_warns_and_opens_tasks(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    load_fixture(&w, 0);
    pl_err e;
    pl_err_init(&e);
    pl_rules_stats st;
    assert_int_equal(pl_rules_sweep(w.r, AS_OF, &st, &e), 0);
    /* A: R01 high 10 + R02 high 10 + R04 medium 4 + R09 2×high 20 + R11 high 10
     * + R15 low 1 + R16 high 10 + medium 4 + R17 medium 4 = 73, plus U1's
     * R05 high, R07 high, R08 high, R15 low = 31 → 104 ≥ red (35), all new */
    pl_buf b;
    pl_buf_init(&b);
    assert_int_equal(pl_rules_risk(w.r, AS_OF, 1, &b, &e), 0);
    json_t *arr = json_loads(b.data, 0, NULL);
    assert_int_equal(json_array_size(arr), 1);
    json_t *top = json_array_get(arr, 0);
    assert_string_equal(json_string_value(json_object_get(top, "person")), A);
    assert_int_equal(json_integer_value(json_object_get(top, "index_x100")), 10400);
    assert_string_equal(json_string_value(json_object_get(top, "grade")), "red");
    assert_int_equal(json_array_size(json_object_get(top, "breakdown")), 14);
    json_decref(arr);
    pl_buf_release(&b);
    assert_int_equal(
        q(&w, "SELECT count(*) FROM risk_warnings WHERE person_id='" A "' AND grade='red'"), 1);
    assert_int_equal(q(&w, "SELECT count(*) FROM rule_tasks WHERE person_id='" A
                           "' AND owner_role='discipline_officer' AND due_date='2026-07-30'"),
                     1);
    assert_true(st.warnings >= 1 && st.tasks == st.warnings);
    /* no new warning at the same grade */
    assert_int_equal(pl_rules_sweep(w.r, AS_OF, &st, &e), 0);
    assert_int_equal(st.warnings, 0);
    world_close(&w);
}

/* The snapshot (docs/RULES.md "Snapshot"): written by a sweep beside a file
 * store; a fresh engine maps it and finds exactly what a load from the
 * projection tables finds; events applied to the mapped model keep
 * incremental = sweep; a stale or corrupt snapshot is not used. */
static void engine_on(world *w, pl_rules **r)
{
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_rules_new(r, w->s, w->l, &e), 0);
    assert_int_equal(pl_rules_set_as_of(*r, AS_OF, &e), 0);
}

static void same_as_projections(world *w, const pl_finding_set *got, const char *what)
{
    pl_err e;
    pl_err_init(&e);
    pl_rules *plain;
    engine_on(w, &plain);
    pl_rules_set_snapshot(plain, 0);
    pl_finding_set ref = {0};
    assert_int_equal(pl_rules_evaluate(plain, AS_OF, &ref, NULL, &e), 0);
    assert_int_equal(pl_rules_loaded_from_snapshot(plain), 0);
    pl_buf d;
    pl_buf_init(&d);
    if (pl_finding_set_compare(got, &ref, 1, &d))
        fail_msg("%s vs a load from the projections:\n%s", what, d.data);
    pl_buf_release(&d);
    pl_finding_set_release(&ref);
    pl_rules_free(plain);
}

static void snapshot_is_exact_and_disposable(void **state)
{
    (void)state;
    char dir[] = "/tmp/plumb-snap-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db[256], snap[300];
    snprintf(db, sizeof db, "%s/s.db", dir);
    snprintf(snap, sizeof snap, "%s.rules-snapshot", db);
    pl_err e;
    pl_err_init(&e);
    pl_model_register();
    pl_rules_register();
    world w;
    assert_int_equal(pl_store_open(&w.s, db, PL_STORE_CREATE, &e), 0);
    assert_int_equal(pl_ledger_open(&w.l, w.s, &e), 0);
    assert_int_equal(pl_registry_new(&w.reg, w.s, w.l, &e), 0);
    engine_on(&w, &w.r);
    load_fixture(&w, 0);
    struct stat sb;
    assert_int_not_equal(stat(snap, &sb), 0);
    pl_rules_stats st;
    assert_int_equal(pl_rules_sweep(w.r, AS_OF, &st, &e), 0);
    assert_int_equal(stat(snap, &sb), 0); /* written by the sweep */

    /* a fresh engine maps it */
    pl_rules *r2;
    engine_on(&w, &r2);
    pl_finding_set got = {0};
    assert_int_equal(pl_rules_evaluate(r2, AS_OF, &got, NULL, &e), 0);
    assert_int_equal(pl_rules_loaded_from_snapshot(r2), 1);
    assert_expected(&got);
    same_as_projections(&w, &got, "from the snapshot");
    pl_finding_set_release(&got);

    /* events on the mapped model (copy-on-write, growth to the heap) */
    pl_rules *r1 = w.r;
    w.r = r2;
    record(&w, "tenure",
           "{\"id\":\"T1\",\"person_id\":\"" A
           "\",\"post_id\":\"P1\",\"start_date\":\"2013-03-01\","
           "\"end_date\":\"2026-06-01\"}",
           1);
    record(&w, "payment",
           "{\"id\":\"Y3\",\"unit_id\":\"U1\",\"payee_company_id\":\"" CO2
           "\",\"amount_fen\":60000000,"
           "\"paid_at\":\"2026-03-01\",\"purpose\":\"软件款\",\"decision_id\":\"D2\"}",
           1);
    for (int k = 0; k < 300; k++) { /* enough to grow every touched array */
        char buf[256];
        snprintf(
            buf, sizeof buf,
            "{\"id\":\"NP%d\",\"name\":\"新人%d\",\"gender\":\"M\",\"birth_date\":\"1980-01-01\"}",
            k, k);
        record(&w, "person", buf, 1);
    }
    pl_finding_set cur = {0};
    assert_int_equal(pl_rules_current(r2, &cur, &e), 0);
    same_as_projections(&w, &cur, "incremental on the mapped model");
    pl_finding_set_release(&cur);

    /* stale: the ledger moved on since it was written */
    pl_rules *r3;
    engine_on(&w, &r3);
    assert_int_equal(pl_rules_evaluate(r3, AS_OF, &got, NULL, &e), 0);
    assert_int_equal(pl_rules_loaded_from_snapshot(r3), 0);
    pl_finding_set_release(&got);
    pl_rules_free(r3);

    /* corrupt: one byte of the payload flipped */
    assert_int_equal(pl_rules_sweep(r2, AS_OF, &st, &e), 0);
    engine_on(&w, &r3);
    assert_int_equal(pl_rules_evaluate(r3, AS_OF, &got, NULL, &e), 0);
    assert_int_equal(pl_rules_loaded_from_snapshot(r3), 1);
    pl_finding_set_release(&got);
    pl_rules_free(r3);
    FILE *f = fopen(snap, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 4096 + 100, SEEK_SET), 0);
    int ch = fgetc(f);
    assert_int_equal(fseek(f, 4096 + 100, SEEK_SET), 0);
    fputc(ch ^ 0x5a, f);
    fclose(f);
    engine_on(&w, &r3);
    assert_int_equal(pl_rules_evaluate(r3, AS_OF, &got, NULL, &e), 0);
    assert_int_equal(pl_rules_loaded_from_snapshot(r3), 0);
    assert_int_equal(pl_rules_snapshot_rejected(r3), 1); /* its MAC fails */
    same_as_projections(&w, &got, "after a corrupt snapshot");
    pl_finding_set_release(&got);
    pl_rules_free(r3);

    pl_rules_free(r1);
    world_close(&w);
    unlink(snap);
    unlink(db);
    char side[300];
    snprintf(side, sizeof side, "%s-wal", db);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db);
    unlink(side);
    snprintf(side, sizeof side, "%s.key", db);
    unlink(side);
    rmdir(dir);
}

static void calendar_arithmetic(void **state)
{
    (void)state;
    assert_int_equal(rl_add_months(20160229, 120), 20260228);
    assert_int_equal(rl_add_months(20240131, 1), 20240229);
    assert_int_equal(rl_add_months(20260630, -12), 20250630);
    assert_int_equal(rl_add_months(20260331, -1), 20260228);
    assert_int_equal(rl_add_days(20251231, 31), 20260131);
    assert_int_equal(rl_add_days(20240301, -1), 20240229);
    assert_int_equal(rl_days_between(20250101, 20260101), 365);
    assert_int_equal(rl_date("2026-06-30"), 20260630);
    assert_int_equal(rl_date("2026-6-30"), 0);
    assert_int_equal(pl_rules_parse_id("R07"), 7);
    assert_int_equal(pl_rules_parse_id("R23"), 23); /* R21–R23: inspection (docs/RULES.md) */
    assert_int_equal(pl_rules_parse_id("R24"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(calendar_arithmetic),
        cmocka_unit_test(engine_finds_exactly_the_planted_cases),
        cmocka_unit_test(sql_reference_equals_engine),
        cmocka_unit_test(incremental_equals_sweep),
        cmocka_unit_test(vanished_evidence_resolves_with_reason),
        cmocka_unit_test(profile_changes_outcome),
        cmocka_unit_test(invalid_profiles_are_rejected),
        cmocka_unit_test(status_changes_and_replay),
        cmocka_unit_test(explanations_speak_plainly),
        cmocka_unit_test(risk_index_warns_and_opens_tasks),
        cmocka_unit_test(snapshot_is_exact_and_disposable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
