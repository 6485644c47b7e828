/*
 * classify-rules.h - the user's classification rules.
 *
 * One rule a line: PATTERN [PERMS] [@CLASS] NAME.  PATTERN is a PCRE2
 * pattern matched against the path ("" for anonymous memory; smart case);
 * PERMS four characters as in maps ("rw-p"), '.' for any; @CLASS keeps the
 * rule to regions the built-in classifier put in CLASS; NAME the class the
 * region gets: a built-in class, or a user class of its own (lowercase
 * letters, digits, '.', '_', '-'; up to 31).  '#' starts a comment line.
 * The first rule that matches wins, over every built-in class.
 */
#ifndef MEMTOP_CLASSIFY_RULES_H
#define MEMTOP_CLASSIFY_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "classify.h"

struct classify_rules;

struct classify_rules *classify_rules_new(void);
void classify_rules_free(struct classify_rules *r);

/*
 * Add the rules of text[0..len) (from file name, for messages).  A bad
 * line is skipped with a message "NAME:LINE: why" appended to *msgs (one
 * per line, malloc'd; the caller frees it).  Returns the number of bad
 * lines.
 */
int classify_rules_parse(struct classify_rules *r, const char *name,
    const char *text, size_t len, char **msgs);
/* The same from a file; -errno (with a message) when it cannot be read. */
int classify_rules_load(
    struct classify_rules *r, const char *path, char **msgs);
size_t classify_rules_count(const struct classify_rules *r);

/* $XDG_CONFIG_HOME/memtop/rules, else ~/.config/memtop/rules (malloc'd);
 * NULL when neither variable says where home is. */
char *classify_rules_default_path(void);

/*
 * The rules every classification applies (NULL: none).  main installs
 * them once, before the first sample, and they stay for the run: the
 * classifier stays a function of the snapshot and this configuration.
 */
void classify_rules_install(const struct classify_rules *r);
const struct classify_rules *classify_rules_installed(void);

/* The first rule of r (may be NULL) that region i of s matches when the
 * built-in classifier gave it class builtin: its index, or -1; its class
 * is classify_rules_class(r, index). */
int classify_rules_match(const struct classify_rules *r,
    const struct snapshot *s, size_t i, int builtin);
int classify_rules_class(const struct classify_rules *r, int index);

/* Apply r (may be NULL) to the classes of s's regions: the first rule
 * matching a region sets its class, why->how CW_RULE, why->arg the rule. */
void classify_rules_apply(const struct classify_rules *r,
    const struct snapshot *s, uint8_t *cls, struct class_why *why);

/* A user class's name (RC_USER_FIRST..), "?" if r has none such. */
const char *classify_rules_class_name(const struct classify_rules *r, int c);
/* A user class by name, or -1. */
int classify_rules_class_lookup(
    const struct classify_rules *r, const char *name);
/* "FILE:LINE" of rule i, for the detail screen ("?" if none). */
const char *classify_rules_where(const struct classify_rules *r, uint32_t i);

#endif
