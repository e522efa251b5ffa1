// import_same_swept.test.mjs — import_same.test.mjs with every batch
// checked by a sweep. The fixture's batches are small, so by default the
// import service (src/import, docs/IMPORT.md "One import service") checks
// them event by event; PLUMB_IMPORT_INCREMENTAL_ROWS=0 (for tests only)
// sends every batch the sweep way, which must also give the same ledger
// whether the files come by `plumb import` or by POST /api/v1/import. The
// CLI and the server this test starts inherit the variable.
process.env.PLUMB_IMPORT_INCREMENTAL_ROWS = '0';
await import('./import_same.test.mjs');
