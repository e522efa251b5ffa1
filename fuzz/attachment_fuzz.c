/*
 * attachment_fuzz.c — libFuzzer target for the portal's attachment check
 * (pl_cases_attachment_check, src/cases/crypto.c): the file name (path
 * separators, length, UTF-8, extension) and the content sniffed by its magic
 * bytes (pdf, png, jpg, docx = a ZIP naming word/document.xml, txt = UTF-8
 * text), as a report or added material uploads them
 * ({name, content_base64}). The input is the name, a newline, then the
 * content (also tried as the base64 the portal decodes).
 * Properties: no crash, no sanitizer report; an accepted attachment's kind
 * is the one its extension names, and its name has no '/' or '\'.
 * Layer: fuzz (cases). Spec: docs/API.md "Reporter portal".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cases/cases.h"

static void check_one(const char *name, const uint8_t *data, size_t len)
{
    pl_attachment a = {.name = name, .data = data, .len = len};
    const char *kind = NULL;
    pl_err e;
    pl_err_init(&e);
    if (pl_cases_attachment_check(&a, &kind, &e) == 0) {
        if (!kind || strpbrk(name, "/\\") || len == 0)
            abort();
        const char *dot = strrchr(name, '.');
        if (!dot)
            abort();
        const char *ext = dot + 1;
        int same = !strcasecmp(ext, kind) || (!strcmp(kind, "jpg") && !strcasecmp(ext, "jpeg"));
        if (!same)
            abort(); /* the kind is the one the extension names */
    } else if (!e.msg[0]) {
        abort(); /* a refusal says why */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t namelen = nl ? (size_t)(nl - data) : size;
    char *name = pl_strndup((const char *)data, namelen);
    const uint8_t *content = nl ? nl + 1 : data + size;
    size_t clen = nl ? size - namelen - 1 : 0;
    check_one(name, content, clen);
    uint8_t *raw = malloc(clen + 1);
    long n = pl_unb64(raw, clen + 1, (const char *)content, clen);
    if (n >= 0)
        check_one(name, raw, (size_t)n);
    free(raw);
    free(name);
    return 0;
}
