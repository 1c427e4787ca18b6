/*
 * piimap.connectors._accesslog: the log parsers' inner loops, in C.
 *
 * A LogTally is fed blocks of raw log bytes and counts the values of their fields without making
 * a Python object per line. It reads three formats (the `format` given when it is made):
 *
 *   "accesslog"  each line in the combined or common format (the shape of accesslog._FAST_LINE,
 *                no backslash escape, only ASCII inside the quoted fields) is cut into client,
 *                remote user, request line and "tail" (referrer, user agent, further quoted
 *                fields: cookies, X-Forwarded-For, extras), and those into fields (request path
 *                and query parameters URL-decoded; rules of accesslog.AccessLogParser);
 *   "jsonl"      each line holding one JSON object (ASCII, strict JSON) is flattened into dotted
 *                field paths (`user.email`, `items[].sku`), the rules of fmt_json.flatten_into (a
 *                line with a member name that may be personal data, which the Python parser masks,
 *                is handed back);
 *   "text"       each line is one value of the free-text field;
 *   "squid"      each line of Squid's native log (an egress proxy's) is cut into its time, method and
 *                URL, and counted per destination ("host/first path segment"): the requests, each
 *                query parameter's values (URL-decoded), and paths holding an e-mail address, with
 *                the first and last time of each (the rules of flowsources.squid_request, for
 *                piimap.flows).
 *
 * Lines it does not handle exactly go back to the caller untouched, for the Python parsers,
 * which are the reference: tests/test_accesslog_native.py and tests/test_logtally.py check that
 * both give the same fields and counts. This module never guesses.
 *
 * Distinct values, not lines, are what costs: a busy site logs a new client address, a new
 * session cookie and a new order id on every line. So each field keeps at most `exact_values`
 * distinct values with exact counts; every later new value is counted under its *shape*: the
 * value with digit runs, long or mixed letter runs, UUIDs, hex ids and the local part of email
 * addresses replaced by their class and length, IPv4 and IPv6 addresses replaced by their class
 * as the IP classifier sees them (public, private, version-like, not a person's, invalid), and
 * everything else (punctuation, short words, email domains) kept as it is. A shape
 * keeps its exact count and a few values seen under it (a reservoir sample), which stand for it
 * when it is drained: `/api/v1/orders/<uuid>` is one shape, not a million paths. The shape keeps
 * what the validators decide on (see shape_into), so every value under one shape gets the same IP
 * and email verdict as the values standing for it: tests/test_logtally.py checks that on drawn
 * values. The caller drains whenever `must_drain` says a budget is reached (distinct values,
 * their bytes, or shapes), so memory stays flat whatever the input.
 *
 * feed() releases the GIL while it parses (it touches no Python object then); drain() returns
 * one {value: count} per field and empties the tally.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__) || defined(_M_X64) || defined(_M_AMD64) /* every x86-64 processor: sixteen bytes at a time */
#include <emmintrin.h>
#define HAVE_SSE2 1
#endif
#if defined(_MSC_VER)
#include <intrin.h>
/* The index of the lowest set bit of a non-zero word. */
static inline int lowest_set_bit(uint64_t word) {
    unsigned long index;
    _BitScanForward64(&index, word);
    return (int)index;
}
#else
/* The index of the lowest set bit of a non-zero word. */
static inline int lowest_set_bit(uint64_t word) {
    return __builtin_ctzll(word);
}
#endif

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
    uint32_t state; /* parts: VALID or INVALID once parsed; shapes: values held for it */
} Entry;

typedef struct {
    Entry *entries;
    Py_ssize_t used, capacity;
    uint32_t *slots; /* entry index + 1; 0 = empty */
    Py_ssize_t slot_mask;
} Table;

typedef struct {
    Py_ssize_t offset;
    Py_ssize_t length;
} Span;

static inline uint64_t mix(uint64_t value) {
    value ^= value >> 33;
    value *= 0xff51afd7ed558ccdULL;
    value ^= value >> 33;
    value *= 0xc4ceb9fe1a85ec53ULL;
    value ^= value >> 33;
    return value;
}

/* The last `length` (< 8) bytes of a key as a word: the key's last eight bytes when it has them
 * (`whole`: bytes already hashed come again, which is harmless), else read in pieces. */
static inline uint64_t tail_word(const unsigned char *data, Py_ssize_t length, Py_ssize_t whole) {
    uint64_t word = 0;
    if (length == 0) return 0;
    if (whole >= 8) {
        memcpy(&word, data + length - 8, 8);
        return word;
    }
    if (length >= 4) {
        uint32_t low, high;
        memcpy(&low, data, 4);
        memcpy(&high, data + length - 4, 4);
        return ((uint64_t)high << 32) | low;
    }
    word = data[0] | ((uint64_t)data[length >> 1] << 8) | ((uint64_t)data[length - 1] << 16);
    return word;
}

static inline uint64_t hash_bytes(const unsigned char *data, Py_ssize_t length, uint64_t seed) {
    uint64_t hash = seed ^ ((uint64_t)length * 0x9e3779b97f4a7c15ULL);
    Py_ssize_t whole = length;
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, data, 8);
        hash = (hash ^ word) * 0xff51afd7ed558ccdULL;
        hash = (hash << 31) | (hash >> 33);
        data += 8;
        length -= 8;
    }
    return mix(hash ^ tail_word(data, length, whole));
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

/* Copy `length` bytes to the end of `arena`; their offset, or -1 on no memory. */
static Py_ssize_t arena_add(Arena *arena, const unsigned char *bytes, Py_ssize_t length) {
    if (grow((void **)&arena->data, &arena->capacity, arena->used + length + 1, 1) < 0) {
        return -1;
    }
    Py_ssize_t offset = arena->used;
    if (length) memcpy(arena->data + offset, bytes, (size_t)length);
    arena->used += length;
    return offset;
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

/* Whether `length` bytes at `left` and `right` are equal: eight at a time, without a call for
 * the short keys most lookups compare (one compare per hit; memcmp's call costs more). */
static inline int bytes_equal(const unsigned char *left, const unsigned char *right, Py_ssize_t length) {
    if (length > 64) return memcmp(left, right, (size_t)length) == 0;
    uint64_t differ = 0, one, other;
    Py_ssize_t index = 0;
    for (; index + 8 <= length; index += 8) {
        memcpy(&one, left + index, 8);
        memcpy(&other, right + index, 8);
        differ |= one ^ other;
    }
    if (index < length) differ |= tail_word(left + index, length - index, length) ^ tail_word(right + index, length - index, length);
    return differ == 0;
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
            bytes_equal(arena->data + entry->offset, key, length)) {
            return entry;
        }
    }
    return NULL;
}

/* A new entry for `key` (count 0, key copied into `arena`), which must not be in the table; NULL on no memory. */
static Entry *table_add(Table *table, Arena *arena, const unsigned char *key, Py_ssize_t length, uint64_t hash) {
    if (length > (Py_ssize_t)UINT32_MAX || table->used >= (Py_ssize_t)UINT32_MAX - 1) {
        return NULL;
    }
    if (table->slots == NULL && table_rehash(table, 16) < 0) {
        return NULL;
    }
    if ((table->used + 1) * 2 > table->slot_mask + 1 && table_rehash(table, (table->slot_mask + 1) * 2) < 0) {
        return NULL;
    }
    if (grow((void **)&table->entries, &table->capacity, table->used + 1, sizeof(Entry)) < 0) {
        return NULL;
    }
    Py_ssize_t offset = arena_add(arena, key, length);
    if (offset < 0) {
        return NULL;
    }
    Py_ssize_t slot = (Py_ssize_t)(hash & (uint64_t)table->slot_mask);
    while (table->slots[slot]) {
        slot = (slot + 1) & table->slot_mask;
    }
    Entry *entry = &table->entries[table->used];
    entry->hash = hash;
    entry->offset = offset;
    entry->length = (uint32_t)length;
    entry->count = 0;
    entry->state = UNCHECKED;
    table->slots[slot] = (uint32_t)(table->used + 1);
    table->used++;
    return entry;
}

/* The entry holding `key`, created when new (*created = 1); NULL on no memory. */
static Entry *table_find(Table *table, Arena *arena, const unsigned char *key, Py_ssize_t length, uint64_t hash,
                         int *created) {
    Entry *found = table_get(table, arena, key, length, hash);
    *created = found == NULL;
    return found != NULL ? found : table_add(table, arena, key, length, hash);
}

/* ------------------------------------------------------------------------------------------ */
/* shapes: what a value looks like to the validators, without what they do not look at         */

enum {
    B_DIGIT = 1,   /* 0-9 */
    B_LETTER = 2,  /* A-Z a-z */
    B_HEX = 4,     /* 0-9 A-F a-f */
    B_LOCAL = 8,   /* an email local part's run: A-Z a-z 0-9 _ . + % ' - */
    B_DOMAIN = 16, /* an email domain's run: A-Z a-z 0-9 _ . - */
    B_V6 = 32,     /* an IPv6 candidate's run: 0-9 A-F a-f : . */
    B_WORDISH = 64 /* a free-text run an IPv6 finder looks into: A-Z a-z 0-9 _ : . */
};
static unsigned char BYTE_KIND[256];
/* for one scan of an alphanumeric run: what kinds of byte it holds */
enum { R_ALNUM = 1, R_DIGIT = 2, R_UPPER = 4, R_LOWER = 8, R_NON_HEX = 16 };
static unsigned char RUN_KIND[256];
/* digit-blind keys (see blind_key): each byte's stand-in, and the bytes that refuse a key */
static unsigned char BLIND_BYTE[256], BLIND_REFUSED[256];
/* Python's str.isspace() for ASCII, a byte at a time: is_space */
static unsigned char SPACE_BYTE[256];
/* what ends a cookie's name (cookie_pairs): whitespace, '=' and ',' */
static unsigned char NAME_STOP_BYTE[256];

static void init_byte_kinds(void) {
    for (int c = 0; c < 256; c++) {
        unsigned char kind = 0;
        int digit = c >= '0' && c <= '9', letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        int hex = digit || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
        if (digit) kind |= B_DIGIT;
        if (letter) kind |= B_LETTER;
        if (hex) kind |= B_HEX;
        if (digit || letter || c == '_' || c == '.' || c == '-') kind |= B_LOCAL | B_DOMAIN;
        if (c == '+' || c == '%' || c == '\'') kind |= B_LOCAL;
        if (hex || c == ':' || c == '.') kind |= B_V6;
        if (digit || letter || c == '_' || c == ':' || c == '.') kind |= B_WORDISH;
        BYTE_KIND[c] = kind;
        SPACE_BYTE[c] = c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
        NAME_STOP_BYTE[c] = SPACE_BYTE[c] || c == '=' || c == ',';
        BLIND_BYTE[c] = (unsigned char)(c == '0' ? 0xFE : digit ? 0xFF : c);
        BLIND_REFUSED[c] = c == '@' || c >= 0x80;
        RUN_KIND[c] = (unsigned char)((digit || letter ? R_ALNUM : 0) | (digit ? R_DIGIT : 0) |
                                      (c >= 'A' && c <= 'Z' ? R_UPPER : 0) | (c >= 'a' && c <= 'z' ? R_LOWER : 0) |
                                      (letter && !hex ? R_NON_HEX : 0));
    }
}

#define IS_ALNUM(c) (BYTE_KIND[(unsigned char)(c)] & (B_DIGIT | B_LETTER))
#define IS_DIGIT(c) (BYTE_KIND[(unsigned char)(c)] & B_DIGIT)
#define IS_HEX(c) (BYTE_KIND[(unsigned char)(c)] & B_HEX)

/* The IP classifier's classes (classifiers/ip_address.py): its strength of an address. */
enum { IP_INVALID = 'x', IP_NOT_A_PERSON = 'z', IP_VERSION_LIKE = 'v', IP_PRIVATE = 'p', IP_PUBLIC = 'g' };

/* ip_address._dotted_quad_strength as a class; 0 where it is unsure (the IANA special-purpose
 * blocks it leaves to the ipaddress module, whose answers change between Python releases). */
static int ipv4_class(int first, int second, int third, int fourth) {
    switch (first) { /* the first octets of the special-purpose, loopback and private blocks */
        case 0:
            return 0;
        case 10:
            return IP_PRIVATE;
        case 100:
            return second >= 64 && second <= 127 ? IP_PRIVATE : IP_PUBLIC;
        case 127:
            return IP_NOT_A_PERSON;
        case 169:
            return second == 254 ? IP_PRIVATE : IP_PUBLIC;
        case 172:
            return second >= 16 && second <= 31 ? IP_PRIVATE : IP_PUBLIC;
        case 192:
            if ((second == 0 && (third == 0 || third == 2)) || (second == 31 && third == 196) ||
                (second == 52 && third == 193) || (second == 88 && third == 99) || (second == 175 && third == 48)) {
                return 0;
            }
            return second == 168 ? IP_PRIVATE : IP_PUBLIC;
        case 198:
            return (second >= 18 && second <= 19) || (second == 51 && third == 100) ? 0 : IP_PUBLIC;
        case 203:
            return second == 0 && third == 113 ? 0 : IP_PUBLIC;
        default:
            break;
    }
    if (first >= 224) return IP_NOT_A_PERSON;
    if (first < 10 && second < 100 && third < 100 && fourth < 100) return IP_VERSION_LIKE;
    return IP_PUBLIC;
}

/* One decimal octet as ipaddress reads it (1-3 ASCII digits, no leading zero, at most 255); -1 if not. */
static int octet_of(const unsigned char *text, Py_ssize_t length) {
    if (length < 1 || length > 3 || (length > 1 && text[0] == '0')) return -1;
    int value = 0;
    for (Py_ssize_t index = 0; index < length; index++) {
        if (!IS_DIGIT(text[index])) return -1;
        value = value * 10 + (text[index] - '0');
    }
    return value <= 255 ? value : -1;
}

/* ipaddress.IPv4Address(text): its 32 bits, or -1 when it is not one. */
static int64_t ipv4_of(const unsigned char *text, Py_ssize_t length) {
    int64_t address = 0;
    const unsigned char *end = text + length, *part = text;
    for (int index = 0; index < 4; index++) {
        const unsigned char *dot = index < 3 ? memchr(part, '.', (size_t)(end - part)) : end;
        if (dot == NULL || (index == 3 && memchr(part, '.', (size_t)(end - part)) != NULL)) return -1;
        int octet = octet_of(part, dot - part);
        if (octet < 0) return -1;
        address = (address << 8) | octet;
        part = dot + 1;
    }
    return address;
}

static int hextet_of(const unsigned char *text, Py_ssize_t length) {
    if (length < 1 || length > 4) return -1;
    int value = 0;
    for (Py_ssize_t index = 0; index < length; index++) {
        unsigned char c = text[index];
        if (!IS_HEX(c)) return -1;
        value = value * 16 + (IS_DIGIT(c) ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return value;
}

/* The IP classifier's class of `text` read by ipaddress.IPv6Address (the rules of
 * _BaseV6._ip_int_from_string, then ip_address._address_strength); -1 when it is not an IPv6
 * address, 0 when it is an IPv4-mapped one the classifier is unsure of. */
static int ipv6_class(const unsigned char *text, Py_ssize_t length) {
    enum { HEXTETS = 8, MAX_PARTS = 10 };
    const unsigned char *starts[MAX_PARTS], *ends[MAX_PARTS];
    int parts = 0;
    const unsigned char *end = text + length, *part = text;
    for (;;) {
        const unsigned char *colon = memchr(part, ':', (size_t)(end - part));
        if (parts == MAX_PARTS) return -1; /* more than 9 parts, even before an IPv4 suffix's two */
        starts[parts] = part;
        ends[parts] = colon ? colon : end;
        parts++;
        if (colon == NULL) break;
        part = colon + 1;
    }
    if (parts < 3) return -1;
    int values[MAX_PARTS + 1], given = parts; /* hextet values; an IPv4 suffix becomes two */
    int64_t suffix = -1;
    if (memchr(starts[parts - 1], '.', (size_t)(ends[parts - 1] - starts[parts - 1])) != NULL) {
        suffix = ipv4_of(starts[parts - 1], ends[parts - 1] - starts[parts - 1]);
        if (suffix < 0) return -1;
        given = parts + 1;
    }
    if (given > HEXTETS + 1) return -1;
    /* the parts as ipaddress sees them after the suffix became two hextets: `empty[i]` */
    int empty[MAX_PARTS + 1];
    for (int index = 0; index < given; index++) {
        if (suffix >= 0 && index >= parts - 1) {
            empty[index] = 0;
            values[index] = (int)(index == parts - 1 ? (suffix >> 16) & 0xFFFF : suffix & 0xFFFF);
        } else {
            empty[index] = starts[index] == ends[index];
            values[index] = -1; /* parsed below, where ipaddress parses it */
        }
    }
    int skip = -1;
    for (int index = 1; index < given - 1; index++) {
        if (empty[index]) {
            if (skip >= 0) return -1;
            skip = index;
        }
    }
    int high, low, skipped;
    if (skip >= 0) {
        high = skip;
        low = given - skip - 1;
        if (empty[0] && --high) return -1;
        if (empty[given - 1] && --low) return -1;
        skipped = HEXTETS - (high + low);
        if (skipped < 1) return -1;
    } else {
        if (given != HEXTETS || empty[0] || empty[given - 1]) return -1;
        high = given;
        low = 0;
        skipped = 0;
    }
    uint16_t hextets[HEXTETS];
    int filled = 0;
    for (int index = 0; index < high; index++) {
        int value = values[index] >= 0 ? values[index] : hextet_of(starts[index], ends[index] - starts[index]);
        if (value < 0) return -1;
        hextets[filled++] = (uint16_t)value;
    }
    for (int index = 0; index < skipped; index++) hextets[filled++] = 0;
    for (int index = given - low; index < given; index++) {
        int value = values[index] >= 0 ? values[index] : hextet_of(starts[index], ends[index] - starts[index]);
        if (value < 0) return -1;
        hextets[filled++] = (uint16_t)value;
    }
    int zero_head = 1; /* hextets 0..4 all zero */
    for (int index = 0; index < 5; index++) zero_head &= hextets[index] == 0;
    int all_but_last_zero = zero_head && hextets[5] == 0 && hextets[6] == 0;
    if (all_but_last_zero && hextets[7] <= 1) return IP_NOT_A_PERSON; /* :: and ::1 */
    if ((hextets[0] >> 8) == 0xFF) return IP_NOT_A_PERSON;            /* multicast ff00::/8 */
    if (zero_head && hextets[5] == 0xFFFF) {                            /* ::ffff:a.b.c.d */
        return ipv4_class(hextets[6] >> 8, hextets[6] & 0xFF, hextets[7] >> 8, hextets[7] & 0xFF);
    }
    if ((hextets[0] & 0xFFC0) == 0xFE80) return IP_PRIVATE; /* link-local fe80::/10 */
    return IP_PUBLIC;
}

/* Does a free-text run hold what ip_address._V6_HINT matches (where an IPv6 finder may hit)? */
static int has_v6_hint(const unsigned char *run, Py_ssize_t length) {
    for (Py_ssize_t index = 0; index < length; index++) {
        const unsigned char *colon = memchr(run + index, ':', (size_t)(length - index));
        if (colon == NULL) return 0;
        index = colon - run;
        if (index + 1 < length && run[index + 1] == ':' &&
            ((index >= 1 && IS_HEX(run[index - 1])) || (index + 2 < length && IS_HEX(run[index + 2])))) {
            return 1;
        }
        Py_ssize_t cursor = index + 1;
        int groups = 0;
        while (groups < 3) {
            int digits = 0;
            while (digits < 4 && cursor < length && IS_HEX(run[cursor])) digits++, cursor++;
            if (digits == 0 || cursor >= length || run[cursor] != ':') break;
            cursor++;
            groups++;
        }
        if (groups == 3) return 1;
    }
    return 0;
}

/* A shape is written as literal bytes and class marks: 0x01, a class letter, a length (one byte
 * below 255, else 255 and two bytes); a literal 0x01 is written twice. */
#define MARK 1

static inline unsigned char *put_literal(unsigned char *out, const unsigned char *from, Py_ssize_t length) {
    for (Py_ssize_t index = 0; index < length; index++) {
        if (from[index] == MARK) *out++ = MARK;
        *out++ = from[index];
    }
    return out;
}

static inline unsigned char *put_class(unsigned char *out, unsigned char class, Py_ssize_t length) {
    *out++ = MARK;
    *out++ = class;
    if (length < 255) {
        *out++ = (unsigned char)length;
    } else {
        if (length > 0xFFFF) length = 0xFFFF;
        *out++ = 255;
        *out++ = (unsigned char)(length & 0xFF);
        *out++ = (unsigned char)(length >> 8);
    }
    return out;
}

/* An IPv4 ('Q') or IPv6 ('V') address: its IP class, and its length when `length` >= 0 (inside an
 * email's local part, whose length the email finder bounds); elsewhere a value's shape ends with
 * the value's length instead (the IP classifier bounds that, see shape_into). */
static inline unsigned char *put_address(unsigned char *out, unsigned char kind, int class, Py_ssize_t length) {
    *out++ = MARK;
    *out++ = kind;
    *out++ = (unsigned char)class;
    return length >= 0 ? put_class(out, 'n', length) : out;
}

static inline Py_ssize_t alnum_end(const unsigned char *value, Py_ssize_t length, Py_ssize_t from) {
    while (from < length && IS_ALNUM(value[from])) from++;
    return from;
}

/* A run of digits: literal when all zeros (an all-zero id is no one's), else its class. */
static inline unsigned char *put_digits(unsigned char *out, const unsigned char *run, Py_ssize_t length) {
    for (Py_ssize_t index = 0; index < length; index++) {
        if (run[index] != '0') return put_class(out, 'D', length);
    }
    return put_literal(out, run, length);
}

/* What one scan of an alphanumeric run learns: where it ends and which kinds of byte it holds (R_*). */
typedef struct {
    Py_ssize_t end;
    int kinds;
} Run;

static inline Run scan_run(const unsigned char *value, Py_ssize_t length, Py_ssize_t from) {
    int kinds = 0;
    Py_ssize_t end = from;
#ifdef HAVE_SSE2
    /* sixteen bytes at a time: which are digits, upper- and lower-case letters, letters past F/f */
    while (length - end >= 16) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(value + end));
        __m128i folded = _mm_or_si128(bytes, _mm_set1_epi8(0x20)); /* letters in lower case */
        int digits = _mm_movemask_epi8(
            _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(bytes, _mm_set1_epi8('9' + 1))));
        int letters = _mm_movemask_epi8(
            _mm_and_si128(_mm_cmpgt_epi8(folded, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(folded, _mm_set1_epi8('z' + 1))));
        int lower = letters & _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, folded));
        int past_f = letters & _mm_movemask_epi8(_mm_cmpgt_epi8(folded, _mm_set1_epi8('f')));
        int alnum = digits | letters, span = 16;
        if (alnum != 0xFFFF) { /* the run ends in these sixteen: keep what lies before its end */
            span = lowest_set_bit((uint64_t)(~alnum & 0xFFFF));
            int before = (1 << span) - 1;
            digits &= before;
            letters &= before;
            lower &= before;
            past_f &= before;
        }
        kinds |= (digits | letters ? R_ALNUM : 0) | (digits ? R_DIGIT : 0) | (letters & ~lower ? R_UPPER : 0) |
                 (lower ? R_LOWER : 0) | (past_f ? R_NON_HEX : 0);
        end += span;
        if (span < 16) {
            Run run = {end, kinds};
            return run;
        }
    }
#endif
    while (end < length) {
        int kind = RUN_KIND[value[end]];
        if (!kind) break;
        kinds |= kind;
        end++;
    }
    Run run = {end, kinds};
    return run;
}

/* An alphanumeric run outside an email address: digits and long or mixed runs by their class
 * and length, words (letters only, at most 16) as they are, short mixed runs split into both.
 * run_class: the class put_run writes the run as (with its length), 0 where it writes bytes. */
static inline int run_class(const unsigned char *run, Py_ssize_t length, const Run *seen) {
    int letters = seen->kinds & (R_UPPER | R_LOWER);
    if (!letters) { /* digits: all zeros are kept (put_digits) */
        for (Py_ssize_t index = 0; index < length; index++) {
            if (run[index] != '0') return 'D';
        }
        return 0;
    }
    if (!(seen->kinds & R_DIGIT)) return length <= 16 ? 0 : 'L';
    if (length < 8) return 0;
    return (seen->kinds & R_NON_HEX) || letters == (R_UPPER | R_LOWER) ? 'w' : letters == R_UPPER ? 'H' : 'h';
}

static unsigned char *put_run(unsigned char *out, const unsigned char *run, Py_ssize_t length, const Run *seen) {
    int class = run_class(run, length, seen);
    if (class) return put_class(out, class, length);
    if (!(seen->kinds & R_DIGIT) || !(seen->kinds & (R_UPPER | R_LOWER))) return put_literal(out, run, length);
    Py_ssize_t start = 0;
    while (start < length) {
        Py_ssize_t stop = start;
        int digits = IS_DIGIT(run[start]) != 0;
        while (stop < length && (IS_DIGIT(run[stop]) != 0) == digits) stop++;
        out = digits ? put_digits(out, run + start, stop - start) : put_literal(out, run + start, stop - start);
        start = stop;
    }
    return out;
}

/* The end of a dotted quad of digit runs (1-3 digits each) starting at `from`, or -1. */
static Py_ssize_t quad_end(const unsigned char *value, Py_ssize_t length, Py_ssize_t from, int octets[4]) {
    Py_ssize_t cursor = from;
    for (int part = 0; part < 4; part++) {
        Py_ssize_t stop = alnum_end(value, length, cursor);
        if (stop == cursor || stop - cursor > 3) return -1;
        int number = 0;
        for (Py_ssize_t index = cursor; index < stop; index++) {
            if (!IS_DIGIT(value[index])) return -1;
            number = number * 10 + (value[index] - '0');
        }
        octets[part] = (stop - cursor > 1 && value[cursor] == '0') || number > 255 ? -1 : number;
        if (part < 3) {
            if (stop >= length || value[stop] != '.') return -1;
            stop++;
        }
        cursor = stop;
    }
    return cursor;
}

/* A dotted quad starting at `from`, written as 'Q', its IP class and length (as it is where the
 * classifier is unsure): its end, or -1 (nothing written) when there is none. */
static Py_ssize_t put_quad(unsigned char **out, const unsigned char *value, Py_ssize_t length, Py_ssize_t from,
                           int with_length) {
    int octets[4];
    Py_ssize_t stop = quad_end(value, length, from, octets);
    if (stop > 0) {
        int class = octets[0] < 0 || octets[1] < 0 || octets[2] < 0 || octets[3] < 0
                        ? IP_INVALID
                        : ipv4_class(octets[0], octets[1], octets[2], octets[3]);
        *out = class ? put_address(*out, 'Q', class, with_length ? stop - from : -1)
                     : put_literal(*out, value + from, stop - from);
    }
    return stop;
}

/* A UUID (8-4-4-4-12 hex digits, then no letter or digit) starting at `from`: its end, or -1;
 * *zeros says whether all its digits are '0'. */
static Py_ssize_t uuid_end(const unsigned char *value, Py_ssize_t length, Py_ssize_t from, int *zeros) {
    if (length - from < 36 || (length - from > 36 && IS_ALNUM(value[from + 36]))) return -1;
    const unsigned char *at = value + from;
#ifdef HAVE_SSE2
    /* bytes 0-15, 16-31 and 20-35: which are hex digits, dashes and zeros */
    int hex[3], dashes[3], nonzero = 0;
    static const int starts[3] = {0, 16, 20};
    for (int chunk = 0; chunk < 3; chunk++) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(at + starts[chunk]));
        __m128i folded = _mm_or_si128(bytes, _mm_set1_epi8(0x20));
        __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(bytes, _mm_set1_epi8('9' + 1)));
        __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(folded, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(folded, _mm_set1_epi8('f' + 1)));
        hex[chunk] = _mm_movemask_epi8(_mm_or_si128(digit, letter));
        dashes[chunk] = _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('-')));
        nonzero |= hex[chunk] & ~_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('0')));
    }
    /* dashes at 8, 13 (first chunk), 18, 23 (second: 2, 7; third: 3), hex digits everywhere else */
    if (dashes[0] != 0x2100 || hex[0] != 0xDEFF || dashes[1] != 0x0084 || hex[1] != 0xFF7B || hex[2] != 0xFFF7) {
        return -1;
    }
    *zeros = nonzero == 0;
#else
    int nonzero = 0;
    for (int index = 0; index < 36; index++) {
        unsigned char c = at[index];
        if (index == 8 || index == 13 || index == 18 || index == 23) {
            if (c != '-') return -1;
        } else {
            if (!IS_HEX(c)) return -1;
            nonzero |= c != '0';
        }
    }
    *zeros = !nonzero;
#endif
    return from + 36;
}

/* The local part of an email address (before '@'): its digit runs and dotted quads as outside,
 * every run holding a letter as 'W' and its length, punctuation as it is. */
static unsigned char *put_local_part(unsigned char *out, const unsigned char *value, Py_ssize_t start, Py_ssize_t end) {
    Py_ssize_t cursor = start;
    while (cursor < end) {
        unsigned char c = value[cursor];
        if (!IS_ALNUM(c)) {
            out = put_literal(out, value + cursor, 1);
            cursor++;
            continue;
        }
        Py_ssize_t stop = put_quad(&out, value, end, cursor, 1);
        if (stop > 0) {
            cursor = stop;
            continue;
        }
        stop = alnum_end(value, end, cursor);
        int letters = 0;
        for (Py_ssize_t index = cursor; index < stop; index++) letters |= !IS_DIGIT(value[index]);
        out = letters ? put_class(out, 'W', stop - cursor) : put_digits(out, value + cursor, stop - cursor);
        cursor = stop;
    }
    return out;
}

#define MAX_EMAIL_REGIONS 16

/* The IP class of a value that is a dotted quad of digit runs and nothing else (the client address
 * of an access log, an `ip` member): IP_INVALID for a quad ipaddress refuses (an octet past 255, a
 * leading zero), 0 where the classifier is unsure (see ipv4_class), -1 for any other value. */
static inline int whole_quad_class(const unsigned char *value, Py_ssize_t length) {
    if (length < 7 || length > 15) return -1;
    const unsigned char *at = value, *end = value + length;
    int octets[4], invalid = 0;
    for (int part = 0; part < 4; part++) { /* 1-3 digits, then a dot (the last: the end) */
        const unsigned char *start = at;
        int number = 0;
        while (at < end && (unsigned)(*at - '0') < 10) {
            if (at - start == 3) return -1;
            number = number * 10 + (*at++ - '0');
        }
        if (at == start) return -1;
        invalid |= (at - start > 1 && *start == '0') || number > 255;
        octets[part] = number;
        if (part < 3) {
            if (at == end || *at != '.') return -1;
            at++;
        }
    }
    if (at != end) return -1;
    return invalid ? IP_INVALID : ipv4_class(octets[0], octets[1], octets[2], octets[3]);
}

/* The shape of a whole dotted quad of IP class `class` (whole_quad_class, not -1): what shape_into's
 * loop writes for it (put_quad, then the value's length). Its length. */
static Py_ssize_t put_whole_quad(const unsigned char *value, Py_ssize_t length, int class, unsigned char *out) {
    unsigned char *start = out;
    out = class ? put_address(out, 'Q', class, -1) : put_literal(out, value, length);
    out = put_class(out, 'T', length);
    return out - start;
}

/* whole_quad_class and put_whole_quad in one: the shape's length, or 0 (nothing written) when the
 * value is not a whole dotted quad. */
static Py_ssize_t whole_quad_shape(const unsigned char *value, Py_ssize_t length, unsigned char *out) {
    int class = whole_quad_class(value, length);
    return class < 0 ? 0 : put_whole_quad(value, length, class, out);
}


/* The mask of the bytes of `word` equal to `byte` (their high bits; exact, unlike the borrow trick). */
static inline uint64_t bytes_equal_to(uint64_t word, unsigned char byte) {
    const uint64_t lows = 0x7f7f7f7f7f7f7f7fULL;
    uint64_t differ = word ^ (0x0101010101010101ULL * byte);
    return ~(((differ & lows) + lows) | differ) & 0x8080808080808080ULL;
}

/* The first '@' and the first ':' of a value (NULL where there is none); short values in one pass. */
static inline void find_at_and_colon(const unsigned char *value, Py_ssize_t length, const unsigned char **at,
                                     const unsigned char **colon) {
    const unsigned char *cursor = value, *end = value + length;
#ifdef HAVE_SSE2
    if (length >= 16 && length <= 64) { /* sixteen bytes at a time (the last sixteen overlap the ones before) */
        unsigned ats = 0, colons = 0;
        for (Py_ssize_t offset = 0;; offset += 16) {
            if (offset > length - 16) offset = length - 16;
            __m128i bytes = _mm_loadu_si128((const __m128i *)(value + offset));
            unsigned at_bits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('@')));
            unsigned colon_bits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(':')));
            if (!ats && at_bits) ats = 1, *at = value + offset + lowest_set_bit(at_bits);
            if (!colons && colon_bits) colons = 1, *colon = value + offset + lowest_set_bit(colon_bits);
            if (offset == length - 16) break;
        }
        if (!ats) *at = NULL;
        if (!colons) *colon = NULL;
        return;
    }
#endif
    if (length > 24) { /* long values: two memchr calls, vectorised, cost less than their calls */
        *at = memchr(value, '@', (size_t)length);
        *colon = memchr(value, ':', (size_t)length);
        return;
    }
    *at = *colon = NULL;
    for (; end - cursor >= 8; cursor += 8) {
        uint64_t word;
        memcpy(&word, cursor, 8);
        uint64_t ats = *at ? 0 : bytes_equal_to(word, '@'), colons = *colon ? 0 : bytes_equal_to(word, ':');
        if (ats) *at = cursor + (lowest_set_bit(ats) >> 3);
        if (colons) *colon = cursor + (lowest_set_bit(colons) >> 3);
        if (*at && *colon) return;
    }
    for (; cursor < end; cursor++) {
        if (*cursor == '@' && *at == NULL) *at = cursor;
        if (*cursor == ':' && *colon == NULL) *colon = cursor;
    }
}

/* Write the shape of `value` to `out` (room for 4 * length + 16 bytes); its length.
 *
 * `text` (a free-text line) or not (a field's value) changes how IPv6 is treated: in a value, a
 * run of hex digits, colons and dots that ipaddress reads as an IPv6 address becomes its class
 * (the classifier reads whole values); in a line, a run where an IPv6 finder may hit (the
 * prefilter's _V6_HINT) is kept as it is. Everything else is the same:
 *
 *   - email addresses (a run of local-part characters, '@', a run of domain characters with a
 *     dot): the local part by put_local_part, the domain as it is;
 *   - a dotted quad of 1-3 digit runs: 'Q' and its IP class (IPv4 addresses as the classifier
 *     reads them, or invalid), or as it is where the classifier is unsure;
 *   - a UUID: 'U' (all zeros: as it is);
 *   - other alphanumeric runs: put_run;
 *   - every other byte as it is.
 *
 * A value's shape (not a line's) that holds an address ends with the value's length, which the
 * IP classifier bounds (addresses keep no length of their own, so IPs of all lengths share one
 * shape per class where nothing else does).
 *
 * Every validator of the IP and email classifiers decides on what the shape keeps: the kind of
 * each character, the length of each run, the punctuation, words, email domains, and IP classes.
 */
static Py_ssize_t shape_into(const unsigned char *value, Py_ssize_t length, int text, unsigned char *out,
                             int *sensitive) {
    unsigned char *start = out;
    if (!text) {
        Py_ssize_t quad_length = whole_quad_shape(value, length, out);
        if (quad_length > 0) {
            if (sensitive != NULL) *sensitive = 1;
            return quad_length;
        }
    }
    if (length > 0 && IS_ALNUM(value[0])) { /* one alphanumeric run (an id, a token): what the loop writes */
        Run run = scan_run(value, length, 0);
        if (run.end == length) {
            if (sensitive != NULL) *sensitive = 0;
            return put_run(out, value, length, &run) - start;
        }
    }
    Py_ssize_t locals[MAX_EMAIL_REGIONS], ats[MAX_EMAIL_REGIONS], ends[MAX_EMAIL_REGIONS];
    int regions = 0;
    Py_ssize_t floor = 0;
    const unsigned char *at, *colon;
    find_at_and_colon(value, length, &at, &colon);
    while (at != NULL && regions < MAX_EMAIL_REGIONS) {
        Py_ssize_t position = at - value, local = position, domain_end = position + 1;
        int dot = 0;
        while (local > floor && (BYTE_KIND[value[local - 1]] & B_LOCAL)) local--;
        while (domain_end < length && (BYTE_KIND[value[domain_end]] & B_DOMAIN)) dot |= value[domain_end++] == '.';
        Py_ssize_t next = position + 1;
        if (local < position && dot) {
            locals[regions] = local;
            ats[regions] = position;
            ends[regions] = domain_end;
            regions++;
            floor = domain_end;
            next = domain_end;
        }
        at = next < length ? memchr(value + next, '@', (size_t)(length - next)) : NULL;
    }
    int region = 0, addresses = 0, sensitive_parts = regions > 0; /* parts whose shape depends on digit values */
    Py_ssize_t cursor = 0, checked = 0; /* runs before `checked` were looked at for IPv6 */
    if (colon == NULL || (!text && memchr(colon + 1, ':', (size_t)(length - (colon + 1 - value))) == NULL) ||
        (text && !has_v6_hint(colon - (colon > value), length - (colon - value) + (colon > value)))) {
        checked = length; /* no IPv6 address (two colons), no IPv6 hint (a line's hint lies in one run) */
    }
    while (cursor < length) {
        while (region < regions && cursor > locals[region]) region++; /* passed inside a run: not an address */
        if (region < regions && cursor == locals[region]) {
            out = put_local_part(out, value, cursor, ats[region]);
            *out++ = '@';
            out = put_literal(out, value + ats[region] + 1, ends[region] - ats[region] - 1);
            cursor = ends[region++];
            continue;
        }
        unsigned char c = value[cursor];
        if (cursor >= checked && (BYTE_KIND[c] & (text ? B_WORDISH : B_V6))) {
            Py_ssize_t stop = cursor, colons = 0;
            while (stop < length && (BYTE_KIND[value[stop]] & (text ? B_WORDISH : B_V6))) colons += value[stop++] == ':';
            checked = stop;
            sensitive_parts |= text ? colons > 0 : colons >= 2;
            if (text && colons && has_v6_hint(value + cursor, stop - cursor)) {
                out = put_literal(out, value + cursor, stop - cursor);
                cursor = stop;
                continue;
            }
            if (!text && colons >= 2) {
                int class = ipv6_class(value + cursor, stop - cursor);
                if (class >= 0) {
                    out = class ? put_address(out, 'V', class, -1) : put_literal(out, value + cursor, stop - cursor);
                    addresses = 1;
                    cursor = stop;
                    continue;
                }
            }
        }
        if (!IS_ALNUM(c)) { /* punctuation up to the next run, address or run to look at for IPv6 */
            Py_ssize_t stop = cursor + 1, limit = region < regions ? locals[region] : length;
            unsigned char v6 = text ? B_WORDISH : B_V6;
            while (stop < limit && !IS_ALNUM(value[stop]) && (stop < checked || !(BYTE_KIND[value[stop]] & v6))) stop++;
            out = put_literal(out, value + cursor, stop - cursor);
            cursor = stop;
            continue;
        }
        Run run = scan_run(value, length, cursor);
        Py_ssize_t stop = -1;
        if (!(run.kinds & (R_UPPER | R_LOWER)) && run.end - cursor <= 3 && run.end < length && value[run.end] == '.') {
            stop = put_quad(&out, value, length, cursor, 0);
            if (stop > 0) {
                addresses = sensitive_parts = 1;
                cursor = stop;
                continue;
            }
        } else if (run.end - cursor == 8 && !(run.kinds & R_NON_HEX) && run.end < length && value[run.end] == '-') {
            int zeros;
            stop = uuid_end(value, length, cursor, &zeros);
            if (stop > 0) {
                out = zeros ? put_literal(out, value + cursor, stop - cursor) : put_class(out, 'U', 36);
                sensitive_parts = 1;
                cursor = stop;
                continue;
            }
        }
        out = put_run(out, value + cursor, run.end - cursor, &run);
        cursor = run.end;
    }
    if (!text && addresses) {
        out = put_class(out, 'T', length); /* addresses' lengths are hidden: keep the value's */
    }
    if (sensitive != NULL) *sensitive = sensitive_parts;
    return out - start;
}

/* ------------------------------------------------------------------------------------------ */
/* fields: exact values while they are few, then shapes with the values that stand for them     */

enum { FORMAT_ACCESSLOG = 0, FORMAT_JSONL = 1, FORMAT_TEXT = 2, FORMAT_SQUID = 3 };

/* kinds of field */
enum { KIND_FIELD = 0, KIND_QUERY = 1, KIND_COOKIE = 2, KIND_EXTRA = 3, KIND_PATH = 4, KIND_TEXT = 5 };
/* egress (Squid) lines: per destination "host/segment", its requests (value: the method), the
 * values of each query parameter ("host/segment\x1fname") and the URL paths holding an '@' */
enum { KIND_HOST = 6, KIND_HOST_QUERY = 7, KIND_HOST_PATH = 8 };
/* an access log's fixed fields, in the order they are drained */
enum {
    FIELD_CLIENT = 0,
    FIELD_USER,
    FIELD_REQUEST_PATH,
    FIELD_REFERRER,
    FIELD_USER_AGENT,
    FIELD_FORWARDED,
    ACCESSLOG_FIELDS
};
static const char *FIXED_NAMES[ACCESSLOG_FIELDS] = {"client_ip",  "remote_user", "request_path",
                                                    "referrer",   "user_agent",  "forwarded_for"};
/* the request line and the tail of an access-log line, counted whole while they repeat */
enum { PART_REQUEST = 0, PART_TAIL, PARTS };

/* Most distinct fields (query-parameter, cookie, extra-field names, JSON paths) between two
 * drains; a line that would need another one is handed back to the Python parser. */
#define MAX_GROUPS 4096
/* Slots of the cache of recent group_for answers (a power of two). */
#define GROUP_CACHE 64
/* Most quoted fields after the response size that this module parses. */
#define MAX_QUOTED 64
/* JSON: nesting where fmt_json.flatten_into keeps the rest as JSON text (handed back) */
#define MAX_JSON_DEPTH 32
/* JSON: most members of one object whose names are checked for duplicates */
#define MAX_JSON_MEMBERS 1024

/* A whole dotted quad's shape is its IP class and its length (put_whole_quad): a group remembers
 * the shape entry of each, so a client address is counted without writing or hashing a shape. */
enum { QUAD_CLASSES = 5, QUAD_LENGTHS = 9 }; /* classes x z v p g; lengths 7-15 */
/* The same for a value that is one alphanumeric run which put_run writes as a class and its
 * length (a session id, an order number): a few slots, by class and length. */
enum { TOKEN_SLOTS = 16 };

static inline int quad_class_index(int class) {
    switch (class) {
        case IP_INVALID: return 0;
        case IP_NOT_A_PERSON: return 1;
        case IP_VERSION_LIKE: return 2;
        case IP_PRIVATE: return 3;
        default: return 4; /* IP_PUBLIC */
    }
}

typedef struct {
    int kind;
    Py_ssize_t name_offset, name_length; /* the name's bytes in the key arena (query, cookie, path) */
    long position;                       /* fixed fields: FIELD_*; extras: 1 = first after the agent */
    Table exact;                         /* value -> count, at most exact_values entries */
    Table shapes;                        /* shape -> count; Entry.state = values held for it */
    Span *held;                          /* per shape: `reps` values standing for it */
    Py_ssize_t held_capacity;            /* in Spans */
    long long nulls;
    Py_ssize_t probes, hits;             /* lookups of a full exact table, and how many found their value */
    int shapes_only;                     /* full and hardly ever found: new values skip the lookup */
    Py_ssize_t last_exact;               /* the exact entry counted last (index + 1; 0 = none) */
    uint64_t *memo_keys;                 /* digit-blind keys (blind_key) of values whose shape ... */
    uint32_t *memo_entries;              /* ... is this entry of `shapes` */
    Py_ssize_t memo_tries, memo_hits;    /* values shaped, and how many had a remembered shape */
    int memo_off;                        /* hardly any had: no keys until the next drain */
    int timed;                           /* egress groups: the first and last time counted in them */
    double first, last;
    uint32_t quad_shapes[QUAD_CLASSES * QUAD_LENGTHS]; /* whole dotted quads: their shape (entry + 1) by class, length */
    uint32_t token_keys[TOKEN_SLOTS];    /* one-run values shaped as a class: (class, length) ... */
    uint32_t token_shapes[TOKEN_SLOTS];  /* ... and their shape (entry + 1) */
} Group;

typedef struct {
    Py_ssize_t path_offset, path_length, value_offset, value_length; /* value_length -1: a null */
} Leaf;

typedef struct {
    uint64_t hash;
    Span name; /* in the scratch arena */
} Member;

typedef struct {
    Span path; /* in the known-paths arena */
    int group;
} Known;

/* CHECK: parse, make the groups it needs, count nothing; COUNT: count into existing groups;
 * COUNT_NEW: count, making groups (only where there is room for every name the part may hold,
 * so a part is never half counted). */
typedef enum { CHECK, COUNT, COUNT_NEW } Mode;

typedef struct {
    PyObject_HEAD
    int format;
    Table parts[PARTS];
    Py_ssize_t part_probes[PARTS], part_hits[PARTS];
    int parts_bypassed[PARTS];
    Arena keys; /* the parts' bytes and group names */
    Group *groups;
    Py_ssize_t group_count, group_capacity, fixed_groups;
    Table group_index;   /* key: kind byte + name -> group number (in Entry.count) */
    Arena values;        /* exact values and the values standing for shapes */
    Arena shape_keys;    /* the shapes' bytes */
    unsigned char *shape; /* the shape being made */
    Py_ssize_t shape_capacity;
    unsigned char *copy; /* a part being expanded, copied out of the key arena */
    Py_ssize_t copy_capacity;
    unsigned char *decoded; /* a URL-decoded value */
    Py_ssize_t decoded_capacity;
    unsigned char *key_buffer; /* the key of a group lookup */
    uint32_t group_cache[GROUP_CACHE]; /* recent group_for answers (group + 1), checked on use */
    int line_without_percent; /* set while counting an access line plain_quotes found no '%' in */
    Py_ssize_t key_capacity;
    Py_ssize_t *rejected; /* (start, end) offsets of lines handed back by the current feed */
    Py_ssize_t rejected_count, rejected_capacity;
    /* JSON Lines: the line being parsed */
    Arena scratch; /* decoded names, paths and values of the line's leaves */
    Leaf *leaves;
    Py_ssize_t leaf_count, leaf_capacity;
    unsigned char *path;
    Py_ssize_t path_capacity;
    Member *members; /* names of the objects being parsed, for duplicate names */
    Py_ssize_t member_count, member_capacity;
    Known *known; /* the group of each leaf of a recent line, by leaf index */
    Py_ssize_t known_count, known_capacity;
    Arena known_paths;
    /* budgets and counters */
    Py_ssize_t exact_values, part_values, reps;
    long long max_distinct, max_shapes;
    Py_ssize_t max_bytes;
    long long distinct; /* exact values and parts held */
    Py_ssize_t memo_bytes; /* of the groups' digit-blind memos (MEMO_SLOTS keys and entries each) */
    long long shapes;   /* shapes held */
    long long lines;
    uint64_t seed, random;
    int busy;
    /* the last tail split into quoted fields (split_tail_once) */
    const unsigned char *split_tail, *split_quoted[MAX_QUOTED][2];
    Py_ssize_t split_length;
    int split_count;
} Tally;

static inline uint64_t next_random(Tally *self) {
    uint64_t value = self->random;
    value ^= value << 13;
    value ^= value >> 7;
    value ^= value << 17;
    return self->random = value;
}

/* Values of a shape often differ only in their digits (version numbers, timestamps, sizes): the
 * same bytes with digits in the same places. Where a value's shape does not depend on what its
 * digits are (no address, UUID, IPv6 candidate or email in it: shape_into says so), a value
 * with the same bytes, and digits (zeros apart from the others) in the same places, has the same
 * shape. A group remembers, for a few such "digit-blind" keys, the shape they led to: a key may be in
 * either of a pair of slots, so two frequent keys that fall on one pair do not keep evicting each other. */
#define MEMO_SLOTS 2048
/* values shaped before a group whose keys seldom find a shape (under 1 in 16) stops making keys */
#define MEMO_TRIES 4096

/* The digit-blind key of a value ('1'-'9' one byte, '0' another, everything else as it is), or 0
 * when the value cannot be looked up that way (it holds '@' or a byte of 0x80 or more). */
static uint64_t blind_key(const unsigned char *value, Py_ssize_t length, uint64_t seed) {
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL, lows = 0x7f7f7f7f7f7f7f7fULL;
    uint64_t hash = seed ^ ((uint64_t)length * 0x9e3779b97f4a7c15ULL), refused = 0;
    Py_ssize_t index = 0;
#ifdef HAVE_SSE2
    for (; index < length && length >= 16; index += 16) { /* sixteen bytes at a time, the same stand-ins */
        if (index + 16 > length) index = length - 16; /* the last sixteen (bytes seen twice: the same for a length) */
        __m128i bytes = _mm_loadu_si128((const __m128i *)(value + index));
        refused |= (uint64_t)_mm_movemask_epi8(_mm_or_si128(bytes, _mm_cmpeq_epi8(bytes, _mm_set1_epi8('@'))));
        __m128i digits =
            _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(bytes, _mm_set1_epi8('9' + 1)));
        __m128i zeros = _mm_and_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('0')), _mm_set1_epi8(1));
        bytes = _mm_xor_si128(_mm_or_si128(bytes, digits), zeros);
        uint64_t low = (uint64_t)_mm_cvtsi128_si64(bytes), high = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(bytes, bytes));
        hash = (hash ^ low) * 0xff51afd7ed558ccdULL;
        hash = (hash << 31) | (hash >> 33);
        hash = (hash ^ high) * 0xff51afd7ed558ccdULL;
        hash = (hash << 31) | (hash >> 33);
    }
#endif
    for (; index + 8 <= length; index += 8) { /* eight bytes at a time */
        uint64_t word, ats, zeros, digits;
        memcpy(&word, value + index, 8);
        ats = word ^ 0x4040404040404040ULL;
        refused |= (word & highs) | ((ats - ones) & ~ats & highs);
        zeros = word ^ 0x3030303030303030ULL; /* exactly the '0' bytes, one high bit each */
        zeros = ~(((zeros & lows) + lows) | zeros) & highs;
        digits = ((word + 0x5050505050505050ULL) & ~(word + 0x4646464646464646ULL)) & highs; /* '0'-'9' */
        uint64_t fill = (digits >> 7) * 0xFF;
        word = ((word & ~fill) | fill) ^ (zeros >> 7);
        hash = (hash ^ word) * 0xff51afd7ed558ccdULL;
        hash = (hash << 31) | (hash >> 33);
    }
    uint64_t tail = 0;
    for (; index < length; index++) {
        unsigned char c = value[index];
        refused |= BLIND_REFUSED[c];
        tail = (tail << 8) | BLIND_BYTE[c];
    }
    hash = mix(hash ^ tail);
    return refused ? 0 : hash | 1;
}

/* A full exact table (or request-line / tail table) whose lookups find their value less than once
 * in BYPASS_HIT_SHARE, over BYPASS_PROBES lookups, is not looked into again until the next drain:
 * its values are new ones, counted by shape (or parsed) anyway. Counts do not change, only which
 * values stand for them. */
#define BYPASS_PROBES 4096
#define BYPASS_HIT_SHARE 16

/* Count `count` occurrences of `value` under its shape (entry `index` of the group's shapes),
 * keeping it as one of the values standing for the shape when the reservoir draws it. */
static inline int count_in_shape(Tally *self, Group *group, uint32_t index, const unsigned char *value,
                                 Py_ssize_t length, long long count) {
    Entry *entry = &group->shapes.entries[index];
    entry->count += count;
    Span *held = group->held + (Py_ssize_t)index * self->reps;
    Py_ssize_t slot = -1;
    if (entry->state < (uint32_t)self->reps) {
        slot = entry->state++;
    } else {
        /* a draw below count * reps out of the shape's count (multiply-shift: no division) */
        uint64_t total = (uint64_t)entry->count, draw;
        draw = total < (1ULL << 32) ? ((next_random(self) >> 32) * total) >> 32 : next_random(self) % total;
        if (draw < (uint64_t)count * (uint64_t)self->reps) slot = (Py_ssize_t)(draw % (uint64_t)self->reps);
    }
    if (slot >= 0) {
        Py_ssize_t offset = arena_add(&self->values, value, length);
        if (offset < 0) return -2;
        held[slot].offset = offset;
        held[slot].length = length;
    }
    return 0;
}

/* Count `count` occurrences of `value` (length bytes) in `group`: exactly while the group holds
 * fewer than `exact_values` distinct values or this one is among them, else under its shape,
 * keeping up to `reps` of the values seen under it (a reservoir sample). 0, or -2 on no memory. */
static int count_value(Tally *self, Group *group, const unsigned char *value, Py_ssize_t length, long long count,
                       int text) {
    if (self->exact_values > 0 && !group->shapes_only) {
        /* a field often repeats its last value ("-", a constant cookie): compared before hashing */
        Entry *entry = group->last_exact ? &group->exact.entries[group->last_exact - 1] : NULL;
        if (entry != NULL &&
            (entry->length != (uint32_t)length || !bytes_equal(self->values.data + entry->offset, value, length))) {
            entry = NULL;
        }
        uint64_t hash = 0;
        if (entry == NULL) {
            hash = hash_bytes(value, length, self->seed);
            entry = table_get(&group->exact, &self->values, value, length, hash);
        }
        int full = group->exact.used >= self->exact_values;
        if (entry == NULL && !full) {
            entry = table_add(&group->exact, &self->values, value, length, hash);
            if (entry == NULL) return -2;
            self->distinct++;
        }
        if (entry != NULL) group->last_exact = entry - group->exact.entries + 1;
        if (full && ++group->probes >= BYPASS_PROBES) { /* a high-cardinality field: stop looking */
            group->shapes_only = group->hits * BYPASS_HIT_SHARE < group->probes;
            group->probes = group->hits = 0;
        }
        if (entry != NULL) {
            group->hits += full;
            entry->count += count;
            return 0;
        }
    }
    int quad = text ? -1 : whole_quad_class(value, length), quad_slot = 0;
    if (quad > 0) { /* a whole dotted quad the classifier is sure of: its shape is its class and length */
        quad_slot = quad_class_index(quad) * QUAD_LENGTHS + (int)(length - 7);
        if (group->quad_shapes[quad_slot]) {
            return count_in_shape(self, group, group->quad_shapes[quad_slot] - 1, value, length, count);
        }
    }
    uint32_t token_key = 0, token_slot = 0;
    if (quad < 0 && group->memo_off && length > 0 && length < (1 << 24) && IS_ALNUM(value[0])) {
        Run run = scan_run(value, length, 0); /* one run written as a class: its shape is the class and length */
        int class = run.end == length ? run_class(value, length, &run) : 0;
        if (class) {
            token_key = ((uint32_t)class << 24) | (uint32_t)length;
            token_slot = ((uint32_t)class * 0x9E3779B1u + (uint32_t)length) >> 28;
            if (group->token_keys[token_slot] == token_key) {
                return count_in_shape(self, group, group->token_shapes[token_slot] - 1, value, length, count);
            }
        }
    }
    uint64_t blind = group->memo_off ? 0 : blind_key(value, length, self->seed);
    Py_ssize_t slot = (Py_ssize_t)(blind % MEMO_SLOTS) & ~(Py_ssize_t)1; /* two slots a key may be in */
    if (!group->memo_off && ++group->memo_tries >= MEMO_TRIES) { /* keys that seldom serve: stop making them */
        group->memo_off = group->memo_hits * 16 < group->memo_tries;
        group->memo_tries = group->memo_hits = 0;
    }
    if (blind && group->memo_keys != NULL && (group->memo_keys[slot] == blind || group->memo_keys[slot + 1] == blind)) {
        group->memo_hits++;
        slot += group->memo_keys[slot] != blind;
        return count_in_shape(self, group, group->memo_entries[slot], value, length, count);
    }
    if (grow((void **)&self->shape, &self->shape_capacity, 4 * length + 16, 1) < 0) return -2;
    int sensitive;
    Py_ssize_t shape_length = shape_into(value, length, text, self->shape, &sensitive);
    int created;
    Entry *entry = table_find(&group->shapes, &self->shape_keys, self->shape, shape_length,
                              hash_bytes(self->shape, shape_length, self->seed), &created);
    if (entry == NULL) return -2;
    Py_ssize_t index = entry - group->shapes.entries;
    if (created) {
        if (grow((void **)&group->held, &group->held_capacity, (index + 1) * self->reps, sizeof(Span)) < 0) return -2;
        self->shapes++;
    }
    if (quad > 0) group->quad_shapes[quad_slot] = (uint32_t)index + 1;
    if (token_key) {
        group->token_keys[token_slot] = token_key;
        group->token_shapes[token_slot] = (uint32_t)index + 1;
    }
    if (blind && !sensitive) {
        if (group->memo_keys == NULL) {
            group->memo_keys = PyMem_RawCalloc(MEMO_SLOTS, sizeof(uint64_t));
            group->memo_entries = PyMem_RawCalloc(MEMO_SLOTS, sizeof(uint32_t));
            if (group->memo_keys == NULL || group->memo_entries == NULL) return -2;
            self->memo_bytes += MEMO_SLOTS * (sizeof(uint64_t) + sizeof(uint32_t));
        }
        group->memo_keys[slot + 1] = group->memo_keys[slot]; /* the pair keeps the two latest keys */
        group->memo_entries[slot + 1] = group->memo_entries[slot];
        group->memo_keys[slot] = blind;
        group->memo_entries[slot] = (uint32_t)index;
    }
    return count_in_shape(self, group, (uint32_t)index, value, length, count);
}

static int group_lookup(Tally *self, int create, int kind, const unsigned char *name, Py_ssize_t name_length,
                        long position);

/* The group number of a name of `kind` (or an extra's position): created when `create` is set.
 * -1 when there is no such group and no room for it, -2 on no memory. */
static inline int group_for(Tally *self, int create, int kind, const unsigned char *name, Py_ssize_t name_length,
                            long position) {
    /* most lines name the same few parameters and cookies: a slot remembers the last group seen
     * for a (kind, length, first, middle, last byte), used when its name is this one */
    uint32_t cache_slot = (uint32_t)kind * 0x9E3779B1u + (uint32_t)position * 0x85EBCA77u;
    if (name_length > 0) {
        cache_slot += ((uint32_t)name_length << 24) ^ ((uint32_t)name[0] << 16) ^
                      ((uint32_t)name[name_length >> 1] << 8) ^ name[name_length - 1];
    }
    cache_slot = ((cache_slot * 0x9E3779B1u) >> 16) & (GROUP_CACHE - 1);
    uint32_t cached = self->group_cache[cache_slot];
    if (cached != 0 && cached <= (uint32_t)self->group_count) {
        const Group *group = &self->groups[cached - 1];
        if (group->kind == kind &&
            (kind == KIND_EXTRA ? group->position == position
                                : group->name_length == name_length &&
                                      bytes_equal(self->keys.data + group->name_offset, name, name_length))) {
            return (int)cached - 1;
        }
    }
    int found = group_lookup(self, create, kind, name, name_length, position);
    if (found >= 0) self->group_cache[cache_slot] = (uint32_t)found + 1;
    return found;
}

static int group_lookup(Tally *self, int create, int kind, const unsigned char *name, Py_ssize_t name_length,
                        long position) {
    Py_ssize_t key_length = 1 + (kind == KIND_EXTRA ? (Py_ssize_t)sizeof(long) : name_length);
    if (grow((void **)&self->key_buffer, &self->key_capacity, key_length, 1) < 0) {
        return -2;
    }
    unsigned char *key = self->key_buffer;
    key[0] = (unsigned char)kind;
    if (kind == KIND_EXTRA) {
        memcpy(key + 1, &position, sizeof(long));
    } else if (name_length) {
        memcpy(key + 1, name, (size_t)name_length);
    }
    uint64_t hash = hash_bytes(key, key_length, self->seed);
    Entry *entry = table_get(&self->group_index, &self->keys, key, key_length, hash);
    if (entry != NULL) {
        return (int)entry->count;
    }
    if (!create || self->group_count >= MAX_GROUPS + self->fixed_groups) {
        return -1;
    }
    entry = table_add(&self->group_index, &self->keys, key, key_length, hash);
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

/* ------------------------------------------------------------------------------------------ */
/* the access-log line grammar                                                                  */

/* Python's str.isspace() for ASCII (what \s, str.strip() and str.split() use). */
static inline int is_space(unsigned char c) {
    return SPACE_BYTE[c];
}

static inline int hex_value(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* urllib.parse.unquote (plus: unquote_plus) on ASCII input: %XX a byte, a bad escape stays as it is. */
static Py_ssize_t unquote(const unsigned char *text, Py_ssize_t length, unsigned char *out, int plus) {
    Py_ssize_t written = 0;
    for (Py_ssize_t index = 0; index < length; index++) {
        unsigned char c = text[index];
        if (c == '+' && plus) {
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

/* True when every byte is ASCII and none is a backslash (eight bytes at a time). */
static inline int is_plain_unescaped(const unsigned char *start, const unsigned char *end) {
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL, backslashes = 0x5c5c5c5c5c5c5c5cULL;
    uint64_t bad = 0;
    while (end - start >= 8) {
        uint64_t word, other;
        memcpy(&word, start, 8);
        other = word ^ backslashes;          /* a zero byte where there was a backslash */
        bad |= word | ((other - ones) & ~other); /* a high bit: non-ASCII, or a backslash found */
        start += 8;
    }
    while (start < end) {
        unsigned char c = *start++;
        bad |= c | (c == '\\' ? 0x80 : 0);
    }
    return (bad & highs) == 0;
}

static inline const unsigned char *find_byte(const unsigned char *from, const unsigned char *end, unsigned char c) {
#ifdef HAVE_SSE2
    if (end - from >= 16) { /* the first sixteen bytes at once: what is looked for is often near */
        unsigned found = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)from), _mm_set1_epi8((char)c)));
        if (found) return from + lowest_set_bit(found);
        from += 16;
    }
#endif
    if (end - from < 16) { /* a short span: a loop beats the call */
        if (end - from >= 8) { /* eight bytes at once first */
            uint64_t word;
            memcpy(&word, from, 8);
            uint64_t found = bytes_equal_to(word, c);
            if (found) return from + (lowest_set_bit(found) >> 3);
            from += 8;
        }
        for (; from < end; from++) {
            if (*from == c) return from;
        }
        return NULL;
    }
    return memchr(from, c, (size_t)(end - from));
}

/* Count a value of an access-log field (COUNT mode; nothing in CHECK mode). 0, or -2 on no memory. */
static int tally(Tally *self, Mode mode, int group, const unsigned char *value, Py_ssize_t length, long long count) {
    if (mode == CHECK) {
        return 0;
    }
    return count_value(self, &self->groups[group], value, length, count, 0);
}

/* Count a value URL-decoded (unquote: paths, referrers, cookies), as the Python parser decodes it. */
static int tally_decoded(Tally *self, Mode mode, int group, const unsigned char *value, Py_ssize_t length,
                         long long count) {
    if (mode == CHECK) {
        return 0;
    }
    if (self->line_without_percent || find_byte(value, value + length, '%') == NULL) {
        return tally(self, mode, group, value, length, count);
    }
    if (grow((void **)&self->decoded, &self->decoded_capacity, length + 1, 1) < 0) return -2;
    return tally(self, mode, group, self->decoded, unquote(value, length, self->decoded, 0), count);
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


#define MAX_COOKIE_PAIRS 32

/* Whether a value is what _COOKIE_LIKE matches ("name=value" pairs split by ';', an optional
 * trailing ';' and whitespace), and where its pairs lie (name start, '=', value end after strip),
 * in one pass: their number, -1 when it is not cookie-like, -2 when it is but has more pairs than
 * MAX_COOKIE_PAIRS (then found again while counting). */
static int cookie_pairs(const unsigned char *value, Py_ssize_t length, const unsigned char *pairs[][3]) {
    const unsigned char *end = value + length, *segment = value;
    int count = 0;
    for (;;) {
        const unsigned char *semicolon = find_byte(segment, end, ';');
        const unsigned char *segment_end = semicolon ? semicolon : end;
        const unsigned char *cursor = segment;
        while (cursor < segment_end && is_space(*cursor)) cursor++;
        if (cursor == segment_end && segment != value && semicolon == NULL) {
            return count <= MAX_COOKIE_PAIRS ? count : -2; /* only whitespace after the last ';' */
        }
        const unsigned char *name = cursor;
        while (cursor < segment_end && !NAME_STOP_BYTE[*cursor]) cursor++;
        if (cursor == name || cursor == segment_end || *cursor != '=') return -1;
        if (count < MAX_COOKIE_PAIRS) {
            const unsigned char *value_end = segment_end;
            while (value_end > cursor + 1 && is_space(value_end[-1])) value_end--;
            pairs[count][0] = name;
            pairs[count][1] = cursor;
            pairs[count][2] = value_end;
        }
        count++;
        if (semicolon == NULL) return count <= MAX_COOKIE_PAIRS ? count : -2;
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
    const unsigned char *pairs[MAX_COOKIE_PAIRS][3];
    int pair_count = cookie_pairs(value, length, pairs);
    for (int index = 0; index < pair_count; index++) { /* name=value; ...: each cookie, found in one pass */
        int group = group_for(self, mode != COUNT, KIND_COOKIE, pairs[index][0], pairs[index][1] - pairs[index][0], 0);
        if (group < 0) return group;
        const unsigned char *cookie = pairs[index][1] + 1;
        if ((status = tally_decoded(self, mode, group, cookie, pairs[index][2] - cookie, count)) < 0) return status;
    }
    if (pair_count >= 0) return 0;
    if (pair_count == -2) { /* cookie-like, with more pairs than one pass keeps: found one by one */
        const unsigned char *pair = value;
        for (;;) {
            const unsigned char *semicolon = find_byte(pair, end, ';');
            const unsigned char *pair_start = pair, *pair_end = semicolon ? semicolon : end;
            strip(&pair_start, &pair_end);
            const unsigned char *equals = find_byte(pair_start, pair_end, '=');
            const unsigned char *name_end = equals ? equals : pair_end;
            if (name_end > pair_start) {
                int group = group_for(self, mode != COUNT, KIND_COOKIE, pair_start, name_end - pair_start, 0);
                if (group < 0) return group;
                const unsigned char *cookie = equals ? equals + 1 : pair_end;
                if ((status = tally_decoded(self, mode, group, cookie, pair_end - cookie, count)) < 0) return status;
            }
            if (semicolon == NULL) return 0;
            pair = semicolon + 1;
        }
    }
    int group = group_for(self, mode != COUNT, KIND_EXTRA, NULL, 0, position);
    if (group < 0) return group;
    return tally(self, mode, group, value, length, count);
}

/* A request line: its target's path and query pairs, URL-decoded. 0 / -1 not handled / -2 memory. */
static int expand_request(Tally *self, Mode mode, const unsigned char *request, Py_ssize_t length, long long count) {
    const unsigned char *end = request + length, *target = request, *target_end = end;
    int status;
    if (mode == CHECK && !is_plain_unescaped(request, end)) { /* counted only once checked (check_part) */
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
    status = tally_decoded(self, mode, FIELD_REQUEST_PATH, target, (question ? question : target_end) - target, count);
    if (status < 0 || question == NULL) return status;
    const unsigned char *pair = question + 1;
    for (;;) {
        const unsigned char *ampersand = find_byte(pair, target_end, '&');
        const unsigned char *pair_end = ampersand ? ampersand : target_end;
        const unsigned char *equals = find_byte(pair, pair_end, '=');
        const unsigned char *name_end = equals ? equals : pair_end;
        if (name_end > pair) {
            int group = group_for(self, mode != COUNT, KIND_QUERY, pair, name_end - pair, 0);
            if (group < 0) return group;
            if (mode != CHECK) {
                const unsigned char *value = equals ? equals + 1 : pair_end;
                if (self->line_without_percent && find_byte(value, pair_end, '+') == NULL) {
                    status = tally(self, mode, group, value, pair_end - value, count); /* nothing to decode */
                } else {
                    if (grow((void **)&self->decoded, &self->decoded_capacity, length + 1, 1) < 0) return -2;
                    Py_ssize_t decoded_length = unquote(value, pair_end - value, self->decoded, 1);
                    status = tally(self, mode, group, self->decoded, decoded_length, count);
                }
                if (status < 0) return status;
            }
        }
        if (ampersand == NULL) return 0;
        pair = ampersand + 1;
    }
}

/* The quoted fields of a tail: ( ' "' quoted '"' )* then text with no quote, all ASCII without a
 * backslash. Their number, or -1 when the tail is not of that shape. */
static int split_tail(const unsigned char *tail, Py_ssize_t length, const unsigned char *quoted[MAX_QUOTED][2]) {
    const unsigned char *cursor = tail, *end = tail + length;
    int quoted_count = 0;
    if (!is_plain_unescaped(tail, end)) {
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
    return quoted_count;
}

/* split_tail, remembered for the last tail (a line's tail is split to check it, then to count it). */
static int split_tail_once(Tally *self, const unsigned char *tail, Py_ssize_t length) {
    if (tail != self->split_tail || length != self->split_length) {
        self->split_count = split_tail(tail, length, self->split_quoted);
        self->split_tail = tail;
        self->split_length = length;
    }
    return self->split_count;
}

/* Most quotes plain_quotes records: the request's closing one, and two per quoted field of a tail
 * (one more tells that there are too many). */
#define MAX_LINE_QUOTES (2 * MAX_QUOTED + 2)

/* One pass over an access line's request and tail (from after the request's opening quote to the
 * end of the line), which both must be ASCII without a backslash: the quotes in it, in order.
 * Their number, or -1 when a byte is not plain or there are more than MAX_LINE_QUOTES - 1;
 * `*percent` says whether a '%' (a URL escape to decode) is among them. */
static int plain_quotes(const unsigned char *start, const unsigned char *end, const unsigned char **quotes,
                        int *percent) {
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL, lows = 0x7f7f7f7f7f7f7f7fULL;
    const unsigned char *at = start;
    uint64_t bad = 0, percents = 0;
    int found = 0;
#ifdef HAVE_SSE2
    for (; end - at >= 16; at += 16) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)at);
        percents |= (uint64_t)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('%')));
        if (_mm_movemask_epi8(_mm_or_si128(bytes, _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'))))) return -1;
        unsigned quoted = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('"')));
        while (quoted) {
            if (found == MAX_LINE_QUOTES - 1) return -1;
            quotes[found++] = at + lowest_set_bit(quoted);
            quoted &= quoted - 1;
        }
    }
    if (at < end && end - start >= 16) { /* the last bytes: sixteen ending at the end, those before `at` left out */
        const unsigned char *last = end - 16;
        unsigned keep = (0xFFFFu << (16 - (end - at))) & 0xFFFFu;
        __m128i bytes = _mm_loadu_si128((const __m128i *)last);
        percents |= (uint64_t)((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('%'))) & keep);
        if ((unsigned)_mm_movemask_epi8(_mm_or_si128(bytes, _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\')))) & keep) return -1;
        unsigned quoted = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('"'))) & keep;
        while (quoted) {
            if (found == MAX_LINE_QUOTES - 1) return -1;
            quotes[found++] = last + lowest_set_bit(quoted);
            quoted &= quoted - 1;
        }
        at = end;
    }
#endif
    for (; end - at >= 8; at += 8) {
        uint64_t word, slashes, quoted;
        memcpy(&word, at, 8);
        slashes = word ^ 0x5c5c5c5c5c5c5c5cULL;
        bad |= word | ((slashes - ones) & ~slashes); /* a high bit: non-ASCII, or (maybe) a backslash */
        quoted = word ^ 0x2222222222222222ULL;
        quoted = ~(((quoted & lows) + lows) | quoted) & highs; /* exactly the '"' bytes */
        percents |= bytes_equal_to(word, '%');
        while (quoted) {
            if (found == MAX_LINE_QUOTES - 1) return -1;
            quotes[found++] = at + (lowest_set_bit(quoted) >> 3);
            quoted &= quoted - 1;
        }
    }
    if (bad & highs) return -1;
    for (; at < end; at++) {
        unsigned char c = *at;
        if (c >= 0x80 || c == '\\') return -1;
        percents |= c == '%';
        if (c == '"') {
            if (found == MAX_LINE_QUOTES - 1) return -1;
            quotes[found++] = at;
        }
    }
    *percent = percents != 0;
    return found;
}

/* split_tail of a tail whose quotes plain_quotes found (`quotes`, `count`), remembered as
 * split_tail_once remembers it; the same answer, without a second look at its bytes. */
static int split_tail_from_quotes(Tally *self, const unsigned char *tail, const unsigned char *end,
                                  const unsigned char *const *quotes, int count) {
    const unsigned char *cursor = tail;
    int quoted_count = 0, next = 0;
    while (end - cursor >= 2 && cursor[0] == ' ' && cursor[1] == '"') {
        /* the quote at cursor + 1 is quotes[next]: every quote of the tail is listed, in order */
        if (next + 1 >= count || quoted_count == MAX_QUOTED) {
            quoted_count = -1;
            break;
        }
        self->split_quoted[quoted_count][0] = cursor + 2;
        self->split_quoted[quoted_count][1] = quotes[next + 1];
        quoted_count++;
        cursor = quotes[next + 1] + 1;
        next += 2;
    }
    if (quoted_count >= 0 && next < count) quoted_count = -1; /* a quote after the quoted fields */
    self->split_tail = tail;
    self->split_length = end - tail;
    self->split_count = quoted_count;
    return quoted_count;
}

/* What follows the response size (see split_tail): referrer, user agent, extras. 0 / -1 / -2 as above. */
static int expand_tail(Tally *self, Mode mode, const unsigned char *tail, Py_ssize_t length, long long count) {
    int quoted_count = split_tail_once(self, tail, length), status;
    const unsigned char *(*quoted)[2] = self->split_quoted;
    if (quoted_count < 0) return -1;
    int first_extra = 0;
    const unsigned char *referrer = tail, *agent = tail;
    Py_ssize_t referrer_length = 0, agent_length = 0; /* not logged: "", a null, as the Python parser has it */
    if (quoted_count >= 2) {
        referrer = quoted[0][0];
        referrer_length = quoted[0][1] - quoted[0][0];
        agent = quoted[1][0];
        agent_length = quoted[1][1] - quoted[1][0];
        first_extra = 2;
    }
    if (mode != CHECK) {
        if (referrer_length == 0 || (referrer_length == 1 && referrer[0] == '-')) {
            self->groups[FIELD_REFERRER].nulls += count; /* "-" is absent; "%2D" is a value */
        } else if ((status = tally_decoded(self, mode, FIELD_REFERRER, referrer, referrer_length, count)) < 0) {
            return status;
        }
        if ((status = tally(self, mode, FIELD_USER_AGENT, agent, agent_length, count)) < 0) return status;
    }
    for (int index = first_extra; index < quoted_count; index++) {
        status = expand_extra(self, mode, index - first_extra + 1, quoted[index][0], quoted[index][1] - quoted[index][0],
                              count);
        if (status < 0) return status;
    }
    return 0;
}

static Py_ssize_t count_bytes(const unsigned char *from, const unsigned char *end, unsigned char c) {
    Py_ssize_t found = 0;
    while ((from = find_byte(from, end, c)) != NULL) {
        found++;
        from++;
    }
    return found;
}

/* Whether a request line or tail parses without looking at its names (CHECK would say "handled"
 * unless a new name finds no room), and at most how many new names it can bring: counted only
 * when `room` (the groups that may still be made) is less than the part's length, which bounds
 * them (a name takes at least a byte and its separator). */
static int part_outline(Tally *self, int part, const unsigned char *start, const unsigned char *end, Py_ssize_t room,
                        int plain, Py_ssize_t *names) {
    int handled;
    if (part == PART_REQUEST) {
        handled = plain || is_plain_unescaped(start, end);
    } else {
        handled = split_tail_once(self, start, end - start) >= 0;
    }
    if (!handled || end - start + 1 <= room) {
        *names = end - start + 1;
    } else if (part == PART_REQUEST) {
        *names = count_bytes(start, end, '&') + 1;
    } else {
        *names = self->split_count + count_bytes(start, end, ';');
    }
    return handled;
}

typedef int (*Expander)(Tally *, Mode, const unsigned char *, Py_ssize_t, long long);

/* A request line or tail held in its table (counted whole, expanded at the drain), or NULL: not
 * held, or the table is no longer looked into (*hash is then 0). Once a full table hardly ever
 * holds the part looked for, it is no longer looked into. */
static Entry *find_part(Tally *self, int part, const unsigned char *start, const unsigned char *end, uint64_t *hash) {
    Table *table = &self->parts[part];
    *hash = 0;
    if (self->parts_bypassed[part]) return NULL;
    *hash = hash_bytes(start, end - start, self->seed) | 1;
    Entry *entry = table_get(table, &self->keys, start, end - start, *hash);
    int full = table->used >= self->part_values;
    if (full && ++self->part_probes[part] >= BYPASS_PROBES) {
        self->parts_bypassed[part] = self->part_hits[part] * BYPASS_HIT_SHARE < self->part_probes[part];
        self->part_probes[part] = self->part_hits[part] = 0;
    }
    if (entry != NULL) self->part_hits[part] += full;
    return entry;
}

/* Whether a request line or tail find_part did not find (`hash` from it) is one this module
 * handles: 1 yes, 0 no, -1 on no memory. While its table has room, it is parsed once (CHECK)
 * and kept (*cached); past that room it will be expanded right away (*cached NULL). `plain`:
 * its bytes are known to be ASCII without a backslash. */
static int check_new_part(Tally *self, int part, Expander expand, const unsigned char *start,
                          const unsigned char *end, uint64_t hash, int plain, Entry **cached) {
    Table *table = &self->parts[part];
    *cached = NULL;
    if (hash != 0 && table->used < self->part_values) {
        int status = expand(self, CHECK, start, end - start, 0);
        if (status == -2) return -1;
        Entry *entry = table_add(table, &self->keys, start, end - start, hash);
        if (entry == NULL) return -1;
        self->distinct++;
        entry->state = status == 0 ? VALID : INVALID;
        *cached = entry;
        return entry->state == VALID;
    }
    Py_ssize_t names, room = MAX_GROUPS + self->fixed_groups - self->group_count;
    if (!part_outline(self, part, start, end, room, plain, &names)) return 0;
    if (names <= room) return 1; /* COUNT_NEW cannot fail */
    int status = expand(self, CHECK, start, end - start, 0);
    return status == -2 ? -1 : status == 0;
}

/* Count a request line or tail: in its cached entry, or expanded now. 0, or -1 on no memory. */
static inline int count_part(Tally *self, Entry *cached, Expander expand, const unsigned char *start,
                             const unsigned char *end) {
    if (cached != NULL) {
        cached->count++;
        return 0;
    }
    return expand(self, COUNT_NEW, start, end - start, 1) == -2 ? -1 : 0;
}

/* Count a line's request line and tail (count_part); `without_percent` when neither holds a '%',
 * so their values need no look for escapes. 0, or -1 on no memory. */
static int count_parts(Tally *self, Entry *request_entry, const unsigned char *request, const unsigned char *request_end,
                       Entry *tail_entry, const unsigned char *tail, const unsigned char *end, int without_percent) {
    self->line_without_percent = without_percent;
    int status = count_part(self, request_entry, expand_request, request, request_end);
    if (status == 0) status = count_part(self, tail_entry, expand_tail, tail, end);
    self->line_without_percent = 0;
    return status;
}

/* One access-log line (without its newline). 1 = counted, 0 = handed back, -1 = no memory. */
static int parse_access_line(Tally *self, const unsigned char *line, const unsigned char *end) {
    const unsigned char *cursor = line, *words[3][2];
    /* client, ident, user: runs without spaces, each followed by one */
    for (int word = 0; word < 3; word++) {
        const unsigned char *start = cursor;
        for (; end - cursor >= 8; cursor += 8) { /* eight bytes at a time: the words are short */
            uint64_t chunk, spaces;
            memcpy(&chunk, cursor, 8);
            if ((spaces = bytes_equal_to(chunk, ' ')) != 0) {
                cursor += lowest_set_bit(spaces) >> 3;
                break;
            }
        }
        while (cursor < end && *cursor != ' ') cursor++;
        if (cursor == start || cursor == end) return 0;
        words[word][0] = start;
        words[word][1] = cursor++;
    }
    if (cursor >= end || *cursor != '[') return 0;
    cursor = find_byte(cursor, end, ']');
    if (cursor == NULL || end - cursor < 3 || cursor[1] != ' ' || cursor[2] != '"') return 0;
    const unsigned char *request = cursor + 3, *request_end, *quotes[MAX_LINE_QUOTES];
    int quote_count = -1, percent = 1; /* quotes not looked for yet; '%' unknown */
    if (self->parts_bypassed[PART_REQUEST] && self->parts_bypassed[PART_TAIL]) {
        /* high-cardinality lines: no part is held, so both are checked: the quotes at once */
        quote_count = plain_quotes(request, end, quotes, &percent);
        if (quote_count < 1) return 0; /* not plain (neither part would be handled), or no end */
        request_end = quotes[0];
    } else {
        request_end = find_byte(request, end, '"');
        if (request_end == NULL) return 0;
    }
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
    /* request line and tail: repeated ones are held, checked once; new ones are checked here */
    uint64_t request_hash, tail_hash;
    Entry *request_entry = find_part(self, PART_REQUEST, request, request_end, &request_hash);
    if (request_entry != NULL && request_entry->state != VALID) return 0;
    Entry *tail_entry = find_part(self, PART_TAIL, cursor, end, &tail_hash);
    if (tail_entry != NULL && tail_entry->state != VALID) return 0;
    if (request_entry == NULL || tail_entry == NULL) {
        /* one pass over both (each must be plain): the quotes the tail is split at, and any '%' */
        if (quote_count < 0) quote_count = plain_quotes(request, end, quotes, &percent);
        if (quote_count < 1) return 0;
        split_tail_from_quotes(self, cursor, end, quotes + 1, quote_count - 1); /* what split_tail_once gives */
        int status;
        /* a part whose table is no longer looked into (hash 0), with room for every name it may
         * bring, is handled when it is plain (the request, known here) or its tail splits: what
         * check_new_part answers, without its call */
        Py_ssize_t room = MAX_GROUPS + self->fixed_groups - self->group_count;
        if (request_entry == NULL && !(request_hash == 0 && request_end - request + 1 <= room) &&
            (status = check_new_part(self, PART_REQUEST, expand_request, request, request_end, request_hash, 1,
                                     &request_entry)) <= 0) {
            return status;
        }
        if (tail_entry == NULL) {
            if (tail_hash == 0 && end - cursor + 1 <= room) {
                if (self->split_count < 0) return 0;
            } else if ((status = check_new_part(self, PART_TAIL, expand_tail, cursor, end, tail_hash, 1, &tail_entry)) <=
                       0) {
                return status;
            }
        }
    }
    if (count_value(self, &self->groups[FIELD_CLIENT], words[0][0], words[0][1] - words[0][0], 1, 0) < 0 ||
        count_value(self, &self->groups[FIELD_USER], words[2][0], words[2][1] - words[2][0], 1, 0) < 0 ||
        count_parts(self, request_entry, request, request_end, tail_entry, cursor, end, !percent) < 0) {
        return -1;
    }
    self->lines++;
    return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* JSON Lines: strict JSON, ASCII lines, flattened as fmt_json.flatten_into does                */

typedef struct {
    const unsigned char *at, *end;
} Cursor;

static inline void skip_blanks(Cursor *cursor) {
    while (cursor->at < cursor->end && (*cursor->at == ' ' || *cursor->at == '\t')) cursor->at++;
}

static inline int hex4(const unsigned char *text) {
    int value = 0;
    for (int index = 0; index < 4; index++) {
        int digit = hex_value(text[index]);
        if (digit < 0) return -1;
        value = value * 16 + digit;
    }
    return value;
}

/* A JSON string at the cursor (on its opening quote), decoded as UTF-8 into the scratch arena.
 * Its span there, or offset -1 when it is not strict JSON json.loads reads the same way (a raw
 * control character, an unknown escape, a lone surrogate), -2 on no memory. */
static Span json_string(Tally *self, Cursor *cursor) {
    Span span = {-1, 0};
    const unsigned char *at = cursor->at + 1, *end = cursor->end;
    if (grow((void **)&self->scratch.data, &self->scratch.capacity, self->scratch.used + (end - at) + 4, 1) < 0) {
        span.offset = -2;
        return span;
    }
    unsigned char *out = self->scratch.data + self->scratch.used, *start = out;
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    while (at < end) {
        while (end - at >= 8) { /* eight plain bytes at a time: none a quote, a backslash or a control */
            uint64_t word, quotes, slashes;
            memcpy(&word, at, 8);
            quotes = word ^ 0x2222222222222222ULL;
            slashes = word ^ 0x5c5c5c5c5c5c5c5cULL;
            if ((((quotes - ones) & ~quotes) | ((slashes - ones) & ~slashes) | ((word - 0x2020202020202020ULL) & ~word)) &
                highs) {
                break;
            }
            memcpy(out, at, 8);
            out += 8;
            at += 8;
        }
        if (at >= end) break;
        unsigned char c = *at;
        if (c == '"') {
            span.offset = self->scratch.used;
            span.length = out - start;
            self->scratch.used += span.length;
            cursor->at = at + 1;
            return span;
        }
        if (c < 0x20) return span;
        if (c != '\\') {
            *out++ = c;
            at++;
            continue;
        }
        if (end - at < 2) return span;
        unsigned char escaped = at[1];
        at += 2;
        switch (escaped) {
            case '"': *out++ = '"'; continue;
            case '\\': *out++ = '\\'; continue;
            case '/': *out++ = '/'; continue;
            case 'b': *out++ = '\b'; continue;
            case 'f': *out++ = '\f'; continue;
            case 'n': *out++ = '\n'; continue;
            case 'r': *out++ = '\r'; continue;
            case 't': *out++ = '\t'; continue;
            case 'u': break;
            default: return span;
        }
        if (end - at < 4) return span;
        long code = hex4(at);
        if (code < 0) return span;
        at += 4;
        if (code >= 0xDC00 && code <= 0xDFFF) return span; /* a lone low surrogate */
        if (code >= 0xD800 && code <= 0xDBFF) {
            if (end - at < 6 || at[0] != '\\' || at[1] != 'u') return span;
            long low = hex4(at + 2);
            if (low < 0xDC00 || low > 0xDFFF) return span;
            at += 6;
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        }
        if (code < 0x80) {
            *out++ = (unsigned char)code;
        } else if (code < 0x800) {
            *out++ = (unsigned char)(0xC0 | (code >> 6));
            *out++ = (unsigned char)(0x80 | (code & 0x3F));
        } else if (code < 0x10000) {
            *out++ = (unsigned char)(0xE0 | (code >> 12));
            *out++ = (unsigned char)(0x80 | ((code >> 6) & 0x3F));
            *out++ = (unsigned char)(0x80 | (code & 0x3F));
        } else {
            *out++ = (unsigned char)(0xF0 | (code >> 18));
            *out++ = (unsigned char)(0x80 | ((code >> 12) & 0x3F));
            *out++ = (unsigned char)(0x80 | ((code >> 6) & 0x3F));
            *out++ = (unsigned char)(0x80 | (code & 0x3F));
        }
    }
    return span; /* no closing quote */
}

/* Whether name_masking.mask_key could change an object member's name (so the line goes to the
 * Python parser, which masks it): it can only where the name holds '@', two colons, five dashes,
 * four digits, a byte outside ASCII, or is 16 or more hex digits and dashes (an id). */
static int may_be_personal_name(const unsigned char *name, Py_ssize_t length) {
    int colons = 0, dashes = 0, digits = 0, hex_only = 1;
    for (Py_ssize_t index = 0; index < length; index++) {
        unsigned char c = name[index];
        if (c == '@' || c >= 0x80) return 1;
        colons += c == ':';
        dashes += c == '-';
        digits += IS_DIGIT(c) != 0;
        hex_only &= IS_HEX(c) || c == '-';
    }
    return colons >= 2 || dashes >= 5 || digits >= 4 || (hex_only && length >= 16);
}

/* A JSON number at the cursor whose text is what Python prints for the number json.loads makes
 * of it (str(int) or repr(float)): its span in the line, or offset -1 (an exponent, "-0", a
 * float whose repr is another text: trailing zeros, over 15 digits, below 1e-4). */
static Span json_number(Cursor *cursor, const unsigned char *line) {
    Span span = {-1, 0};
    const unsigned char *at = cursor->at, *end = cursor->end, *start = at;
    if (at < end && *at == '-') at++;
    const unsigned char *integer = at;
    if (at < end && *at == '0') {
        at++;
    } else if (at < end && *at >= '1' && *at <= '9') {
        while (at < end && IS_DIGIT(*at)) at++;
    } else {
        return span;
    }
    Py_ssize_t integer_digits = at - integer;
    int zero = integer_digits == 1 && *integer == '0';
    if (at < end && *at == '.') {
        const unsigned char *fraction = ++at;
        while (at < end && IS_DIGIT(*at)) at++;
        Py_ssize_t fraction_digits = at - fraction;
        if (fraction_digits == 0) return span;
        int only_zero = fraction_digits == 1 && fraction[0] == '0';
        if (at[-1] == '0' && !only_zero) return span; /* repr drops trailing zeros */
        Py_ssize_t significant = only_zero ? integer_digits : integer_digits + fraction_digits;
        if (zero && !only_zero) {
            Py_ssize_t leading = 0;
            while (fraction[leading] == '0') leading++;
            if (leading >= 4) return span; /* below 1e-4: repr writes an exponent */
            significant = fraction_digits - leading;
        }
        if (significant > 15) return span;
    } else if (zero && start[0] == '-') {
        return span; /* -0 is the int 0 */
    } else if (integer_digits > 4000) {
        return span; /* past Python's limit on int digits, json.loads fails */
    }
    if (at < end && (*at == 'e' || *at == 'E' || IS_DIGIT(*at))) return span;
    span.offset = start - line;
    span.length = at - start;
    cursor->at = at;
    return span;
}

static int extend_path(Tally *self, Py_ssize_t length, const char *separator, const unsigned char *suffix,
                       Py_ssize_t suffix_length);

static int add_leaf(Tally *self, Py_ssize_t path_length, Py_ssize_t value_offset, Py_ssize_t value_length) {
    if (grow((void **)&self->leaves, &self->leaf_capacity, self->leaf_count + 1, sizeof(Leaf)) < 0) return -2;
    if (path_length == 0) { /* a top-level member named "": flatten_into calls its field "[]" */
        if (extend_path(self, 0, "", (const unsigned char *)"[]", 2) < 0) return -2;
        path_length = 2;
    }
    Py_ssize_t path_offset = arena_add(&self->scratch, self->path, path_length);
    if (path_offset < 0) return -2;
    Leaf *leaf = &self->leaves[self->leaf_count++];
    leaf->path_offset = path_offset;
    leaf->path_length = path_length;
    leaf->value_offset = value_offset;
    leaf->value_length = value_length;
    return 0;
}

/* Set the path to its first `length` bytes and `suffix`; -2 on no memory. */
static int extend_path(Tally *self, Py_ssize_t length, const char *separator, const unsigned char *suffix,
                       Py_ssize_t suffix_length) {
    Py_ssize_t separator_length = (Py_ssize_t)strlen(separator);
    if (grow((void **)&self->path, &self->path_capacity, length + separator_length + suffix_length + 1, 1) < 0) {
        return -2;
    }
    memcpy(self->path + length, separator, (size_t)separator_length);
    if (suffix_length) memcpy(self->path + length + separator_length, suffix, (size_t)suffix_length);
    return 0;
}

/* Values of a JSON line, value by value, in flatten_into's order: 0 ok, -1 not handled, -2 memory.
 * Leaves point into the scratch arena (decoded strings; value_offset >= 0) or into the line
 * (numbers, true and false: value_offset is then -(offset + 2)); nulls have value_length -1. */
static int json_value(Tally *self, Cursor *cursor, const unsigned char *line, Py_ssize_t path_length, int depth) {
    skip_blanks(cursor);
    if (cursor->at >= cursor->end) return -1;
    unsigned char c = *cursor->at;
    int status;
    if (c == '{' || c == '[') {
        if (depth >= MAX_JSON_DEPTH) return -1; /* flatten_into keeps it as JSON text */
        cursor->at++;
        skip_blanks(cursor);
        unsigned char close = c == '{' ? '}' : ']';
        if (cursor->at < cursor->end && *cursor->at == close) {
            cursor->at++;
            return 0;
        }
        Py_ssize_t members = self->member_count; /* this object's names are pushed above them */
        if (c == '[' && extend_path(self, path_length, "", (const unsigned char *)"[]", 2) < 0) return -2;
        for (;;) {
            Py_ssize_t child_length = path_length + 2;
            if (c == '{') {
                skip_blanks(cursor);
                if (cursor->at >= cursor->end || *cursor->at != '"') return -1;
                Span name = json_string(self, cursor);
                if (name.offset < 0) return (int)name.offset;
                const unsigned char *text = self->scratch.data + name.offset;
                uint64_t hash = hash_bytes(text, name.length, self->seed);
                for (Py_ssize_t index = members; index < self->member_count; index++) {
                    Member *other = &self->members[index];
                    if (other->hash == hash && other->name.length == name.length &&
                        memcmp(self->scratch.data + other->name.offset, text, (size_t)name.length) == 0) {
                        return -1; /* a repeated name: json.loads keeps the last value only */
                    }
                }
                if (self->member_count - members >= MAX_JSON_MEMBERS) return -1;
                if (may_be_personal_name(text, name.length)) return -1; /* name_masking.mask_key's business */
                if (grow((void **)&self->members, &self->member_capacity, self->member_count + 1, sizeof(Member)) < 0) {
                    return -2;
                }
                self->members[self->member_count].hash = hash;
                self->members[self->member_count++].name = name;
                skip_blanks(cursor);
                if (cursor->at >= cursor->end || *cursor->at != ':') return -1;
                cursor->at++;
                if (extend_path(self, path_length, path_length ? "." : "", text, name.length) < 0) return -2;
                child_length = path_length + (path_length ? 1 : 0) + name.length;
            } else {
                /* the path stays "<prefix>[]" for every element; restore it (a child may have changed it) */
                if (extend_path(self, path_length, "", (const unsigned char *)"[]", 2) < 0) return -2;
            }
            if ((status = json_value(self, cursor, line, child_length, depth + 1)) < 0) return status;
            skip_blanks(cursor);
            if (cursor->at >= cursor->end) return -1;
            if (*cursor->at == ',') {
                cursor->at++;
                continue;
            }
            if (*cursor->at != close) return -1;
            cursor->at++;
            self->member_count = members;
            return 0;
        }
    }
    if (c == '"') {
        Span text = json_string(self, cursor);
        if (text.offset < 0) return (int)text.offset;
        return add_leaf(self, path_length, text.offset, text.length ? text.length : -1); /* "" counts as a null */
    }
    static const struct {
        const char *word;
        Py_ssize_t length;
    } words[3] = {{"true", 4}, {"false", 5}, {"null", 4}};
    for (int index = 0; index < 3; index++) {
        if (cursor->end - cursor->at >= words[index].length &&
            memcmp(cursor->at, words[index].word, (size_t)words[index].length) == 0) {
            Py_ssize_t offset = cursor->at - line;
            cursor->at += words[index].length;
            if (cursor->at < cursor->end && IS_ALNUM(*cursor->at)) return -1;
            return add_leaf(self, path_length, -(offset + 2), index == 2 ? -1 : words[index].length);
        }
    }
    Span number = json_number(cursor, line);
    if (number.offset < 0) return -1;
    return add_leaf(self, path_length, -(number.offset + 2), number.length);
}

/* Lines of one log mostly hold the same paths in the same order: the group of the previous
 * line's leaf at the same index, when its path is this one (no hashing, no table lookup); else -1. */
static inline int known_path_group(Tally *self, Py_ssize_t index, const unsigned char *path, Py_ssize_t length) {
    if (index >= self->known_count) return -1;
    const Known *known = &self->known[index];
    if (known->path.length != length || memcmp(self->known_paths.data + known->path.offset, path, (size_t)length)) {
        return -1;
    }
    return known->group;
}

static int remember_path_group(Tally *self, Py_ssize_t index, const unsigned char *path, Py_ssize_t length, int group) {
    if (index > self->known_count || index >= 4096) return 0; /* remembered in order, for the first leaves */
    if (self->known_paths.used > (1 << 20)) { /* paths of very varied lines: start again */
        self->known_paths.used = 0;
        self->known_count = 0;
        return 0;
    }
    if (grow((void **)&self->known, &self->known_capacity, index + 1, sizeof(Known)) < 0) return -1;
    Py_ssize_t offset = arena_add(&self->known_paths, path, length);
    if (offset < 0) return -1;
    self->known[index].path.offset = offset;
    self->known[index].path.length = length;
    self->known[index].group = group;
    if (index == self->known_count) self->known_count++;
    return 0;
}

/* One JSON Lines line (without its newline). 1 = counted, 2 = blank (nothing), 0 = handed back, -1 = no memory. */
static int parse_json_line(Tally *self, const unsigned char *line, const unsigned char *end) {
    if (end > line && end[-1] == '\r') end--; /* "\r\n": str.splitlines() ends the line at both */
    Cursor cursor = {line, end};
    skip_blanks(&cursor);
    if (cursor.at == end) return 2;
    if (*cursor.at != '{' || !is_plain_ascii(line, end)) return 0;
    self->scratch.used = 0;
    self->leaf_count = 0;
    self->member_count = 0;
    int status = json_value(self, &cursor, line, 0, 0);
    if (status == -2) return -1;
    if (status < 0) return 0;
    skip_blanks(&cursor);
    if (cursor.at != end) return 0;
    int groups[64], *numbers = groups; /* the group of each leaf: all found (or made) before any is counted */
    int *allocated = NULL;
    if (self->leaf_count > 64) {
        allocated = PyMem_RawMalloc((size_t)self->leaf_count * sizeof(int));
        if (allocated == NULL) return -1;
        numbers = allocated;
    }
    int result = 1;
    for (Py_ssize_t index = 0; index < self->leaf_count && result == 1; index++) {
        Leaf *leaf = &self->leaves[index];
        const unsigned char *path = self->scratch.data + leaf->path_offset;
        int group = known_path_group(self, index, path, leaf->path_length);
        if (group < 0) {
            group = group_for(self, 1, KIND_PATH, path, leaf->path_length, 0);
            if (group >= 0 && remember_path_group(self, index, path, leaf->path_length, group) < 0) group = -2;
        }
        if (group == -2) result = -1;
        else if (group < 0) result = 0; /* past MAX_GROUPS fields: the Python parser's */
        else numbers[index] = group;
    }
    for (Py_ssize_t index = 0; index < self->leaf_count && result == 1; index++) {
        Leaf *leaf = &self->leaves[index];
        Group *group = &self->groups[numbers[index]];
        if (leaf->value_length < 0) {
            group->nulls++;
            continue;
        }
        const unsigned char *value = leaf->value_offset >= 0 ? self->scratch.data + leaf->value_offset
                                                             : line + (-leaf->value_offset - 2);
        if (count_value(self, group, value, leaf->value_length, 1, 0) < 0) result = -1;
    }
    PyMem_RawFree(allocated);
    if (result == 1) self->lines++;
    return result;
}

/* ------------------------------------------------------------------------------------------ */
/* free text                                                                                    */

/* True when a byte is a control character (below 0x20) or not ASCII (found eight bytes at a time). */
static inline int has_control_or_high(const unsigned char *at, const unsigned char *end) {
    int found = 0;
    for (; end - at >= 8; at += 8) {
        uint64_t word;
        memcpy(&word, at, 8);
        found |= ((word - 0x2020202020202020ULL) | word) & 0x8080808080808080ULL ? 1 : 0;
    }
    for (; at < end; at++) found |= *at < 0x20 || *at >= 0x80;
    return found;
}

/* One line of free text (without its newline): 1 counted, 2 empty, 0 handed back, -1 no memory.
 * Lines str.splitlines() would split again (\v, \f, \x1c-\x1e, a \r not at the end) or that hold
 * non-ASCII bytes go back to the Python parser. */
static int parse_text_line(Tally *self, const unsigned char *line, const unsigned char *end) {
    if (end > line && end[-1] == '\r') end--;
    if (end == line) return 2;
    const unsigned char *at;
    if (has_control_or_high(line, end)) {
        if (!is_plain_ascii(line, end)) return 0;
        for (at = line; at < end; at++) {
            unsigned char c = *at;
            if (c == '\r' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1e)) return 0;
        }
    }
    if (count_value(self, &self->groups[0], line, end - line, 1, 1) < 0) return -1;
    self->lines++;
    return 1;
}


/* ------------------------------------------------------------------------------------------ */
/* Squid's native access log, for observed flows (piimap.flows): per destination, what was sent  */

/* A parameter name or value longer than this (decoded), or more parameters than SQUID_MAX_PARAMS
 * on a line, and the line is handed back (the Python reader truncates; this code never does). */
#define SQUID_MAX_VALUE 1024
#define SQUID_MAX_NAME 200
#define SQUID_MAX_PARAMS 64
/* a first path segment longer than this names no catalogue path prefix: the destination is the host */
#define SQUID_MAX_SEGMENT 64
#define KEY_SEPARATOR 0x1f

static inline void group_time(Group *group, double when) {
    if (!group->timed || when < group->first) group->first = when;
    if (!group->timed || when > group->last) group->last = when;
    group->timed = 1;
}

/* URL-decode (plus: '+' a space) into `out`, then strip ASCII whitespace as str.strip() does.
 * -1 when a decoded byte is not ASCII (the Python reader decodes it as UTF-8: handed back). */
static Py_ssize_t squid_decode(const unsigned char *text, Py_ssize_t length, unsigned char *out, int plus,
                               Py_ssize_t *start) {
    Py_ssize_t written = unquote(text, length, out, plus), first = 0;
    for (Py_ssize_t index = 0; index < written; index++) {
        if (out[index] >= 0x80) return -1;
    }
    while (first < written && is_space(out[first])) first++;
    while (written > first && is_space(out[written - 1])) written--;
    *start = first;
    return written - first;
}

static inline int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* True when `needle` (3 bytes) occurs in [from, end). */
static int has_three(const unsigned char *from, const unsigned char *end, const char *needle) {
    for (; end - from >= 3; from++) {
        from = find_byte(from, end - 2, (unsigned char)needle[0]);
        if (from == NULL) return 0;
        if (from[1] == (unsigned char)needle[1] && from[2] == (unsigned char)needle[2]) return 1;
    }
    return 0;
}

/* One line of Squid's native log (what flowsources.squid_request reads). 1 = counted, 2 = blank,
 * 0 = handed back, -1 = no memory. Only plain ASCII lines with an http(s) URL whose host is a
 * plain name, or a CONNECT to host:port, are counted here. */
static int parse_squid_line(Tally *self, const unsigned char *line, const unsigned char *end) {
    if (end > line && end[-1] == '\r') end--;
    if (end == line) return 2;
    if (has_control_or_high(line, end)) { /* tabs separate fields; anything else is for the Python reader */
        for (const unsigned char *scan = line; scan < end; scan++) {
            if ((*scan < 0x20 && *scan != '\t') || *scan >= 0x80) return 0;
        }
    }
    const unsigned char *cursor = line, *digits = line;
    double when = 0;
    while (cursor < end && is_digit(*cursor)) when = when * 10 + (*cursor++ - '0');
    if (cursor - digits < 9 || cursor - digits > 11) return 0;
    if (cursor < end && *cursor == '.') {
        const unsigned char *fraction = ++cursor;
        double scale = 0.1;
        while (cursor < end && is_digit(*cursor)) {
            when += (*cursor++ - '0') * scale;
            scale /= 10;
        }
        if (cursor == fraction) return 0;
    }
    const unsigned char *words[6][2]; /* elapsed, client, action/code, bytes, method, URL */
    for (int word = 0; word < 6; word++) {
        if (cursor >= end || (*cursor != ' ' && *cursor != '\t')) return 0;
        while (cursor < end && (*cursor == ' ' || *cursor == '\t')) cursor++;
        const unsigned char *start = cursor;
        while (cursor < end && *cursor != ' ' && *cursor != '\t') cursor++;
        if (cursor == start) return 0;
        words[word][0] = start;
        words[word][1] = cursor;
    }
    const unsigned char *at = words[0][0];
    if (*at == '-') at++;
    if (at == words[0][1]) return 0;
    for (; at < words[0][1]; at++) {
        if (!is_digit(*at)) return 0;
    }
    const unsigned char *slash = find_byte(words[2][0], words[2][1], '/');
    if (slash == NULL || slash == words[2][0] || words[2][1] - slash != 4) return 0;
    for (at = words[2][0]; at < slash; at++) {
        if (!((*at >= 'A' && *at <= 'Z') || *at == '_')) return 0;
    }
    for (at = slash + 1; at < words[2][1]; at++) {
        if (!is_digit(*at)) return 0;
    }
    for (at = words[3][0]; at < words[3][1]; at++) {
        if (!is_digit(*at)) return 0;
    }
    const unsigned char *method = words[4][0], *method_end = words[4][1];
    if (!(method_end - method == 1 && *method == '-')) {
        for (at = method; at < method_end; at++) {
            if (*at < 'A' || *at > 'Z') return 0;
        }
    }
    const unsigned char *url = words[5][0], *url_end = words[5][1], *host, *host_end, *path, *path_end;
    const unsigned char *query = NULL, *query_end = NULL;
    if (url_end - url > 8 && memcmp(url, "https://", 8) == 0) {
        host = url + 8;
    } else if (url_end - url > 7 && memcmp(url, "http://", 7) == 0) {
        host = url + 7;
    } else if (memchr(url, ':', (size_t)(url_end - url)) != NULL &&
               !has_three(url, url_end, "://") &&
               (method_end - method == 7 && memcmp(method, "CONNECT", 7) == 0)) {
        host = url; /* CONNECT host:port: the destination, nothing else */
        host_end = url_end;
        path = path_end = NULL;
        goto destination;
    } else {
        return 0;
    }
    host_end = host;
    while (host_end < url_end && *host_end != '/' && *host_end != '?' && *host_end != '#') host_end++;
    path = host_end;
    path_end = path;
    while (path_end < url_end && *path_end != '?' && *path_end != '#') path_end++;
    if (path_end < url_end && *path_end == '?') {
        query = path_end + 1;
        query_end = query;
        while (query_end < url_end && *query_end != '#') query_end++;
    }
destination:;
    /* the host: [A-Za-z0-9.-]+ with an optional :port, lower-cased, without trailing dots */
    const unsigned char *port = NULL;
    for (at = host; at < host_end; at++) {
        unsigned char c = *at;
        if (c == ':') {
            if (port != NULL) return 0;
            port = at;
        } else if (port != NULL) {
            if (!is_digit(c)) return 0;
        } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '.' || c == '-')) {
            return 0;
        }
    }
    if (port != NULL) {
        if (port + 1 == host_end) return 0;
        host_end = port;
    }
    while (host_end > host && host_end[-1] == '.') host_end--;
    if (host_end == host) return 0;
    if (path == NULL && memchr(host, '.', (size_t)(host_end - host)) == NULL) return 0; /* as the Python reader */
    /* the destination key: host, '/', the path's first segment (raw) when short enough */
    Py_ssize_t host_length = host_end - host, segment_length = 0;
    const unsigned char *segment = path != NULL && path < path_end ? path + 1 : NULL;
    if (segment != NULL) {
        const unsigned char *segment_end = segment;
        while (segment_end < path_end && *segment_end != '/') segment_end++;
        segment_length = segment_end - segment;
        if (segment_length > SQUID_MAX_SEGMENT) segment_length = 0;
    }
    Py_ssize_t key_length = host_length + 1 + segment_length;
    if (grow((void **)&self->copy, &self->copy_capacity, key_length + 1 + SQUID_MAX_NAME + 1, 1) < 0) return -1;
    unsigned char *key = self->copy;
    for (Py_ssize_t index = 0; index < host_length; index++) {
        unsigned char c = host[index];
        key[index] = (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
    }
    key[host_length] = '/';
    if (segment_length) memcpy(key + host_length + 1, segment, (size_t)segment_length);
    /* check: every group the line needs exists (or is made), every parameter fits; count nothing */
    int groups[SQUID_MAX_PARAMS + 2], group_total = 0;
    /* each parameter's value: in the line itself (raw: nothing to decode or strip) or decoded in scratch */
    struct {
        int in_scratch;
        Py_ssize_t offset, length;
    } values[SQUID_MAX_PARAMS];
    int param_total = 0;
    self->scratch.used = 0;
    int group = group_for(self, 1, KIND_HOST, key, key_length, 0);
    if (group < 0) return group == -2 ? -1 : 0;
    groups[group_total++] = group;
    int path_group = -1;
    if (path != NULL && path_end - path > 1 &&
        (find_byte(path, path_end, '@') != NULL || has_three(path, path_end, "%40"))) {
        if (grow((void **)&self->decoded, &self->decoded_capacity, path_end - path + 1, 1) < 0) return -1;
        Py_ssize_t start;
        if (squid_decode(path, path_end - path, self->decoded, 0, &start) < 0) return 0; /* not ASCII once decoded */
        path_group = group_for(self, 1, KIND_HOST_PATH, key, key_length, 0);
        if (path_group < 0) return path_group == -2 ? -1 : 0;
    }
    /* decoded names at 0 (at most 3 * SQUID_MAX_NAME bytes), values at SQUID_MAX_VALUE (at most 3 * SQUID_MAX_VALUE) */
    if (grow((void **)&self->decoded, &self->decoded_capacity, 4 * SQUID_MAX_VALUE + 64, 1) < 0) return -1;
    for (const unsigned char *item = query; item != NULL && item < query_end;) {
        /* one pass: the item's end, its first '=', and whether its name or value holds '%' or '+' */
        const unsigned char *item_end = item, *equals = NULL;
        int name_escaped = 0, value_escaped = 0;
        for (; item_end < query_end && *item_end != '&'; item_end++) {
            unsigned char c = *item_end;
            if (c == '=') {
                if (equals == NULL) equals = item_end;
            } else if (c == '%' || c == '+') {
                if (equals == NULL) {
                    name_escaped = 1;
                } else {
                    value_escaped = 1;
                }
            }
        }
        if (equals != NULL && equals + 1 < item_end && equals > item) {
            if (param_total >= SQUID_MAX_PARAMS || equals - item > SQUID_MAX_NAME * 3 ||
                item_end - equals - 1 > SQUID_MAX_VALUE * 3) {
                return 0;
            }
            const unsigned char *name = item, *raw = equals + 1;
            Py_ssize_t name_length = equals - item, raw_length = item_end - raw, start = 0, value_length;
            if (name_escaped) {
                name_length = unquote(item, equals - item, self->decoded, 1);
                for (Py_ssize_t index = 0; index < name_length; index++) {
                    if (self->decoded[index] >= 0x80 || self->decoded[index] < 0x20) return 0;
                }
                name = self->decoded;
            }
            if (name_length > SQUID_MAX_NAME) return 0;
            int in_scratch = value_escaped || is_space(raw[0]) || is_space(item_end[-1]);
            if (in_scratch) {
                value_length = squid_decode(raw, raw_length, self->decoded + SQUID_MAX_VALUE, 1, &start);
                if (value_length < 0 || value_length > SQUID_MAX_VALUE) return 0;
            } else {
                value_length = raw_length;
                if (value_length > SQUID_MAX_VALUE) return 0;
            }
            if (value_length > 0 && name_length > 0) {
                key[key_length] = KEY_SEPARATOR;
                memcpy(key + key_length + 1, name, (size_t)name_length);
                int param_group = group_for(self, 1, KIND_HOST_QUERY, key, key_length + 1 + name_length, 0);
                if (param_group < 0) return param_group == -2 ? -1 : 0;
                groups[group_total++] = param_group;
                values[param_total].in_scratch = in_scratch;
                if (in_scratch) {
                    Py_ssize_t offset = arena_add(&self->scratch, self->decoded + SQUID_MAX_VALUE + start, value_length);
                    if (offset < 0) return -1;
                    values[param_total].offset = offset;
                } else {
                    values[param_total].offset = raw - line;
                }
                values[param_total].length = value_length;
                param_total++;
            }
        }
        item = item_end + 1;
    }
    /* count */
    Group *host_group = &self->groups[groups[0]];
    if (count_value(self, host_group, method, method_end - method, 1, 0) < 0) return -1;
    group_time(host_group, when);
    if (path_group >= 0) {
        if (grow((void **)&self->decoded, &self->decoded_capacity, path_end - path + 1, 1) < 0) return -1;
        Py_ssize_t start, length = squid_decode(path, path_end - path, self->decoded, 0, &start);
        if (length > 0) {
            if (count_value(self, &self->groups[path_group], self->decoded + start, length, 1, 1) < 0) return -1;
            group_time(&self->groups[path_group], when);
        }
    }
    for (int param = 0; param < param_total; param++) {
        const unsigned char *value =
            values[param].in_scratch ? self->scratch.data + values[param].offset : line + values[param].offset;
        Group *param_group = &self->groups[groups[param + 1]];
        if (count_value(self, param_group, value, values[param].length, 1, 0) < 0) return -1;
        group_time(param_group, when);
    }
    self->lines++;
    return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* the Python type                                                                              */

static void init_fixed_groups(Tally *self) {
    self->group_count = self->fixed_groups;
    memset(self->groups, 0, (size_t)self->fixed_groups * sizeof(Group));
    for (Py_ssize_t field = 0; field < self->fixed_groups; field++) {
        self->groups[field].kind = self->format == FORMAT_TEXT ? KIND_TEXT : KIND_FIELD;
        self->groups[field].position = (long)field;
    }
}

static void clear_counts(Tally *self) {
    for (int part = 0; part < PARTS; part++) {
        table_free(&self->parts[part]);
        self->part_probes[part] = self->part_hits[part] = self->parts_bypassed[part] = 0;
    }
    for (Py_ssize_t index = 0; index < self->group_count; index++) {
        table_free(&self->groups[index].exact);
        table_free(&self->groups[index].shapes);
        PyMem_RawFree(self->groups[index].held);
        PyMem_RawFree(self->groups[index].memo_keys);
        PyMem_RawFree(self->groups[index].memo_entries);
    }
    table_free(&self->group_index);
    memset(self->group_cache, 0, sizeof(self->group_cache));
    self->known_count = 0; /* groups are made again after a drain */
    self->known_paths.used = 0;
    self->keys.used = 0;
    self->values.used = 0;
    self->shape_keys.used = 0;
    self->distinct = 0;
    self->shapes = 0;
    self->memo_bytes = 0;
    init_fixed_groups(self);
}

static PyObject *Tally_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"format",       "seed",      "exact_values", "part_values", "reps",
                               "max_distinct", "max_bytes", "max_shapes",   NULL};
    const char *format = "accesslog";
    unsigned long long seed = 0x5eed5eedULL;
    Py_ssize_t exact_values = 1024, part_values = 8192, reps = 4, max_bytes = 32 << 20;
    long long max_distinct = 120000, max_shapes = 20000;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|sKnnnLnL", keywords, &format, &seed, &exact_values,
                                     &part_values, &reps, &max_distinct, &max_bytes, &max_shapes)) {
        return NULL;
    }
    int format_number = strcmp(format, "accesslog") == 0 ? FORMAT_ACCESSLOG
                        : strcmp(format, "jsonl") == 0   ? FORMAT_JSONL
                        : strcmp(format, "text") == 0    ? FORMAT_TEXT
                        : strcmp(format, "squid") == 0   ? FORMAT_SQUID
                                                         : -1;
    if (format_number < 0) {
        PyErr_Format(PyExc_ValueError, "unknown format '%s' (accesslog, jsonl, text or squid)", format);
        return NULL;
    }
    if (exact_values < 0 || part_values < 0 || reps < 1 || reps > 64) {
        PyErr_SetString(PyExc_ValueError, "exact_values and part_values must be >= 0, reps between 1 and 64");
        return NULL;
    }
    Tally *self = (Tally *)type->tp_alloc(type, 0);
    if (self == NULL) return NULL;
    self->format = format_number;
    self->fixed_groups = format_number == FORMAT_ACCESSLOG ? ACCESSLOG_FIELDS : format_number == FORMAT_TEXT ? 1 : 0;
    self->seed = mix(seed + 0x9e3779b97f4a7c15ULL);
    self->random = 0x2545f4914f6cdd1dULL; /* fixed: the same input keeps the same values for its shapes */
    self->exact_values = exact_values;
    self->part_values = part_values;
    self->reps = reps;
    self->max_distinct = max_distinct;
    self->max_bytes = max_bytes;
    self->max_shapes = max_shapes;
    if (grow((void **)&self->groups, &self->group_capacity, self->fixed_groups + 1, sizeof(Group)) < 0) {
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
    PyMem_RawFree(self->shape_keys.data);
    PyMem_RawFree(self->shape);
    PyMem_RawFree(self->copy);
    PyMem_RawFree(self->decoded);
    PyMem_RawFree(self->key_buffer);
    PyMem_RawFree(self->rejected);
    PyMem_RawFree(self->scratch.data);
    PyMem_RawFree(self->leaves);
    PyMem_RawFree(self->path);
    PyMem_RawFree(self->members);
    PyMem_RawFree(self->known);
    PyMem_RawFree(self->known_paths.data);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int claim(Tally *self) {
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "LogTally is in use by another thread");
        return -1;
    }
    self->busy = 1;
    return 0;
}

PyDoc_STRVAR(feed_doc,
"feed(block) -> bytes\n\n"
"Count every line of ``block`` (a bytes-like object of complete lines) this tally's format\n"
"handles; return the other lines, each ending with a newline, for the Python parser.");

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
    self->split_tail = NULL;
    int (*parse)(Tally *, const unsigned char *, const unsigned char *) =
        self->format == FORMAT_ACCESSLOG ? parse_access_line
        : self->format == FORMAT_JSONL   ? parse_json_line
        : self->format == FORMAT_SQUID   ? parse_squid_line
                                         : parse_text_line;
    Py_BEGIN_ALLOW_THREADS
    while (line < end) {
        const unsigned char *newline = memchr(line, '\n', (size_t)(end - line));
        const unsigned char *line_end = newline ? newline : end;
        int status = parse(self, line, line_end);
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

/* Add `count` to counts[value] (value: bytes decoded as UTF-8 with U+FFFD for bad bytes). */
static int add_count(PyObject *counts, const unsigned char *bytes, Py_ssize_t length, long long count) {
    PyObject *value = PyUnicode_DecodeUTF8((const char *)bytes, length, "replace");
    if (value == NULL) return -1;
    PyObject *before = PyDict_GetItemWithError(counts, value);
    PyObject *total = NULL;
    if (before != NULL) {
        PyObject *added = PyLong_FromLongLong(count);
        total = added ? PyNumber_Add(before, added) : NULL;
        Py_XDECREF(added);
    } else if (!PyErr_Occurred()) {
        total = PyLong_FromLongLong(count);
    }
    int status = total == NULL ? -1 : PyDict_SetItem(counts, value, total);
    Py_DECREF(value);
    Py_XDECREF(total);
    return status;
}

/* {value: count} of a group: its exact values, and for each shape the values held for it, which
 * share the shape's count (the first ones one more each when it does not divide evenly). */
static PyObject *counts_of(const Tally *self, const Group *group) {
    PyObject *counts = PyDict_New();
    for (Py_ssize_t index = 0; counts != NULL && index < group->exact.used; index++) {
        const Entry *entry = &group->exact.entries[index];
        if (entry->count && add_count(counts, self->values.data + entry->offset, entry->length, entry->count) < 0) {
            Py_CLEAR(counts);
        }
    }
    for (Py_ssize_t index = 0; counts != NULL && index < group->shapes.used; index++) {
        const Entry *entry = &group->shapes.entries[index];
        const Span *held = group->held + index * self->reps;
        long long share = entry->count / entry->state, extra = entry->count % entry->state;
        for (uint32_t slot = 0; counts != NULL && slot < entry->state; slot++) {
            long long count = share + ((long long)slot < extra);
            if (count && add_count(counts, self->values.data + held[slot].offset, held[slot].length, count) < 0) {
                Py_CLEAR(counts);
            }
        }
    }
    return counts;
}

/* Expand every counted request line and tail into the groups (COUNT mode). -1 on no memory. */
static int expand_parts(Tally *self) {
    static const Expander expanders[PARTS] = {expand_request, expand_tail};
    for (int part = 0; part < PARTS; part++) {
        Table *table = &self->parts[part];
        for (Py_ssize_t index = 0; index < table->used; index++) {
            Entry *entry = &table->entries[index];
            if (entry->count == 0 || entry->state != VALID) continue;
            /* groups are looked up, never created, in COUNT mode; the copy keeps the bytes still anyway */
            if (grow((void **)&self->copy, &self->copy_capacity, (Py_ssize_t)entry->length + 1, 1) < 0) return -1;
            memcpy(self->copy, self->keys.data + entry->offset, entry->length);
            self->split_tail = NULL; /* the copy's bytes change under the same address */
            if (expanders[part](self, COUNT, self->copy, entry->length, entry->count) == -2) return -1;
        }
    }
    return 0;
}

PyDoc_STRVAR(drain_doc,
"drain() -> list[tuple[str, str | int | None, dict[str, int], int]]\n\n"
"Everything counted since the last drain, as (kind, name, {value: count}, nulls), and an empty\n"
"tally. Access logs: kind 'field' (name: client_ip, remote_user, request_path, referrer,\n"
"user_agent, forwarded_for), 'query' or 'cookie' (name: the raw parameter or cookie name) or\n"
"'extra' (name: the position of the quoted field after the user agent, from 1); query values are\n"
"URL-decoded with '+' a space, paths, referrers and cookie values URL-decoded; '-' and '' are\n"
"values (a referrer's are nulls). JSON Lines: kind 'path' (name: the dotted path). Text: kind\n"
"'text' (name: None). Squid (egress): kind 'host' (name: 'host/first-path-segment', values: the\n"
"methods), 'host_query' (name: 'host/segment\\x1fparameter', values URL-decoded with '+' a space,\n"
"stripped) and 'host_path' (URL paths holding an '@', decoded), each row with two more items: the\n"
"first and last time (Unix seconds) counted. Values past a field's exact ones stand for their\n"
"shape (see the module).");

static PyObject *Tally_drain(Tally *self, PyObject *Py_UNUSED(ignored)) {
    if (claim(self) < 0) return NULL;
    PyObject *rows = PyList_New(0);
    if (rows != NULL && expand_parts(self) < 0) {
        Py_CLEAR(rows);
        PyErr_NoMemory();
    }
    for (Py_ssize_t number = 0; rows != NULL && number < self->group_count; number++) {
        Group *group = &self->groups[number];
        if (group->exact.used == 0 && group->shapes.used == 0 && group->nulls == 0) continue;
        PyObject *counts = counts_of(self, group), *name = NULL;
        const char *kind = "field";
        if (group->kind == KIND_FIELD) {
            name = PyUnicode_FromString(FIXED_NAMES[group->position]);
        } else if (group->kind == KIND_TEXT) {
            kind = "text";
            name = Py_NewRef(Py_None);
        } else if (group->kind == KIND_EXTRA) {
            kind = "extra";
            name = PyLong_FromLong(group->position);
        } else if (group->kind >= KIND_HOST) {
            kind = group->kind == KIND_HOST ? "host" : group->kind == KIND_HOST_QUERY ? "host_query" : "host_path";
            name = PyUnicode_DecodeUTF8((const char *)self->keys.data + group->name_offset, group->name_length,
                                        "replace");
        } else {
            kind = group->kind == KIND_QUERY ? "query" : group->kind == KIND_COOKIE ? "cookie" : "path";
            name = PyUnicode_DecodeUTF8((const char *)self->keys.data + group->name_offset, group->name_length,
                                        "replace");
        }
        PyObject *row = NULL;
        if (counts && name) { /* egress groups also give their first and last time */
            row = group->kind >= KIND_HOST ? Py_BuildValue("(sNNLdd)", kind, name, counts, group->nulls,
                                                           group->first, group->last)
                                           : Py_BuildValue("(sNNL)", kind, name, counts, group->nulls);
        }
        if (row == NULL) {
            if (counts == NULL || name == NULL) {
                Py_XDECREF(counts);
                Py_XDECREF(name);
            }
            Py_CLEAR(rows);
        } else {
            if (PyList_Append(rows, row) < 0) Py_CLEAR(rows);
            Py_DECREF(row);
        }
    }
    clear_counts(self);
    self->busy = 0;
    return rows;
}

static PyObject *Tally_get_distinct(Tally *self, void *Py_UNUSED(closure)) {
    return PyLong_FromLongLong(self->distinct);
}

static PyObject *Tally_get_shapes(Tally *self, void *Py_UNUSED(closure)) {
    return PyLong_FromLongLong(self->shapes);
}

static PyObject *Tally_get_bytes(Tally *self, void *Py_UNUSED(closure)) {
    return PyLong_FromSsize_t(self->keys.used + self->values.used + self->shape_keys.used + self->memo_bytes);
}

static PyObject *Tally_get_lines(Tally *self, void *Py_UNUSED(closure)) {
    return PyLong_FromLongLong(self->lines);
}

static PyObject *Tally_get_must_drain(Tally *self, void *Py_UNUSED(closure)) {
    return PyBool_FromLong(self->distinct >= self->max_distinct || self->shapes >= self->max_shapes ||
                           self->keys.used + self->values.used + self->shape_keys.used + self->memo_bytes >=
                               self->max_bytes ||
                           (self->format == FORMAT_SQUID && self->group_count >= MAX_GROUPS * 3 / 4));
}

static PyMethodDef Tally_methods[] = {
    {"feed", (PyCFunction)Tally_feed, METH_O, feed_doc},
    {"drain", (PyCFunction)Tally_drain, METH_NOARGS, drain_doc},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Tally_getset[] = {
    {"distinct", (getter)Tally_get_distinct, NULL, "Exact values (and whole request lines and tails) held.", NULL},
    {"shapes", (getter)Tally_get_shapes, NULL, "Shapes held (values counted past a field's exact ones).", NULL},
    {"held_bytes", (getter)Tally_get_bytes, NULL, "Bytes of the values, shapes, names and digit-blind memos held.", NULL},
    {"lines", (getter)Tally_get_lines, NULL, "Lines counted (not handed back) since the tally was made.", NULL},
    {"must_drain", (getter)Tally_get_must_drain, NULL, "True once a budget (values, shapes, bytes) is reached.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyDoc_STRVAR(Tally_doc,
"LogTally(format='accesslog', *, seed=..., exact_values=1024, part_values=8192, reps=4,\n"
"         max_distinct=120000, max_bytes=32 MiB, max_shapes=20000)\n\n"
"Counts the fields of access-log, JSON Lines or free-text lines in C; see the module docstring.\n"
"exact_values: distinct values counted exactly per field before values are counted by shape;\n"
"part_values: distinct request lines and tails counted whole; reps: values kept per shape;\n"
"max_*: the budgets past which must_drain is true.");

static PyTypeObject TallyType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "piimap.connectors._accesslog.LogTally",
    .tp_basicsize = sizeof(Tally),
    .tp_dealloc = (destructor)Tally_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = Tally_doc,
    .tp_methods = Tally_methods,
    .tp_getset = Tally_getset,
    .tp_new = Tally_new,
};

PyDoc_STRVAR(shape_doc,
"shape(value: bytes, text: bool = False) -> tuple[bytes, bool]\n\n"
"The shape a LogTally counts a value under once its field has its exact values, and whether it\n"
"depends on what the value's digits are (else any value with digits 1-9 and 0 in the same places\n"
"has the same shape, which the tally remembers). For tests.");

static PyObject *module_shape(PyObject *module, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"value", "text", NULL};
    Py_buffer view;
    int text = 0, sensitive = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "y*|p", keywords, &view, &text)) return NULL;
    unsigned char *out = PyMem_RawMalloc((size_t)(4 * view.len + 16));
    PyObject *result = NULL;
    if (out == NULL) {
        PyErr_NoMemory();
    } else {
        Py_ssize_t length = shape_into(view.buf, view.len, text, out, &sensitive);
        result = Py_BuildValue("(y#O)", (const char *)out, length, sensitive ? Py_True : Py_False);
        PyMem_RawFree(out);
    }
    PyBuffer_Release(&view);
    return result;
}

static PyMethodDef module_methods[] = {
    {"shape", (PyCFunction)(void (*)(void))module_shape, METH_VARARGS | METH_KEYWORDS, shape_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "piimap.connectors._accesslog",
    .m_doc = "The log parsers' inner loops in C (optional; the Python parsers are the reference).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__accesslog(void) {
    init_byte_kinds();
    if (PyType_Ready(&TallyType) < 0) return NULL;
    PyObject *created = PyModule_Create(&module);
    if (created == NULL) return NULL;
    Py_INCREF(&TallyType);
    if (PyModule_AddObject(created, "LogTally", (PyObject *)&TallyType) < 0) {
        Py_DECREF(&TallyType);
        Py_DECREF(created);
        return NULL;
    }
    return created;
}
