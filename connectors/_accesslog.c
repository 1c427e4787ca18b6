/*
 * piimap.connectors._accesslog: the access-log parser's inner loop, in C.
 *
 * An AccessLogTally is fed blocks of raw log bytes. Each line in the combined or common format
 * (the shape of accesslog._FAST_LINE, with no backslash escape and only ASCII inside the quoted
 * fields) is cut into four parts: client, remote user, request line and "tail" (everything after
 * the response size: referrer, user agent, further quoted fields). Each part is counted in a hash
 * table, so a million lines with 20,000 clients and 30 distinct user agents cost a million cheap
 * lookups and 20,030 entries. A request line or tail is parsed once, when first seen: if it
 * does not fit the grammar exactly, every line holding it is handed back untouched for the
 * Python parser, so this module never guesses.
 *
 * drain() expands each distinct request line into its path and query parameters (values
 * URL-decoded with '+' as a space, as urllib.parse.unquote_plus does) and each distinct tail into
 * referrer, user agent, X-Forwarded-For addresses, cookies or numbered extras (the rules of
 * accesslog.AccessLogParser._add_extra), weighted by their counts; returns one str per distinct
 * value with its count; and empties the tally. The caller drains whenever `distinct` grows past
 * its memory budget, so memory follows the number of distinct values, not the input size.
 * feed() releases the GIL while it parses (it touches no Python object then).
 *
 * The Python parser (connectors/accesslog.py) is the reference: tests/test_accesslog_native.py
 * checks that both give the same fields and counts on generated and fuzzed input.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* hash tables of counted byte strings: entries in first-seen order, an open-addressing index   */

typedef struct {
    unsigned char *data;
    Py_ssize_t used, capacity;
} Arena;

enum { UNCHECKED = 0, VALID = 1, INVALID = 2 };

typedef struct {
    uint64_t hash;
    Py_ssize_t offset; /* into the table's arena */
    long long count;
    uint32_t length;
    uint32_t state; /* request lines and tails: VALID or INVALID once parsed */
} Entry;

typedef struct {
    Entry *entries;
    Py_ssize_t used, capacity;
    uint32_t *slots; /* entry index + 1; 0 = empty */
    Py_ssize_t slot_mask;
} Table;

/* the four parts of a line, counted as they come */
enum { PART_CLIENT = 0, PART_USER, PART_REQUEST, PART_TAIL, PARTS };

/* the fields a drain expands request lines and tails into */
enum { KIND_FIELD = 0, KIND_QUERY = 1, KIND_COOKIE = 2, KIND_EXTRA = 3 };
enum { FIELD_REQUEST_PATH = 0, FIELD_REFERRER, FIELD_USER_AGENT, FIELD_FORWARDED, FIXED_FIELDS };
static const char *FIXED_NAMES[FIXED_FIELDS] = {"request_path", "referrer", "user_agent", "forwarded_for"};

/* Most distinct query-parameter, cookie or extra-field names between two drains; a line that
 * would need another one is handed back to the Python parser (which caps names per file). */
#define MAX_GROUPS 4096
/* Most quoted fields after the response size that this module parses. */
#define MAX_QUOTED 64

typedef struct {
    int kind;
    Py_ssize_t name_offset, name_length; /* raw name bytes in the key arena (query, cookie) */
    long position;                       /* fixed fields: FIELD_*; extras: 1 = first after the agent */
    Table table;
} Group;

typedef enum { CHECK, COUNT } Mode;

typedef struct {
    PyObject_HEAD
    Table parts[PARTS];
    Arena keys; /* the parts' bytes and group names */
    Group *groups;
    Py_ssize_t group_count, group_capacity;
    Table group_index; /* key: kind byte + name -> group number (in Entry.count) */
    Arena values;      /* the groups' bytes, filled by drain() */
    unsigned char *copy; /* a part being expanded, copied out of the key arena */
    Py_ssize_t copy_capacity;
    unsigned char *decoded; /* URL-decoded query values of the part being expanded */
    Py_ssize_t decoded_capacity;
    unsigned char *key_buffer; /* the key of a group lookup */
    Py_ssize_t key_capacity;
    Py_ssize_t *rejected; /* (start, end) offsets of lines handed back by the current feed */
    Py_ssize_t rejected_count, rejected_capacity;
    long long distinct;
    long long lines;
    uint64_t seed;
    int busy;
} Tally;

static inline uint64_t mix(uint64_t value) {
    value ^= value >> 33;
    value *= 0xff51afd7ed558ccdULL;
    value ^= value >> 33;
    value *= 0xc4ceb9fe1a85ec53ULL;
    value ^= value >> 33;
    return value;
}

static inline uint64_t hash_bytes(const unsigned char *data, Py_ssize_t length, uint64_t seed) {
    uint64_t hash = seed ^ ((uint64_t)length * 0x9e3779b97f4a7c15ULL);
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, data, 8);
        hash = (hash ^ word) * 0xff51afd7ed558ccdULL;
        hash = (hash << 31) | (hash >> 33);
        data += 8;
        length -= 8;
    }
    uint64_t tail = 0;
    for (Py_ssize_t index = 0; index < length; index++) {
        tail = (tail << 8) | data[index];
    }
    return mix(hash ^ tail);
}

static int grow(void **buffer, Py_ssize_t *capacity, Py_ssize_t needed, size_t item_size) {
    if (needed <= *capacity) {
        return 0;
    }
    Py_ssize_t wanted = *capacity ? *capacity : 16;
    while (wanted < needed) {
        wanted *= 2;
    }
    void *moved = PyMem_RawRealloc(*buffer, (size_t)wanted * item_size);
    if (moved == NULL) {
        return -1;
    }
    *buffer = moved;
    *capacity = wanted;
    return 0;
}

static void table_free(Table *table) {
    PyMem_RawFree(table->entries);
    PyMem_RawFree(table->slots);
    memset(table, 0, sizeof(*table));
}

static int table_rehash(Table *table, Py_ssize_t slot_count) {
    uint32_t *slots = PyMem_RawCalloc((size_t)slot_count, sizeof(uint32_t));
    if (slots == NULL) {
        return -1;
    }
    Py_ssize_t mask = slot_count - 1;
    for (Py_ssize_t index = 0; index < table->used; index++) {
        Py_ssize_t slot = (Py_ssize_t)(table->entries[index].hash & (uint64_t)mask);
        while (slots[slot]) {
            slot = (slot + 1) & mask;
        }
        slots[slot] = (uint32_t)(index + 1);
    }
    PyMem_RawFree(table->slots);
    table->slots = slots;
    table->slot_mask = mask;
    return 0;
}

/* The entry holding `key`, or NULL when there is none (a lookup that creates nothing). */
static inline Entry *table_get(const Table *table, const Arena *arena, const unsigned char *key, Py_ssize_t length,
                               uint64_t hash) {
    if (table->slots == NULL) {
        return NULL;
    }
    Py_ssize_t slot = (Py_ssize_t)(hash & (uint64_t)table->slot_mask);
    for (uint32_t held; (held = table->slots[slot]) != 0; slot = (slot + 1) & table->slot_mask) {
        Entry *entry = &table->entries[held - 1];
        if (entry->hash == hash && entry->length == (uint32_t)length &&
            memcmp(arena->data + entry->offset, key, (size_t)length) == 0) {
            return entry;
        }
    }
    return NULL;
}

/* The entry holding `key`, created (count 0, key copied into `arena`) when new; NULL on no memory. */
static Entry *table_find(Table *table, Arena *arena, const unsigned char *key, Py_ssize_t length, uint64_t hash,
                         int *created) {
    *created = 0;
    Entry *found = table_get(table, arena, key, length, hash);
    if (found != NULL) {
        return found;
    }
    if (length > (Py_ssize_t)UINT32_MAX || table->used >= (Py_ssize_t)UINT32_MAX - 1) {
        return NULL;
    }
    if (table->slots == NULL && table_rehash(table, 16) < 0) {
        return NULL;
    }
    if ((table->used + 1) * 2 > table->slot_mask + 1 && table_rehash(table, (table->slot_mask + 1) * 2) < 0) {
        return NULL;
    }
    if (grow((void **)&table->entries, &table->capacity, table->used + 1, sizeof(Entry)) < 0 ||
        grow((void **)&arena->data, &arena->capacity, arena->used + length + 1, 1) < 0) {
        return NULL;
    }
    Py_ssize_t slot = (Py_ssize_t)(hash & (uint64_t)table->slot_mask);
    while (table->slots[slot]) {
        slot = (slot + 1) & table->slot_mask;
    }
    Entry *entry = &table->entries[table->used];
    entry->hash = hash;
    entry->offset = arena->used;
    entry->length = (uint32_t)length;
    entry->count = 0;
    entry->state = UNCHECKED;
    memcpy(arena->data + arena->used, key, (size_t)length);
    arena->used += length;
    table->slots[slot] = (uint32_t)(table->used + 1);
    table->used++;
    *created = 1;
    return entry;
}

/* The group number of a query/cookie name or an extra position: creates it when `mode` is CHECK.
 * -1 when there is no such group and no room for it, -2 on no memory. */
static int group_for(Tally *self, Mode mode, int kind, const unsigned char *name, Py_ssize_t name_length,
                     long position) {
    Py_ssize_t key_length = 1 + (kind == KIND_EXTRA ? (Py_ssize_t)sizeof(long) : name_length);
    if (grow((void **)&self->key_buffer, &self->key_capacity, key_length, 1) < 0) {
        return -2;
    }
    unsigned char *key = self->key_buffer;
    key[0] = (unsigned char)kind;
    if (kind == KIND_EXTRA) {
        memcpy(key + 1, &position, sizeof(long));
    } else {
        memcpy(key + 1, name, (size_t)name_length);
    }
    uint64_t hash = hash_bytes(key, key_length, self->seed);
    Entry *entry = table_get(&self->group_index, &self->keys, key, key_length, hash);
    if (entry != NULL) {
        return (int)entry->count;
    }
    if (mode != CHECK || self->group_count >= MAX_GROUPS + FIXED_FIELDS) {
        return -1;
    }
    int created;
    entry = table_find(&self->group_index, &self->keys, key, key_length, hash, &created);
    if (entry == NULL ||
        grow((void **)&self->groups, &self->group_capacity, self->group_count + 1, sizeof(Group)) < 0) {
        return -2;
    }
    Group *group = &self->groups[self->group_count];
    memset(group, 0, sizeof(*group));
    group->kind = kind;
    group->position = position;
    group->name_offset = entry->offset + 1; /* the name is the key after its kind byte */
    group->name_length = kind == KIND_EXTRA ? 0 : name_length;
    entry->count = self->group_count;
    return (int)self->group_count++;
}

/* Add `count` occurrences of `value` to a group (COUNT mode); nothing in CHECK mode. 0, or -2 on no memory. */
static int tally(Tally *self, Mode mode, int group, const unsigned char *value, Py_ssize_t length, long long count) {
    if (mode == CHECK) {
        return 0;
    }
    int created;
    Entry *entry = table_find(&self->groups[group].table, &self->values, value, length,
                              hash_bytes(value, length, self->seed), &created);
    if (entry == NULL) {
        return -2;
    }
    entry->count += count;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* the line grammar                                                                             */

/* Python's str.isspace() for ASCII (what \s, str.strip() and str.split() use). */
static inline int is_space(unsigned char c) {
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static inline int hex_value(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* urllib.parse.unquote_plus on ASCII input: '+' is a space, %XX a byte, a bad escape stays as it is. */
static Py_ssize_t unquote_plus(const unsigned char *text, Py_ssize_t length, unsigned char *out) {
    Py_ssize_t written = 0;
    for (Py_ssize_t index = 0; index < length; index++) {
        unsigned char c = text[index];
        if (c == '+') {
            out[written++] = ' ';
        } else if (c == '%' && index + 2 < length && hex_value(text[index + 1]) >= 0 &&
                   hex_value(text[index + 2]) >= 0) {
            out[written++] = (unsigned char)(hex_value(text[index + 1]) * 16 + hex_value(text[index + 2]));
            index += 2;
        } else {
            out[written++] = c;
        }
    }
    return written;
}

/* True when no byte has its high bit set (checked eight bytes at a time). */
static inline int is_plain_ascii(const unsigned char *start, const unsigned char *end) {
    uint64_t high = 0;
    while (end - start >= 8) {
        uint64_t word;
        memcpy(&word, start, 8);
        high |= word;
        start += 8;
    }
    while (start < end) high |= *start++;
    return (high & 0x8080808080808080ULL) == 0;
}

static inline const unsigned char *find_byte(const unsigned char *from, const unsigned char *end, unsigned char c) {
    return from < end ? memchr(from, c, (size_t)(end - from)) : NULL;
}

/* _ADDRESS_LIST: address characters, lists separated by commas (whitespace only around commas), a digit. */
static int is_address_list(const unsigned char *value, Py_ssize_t length) {
    int digit = 0, in_part = 0, after_space = 0;
    if (length == 0) return 0;
    for (Py_ssize_t index = 0; index < length; index++) {
        unsigned char c = value[index];
        int address_char = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                           c == '.' || c == ':' || c == '[' || c == ']';
        if (address_char) {
            if (after_space && in_part) return 0; /* "1.2 3.4": a space inside a part */
            digit |= c >= '0' && c <= '9';
            in_part = 1;
            after_space = 0;
        } else if (c == ',') {
            if (!in_part) return 0;
            in_part = 0;
            after_space = 0;
        } else if (is_space(c)) {
            if (index == 0) return 0; /* no leading whitespace */
            after_space = 1;
        } else {
            return 0;
        }
    }
    return digit && in_part && !after_space;
}

/* _COOKIE_LIKE: "name=value" pairs split by ';' (optional trailing ';' and whitespace). */
static int is_cookie_like(const unsigned char *value, Py_ssize_t length) {
    const unsigned char *end = value + length, *segment = value;
    for (;;) {
        const unsigned char *semicolon = find_byte(segment, end, ';');
        const unsigned char *segment_end = semicolon ? semicolon : end;
        const unsigned char *cursor = segment;
        while (cursor < segment_end && is_space(*cursor)) cursor++;
        if (cursor == segment_end && segment != value && semicolon == NULL) {
            return 1; /* what follows the last ';' is only whitespace */
        }
        const unsigned char *name = cursor;
        while (cursor < segment_end && !is_space(*cursor) && *cursor != '=' && *cursor != ',') cursor++;
        if (cursor == name || cursor == segment_end || *cursor != '=') return 0;
        if (semicolon == NULL) return 1;
        segment = semicolon + 1;
    }
}

static inline void strip(const unsigned char **start, const unsigned char **end) {
    while (*start < *end && is_space(**start)) (*start)++;
    while (*end > *start && is_space((*end)[-1])) (*end)--;
}

/* One quoted field after the user agent (AccessLogParser._add_extra). 0 = ok, -1 = not handled, -2 = memory. */
static int expand_extra(Tally *self, Mode mode, long position, const unsigned char *value, Py_ssize_t length,
                        long long count) {
    const unsigned char *end = value + length;
    int status;
    if (length == 0 || (length == 1 && value[0] == '-')) {
        return 0;
    }
    if (is_address_list(value, length)) {
        const unsigned char *part = value;
        for (;;) {
            const unsigned char *comma = find_byte(part, end, ',');
            const unsigned char *part_start = part, *part_end = comma ? comma : end;
            strip(&part_start, &part_end);
            if ((status = tally(self, mode, FIELD_FORWARDED, part_start, part_end - part_start, count)) < 0) {
                return status;
            }
            if (comma == NULL) return 0;
            part = comma + 1;
        }
    }
    if (is_cookie_like(value, length)) {
        const unsigned char *pair = value;
        for (;;) {
            const unsigned char *semicolon = find_byte(pair, end, ';');
            const unsigned char *pair_start = pair, *pair_end = semicolon ? semicolon : end;
            strip(&pair_start, &pair_end);
            const unsigned char *equals = find_byte(pair_start, pair_end, '=');
            const unsigned char *name_end = equals ? equals : pair_end;
            if (name_end > pair_start) {
                int group = group_for(self, mode, KIND_COOKIE, pair_start, name_end - pair_start, 0);
                if (group < 0) return group;
                const unsigned char *cookie = equals ? equals + 1 : pair_end;
                if ((status = tally(self, mode, group, cookie, pair_end - cookie, count)) < 0) return status;
            }
            if (semicolon == NULL) return 0;
            pair = semicolon + 1;
        }
    }
    int group = group_for(self, mode, KIND_EXTRA, NULL, 0, position);
    if (group < 0) return group;
    return tally(self, mode, group, value, length, count);
}

/* A request line: its target's path (raw) and query pairs (values decoded). 0 / -1 not handled / -2 memory. */
static int expand_request(Tally *self, Mode mode, const unsigned char *request, Py_ssize_t length, long long count) {
    const unsigned char *end = request + length, *target = request, *target_end = end;
    int status;
    if (!is_plain_ascii(request, end) || find_byte(request, end, '\\') != NULL) {
        return -1;
    }
    const unsigned char *first_space = find_byte(request, end, ' ');
    if (first_space != NULL) {
        const unsigned char *second_space = find_byte(first_space + 1, end, ' ');
        if (second_space != NULL && find_byte(second_space + 1, end, ' ') == NULL) {
            target = first_space + 1; /* "METHOD TARGET PROTOCOL" */
            target_end = second_space;
        }
    }
    const unsigned char *question = find_byte(target, target_end, '?');
    status = tally(self, mode, FIELD_REQUEST_PATH, target, (question ? question : target_end) - target, count);
    if (status < 0 || question == NULL) return status;
    if (grow((void **)&self->decoded, &self->decoded_capacity, length + 1, 1) < 0) return -2;
    const unsigned char *pair = question + 1;
    for (;;) {
        const unsigned char *ampersand = find_byte(pair, target_end, '&');
        const unsigned char *pair_end = ampersand ? ampersand : target_end;
        const unsigned char *equals = find_byte(pair, pair_end, '=');
        const unsigned char *name_end = equals ? equals : pair_end;
        if (name_end > pair) {
            int group = group_for(self, mode, KIND_QUERY, pair, name_end - pair, 0);
            if (group < 0) return group;
            if (mode == COUNT) {
                const unsigned char *value = equals ? equals + 1 : pair_end;
                Py_ssize_t decoded_length = unquote_plus(value, pair_end - value, self->decoded);
                if ((status = tally(self, mode, group, self->decoded, decoded_length, count)) < 0) return status;
            }
        }
        if (ampersand == NULL) return 0;
        pair = ampersand + 1;
    }
}

/* What follows the response size: ( ' "' quoted '"' )* then text with no quote. 0 / -1 / -2 as above. */
static int expand_tail(Tally *self, Mode mode, const unsigned char *tail, Py_ssize_t length, long long count) {
    const unsigned char *cursor = tail, *end = tail + length, *quoted[MAX_QUOTED][2];
    int quoted_count = 0, status;
    if (!is_plain_ascii(tail, end) || find_byte(tail, end, '\\') != NULL) {
        return -1;
    }
    while (end - cursor >= 2 && cursor[0] == ' ' && cursor[1] == '"') {
        const unsigned char *close = find_byte(cursor + 2, end, '"');
        if (close == NULL || quoted_count == MAX_QUOTED) return -1;
        quoted[quoted_count][0] = cursor + 2;
        quoted[quoted_count][1] = close;
        quoted_count++;
        cursor = close + 1;
    }
    if (find_byte(cursor, end, '"') != NULL) return -1; /* text after the quoted fields holds no quote */
    int first_extra = 0;
    if (quoted_count >= 2) {
        if ((status = tally(self, mode, FIELD_REFERRER, quoted[0][0], quoted[0][1] - quoted[0][0], count)) < 0 ||
            (status = tally(self, mode, FIELD_USER_AGENT, quoted[1][0], quoted[1][1] - quoted[1][0], count)) < 0) {
            return status;
        }
        first_extra = 2;
    } else if ((status = tally(self, mode, FIELD_REFERRER, tail, 0, count)) < 0 ||
               (status = tally(self, mode, FIELD_USER_AGENT, tail, 0, count)) < 0) {
        return status; /* not logged: counted as "" (a null), as the Python parser does */
    }
    for (int index = first_extra; index < quoted_count; index++) {
        status = expand_extra(self, mode, index - first_extra + 1, quoted[index][0], quoted[index][1] - quoted[index][0],
                              count);
        if (status < 0) return status;
    }
    return 0;
}

typedef int (*Expander)(Tally *, Mode, const unsigned char *, Py_ssize_t, long long);

/* The counted entry of a request line or tail, parsed (CHECK) when first seen; NULL on no memory. */
static inline Entry *checked_part(Tally *self, int part, Expander expand, const unsigned char *start,
                                  const unsigned char *end, uint64_t hash) {
    int created;
    Entry *entry = table_find(&self->parts[part], &self->keys, start, end - start, hash, &created);
    if (entry != NULL && created) {
        self->distinct++;
        int status = expand(self, CHECK, start, end - start, 0);
        if (status == -2) return NULL;
        entry->state = status == 0 ? VALID : INVALID;
    }
    return entry;
}

/* Start loading the slot `hash` probes first, so the four lookups of a line wait for memory together. */
static inline void prefetch_slot(const Table *table, uint64_t hash) {
    if (table->slots != NULL) {
        __builtin_prefetch(&table->slots[hash & (uint64_t)table->slot_mask]);
    }
}

/* One line (without its newline). 1 = counted, 0 = handed back, -1 = no memory. */
static int parse_line(Tally *self, const unsigned char *line, const unsigned char *end) {
    const unsigned char *cursor = line, *words[3][2];
    /* client, ident, user: runs without spaces, each followed by one */
    for (int word = 0; word < 3; word++) {
        const unsigned char *start = cursor;
        while (cursor < end && *cursor != ' ') cursor++;
        if (cursor == start || cursor == end) return 0;
        words[word][0] = start;
        words[word][1] = cursor++;
    }
    if (cursor >= end || *cursor != '[') return 0;
    cursor = find_byte(cursor, end, ']');
    if (cursor == NULL || end - cursor < 3 || cursor[1] != ' ' || cursor[2] != '"') return 0;
    const unsigned char *request = cursor + 3, *request_end = find_byte(request, end, '"');
    if (request_end == NULL) return 0;
    cursor = request_end + 1;
    if (end - cursor < 4 || cursor[0] != ' ') return 0;
    cursor++;
    if (cursor[0] == '-') {
        cursor++;
    } else {
        if (cursor[0] < '0' || cursor[0] > '9' || cursor[1] < '0' || cursor[1] > '9' || cursor[2] < '0' ||
            cursor[2] > '9') {
            return 0;
        }
        cursor += 3;
    }
    if (cursor >= end || *cursor != ' ') return 0;
    cursor++;
    if (cursor < end && *cursor == '-') {
        cursor++;
    } else {
        const unsigned char *digits = cursor;
        while (cursor < end && *cursor >= '0' && *cursor <= '9') cursor++;
        if (cursor == digits) return 0;
    }
    uint64_t request_hash = hash_bytes(request, request_end - request, self->seed);
    uint64_t client_hash = hash_bytes(words[0][0], words[0][1] - words[0][0], self->seed);
    prefetch_slot(&self->parts[PART_REQUEST], request_hash);
    prefetch_slot(&self->parts[PART_CLIENT], client_hash);
    uint64_t tail_hash = hash_bytes(cursor, end - cursor, self->seed);
    uint64_t user_hash = hash_bytes(words[2][0], words[2][1] - words[2][0], self->seed);
    Entry *request_entry = checked_part(self, PART_REQUEST, expand_request, request, request_end, request_hash);
    if (request_entry == NULL) return -1;
    if (request_entry->state != VALID) return 0;
    Entry *tail_entry = checked_part(self, PART_TAIL, expand_tail, cursor, end, tail_hash);
    if (tail_entry == NULL) return -1;
    if (tail_entry->state != VALID) return 0;
    int created_client, created_user;
    Entry *client = table_find(&self->parts[PART_CLIENT], &self->keys, words[0][0], words[0][1] - words[0][0],
                               client_hash, &created_client);
    if (client == NULL) return -1;
    Entry *user = table_find(&self->parts[PART_USER], &self->keys, words[2][0], words[2][1] - words[2][0],
                             user_hash, &created_user);
    if (user == NULL) return -1;
    self->distinct += created_client + created_user;
    client->count++;
    user->count++;
    request_entry->count++;
    tail_entry->count++;
    self->lines++;
    return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* the Python type                                                                              */

static void clear_counts(Tally *self) {
    for (int part = 0; part < PARTS; part++) {
        table_free(&self->parts[part]);
    }
    for (Py_ssize_t index = 0; index < self->group_count; index++) {
        table_free(&self->groups[index].table);
    }
    table_free(&self->group_index);
    self->keys.used = 0;
    self->values.used = 0;
    self->distinct = 0;
    self->group_count = FIXED_FIELDS;
    memset(self->groups, 0, FIXED_FIELDS * sizeof(Group));
    for (int field = 0; field < FIXED_FIELDS; field++) {
        self->groups[field].kind = KIND_FIELD;
        self->groups[field].position = field;
    }
}

static PyObject *Tally_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"seed", NULL};
    unsigned long long seed = 0x5eed5eedULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|K", keywords, &seed)) return NULL;
    Tally *self = (Tally *)type->tp_alloc(type, 0);
    if (self == NULL) return NULL;
    self->seed = mix(seed + 0x9e3779b97f4a7c15ULL);
    if (grow((void **)&self->groups, &self->group_capacity, FIXED_FIELDS, sizeof(Group)) < 0) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    clear_counts(self);
    return (PyObject *)self;
}

static void Tally_dealloc(Tally *self) {
    if (self->groups != NULL) {
        clear_counts(self);
    }
    PyMem_RawFree(self->groups);
    PyMem_RawFree(self->keys.data);
    PyMem_RawFree(self->values.data);
    PyMem_RawFree(self->copy);
    PyMem_RawFree(self->decoded);
    PyMem_RawFree(self->key_buffer);
    PyMem_RawFree(self->rejected);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int claim(Tally *self) {
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "AccessLogTally is in use by another thread");
        return -1;
    }
    self->busy = 1;
    return 0;
}

PyDoc_STRVAR(feed_doc,
"feed(block) -> bytes\n\n"
"Count every line of ``block`` (a bytes-like object of complete lines) that has the combined or\n"
"common shape; return the other lines, each ending with a newline, for the Python parser.");

static PyObject *Tally_feed(Tally *self, PyObject *argument) {
    Py_buffer view;
    if (PyObject_GetBuffer(argument, &view, PyBUF_SIMPLE) < 0) return NULL;
    if (claim(self) < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    const unsigned char *data = view.buf, *end = data + view.len, *line = data;
    Py_ssize_t rejected_bytes = 0;
    int failed = 0;
    self->rejected_count = 0;
    Py_BEGIN_ALLOW_THREADS
    while (line < end) {
        const unsigned char *newline = memchr(line, '\n', (size_t)(end - line));
        const unsigned char *line_end = newline ? newline : end;
        int status = parse_line(self, line, line_end);
        if (status < 0) {
            failed = 1;
            break;
        }
        if (status == 0) {
            if (grow((void **)&self->rejected, &self->rejected_capacity, 2 * (self->rejected_count + 1),
                     sizeof(Py_ssize_t)) < 0) {
                failed = 1;
                break;
            }
            self->rejected[2 * self->rejected_count] = line - data;
            self->rejected[2 * self->rejected_count + 1] = line_end - data;
            self->rejected_count++;
            rejected_bytes += line_end - line + 1;
        }
        line = line_end + 1;
    }
    Py_END_ALLOW_THREADS
    PyObject *rejected = failed ? PyErr_NoMemory() : PyBytes_FromStringAndSize(NULL, rejected_bytes);
    if (rejected != NULL) {
        char *out = PyBytes_AS_STRING(rejected);
        for (Py_ssize_t index = 0; index < self->rejected_count; index++) {
            Py_ssize_t start = self->rejected[2 * index], stop = self->rejected[2 * index + 1];
            memcpy(out, data + start, (size_t)(stop - start));
            out += stop - start;
            *out++ = '\n';
        }
    }
    self->busy = 0;
    PyBuffer_Release(&view);
    return rejected;
}

/* {value: count} of one table, values decoded as UTF-8 (with U+FFFD for bad bytes, counts merged). */
static PyObject *counts_of(const Table *table, const Arena *arena) {
    PyObject *counts = PyDict_New();
    for (Py_ssize_t index = 0; counts != NULL && index < table->used; index++) {
        const Entry *entry = &table->entries[index];
        if (entry->count == 0) continue;
        PyObject *value = PyUnicode_DecodeUTF8((const char *)arena->data + entry->offset, entry->length, "replace");
        PyObject *count = value ? PyLong_FromLongLong(entry->count) : NULL;
        /* distinct bytes give distinct ASCII strings; only U+FFFD replacements can meet */
        PyObject *before = count && !PyUnicode_IS_ASCII(value) ? PyDict_GetItemWithError(counts, value) : NULL;
        if (before != NULL) {
            PyObject *sum = PyNumber_Add(before, count);
            Py_SETREF(count, sum);
        }
        if (count == NULL || PyErr_Occurred() || PyDict_SetItem(counts, value, count) < 0) {
            Py_CLEAR(counts);
        }
        Py_XDECREF(value);
        Py_XDECREF(count);
    }
    return counts;
}

static int append_row(PyObject *rows, const char *kind, PyObject *name, PyObject *counts) {
    if (name == NULL || counts == NULL) {
        Py_XDECREF(name);
        Py_XDECREF(counts);
        return -1;
    }
    PyObject *row = Py_BuildValue("(sNN)", kind, name, counts);
    int status = row == NULL ? -1 : PyList_Append(rows, row);
    Py_XDECREF(row);
    return status;
}

/* Expand every counted request line and tail into the groups (COUNT mode). -1 on no memory. */
static int expand_parts(Tally *self) {
    static const int parts[2] = {PART_REQUEST, PART_TAIL};
    static const Expander expanders[2] = {expand_request, expand_tail};
    for (int which = 0; which < 2; which++) {
        Table *table = &self->parts[parts[which]];
        for (Py_ssize_t index = 0; index < table->used; index++) {
            Entry *entry = &table->entries[index];
            if (entry->count == 0 || entry->state != VALID) continue;
            /* groups are looked up, never created, in COUNT mode; the copy keeps the bytes still anyway */
            if (grow((void **)&self->copy, &self->copy_capacity, (Py_ssize_t)entry->length + 1, 1) < 0) return -1;
            memcpy(self->copy, self->keys.data + entry->offset, entry->length);
            if (expanders[which](self, COUNT, self->copy, entry->length, entry->count) == -2) return -1;
        }
    }
    return 0;
}

PyDoc_STRVAR(drain_doc,
"drain() -> list[tuple[str, str | int, dict[str, int]]]\n\n"
"Everything counted since the last drain, as (kind, name, {value: count}), and an empty tally.\n"
"kind is 'field' (name: client_ip, remote_user, request_path, referrer, user_agent, forwarded_for),\n"
"'query' or 'cookie' (name: the raw parameter or cookie name) or 'extra' (name: the position of the\n"
"quoted field after the user agent, from 1). Query values are URL-decoded ('+' is a space); paths,\n"
"referrers and cookies are as logged. '-' and '' are counted like any other value.");

static PyObject *Tally_drain(Tally *self, PyObject *Py_UNUSED(ignored)) {
    if (claim(self) < 0) return NULL;
    PyObject *rows = PyList_New(0);
    if (rows != NULL && expand_parts(self) < 0) {
        Py_CLEAR(rows);
        PyErr_NoMemory();
    }
    static const char *part_names[2] = {"client_ip", "remote_user"};
    for (int part = PART_CLIENT; rows != NULL && part <= PART_USER; part++) {
        if (self->parts[part].used == 0) continue;
        if (append_row(rows, "field", PyUnicode_FromString(part_names[part]),
                       counts_of(&self->parts[part], &self->keys)) < 0) {
            Py_CLEAR(rows);
        }
    }
    for (Py_ssize_t number = 0; rows != NULL && number < self->group_count; number++) {
        Group *group = &self->groups[number];
        if (group->table.used == 0) continue;
        PyObject *counts = counts_of(&group->table, &self->values), *name;
        const char *kind = "field";
        if (group->kind == KIND_FIELD) {
            name = PyUnicode_FromString(FIXED_NAMES[group->position]);
        } else if (group->kind == KIND_EXTRA) {
            kind = "extra";
            name = PyLong_FromLong(group->position);
        } else {
            kind = group->kind == KIND_QUERY ? "query" : "cookie";
            name = PyUnicode_DecodeUTF8((const char *)self->keys.data + group->name_offset, group->name_length,
                                        "replace");
        }
        if (append_row(rows, kind, name, counts) < 0) {
            Py_CLEAR(rows);
        }
    }
    clear_counts(self);
    self->busy = 0;
    return rows;
}

static PyObject *Tally_get_distinct(Tally *self, void *Py_UNUSED(closure)) {
    return PyLong_FromLongLong(self->distinct);
}

static PyObject *Tally_get_bytes(Tally *self, void *Py_UNUSED(closure)) {
    return PyLong_FromSsize_t(self->keys.used);
}

static PyObject *Tally_get_lines(Tally *self, void *Py_UNUSED(closure)) {
    return PyLong_FromLongLong(self->lines);
}

static PyMethodDef Tally_methods[] = {
    {"feed", (PyCFunction)Tally_feed, METH_O, feed_doc},
    {"drain", (PyCFunction)Tally_drain, METH_NOARGS, drain_doc},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Tally_getset[] = {
    {"distinct", (getter)Tally_get_distinct, NULL, "Distinct client, user, request and tail values held.", NULL},
    {"held_bytes", (getter)Tally_get_bytes, NULL, "Bytes of those values (and of names) held.", NULL},
    {"lines", (getter)Tally_get_lines, NULL, "Lines counted (not handed back) since the tally was made.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyDoc_STRVAR(Tally_doc,
"AccessLogTally(seed=...)\n\n"
"Counts the fields of combined/common access-log lines in C; see the module docstring.");

static PyTypeObject TallyType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "piimap.connectors._accesslog.AccessLogTally",
    .tp_basicsize = sizeof(Tally),
    .tp_dealloc = (destructor)Tally_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = Tally_doc,
    .tp_methods = Tally_methods,
    .tp_getset = Tally_getset,
    .tp_new = Tally_new,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "piimap.connectors._accesslog",
    .m_doc = "The access-log parser's inner loop in C (optional; connectors/accesslog.py is the reference).",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit__accesslog(void) {
    if (PyType_Ready(&TallyType) < 0) return NULL;
    PyObject *created = PyModule_Create(&module);
    if (created == NULL) return NULL;
    Py_INCREF(&TallyType);
    if (PyModule_AddObject(created, "AccessLogTally", (PyObject *)&TallyType) < 0) {
        Py_DECREF(&TallyType);
        Py_DECREF(created);
        return NULL;
    }
    return created;
}
