/*
 * slopsift._speedups: C versions of the per-word loops that remain in the signal families, and of the
 * hedging lists' phrase scan.
 *
 * Optional. setup.py builds it when a C compiler is there; without it (or with the environment variable
 * SLOPSIFT_PURE_PYTHON=1) the families run their Python versions, which define the results. Each
 * function here returns exactly what its Python twin returns, float for float: the same IEEE operations
 * in the same order (built with -ffp-contract=off, so no fused multiply-add), and integer arithmetic
 * that cannot overflow for the inputs the callers pass (checked; out-of-range input raises).
 * tests/test_speedups.py compares the two on generated input.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
 * MTLD: one pass over ids already read into C (twin of slopsift.signals.repetition._mtld_pass), for
 * mtld_mean further down. seg_of[id] is the factor in which the id was last seen; new_/rep count the
 * factor's types and repeated tokens scaled by the weights of the threshold test.
 */

static double
mtld_run(const Py_ssize_t *ws, Py_ssize_t n, Py_ssize_t *seg_of, Py_ssize_t size, long long new_w, long long rep_w,
         double threshold, int reverse)
{
    for (Py_ssize_t i = 0; i < size; i++)
        seg_of[i] = -1;
    double factors = 0.0;
    Py_ssize_t seg = 0;
    long long new_ = 0, rep = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_ssize_t w = ws[reverse ? n - 1 - k : k];
        if (seg_of[w] != seg) {
            seg_of[w] = seg;
            new_ += new_w;
        }
        else {
            rep += rep_w;
            if (new_ <= rep) { /* types / tokens <= threshold */
                factors += 1.0;
                seg += 1;
                new_ = rep = 0;
            }
        }
    }
    if (new_ || rep) {
        long long types = new_ / new_w;
        long long tokens = types + rep / rep_w;
        factors += (1.0 - (double)types / (double)tokens) / (1.0 - threshold);
    }
    return factors > 0 ? (double)n / factors : (double)n;
}

/* ---------------------------------------------------------------------------------------------
 * Repeated word n-grams: twin of slopsift.signals.repetition._repeated_ngrams_py
 *
 * Level n keeps the positions whose n-gram key occurs at least twice; an n-gram's id is the position of
 * its first occurrence. Level n + 1 looks only at kept positions p followed by kept p + 1, keyed
 * id(n-gram at p) * base + ids[p + n]. Level 2 looks only at positions whose two words both occur twice
 * or more (when base is small enough for a counter per id): no other 2-gram can repeat. Keys are numbered
 * in order of first sight in an open-addressing hash table of 16-byte slots (one probe per key; the
 * second pass reads each key's number), with their counts and first positions in arrays by number.
 */

typedef struct {
    int64_t key;
    Py_ssize_t id; /* 1 + the key's number; 0: an empty slot */
} Slot;

static inline uint64_t
mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static Slot *
find_slot(Slot *table, size_t mask, int64_t key)
{
    size_t i = (size_t)mix((uint64_t)key) & mask;
    while (table[i].id && table[i].key != key)
        i = (i + 1) & mask;
    return &table[i];
}

/* A new list of ints from a C array of Py_ssize_t. */
#define DEFINE_LIST_OF(name, type, to_long)                                                                  \
    static PyObject *name(const type *values, Py_ssize_t n)                                                 \
    {                                                                                                        \
        PyObject *out = PyList_New(n);                                                                       \
        if (out == NULL)                                                                                     \
            return NULL;                                                                                     \
        for (Py_ssize_t i = 0; i < n; i++) {                                                                 \
            PyObject *v = to_long(values[i]);                                                                \
            if (v == NULL) {                                                                                 \
                Py_DECREF(out);                                                                              \
                return NULL;                                                                                 \
            }                                                                                                \
            PyList_SET_ITEM(out, i, v);                                                                      \
        }                                                                                                    \
        return out;                                                                                          \
    }
DEFINE_LIST_OF(list_of_ssize, Py_ssize_t, PyLong_FromSsize_t)

/* A new list of ints from a C array of int64_t: the shared int objects of `ints` (a tuple of 0, 1, 2, ...;
 * may be NULL) where it holds them, so no int is allocated (and later freed) for them. */
static PyObject *
list_of(const int64_t *values, Py_ssize_t n, PyObject *ints)
{
    Py_ssize_t shared = ints == NULL ? 0 : PyTuple_GET_SIZE(ints);
    PyObject *out = PyList_New(n);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v;
        if (values[i] >= 0 && values[i] < shared) {
            v = PyTuple_GET_ITEM(ints, values[i]);
            Py_INCREF(v);
        }
        else if ((v = PyLong_FromLongLong(values[i])) == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, v);
    }
    return out;
}

static PyObject *
repeated_ngrams(PyObject *self, PyObject *args)
{
    PyObject *seq, *ints = NULL;
    long long base;
    Py_ssize_t nmax;
    if (!PyArg_ParseTuple(args, "O!Ln|O!", &PyList_Type, &seq, &base, &nmax, &PyTuple_Type, &ints))
        return NULL;
    Py_ssize_t m = PyList_GET_SIZE(seq);
    /* every id is below base and every n-gram id (a position) below m, so a key is below base * base */
    if (base <= 0 || base > 3037000499LL || (long long)m > base) {
        PyErr_SetString(PyExc_OverflowError, "repeated_ngrams: base out of range");
        return NULL;
    }
    PyObject *levels = PyList_New(0);
    int64_t *ids = NULL, *cand = NULL, *keys = NULL, *pos = NULL, *gids = NULL, *counts = NULL, *firsts = NULL;
    int64_t *kid = NULL, *dcount = NULL, *dfirst = NULL;
    unsigned char *seen = NULL; /* per word id: occurrences, up to 2 */
    Slot *table = NULL;
    if (levels == NULL)
        return NULL;
    size_t cap = 16;
    while (cap < 2 * (size_t)(m > 0 ? m : 1))
        cap <<= 1;
    size_t arr = (size_t)(m > 0 ? m : 1) * sizeof(int64_t);
    ids = PyMem_Malloc(arr);
    cand = PyMem_Malloc(arr);
    keys = PyMem_Malloc(arr);
    pos = PyMem_Malloc(arr);
    gids = PyMem_Malloc(arr);
    counts = PyMem_Malloc(arr);
    firsts = PyMem_Malloc(arr);
    kid = PyMem_Malloc(arr);
    dcount = PyMem_Malloc(arr);
    dfirst = PyMem_Malloc(arr);
    table = PyMem_Malloc(cap * sizeof(Slot));
    if (!ids || !cand || !keys || !pos || !gids || !counts || !firsts || !kid || !dcount || !dfirst || !table) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < m; i++) {
        PyObject *item = PyList_GET_ITEM(seq, i);
        if (!PyLong_Check(item)) { /* no __index__: it could run code that shrinks seq */
            PyErr_SetString(PyExc_TypeError, "repeated_ngrams: word ids must be ints");
            goto fail;
        }
        long long v = PyLong_AsLongLong(item);
        if (v == -1 && PyErr_Occurred())
            goto fail;
        if (v < 0 || v >= base) {
            PyErr_SetString(PyExc_ValueError, "repeated_ngrams: word id out of range");
            goto fail;
        }
        ids[i] = v;
    }
    /* a counter per word id when base is at most a few times the words (as repetition calls it) */
    if (base <= 4 * (long long)m + 16) {
        if ((seen = PyMem_Calloc((size_t)base, 1)) == NULL) {
            PyErr_NoMemory();
            goto fail;
        }
        for (Py_ssize_t i = 0; i < m; i++)
            seen[ids[i]] += seen[ids[i]] < 2;
    }
    Py_ssize_t nkeys = 0; /* level 2: the positions but the last, both words repeated */
    for (Py_ssize_t p = 0; p + 1 < m; p++) {
        if (seen != NULL && (seen[ids[p]] < 2 || seen[ids[p + 1]] < 2))
            continue;
        cand[nkeys] = p;
        keys[nkeys] = ids[p] * base + ids[p + 1];
        nkeys++;
    }
    for (Py_ssize_t n = 2; n <= nmax; n++) {
        if (nkeys == 0)
            break;
        size_t c = 16;
        while (c < 2 * (size_t)nkeys)
            c <<= 1;
        size_t mask = c - 1;
        memset(table, 0, c * sizeof(Slot));
        Py_ssize_t distinct = 0, nrep = 0;
        for (Py_ssize_t k = 0; k < nkeys; k++) {
            Slot *s = find_slot(table, mask, keys[k]);
            if (s->id)
                dcount[s->id - 1]++;
            else {
                s->key = keys[k];
                s->id = distinct + 1;
                dcount[distinct] = 1;
                dfirst[distinct] = cand[k];
                distinct++;
            }
            kid[k] = s->id - 1;
        }
        if (distinct == nkeys)
            break; /* nothing repeats at this length, nor at any longer one */
        /* ids and counts of the repeated n-grams, in order of first occurrence (= ascending ids) */
        Py_ssize_t kept = 0, next = 0;
        int64_t prev_p = -2, prev_g = 0;
        for (Py_ssize_t k = 0; k < nkeys; k++) {
            int64_t d = kid[k];
            if (dcount[d] < 2)
                continue;
            int64_t p = cand[k], g = dfirst[d];
            if (p == g) { /* the first occurrence */
                firsts[nrep] = g;
                counts[nrep] = dcount[d];
                nrep++;
            }
            if (p == prev_p + 1) {
                /* candidates of level n + 1, written over the consumed part of cand and keys */
                cand[next] = prev_p;
                keys[next] = prev_g * base + ids[prev_p + n];
                next++;
            }
            pos[kept] = p;
            gids[kept] = g;
            kept++;
            prev_p = p;
            prev_g = g;
        }
        PyObject *lp = list_of(pos, kept, ints), *lg = list_of(gids, kept, ints);
        PyObject *lc = list_of(counts, nrep, ints), *lf = list_of(firsts, nrep, ints);
        PyObject *level = (lp && lg && lc && lf) ? PyTuple_Pack(4, lp, lg, lc, lf) : NULL;
        Py_XDECREF(lp);
        Py_XDECREF(lg);
        Py_XDECREF(lc);
        Py_XDECREF(lf);
        if (level == NULL || PyList_Append(levels, level) < 0) {
            Py_XDECREF(level);
            goto fail;
        }
        Py_DECREF(level);
        nkeys = next;
    }
    goto done;
fail:
    Py_CLEAR(levels);
done:
    PyMem_Free(ids);
    PyMem_Free(cand);
    PyMem_Free(keys);
    PyMem_Free(pos);
    PyMem_Free(gids);
    PyMem_Free(counts);
    PyMem_Free(firsts);
    PyMem_Free(kid);
    PyMem_Free(dcount);
    PyMem_Free(dfirst);
    PyMem_Free(seen);
    PyMem_Free(table);
    return levels;
}



/* ---------------------------------------------------------------------------------------------
 * Phrase candidates: twin of slopsift.lexicons.PhraseMatcherSet.candidates (the regex scan)
 *
 * `trie` is an array of C ints built by lexicons._trie_array: a node is [is_end, k, (char, node) * k]
 * with its children sorted by char; char ' ' stands for a run of whitespace (the regex's \s+). At
 * offset 0 and after every character that is not a word character or an apostrophe ([^\w'] as `re`
 * reads it: str.isalnum(), '_'), the longest phrase that starts there and is not followed by [\w']
 * is a candidate (offset, text as written).
 */

/* Bit 1: [\w'] (is_word_or_apos), bit 2: whitespace (Py_UNICODE_ISSPACE), of each character below 256:
 * one load instead of the tests (filled on the first trie_candidates call) */
static unsigned char latin1_class[256];
static int latin1_class_ready;

static void
fill_latin1_class(void)
{
    for (Py_UCS4 c = 0; c < 256; c++)
        latin1_class[c] = (unsigned char)(((c < 128 ? (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                                          (c >= '0' && c <= '9') || c == '_' || c == '\''
                                                    : Py_UNICODE_ISALNUM(c))
                                               ? 1
                                               : 0) |
                                          (Py_UNICODE_ISSPACE(c) ? 2 : 0));
    latin1_class_ready = 1;
}

static inline int
is_word_or_apos(Py_UCS4 ch)
{
    return ch < 256 ? latin1_class[ch] & 1 : Py_UNICODE_ISALNUM(ch);
}

static inline int
is_space(Py_UCS4 ch)
{
    return ch < 256 ? latin1_class[ch] & 2 : Py_UNICODE_ISSPACE(ch);
}

static inline int
child_of(const int *trie, int node, Py_UCS4 ch)
{
    int lo = 0, hi = trie[node + 1];
    const int *kids = trie + node + 2;
    if (hi <= 32) { /* most nodes have one child (5,019 of the 5,914 of the hedging trie): a scan */
        for (int j = 0; j < hi; j++) {
            Py_UCS4 c = (Py_UCS4)kids[2 * j];
            if (c >= ch)
                return c == ch ? kids[2 * j + 1] : -1;
        }
        return -1;
    }
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        Py_UCS4 c = (Py_UCS4)kids[2 * mid];
        if (c == ch)
            return kids[2 * mid + 1];
        if (c < ch)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* End of the longest phrase at `start` followed by no [\w'] character, or -1. `root_kid[c]` is
 * child_of(trie, 0, c) for each ASCII c (the root has the most children: one look-up, not a search). */
static Py_ssize_t
longest_at(const int *trie, const int *root_kid, int kind, const void *data, Py_ssize_t n, Py_ssize_t start)
{
    int node = 0;
    Py_ssize_t i = start, best = -1;
    for (;;) {
        if (trie[node] && (i == n || !is_word_or_apos(PyUnicode_READ(kind, data, i))))
            best = i;
        if (i >= n)
            break;
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (is_space(c)) {
            node = child_of(trie, node, ' ');
            if (node < 0)
                break;
            while (i < n && is_space(PyUnicode_READ(kind, data, i)))
                i++;
            continue;
        }
        node = node == 0 && c < 128 ? root_kid[c] : child_of(trie, node, c);
        if (node < 0)
            break;
        i++;
    }
    return best;
}

static int
append_candidate(PyObject *out, PyObject *text, Py_ssize_t start, Py_ssize_t end)
{
    PyObject *found = PyUnicode_Substring(text, start, end);
    if (found == NULL)
        return -1;
    PyObject *item = Py_BuildValue("(nN)", start, found);
    if (item == NULL)
        return -1;
    int rc = PyList_Append(out, item);
    Py_DECREF(item);
    return rc;
}

/* The last tries found well formed: a bytes object cannot change, so the same one is not checked again */
#define TRIE_OK_SLOTS 8
static PyObject *trie_ok[TRIE_OK_SLOTS];
static int trie_ok_next;

/* 0 if `buf` is a well-formed trie (aligned whole C ints; node after node from the root at 0, each
 * [is_end, k >= 0, (char, node) * k] inside the buffer; every child the start of a node), so no walk
 * reads outside it; else -1 with ValueError. O(size) once per bytes object (a few are remembered). */
static int
trie_check(const Py_buffer *buf)
{
    PyObject *obj = buf->obj;
    if (obj != NULL && PyBytes_CheckExact(obj))
        for (int k = 0; k < TRIE_OK_SLOTS; k++)
            if (trie_ok[k] == obj)
                return 0;
    if (buf->len < (Py_ssize_t)(2 * sizeof(int))) {
        PyErr_SetString(PyExc_ValueError, "trie_candidates: empty trie");
        return -1;
    }
    const int *trie = (const int *)buf->buf;
    Py_ssize_t len = buf->len / (Py_ssize_t)sizeof(int), at;
    if (buf->len % (Py_ssize_t)sizeof(int) != 0 || (uintptr_t)buf->buf % _Alignof(int) != 0)
        goto bad;
    unsigned char *node_at = PyMem_Calloc((size_t)len, 1);
    if (node_at == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (at = 0; at < len; at += 2 + 2 * (Py_ssize_t)trie[at + 1]) {
        if (len - at < 2 || trie[at + 1] < 0 || trie[at + 1] > (len - at - 2) / 2)
            break;
        node_at[at] = 1;
    }
    int ok = at == len;
    for (at = 0; ok && at < len; at += 2 + 2 * (Py_ssize_t)trie[at + 1])
        for (int j = 0; ok && j < trie[at + 1]; j++) {
            int kid = trie[at + 3 + 2 * j];
            ok = kid >= 0 && kid < len && node_at[kid];
        }
    PyMem_Free(node_at);
    if (!ok)
        goto bad;
    if (obj != NULL && PyBytes_CheckExact(obj)) {
        Py_INCREF(obj);
        Py_XSETREF(trie_ok[trie_ok_next], obj);
        trie_ok_next = (trie_ok_next + 1) % TRIE_OK_SLOTS;
    }
    return 0;
bad:
    PyErr_SetString(PyExc_ValueError, "trie_candidates: malformed trie");
    return -1;
}

static PyObject *
trie_candidates(PyObject *self, PyObject *args)
{
    Py_buffer buf;
    PyObject *text;
    if (!PyArg_ParseTuple(args, "y*U", &buf, &text))
        return NULL;
    const int *trie = (const int *)buf.buf;
    if (trie_check(&buf) < 0) {
        PyBuffer_Release(&buf);
        return NULL;
    }
    if (!latin1_class_ready)
        fill_latin1_class();
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *out = PyList_New(0);
    if (out == NULL)
        goto fail;
    /* the root's child for each ASCII character (-1: no phrase starts with it) */
    int root_kid[128];
    for (int c = 0; c < 128; c++)
        root_kid[c] = -1;
    for (int j = 0; j < trie[1]; j++) { /* child_of(trie, 0, c) for each ASCII c */
        int c = trie[2 + 2 * j];
        if (c >= 0 && c < 128 && root_kid[c] < 0)
            root_kid[c] = trie[3 + 2 * j];
    }
    Py_ssize_t end = n > 0 ? longest_at(trie, root_kid, kind, data, n, 0) : -1;
    if (end > 0 && append_candidate(out, text, 0, end) < 0)
        goto fail;
    for (Py_ssize_t i = 0; i + 1 < n; i++) {
        if (is_word_or_apos(PyUnicode_READ(kind, data, i)))
            continue;
        Py_UCS4 next = PyUnicode_READ(kind, data, i + 1);
        if ((next < 128 ? root_kid[next] : child_of(trie, 0, next)) < 0)
            continue; /* no phrase starts with that character (none starts with whitespace) */
        end = longest_at(trie, root_kid, kind, data, n, i + 1);
        if (end > i + 1 && append_candidate(out, text, i + 1, end) < 0)
            goto fail;
    }
    PyBuffer_Release(&buf);
    return out;
fail:
    Py_XDECREF(out);
    PyBuffer_Release(&buf);
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Word ids and counts: twin of slopsift.document._word_ids_counts
 *
 * One dict probe per word (the Python version makes three: setdefault, then Counter's get and set).
 * ids[k] is the index of the first occurrence of words[k] (the same int object for equal words); the
 * counter (an instance of `counter_type`, a dict subclass, filled with PyDict_SetItem) holds each distinct
 * word's count, keyed in order of first occurrence as Counter(words) is.
 */

static PyObject *
word_ids_counts(PyObject *self, PyObject *args)
{
    PyObject *words, *counter_type;
    if (!PyArg_ParseTuple(args, "O!O", &PyList_Type, &words, &counter_type))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(words);
    PyObject *first = NULL, *ids = NULL, *counter = NULL;
    Py_ssize_t *count_at = PyMem_Calloc((size_t)(n > 0 ? n : 1), sizeof(Py_ssize_t)); /* by first index */
    if (count_at == NULL)
        return PyErr_NoMemory();
    if ((first = PyDict_New()) == NULL || (ids = PyList_New(n)) == NULL)
        goto fail;
    for (Py_ssize_t k = 0; k < n && k < PyList_GET_SIZE(words); k++) {
        PyObject *w = PyList_GET_ITEM(words, k);
        Py_INCREF(w); /* the list may change under a key's __eq__ */
        PyObject *id = PyDict_GetItemWithError(first, w); /* borrowed */
        if (id == NULL) {
            if (PyErr_Occurred() || (id = PyLong_FromSsize_t(k)) == NULL) {
                Py_DECREF(w);
                goto fail;
            }
            int rc = PyDict_SetItem(first, w, id);
            Py_DECREF(id); /* the dict holds it */
            if (rc < 0) {
                Py_DECREF(w);
                goto fail;
            }
        }
        Py_DECREF(w);
        Py_ssize_t at = PyLong_AsSsize_t(id); /* an index we stored: 0 <= at <= k */
        count_at[at]++;
        Py_INCREF(id);
        PyList_SET_ITEM(ids, k, id);
    }
    if (PyList_GET_SIZE(words) != n) {
        PyErr_SetString(PyExc_RuntimeError, "word_ids_counts: the list changed size");
        goto fail;
    }
    if ((counter = PyObject_CallNoArgs(counter_type)) == NULL)
        goto fail;
    if (!PyDict_Check(counter)) {
        PyErr_SetString(PyExc_TypeError, "word_ids_counts: counter_type must make a dict");
        goto fail;
    }
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(first, &pos, &key, &value)) {
        PyObject *c = PyLong_FromSsize_t(count_at[PyLong_AsSsize_t(value)]);
        if (c == NULL)
            goto fail;
        int rc = PyDict_SetItem(counter, key, c);
        Py_DECREF(c);
        if (rc < 0)
            goto fail;
    }
    PyMem_Free(count_at);
    Py_DECREF(first);
    return Py_BuildValue("(NN)", ids, counter);
fail:
    PyMem_Free(count_at);
    Py_XDECREF(first);
    Py_XDECREF(ids);
    Py_XDECREF(counter);
    return NULL;
}

/* Append the int i to list; -1 with an exception set on failure. */
static int
append_index(PyObject *list, Py_ssize_t i)
{
    PyObject *at = PyLong_FromSsize_t(i);
    if (at == NULL)
        return -1;
    int rc = PyList_Append(list, at);
    Py_DECREF(at);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Word pairs in a table: twin of slopsift.signals.usage._pair_hits_py
 *
 * The indices i (ascending) with firsts[i] in `table` (a dict) and nexts[i + 1] in table[firsts[i]]:
 * one dict probe per word and a container test for the few that are keys, no tuple per pair.
 * `nexts` is a list of str or a str (then nexts[i + 1] is its character i + 1).
 */

static PyObject *
pair_hits(PyObject *self, PyObject *args)
{
    PyObject *firsts, *nexts, *table;
    if (!PyArg_ParseTuple(args, "O!OO!", &PyList_Type, &firsts, &nexts, &PyDict_Type, &table))
        return NULL;
    int is_str = PyUnicode_Check(nexts);
    if (!is_str && !PyList_Check(nexts)) {
        PyErr_SetString(PyExc_TypeError, "pair_hits: nexts must be a list or a str");
        return NULL;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0;; i++) {
        /* sizes re-read every step: a container's __contains__ could change a list */
        Py_ssize_t n_next = is_str ? PyUnicode_GET_LENGTH(nexts) : PyList_GET_SIZE(nexts);
        if (i >= PyList_GET_SIZE(firsts) || i + 1 >= n_next)
            break;
        PyObject *w = PyList_GET_ITEM(firsts, i);
        Py_INCREF(w);
        PyObject *seconds = PyDict_GetItemWithError(table, w); /* borrowed */
        Py_DECREF(w);
        if (seconds == NULL) {
            if (PyErr_Occurred())
                goto fail;
            continue;
        }
        Py_INCREF(seconds);
        PyObject *x;
        if (is_str)
            x = PyUnicode_FromOrdinal(PyUnicode_READ_CHAR(nexts, i + 1));
        else {
            x = PyList_GET_ITEM(nexts, i + 1);
            Py_INCREF(x);
        }
        int hit = x == NULL ? -1 : PySequence_Contains(seconds, x);
        Py_XDECREF(x);
        Py_DECREF(seconds);
        if (hit < 0)
            goto fail;
        if (hit && append_index(out, i) < 0)
            goto fail;
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Word positions: twin of slopsift.signals.inconsistency._positions_py
 *
 * The indices (ascending) of the words in `vocab`: a set or frozenset is probed directly, any other
 * container through its `in`.
 */

static PyObject *
positions(PyObject *self, PyObject *args)
{
    PyObject *words, *vocab;
    if (!PyArg_ParseTuple(args, "O!O", &PyList_Type, &words, &vocab))
        return NULL;
    int is_set = PyAnySet_Check(vocab);
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(words); i++) {
        PyObject *w = PyList_GET_ITEM(words, i);
        Py_INCREF(w); /* a container's `in` could change the list */
        int hit = is_set ? PySet_Contains(vocab, w) : PySequence_Contains(vocab, w);
        Py_DECREF(w);
        if (hit < 0)
            goto fail;
        if (hit && append_index(out, i) < 0)
            goto fail;
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Word groups and lengths: twin of slopsift.signals.style._word_stats_py
 *
 * How many words fall in each group (groups[word] is a group number below n_groups), the sum of the
 * words' lengths and the sum of their squares. None when the lengths sum past 3,037,000,499 characters,
 * where the squares could overflow 64 bits: the caller then runs the Python version.
 */

static PyObject *
word_stats(PyObject *self, PyObject *args)
{
    PyObject *words, *groups;
    Py_ssize_t n_groups;
    if (!PyArg_ParseTuple(args, "O!O!n", &PyList_Type, &words, &PyDict_Type, &groups, &n_groups))
        return NULL;
    if (n_groups < 0 || n_groups > 1024) {
        PyErr_SetString(PyExc_ValueError, "word_stats: n_groups must be in 0..1024");
        return NULL;
    }
    Py_ssize_t counts[1024] = {0};
    long long total_len = 0, total_sq = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(words); i++) {
        PyObject *w = PyList_GET_ITEM(words, i);
        if (!PyUnicode_Check(w)) {
            PyErr_SetString(PyExc_TypeError, "word_stats: words must be str");
            return NULL;
        }
        long long len = (long long)PyUnicode_GET_LENGTH(w);
        total_len += len;
        if (total_len > 3037000499LL)
            Py_RETURN_NONE; /* len * len and the sum of squares stay below 2**63 up to here */
        total_sq += len * len;
        Py_INCREF(w);
        PyObject *g = PyDict_GetItemWithError(groups, w); /* borrowed */
        Py_DECREF(w);
        if (g == NULL) {
            if (PyErr_Occurred())
                return NULL;
            continue;
        }
        Py_ssize_t k = PyLong_AsSsize_t(g);
        if (k == -1 && PyErr_Occurred())
            return NULL;
        if (k < 0 || k >= n_groups) {
            PyErr_SetString(PyExc_IndexError, "word_stats: a group number out of range");
            return NULL;
        }
        counts[k]++;
    }
    PyObject *out = PyList_New(n_groups);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t k = 0; k < n_groups; k++) {
        PyObject *c = PyLong_FromSsize_t(counts[k]);
        if (c == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, k, c);
    }
    return Py_BuildValue("(NLL)", out, total_len, total_sq);
}

/* ---------------------------------------------------------------------------------------------
 * Word-frequency profile of the chosen words: twin of slopsift.signals.vocabulary._profile_py
 *
 * Over the facts (syllables, zipf or None, misspelled) of the words whose flag is true (bytes: a
 * non-zero byte; else any sequence's items' truth): vocabulary._zipf_stats' sums and counts, in the same
 * order, how
 * many were chosen, the word indices of the misspelled ones and of the first `max_unknown` missing ones.
 */

static inline const char *
fact_at(PyObject *facts, Py_ssize_t i, PyObject **zipf, PyObject **miss)
{
    PyObject *f = PyList_GET_ITEM(facts, i);
    if (!PyTuple_Check(f) || PyTuple_GET_SIZE(f) < 3)
        return "a fact is not a tuple of three";
    *zipf = PyTuple_GET_ITEM(f, 1);
    *miss = PyTuple_GET_ITEM(f, 2);
    return NULL;
}

static PyObject *
zipf_profile(PyObject *self, PyObject *args)
{
    PyObject *facts, *flags;
    double oov, rare_below, common_below;
    Py_ssize_t max_unknown;
    if (!PyArg_ParseTuple(args, "O!Odddn", &PyList_Type, &facts, &flags, &oov, &rare_below, &common_below,
                          &max_unknown))
        return NULL;
    PyObject *seq = NULL, *misspelt = NULL, *unknown_at = NULL;
    const char *bytes = NULL;
    Py_ssize_t n_flags;
    if (PyBytes_Check(flags)) {
        bytes = PyBytes_AS_STRING(flags);
        n_flags = PyBytes_GET_SIZE(flags);
    }
    else {
        if ((seq = PySequence_Fast(flags, "zipf_profile: flags must be bytes or a sequence")) == NULL)
            return NULL;
        n_flags = PySequence_Fast_GET_SIZE(seq);
    }
    if ((misspelt = PyList_New(0)) == NULL || (unknown_at = PyList_New(0)) == NULL)
        goto fail;
    double total = 0.0, total_sq = 0.0;
    Py_ssize_t rare = 0, mid = 0, unknown = 0, chosen = 0;
    Py_ssize_t n = PyList_GET_SIZE(facts) < n_flags ? PyList_GET_SIZE(facts) : n_flags;
    for (Py_ssize_t i = 0; i < n; i++) {
        int keep;
        if (bytes != NULL)
            keep = bytes[i] != 0;
        else if ((keep = PyObject_IsTrue(PySequence_Fast_GET_ITEM(seq, i))) < 0)
            goto fail;
        if (!keep)
            continue;
        if (i >= PyList_GET_SIZE(facts)) { /* a flag's __bool__ shrank the list */
            PyErr_SetString(PyExc_RuntimeError, "zipf_profile: the facts changed size");
            goto fail;
        }
        PyObject *zo, *miss;
        const char *bad = fact_at(facts, i, &zo, &miss);
        if (bad != NULL) {
            PyErr_Format(PyExc_TypeError, "zipf_profile: %s", bad);
            goto fail;
        }
        Py_INCREF(zo);
        Py_INCREF(miss);
        double z = oov;
        int failed = 0;
        if (zo == Py_None) {
            unknown++;
            failed = unknown <= max_unknown && append_index(unknown_at, i) < 0;
        }
        else {
            z = PyFloat_AsDouble(zo);
            failed = z == -1.0 && PyErr_Occurred();
        }
        int is_miss = failed ? -1 : PyObject_IsTrue(miss);
        Py_DECREF(zo);
        Py_DECREF(miss);
        if (is_miss < 0 || (is_miss && append_index(misspelt, i) < 0))
            goto fail;
        chosen++;
        total += z;
        double sq = z * z;
        total_sq += sq;
        if (z < rare_below)
            rare++;
        else if (z < common_below)
            mid++;
    }
    Py_XDECREF(seq);
    return Py_BuildValue("(ddnnnnNN)", total, total_sq, rare, mid, unknown, chosen, misspelt, unknown_at);
fail:
    Py_XDECREF(seq);
    Py_XDECREF(misspelt);
    Py_XDECREF(unknown_at);
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Syllables per sentence: twin of slopsift.signals.readability._sentence_syllables_py
 *
 * For each sentence's word range facts[ws[k]:we[k]] (slice semantics), the sum of the words' syllables
 * (facts[i][0]); and the number of words of three or more syllables in all the ranges. None for
 * syllable counts outside 0..2**20 or sums from 2**40 on, where the Python version's packed sums would
 * read differently.
 */

static PyObject *
sentence_syllables(PyObject *self, PyObject *args)
{
    PyObject *facts, *ws, *we;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyList_Type, &facts, &PyList_Type, &ws, &PyList_Type, &we))
        return NULL;
    Py_ssize_t m = PyList_GET_SIZE(ws) < PyList_GET_SIZE(we) ? PyList_GET_SIZE(ws) : PyList_GET_SIZE(we);
    PyObject *out = PyList_New(m);
    if (out == NULL)
        return NULL;
    long long total = 0, n_long = 0;
    for (Py_ssize_t k = 0; k < m; k++) {
        Py_ssize_t a = PyLong_AsSsize_t(PyList_GET_ITEM(ws, k));
        if (a == -1 && PyErr_Occurred())
            goto fail;
        Py_ssize_t b = PyLong_AsSsize_t(PyList_GET_ITEM(we, k));
        if (b == -1 && PyErr_Occurred())
            goto fail;
        PySlice_AdjustIndices(PyList_GET_SIZE(facts), &a, &b, 1);
        long long syl = 0;
        for (Py_ssize_t i = a; i < b; i++) {
            PyObject *f = PyList_GET_ITEM(facts, i);
            if (!PyTuple_Check(f) || PyTuple_GET_SIZE(f) < 1) {
                PyErr_SetString(PyExc_TypeError, "sentence_syllables: a fact is not a tuple");
                goto fail;
            }
            long long y = PyLong_AsLongLong(PyTuple_GET_ITEM(f, 0));
            if (y == -1 && PyErr_Occurred())
                goto fail;
            if (y < 0 || y > (1LL << 20))
                goto give_up;
            syl += y;
            n_long += y >= 3;
        }
        total += syl;
        if (total >= (1LL << 40))
            goto give_up;
        PyObject *v = PyLong_FromLongLong(syl);
        if (v == NULL)
            goto fail;
        PyList_SET_ITEM(out, k, v);
    }
    return Py_BuildValue("(NL)", out, n_long);
give_up:
    Py_DECREF(out);
    Py_RETURN_NONE;
fail:
    Py_DECREF(out);
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Words of lower-cased ASCII text: twin of slopsift.document._ascii_words
 *
 * The matches of [0-9]+(?:[.,][0-9]+)+|[a-z0-9]+(?:['\-][a-z0-9]+)* in order, as the regex finds them:
 * each alternative matches at most once at an offset and only its longest match can be the regex's (the
 * characters a shorter one would leave next cannot continue the pattern), so one forward scan finds
 * them. Returns (starts, ends, words) and the starts as bytes of native Py_ssize_t, for numpy.frombuffer;
 * an offset below len(ints) (a tuple of 0, 1, 2, ...) is that tuple's int (shared, not allocated).
 */

static inline int
is_lower_alnum(Py_UCS1 c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static inline int
is_digit(Py_UCS1 c)
{
    return c >= '0' && c <= '9';
}

/* End of the longest match of a [a-z0-9] run followed by groups of a ' or - and such a run, from s[i]. (Two
 * copies of one loop, each with its class test inlined: a function pointer would cost a call per character.) */
static Py_ssize_t
alnum_groups_end(const Py_UCS1 *s, Py_ssize_t n, Py_ssize_t i)
{
    while (i < n && is_lower_alnum(s[i]))
        i++;
    while (i + 1 < n && (s[i] == '\'' || s[i] == '-') && is_lower_alnum(s[i + 1])) {
        i += 2;
        while (i < n && is_lower_alnum(s[i]))
            i++;
    }
    return i;
}

/* The same for a [0-9] run followed by groups of a . or , and such a run. */
static Py_ssize_t
digit_groups_end(const Py_UCS1 *s, Py_ssize_t n, Py_ssize_t i)
{
    while (i < n && is_digit(s[i]))
        i++;
    while (i + 1 < n && (s[i] == '.' || s[i] == ',') && is_digit(s[i + 1])) {
        i += 2;
        while (i < n && is_digit(s[i]))
            i++;
    }
    return i;
}

/* An int for an offset: the shared one from `ints` (a tuple of 0, 1, 2, ...) when it holds it. */
static inline PyObject *
offset_int(PyObject *ints, Py_ssize_t i)
{
    if (i < PyTuple_GET_SIZE(ints)) {
        PyObject *v = PyTuple_GET_ITEM(ints, i);
        Py_INCREF(v);
        return v;
    }
    return PyLong_FromSsize_t(i);
}

static PyObject *
list_of_offsets(const Py_ssize_t *xs, Py_ssize_t m, PyObject *ints)
{
    PyObject *out = PyList_New(m);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t k = 0; k < m; k++) {
        PyObject *v = offset_int(ints, xs[k]);
        if (v == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, k, v);
    }
    return out;
}

/* The words of lower-cased ASCII text s[0:n] (document._ascii_words): their starts and ends, m of them, in
 * arrays the caller frees with PyMem_Free (also on failure, -1 with an exception set). */
static int
ascii_word_spans(const Py_UCS1 *s, Py_ssize_t n, Py_ssize_t **starts_out, Py_ssize_t **ends_out, Py_ssize_t *m_out)
{
    Py_ssize_t m = 0, cap = 256;
    Py_ssize_t *starts = PyMem_Malloc(cap * sizeof(Py_ssize_t)), *ends = PyMem_Malloc(cap * sizeof(Py_ssize_t));
    *starts_out = starts;
    *ends_out = ends;
    *m_out = 0;
    if (starts == NULL || ends == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t i = 0;
    while (i < n) {
        if (!is_lower_alnum(s[i])) {
            i++;
            continue;
        }
        Py_ssize_t end = -1;
        if (is_digit(s[i])) { /* a decimal number: digits, then at least one group of [.,] and digits */
            Py_ssize_t j = i;
            while (j < n && is_digit(s[j]))
                j++;
            if (j + 1 < n && (s[j] == '.' || s[j] == ',') && is_digit(s[j + 1]))
                end = digit_groups_end(s, n, j);
        }
        if (end < 0)
            end = alnum_groups_end(s, n, i);
        if (m == cap) { /* at most n / 2 + 1 words: no overflow */
            cap *= 2;
            Py_ssize_t *s2 = PyMem_Realloc(starts, cap * sizeof(Py_ssize_t));
            if (s2 == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            starts = *starts_out = s2;
            Py_ssize_t *e2 = PyMem_Realloc(ends, cap * sizeof(Py_ssize_t));
            if (e2 == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            ends = *ends_out = e2;
        }
        starts[m] = i;
        ends[m] = end;
        m++;
        i = end;
    }
    *m_out = m;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Sentence spans: twin of slopsift.document._sentence_spans (and of _no_end_at_stop, _boundaries)
 *
 * The candidate ends are the matches of document._BOUNDARY,
 *     [.!?](?<![.!?]{2})[.!?]*["')\]]*(?=\s+["'(\[]?[A-Z0-9])
 * searched as finditer(text, first block's start, last block's end) does (the look-behind sees before
 * the start, nothing is seen past the end): a match starts where a run of .!? starts and spans the run
 * and the closing quotes and brackets after it; no shorter match can satisfy the look-ahead (it would be
 * followed by one of those characters, not by white space), so the longest is the only one. \s is
 * str.isspace, as `re` reads it; [A-Z0-9] is ASCII.
 */

#define TEXT_AT(i) PyUnicode_READ(kind, data, (i))

static inline int
is_stop(Py_UCS4 c)
{
    return c == '.' || c == '!' || c == '?';
}

static inline int
is_upper_or_digit(Py_UCS4 c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static inline int
is_opener(Py_UCS4 c)
{
    return c == '"' || c == '\'' || c == '(' || c == '[';
}

/* End of the white space at `q` if it is followed (before `end`) by an optional opener and [A-Z0-9]:
 * the match end of \s+(?=["'(\[]?[A-Z0-9]) at q with endpos `end`; -1 if none. */
static Py_ssize_t
space_then_opening(int kind, const void *data, Py_ssize_t q, Py_ssize_t end)
{
    if (q >= end || !Py_UNICODE_ISSPACE(TEXT_AT(q)))
        return -1;
    while (q < end && Py_UNICODE_ISSPACE(TEXT_AT(q)))
        q++;
    if (q >= end)
        return -1;
    Py_ssize_t r = is_opener(TEXT_AT(q)) ? q + 1 : q;
    return r < end && is_upper_or_digit(TEXT_AT(r)) ? q : -1;
}

/* The end of the _BOUNDARY match starting at p (text[p] in .!?, text[p - 1] not), or -1. */
static Py_ssize_t
boundary_at(int kind, const void *data, Py_ssize_t p, Py_ssize_t end)
{
    Py_ssize_t m = p + 1;
    while (m < end && is_stop(TEXT_AT(m)))
        m++;
    while (m < end) {
        Py_UCS4 c = TEXT_AT(m);
        if (c != '"' && c != '\'' && c != ')' && c != ']')
            break;
        m++;
    }
    return space_then_opening(kind, data, m, end) >= 0 ? m : -1;
}

static int
all_alpha(int kind, const void *data, Py_ssize_t a, Py_ssize_t b) /* str.isalpha of text[a:b] */
{
    if (a >= b)
        return 0;
    for (Py_ssize_t i = a; i < b; i++)
        if (!Py_UNICODE_ISALPHA(TEXT_AT(i)))
            return 0;
    return 1;
}

static inline int
all_ascii(const Py_UCS1 *d, Py_ssize_t len)
{
    for (Py_ssize_t i = 0; i < len; i++)
        if (d[i] >= 128)
            return 0;
    return 1;
}

/* _no_end_at_stop: 1, 0, or -1 with an exception set. */
static int
no_end_at_stop(PyObject *text, int kind, const void *data, Py_ssize_t ms, Py_ssize_t cur, PyObject *abbrev,
               Py_ssize_t long_word)
{
    Py_ssize_t lo_seg = ms - long_word > 0 ? ms - long_word : 0;
    Py_ssize_t space = -1; /* of the last ' ' in text[lo_seg:ms] */
    for (Py_ssize_t i = ms - 1; i >= lo_seg; i--)
        if (TEXT_AT(i) == ' ') {
            space = i;
            break;
        }
    Py_ssize_t w0 = space < 0 ? lo_seg : space + 1; /* the word is text[w0:ms] */
    if (space < 0 || !all_alpha(kind, data, w0, ms)) {
        /* the token before the stop: the run of [\w.] ending at ms, not before max(cur, ms - 40) */
        Py_ssize_t lo = cur > ms - 40 ? cur : ms - 40;
        if (lo < 0)
            lo = 0;
        w0 = ms;
        while (w0 - 1 >= lo) {
            Py_UCS4 c = TEXT_AT(w0 - 1);
            if (!(Py_UNICODE_ISALNUM(c) || c == '_' || c == '.'))
                break;
            w0--;
        }
        if (w0 == ms)
            return 0;
    }
    Py_ssize_t len = ms - w0;
    if (len == 1 && Py_UNICODE_ISUPPER(TEXT_AT(w0)))
        return 1; /* an initial as in "Mark T. Esper" */
    PyObject *lower;
    if (len <= 64 && kind == PyUnicode_1BYTE_KIND && all_ascii((const Py_UCS1 *)data + w0, len)) {
        char buf[64]; /* ASCII: str.lower is the ASCII lower-casing */
        for (Py_ssize_t i = 0; i < len; i++) {
            Py_UCS1 c = ((const Py_UCS1 *)data)[w0 + i];
            buf[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        lower = PyUnicode_FromStringAndSize(buf, len);
    }
    else {
        PyObject *word = PyUnicode_Substring(text, w0, ms);
        if (word == NULL)
            return -1;
        lower = PyObject_CallMethod(word, "lower", NULL);
        Py_DECREF(word);
    }
    if (lower == NULL)
        return -1;
    int known = PySet_Contains(abbrev, lower);
    Py_DECREF(lower);
    if (known != 0)
        return known; /* "Dr.", "e.g." (or an error) */
    int dot = 0, letters = 0, other = 0, digits = 1;
    for (Py_ssize_t i = w0; i < ms; i++) {
        Py_UCS4 c = TEXT_AT(i);
        if (c == '.')
            dot = 1;
        else if (Py_UNICODE_ISALPHA(c))
            letters = 1;
        else
            other = 1;
        if (!Py_UNICODE_ISDIGIT(c))
            digits = 0;
    }
    if (dot && len <= 6 && letters && !other)
        return 1; /* "U.S.", "a.m." */
    if (!digits)
        return 0;
    for (Py_ssize_t i = cur; i < w0; i++) /* a list number "1." opens the stretch */
        if (!Py_UNICODE_ISSPACE(TEXT_AT(i)))
            return 0;
    return 1;
}

static int
append_span(PyObject *ss, PyObject *es, Py_ssize_t a, Py_ssize_t b)
{
    PyObject *x = PyLong_FromSsize_t(a), *y = PyLong_FromSsize_t(b);
    int rc = x == NULL || y == NULL || PyList_Append(ss, x) < 0 || PyList_Append(es, y) < 0 ? -1 : 0;
    Py_XDECREF(x);
    Py_XDECREF(y);
    return rc;
}

/* The block's four offsets, from a tuple of four ints. */
static int
block_at(PyObject *blocks, Py_ssize_t k, Py_ssize_t out[4])
{
    PyObject *b = PyList_GET_ITEM(blocks, k);
    if (!PyTuple_Check(b) || PyTuple_GET_SIZE(b) != 4) {
        PyErr_SetString(PyExc_TypeError, "sentence_spans: a block is not a tuple of four ints");
        return -1;
    }
    for (int j = 0; j < 4; j++) {
        out[j] = PyLong_AsSsize_t(PyTuple_GET_ITEM(b, j));
        if (out[j] == -1 && PyErr_Occurred())
            return -1;
    }
    return 0;
}

/* The next offset of each of . ! ? at or after the last search (end: none), for Latin-1 text. */
typedef struct {
    Py_ssize_t at[3];
} StopCursor;

static inline Py_ssize_t
find_byte(const Py_UCS1 *d, Py_UCS1 c, Py_ssize_t p, Py_ssize_t end)
{
    const void *r = p < end ? memchr(d + p, c, (size_t)(end - p)) : NULL;
    return r != NULL ? (Py_ssize_t)((const Py_UCS1 *)r - d) : end;
}

/* The first offset from p on (before end) holding one of .!?, or end. Offsets p only grow: on Latin-1
 * text each character's next offset is found by memchr and kept until p passes it. */
static Py_ssize_t
next_stop(int kind, const void *data, Py_ssize_t p, Py_ssize_t end, StopCursor *cur)
{
    if (kind == PyUnicode_1BYTE_KIND) {
        static const Py_UCS1 stops[3] = {'.', '!', '?'};
        Py_ssize_t best = end;
        for (int j = 0; j < 3; j++) {
            if (cur->at[j] < p)
                cur->at[j] = find_byte((const Py_UCS1 *)data, stops[j], p, end);
            if (cur->at[j] < best)
                best = cur->at[j];
        }
        return best;
    }
    while (p < end && !is_stop(TEXT_AT(p)))
        p++;
    return p;
}

static PyObject *
sentence_spans(PyObject *self, PyObject *args)
{
    PyObject *text, *blocks, *abbrev;
    Py_ssize_t long_word;
    if (!PyArg_ParseTuple(args, "UO!O!n", &text, &PyList_Type, &blocks, &PyFrozenSet_Type, &abbrev, &long_word))
        return NULL;
    if (long_word < 1) {
        PyErr_SetString(PyExc_ValueError, "sentence_spans: long_word must be >= 1");
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *ss = PyList_New(0), *es = PyList_New(0);
    if (ss == NULL || es == NULL)
        goto fail;
    Py_ssize_t nb = PyList_GET_SIZE(blocks);
    if (nb == 0)
        return Py_BuildValue("(NN)", ss, es);
    Py_ssize_t blk[4], last_blk[4];
    if (block_at(blocks, 0, blk) < 0 || block_at(blocks, nb - 1, last_blk) < 0)
        goto fail;
    Py_ssize_t bs = blk[0], start = blk[1], last = blk[2], be = blk[3], cur = bs, k = 0;
    /* finditer's pos and endpos, clamped as `re` clamps them */
    Py_ssize_t pos = bs < 0 ? 0 : (bs > n ? n : bs);
    Py_ssize_t end = last_blk[3] < 0 ? 0 : (last_blk[3] > n ? n : last_blk[3]);
    StopCursor stops = {{-1, -1, -1}};
    for (Py_ssize_t p = next_stop(kind, data, pos, end, &stops); p < end;
         p = next_stop(kind, data, p + 1, end, &stops)) {
        if (p > 0 && is_stop(TEXT_AT(p - 1)))
            continue;
        Py_ssize_t ms = p, me = boundary_at(kind, data, p, end);
        if (me < 0)
            continue;
        p = me - 1; /* the search goes on where the match ends */
        while (ms >= be) { /* close the block: its last sentence runs to the end of its text */
            if (append_span(ss, es, start, last) < 0)
                goto fail;
            if (++k >= nb)
                return Py_BuildValue("(NN)", ss, es);
            if (block_at(blocks, k, blk) < 0)
                goto fail;
            bs = blk[0], start = blk[1], last = blk[2], be = blk[3], cur = bs;
        }
        if (ms < bs)
            continue;
        Py_ssize_t nxt; /* me + 1 < end: the look-ahead saw white space and a character there */
        if (TEXT_AT(me) != '\n' && !Py_UNICODE_ISSPACE(TEXT_AT(me + 1)))
            nxt = me + 1;
        else if ((nxt = space_then_opening(kind, data, me, be < n ? be : n)) < 0)
            continue;
        if (TEXT_AT(ms) == '.' && !(ms >= long_word && all_alpha(kind, data, ms - long_word, ms))) {
            int skip = no_end_at_stop(text, kind, data, ms, cur, abbrev, long_word);
            if (skip < 0)
                goto fail;
            if (skip)
                continue;
        }
        if (append_span(ss, es, start, me) < 0)
            goto fail;
        cur = me;
        start = nxt;
    }
    if (append_span(ss, es, start, last) < 0)
        goto fail;
    for (Py_ssize_t j = k + 1; j < nb; j++) {
        if (block_at(blocks, j, blk) < 0 || append_span(ss, es, blk[1], blk[2]) < 0)
            goto fail;
    }
    return Py_BuildValue("(NN)", ss, es);
fail:
    Py_XDECREF(ss);
    Py_XDECREF(es);
    return NULL;
}

#undef TEXT_AT

/* ---------------------------------------------------------------------------------------------
 * Near-duplicate units: twin of slopsift.signals.repetition._near_dup_units_py
 *
 * For units [starts[j], ends[j]) and the ascending positions of repeated shingles (a list of ints or a 1-d
 * buffer of int64):
 * how many units have at least `min_words` words; the last unit that may reach the Jaccard threshold
 * (eligible, and its repeated-shingle positions `held` >= jaccard * (words + 1 - shingle), compared as
 * numpy compares int64 with float64); and for units 0..last the first and end index of their shingle
 * positions (bisect_left of the start and of the end + 1 - shingle), their lengths and whether they are
 * eligible and hold one. (eligible, -1, [], [], [], []) when no unit may reach it.
 */

static Py_ssize_t
bisect_int64(const char *buf, Py_ssize_t stride, Py_ssize_t n, long long x)
{
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        long long v;
        memcpy(&v, buf + mid * stride, sizeof v);
        if (v < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static PyObject *
near_dup_units(PyObject *self, PyObject *args)
{
    PyObject *starts, *ends, *positions;
    Py_ssize_t min_words, shingle;
    double jaccard;
    if (!PyArg_ParseTuple(args, "O!O!Ondn", &PyList_Type, &starts, &PyList_Type, &ends, &positions, &min_words,
                          &jaccard, &shingle))
        return NULL;
    Py_ssize_t m = PyList_GET_SIZE(starts);
    if (PyList_GET_SIZE(ends) != m) {
        PyErr_SetString(PyExc_ValueError, "near_dup_units: as many ends as starts");
        return NULL;
    }
    Py_buffer view;
    int have_view = 0;
    long long *copy = NULL; /* a list's ints */
    const char *buf;
    Py_ssize_t npos, stride;
    if (PyList_Check(positions)) {
        npos = PyList_GET_SIZE(positions);
        if ((copy = PyMem_Malloc((size_t)(npos > 0 ? npos : 1) * sizeof(long long))) == NULL)
            return PyErr_NoMemory();
        for (Py_ssize_t k = 0; k < npos; k++) {
            copy[k] = PyLong_AsLongLong(PyList_GET_ITEM(positions, k));
            if (copy[k] == -1 && PyErr_Occurred()) {
                PyMem_Free(copy);
                return NULL;
            }
        }
        buf = (const char *)copy;
        stride = (Py_ssize_t)sizeof(long long);
    }
    else {
        if (PyObject_GetBuffer(positions, &view, PyBUF_RECORDS_RO) < 0)
            return NULL;
        have_view = 1;
        if (view.ndim != 1 || view.itemsize != 8 || view.format == NULL ||
            !(strcmp(view.format, "l") == 0 || strcmp(view.format, "q") == 0 || strcmp(view.format, "=q") == 0 ||
              strcmp(view.format, "<q") == 0)) {
            PyBuffer_Release(&view);
            PyErr_SetString(PyExc_TypeError, "near_dup_units: positions must be a list or a 1-d array of int64");
            return NULL;
        }
        buf = (const char *)view.buf;
        npos = view.shape[0];
        stride = view.strides[0];
    }
    Py_ssize_t *s = PyMem_Malloc((size_t)(m > 0 ? m : 1) * 4 * sizeof(Py_ssize_t)); /* s, e, lo, hi */
    PyObject *los = NULL, *his = NULL, *lengths = NULL, *active = NULL;
    if (s == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    Py_ssize_t *e = s + m, *lo = s + 2 * m, *hi = s + 3 * m;
    Py_ssize_t eligible = 0, last = -1;
    for (Py_ssize_t j = 0; j < m; j++) {
        s[j] = PyLong_AsSsize_t(PyList_GET_ITEM(starts, j));
        e[j] = PyLong_AsSsize_t(PyList_GET_ITEM(ends, j));
        if ((s[j] == -1 || e[j] == -1) && PyErr_Occurred())
            goto fail;
        if (s[j] < -(PY_SSIZE_T_MAX / 4) || s[j] > PY_SSIZE_T_MAX / 4 || e[j] < -(PY_SSIZE_T_MAX / 4) ||
            e[j] > PY_SSIZE_T_MAX / 4) {
            PyErr_SetString(PyExc_OverflowError, "near_dup_units: an offset out of range");
            goto fail;
        }
        eligible += e[j] - s[j] >= min_words;
    }
    if (eligible && npos) {
        for (Py_ssize_t j = 0; j < m; j++) {
            Py_ssize_t len = e[j] - s[j];
            lo[j] = bisect_int64(buf, stride, npos, s[j]);
            hi[j] = bisect_int64(buf, stride, npos, (long long)(e[j] + 1 - shingle));
            double need = jaccard * (double)(len + 1 - shingle);
            if (len >= min_words && (double)(hi[j] - lo[j]) >= need)
                last = j;
        }
    }
    Py_ssize_t k = last + 1;
    if ((los = PyList_New(k)) == NULL || (his = PyList_New(k)) == NULL || (lengths = PyList_New(k)) == NULL ||
        (active = PyList_New(k)) == NULL)
        goto fail;
    for (Py_ssize_t j = 0; j < k; j++) {
        PyObject *a = PyLong_FromSsize_t(lo[j]), *b = PyLong_FromSsize_t(hi[j]), *c = PyLong_FromSsize_t(e[j] - s[j]);
        if (a == NULL || b == NULL || c == NULL) {
            Py_XDECREF(a);
            Py_XDECREF(b);
            Py_XDECREF(c);
            goto fail;
        }
        PyList_SET_ITEM(los, j, a);
        PyList_SET_ITEM(his, j, b);
        PyList_SET_ITEM(lengths, j, c);
        PyObject *on = e[j] - s[j] >= min_words && hi[j] - lo[j] > 0 ? Py_True : Py_False;
        Py_INCREF(on);
        PyList_SET_ITEM(active, j, on);
    }
    PyMem_Free(s);
    PyMem_Free(copy);
    if (have_view)
        PyBuffer_Release(&view);
    return Py_BuildValue("(nnNNNN)", eligible, last, los, his, lengths, active);
fail:
    PyMem_Free(s);
    PyMem_Free(copy);
    if (have_view)
        PyBuffer_Release(&view);
    Py_XDECREF(los);
    Py_XDECREF(his);
    Py_XDECREF(lengths);
    Py_XDECREF(active);
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Instances of a frozen, slotted dataclass from field columns: twin of slopsift._frozen._build_frozen_py
 *
 * Each instance is object.__new__(cls); column j's k-th value is stored through slot descriptor j
 * (its tp_descr_set, what descriptor.__set__ calls), so a frozen class's __setattr__ is not involved.
 */

static PyObject *
build_frozen(PyObject *self, PyObject *args)
{
    PyObject *cls, *slots, *columns;
    if (!PyArg_ParseTuple(args, "O!OO!", &PyType_Type, &cls, &slots, &PyTuple_Type, &columns))
        return NULL;
    if (((PyTypeObject *)cls)->tp_new != PyBaseObject_Type.tp_new) {
        /* object.__new__(cls) refuses such classes too ("is not safe"): their instances need their own tp_new */
        PyErr_SetString(PyExc_TypeError, "build_frozen: cls must use object.__new__");
        return NULL;
    }
    PyObject *fast = PySequence_Fast(slots, "build_frozen: slots must be a sequence");
    if (fast == NULL)
        return NULL;
    if (!PyTuple_Check(fast)) { /* a list: copied, as a setter (or a finaliser) may change it */
        PyObject *copy = PyList_AsTuple(fast);
        Py_DECREF(fast);
        if ((fast = copy) == NULL)
            return NULL;
    }
    Py_ssize_t nf = PySequence_Fast_GET_SIZE(fast);
    PyObject *empty = NULL, *out = NULL, *cols = NULL; /* cols: each column as a list or tuple */
    if (PyTuple_GET_SIZE(columns) != nf || nf == 0) {
        PyErr_SetString(PyExc_ValueError, "build_frozen: one column per slot, at least one");
        goto fail;
    }
    if ((cols = PyTuple_New(nf)) == NULL)
        goto fail;
    for (Py_ssize_t j = 0; j < nf; j++) {
        PyObject *d = PySequence_Fast_GET_ITEM(fast, j);
        if (Py_TYPE(d)->tp_descr_set == NULL) {
            PyErr_SetString(PyExc_TypeError, "build_frozen: a slot is not a data descriptor");
            goto fail;
        }
        PyObject *c = PySequence_Fast(PyTuple_GET_ITEM(columns, j), "build_frozen: a column is not a sequence");
        if (c == NULL)
            goto fail;
        PyTuple_SET_ITEM(cols, j, c);
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(PyTuple_GET_ITEM(cols, 0));
    for (Py_ssize_t j = 1; j < nf; j++)
        if (PySequence_Fast_GET_SIZE(PyTuple_GET_ITEM(cols, j)) != n) {
            PyErr_SetString(PyExc_ValueError, "build_frozen: columns of different lengths");
            goto fail;
        }
    /* A slot's own member descriptor (writable object slot of a base of cls) sets the field as member_set
     * would, without its checks per instance: store at its offset (the new instance's field is empty). */
    Py_ssize_t direct[8];
    int all_direct = nf <= 8;
    for (Py_ssize_t j = 0; j < nf && all_direct; j++) {
        PyObject *d = PySequence_Fast_GET_ITEM(fast, j);
        PyMemberDef *m = Py_IS_TYPE(d, &PyMemberDescr_Type) ? ((PyMemberDescrObject *)d)->d_member : NULL;
        if (m == NULL || m->type != T_OBJECT_EX || (m->flags & READONLY) || m->offset < (Py_ssize_t)sizeof(PyObject) ||
            !PyType_IsSubtype((PyTypeObject *)cls, PyDescr_TYPE(d)))
            all_direct = 0;
        else
            direct[j] = m->offset;
    }
    if ((empty = PyTuple_New(0)) == NULL || (out = PyList_New(n)) == NULL)
        goto fail;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *obj = PyBaseObject_Type.tp_new((PyTypeObject *)cls, empty, NULL); /* object.__new__(cls) */
        if (obj == NULL)
            goto fail;
        PyList_SET_ITEM(out, k, obj);
        if (all_direct) {
            /* object.__new__ may start a GC collection, whose finalisers may change a list column: its
             * size is checked again (the stores themselves run no Python code: each field was empty) */
            for (Py_ssize_t j = 0; j < nf; j++)
                if (k >= PySequence_Fast_GET_SIZE(PyTuple_GET_ITEM(cols, j))) {
                    PyErr_SetString(PyExc_RuntimeError, "build_frozen: a column changed size");
                    goto fail;
                }
            for (Py_ssize_t j = 0; j < nf; j++) {
                PyObject **at = (PyObject **)((char *)obj + direct[j]);
                Py_XSETREF(*at, Py_NewRef(PySequence_Fast_GET_ITEM(PyTuple_GET_ITEM(cols, j), k)));
            }
            continue;
        }
        for (Py_ssize_t j = 0; j < nf; j++) {
            PyObject *column = PyTuple_GET_ITEM(cols, j);
            if (k >= PySequence_Fast_GET_SIZE(column)) { /* a setter changed a list column */
                PyErr_SetString(PyExc_RuntimeError, "build_frozen: a column changed size");
                goto fail;
            }
            PyObject *d = PySequence_Fast_GET_ITEM(fast, j), *v = PySequence_Fast_GET_ITEM(column, k);
            Py_INCREF(v);
            int rc = Py_TYPE(d)->tp_descr_set(d, obj, v);
            Py_DECREF(v);
            if (rc < 0)
                goto fail;
        }
    }
    Py_DECREF(empty);
    Py_DECREF(cols);
    Py_DECREF(fast);
    return out;
fail:
    Py_XDECREF(empty);
    Py_XDECREF(out); /* the instances made so far, and NULL for the rest */
    Py_XDECREF(cols);
    Py_DECREF(fast);
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Line offsets: twin of slopsift.document._line_spans_py
 *
 * For the pieces of text.split("\n"): each line's start (one past the previous line's end), end, and
 * whether it is empty or white space only (str.isspace). Offsets below len(ints) are ints' objects.
 */

static int
is_blank(PyObject *raw)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(raw);
    int kind = PyUnicode_KIND(raw);
    const void *data = PyUnicode_DATA(raw);
    for (Py_ssize_t i = 0; i < n; i++)
        if (!Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)))
            return 0;
    return 1;
}

static PyObject *
line_spans(PyObject *self, PyObject *args)
{
    PyObject *raws, *ints;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &raws, &PyTuple_Type, &ints))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(raws);
    if (n == 0) /* (str.split never gives that; the Python version's answer) */
        return Py_BuildValue("([i][][])", 0);
    PyObject *starts = PyList_New(n), *ends = PyList_New(n), *blank = PyList_New(n);
    if (starts == NULL || ends == NULL || blank == NULL)
        goto fail;
    Py_ssize_t pos = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *raw = PyList_GET_ITEM(raws, k);
        if (!PyUnicode_Check(raw)) {
            PyErr_SetString(PyExc_TypeError, "line_spans: the lines must be str");
            goto fail;
        }
        Py_ssize_t end = pos + PyUnicode_GET_LENGTH(raw);
        PyObject *a = offset_int(ints, pos), *b = offset_int(ints, end);
        if (a == NULL || b == NULL) {
            Py_XDECREF(a);
            Py_XDECREF(b);
            goto fail;
        }
        PyList_SET_ITEM(starts, k, a);
        PyList_SET_ITEM(ends, k, b);
        PyObject *bl = is_blank(raw) ? Py_True : Py_False;
        Py_INCREF(bl);
        PyList_SET_ITEM(blank, k, bl);
        pos = end + 1;
    }
    return Py_BuildValue("(NNN)", starts, ends, blank);
fail:
    Py_XDECREF(starts);
    Py_XDECREF(ends);
    Py_XDECREF(blank);
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Sentence blocks: twin of slopsift.document._blocks_py
 *
 * Runs of non-blank lines, cut after a line followed by a blank line, a heading line or a list item
 * (the `is_list_item` callable decides, asked only when nothing else cut), after a heading line, and
 * after a line that is shorter than 40 characters or ends (right-stripped) in one of `terminal`. Each
 * block is (start, where its text starts (left-stripped), where it ends (right-stripped), end).
 */

static PyObject *
blocks_of_lines(PyObject *self, PyObject *args)
{
    PyObject *raws, *starts, *ends, *blank, *heading_lines, *terminal, *is_list_item;
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!UO", &PyList_Type, &raws, &PyList_Type, &starts, &PyList_Type, &ends,
                          &PyList_Type, &blank, &PyFrozenSet_Type, &heading_lines, &terminal, &is_list_item))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(raws);
    if (PyList_GET_SIZE(starts) < n || PyList_GET_SIZE(ends) < n || PyList_GET_SIZE(blank) < n) {
        PyErr_SetString(PyExc_ValueError, "blocks_of_lines: a start, an end and a flag per line");
        return NULL;
    }
    int has_headings = PySet_GET_SIZE(heading_lines) > 0;
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    Py_ssize_t start = -1, first = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        /* (sizes re-read: is_list_item is arbitrary code) */
        if (i >= PyList_GET_SIZE(raws) || i >= PyList_GET_SIZE(starts) || i >= PyList_GET_SIZE(ends) ||
            i >= PyList_GET_SIZE(blank)) {
            PyErr_SetString(PyExc_RuntimeError, "blocks_of_lines: a list changed size");
            goto fail;
        }
        int b = PyObject_IsTrue(PyList_GET_ITEM(blank, i));
        if (b < 0)
            goto fail;
        if (b)
            continue;
        PyObject *raw = PyList_GET_ITEM(raws, i);
        if (!PyUnicode_Check(raw)) {
            PyErr_SetString(PyExc_TypeError, "blocks_of_lines: the lines must be str");
            goto fail;
        }
        int kind = PyUnicode_KIND(raw);
        const void *data = PyUnicode_DATA(raw);
        Py_ssize_t len = PyUnicode_GET_LENGTH(raw);
        Py_ssize_t line_start = PyLong_AsSsize_t(PyList_GET_ITEM(starts, i));
        if (line_start == -1 && PyErr_Occurred())
            goto fail;
        if (start < 0) {
            Py_ssize_t lead = 0;
            while (lead < len && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, lead)))
                lead++;
            start = line_start;
            first = start + lead;
        }
        Py_ssize_t s_len = len; /* len(raw.rstrip()) */
        while (s_len > 0 && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, s_len - 1)))
            s_len--;
        Py_ssize_t nxt = i + 1;
        int cut = nxt >= n || s_len < 40;
        if (!cut && (cut = PyObject_IsTrue(PyList_GET_ITEM(blank, nxt))) < 0)
            goto fail;
        for (int j = 0; j < 2 && !cut && has_headings; j++) {
            PyObject *line = PyLong_FromSsize_t(j == 0 ? i : nxt);
            if (line == NULL)
                goto fail;
            cut = PySet_Contains(heading_lines, line);
            Py_DECREF(line);
            if (cut < 0)
                goto fail;
        }
        if (!cut && s_len > 0) {
            Py_UCS4 last = PyUnicode_READ(kind, data, s_len - 1);
            Py_ssize_t nt = PyUnicode_GET_LENGTH(terminal);
            for (Py_ssize_t t = 0; t < nt && !cut; t++)
                cut = PyUnicode_READ_CHAR(terminal, t) == last;
        }
        if (!cut) {
            PyObject *r = PyObject_CallOneArg(is_list_item, PyList_GET_ITEM(raws, nxt));
            if (r == NULL)
                goto fail;
            cut = PyObject_IsTrue(r);
            Py_DECREF(r);
            if (cut < 0)
                goto fail;
        }
        if (cut) {
            Py_ssize_t line_end = PyLong_AsSsize_t(PyList_GET_ITEM(ends, i));
            if (line_end == -1 && PyErr_Occurred())
                goto fail;
            PyObject *block = Py_BuildValue("(nnnn)", start, first, line_start + s_len, line_end);
            if (block == NULL || PyList_Append(out, block) < 0) {
                Py_XDECREF(block);
                goto fail;
            }
            Py_DECREF(block);
            start = -1;
        }
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}


/* ---------------------------------------------------------------------------------------------
 * Function-word skeleton runs: twin of slopsift.signals.phrasing._score_py
 *
 * phrasing_table copies the fitted table (int64 run keys, float64 log-ratios) into an open-addressing
 * hash table held by a capsule, with what the skeleton and the evidence need: the word symbols (a dict),
 * the marks' symbols by code point, the key base, the longest run and the evidence settings.
 *
 * phrasing_score builds one document's skeleton as _skeleton does (the words' symbols merged in text
 * order with the marks that lie outside words), counts its runs of 1..nmax symbols in a second hash
 * table and returns the weighted mean of the table's ratios. Both sums (of weight * ratio and of the
 * weights, weight = log1p(count) from the C library, as math.log1p) are exactly rounded, math.fsum's
 * algorithm, so the order of the hash table does not matter and the value is the Python version's, bit
 * for bit. The weights are summed per count: m runs of count c add m * log1p(c), split exactly into two
 * doubles (Dekker's product). When the score reaches the evidence score it also returns the evidence
 * candidates (_candidates): the runs of the largest gains (weight * ratio; ties: the smaller key), those
 * of ratio >= min_ratio, each with its count, ratio and the text spans of its first places.
 */

#define PHRASING_CAPSULE "slopsift._speedups.phrasing_table"
#define PHRASING_MAX_RATIO 1e100 /* |ratio| bound: the exact sums can neither overflow nor meet inf/nan */
#define PHRASING_MAX_EVIDENCE ((Py_ssize_t)1 << 16)
#define LOG1P_SMALL 1024
#define FIB_HASH 0x9E3779B97F4A7C15ULL

typedef struct {
    int64_t key; /* 0: an empty slot (no run key is 0: every symbol id is at least 1) */
    double ratio;
} RatioSlot;

typedef struct {
    int64_t key;      /* 0: an empty slot */
    Py_ssize_t count; /* below 0 while the evidence places are found: -(candidate + 1) */
} RunSlot;

typedef struct {
    RatioSlot *slots;
    size_t mask;
    int shift; /* 64 - log2(number of slots) */
    PyObject *symbols; /* dict: word -> symbol id */
    unsigned char marks[256]; /* code point -> symbol id of the mark, 0 for none (and from 128) */
    int64_t base;
    int nmax;
    double evidence_score, min_ratio;
    Py_ssize_t n_candidates, n_spans;
} PhrasingTable;

typedef struct {
    int64_t key;
    Py_ssize_t count, slot;
    double ratio, gain;
} RunCandidate;

static double log1p_small[LOG1P_SMALL];

/* The run table of a document of moderate size (up to RUN_SCRATCH_SLOTS slots, 1 MB) is kept: all its slots
 * are empty between calls, so no memset per call. It is used only while no Python code runs;
 * `run_scratch_busy` guards it anyway. */
#define RUN_SCRATCH_SLOTS ((size_t)1 << 16)
static RunSlot *run_scratch = NULL;
static size_t run_scratch_slots = 0;
static int run_scratch_busy = 0;

static inline size_t
fib_slot(int64_t key, int shift)
{
    return (size_t)(((uint64_t)key * FIB_HASH) >> shift);
}

static int
log2_of(size_t pow2)
{
    int bits = 0;
    while (pow2 > 1) {
        pow2 >>= 1;
        bits++;
    }
    return bits;
}

static void
phrasing_table_free(PyObject *capsule)
{
    PhrasingTable *t = PyCapsule_GetPointer(capsule, PHRASING_CAPSULE);
    if (t == NULL) {
        PyErr_Clear();
        return;
    }
    PyMem_Free(t->slots);
    Py_XDECREF(t->symbols);
    PyMem_Free(t);
}

/* A 1-d buffer (any stride) of 8-byte items: int64 if `integer`, else float64. */
static int
get_vector8(PyObject *obj, Py_buffer *view, int integer, const char *what)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_RECORDS_RO) < 0)
        return -1;
    const char *f = view->format;
    int ok = view->ndim == 1 && view->itemsize == 8 && f != NULL;
    if (ok && (f[0] == '=' || f[0] == '<' || f[0] == '@'))
        f++;
    if (ok)
        ok = integer ? strcmp(f, "l") == 0 || strcmp(f, "q") == 0 : strcmp(f, "d") == 0;
    if (!ok) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_TypeError, "phrasing_table: %s must be a 1-d array of %s", what,
                     integer ? "int64" : "float64");
        return -1;
    }
    return 0;
}

static PyObject *
phrasing_table(PyObject *self, PyObject *args)
{
    PyObject *keys_obj, *ratios_obj, *symbols;
    const char *marks;
    Py_ssize_t marks_len, n_candidates, n_spans;
    long long base;
    int nmax;
    double evidence_score, min_ratio;
    if (!PyArg_ParseTuple(args, "OOO!y#Li(ddnn)", &keys_obj, &ratios_obj, &PyDict_Type, &symbols, &marks,
                          &marks_len, &base, &nmax, &evidence_score, &min_ratio, &n_candidates, &n_spans))
        return NULL;
    if (base < 2 || nmax < 1) {
        PyErr_SetString(PyExc_ValueError, "phrasing_table: base must be >= 2 and nmax >= 1");
        return NULL;
    }
    int64_t top = 1; /* base ** nmax: every key is below it */
    for (int k = 0; k < nmax; k++) {
        if (top > INT64_MAX / base) {
            PyErr_SetString(PyExc_ValueError, "phrasing_table: base ** nmax does not fit in 64 bits");
            return NULL;
        }
        top *= base;
    }
    if (marks_len != 128) {
        PyErr_SetString(PyExc_ValueError, "phrasing_table: marks must be 128 bytes, one per code point");
        return NULL;
    }
    for (int c = 0; c < 128; c++) {
        if ((unsigned char)marks[c] >= base) {
            PyErr_SetString(PyExc_ValueError, "phrasing_table: a mark's symbol id not below base");
            return NULL;
        }
    }
    if (n_candidates < 0 || n_candidates > PHRASING_MAX_EVIDENCE || n_spans < 1 || n_spans > PHRASING_MAX_EVIDENCE) {
        PyErr_SetString(PyExc_ValueError, "phrasing_table: evidence candidates in [0, 65536], spans in [1, 65536]");
        return NULL;
    }
    Py_buffer kv, rv;
    if (get_vector8(keys_obj, &kv, 1, "keys") < 0)
        return NULL;
    if (get_vector8(ratios_obj, &rv, 0, "ratios") < 0) {
        PyBuffer_Release(&kv);
        return NULL;
    }
    Py_ssize_t n = kv.shape[0];
    PhrasingTable *t = NULL;
    if (rv.shape[0] != n) {
        PyErr_SetString(PyExc_ValueError, "phrasing_table: as many ratios as keys");
        goto fail;
    }
    size_t slots = 16; /* a load of at most 3/4 */
    while (slots < (size_t)n + (size_t)n / 3 + 1)
        slots <<= 1;
    if ((t = PyMem_Calloc(1, sizeof *t)) == NULL || (t->slots = PyMem_Calloc(slots, sizeof(RatioSlot))) == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    t->mask = slots - 1;
    t->shift = 64 - log2_of(slots);
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t key;
        double ratio;
        memcpy(&key, (const char *)kv.buf + i * kv.strides[0], sizeof key);
        memcpy(&ratio, (const char *)rv.buf + i * rv.strides[0], sizeof ratio);
        if (!(fabs(ratio) <= PHRASING_MAX_RATIO)) {
            PyErr_SetString(PyExc_ValueError, "phrasing_table: a ratio that is not finite or above 1e100");
            goto fail;
        }
        if (key <= 0 || key >= top)
            continue; /* no run has such a key */
        size_t j = fib_slot(key, t->shift);
        while (t->slots[j].key != 0 && t->slots[j].key != key)
            j = (j + 1) & t->mask;
        if (t->slots[j].key == 0) { /* a key listed twice keeps its first ratio, as searchsorted finds it */
            t->slots[j].key = key;
            t->slots[j].ratio = ratio;
        }
    }
    PyBuffer_Release(&kv);
    PyBuffer_Release(&rv);
    for (int c = 0; c < 128; c++)
        t->marks[c] = (unsigned char)marks[c];
    t->base = base;
    t->nmax = nmax;
    t->evidence_score = evidence_score;
    t->min_ratio = min_ratio;
    t->n_candidates = n_candidates;
    t->n_spans = n_spans;
    Py_INCREF(symbols);
    t->symbols = symbols;
    for (int c = 0; c < LOG1P_SMALL; c++)
        log1p_small[c] = log1p((double)c); /* what math.log1p gives: the same C library function */
    PyObject *capsule = PyCapsule_New(t, PHRASING_CAPSULE, phrasing_table_free);
    if (capsule == NULL) {
        Py_DECREF(symbols);
        PyMem_Free(t->slots);
        PyMem_Free(t);
    }
    return capsule;
fail:
    if (t != NULL) {
        PyMem_Free(t->slots);
        PyMem_Free(t);
    }
    PyBuffer_Release(&kv);
    PyBuffer_Release(&rv);
    return NULL;
}

/* An exactly rounded sum of doubles: math.fsum's algorithm (Shewchuk's non-overlapping partials and
 * CPython's final half-even correction), for finite summands whose partial sums cannot overflow. */
typedef struct {
    double *p;
    Py_ssize_t n, m;
    double small[32];
} ExactSum;

static void
exact_init(ExactSum *s)
{
    s->p = s->small;
    s->n = 0;
    s->m = 32;
}

static void
exact_free(ExactSum *s)
{
    if (s->p != s->small)
        PyMem_Free(s->p);
    s->p = s->small;
}

static int
exact_add(ExactSum *s, double x)
{
    Py_ssize_t i = 0;
    for (Py_ssize_t j = 0; j < s->n; j++) {
        double y = s->p[j];
        if (fabs(x) < fabs(y)) {
            double t = x;
            x = y;
            y = t;
        }
        double hi = x + y;
        double yr = hi - x;
        double lo = y - yr;
        if (lo != 0.0)
            s->p[i++] = lo;
        x = hi;
    }
    s->n = i;
    if (x != 0.0) {
        if (s->n >= s->m) {
            Py_ssize_t m = 2 * s->m;
            double *p = s->p == s->small ? PyMem_Malloc((size_t)m * sizeof(double))
                                         : PyMem_Realloc(s->p, (size_t)m * sizeof(double));
            if (p == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            if (s->p == s->small)
                memcpy(p, s->small, sizeof s->small);
            s->p = p;
            s->m = m;
        }
        s->p[s->n++] = x;
    }
    return 0;
}

static double
exact_value(const ExactSum *s)
{
    const double *p = s->p;
    Py_ssize_t n = s->n;
    double hi = 0.0, lo = 0.0;
    if (n > 0) {
        hi = p[--n];
        while (n > 0) { /* from the top, until the sum becomes inexact */
            double x = hi, y = p[--n];
            hi = x + y;
            double yr = hi - x;
            lo = y - yr;
            if (lo != 0.0)
                break;
        }
        /* half-even rounding across partials */
        if (n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0))) {
            double y = lo * 2.0;
            double x = hi + y;
            double yr = x - hi;
            if (y == yr)
                hi = x;
        }
    }
    return hi;
}

/* a * b == *hi + *lo exactly (Dekker; no overflow or underflow for the weights' products) */
static inline void
two_product(double a, double b, double *hi, double *lo)
{
    const double split = 134217729.0; /* 2 ** 27 + 1 */
    double ca = split * a, cb = split * b;
    double ah = ca - (ca - a), al = a - ah;
    double bh = cb - (cb - b), bl = b - bh;
    *hi = a * b;
    *lo = ((ah * bh - *hi) + ah * bl + al * bh) + al * bl;
}

/* Reads a list of ints into `out` (no Python code runs: PyLong_AsSsize_t takes ints only). */
static int
read_ssizes(PyObject *list, Py_ssize_t n, Py_ssize_t *out)
{
    for (Py_ssize_t k = 0; k < n; k++) {
        out[k] = PyLong_AsSsize_t(PyList_GET_ITEM(list, k));
        if (out[k] == -1 && PyErr_Occurred())
            return -1;
    }
    return 0;
}

static inline int
candidate_before(const RunCandidate *a, const RunCandidate *b)
{
    return a->gain > b->gain || (a->gain == b->gain && a->key < b->key);
}

/* The evidence candidates as a list of (key, count, ratio, [(start, end), ...]); NULL on error. Marks the
 * candidates' slots in `runs` (count < 0). */
static PyObject *
phrasing_candidates(const PhrasingTable *t, RunSlot *runs, size_t mask, int shift, const Py_ssize_t *used,
                    const double *ratio_of, Py_ssize_t distinct, const int64_t *seq, Py_ssize_t len,
                    const Py_ssize_t *tstart, const Py_ssize_t *tend)
{
    Py_ssize_t cap = t->n_candidates < distinct ? t->n_candidates : distinct, nc = 0;
    RunCandidate *cand = PyMem_Malloc((size_t)(cap > 0 ? cap : 1) * sizeof(RunCandidate));
    Py_ssize_t *places = NULL, *nplaces = NULL;
    PyObject *out = NULL;
    if (cand == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    /* the `cap` runs of the largest gains (argsort(-gains, stable) over the ascending keys) */
    for (Py_ssize_t d = 0; d < distinct && cap > 0; d++) {
        const RunSlot *r = &runs[used[d]];
        double w = r->count < LOG1P_SMALL ? log1p_small[r->count] : log1p((double)r->count);
        RunCandidate c = {r->key, r->count, used[d], ratio_of[d], w * ratio_of[d]};
        if (nc == cap && !candidate_before(&c, &cand[nc - 1]))
            continue;
        Py_ssize_t at = nc < cap ? nc++ : nc - 1;
        while (at > 0 && candidate_before(&c, &cand[at - 1])) {
            cand[at] = cand[at - 1];
            at--;
        }
        cand[at] = c;
    }
    Py_ssize_t kept = 0; /* those of ratio >= min_ratio, in that order */
    for (Py_ssize_t c = 0; c < nc; c++)
        if (cand[c].ratio >= t->min_ratio)
            cand[kept++] = cand[c];
    nc = kept;
    if ((places = PyMem_Malloc((size_t)(nc > 0 ? nc : 1) * (size_t)(t->n_spans + 1) * sizeof(Py_ssize_t))) == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    nplaces = places + nc * t->n_spans;
    for (Py_ssize_t c = 0; c < nc; c++) {
        nplaces[c] = 0;
        runs[cand[c].slot].count = -(c + 1);
    }
    /* the first places of each: the run starts, ascending */
    Py_ssize_t filled = 0;
    for (Py_ssize_t i = 0; i < len && filled < nc; i++) {
        int64_t key = 0;
        Py_ssize_t stop = len - i < t->nmax ? len - i : t->nmax;
        for (Py_ssize_t k = 0; k < stop; k++) {
            key = key * t->base + seq[i + k];
            size_t h = fib_slot(key, shift);
            while (runs[h].key != key) /* every run is in the table */
                h = (h + 1) & mask;
            if (runs[h].count < 0) {
                Py_ssize_t c = -runs[h].count - 1;
                if (nplaces[c] < t->n_spans) {
                    places[c * t->n_spans + nplaces[c]++] = i;
                    filled += nplaces[c] == t->n_spans;
                }
            }
        }
    }
    if ((out = PyList_New(nc)) == NULL)
        goto done;
    for (Py_ssize_t c = 0; c < nc; c++) {
        int k = 0; /* the run's length: its number of digits */
        for (int64_t v = cand[c].key; v > 0; v /= t->base)
            k++;
        PyObject *spans = PyList_New(nplaces[c]);
        if (spans == NULL)
            goto fail;
        for (Py_ssize_t p = 0; p < nplaces[c]; p++) {
            Py_ssize_t i = places[c * t->n_spans + p];
            PyObject *span = Py_BuildValue("(nn)", tstart[i], tend[i + k - 1]);
            if (span == NULL) {
                Py_DECREF(spans);
                goto fail;
            }
            PyList_SET_ITEM(spans, p, span);
        }
        PyObject *item = Py_BuildValue("(LndN)", (long long)cand[c].key, cand[c].count, cand[c].ratio, spans);
        if (item == NULL)
            goto fail;
        PyList_SET_ITEM(out, c, item);
    }
    goto done;
fail:
    Py_CLEAR(out);
done:
    PyMem_Free(cand);
    PyMem_Free(places);
    return out;
}

static PyObject *
phrasing_score(PyObject *self, PyObject *args)
{
    PyObject *capsule, *words, *ids_obj, *initials, *text, *starts_obj, *ends_obj;
    int want_evidence = 1; /* false: the score alone (no candidates, whatever the score) */
    if (!PyArg_ParseTuple(args, "O!O!O!UUO!O!|p", &PyCapsule_Type, &capsule, &PyList_Type, &words, &PyList_Type,
                          &ids_obj, &initials, &text, &PyList_Type, &starts_obj, &PyList_Type, &ends_obj,
                          &want_evidence))
        return NULL;
    PhrasingTable *t = PyCapsule_GetPointer(capsule, PHRASING_CAPSULE);
    if (t == NULL)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(words);
    if (PyList_GET_SIZE(ids_obj) != n || PyList_GET_SIZE(starts_obj) != n || PyList_GET_SIZE(ends_obj) != n ||
        PyUnicode_GET_LENGTH(initials) != n) {
        PyErr_SetString(PyExc_ValueError, "phrasing_score: as many ids, initials, starts and ends as words");
        return NULL;
    }
    /* word k: first[k] (its first occurrence), ws[k], we[k]; sym[k]: its symbol id */
    Py_ssize_t *first = PyMem_Malloc((size_t)(n > 0 ? n : 1) * 3 * sizeof(Py_ssize_t));
    int64_t *sym = PyMem_Malloc((size_t)(n > 0 ? n : 1) * sizeof(int64_t));
    Py_ssize_t *cand = NULL, *tstart = NULL, *used = NULL;
    int64_t *seq = NULL;
    double *ratio_of = NULL;
    RunSlot *runs = NULL;
    int scratch = 0;
    Py_ssize_t distinct = 0, ncand = 0, capcand = 64, len = 0;
    ExactSum num, den;
    exact_init(&num);
    exact_init(&den);
    PyObject *result = NULL;
    if (first == NULL || sym == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t *ws = first + n, *we = first + 2 * n;
    if (read_ssizes(ids_obj, n, first) < 0 || read_ssizes(starts_obj, n, ws) < 0 ||
        read_ssizes(ends_obj, n, we) < 0)
        goto done;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (k > 0 && ws[k] < ws[k - 1]) {
            PyErr_SetString(PyExc_ValueError, "phrasing_score: word starts must ascend");
            goto done;
        }
        if (first[k] < 0 || first[k] > k) {
            PyErr_SetString(PyExc_IndexError, "phrasing_score: a word id that is not an earlier position");
            goto done;
        }
        if (first[k] < k) {
            sym[k] = sym[first[k]];
            continue;
        }
        if (k >= PyList_GET_SIZE(words)) { /* a key's __eq__ may have changed the list */
            PyErr_SetString(PyExc_RuntimeError, "phrasing_score: words changed size");
            goto done;
        }
        PyObject *w = PyList_GET_ITEM(words, k);
        Py_INCREF(w);
        PyObject *v = PyDict_GetItemWithError(t->symbols, w); /* borrowed */
        Py_DECREF(w);
        if (v == NULL) {
            if (PyErr_Occurred())
                goto done;
            sym[k] = 1; /* a word that is no function word */
            continue;
        }
        if (!PyLong_Check(v)) {
            PyErr_SetString(PyExc_TypeError, "phrasing_score: a word's symbol id must be an int");
            goto done;
        }
        long long id = PyLong_AsLongLong(v);
        if (id == -1 && PyErr_Occurred())
            goto done;
        if (id < 1 || id >= t->base) {
            PyErr_SetString(PyExc_ValueError, "phrasing_score: a word's symbol id not in [1, base)");
            goto done;
        }
        sym[k] = id;
    }
    {
        int kind = PyUnicode_KIND(initials);
        const void *data = PyUnicode_DATA(initials);
        for (Py_ssize_t k = 0; k < n; k++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, k);
            if (c >= '0' && c <= '9')
                sym[k] = 2; /* a number */
        }
    }
    /* the marks of the text, inside words or not */
    if ((cand = PyMem_Malloc((size_t)capcand * sizeof(Py_ssize_t))) == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t text_len = PyUnicode_GET_LENGTH(text);
#define SCAN_MARKS(T, TEST)                                                                                       \
    {                                                                                                             \
        const T *s = (const T *)data;                                                                             \
        for (Py_ssize_t p = 0; p < text_len; p++) {                                                               \
            if (TEST) {                                                                                           \
                if (ncand == capcand) {                                                                           \
                    Py_ssize_t *grown = PyMem_Realloc(cand, (size_t)capcand * 2 * sizeof(Py_ssize_t));            \
                    if (grown == NULL) {                                                                          \
                        PyErr_NoMemory();                                                                         \
                        goto done;                                                                                \
                    }                                                                                             \
                    cand = grown;                                                                                 \
                    capcand *= 2;                                                                                 \
                }                                                                                                 \
                cand[ncand++] = p;                                                                                \
            }                                                                                                     \
        }                                                                                                         \
    }
    if (kind == PyUnicode_1BYTE_KIND)
        SCAN_MARKS(Py_UCS1, t->marks[s[p]])
    else if (kind == PyUnicode_2BYTE_KIND)
        SCAN_MARKS(Py_UCS2, s[p] < 128 && t->marks[s[p]])
    else
        SCAN_MARKS(Py_UCS4, s[p] < 128 && t->marks[s[p]])
#undef SCAN_MARKS
    /* the skeleton: the words in order, each mark outside a word after the words that start at or before
     * it (and each token's text span, for the evidence) */
    size_t most = (size_t)n + (size_t)ncand + 1;
    seq = PyMem_Malloc(most * sizeof(int64_t));
    tstart = PyMem_Malloc(most * 2 * sizeof(Py_ssize_t));
    if (seq == NULL || tstart == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t *tend = tstart + most;
    {
        Py_ssize_t j = 0;
        for (Py_ssize_t c = 0; c < ncand; c++) {
            Py_ssize_t p = cand[c];
            for (; j < n && ws[j] <= p; j++) {
                tstart[len] = ws[j];
                tend[len] = we[j];
                seq[len++] = sym[j];
            }
            if (j == 0 || p >= we[j - 1]) {
                tstart[len] = p;
                tend[len] = p + 1;
                seq[len++] = t->marks[PyUnicode_READ(kind, data, p)];
            }
        }
        for (; j < n; j++) {
            tstart[len] = ws[j];
            tend[len] = we[j];
            seq[len++] = sym[j];
        }
    }
    /* count the runs (no Python code runs while the scratch table is in use) */
    size_t total = 0; /* runs of all lengths */
    for (int k = 1; k <= t->nmax; k++)
        total += len >= k ? (size_t)(len - k + 1) : 0;
    if (total == 0) {
        result = Py_BuildValue("(dO)", 0.0, Py_None);
        goto done;
    }
    size_t slots = 16;
    while (slots < 2 * total)
        slots <<= 1;
    int shift = 64 - log2_of(slots);
    size_t mask = slots - 1;
    if (slots <= RUN_SCRATCH_SLOTS && !run_scratch_busy) {
        if (run_scratch_slots < slots) { /* grown to the largest document seen */
            PyMem_Free(run_scratch);
            run_scratch_slots = 0;
            if ((run_scratch = PyMem_Calloc(slots, sizeof(RunSlot))) == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            run_scratch_slots = slots;
        }
        runs = run_scratch;
        scratch = run_scratch_busy = 1;
    }
    else if ((runs = PyMem_Calloc(slots, sizeof(RunSlot))) == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    if ((used = PyMem_Malloc(total * sizeof(Py_ssize_t))) == NULL ||
        (ratio_of = PyMem_Malloc(total * sizeof(double))) == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    const int64_t base = t->base;
    const Py_ssize_t nmax = t->nmax;
    for (Py_ssize_t i = 0; i < len; i++) {
        int64_t key = 0;
        Py_ssize_t stop = len - i < nmax ? len - i : nmax;
        for (Py_ssize_t k = 0; k < stop; k++) {
            key = key * base + seq[i + k];
            size_t h = fib_slot(key, shift);
            while (runs[h].key != 0 && runs[h].key != key)
                h = (h + 1) & mask;
            if (runs[h].key == 0) {
                runs[h].key = key;
                used[distinct++] = (Py_ssize_t)h;
            }
            runs[h].count++;
        }
    }
    /* the sums: weight * ratio per distinct run; the weights per count */
    Py_ssize_t per_count[LOG1P_SMALL] = {0};
    for (Py_ssize_t d = 0; d < distinct; d++) {
#if defined(__GNUC__)
        if (d + 8 < distinct)
            __builtin_prefetch(&t->slots[fib_slot(runs[used[d + 8]].key, t->shift)]);
#endif
        const RunSlot *r = &runs[used[d]];
        double w;
        if (r->count < LOG1P_SMALL) {
            per_count[r->count]++;
            w = log1p_small[r->count];
        }
        else {
            w = log1p((double)r->count);
            if (exact_add(&den, w) < 0)
                goto done;
        }
        size_t h = fib_slot(r->key, t->shift);
        while (t->slots[h].key != 0 && t->slots[h].key != r->key)
            h = (h + 1) & t->mask;
        ratio_of[d] = t->slots[h].key != 0 ? t->slots[h].ratio : 0.0;
        double product = w * ratio_of[d];
        if (product != 0.0 && exact_add(&num, product) < 0) /* as the Python version, no zero */
            goto done;
    }
    for (Py_ssize_t c = 1; c < LOG1P_SMALL; c++) {
        if (per_count[c] == 0)
            continue;
        double hi, lo;
        two_product((double)per_count[c], log1p_small[c], &hi, &lo);
        if (exact_add(&den, hi) < 0 || (lo != 0.0 && exact_add(&den, lo) < 0))
            goto done;
    }
    double score = exact_value(&num) / exact_value(&den);
    if (want_evidence && score >= t->evidence_score) {
        PyObject *candidates = phrasing_candidates(t, runs, mask, shift, used, ratio_of, distinct, seq, len, tstart, tend);
        if (candidates != NULL)
            result = Py_BuildValue("(dN)", score, candidates);
    }
    else
        result = Py_BuildValue("(dO)", score, Py_None);
done:
    if (scratch) { /* empty the slots taken, for the next call */
        for (Py_ssize_t d = 0; d < distinct; d++) {
            run_scratch[used[d]].key = 0;
            run_scratch[used[d]].count = 0;
        }
        run_scratch_busy = 0;
    }
    else
        PyMem_Free(runs);
    PyMem_Free(first);
    PyMem_Free(sym);
    PyMem_Free(cand);
    PyMem_Free(tstart);
    PyMem_Free(seq);
    PyMem_Free(used);
    PyMem_Free(ratio_of);
    exact_free(&num);
    exact_free(&den);
    return result;
}

/* ---------------------------------------------------------------------------------------------
 * Most repeated phrase: twin of slopsift.signals.repetition._phrase_py
 *
 * levels[j] = (first, counts, pos, gids) of the repeated (nmin + j)-grams (repetition._Level: ranks
 * number the repeated n-grams, first[r] is the id (first position) of rank r, pos/gids every position
 * whose n-gram repeats with its id). Candidates (count, n, rank) are visited best count first, then the
 * longer, then the earlier rank, and the visit stops at the first that cannot beat the best
 * found. A candidate needs content words (is_content(word) is called for each of its n words, as the
 * Python version does), two or more occurrences inside one sentence (bisect_right of p and of p + n - 1
 * in sentence_ends agree) and must not be a name: its content words upper case (Py_UNICODE_ISUPPER, what
 * str.isupper says of one character) at text[starts[p + offset]] in more than half of them.
 *
 * The candidates come off a binary heap (a few are visited, so a full sort would be wasted). As in
 * _phrase_py, a level's first few look-ups scan its lists from the n-gram's first occurrence; after that
 * its occurrences are chained by rank once, so a look-up costs its occurrences (no quadratic worst case).
 * Input must be what repetition builds (consistent levels, positions and ids inside the words); anything
 * else raises or gives some answer, never a read out of bounds.
 */

#define PHRASE_MAX_N 7 /* _phrase_py packs count * 8 + n: its order holds for n up to 7 */
/* bisect.bisect_left(list, x, lo, hi) over a list of ints (the same probes, so the same answer on any list
 * of ints); -1 with an error set when a probed item is not an int. No Python code runs. */
static Py_ssize_t
list_bisect_left(PyObject *list, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t x)
{
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2, v = PyLong_AsSsize_t(PyList_GET_ITEM(list, mid));
        if (v == -1 && PyErr_Occurred())
            return -1;
        if (v < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The occurrences of n-gram `gid` at a level of repetition._repeated_ngrams (pos sorted, gids beside it;
 * an n-gram's id is its first position, so its occurrences start at list_bisect_left(pos, .., gid), which
 * the caller passes as `from`): pos[k] of the first `want` k >= from with gids[k] == gid, into `out` (room
 * for min(want, len(pos) - from)). Their number, or -1 with an error set. Both lists as long as each other
 * (the caller checks); no Python code runs. */
static Py_ssize_t
gid_positions(PyObject *pos, PyObject *gids, Py_ssize_t from, Py_ssize_t gid, Py_ssize_t want, Py_ssize_t *out)
{
    Py_ssize_t npos = PyList_GET_SIZE(pos), found = 0;
    for (Py_ssize_t k = from; k < npos && found < want; k++) {
        Py_ssize_t v = PyLong_AsSsize_t(PyList_GET_ITEM(gids, k));
        if (v == -1 && PyErr_Occurred())
            return -1;
        if (v == gid) {
            Py_ssize_t q = PyLong_AsSsize_t(PyList_GET_ITEM(pos, k));
            if (q == -1 && PyErr_Occurred())
                return -1;
            out[found++] = q;
        }
    }
    return found;
}

#define PHRASE_SCANS 4 /* look-ups of a level by scanning, before its occurrences are chained */

typedef struct {
    Py_ssize_t count, rank;
    int n;
} PhraseCand;

/* Visited first: the higher count, then the longer, then the earlier (lower rank). */
static inline int
phrase_better(const PhraseCand *a, const PhraseCand *b)
{
    return a->count > b->count || (a->count == b->count && (a->n > b->n || (a->n == b->n && a->rank < b->rank)));
}

/* Restores the heap (best at 0) below index i of h[0..n). */
static void
phrase_sift(PhraseCand *h, Py_ssize_t n, Py_ssize_t i)
{
    PhraseCand x = h[i];
    for (;;) {
        Py_ssize_t c = 2 * i + 1; /* n is far below PY_SSIZE_T_MAX / 2 (an allocation of n candidates) */
        if (c >= n)
            break;
        if (c + 1 < n && phrase_better(&h[c + 1], &h[c]))
            c++;
        if (!phrase_better(&h[c], &x))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
}

typedef struct {
    PyObject *pos, *gids;  /* held references */
    Py_ssize_t nfirst, npos, scans;
    Py_ssize_t *first;     /* nfirst ids, and then nfirst counts (one allocation) */
    Py_ssize_t *at;        /* npos positions, then next[npos], then head[nfirst]; NULL until chained */
} PhraseLevel;

/* Python's bisect.bisect_left / bisect_right (the same probes, so the same answer on any list). */
static Py_ssize_t
bisect_ssize(const Py_ssize_t *a, Py_ssize_t n, Py_ssize_t x, int right)
{
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (right ? x < a[mid] : a[mid] >= x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Reads the level's positions and chains the occurrences of each rank, ascending: head[r] is the index of
 * its first, next[k] the index of the one after k (-1 ends a chain). An id that is no rank's is left out. */
static int
phrase_chain(PhraseLevel *lv)
{
    Py_ssize_t npos = PyList_GET_SIZE(lv->pos);
    if (PyList_GET_SIZE(lv->gids) != npos) {
        PyErr_SetString(PyExc_ValueError, "top_phrase: a level's pos and gids differ in length");
        return -1;
    }
    if ((size_t)npos > (PY_SSIZE_T_MAX / sizeof(Py_ssize_t) - (size_t)lv->nfirst) / 2 - 1) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t *at = PyMem_Malloc(((size_t)(2 * npos + lv->nfirst) + 1) * sizeof(Py_ssize_t));
    if (at == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t *next = at + npos, *head = at + 2 * npos;
    for (Py_ssize_t r = 0; r < lv->nfirst; r++)
        head[r] = -1;
    if (read_ssizes(lv->pos, npos, at) < 0) {
        PyMem_Free(at);
        return -1;
    }
    for (Py_ssize_t k = npos - 1; k >= 0; k--) {
        Py_ssize_t g = PyLong_AsSsize_t(PyList_GET_ITEM(lv->gids, k));
        if (g == -1 && PyErr_Occurred()) {
            PyMem_Free(at);
            return -1;
        }
        Py_ssize_t r = bisect_ssize(lv->first, lv->nfirst, g, 0);
        next[k] = -1;
        if (r < lv->nfirst && lv->first[r] == g) {
            next[k] = head[r];
            head[r] = k;
        }
    }
    lv->at = at;
    lv->npos = npos;
    return 0;
}

/* Whether the character at text[starts[idx]] is upper case: 1, 0, or -1 with an exception set. */
static int
phrase_upper_at(PyObject *text, PyObject *starts, Py_ssize_t idx)
{
    if (idx < 0 || idx >= PyList_GET_SIZE(starts)) {
        PyErr_SetString(PyExc_IndexError, "top_phrase: a word index past the word starts");
        return -1;
    }
    Py_ssize_t s = PyLong_AsSsize_t(PyList_GET_ITEM(starts, idx));
    if (s == -1 && PyErr_Occurred())
        return -1;
    if (s < 0 || s >= PyUnicode_GET_LENGTH(text)) {
        PyErr_SetString(PyExc_IndexError, "top_phrase: a word start outside the text");
        return -1;
    }
    return Py_UNICODE_ISUPPER(PyUnicode_READ_CHAR(text, s)) != 0;
}

/* Makes room for `need` positions in *buf (capacity *cap). */
static int
phrase_reserve(Py_ssize_t **buf, Py_ssize_t *cap, Py_ssize_t need)
{
    if (need <= *cap)
        return 0;
    Py_ssize_t *grown = PyMem_Realloc(*buf, ((size_t)need + 1) * sizeof(Py_ssize_t));
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    *buf = grown;
    *cap = need;
    return 0;
}

/* The positions of the n-gram of rank g of `lv`, ascending, into *buf; their number, or -1 on error. A
 * scan from the first occurrence (bisect_left of its id in pos) that stops after `count` of them, or once
 * the level is chained, its chain. */
static Py_ssize_t
phrase_occurrences(PhraseLevel *lv, Py_ssize_t g, Py_ssize_t **buf, Py_ssize_t *cap)
{
    Py_ssize_t found = 0;
    if (lv->at == NULL && lv->scans >= PHRASE_SCANS && phrase_chain(lv) < 0)
        return -1;
    if (lv->at != NULL) {
        if (phrase_reserve(buf, cap, lv->npos) < 0)
            return -1;
        const Py_ssize_t *next = lv->at + lv->npos, *head = lv->at + 2 * lv->npos;
        for (Py_ssize_t q = head[g]; q >= 0; q = next[q])
            (*buf)[found++] = lv->at[q];
        return found;
    }
    lv->scans++;
    Py_ssize_t gid = lv->first[g], want = lv->first[lv->nfirst + g], npos = PyList_GET_SIZE(lv->pos);
    if (PyList_GET_SIZE(lv->gids) != npos) {
        PyErr_SetString(PyExc_ValueError, "top_phrase: a level's pos and gids differ in length");
        return -1;
    }
    Py_ssize_t lo = list_bisect_left(lv->pos, 0, npos, gid);
    if (lo < 0 || phrase_reserve(buf, cap, npos - lo < want ? npos - lo : want) < 0)
        return -1;
    return gid_positions(lv->pos, lv->gids, lo, gid, want, *buf);
}

static PyObject *
top_phrase(PyObject *self, PyObject *args)
{
    PyObject *levels, *words, *is_content, *text, *starts, *ends;
    Py_ssize_t nmin;
    if (!PyArg_ParseTuple(args, "O!nO!OUO!O!", &PyList_Type, &levels, &nmin, &PyList_Type, &words, &is_content,
                          &text, &PyList_Type, &starts, &PyList_Type, &ends))
        return NULL;
    Py_ssize_t nl = PyList_GET_SIZE(levels);
    if (nmin < 1 || nl > PHRASE_MAX_N || nmin > PHRASE_MAX_N - nl + 1) {
        PyErr_SetString(PyExc_ValueError, "top_phrase: n-gram lengths must lie in 1..7");
        return NULL;
    }
    PhraseLevel lv[PHRASE_MAX_N];
    memset(lv, 0, sizeof lv);
    PhraseCand *cands = NULL;
    Py_ssize_t *sent_ends = NULL, *cur = NULL, cur_cap = 0;
    PyObject *best = NULL, *result = NULL;
    Py_ssize_t total = 0;
    for (Py_ssize_t j = 0; j < nl; j++) {
        PyObject *t = PyList_GET_ITEM(levels, j), *first, *counts;
        if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 4) {
            PyErr_SetString(PyExc_TypeError, "top_phrase: a level must be (first, counts, pos, gids)");
            goto done;
        }
        first = PyTuple_GET_ITEM(t, 0);
        counts = PyTuple_GET_ITEM(t, 1);
        if (!PyList_Check(first) || !PyList_Check(counts) || !PyList_Check(PyTuple_GET_ITEM(t, 2)) ||
            !PyList_Check(PyTuple_GET_ITEM(t, 3))) {
            PyErr_SetString(PyExc_TypeError, "top_phrase: a level's columns must be lists");
            goto done;
        }
        /* held: is_content (Python code) could empty `levels` before the positions are read */
        lv[j].pos = Py_NewRef(PyTuple_GET_ITEM(t, 2));
        lv[j].gids = Py_NewRef(PyTuple_GET_ITEM(t, 3));
        Py_ssize_t nf = PyList_GET_SIZE(first);
        if (PyList_GET_SIZE(counts) != nf) {
            PyErr_SetString(PyExc_ValueError, "top_phrase: a level's first and counts differ in length");
            goto done;
        }
        if ((lv[j].first = PyMem_Malloc(((size_t)(2 * nf) + 1) * sizeof(Py_ssize_t))) == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        lv[j].nfirst = nf;
        if (read_ssizes(first, nf, lv[j].first) < 0 || read_ssizes(counts, nf, lv[j].first + nf) < 0)
            goto done;
        total += nf; /* list lengths: the sum of seven cannot overflow */
    }
    if ((size_t)total >= PY_SSIZE_T_MAX / sizeof(PhraseCand) ||
        (cands = PyMem_Malloc(((size_t)total + 1) * sizeof(PhraseCand))) == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t k = 0;
    for (Py_ssize_t j = 0; j < nl; j++)
        for (Py_ssize_t r = 0; r < lv[j].nfirst; r++) {
            cands[k].count = lv[j].first[lv[j].nfirst + r];
            cands[k].rank = r;
            cands[k].n = (int)(nmin + j);
            k++;
        }
    for (Py_ssize_t i = total / 2 - 1; i >= 0; i--)
        phrase_sift(cands, total, i);
    Py_ssize_t ne = PyList_GET_SIZE(ends);
    if ((sent_ends = PyMem_Malloc(((size_t)ne + 1) * sizeof(Py_ssize_t))) == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    if (read_ssizes(ends, ne, sent_ends) < 0)
        goto done;
    Py_ssize_t best_c = 0, best_g = 0;
    int best_n = 0;
    for (Py_ssize_t left = total; left > 0;) {
        Py_ssize_t c = cands[0].count, g = cands[0].rank;
        int n = cands[0].n;
        cands[0] = cands[--left]; /* pop the best */
        phrase_sift(cands, left, 0);
        if (best_c && (c < best_c || (c == best_c && (n < best_n || (n == best_n && g > best_g)))))
            break; /* neither this nor any later candidate can win */
        PhraseLevel *L = &lv[n - nmin];
        Py_ssize_t i = L->first[g];
        int offsets[PHRASE_MAX_N], ncontent = 0;
        for (int o = 0; o < n; o++) {
            if (i < 0 || i > PyList_GET_SIZE(words) - n) { /* checked again: is_content may change the list */
                PyErr_SetString(PyExc_IndexError, "top_phrase: an n-gram past the words");
                goto done;
            }
            PyObject *w = PyList_GET_ITEM(words, i + o);
            Py_INCREF(w);
            PyObject *r = PyObject_CallOneArg(is_content, w);
            Py_DECREF(w);
            if (r == NULL)
                goto done;
            int yes = PyObject_IsTrue(r);
            Py_DECREF(r);
            if (yes < 0)
                goto done;
            if (yes)
                offsets[ncontent++] = o;
        }
        if (ncontent < (n == 2 ? 2 : 1))
            continue;
        Py_ssize_t nocc = phrase_occurrences(L, g, &cur, &cur_cap), npos = 0;
        if (nocc < 0)
            goto done;
        for (Py_ssize_t q = 0; q < nocc; q++) { /* kept in place: npos <= q */
            Py_ssize_t p = cur[q];
            if (p < 0 || p > PY_SSIZE_T_MAX - PHRASE_MAX_N) {
                PyErr_SetString(PyExc_ValueError, "top_phrase: a position out of range");
                goto done;
            }
            /* inside one sentence: no sentence end at p + 1 .. p + n - 1 */
            if (bisect_ssize(sent_ends, ne, p, 1) == bisect_ssize(sent_ends, ne, p + n - 1, 1))
                cur[npos++] = p;
        }
        if (npos < 2)
            continue;
        if (best_c && (npos < best_c || (npos == best_c && (n < best_n || (n == best_n && g >= best_g)))))
            continue; /* cannot win, name or not */
        Py_ssize_t named = 0;
        for (Py_ssize_t q = 0; q < npos; q++) {
            int all = 1;
            for (int o = 0; o < ncontent; o++) { /* every one read, as the Python version does */
                int up = phrase_upper_at(text, starts, cur[q] + offsets[o]);
                if (up < 0)
                    goto done;
                all &= up;
            }
            named += all;
        }
        if (named > npos - named) /* capitalised in most occurrences: a name */
            continue;
        PyObject *found = list_of_ssize(cur, npos);
        if (found == NULL)
            goto done;
        Py_XDECREF(best);
        best = found;
        best_c = npos;
        best_n = n;
        best_g = g;
    }
    if (best_c)
        result = Py_BuildValue("(niO)", best_c, best_n, best);
    else
        result = Py_BuildValue("(iiN)", 0, 0, PyList_New(0));
done:
    for (Py_ssize_t j = 0; j < nl; j++) {
        PyMem_Free(lv[j].first);
        PyMem_Free(lv[j].at);
        Py_XDECREF(lv[j].pos);
        Py_XDECREF(lv[j].gids);
    }
    PyMem_Free(cands);
    PyMem_Free(sent_ends);
    PyMem_Free(cur);
    Py_XDECREF(best);
    return result;
}

/* ---------------------------------------------------------------------------------------------
 * Characters covered by repeated n-grams: twins of slopsift.signals.repetition._top_ngram_py and
 * _repeat_runs_py
 *
 * A level is repetition._Level's lists: first[r] and counts[r] of each repeated n-gram (its rank r), and
 * pos/gids of every position whose n-gram repeats. Word windows [p, p + n) at ascending positions merge
 * into runs where they overlap or touch; a run's characters are its words' lengths, the words past the
 * end of `words` left out as a Python slice leaves them out.
 */

/* The characters of words[s:e] as Python slices them (0 <= s), added to *total; -1 on error. */
static int
cover_add(PyObject *words, Py_ssize_t s, Py_ssize_t e, long long *total)
{
    Py_ssize_t nw = PyList_GET_SIZE(words);
    if (e > nw)
        e = nw;
    for (Py_ssize_t k = s; k < e; k++) {
        PyObject *w = PyList_GET_ITEM(words, k);
        if (!PyUnicode_Check(w)) {
            PyErr_SetString(PyExc_TypeError, "ngram cover: words must be str");
            return -1;
        }
        if (__builtin_add_overflow(*total, (long long)PyUnicode_GET_LENGTH(w), total)) {
            PyErr_SetString(PyExc_OverflowError, "ngram cover: covered characters overflow");
            return -1;
        }
    }
    return 0;
}

/* One more window start p (ascending) of width n into the runs in progress: closes the run [*s, *e) into
 * `firsts`/`ends` (when not NULL) and *covered when p leaves a gap. -1 on error. */
static int
cover_push(PyObject *words, Py_ssize_t p, Py_ssize_t n, Py_ssize_t *s, Py_ssize_t *e, long long *covered,
           PyObject *firsts, PyObject *ends)
{
    if (p < 0 || p > PY_SSIZE_T_MAX - n) {
        PyErr_SetString(PyExc_ValueError, "ngram cover: a position out of range");
        return -1;
    }
    if (*e >= 0 && p <= *e) { /* overlaps or touches the run in progress */
        if (p + n > *e)
            *e = p + n;
        return 0;
    }
    if (*e >= 0) {
        if (cover_add(words, *s, *e, covered) < 0)
            return -1;
        if (firsts != NULL && (append_index(firsts, *s) < 0 || append_index(ends, *e) < 0))
            return -1;
    }
    *s = p;
    *e = p + n;
    return 0;
}

/* Closes the run in progress, if any. */
static int
cover_close(PyObject *words, Py_ssize_t s, Py_ssize_t e, long long *covered, PyObject *firsts, PyObject *ends)
{
    if (e < 0)
        return 0;
    if (cover_add(words, s, e, covered) < 0)
        return -1;
    if (firsts != NULL && (append_index(firsts, s) < 0 || append_index(ends, e) < 0))
        return -1;
    return 0;
}

static int
cover_level_args(PyObject *pos, PyObject *gids, Py_ssize_t n)
{
    if (PyList_GET_SIZE(pos) != PyList_GET_SIZE(gids)) {
        PyErr_SetString(PyExc_ValueError, "ngram cover: pos and gids differ in length");
        return -1;
    }
    if (n < 1 || n > 1024) {
        PyErr_SetString(PyExc_ValueError, "ngram cover: n must lie in 1..1024");
        return -1;
    }
    return 0;
}

static PyObject *
repeat_runs(PyObject *self, PyObject *args)
{
    PyObject *pos, *gids, *words;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "O!O!nO!", &PyList_Type, &pos, &PyList_Type, &gids, &n, &PyList_Type, &words))
        return NULL;
    if (cover_level_args(pos, gids, n) < 0)
        return NULL;
    PyObject *firsts = PyList_New(0), *ends = PyList_New(0);
    if (firsts == NULL || ends == NULL)
        goto fail;
    Py_ssize_t s = -1, e = -1;
    long long covered = 0;
    /* sizes read again each time: an allocation may run a finalizer that changes the lists */
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(pos) && k < PyList_GET_SIZE(gids); k++) {
        Py_ssize_t p = PyLong_AsSsize_t(PyList_GET_ITEM(pos, k));
        if (p == -1 && PyErr_Occurred())
            goto fail;
        Py_ssize_t g = PyLong_AsSsize_t(PyList_GET_ITEM(gids, k));
        if (g == -1 && PyErr_Occurred())
            goto fail;
        if (p != g && cover_push(words, p, n, &s, &e, &covered, firsts, ends) < 0) /* a repeat */
            goto fail;
    }
    if (cover_close(words, s, e, &covered, firsts, ends) < 0)
        goto fail;
    return Py_BuildValue("(L(NN))", covered, firsts, ends);
fail:
    Py_XDECREF(firsts);
    Py_XDECREF(ends);
    return NULL;
}

static PyObject *
top_ngram(PyObject *self, PyObject *args)
{
    PyObject *first, *counts, *pos, *gids, *words, *ids;
    Py_ssize_t n, tie_cap;
    if (!PyArg_ParseTuple(args, "O!O!O!O!nO!O!n", &PyList_Type, &first, &PyList_Type, &counts, &PyList_Type, &pos,
                          &PyList_Type, &gids, &n, &PyList_Type, &words, &PyList_Type, &ids, &tie_cap))
        return NULL;
    if (cover_level_args(pos, gids, n) < 0)
        return NULL;
    Py_ssize_t nr = PyList_GET_SIZE(counts);
    if (PyList_GET_SIZE(first) != nr) {
        PyErr_SetString(PyExc_ValueError, "top_ngram: first and counts differ in length");
        return NULL;
    }
    if (nr == 0)
        return Py_BuildValue("(ii)", 0, -1);
    Py_ssize_t top = 0;
    for (Py_ssize_t r = 0; r < nr; r++) {
        Py_ssize_t c = PyLong_AsSsize_t(PyList_GET_ITEM(counts, r));
        if (c == -1 && PyErr_Occurred())
            return NULL;
        if (r == 0 || c > top)
            top = c;
    }
    long long best_chars = -1;
    Py_ssize_t best_g = -1, tied = 0;
    for (Py_ssize_t g = 0; g < nr && tied < tie_cap; g++) { /* in order of first occurrence */
        Py_ssize_t c = PyLong_AsSsize_t(PyList_GET_ITEM(counts, g));
        if (c == -1 && PyErr_Occurred())
            return NULL;
        if (c != top)
            continue;
        tied++;
        Py_ssize_t f = PyLong_AsSsize_t(PyList_GET_ITEM(first, g));
        if (f == -1 && PyErr_Occurred())
            return NULL;
        if (f < 0 || f > PyList_GET_SIZE(ids) - n) {
            PyErr_SetString(PyExc_IndexError, "top_ngram: an n-gram past the word ids");
            return NULL;
        }
        /* a period d < n (ids[f + j] == ids[f + d + j] for all j) lets occurrences overlap; ids are
         * read as ints (no Python __eq__ runs, so the lists cannot change under this loop) */
        Py_ssize_t win[1024];
        for (Py_ssize_t j = 0; j < n; j++) {
            win[j] = PyLong_AsSsize_t(PyList_GET_ITEM(ids, f + j));
            if (win[j] == -1 && PyErr_Occurred())
                return NULL;
        }
        int periodic = 0;
        for (Py_ssize_t d = 1; d < n && !periodic; d++) {
            periodic = 1;
            for (Py_ssize_t j = 0; j + d < n && periodic; j++)
                periodic = win[j] == win[j + d];
        }
        long long chars = 0;
        if (periodic) { /* the union of its windows, positions from a scan from the first one */
            Py_ssize_t np = PyList_GET_SIZE(pos), s = -1, e = -1;
            Py_ssize_t lo = list_bisect_left(pos, 0, np, f);
            if (lo < 0)
                return NULL;
            Py_ssize_t room = np - lo < c ? np - lo : c;
            Py_ssize_t *at = PyMem_Malloc((size_t)(room > 0 ? room : 1) * sizeof(Py_ssize_t));
            if (at == NULL)
                return PyErr_NoMemory();
            Py_ssize_t found = gid_positions(pos, gids, lo, f, c, at);
            for (Py_ssize_t k = 0; k < found; k++) {
                if (cover_push(words, at[k], n, &s, &e, &chars, NULL, NULL) < 0) {
                    found = -1;
                    break;
                }
            }
            PyMem_Free(at);
            if (found < 0 || cover_close(words, s, e, &chars, NULL, NULL) < 0)
                return NULL;
        }
        else {
            long long one = 0;
            if (cover_add(words, f, f + n, &one) < 0)
                return NULL;
            if (__builtin_mul_overflow((long long)top, one, &chars)) {
                PyErr_SetString(PyExc_OverflowError, "top_ngram: covered characters overflow");
                return NULL;
            }
        }
        if (chars > best_chars) {
            best_chars = chars;
            best_g = g;
        }
    }
    return Py_BuildValue("(Ln)", best_chars, best_g);
}

/* ---------------------------------------------------------------------------------------------
 * Lines with a letter: twin of slopsift.signals.repetition._letter_lines_py
 *
 * The indices of the strings holding a character that re's [^\W\d_] matches in a str pattern: a word
 * character (Py_UNICODE_ISALNUM, or '_') that is no decimal digit (Py_UNICODE_ISDECIMAL) and not '_'.
 */

static PyObject *
letter_lines(PyObject *self, PyObject *args)
{
    PyObject *raws;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &raws))
        return NULL;
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(raws); i++) { /* size read again: append may run a finalizer */
        PyObject *raw = PyList_GET_ITEM(raws, i);
        if (!PyUnicode_Check(raw)) {
            PyErr_SetString(PyExc_TypeError, "letter_lines: lines must be str");
            Py_DECREF(out);
            return NULL;
        }
        int kind = PyUnicode_KIND(raw);
        const void *data = PyUnicode_DATA(raw);
        Py_ssize_t n = PyUnicode_GET_LENGTH(raw);
        int found = 0;
        for (Py_ssize_t k = 0; k < n && !found; k++) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, k);
            if (ch < 128)
                found = (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z';
            else
                found = Py_UNICODE_ISALNUM(ch) && !Py_UNICODE_ISDECIMAL(ch);
        }
        if (found && append_index(out, i) < 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
}

/* ---------------------------------------------------------------------------------------------
 * Word ranges: twins of slopsift.signals.repetition._bisect_lefts_py and _covered
 *
 * bisect_lefts: bisect.bisect_left(a, x) for each x (the same probes, so the same answer on any list of
 * ints). covered_chars: the characters of the words in the ranges [firsts[k], ends[k]) as Python slices
 * them (cover_add).
 */

static PyObject *
bisect_lefts(PyObject *self, PyObject *args)
{
    PyObject *a, *xs;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &a, &PyList_Type, &xs))
        return NULL;
    Py_ssize_t nx = PyList_GET_SIZE(xs);
    PyObject *out = PyList_New(nx);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < nx; i++) {
        /* both sizes read again: PyLong_FromSsize_t may run a finalizer that changes the lists */
        if (i >= PyList_GET_SIZE(xs)) {
            PyErr_SetString(PyExc_RuntimeError, "bisect_lefts: the list changed size");
            goto fail;
        }
        Py_ssize_t x = PyLong_AsSsize_t(PyList_GET_ITEM(xs, i));
        if (x == -1 && PyErr_Occurred())
            goto fail;
        Py_ssize_t lo = list_bisect_left(a, 0, PyList_GET_SIZE(a), x);
        if (lo < 0)
            goto fail;
        PyObject *at = PyLong_FromSsize_t(lo);
        if (at == NULL)
            goto fail;
        PyList_SET_ITEM(out, i, at);
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

static PyObject *
covered_chars(PyObject *self, PyObject *args)
{
    PyObject *firsts, *ends, *words;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyList_Type, &firsts, &PyList_Type, &ends, &PyList_Type, &words))
        return NULL;
    if (PyList_GET_SIZE(firsts) != PyList_GET_SIZE(ends)) {
        PyErr_SetString(PyExc_ValueError, "covered_chars: as many ends as firsts");
        return NULL;
    }
    long long total = 0;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(firsts); k++) { /* no Python code runs in this loop */
        Py_ssize_t s = PyLong_AsSsize_t(PyList_GET_ITEM(firsts, k));
        if (s == -1 && PyErr_Occurred())
            return NULL;
        Py_ssize_t e = PyLong_AsSsize_t(PyList_GET_ITEM(ends, k));
        if (e == -1 && PyErr_Occurred())
            return NULL;
        if (s < 0 || e < 0) {
            PyErr_SetString(PyExc_ValueError, "covered_chars: a negative word index");
            return NULL;
        }
        if (cover_add(words, s, e, &total) < 0)
            return NULL;
    }
    return PyLong_FromLongLong(total);
}

/* ---------------------------------------------------------------------------------------------
 * Code lines: twin of slopsift.structure._code_lines_py
 *
 * One pass over the lines (starts, ends, blankness) of `text`: a fence (up to three spaces, then three or
 * more ` or ~, read within the line's first 12 characters, as the Python version reads its `head`) opens
 * a fenced block, which runs to a fence of the same character at least as long; an indented line (four
 * spaces, or up to three and a tab) after a blank or code line is code unless is_list_item says it is a
 * list item (called with the line's first 40 characters). Returns a frozenset of line indices, or None
 * when a non-blank line's span is not inside the text (the caller then runs the Python version).
 */

static PyObject *
code_lines(PyObject *self, PyObject *args)
{
    PyObject *text, *starts, *ends, *blank, *is_list_item;
    int fenced;
    if (!PyArg_ParseTuple(args, "UO!O!O!pO", &text, &PyList_Type, &starts, &PyList_Type, &ends, &PyList_Type,
                          &blank, &fenced, &is_list_item))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(starts);
    if (PyList_GET_SIZE(ends) != n || PyList_GET_SIZE(blank) != n) {
        PyErr_SetString(PyExc_ValueError, "code_lines: a start, an end and a flag per line");
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    PyObject *code = PyList_New(0);
    if (code == NULL)
        return NULL;
    Py_UCS4 fence_char = 0; /* 0: no fence open */
    Py_ssize_t fence_len = 0;
    int prev_blank_or_code = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        /* (sizes re-read: is_list_item is arbitrary code) */
        if (i >= PyList_GET_SIZE(starts) || i >= PyList_GET_SIZE(ends) || i >= PyList_GET_SIZE(blank)) {
            PyErr_SetString(PyExc_RuntimeError, "code_lines: a list changed size");
            goto fail;
        }
        int b = PyObject_IsTrue(PyList_GET_ITEM(blank, i));
        if (b < 0)
            goto fail;
        /* __bool__ is arbitrary code too: the lists may have shrunk */
        if (i >= PyList_GET_SIZE(starts) || i >= PyList_GET_SIZE(ends)) {
            PyErr_SetString(PyExc_RuntimeError, "code_lines: a list changed size");
            goto fail;
        }
        int is_code = 0;
        if (b) {
            if (fence_char && append_index(code, i) < 0)
                goto fail;
            prev_blank_or_code = 1;
            continue;
        }
        Py_ssize_t start = PyLong_AsSsize_t(PyList_GET_ITEM(starts, i));
        if (start == -1 && PyErr_Occurred())
            goto fail;
        Py_ssize_t end = PyLong_AsSsize_t(PyList_GET_ITEM(ends, i));
        if (end == -1 && PyErr_Occurred())
            goto fail;
        if (start < 0 || start >= len || end < start || end > len)
            goto give_up;
        Py_UCS4 c = PyUnicode_READ(kind, data, start);
        if (c == ' ' || c == '\t' || c == '`' || c == '~') {
            Py_ssize_t head = end - start < 12 ? end - start : 12; /* text[start : min(end, start + 12)] */
            Py_ssize_t spaces = 0;
            while (spaces < head && spaces < 4 && PyUnicode_READ(kind, data, start + spaces) == ' ')
                spaces++;
            Py_UCS4 run_char = 0; /* _FENCE: [ ]{0,3}(`{3,}|~{3,}) */
            Py_ssize_t run = 0;
            if (fenced) {
                Py_ssize_t k = spaces < 3 ? spaces : 3;
                Py_UCS4 f = k < head ? PyUnicode_READ(kind, data, start + k) : 0;
                if (f == '`' || f == '~') {
                    while (k + run < head && PyUnicode_READ(kind, data, start + k + run) == f)
                        run++;
                    if (run >= 3)
                        run_char = f;
                }
            }
            if (fence_char) {
                is_code = 1;
                if (run_char == fence_char && run >= fence_len)
                    fence_char = 0;
            }
            else if (run_char) {
                fence_char = run_char;
                fence_len = run;
                is_code = 1;
            }
            else if (prev_blank_or_code &&
                     (spaces >= 4 || (spaces < head && PyUnicode_READ(kind, data, start + spaces) == '\t'))) {
                /* _CODE_INDENT: [ ]{4}|[ ]{0,3}\t; then not a list item */
                PyObject *line = PyUnicode_Substring(text, start, end - start < 40 ? end : start + 40);
                if (line == NULL)
                    goto fail;
                PyObject *r = PyObject_CallOneArg(is_list_item, line);
                Py_DECREF(line);
                if (r == NULL)
                    goto fail;
                int item = PyObject_IsTrue(r);
                Py_DECREF(r);
                if (item < 0)
                    goto fail;
                is_code = !item;
            }
        }
        else if (fence_char)
            is_code = 1;
        if (is_code && append_index(code, i) < 0)
            goto fail;
        prev_blank_or_code = is_code;
    }
    PyObject *out = PyFrozenSet_New(code);
    Py_DECREF(code);
    return out;
give_up:
    Py_DECREF(code);
    Py_RETURN_NONE;
fail:
    Py_DECREF(code);
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Special runs: twin of slopsift.normalize._special_edges_py
 *
 * Starts and ends, alternating, of the maximal runs of code points outside TAB, LF and 0x20..0x7E.
 */

/* The first i >= from whose code point is (if want) or is not (if !want) special; n if none. One loop
 * per kind, so the compiler can keep it tight. */
#define SPECIAL_CP(c) (((Py_UCS4)(c)-32u > 94u) && ((Py_UCS4)(c)-9u > 1u))
#define SPECIAL_SCAN(T)                                                                                 \
    do {                                                                                                \
        const T *d = (const T *)data;                                                                   \
        while (from < n && SPECIAL_CP(d[from]) != want)                                                 \
            from++;                                                                                     \
    } while (0)

/* Where a run of plain characters is looked for (want), the 1- and 2-byte kinds go 8 bytes at a time
 * while no byte (lane) is below 0x20 or above 0x7E (tests exact for a whole word: a word holding a LF or
 * TAB, or a special code point, is gone through one by one, as are the last few characters). */
#define LANES1 0x0101010101010101ULL
#define LANES2 0x0001000100010001ULL
#define PLAIN_WORD(x, L, TOP)                                                                            \
    (!((((x) - (L) * 0x20u) & ~(x) & ((L) * (TOP))) | ((((x) + (L) * ((TOP) - 1u - 0x7Eu)) | (x)) & ((L) * (TOP)))))
#define SPECIAL_SKIP(T, L, TOP)                                                                         \
    do {                                                                                                \
        const T *d = (const T *)data;                                                                   \
        const Py_ssize_t per = (Py_ssize_t)(8 / sizeof(T));                                             \
        while (from + per <= n) {                                                                       \
            uint64_t x;                                                                                 \
            memcpy(&x, d + from, 8);                                                                    \
            if (!PLAIN_WORD(x, L, TOP)) {                                                               \
                for (Py_ssize_t k = 0; k < per; k++)                                                    \
                    if (SPECIAL_CP(d[from + k]))                                                        \
                        return from + k;                                                                \
            }                                                                                           \
            from += per;                                                                                \
        }                                                                                               \
    } while (0)

static Py_ssize_t
special_scan(int kind, const void *data, Py_ssize_t n, Py_ssize_t from, int want)
{
    if (kind == PyUnicode_1BYTE_KIND) {
        if (want)
            SPECIAL_SKIP(Py_UCS1, LANES1, 0x80ULL);
        SPECIAL_SCAN(Py_UCS1);
    }
    else if (kind == PyUnicode_2BYTE_KIND) {
        if (want)
            SPECIAL_SKIP(Py_UCS2, LANES2, 0x8000ULL);
        SPECIAL_SCAN(Py_UCS2);
    }
    else
        SPECIAL_SCAN(Py_UCS4);
    return from;
}

static PyObject *
special_edges(PyObject *self, PyObject *args)
{
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text))
        return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    Py_ssize_t i = 0;
    int want = 1; /* looking for a run's start (1) or its end (0) */
    while ((i = special_scan(kind, data, n, i, want)) < n || !want) {
        if (append_index(out, i) < 0) {
            Py_DECREF(out);
            return NULL;
        }
        if (i >= n)
            break;
        want = !want;
    }
    return out;
}

/* ---------------------------------------------------------------------------------------------
 * One edit from a common word: twin of slopsift.lexicons._one_edit_py
 *
 * The edit search of lexicons.misspelled for one word, with its candidate strings built in a stack or
 * heap buffer instead of by slicing: at each i, stop (False) unless word[:i] is in `heads`, else True if
 * word[:i] + "*" + word[i:] is in `masked`, word[:i] + word[i+1:] in `common`, word[:i] + "*" +
 * word[i+1:] in `masked` or the word with letters i, i+1 swapped in `common`, in that order. The sets
 * are only probed (set or frozenset, else TypeError). None for a word that is not ASCII: the caller
 * then runs the Python version.
 */

static int
ascii_in(PyObject *set, const char *s, Py_ssize_t len)
{
    PyObject *key = PyUnicode_New(len, 127);
    if (key == NULL)
        return -1;
    memcpy(PyUnicode_1BYTE_DATA(key), s, (size_t)len);
    int hit = PySet_Contains(set, key);
    Py_DECREF(key);
    return hit;
}

/* _one_edit_py of the ASCII word w[0:n]: 1, 0, or -1 with an exception set. */
static int
one_edit_ascii(const char *word, Py_ssize_t n, PyObject *common, PyObject *masked, PyObject *heads)
{
    if (n > PY_SSIZE_T_MAX / 2 - 2) {
        PyErr_SetString(PyExc_OverflowError, "one_edit: word too long");
        return -1;
    }
    /* the word, copied (the sets' probes cannot change it, but stay independent of the object) */
    char small[2 * 64 + 2];
    char *w = small;
    if (n > 64) {
        w = PyMem_Malloc((size_t)(2 * n + 2));
        if (w == NULL) {
            PyErr_NoMemory();
            return -1;
        }
    }
    char *buf = w + n + 1; /* room for n + 1 characters */
    memcpy(w, word, (size_t)n);
    int result = 0;
    for (Py_ssize_t i = 0; i <= n; i++) {
        int hit = ascii_in(heads, w, i); /* word[:i] */
        if (hit <= 0) {
            result = hit;
            goto done;
        }
        memcpy(buf, w, (size_t)i); /* word[:i] + "*" + word[i:] */
        buf[i] = '*';
        memcpy(buf + i + 1, w + i, (size_t)(n - i));
        if ((hit = ascii_in(masked, buf, n + 1)) != 0)
            goto found;
        if (i == n)
            goto done;
        memcpy(buf + i, w + i + 1, (size_t)(n - i - 1)); /* word[:i] + word[i+1:] */
        if ((hit = ascii_in(common, buf, n - 1)) != 0)
            goto found;
        buf[i] = '*'; /* word[:i] + "*" + word[i+1:] */
        memcpy(buf + i + 1, w + i + 1, (size_t)(n - i - 1));
        if ((hit = ascii_in(masked, buf, n)) != 0)
            goto found;
        if (i + 1 < n) { /* letters i and i + 1 swapped */
            memcpy(buf, w, (size_t)n);
            buf[i] = w[i + 1];
            buf[i + 1] = w[i];
            if ((hit = ascii_in(common, buf, n)) != 0)
                goto found;
        }
        continue;
    found:
        result = hit; /* 1, or -1 on error */
        goto done;
    }
done:
    if (w != small)
        PyMem_Free(w);
    return result;
}

static int
all_sets(PyObject *a, PyObject *b, PyObject *c, PyObject *d, const char *who)
{
    if ((a == NULL || PyAnySet_Check(a)) && PyAnySet_Check(b) && PyAnySet_Check(c) && PyAnySet_Check(d))
        return 1;
    PyErr_Format(PyExc_TypeError, "%s: the word lists must be sets", who);
    return 0;
}

static PyObject *
one_edit(PyObject *self, PyObject *args)
{
    PyObject *word, *common, *masked, *heads;
    if (!PyArg_ParseTuple(args, "UOOO", &word, &common, &masked, &heads))
        return NULL;
    if (!all_sets(NULL, common, masked, heads, "one_edit"))
        return NULL;
    if (!PyUnicode_IS_ASCII(word))
        Py_RETURN_NONE;
    int hit = one_edit_ascii((const char *)PyUnicode_1BYTE_DATA(word), PyUnicode_GET_LENGTH(word), common, masked,
                             heads);
    if (hit < 0)
        return NULL;
    return PyBool_FromLong(hit);
}

/* ---------------------------------------------------------------------------------------------
 * The facts of a new word: twin of slopsift.lexicons._new_facts_py
 *
 * (lexicons._syllables(word), zipf.get(word), lexicons.misspelled(word)) from the tables those read:
 * cmu (word -> syllables), zipf (word -> Zipf frequency), and the spelling sets. None where the C
 * version would not read what Python does (a cmu value that is not an int of at most 2**40): the caller
 * then runs the Python version.
 */

#define SYLLABLES_GIVE_UP (-2)
#define SYLLABLES_MAX (1LL << 40)

static inline int
is_vowel(Py_UCS4 c) /* lexicons._VOWEL_GROUP's class */
{
    switch (c) {
    case 'a': case 'e': case 'i': case 'o': case 'u': case 'y':
        return 1;
    default:
        return (c >= 0xe0 && c <= 0xe6) || (c >= 0xe8 && c <= 0xef) || (c >= 0xf2 && c <= 0xf6) ||
               (c >= 0xf8 && c <= 0xfc) || c == 0xff;
    }
}

/* lexicons._estimate */
static long long
estimate_syllables(PyObject *w)
{
    int kind = PyUnicode_KIND(w);
    const void *data = PyUnicode_DATA(w);
    Py_ssize_t n = PyUnicode_GET_LENGTH(w);
    long long groups = 0;
    int inside = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int v = is_vowel(PyUnicode_READ(kind, data, i));
        groups += v && !inside;
        inside = v;
    }
    if (groups > 1 && PyUnicode_READ(kind, data, n - 1) == 'e') { /* groups > 1: n >= 2 */
        Py_UCS4 before = PyUnicode_READ(kind, data, n - 2);
        if (before != 'l' && before != 'e' && before != 'y')
            groups--;
    }
    return groups > 1 ? groups : 1;
}

/* cmu[key] as a count, -1 if missing (or None), SYLLABLES_GIVE_UP if not an int in 0..2**40; -3 with an
 * exception set on error. */
static long long
cmu_count(PyObject *cmu, PyObject *key)
{
    PyObject *v = PyDict_GetItemWithError(cmu, key); /* borrowed */
    if (v == NULL)
        return PyErr_Occurred() ? -3 : -1;
    if (v == Py_None)
        return -1;
    if (!PyLong_CheckExact(v))
        return SYLLABLES_GIVE_UP;
    int overflow = 0;
    long long n = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow || n < 0 || n > SYLLABLES_MAX)
        return SYLLABLES_GIVE_UP;
    return n;
}

/* lexicons._syllables of a word without '-'; SYLLABLES_GIVE_UP, or -3 with an exception set. */
static long long
part_syllables(PyObject *w, PyObject *cmu)
{
    int kind = PyUnicode_KIND(w);
    const void *data = PyUnicode_DATA(w);
    Py_ssize_t n = PyUnicode_GET_LENGTH(w);
    int number = n > 0; /* _NUMBER.fullmatch: [\d.,]+ (\d: a Unicode decimal digit) */
    for (Py_ssize_t i = 0; i < n && number; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        number = c == '.' || c == ',' || Py_UNICODE_ISDECIMAL(c);
    }
    if (number)
        return 1;
    long long got = cmu_count(cmu, w);
    if (got == -1 && PyUnicode_FindChar(w, '\'', 0, n, 1) >= 0) {
        PyObject *apostrophe = PyUnicode_FromOrdinal('\''), *empty = PyUnicode_New(0, 0);
        PyObject *bare = apostrophe && empty ? PyUnicode_Replace(w, apostrophe, empty, -1) : NULL;
        Py_XDECREF(apostrophe);
        Py_XDECREF(empty);
        if (bare == NULL)
            return -3;
        got = cmu_count(cmu, bare);
        Py_DECREF(bare);
    }
    if (got == -1)
        return estimate_syllables(w);
    return got;
}

/* lexicons._syllables: the parts between '-' summed, else part_syllables. */
static long long
word_syllables(PyObject *w, PyObject *cmu)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(w);
    Py_ssize_t dash = PyUnicode_FindChar(w, '-', 0, n, 1);
    if (dash == -2)
        return -3;
    if (dash < 0)
        return part_syllables(w, cmu);
    long long total = 0;
    Py_ssize_t a = 0;
    while (a <= n) {
        Py_ssize_t b = PyUnicode_FindChar(w, '-', a, n, 1);
        if (b == -2)
            return -3;
        if (b < 0)
            b = n;
        if (b > a) {
            PyObject *part = PyUnicode_Substring(w, a, b);
            if (part == NULL)
                return -3;
            long long y = part_syllables(part, cmu);
            Py_DECREF(part);
            if (y < 0)
                return y;
            total += y; /* each part at most 2**40 and fewer than 2**22 parts per 2**62 */
            if (total > (1LL << 62))
                return SYLLABLES_GIVE_UP;
        }
        a = b + 1;
    }
    return total;
}

static PyObject *
word_fact(PyObject *self, PyObject *args)
{
    PyObject *word, *cmu, *zipf, *known, *common, *masked, *heads;
    Py_ssize_t min_length;
    if (!PyArg_ParseTuple(args, "UO!O!OOOOn", &word, &PyDict_Type, &cmu, &PyDict_Type, &zipf, &known, &common,
                          &masked, &heads, &min_length))
        return NULL;
    if (!all_sets(known, common, masked, heads, "word_fact"))
        return NULL;
    Py_INCREF(word); /* a str subclass's hash or eq could run code: keep it alive */
    PyObject *out = NULL;
    long long syllables = word_syllables(word, cmu);
    if (syllables == -3)
        goto done;
    if (syllables == SYLLABLES_GIVE_UP) {
        out = Py_NewRef(Py_None);
        goto done;
    }
    PyObject *z = PyDict_GetItemWithError(zipf, word); /* borrowed */
    if (z == NULL && PyErr_Occurred())
        goto done;
    Py_XINCREF(z);
    int miss = 0;
    Py_ssize_t n = PyUnicode_GET_LENGTH(word);
    if (n >= min_length && PyUnicode_IS_ASCII(word)) { /* ASCII letters only (n >= 1), not known, one edit */
        const Py_UCS1 *d = PyUnicode_1BYTE_DATA(word);
        int alpha = n > 0;
        for (Py_ssize_t i = 0; i < n && alpha; i++)
            alpha = (d[i] | 0x20) >= 'a' && (d[i] | 0x20) <= 'z';
        if (alpha) {
            miss = PySet_Contains(known, word);
            if (miss == 0)
                miss = one_edit_ascii((const char *)d, n, common, masked, heads);
            else if (miss == 1)
                miss = 0;
        }
    }
    if (miss < 0) {
        Py_XDECREF(z);
        goto done;
    }
    out = Py_BuildValue("(LNO)", syllables, z == NULL ? Py_NewRef(Py_None) : z, miss ? Py_True : Py_False);
done:
    Py_DECREF(word);
    return out;
}

/* ---------------------------------------------------------------------------------------------
 * Repetition, sentence openers: twin of slopsift.signals.repetition._opener_hits_py
 *
 * opener_hits: the sentences [starts[k], ends[k]) of at least min_words words, keyed by the ids of their
 * first two words, and among them (in order) those whose key opens at least min_uses of them, with that
 * count. Keys are compared as pairs (the Python twin packs them into one int, id * base + id, the same
 * equality for ids in 0..base-1). Items must be ints (checked before reading: no __index__ runs, so no
 * Python code runs and the lists cannot change size); starts and ends must be >= 0 and a long enough
 * sentence's start + 1 an index of ids.
 */

typedef struct {
    long long first, second;
    Py_ssize_t rank; /* the sentence's place among the long enough ones */
} OpenerKey;

static int
opener_key_cmp(const void *x, const void *y)
{
    const OpenerKey *a = x, *b = y;
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    if (a->second != b->second)
        return a->second < b->second ? -1 : 1;
    return (a->rank > b->rank) - (a->rank < b->rank);
}

static int
opener_int(PyObject *obj, long long *out)
{
    if (!PyLong_Check(obj)) {
        PyErr_SetString(PyExc_TypeError, "opener_hits: starts, ends and ids must be ints");
        return -1;
    }
    *out = PyLong_AsLongLong(obj);
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

static PyObject *
opener_hits(PyObject *self, PyObject *args)
{
    PyObject *starts, *ends, *ids;
    Py_ssize_t min_words, min_uses;
    if (!PyArg_ParseTuple(args, "O!O!O!nn", &PyList_Type, &starts, &PyList_Type, &ends, &PyList_Type, &ids,
                          &min_words, &min_uses))
        return NULL;
    Py_ssize_t m = PyList_GET_SIZE(starts);
    if (PyList_GET_SIZE(ends) != m) {
        PyErr_SetString(PyExc_ValueError, "opener_hits: as many ends as starts");
        return NULL;
    }
    Py_ssize_t eligible = 0;
    OpenerKey *keys = PyMem_New(OpenerKey, m > 0 ? m : 1);
    Py_ssize_t *at = PyMem_New(Py_ssize_t, m > 0 ? m : 1);     /* start of each long enough sentence */
    Py_ssize_t *uses = PyMem_New(Py_ssize_t, m > 0 ? m : 1);   /* its key's count */
    PyObject *hits = NULL, *counts = NULL, *out = NULL;
    if (keys == NULL || at == NULL || uses == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < m; k++) { /* no Python code runs in this loop */
        long long s, e, a, b;
        if (opener_int(PyList_GET_ITEM(starts, k), &s) < 0 || opener_int(PyList_GET_ITEM(ends, k), &e) < 0)
            goto done;
        if (s < 0 || e < 0) {
            PyErr_SetString(PyExc_ValueError, "opener_hits: starts and ends must be >= 0");
            goto done;
        }
        if (e - s < (long long)min_words) /* no overflow: both >= 0 */
            continue;
        if (s >= (long long)PyList_GET_SIZE(ids) - 1) { /* not s + 1: s may be LLONG_MAX */
            PyErr_SetString(PyExc_IndexError, "opener_hits: a sentence's first two words lie past the ids");
            goto done;
        }
        if (opener_int(PyList_GET_ITEM(ids, s), &a) < 0 || opener_int(PyList_GET_ITEM(ids, s + 1), &b) < 0)
            goto done;
        keys[eligible].first = a;
        keys[eligible].second = b;
        keys[eligible].rank = eligible;
        at[eligible] = (Py_ssize_t)s;
        eligible++;
    }
    qsort(keys, (size_t)eligible, sizeof(OpenerKey), opener_key_cmp);
    for (Py_ssize_t g = 0; g < eligible;) { /* each group of equal keys */
        Py_ssize_t h = g + 1;
        while (h < eligible && keys[h].first == keys[g].first && keys[h].second == keys[g].second)
            h++;
        for (Py_ssize_t k = g; k < h; k++)
            uses[keys[k].rank] = h - g;
        g = h;
    }
    hits = PyList_New(0);
    counts = PyList_New(0);
    if (hits == NULL || counts == NULL)
        goto done;
    for (Py_ssize_t k = 0; k < eligible; k++) {
        if (uses[k] < min_uses)
            continue;
        if (append_index(hits, at[k]) < 0 || append_index(counts, uses[k]) < 0)
            goto done;
    }
    out = Py_BuildValue("(nOO)", eligible, hits, counts);
done:
    Py_XDECREF(hits);
    Py_XDECREF(counts);
    PyMem_Free(keys);
    PyMem_Free(at);
    PyMem_Free(uses);
    return out;
}

/* ---------------------------------------------------------------------------------------------
 * Repetition, MTLD of the prose words: twin of slopsift.signals.repetition._mtld_mean_py
 *
 * mtld_mean: the mean of the forward and backward MTLD passes (mtld_run) over the ids below size, in
 * order (the ids of masked words, >= size, are left out), reading the ids once for both passes. Ids must
 * be ints >= 0 (checked before reading: no __index__ runs, so the list cannot change size).
 */

static PyObject *
mtld_mean(PyObject *self, PyObject *args)
{
    PyObject *seq;
    Py_ssize_t size;
    long long new_w, rep_w;
    double threshold;
    if (!PyArg_ParseTuple(args, "O!nLLd", &PyList_Type, &seq, &size, &new_w, &rep_w, &threshold))
        return NULL;
    if (size < 0 || new_w <= 0 || rep_w <= 0) {
        PyErr_SetString(PyExc_ValueError, "mtld_mean: size must be >= 0 and the weights > 0");
        return NULL;
    }
    Py_ssize_t m = PyList_GET_SIZE(seq);
    Py_ssize_t *ws = PyMem_New(Py_ssize_t, m > 0 ? m : 1);
    Py_ssize_t *seg_of = NULL; /* one slot per id up to the largest kept one, not per id below size */
    PyObject *out = NULL;
    if (ws == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t n = 0, top = 0; /* top: 1 + the largest kept id */
    for (Py_ssize_t k = 0; k < m; k++) { /* no Python code runs in this loop */
        PyObject *item = PyList_GET_ITEM(seq, k);
        if (!PyLong_Check(item)) {
            PyErr_SetString(PyExc_TypeError, "mtld_mean: word ids must be ints");
            goto done;
        }
        Py_ssize_t w = PyLong_AsSsize_t(item);
        if (w == -1 && PyErr_Occurred())
            goto done;
        if (w < 0) {
            PyErr_SetString(PyExc_IndexError, "mtld_mean: word id out of range");
            goto done;
        }
        if (w < size) {
            ws[n++] = w;
            if (w >= top)
                top = w + 1;
        }
    }
    if (n == 0)
        out = PyFloat_FromDouble(0.0);
    else if ((seg_of = PyMem_New(Py_ssize_t, top)) == NULL)
        PyErr_NoMemory();
    else {
        double forward = mtld_run(ws, n, seg_of, top, new_w, rep_w, threshold, 0);
        double backward = mtld_run(ws, n, seg_of, top, new_w, rep_w, threshold, 1);
        out = PyFloat_FromDouble((forward + backward) / 2.0);
    }
done:
    PyMem_Free(ws);
    PyMem_Free(seg_of);
    return out;
}

/* =============================================================================================
 * Parse area (document.parse): the ASCII word split with the word-id map, twin of
 * document._ascii_words followed by document._word_ids_counts
 *
 * ascii_words_ids(low, ints, counter_type) returns the words' starts and ends (offsets below len(ints) taken
 * from ints), the words, the starts as native Py_ssize_t bytes, and then the words' ids
 * (Document.word_ids: the index of each word's first occurrence) and counts (Document.word_counts, an
 * instance of counter_type filled with PyDict_SetItem in order of first occurrence, as Counter(words)
 * is). Equal words are found by their bytes in an open-addressing table (seeded hash, one probe per
 * word), before any str exists: each distinct word becomes one str object, which every occurrence
 * shares (equal values; no allocation, and no str hash, per repeated word), and the ids and counts
 * cost no dict probe. An id at or past len(ints) is one int object per distinct word.
 */

typedef struct {
    uint64_t hash;
    Py_ssize_t first; /* 1 + the index of the word's first occurrence; 0: an empty slot */
} WordSlot;

static uint64_t word_hash_seed;
static int word_hash_seeded;

/* A seeded hash of s[0:len]: 8-byte chunks chained through the bijective mix(), so two words collide in
 * the full 64 bits only through the seed (which follows Python's str hash: randomised per process). */
static inline uint64_t
word_hash(const Py_UCS1 *s, Py_ssize_t len)
{
    uint64_t h = word_hash_seed ^ (uint64_t)len;
    while (len >= 8) {
        uint64_t chunk;
        memcpy(&chunk, s, 8);
        h = mix(h ^ chunk);
        s += 8;
        len -= 8;
    }
    if (len > 0) {
        uint64_t chunk = 0;
        memcpy(&chunk, s, (size_t)len);
        h = mix(h ^ chunk);
    }
    return h;
}

static PyObject *
ascii_words_ids(PyObject *self, PyObject *args)
{
    PyObject *low, *ints, *counter_type;
    if (!PyArg_ParseTuple(args, "UO!O", &low, &PyTuple_Type, &ints, &counter_type))
        return NULL;
    if (!PyUnicode_IS_ASCII(low)) {
        PyErr_SetString(PyExc_ValueError, "ascii_words_ids: the text must be ASCII");
        return NULL;
    }
    if (!word_hash_seeded) {
        PyObject *key = PyUnicode_FromString("slopsift.ascii_words_ids");
        Py_hash_t h = key == NULL ? -1 : PyObject_Hash(key);
        Py_XDECREF(key);
        if (h == -1)
            return NULL;
        word_hash_seed = mix((uint64_t)h);
        word_hash_seeded = 1;
    }
    const Py_UCS1 *s = PyUnicode_1BYTE_DATA(low);
    Py_ssize_t n = PyUnicode_GET_LENGTH(low);
    Py_ssize_t m = 0;
    Py_ssize_t *starts = NULL, *ends = NULL, *first = NULL, *count = NULL;
    WordSlot *table = NULL;
    PyObject *start_list = NULL, *end_list = NULL, *words = NULL, *start_bytes = NULL, *ids = NULL,
             *counter = NULL;
    /* The only call back into Python, made before any list exists: nothing it runs (gc.get_objects, say)
     * can reach the lists below and change them under us. */
    if ((counter = PyObject_CallNoArgs(counter_type)) == NULL)
        goto fail;
    if (!PyDict_Check(counter)) {
        PyErr_SetString(PyExc_TypeError, "ascii_words_ids: counter_type must make a dict");
        goto fail;
    }
    if (ascii_word_spans(s, n, &starts, &ends, &m) < 0)
        goto fail;
    size_t size = 16;
    while (size < 2 * (size_t)m) /* m <= n / 2 + 1: no overflow */
        size *= 2;
    first = PyMem_Malloc((size_t)(m > 0 ? m : 1) * sizeof(Py_ssize_t)); /* by word */
    count = PyMem_Calloc((size_t)(m > 0 ? m : 1), sizeof(Py_ssize_t));  /* by first occurrence */
    table = PyMem_Calloc(size, sizeof(WordSlot));
    if (first == NULL || count == NULL || table == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    size_t mask = size - 1;
    for (Py_ssize_t k = 0; k < m; k++) {
        Py_ssize_t len = ends[k] - starts[k];
        uint64_t h = word_hash(s + starts[k], len);
        size_t i = (size_t)h & mask;
        for (;;) {
            WordSlot *slot = &table[i];
            if (slot->first == 0) {
                slot->hash = h;
                slot->first = k + 1;
                first[k] = k;
                break;
            }
            Py_ssize_t f = slot->first - 1;
            if (slot->hash == h && ends[f] - starts[f] == len && memcmp(s + starts[f], s + starts[k], (size_t)len) == 0) {
                first[k] = f;
                break;
            }
            i = (i + 1) & mask;
        }
        count[first[k]]++;
    }
    PyMem_Free(table);
    table = NULL;
    start_list = list_of_offsets(starts, m, ints);
    end_list = start_list == NULL ? NULL : list_of_offsets(ends, m, ints);
    words = end_list == NULL ? NULL : PyList_New(m);
    ids = words == NULL ? NULL : PyList_New(m);
    if (ids == NULL)
        goto fail;
    for (Py_ssize_t k = 0; k < m; k++) {
        Py_ssize_t f = first[k];
        PyObject *w, *id;
        if (f == k) {
            if ((w = PyUnicode_Substring(low, starts[k], ends[k])) == NULL)
                goto fail;
            PyList_SET_ITEM(words, k, w);
            if ((id = offset_int(ints, k)) == NULL)
                goto fail;
        }
        else { /* f < k: both lists hold the first occurrence's objects already */
            w = PyList_GET_ITEM(words, f);
            Py_INCREF(w);
            PyList_SET_ITEM(words, k, w);
            id = PyList_GET_ITEM(ids, f);
            Py_INCREF(id);
        }
        PyList_SET_ITEM(ids, k, id);
    }
    start_bytes = PyBytes_FromStringAndSize((const char *)starts, m * (Py_ssize_t)sizeof(Py_ssize_t));
    if (start_bytes == NULL)
        goto fail;
    for (Py_ssize_t k = 0; k < m; k++) {
        if (first[k] != k)
            continue;
        PyObject *c = PyLong_FromSsize_t(count[k]);
        if (c == NULL)
            goto fail;
        int rc = PyDict_SetItem(counter, PyList_GET_ITEM(words, k), c); /* an exact str: no Python code */
        Py_DECREF(c);
        if (rc < 0)
            goto fail;
    }
    PyMem_Free(starts);
    PyMem_Free(ends);
    PyMem_Free(first);
    PyMem_Free(count);
    return Py_BuildValue("(NNNNNN)", start_list, end_list, words, start_bytes, ids, counter);
fail:
    PyMem_Free(starts);
    PyMem_Free(ends);
    PyMem_Free(first);
    PyMem_Free(count);
    PyMem_Free(table);
    Py_XDECREF(start_list);
    Py_XDECREF(end_list);
    Py_XDECREF(words);
    Py_XDECREF(start_bytes);
    Py_XDECREF(ids);
    Py_XDECREF(counter);
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * incread (speed round 17): the word-facts cache of slopsift.lexicons (readability / vocabulary).
 *
 * A FactTable maps exact str words to their facts (whatever `missing(word)` returned for them), like
 * lexicons._FactCache, its Python twin: filled on a miss, emptied when it holds `limit` words and a new
 * one comes. gather(ids, words) is [table[w] for w in words], each word looked up at its first
 * occurrence only (ids[k]: the index of words[k]'s first occurrence). Why: the facts cache holds
 * tens of thousands of words, and a dict look-up of a document's word reads three cold places (its
 * index slot, its entry, the key's characters), one after the other; here the slots are open-addressed
 * (hash, key, value) triples, and the slot of the word a few look-ups ahead, then that slot's key, are
 * prefetched, so the look-ups of a document overlap instead of queueing. Values are the ones the
 * Python twin would give: facts come from the same `missing`, never from the table's layout.
 */

typedef struct {
    Py_hash_t hash;
    PyObject *key;   /* an exact str (strong reference), or NULL: an empty slot */
    PyObject *value; /* strong reference */
} FactSlot;

typedef struct {
    PyObject_HEAD
    FactSlot *slots;
    size_t mask;       /* number of slots - 1 (a power of two, at least 2 * limit) */
    Py_ssize_t used;   /* keys held */
    Py_ssize_t limit;  /* emptied when it holds this many words and a new one comes */
    PyObject *missing; /* word -> facts, called on a miss */
} FactTableObject;

#define FACT_PREFETCH 8 /* look-ups ahead: slot prefetched at 2 * this, its key at this */

static void
fact_slots_release(FactSlot *slots, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        Py_XDECREF(slots[i].key);
        Py_XDECREF(slots[i].value);
    }
    PyMem_Free(slots);
}

/* Forget every word: a fresh array of empty slots goes in first, then the old keys and values are
   released (their deallocation may run Python code, which then sees a consistent, empty table).
   -1 with MemoryError set if there is no memory for the fresh array. */
static int
fact_table_empty(FactTableObject *t)
{
    if (t->used == 0 || t->slots == NULL)
        return 0;
    size_t n = t->mask + 1;
    FactSlot *fresh = PyMem_Calloc(n, sizeof(FactSlot));
    if (fresh == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    FactSlot *old = t->slots;
    t->slots = fresh;
    t->used = 0;
    fact_slots_release(old, n);
    return 0;
}

static int
fact_table_traverse(FactTableObject *t, visitproc visit, void *arg)
{
    Py_VISIT(t->missing);
    if (t->slots != NULL)
        for (size_t i = 0; i <= t->mask; i++)
            Py_VISIT(t->slots[i].value);
    return 0;
}

/* Detach the slots and `missing`, then release them (tp_clear, and dealloc); the table is then unusable
   (gather raises). */
static int
fact_table_clear_refs(FactTableObject *t)
{
    FactSlot *old = t->slots;
    size_t n = t->mask + 1;
    t->slots = NULL;
    t->used = 0;
    if (old != NULL)
        fact_slots_release(old, n);
    Py_CLEAR(t->missing);
    return 0;
}

static void
fact_table_dealloc(FactTableObject *t)
{
    PyObject_GC_UnTrack(t);
    fact_table_clear_refs(t);
    Py_TYPE(t)->tp_free((PyObject *)t);
}

static int
fact_table_usable(FactTableObject *t)
{
    if (t->slots != NULL && t->missing != NULL)
        return 1;
    PyErr_SetString(PyExc_RuntimeError, "FactTable: the table was cleared by the garbage collector");
    return 0;
}

/* The slot holding `word` (hash h), or the empty slot where it would go. */
static FactSlot *
fact_table_find(FactTableObject *t, PyObject *word, Py_hash_t h)
{
    size_t i = (size_t)h & t->mask;
    Py_ssize_t len = PyUnicode_GET_LENGTH(word);
    int kind = PyUnicode_KIND(word);
    for (;;) {
        FactSlot *s = &t->slots[i];
        PyObject *k = s->key;
        if (k == NULL || k == word)
            return s;
        if (s->hash == h && PyUnicode_GET_LENGTH(k) == len && PyUnicode_KIND(k) == kind &&
            memcmp(PyUnicode_DATA(k), PyUnicode_DATA(word), (size_t)len * (size_t)kind) == 0)
            return s;
        i = (i + 1) & t->mask;
    }
}

/* table[word] (a new reference), calling `missing` on a miss; NULL with an exception set on failure.
   As lexicons._FactCache.__missing__: emptied when a new word comes and `limit` words are held, then
   table[word] = missing(word). Every insertion has used < limit just before it, with no Python code
   between that test and the store, so used <= limit < number of slots and a probe always ends. */
static PyObject *
fact_table_get(FactTableObject *t, PyObject *word, Py_hash_t h)
{
    FactSlot *s = fact_table_find(t, word, h);
    if (s->key != NULL) {
        Py_INCREF(s->value);
        return s->value;
    }
    if (t->used >= t->limit && fact_table_empty(t) < 0)
        return NULL;
    PyObject *v = PyObject_CallOneArg(t->missing, word);
    if (v == NULL)
        return NULL;
    /* `missing` ran Python code: it may have filled, emptied or cleared this table, so look again */
    for (;;) {
        if (!fact_table_usable(t)) {
            Py_DECREF(v);
            return NULL;
        }
        s = fact_table_find(t, word, h);
        if (s->key != NULL) { /* table[word] = v, as the twin's assignment */
            PyObject *old = s->value;
            Py_INCREF(v);
            s->value = v;
            Py_DECREF(old);
            return v;
        }
        if (t->used < t->limit) {
            Py_INCREF(word);
            s->key = word;
            s->hash = h;
            Py_INCREF(v);
            s->value = v;
            t->used++;
            return v;
        }
        if (fact_table_empty(t) < 0) {
            Py_DECREF(v);
            return NULL;
        }
    }
}

static PyObject *
fact_table_gather(FactTableObject *t, PyObject *args)
{
    PyObject *ids, *words;
    if (!PyArg_ParseTuple(args, "OO!:gather", &ids, &PyList_Type, &words))
        return NULL;
    if (ids != Py_None && !PyList_Check(ids)) {
        PyErr_SetString(PyExc_TypeError, "gather: ids must be a list or None");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(words);
    if (ids != Py_None && PyList_GET_SIZE(ids) < n) {
        PyErr_SetString(PyExc_ValueError, "gather: fewer ids than words");
        return NULL;
    }
    /* Read everything first (no Python code runs while the lists are read): each word's source
       position, and the first occurrences with their words (held) and hashes. */
    Py_ssize_t *at = PyMem_Malloc((size_t)(n > 0 ? n : 1) * sizeof(Py_ssize_t));
    Py_ssize_t *firsts = PyMem_Malloc((size_t)(n > 0 ? n : 1) * sizeof(Py_ssize_t));
    Py_hash_t *hashes = PyMem_Malloc((size_t)(n > 0 ? n : 1) * sizeof(Py_hash_t));
    PyObject **held = PyMem_Malloc((size_t)(n > 0 ? n : 1) * sizeof(PyObject *));
    /* the first occurrences' facts (strong references) until every call of `missing` is done: a list
       with unset (NULL) items must not exist while Python code runs, which may reach it through
       gc.get_objects() */
    PyObject **vals = PyMem_Malloc((size_t)(n > 0 ? n : 1) * sizeof(PyObject *));
    PyObject *out = NULL;
    Py_ssize_t m = 0, got = 0;
    if (at == NULL || firsts == NULL || hashes == NULL || held == NULL || vals == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_ssize_t a = k;
        if (ids != Py_None) {
            a = PyLong_AsSsize_t(PyList_GET_ITEM(ids, k)); /* an int subclass's conversion runs no code */
            if (a == -1 && PyErr_Occurred())
                goto done;
            if (a < 0 || a > k) {
                PyErr_SetString(PyExc_IndexError, "gather: an id is not an earlier position");
                goto done;
            }
        }
        at[k] = a;
        if (a != k)
            continue;
        PyObject *w = PyList_GET_ITEM(words, k);
        if (!PyUnicode_CheckExact(w) || PyUnicode_READY(w) < 0) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "gather: words must be str");
            goto done;
        }
        Py_hash_t h = PyObject_Hash(w); /* a str's: no Python code */
        if (h == -1)
            goto done;
        Py_INCREF(w);
        held[m] = w;
        hashes[m] = h;
        firsts[m] = k;
        m++;
    }
    for (Py_ssize_t j = 0; j < m; j++) {
        if (!fact_table_usable(t)) /* checked again after each call of `missing` */
            goto done;
        if (j + 2 * FACT_PREFETCH < m)
            __builtin_prefetch(&t->slots[(size_t)hashes[j + 2 * FACT_PREFETCH] & t->mask]);
        if (j + FACT_PREFETCH < m) {
            PyObject *k = t->slots[(size_t)hashes[j + FACT_PREFETCH] & t->mask].key;
            if (k != NULL)
                __builtin_prefetch(k);
        }
        PyObject *v = fact_table_get(t, held[j], hashes[j]);
        if (v == NULL)
            goto done;
        vals[got++] = v;
    }
    /* PyList_New may collect garbage (finalizers run) before out exists; after it, no Python code
       runs until every item of out is set */
    out = PyList_New(n);
    if (out == NULL)
        goto done;
    for (Py_ssize_t j = 0; j < m; j++)
        PyList_SET_ITEM(out, firsts[j], vals[j]); /* (the reference moves into out) */
    got = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (at[k] != k) { /* an earlier position, set already */
            PyObject *v = PyList_GET_ITEM(out, at[k]);
            Py_INCREF(v);
            PyList_SET_ITEM(out, k, v);
        }
    }
done:
    if (held != NULL)
        for (Py_ssize_t j = 0; j < m; j++)
            Py_DECREF(held[j]);
    for (Py_ssize_t j = 0; j < got; j++) /* facts not moved into out: a failure */
        Py_DECREF(vals[j]);
    PyMem_Free(at);
    PyMem_Free(firsts);
    PyMem_Free(hashes);
    PyMem_Free(held);
    PyMem_Free(vals);
    return out;
}

static PyObject *
fact_table_clear(FactTableObject *t, PyObject *Py_UNUSED(ignored))
{
    if (fact_table_empty(t) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static Py_ssize_t
fact_table_len(FactTableObject *t)
{
    return t->used;
}

static PyMethodDef fact_table_methods[] = {
    {"gather", (PyCFunction)fact_table_gather, METH_VARARGS,
     "gather(ids: list[int] | None, words: list[str]) -> list: table[w] for each word, looked up at its "
     "first occurrence only (ids[k]: the index of words[k]'s first); ids None: every word is a first occurrence"},
    {"clear", (PyCFunction)fact_table_clear, METH_NOARGS, "clear() -> None: forget every word"},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods fact_table_as_sequence = {
    .sq_length = (lenfunc)fact_table_len,
};

static PyTypeObject FactTable_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "slopsift._speedups.FactTable",
    .tp_basicsize = sizeof(FactTableObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Word -> facts, filled by missing(word) on a miss, emptied at limit words: see fact_table.",
    .tp_dealloc = (destructor)fact_table_dealloc,
    .tp_traverse = (traverseproc)fact_table_traverse,
    .tp_clear = (inquiry)fact_table_clear_refs,
    .tp_methods = fact_table_methods,
    .tp_as_sequence = &fact_table_as_sequence,
};

static PyObject *
fact_table(PyObject *self, PyObject *args)
{
    PyObject *missing;
    Py_ssize_t limit;
    if (!PyArg_ParseTuple(args, "On:fact_table", &missing, &limit))
        return NULL;
    if (!PyCallable_Check(missing)) {
        PyErr_SetString(PyExc_TypeError, "fact_table: missing must be callable");
        return NULL;
    }
    if (limit < 1 || limit > ((Py_ssize_t)1 << 40)) {
        PyErr_SetString(PyExc_ValueError, "fact_table: limit must be in 1..2**40");
        return NULL;
    }
    if (PyType_Ready(&FactTable_Type) < 0)
        return NULL;
    size_t n = 8;
    while (n < 2 * (size_t)limit)
        n <<= 1;
    FactSlot *slots = PyMem_Calloc(n, sizeof(FactSlot));
    if (slots == NULL)
        return PyErr_NoMemory();
    FactTableObject *t = PyObject_GC_New(FactTableObject, &FactTable_Type);
    if (t == NULL) {
        PyMem_Free(slots);
        return NULL;
    }
    t->slots = slots;
    t->mask = n - 1;
    t->used = 0;
    t->limit = limit;
    Py_INCREF(missing);
    t->missing = missing;
    PyObject_GC_Track(t);
    return (PyObject *)t;
}

/* =============================================================================================
 * Repetition area (speed round 17): the near-duplicate pairs, twin of
 * slopsift.signals.repetition._near_dup_pairs_py (the loop of _near_dups over the units that
 * near_dup_units returned)
 *
 * near_dup_pairs(gids, los, his, lengths, active, jaccard, shingle, posting_cap, candidate_cap) reads unit
 * j's repeated-shingle ids as gids[los[j]:his[j]]. Postings are flat arrays by shingle id (posting_cap
 * units each), the shared-shingle counts an array by unit, an exact copy is found through a hash table of
 * the unit's sorted distinct ids. The pairs do not depend on the order in which a unit's shingles are
 * visited unless the candidates must be capped: then (a unit sharing shingles with more than
 * candidate_cap units, rare) it returns None and the caller runs the Python version, whose cap follows
 * Python's set order.
 */

static int
ssize_cmp(const void *a, const void *b)
{
    Py_ssize_t x = *(const Py_ssize_t *)a, y = *(const Py_ssize_t *)b;
    return (x > y) - (x < y);
}

static PyObject *
near_dup_pairs(PyObject *self, PyObject *args)
{
    PyObject *gid_list, *lo_list, *hi_list, *len_list, *act_list;
    double jaccard;
    Py_ssize_t shingle, cap, ccap;
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!dnnn", &PyList_Type, &gid_list, &PyList_Type, &lo_list, &PyList_Type,
                          &hi_list, &PyList_Type, &len_list, &PyList_Type, &act_list, &jaccard, &shingle, &cap,
                          &ccap))
        return NULL;
    Py_ssize_t L = PyList_GET_SIZE(act_list), ng = PyList_GET_SIZE(gid_list);
    if (PyList_GET_SIZE(lo_list) != L || PyList_GET_SIZE(hi_list) != L || PyList_GET_SIZE(len_list) != L) {
        PyErr_SetString(PyExc_ValueError, "near_dup_pairs: los, his, lengths and active of one length");
        return NULL;
    }
    if (cap < 1 || cap > 255 || ccap < 0) {
        PyErr_SetString(PyExc_ValueError, "near_dup_pairs: posting_cap in 1..255, candidate_cap >= 0");
        return NULL;
    }
    /* with shingle in 1..PY_SSIZE_T_MAX / 4 and each active length in 0..PY_SSIZE_T_MAX / 4, a unit's
       size (length - shingle + 1 - ...) and the sum of two sizes cannot overflow */
    if (shingle < 1 || shingle > PY_SSIZE_T_MAX / 4) {
        PyErr_SetString(PyExc_ValueError, "near_dup_pairs: shingle in 1..PY_SSIZE_T_MAX / 4");
        return NULL;
    }
    Py_ssize_t *g = NULL, *lo = NULL, *hi = NULL, *len = NULL, *sizes = NULL, *cnt = NULL, *touched = NULL;
    Py_ssize_t *stamp = NULL, *post = NULL, *rep = NULL, *pool = NULL, *ex = NULL, *slots = NULL;
    unsigned char *on = NULL, *post_n = NULL;
    PyObject *pairs = NULL;
    size_t nL = (size_t)(L > 0 ? L : 1), nG = (size_t)(ng > 0 ? ng : 1);
    g = PyMem_New(Py_ssize_t, nG);
    lo = PyMem_New(Py_ssize_t, nL);
    hi = PyMem_New(Py_ssize_t, nL);
    len = PyMem_New(Py_ssize_t, nL);
    on = PyMem_Malloc(nL);
    if (!g || !lo || !hi || !len || !on) {
        PyErr_NoMemory();
        goto fail;
    }
    /* read everything first: no Python code runs below (PyLong_AsSsize_t calls no __index__) */
    Py_ssize_t top = 0;  /* 1 + the largest shingle id read */
    size_t pool_n = 1;   /* the ids of all active units' ranges, which may overlap in hostile input */
    for (Py_ssize_t q = 0; q < ng; q++) {
        g[q] = PyLong_AsSsize_t(PyList_GET_ITEM(gid_list, q));
        if (g[q] == -1 && PyErr_Occurred())
            goto fail;
        if (g[q] < 0 || g[q] >= PY_SSIZE_T_MAX / 256) {
            PyErr_SetString(PyExc_ValueError, "near_dup_pairs: a shingle id out of range");
            goto fail;
        }
    }
    for (Py_ssize_t j = 0; j < L; j++) {
        PyObject *a = PyList_GET_ITEM(act_list, j);
        if (a != Py_True && a != Py_False) {
            PyErr_SetString(PyExc_TypeError, "near_dup_pairs: active must hold bools");
            goto fail;
        }
        on[j] = a == Py_True;
        lo[j] = PyLong_AsSsize_t(PyList_GET_ITEM(lo_list, j));
        hi[j] = PyLong_AsSsize_t(PyList_GET_ITEM(hi_list, j));
        len[j] = PyLong_AsSsize_t(PyList_GET_ITEM(len_list, j));
        if ((lo[j] == -1 || hi[j] == -1 || len[j] == -1) && PyErr_Occurred())
            goto fail;
        if (!on[j])
            continue;
        /* a unit's shingles hold its repeated-shingle positions: sizes stay >= 1, no division by 0 */
        if (lo[j] < 0 || hi[j] <= lo[j] || hi[j] > ng || len[j] < 0 || len[j] > PY_SSIZE_T_MAX / 4 ||
            len[j] - shingle + 1 < hi[j] - lo[j]) {
            PyErr_SetString(PyExc_ValueError, "near_dup_pairs: a unit's shingle range out of bounds");
            goto fail;
        }
        for (Py_ssize_t q = lo[j]; q < hi[j]; q++)
            if (g[q] >= top)
                top = g[q] + 1;
        pool_n += (size_t)(hi[j] - lo[j]);
        if (pool_n > (size_t)PY_SSIZE_T_MAX / 16) {
            PyErr_NoMemory();
            goto fail;
        }
    }
    size_t nT = (size_t)(top > 0 ? top : 1), ex_cap = 16;
    while (ex_cap < 2 * nL)
        ex_cap <<= 1;
    sizes = PyMem_New(Py_ssize_t, nL);
    cnt = PyMem_Calloc(nL, sizeof(Py_ssize_t));
    touched = PyMem_New(Py_ssize_t, nL);
    stamp = PyMem_Calloc(nT, sizeof(Py_ssize_t));
    post_n = PyMem_Calloc(nT, 1);
    post = PyMem_New(Py_ssize_t, nT * (size_t)cap);
    rep = PyMem_New(Py_ssize_t, nG);
    pool = PyMem_New(Py_ssize_t, pool_n);     /* the sorted ids of the units kept for the exact test */
    ex = PyMem_New(Py_ssize_t, 3 * nL);       /* per kept unit: its unit, offset in pool, length */
    slots = PyMem_Calloc(ex_cap, sizeof(Py_ssize_t)); /* 1 + an index into ex; 0: empty */
    pairs = PyList_New(0);
    if (!sizes || !cnt || !touched || !stamp || !post_n || !post || !rep || !pool || !ex || !slots) {
        PyErr_NoMemory();
        goto fail;
    }
    if (pairs == NULL)
        goto fail;
    Py_ssize_t n_ex = 0, pooled = 0;
    for (Py_ssize_t j = 0; j < L; j++) {
        if (!on[j])
            continue;
        Py_ssize_t nrep = 0;
        for (Py_ssize_t q = lo[j]; q < hi[j]; q++) {
            Py_ssize_t x = g[q];
            if (stamp[x] != j + 1) {
                stamp[x] = j + 1;
                rep[nrep++] = x;
            }
        }
        Py_ssize_t size = sizes[j] = len[j] - shingle + 1 - (hi[j] - lo[j]) + nrep;
        if (size == nrep) { /* every shingle repeats: maybe an exact copy of an earlier unit */
            qsort(rep, (size_t)nrep, sizeof(Py_ssize_t), ssize_cmp);
            uint64_t h = (uint64_t)nrep;
            for (Py_ssize_t i = 0; i < nrep; i++)
                h = mix(h ^ (uint64_t)rep[i]) + 0x9e3779b97f4a7c15ULL;
            size_t mask = ex_cap - 1, i = (size_t)h & mask;
            Py_ssize_t found = -1;
            while (slots[i]) {
                Py_ssize_t *e = ex + 3 * (slots[i] - 1);
                if (e[2] == nrep && memcmp(pool + e[1], rep, (size_t)nrep * sizeof(Py_ssize_t)) == 0) {
                    found = e[0];
                    break;
                }
                i = (i + 1) & mask;
            }
            if (found >= 0) {
                PyObject *t = Py_BuildValue("(nnd)", found, j, 1.0);
                if (t == NULL || PyList_Append(pairs, t) < 0) {
                    Py_XDECREF(t);
                    goto fail;
                }
                Py_DECREF(t);
                continue;
            }
            ex[3 * n_ex] = j;
            ex[3 * n_ex + 1] = pooled;
            ex[3 * n_ex + 2] = nrep;
            memcpy(pool + pooled, rep, (size_t)nrep * sizeof(Py_ssize_t));
            pooled += nrep;
            slots[i] = ++n_ex;
        }
        if ((double)nrep < jaccard * (double)size) { /* below the threshold with any unit: only indexed */
            for (Py_ssize_t r = 0; r < nrep; r++) {
                Py_ssize_t x = rep[r];
                if (post_n[x] < cap)
                    post[x * cap + post_n[x]++] = j;
            }
            continue;
        }
        Py_ssize_t nt = 0;
        for (Py_ssize_t r = 0; r < nrep; r++) {
            Py_ssize_t x = rep[r];
            const Py_ssize_t *ks = post + x * cap;
            for (Py_ssize_t i = 0; i < post_n[x]; i++)
                if (cnt[ks[i]]++ == 0)
                    touched[nt++] = ks[i];
            if (post_n[x] < cap)
                post[x * cap + post_n[x]++] = j;
        }
        if (nt > ccap) { /* the candidates must be capped: the Python version decides */
            Py_CLEAR(pairs);
            pairs = Py_None;
            Py_INCREF(pairs);
            goto done;
        }
        Py_ssize_t best_k = -1;
        double best = 0.0;
        for (Py_ssize_t i = 0; i < nt; i++) {
            Py_ssize_t k = touched[i], inter = cnt[k];
            cnt[k] = 0;
            double jac = (double)inter / (double)(size + sizes[k] - inter);
            if (jac > best || (jac == best && k < best_k)) {
                best_k = k;
                best = jac;
            }
        }
        if (best >= jaccard) {
            PyObject *t = Py_BuildValue("(nnd)", best_k, j, best);
            if (t == NULL || PyList_Append(pairs, t) < 0) {
                Py_XDECREF(t);
                goto fail;
            }
            Py_DECREF(t);
        }
    }
    goto done;
fail:
    Py_CLEAR(pairs);
done:
    PyMem_Free(g);
    PyMem_Free(lo);
    PyMem_Free(hi);
    PyMem_Free(len);
    PyMem_Free(on);
    PyMem_Free(sizes);
    PyMem_Free(cnt);
    PyMem_Free(touched);
    PyMem_Free(stamp);
    PyMem_Free(post_n);
    PyMem_Free(post);
    PyMem_Free(rep);
    PyMem_Free(pool);
    PyMem_Free(ex);
    PyMem_Free(slots);
    return pairs;
}

/* =============================================================================================
 * Parse area, round 17 (document.parse): the sentences' word indices, twin of document._bisect_intp_py
 *
 * bisect_intp(a, xs, ints) returns bisect_left(a, x) of each x, where a is any C-contiguous buffer read as
 * native Py_ssize_t values (the word starts: the bytes from ascii_words_ids, or numpy's intp array of
 * them), sorted; numpy.searchsorted(a, xs).tolist() in Python. No list of ints to build and convert and
 * no numpy call: the parse asks this for every sentence's start and end. A result below len(ints) (a
 * tuple of 0, 1, 2, ...) is that tuple's int (shared, not allocated).
 */

static PyObject *
bisect_intp(PyObject *self, PyObject *args)
{
    PyObject *a, *xs, *ints;
    if (!PyArg_ParseTuple(args, "OO!O!", &a, &PyList_Type, &xs, &PyTuple_Type, &ints))
        return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(a, &view, PyBUF_C_CONTIGUOUS) < 0)
        return NULL;
    PyObject *out = NULL;
    if (view.len % (Py_ssize_t)sizeof(Py_ssize_t) != 0) {
        PyErr_SetString(PyExc_ValueError, "bisect_intp: the buffer must hold whole Py_ssize_t values");
        goto done;
    }
    /* (the buffer stays exported: it cannot move) Read through memcpy: a buffer need not be aligned
       (memoryview(b)[1:], an unaligned numpy view), and a misaligned Py_ssize_t load is undefined */
    const char *vals = (const char *)view.buf;
    Py_ssize_t n = view.len / (Py_ssize_t)sizeof(Py_ssize_t);
    Py_ssize_t nx = PyList_GET_SIZE(xs);
    if ((out = PyList_New(nx)) == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < nx; i++) {
        /* read the size again: an allocation below may run a finalizer that changes xs */
        if (i >= PyList_GET_SIZE(xs)) {
            PyErr_SetString(PyExc_RuntimeError, "bisect_intp: the list changed size");
            Py_CLEAR(out);
            goto done;
        }
        PyObject *item = PyList_GET_ITEM(xs, i);
        if (!PyLong_Check(item)) {
            PyErr_SetString(PyExc_TypeError, "bisect_intp: xs must hold ints");
            Py_CLEAR(out);
            goto done;
        }
        Py_ssize_t x = PyLong_AsSsize_t(item);
        if (x == -1 && PyErr_Occurred()) {
            Py_CLEAR(out);
            goto done;
        }
        Py_ssize_t lo = 0, hi = n;
        while (lo < hi) {
            Py_ssize_t mid = lo + (hi - lo) / 2, v;
            memcpy(&v, vals + (size_t)mid * sizeof(Py_ssize_t), sizeof(Py_ssize_t));
            if (v < x)
                lo = mid + 1;
            else
                hi = mid;
        }
        PyObject *v = offset_int(ints, lo);
        if (v == NULL) {
            Py_CLEAR(out);
            goto done;
        }
        PyList_SET_ITEM(out, i, v);
    }
done:
    PyBuffer_Release(&view);
    return out;
}

/* ---------------------------------------------------------------------------------------------
 * Parse (round 18): heading candidates, twin of slopsift.structure._heading_candidates_py
 *
 * The lines detect_headings must look at: a superset of its headings' lines, found in one C pass so that
 * its Python loop skips the body lines (most lines) without touching them. Line i is a candidate when it
 * is not blank, not code, at most 300 characters long, and, with t its text stripped of whitespace
 * (Py_UNICODE_ISSPACE, as str.strip) and c = t[0]: t is empty, or c is '#' or '<', or line i may open a
 * block (i == 0, or line i - 1 is blank, code or a candidate) and either the next line is not blank and
 * its first character other than ' ' is '=' or '-' (a setext underline), or c is '*', '_', a digit
 * (str.isdigit), 'I', 'V', 'X' or 'L', or c is upper-case (str.isupper) or a non-ASCII character that is
 * not alphanumeric (str.isalnum: a pictograph may open a label or plain heading), the line's leading
 * whitespace is shorter than 4 and t ends with ':' or is at most 80 characters long and does not end with '.', ',', ';'
 * or '!'. Returns a list of line indices, or None (the caller then looks at every line) when an argument
 * is not of the exact types the parse passes (starts and ends lists of int, blank a list of bool, code a
 * set or frozenset of int) or a line it reads lies outside the text. Calls no Python code.
 */

/* Line i's start and end (0 when they are not both exact ints that fit a Py_ssize_t), and whether the
 * line is longer than 300 characters (exactly as Python's end - start > 300) or lies inside the text. */
static int
hc_span(PyObject *starts, PyObject *ends, Py_ssize_t i, Py_ssize_t *s, Py_ssize_t *e)
{
    PyObject *a = PyList_GET_ITEM(starts, i), *b = PyList_GET_ITEM(ends, i);
    if (!PyLong_CheckExact(a) || !PyLong_CheckExact(b))
        return 0;
    *s = PyLong_AsSsize_t(a);
    *e = PyLong_AsSsize_t(b);
    if ((*s == -1 || *e == -1) && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    return 1;
}

#define HC_LONG(s, e) ((e) > (s) && (size_t)(e) - (size_t)(s) > 300)
#define HC_INSIDE(s, e, len) (0 <= (s) && (s) <= (e) && (e) <= (len))

static PyObject *
heading_candidates(PyObject *self, PyObject *args)
{
    PyObject *text, *starts, *ends, *blank, *code;
    if (!PyArg_ParseTuple(args, "UO!O!O!O", &text, &PyList_Type, &starts, &PyList_Type, &ends, &PyList_Type,
                          &blank, &code))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(starts);
    if (PyList_GET_SIZE(ends) != n || PyList_GET_SIZE(blank) != n) {
        PyErr_SetString(PyExc_ValueError, "heading_candidates: a start, an end and a flag per line");
        return NULL;
    }
    if (!PySet_CheckExact(code) && !PyFrozenSet_CheckExact(code))
        Py_RETURN_NONE;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    /* flags[i]: 1 blank, 2 code (read once: no Python code runs below, so the lists cannot change) */
    unsigned char *flags = PyMem_Calloc((size_t)n + 1, 1);
    if (flags == NULL)
        return PyErr_NoMemory();
    PyObject *out = NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *b = PyList_GET_ITEM(blank, i);
        if (b == Py_True)
            flags[i] = 1;
        else if (b != Py_False)
            goto give_up;
    }
    if (PySet_GET_SIZE(code) > 0) {
        /* the public iterator, not _PySet_NextEntry (private, gone from 3.13's headers); iterating an
           exact set runs no Python code */
        PyObject *it = PyObject_GetIter(code);
        if (it == NULL)
            goto done;
        PyObject *key;
        while ((key = PyIter_Next(it)) != NULL) {
            if (!PyLong_CheckExact(key)) {
                Py_DECREF(key);
                Py_DECREF(it);
                goto give_up; /* (a float or bool equal to an index would count: leave it to Python) */
            }
            Py_ssize_t k = PyLong_AsSsize_t(key);
            Py_DECREF(key);
            if (k == -1 && PyErr_Occurred())
                PyErr_Clear(); /* too big: no line's index */
            else if (k >= 0 && k < n)
                flags[k] |= 2;
        }
        Py_DECREF(it);
        if (PyErr_Occurred())
            goto done;
    }
    out = PyList_New(0);
    if (out == NULL)
        goto done;
    int prev_opens = 1; /* line i may open a block: i == 0, or line i - 1 blank, code or a candidate */
    for (Py_ssize_t i = 0; i < n; i++) {
        int may_open = prev_opens;
        prev_opens = 1;
        if (flags[i])
            continue;
        Py_ssize_t s, e;
        if (!hc_span(starts, ends, i, &s, &e))
            goto give_up;
        if (HC_LONG(s, e)) { /* (never read) */
            prev_opens = 0;
            continue;
        }
        if (!HC_INSIDE(s, e, len))
            goto give_up;
        Py_ssize_t a = s, z = e;
        while (a < z && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, a)))
            a++;
        while (z > a && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, z - 1)))
            z--;
        int cand = 0;
        if (a == z)
            cand = 1; /* (blank after all: the Python loop raises on it, as it always did) */
        else {
            Py_UCS4 c = PyUnicode_READ(kind, data, a);
            Py_UCS4 last = PyUnicode_READ(kind, data, z - 1);
            if (c == '#' || c == '<')
                cand = 1;
            else if (may_open) {
                if (i + 1 < n && !(flags[i + 1] & 1)) {
                    Py_ssize_t s2, e2;
                    if (!hc_span(starts, ends, i + 1, &s2, &e2) || !HC_INSIDE(s2, e2, len))
                        goto give_up;
                    while (s2 < e2 && PyUnicode_READ(kind, data, s2) == ' ')
                        s2++;
                    if (s2 < e2) {
                        Py_UCS4 u = PyUnicode_READ(kind, data, s2);
                        cand = u == '=' || u == '-';
                    }
                }
                if (cand || c == '*' || c == '_' || c == 'I' || c == 'V' || c == 'X' || c == 'L' ||
                    Py_UNICODE_ISDIGIT(c))
                    cand = 1;
                else if ((Py_UNICODE_ISUPPER(c) || (c > 127 && !Py_UNICODE_ISALNUM(c))) && a - s < 4)
                    cand = last == ':' ||
                           (z - a <= 80 && last != '.' && last != ',' && last != ';' && last != '!');
            }
        }
        if (cand) {
            if (append_index(out, i) < 0) {
                Py_CLEAR(out);
                goto done;
            }
        }
        else
            prev_opens = 0;
    }
    goto done;
give_up:
    Py_CLEAR(out);
    PyMem_Free(flags);
    Py_RETURN_NONE;
done:
    PyMem_Free(flags);
    return out;
}

/* Paragraph runs: twin of slopsift.document._paragraph_runs_py
 *
 * The first and last line of every run of non-blank lines, from the lines' blankness (a list of bools), as
 * two lists; None when a flag is not a bool (the caller then runs the Python version). Calls no Python code.
 */

static PyObject *
paragraph_runs(PyObject *self, PyObject *args)
{
    PyObject *blank;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &blank))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(blank);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *b = PyList_GET_ITEM(blank, i);
        if (b != Py_True && b != Py_False)
            Py_RETURN_NONE;
    }
    PyObject *firsts = PyList_New(0), *lasts = PyList_New(0);
    if (firsts == NULL || lasts == NULL)
        goto fail;
    int prev = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        int b = PyList_GET_ITEM(blank, i) == Py_True;
        if (b != prev) {
            if (append_index(b ? lasts : firsts, b ? i - 1 : i) < 0)
                goto fail;
            prev = b;
        }
    }
    if (!prev && append_index(lasts, n - 1) < 0)
        goto fail;
    return Py_BuildValue("(NN)", firsts, lasts);
fail:
    Py_XDECREF(firsts);
    Py_XDECREF(lasts);
    return NULL;
}

/* =============================================================================================
 * Inconsistency area, round 18 (inconsistency._scan): the cue positions' sentences, twin of
 * inconsistency._cue_sentences_py
 *
 * cue_sentences(pos, words, starts, ends, numeric, counted, polar_cues, list_nouns, role_first) reads each
 * position i of pos (indices into words) in order: a word of counted with no word of numeric among the
 * four words before it is skipped; the sentence of i is bisect_right(starts, i) - 1 (skipped when below 0
 * or when i >= ends[si]); then i goes into by_sent[si] when its word is in numeric, and si is appended to
 * polar, cue_sents and role_sents when the word is in polar_cues, list_nouns and role_first (each list
 * once per run of equal si). Returns (by_sent, polar, cue_sents, role_sents). The sets must be sets or
 * frozensets; starts and ends are copied to C arrays first (the set probes may run Python code that
 * changes the lists: pos and words are re-read and bounds-checked at every step).
 */

static int
ssize_array(PyObject *list, Py_ssize_t **out, Py_ssize_t *n, const char *what)
{
    Py_ssize_t m = PyList_GET_SIZE(list);
    Py_ssize_t *a = PyMem_New(Py_ssize_t, m > 0 ? m : 1);
    if (a == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (read_ssizes(list, m, a) < 0) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "cue_sentences: %s must hold ints", what);
        }
        PyMem_Free(a);
        return -1;
    }
    *out = a;
    *n = m;
    return 0;
}

/* Append si to list unless it was the last one appended (*last); -1 on error. */
static int
append_sentence(PyObject *list, Py_ssize_t si, Py_ssize_t *last, PyObject *key)
{
    if (*last == si)
        return 0;
    *last = si;
    return PyList_Append(list, key);
}

static PyObject *
cue_sentences(PyObject *self, PyObject *args)
{
    PyObject *pos, *words, *starts_l, *ends_l, *numeric, *counted, *polar_cues, *list_nouns, *role_first;
    if (!PyArg_ParseTuple(args, "O!O!O!O!OOOOO", &PyList_Type, &pos, &PyList_Type, &words, &PyList_Type,
                          &starts_l, &PyList_Type, &ends_l, &numeric, &counted, &polar_cues, &list_nouns,
                          &role_first))
        return NULL;
    if (!PyAnySet_Check(numeric) || !PyAnySet_Check(counted) || !PyAnySet_Check(polar_cues) ||
        !PyAnySet_Check(list_nouns) || !PyAnySet_Check(role_first)) {
        PyErr_SetString(PyExc_TypeError, "cue_sentences: the vocabularies must be sets or frozensets");
        return NULL;
    }
    Py_ssize_t *starts = NULL, *ends = NULL, ns = 0, ne = 0;
    PyObject *by_sent = NULL, *polar = NULL, *cue_sents = NULL, *role_sents = NULL, *result = NULL;
    PyObject *w = NULL, *key = NULL, *item = NULL;
    if (ssize_array(starts_l, &starts, &ns, "starts") < 0 || ssize_array(ends_l, &ends, &ne, "ends") < 0)
        goto done;
    if ((by_sent = PyDict_New()) == NULL || (polar = PyList_New(0)) == NULL ||
        (cue_sents = PyList_New(0)) == NULL || (role_sents = PyList_New(0)) == NULL)
        goto done;
    Py_ssize_t last_polar = -1, last_cue = -1, last_role = -1;
    for (Py_ssize_t p = 0; p < PyList_GET_SIZE(pos); p++) {
        item = PyList_GET_ITEM(pos, p);
        Py_INCREF(item); /* held: a set probe could change the lists */
        if (!PyLong_Check(item)) {
            PyErr_SetString(PyExc_TypeError, "cue_sentences: pos must hold ints");
            goto done;
        }
        Py_ssize_t i = PyLong_AsSsize_t(item);
        if (i == -1 && PyErr_Occurred()) {
            if (!PyErr_ExceptionMatches(PyExc_OverflowError))
                goto done;
            PyErr_Clear(); /* (words[i] raises IndexError then) */
            i = PY_SSIZE_T_MIN;
        }
        /* words[i] as Python reads it: a negative i counts from the end */
        Py_ssize_t at = i < 0 && i != PY_SSIZE_T_MIN ? i + PyList_GET_SIZE(words) : i;
        if (at < 0 || at >= PyList_GET_SIZE(words)) {
            PyErr_SetString(PyExc_IndexError, "cue_sentences: a position is outside the words");
            goto done;
        }
        w = PyList_GET_ITEM(words, at);
        Py_INCREF(w);
        int hit = PySet_Contains(counted, w);
        if (hit < 0)
            goto done;
        if (hit) {
            int near = 0; /* the words of words[max(0, i - 4):i] */
            Py_ssize_t stop = i < 0 ? i + PyList_GET_SIZE(words) : i;
            for (Py_ssize_t k = i - 4 > 0 ? i - 4 : 0; k < stop && k < PyList_GET_SIZE(words); k++) {
                PyObject *v = PyList_GET_ITEM(words, k);
                Py_INCREF(v);
                near = PySet_Contains(numeric, v);
                Py_DECREF(v);
                if (near != 0)
                    break;
            }
            if (near < 0)
                goto done;
            if (!near)
                goto next; /* a list noun without a number just before it */
        }
        Py_ssize_t si = bisect_ssize(starts, ns, i, 1) - 1;
        if (si < 0)
            goto next;
        if (si >= ne) {
            PyErr_SetString(PyExc_IndexError, "cue_sentences: ends is shorter than starts");
            goto done;
        }
        if (i >= ends[si])
            goto next;
        if ((key = PyLong_FromSsize_t(si)) == NULL)
            goto done;
        if ((hit = PySet_Contains(numeric, w)) < 0)
            goto done;
        if (hit) {
            PyObject *row = PyDict_GetItemWithError(by_sent, key); /* borrowed */
            if (row == NULL) {
                if (PyErr_Occurred() || (row = PyList_New(0)) == NULL)
                    goto done;
                int rc = PyDict_SetItem(by_sent, key, row);
                Py_DECREF(row); /* the dict holds it */
                if (rc < 0)
                    goto done;
            }
            if (PyList_Append(row, item) < 0)
                goto done;
        }
        if ((hit = PySet_Contains(polar_cues, w)) < 0 || (hit && append_sentence(polar, si, &last_polar, key) < 0))
            goto done;
        if ((hit = PySet_Contains(list_nouns, w)) < 0 ||
            (hit && append_sentence(cue_sents, si, &last_cue, key) < 0))
            goto done;
        if ((hit = PySet_Contains(role_first, w)) < 0 ||
            (hit && append_sentence(role_sents, si, &last_role, key) < 0))
            goto done;
    next:
        Py_CLEAR(key);
        Py_CLEAR(w);
        Py_CLEAR(item);
    }
    result = PyTuple_Pack(4, by_sent, polar, cue_sents, role_sents);
done:
    Py_XDECREF(item);
    Py_XDECREF(w);
    Py_XDECREF(key);
    Py_XDECREF(by_sent);
    Py_XDECREF(polar);
    Py_XDECREF(cue_sents);
    Py_XDECREF(role_sents);
    PyMem_Free(starts);
    PyMem_Free(ends);
    return result;
}

/* Digit initials: twin of inconsistency._digit_positions_py
 *
 * digit_positions(initials: str) -> the indices, ascending, of the characters that are digits
 * (str.isdigit: '0'..'9' in ASCII, Py_UNICODE_ISDIGIT beyond, '\u00b2', '\u0663'). The regex scan it
 * replaces calls its charset test once a character.
 */

static PyObject *
digit_positions(PyObject *self, PyObject *args)
{
    PyObject *initials;
    if (!PyArg_ParseTuple(args, "U", &initials))
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(initials);
    int kind = PyUnicode_KIND(initials);
    const void *data = PyUnicode_DATA(initials);
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        int digit = c < 128 ? (c >= '0' && c <= '9') : Py_UNICODE_ISDIGIT(c);
        if (digit && append_index(out, i) < 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
}

/* ---------------------------------------------------------------------------------------------
 * Non-prose spans (round 18b, document): twin of slopsift.document._nonprose_spans_py
 *
 * URLs ("://" with up to 10 letters of scheme before it, "www."), Markdown link targets ("](...)"),
 * domain names (a known top-level domain that ends one, walked back to a token stop, with any "/path"),
 * and the given code-line spans, sorted and merged. Each regex of the Python version is read here as `re`
 * reads it on a str: \s is Py_UNICODE_ISSPACE, \w is Py_UNICODE_ISALNUM or '_', str.isalpha is
 * Py_UNICODE_ISALPHA (and str.isalnum, str.isupper, str.islower of one character Py_UNICODE_ISALNUM,
 * _ISUPPER, _ISLOWER); the scans resume where the regex finditer / str.find loops resume.
 */

typedef struct {
    Py_ssize_t s, e;
} np_span;

typedef struct {
    np_span *v;
    Py_ssize_t n, cap;
} np_spans;

static int
np_push(np_spans *sp, Py_ssize_t s, Py_ssize_t e)
{
    if (sp->n == sp->cap) {
        Py_ssize_t cap = sp->cap ? 2 * sp->cap : 16;
        np_span *v = PyMem_Realloc(sp->v, (size_t)cap * sizeof(np_span));
        if (v == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        sp->v = v;
        sp->cap = cap;
    }
    sp->v[sp->n].s = s;
    sp->v[sp->n].e = e;
    sp->n++;
    return 0;
}

static int
np_cmp(const void *a, const void *b)
{
    const np_span *x = a, *y = b;
    if (x->s != y->s)
        return x->s < y->s ? -1 : 1;
    return x->e < y->e ? -1 : (x->e > y->e);
}

/* [\s()\[\]<>"'`]: the characters a URL tail or a path stops at */
static inline int
np_url_stop(Py_UCS4 c)
{
    switch (c) {
    case '(': case ')': case '[': case ']': case '<': case '>': case '"': case '\'': case '`':
        return 1;
    default:
        return Py_UNICODE_ISSPACE(c);
    }
}

/* the end of the match of [^\s()\[\]<>"'`]* at i */
static inline Py_ssize_t
np_tail(int kind, const void *data, Py_ssize_t n, Py_ssize_t i)
{
    while (i < n && !np_url_stop(PyUnicode_READ(kind, data, i)))
        i++;
    return i;
}

/* The first index >= from where the ASCII literal `lit` (`m` characters) starts, or -1 (-2 on error): the occurrences
 * of its character lit[a] (one rarer in text than its first: ':' of "://", '.' of "www.") are found with
 * PyUnicode_FindChar (memchr on one-byte strings), and the literal checked around each. */
static Py_ssize_t
np_find(PyObject *text, const char *lit, Py_ssize_t m, Py_ssize_t a, Py_ssize_t from)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t j = from + a; j < n;) {
        j = PyUnicode_FindChar(text, (Py_UCS4)(unsigned char)lit[a], j, n, 1);
        if (j < 0 || j - a + m > n)
            return j < -1 ? -2 : -1; /* -2: an error (none is possible on a str with these bounds) */
        Py_ssize_t i = j - a, k = 0;
        while (k < m && PyUnicode_READ(kind, data, i + k) == (Py_UCS4)(unsigned char)lit[k])
            k++;
        if (k == m)
            return i;
        j++;
    }
    return -1;
}

static const char *const np_tlds[] = {"com", "org", "net", "gov", "edu", "io", "dev",
                                      "co",  "uk",  "us",  "ai",  "app", "info", "biz"};

/* The end of the match of \.(?:com|org|...|biz)(?![\w-]) at i (low[i] == '.'), or -1. */
static Py_ssize_t
np_tld_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t i)
{
    if (i + 2 >= n)
        return -1; /* a domain takes two letters at least */
    switch (PyUnicode_READ(kind, data, i + 1)) { /* most dots end a sentence: one test rules them out */
    case 'a': case 'b': case 'c': case 'd': case 'e': case 'g': case 'i': case 'n': case 'o': case 'u':
        break;
    default:
        return -1;
    }
    for (size_t t = 0; t < sizeof(np_tlds) / sizeof(np_tlds[0]); t++) {
        const char *w = np_tlds[t];
        Py_ssize_t j = i + 1;
        while (*w && j < n && PyUnicode_READ(kind, data, j) == (Py_UCS4)(unsigned char)*w) {
            w++;
            j++;
        }
        if (*w)
            continue;
        if (j < n) {
            Py_UCS4 c = PyUnicode_READ(kind, data, j);
            if (c == '-' || c == '_' || Py_UNICODE_ISALNUM(c))
                continue;
        }
        return j;
    }
    return -1;
}

/* Whether the top-level domain low[dot:end] (found by np_tld_at) ends a domain name, reading the case of
 * the text (kind tk, data td): document._ends_domain. Not after an empty label (" .com", ".NET"), nor
 * before a dot and a capital (java.net.URL), nor unless written in lower case or, after a label not ending
 * in a lower-case letter, in capitals other than .NET (GOV.UK; not ASP.Net, year.AI, ASP.NET). */
static int
np_ends_domain(int tk, const void *td, int kind, const void *data, Py_ssize_t n, Py_ssize_t dot, Py_ssize_t end)
{
    if (dot == 0 || !Py_UNICODE_ISALNUM(PyUnicode_READ(kind, data, dot - 1)))
        return 0;
    if (end + 1 < n && PyUnicode_READ(kind, data, end) == '.'
        && Py_UNICODE_ISUPPER(PyUnicode_READ(tk, td, end + 1)))
        return 0;
    int same = 1, upper = 1;
    for (Py_ssize_t j = dot + 1; j < end; j++) {
        Py_UCS4 c = PyUnicode_READ(tk, td, j), w = PyUnicode_READ(kind, data, j); /* w: 'a'..'z' */
        same &= c == w;
        upper &= c == w - ('a' - 'A');
    }
    if (same)
        return 1;
    int net = end - dot == 4 && PyUnicode_READ(kind, data, dot + 1) == 'n'
              && PyUnicode_READ(kind, data, dot + 2) == 'e' && PyUnicode_READ(kind, data, dot + 3) == 't';
    return upper && !net && !Py_UNICODE_ISLOWER(PyUnicode_READ(tk, td, dot - 1));
}

/* " \t\n()[]<>\"'`,;": where a domain name's walk back stops */
static inline int
np_token_stop(Py_UCS4 c)
{
    switch (c) {
    case ' ': case '\t': case '\n': case '(': case ')': case '[': case ']': case '<': case '>': case '"':
    case '\'': case '`': case ',': case ';':
        return 1;
    default:
        return 0;
    }
}

static PyObject *
nonprose_spans(PyObject *self, PyObject *args)
{
    PyObject *orig, *text, *code; /* the scans read text, the lower-cased orig */
    if (!PyArg_ParseTuple(args, "UUO!", &orig, &text, &PyList_Type, &code))
        return NULL;
    int kind = PyUnicode_KIND(text), tk = PyUnicode_KIND(orig);
    const void *data = PyUnicode_DATA(text), *td = PyUnicode_DATA(orig);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (PyUnicode_GET_LENGTH(orig) != n) {
        PyErr_SetString(PyExc_ValueError, "nonprose_spans: the text and its lower-cased copy differ in length");
        return NULL;
    }
    np_spans sp = {NULL, 0, 0};
    PyObject *out = NULL;
    Py_ssize_t i;
    /* URLs: "://" (with its scheme, up to 10 letters before it) and "www.", each scan resuming at the
     * end of the URL it found */
    for (i = np_find(text, "://", 3, 0, 0); i >= 0;) {
        Py_ssize_t s = i;
        while (s > i - 10 && s > 0 && Py_UNICODE_ISALPHA(PyUnicode_READ(kind, data, s - 1)))
            s--;
        Py_ssize_t e = np_tail(kind, data, n, i + 3);
        if (np_push(&sp, s, e) < 0)
            goto fail;
        i = np_find(text, "://", 3, 0, e);
    }
    if (i < -1)
        goto fail;
    for (i = np_find(text, "www.", 4, 3, 0); i >= 0;) {
        Py_ssize_t e = np_tail(kind, data, n, i + 4);
        if (np_push(&sp, i, e) < 0)
            goto fail;
        i = np_find(text, "www.", 4, 3, e);
    }
    if (i < -1)
        goto fail;
    /* link targets: \]\([^)\s]*\) */
    for (i = np_find(text, "](", 2, 0, 0); i >= 0;) {
        Py_ssize_t j = i + 2;
        Py_UCS4 c = 0;
        while (j < n && (c = PyUnicode_READ(kind, data, j)) != ')' && !Py_UNICODE_ISSPACE(c))
            j++;
        if (j < n && c == ')') {
            if (np_push(&sp, i, j + 1) < 0)
                goto fail;
            i = np_find(text, "](", 2, 0, j + 1);
        }
        else
            i = np_find(text, "](", 2, 0, i + 1);
    }
    if (i < -1)
        goto fail;
    /* domain names: each top-level domain not inside the last one's span that ends a domain name
     * (np_ends_domain), walked back over at most 100 characters (never past that span) to a token stop,
     * with its path */
    Py_ssize_t done = 0;
    for (i = np_find(text, ".", 1, 0, 0); i >= 0;) {
        Py_ssize_t end = np_tld_at(kind, data, n, i);
        if (end < 0) {
            i = np_find(text, ".", 1, 0, i + 1);
            continue;
        }
        if (i >= done && np_ends_domain(tk, td, kind, data, n, i, end)) {
            Py_ssize_t s = i, floor = i - 100 > done ? i - 100 : done;
            while (s > floor && !np_token_stop(PyUnicode_READ(kind, data, s - 1)))
                s--;
            done = end < n && PyUnicode_READ(kind, data, end) == '/' ? np_tail(kind, data, n, end + 1) : end;
            if (np_push(&sp, s, done) < 0)
                goto fail;
        }
        i = np_find(text, ".", 1, 0, end);
    }
    if (i < -1)
        goto fail;
    /* code lines: (start, end) pairs */
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(code); k++) {
        PyObject *pair = PyList_GET_ITEM(code, k);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
            PyErr_SetString(PyExc_TypeError, "nonprose_spans: code spans must be (start, end) tuples");
            goto fail;
        }
        Py_ssize_t s = PyLong_AsSsize_t(PyTuple_GET_ITEM(pair, 0));
        if (s == -1 && PyErr_Occurred())
            goto fail;
        Py_ssize_t e = PyLong_AsSsize_t(PyTuple_GET_ITEM(pair, 1));
        if (e == -1 && PyErr_Occurred())
            goto fail;
        if (np_push(&sp, s, e) < 0)
            goto fail;
    }
    if (sp.n > 1)
        qsort(sp.v, (size_t)sp.n, sizeof(np_span), np_cmp);
    /* merge overlapping or touching spans */
    Py_ssize_t m = 0;
    for (Py_ssize_t k = 0; k < sp.n; k++) {
        if (m > 0 && sp.v[k].s <= sp.v[m - 1].e) {
            if (sp.v[k].e > sp.v[m - 1].e)
                sp.v[m - 1].e = sp.v[k].e;
        }
        else
            sp.v[m++] = sp.v[k];
    }
    out = PyTuple_New(m);
    if (out == NULL)
        goto fail;
    for (Py_ssize_t k = 0; k < m; k++) {
        PyObject *pair = PyTuple_New(2);
        if (pair == NULL)
            goto fail;
        PyTuple_SET_ITEM(out, k, pair);
        PyObject *s = PyLong_FromSsize_t(sp.v[k].s), *e = s ? PyLong_FromSsize_t(sp.v[k].e) : NULL;
        if (e == NULL) {
            Py_XDECREF(s);
            goto fail;
        }
        PyTuple_SET_ITEM(pair, 0, s);
        PyTuple_SET_ITEM(pair, 1, e);
    }
    PyMem_Free(sp.v);
    return out;
fail:
    Py_XDECREF(out);
    PyMem_Free(sp.v);
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Inconsistency polarity: sparse word positions, twin of inconsistency._positions_py
 *
 * sparse_positions(words: list, vocab: set | frozenset) -> list[int]: the indices (ascending) of the
 * words in vocab, like positions(), for a small vocab (the polarity probes: a few words). Each
 * word's hash (cached in a str) is first tested against a 1024-bit filter of the vocab's hashes, so
 * most words cost no set probe; an equal word has an equal hash, so no hit is missed. A vocab of more
 * than 256 words is probed for every word.
 *
 * The filter holds only while no Python code can run: it is built from an exact set or frozenset whose
 * members are all exact str (their hashes are the cached ones the set stored, read with no call into
 * Python), and it is used for exact str words only (a probe then compares str with str, in C). Any
 * other vocab, and every word from the first one that is not an exact str on (its __hash__ or __eq__
 * could change the vocab), goes through the vocab's `in` (PySequence_Contains: vocab.__contains__, as
 * the Python version calls it, with its set-to-frozenset retry and a subclass's override).
 */

#define SPARSE_BITS 1024

static PyObject *
sparse_positions(PyObject *self, PyObject *args)
{
    PyObject *words, *vocab;
    if (!PyArg_ParseTuple(args, "O!O", &PyList_Type, &words, &vocab))
        return NULL;
    if (!PyAnySet_Check(vocab)) {
        PyErr_SetString(PyExc_TypeError, "sparse_positions: vocab must be a set or frozenset");
        return NULL;
    }
    uint64_t bits[SPARSE_BITS / 64];
    memset(bits, 0, sizeof bits);
    int filtered = PyAnySet_CheckExact(vocab) && PySet_GET_SIZE(vocab) <= 256;
    if (filtered) {
        PyObject *it = PyObject_GetIter(vocab);
        if (it == NULL)
            return NULL;
        PyObject *v;
        while (filtered && (v = PyIter_Next(it)) != NULL) {
            if (PyUnicode_CheckExact(v)) {
                Py_hash_t h = PyObject_Hash(v); /* a str in a set: its cached hash */
                size_t b = (size_t)h % SPARSE_BITS;
                bits[b / 64] |= (uint64_t)1 << (b % 64);
            }
            else
                filtered = 0; /* its hash now need not be the one the set stored (nor succeed) */
            Py_DECREF(v);
        }
        Py_DECREF(it);
        if (PyErr_Occurred())
            return NULL;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(words); i++) {
        PyObject *w = PyList_GET_ITEM(words, i);
        Py_INCREF(w); /* a word's __hash__ or __eq__ could change the list */
        int hit;
        if (filtered && PyUnicode_CheckExact(w)) {
            /* a str caches its hash: read it directly (-1: not computed yet; computing it runs no Python code) */
            Py_hash_t h = ((PyASCIIObject *)w)->hash;
            if (h == -1)
                h = PyObject_Hash(w);
            size_t b = (size_t)h % SPARSE_BITS;
            hit = h == -1 ? -1 : (bits[b / 64] & ((uint64_t)1 << (b % 64))) ? PySet_Contains(vocab, w) : 0;
        }
        else {
            filtered = 0; /* Python code may run from here on: no filter */
            hit = PySequence_Contains(vocab, w);
        }
        Py_DECREF(w);
        if (hit < 0)
            goto fail;
        if (hit && append_index(out, i) < 0)
            goto fail;
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Repeated spans: twin of slopsift.signals.repetition._repeated_spans_py
 *
 * repeated_spans(text, starts, ends): the k, ascending, whose span text[starts[k]:ends[k]] equals an
 * earlier one's, without making a str of any span: each span's code units are hashed straight from the
 * str's buffer (any of the three PEP 393 kinds: the spans of one str share its kind, so equal spans are
 * equal-length runs of equal bytes) into an open-addressing table, and a hash match is confirmed by memcmp.
 * The hash is fixed (and invertible), so a crafted text could give many different spans one hash, or
 * hashes that differ but share the slot bits, and make the probes quadratic: at the first match of hash
 * and length whose spans differ (about n * n / 2 ** 65 to expect on other texts), or once the probes
 * pass SPAN_PROBE_BUDGET steps a span (2.5 to expect at the table's load of half or less), it returns
 * None, and the caller runs the twin (str's seeded hash) instead.
 * As the twin, it pairs starts and ends up to the shorter list (map stops there) and takes each bound as a
 * slice does: an int (bool too) counts from the end when negative and is clamped to the text, even past
 * the range of Py_ssize_t; None is the text's start or end; a span whose start is not before its end is
 * empty (so two such spans repeat). A bound that is neither an int nor None raises TypeError wherever it
 * is, as the twin's slicing does (the twin also takes objects with __index__, this does not: the
 * TypeError says so). text must be a str, starts and ends lists, else TypeError. Reading the bounds runs
 * no Python code, but appending to the result may (a finalizer run by the garbage collector): the lists'
 * sizes are read again at each step.
 */

typedef struct {
    uint64_t hash;
    Py_ssize_t start; /* in code units */
    Py_ssize_t len;   /* -1: empty slot */
} SpanSlot;

#define SPAN_STACK_SLOTS 256
#define SPAN_PROBE_BUDGET 16 /* probe steps a span, on average, before giving up */

/* A slice bound as str slicing reads it: *out = the int clamped to Py_ssize_t, or `none_value` for None;
 * -1 with TypeError for anything else. */
static int
span_bound(PyObject *o, Py_ssize_t none_value, Py_ssize_t *out)
{
    if (o == Py_None) {
        *out = none_value;
        return 0;
    }
    if (!PyLong_Check(o)) {
        PyErr_SetString(PyExc_TypeError, "repeated_spans: slice indices must be integers or None");
        return -1;
    }
    *out = PyLong_AsSsize_t(o);
    if (*out == -1 && PyErr_Occurred()) {
        if (!PyErr_ExceptionMatches(PyExc_OverflowError))
            return -1;
        PyErr_Clear();
        *out = PyNumber_AsSsize_t(o, NULL); /* clamped; an int: no Python code */
        if (*out == -1 && PyErr_Occurred())
            return -1;
    }
    return 0;
}

static inline uint64_t
span_hash(const unsigned char *p, Py_ssize_t nbytes)
{
    const uint64_t m = 0xFF51AFD7ED558CCDu;
    uint64_t h = (uint64_t)nbytes * 0x9E3779B97F4A7C15u, w;
    Py_ssize_t i = 0;
    for (; i + 8 <= nbytes; i += 8) {
        memcpy(&w, p + i, 8);
        h = (h ^ w) * m;
        h ^= h >> 29;
    }
    if (i < nbytes) {
        w = 0;
        memcpy(&w, p + i, (size_t)(nbytes - i));
        h = (h ^ w) * m;
        h ^= h >> 29;
    }
    h *= 0xC4CEB9FE1A85EC53u;
    return h ^ (h >> 32);
}

static PyObject *
repeated_spans(PyObject *self, PyObject *args)
{
    PyObject *text, *starts, *ends, *out = NULL;
    (void)self;
    if (!PyArg_ParseTuple(args, "UO!O!", &text, &PyList_Type, &starts, &PyList_Type, &ends))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(starts) < PyList_GET_SIZE(ends) ? PyList_GET_SIZE(starts) : PyList_GET_SIZE(ends);
    if (n > PY_SSIZE_T_MAX / 2 / (Py_ssize_t)sizeof(SpanSlot))
        return PyErr_NoMemory();
    size_t cap = 8;
    while (cap < (size_t)n * 2)
        cap *= 2;
    SpanSlot stack[SPAN_STACK_SLOTS], *slots = stack;
    if (cap > SPAN_STACK_SLOTS) {
        slots = PyMem_Malloc(cap * sizeof(SpanSlot));
        if (slots == NULL)
            return PyErr_NoMemory();
    }
    for (size_t j = 0; j < cap; j++)
        slots[j].len = -1;
    const int kind = PyUnicode_KIND(text);
    const unsigned char *data = PyUnicode_DATA(text);
    const Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    const size_t mask = cap - 1;
    /* at most n spans go in, and the table has 2n slots or more: a probe always ends */
    size_t probes = (size_t)n * SPAN_PROBE_BUDGET + 1024;
    for (Py_ssize_t k = 0; k < n && k < PyList_GET_SIZE(starts) && k < PyList_GET_SIZE(ends); k++) {
        Py_ssize_t s, e;
        if (span_bound(PyList_GET_ITEM(starts, k), 0, &s) < 0 ||
            span_bound(PyList_GET_ITEM(ends, k), PY_SSIZE_T_MAX, &e) < 0)
            goto fail;
        Py_ssize_t len = PySlice_AdjustIndices(length, &s, &e, 1);
        const unsigned char *p = data + s * kind;
        uint64_t h = span_hash(p, len * kind);
        for (size_t j = (size_t)h & mask;; j = (j + 1) & mask) {
            SpanSlot *slot = &slots[j];
            if (slot->len < 0) {
                slot->hash = h;
                slot->start = s;
                slot->len = len;
                break;
            }
            if (slot->hash == h && slot->len == len) {
                if (memcmp(data + slot->start * kind, p, (size_t)len * (size_t)kind) != 0)
                    goto give_up;
                if ((out == NULL && (out = PyList_New(0)) == NULL) || append_index(out, k) < 0)
                    goto fail;
                break;
            }
            if (--probes == 0)
                goto give_up;
        }
    }
    if (slots != stack)
        PyMem_Free(slots);
    return out != NULL ? out : PyList_New(0);
give_up: /* crafted spans: the twin answers */
    if (slots != stack)
        PyMem_Free(slots);
    Py_XDECREF(out);
    Py_RETURN_NONE;
fail:
    if (slots != stack)
        PyMem_Free(slots);
    Py_XDECREF(out);
    return NULL;
}

static PyMethodDef methods[] = {
    {"repeated_ngrams", repeated_ngrams, METH_VARARGS,
     "repeated_ngrams(ids: list[int], base: int, nmax: int, ints: tuple[int, ...] = ()) -> list of (pos, gids, "
     "counts, first) for n = 2, 3, ... up to the last length at which something repeats; ints 0, 1, 2, ... "
     "taken from ints where it holds them"},
    {"trie_candidates", trie_candidates, METH_VARARGS,
     "trie_candidates(trie: bytes, text: str) -> list[(offset, phrase as written)]: "
     "PhraseMatcherSet.candidates"},
    {"word_ids_counts", word_ids_counts, METH_VARARGS,
     "word_ids_counts(words: list[str], counter_type: type) -> (ids, counts): Document.word_ids and "
     "Document.word_counts in one pass"},
    {"pair_hits", pair_hits, METH_VARARGS,
     "pair_hits(firsts: list[str], nexts: list[str] | str, table: dict[str, Container[str]]) -> list[int]: "
     "the i with nexts[i + 1] in table[firsts[i]]"},
    {"positions", positions, METH_VARARGS,
     "positions(words: list[str], vocab: Container[str]) -> list[int]: the indices of the words in vocab"},
    {"word_stats", word_stats, METH_VARARGS,
     "word_stats(words: list[str], groups: dict[str, int], n_groups: int) -> (counts per group, sum of "
     "lengths, sum of squared lengths) or None (lengths too large for 64-bit sums)"},
    {"zipf_profile", zipf_profile, METH_VARARGS,
     "zipf_profile(facts, flags, oov, rare, common, max_unknown) -> (total, total_sq, rare, mid, unknown, "
     "chosen, misspelt word indices, first unknown word indices)"},
    {"sentence_syllables", sentence_syllables, METH_VARARGS,
     "sentence_syllables(facts, ws: list[int], we: list[int]) -> (syllables per range, long words) or None"},
    {"sentence_spans", sentence_spans, METH_VARARGS,
     "sentence_spans(text: str, blocks: list[(start, text start, text end, end)], abbreviations: frozenset, "
     "long_word: int) -> (starts, ends): document._sentence_spans"},
    {"near_dup_units", near_dup_units, METH_VARARGS,
     "near_dup_units(starts, ends, positions: int64 array, min_words, jaccard, shingle) -> (eligible, last, "
     "shingle starts, shingle ends, lengths, active) of units 0..last: repetition._near_dup_units_py"},
    {"build_frozen", build_frozen, METH_VARARGS,
     "build_frozen(cls: type, slots: Sequence[member descriptor], columns: tuple[Sequence, ...]) -> list[cls]: "
     "_frozen._build_frozen_py"},
    {"line_spans", line_spans, METH_VARARGS,
     "line_spans(raws: list[str], ints: tuple[int, ...]) -> (starts, ends, blank): document._line_spans_py"},
    {"blocks_of_lines", blocks_of_lines, METH_VARARGS,
     "blocks_of_lines(raws, starts, ends, blank, heading_lines: frozenset[int], terminal: str, is_list_item) -> "
     "list[(start, text start, text end, end)]: document._blocks_py"},
    {"phrasing_table", phrasing_table, METH_VARARGS,
     "phrasing_table(keys: int64 array, ratios: float64 array, symbols: dict[str, int], marks: bytes, base: int, "
     "nmax: int, evidence: (score, min ratio, candidates, spans)) -> capsule: the scorer phrasing_score reads"},
    {"phrasing_score", phrasing_score, METH_VARARGS,
     "phrasing_score(table, words, ids, initials, text, starts, ends, evidence=True) -> (score, None or evidence "
     "candidates [(key, count, ratio, [(start, end), ...]), ...]): phrasing._score_py; without evidence, "
     "(score, None)"},
    {"code_lines", code_lines, METH_VARARGS,
     "code_lines(text: str, starts, ends, blank, fenced: bool, is_list_item) -> frozenset[int] or None: "
     "structure._code_lines_py"},
    {"special_edges", special_edges, METH_VARARGS,
     "special_edges(text: str) -> list[int]: starts and ends, alternating, of the runs outside TAB, LF and "
     "0x20..0x7E: normalize._special_edges_py"},
    {"word_fact", word_fact, METH_VARARGS,
     "word_fact(word, cmu: dict, zipf: dict, known, common, masked, heads: frozenset, min_length: int) -> "
     "(syllables, zipf or None, misspelled) or None: lexicons._new_facts_py"},
    {"one_edit", one_edit, METH_VARARGS,
     "one_edit(word: str, common: frozenset, masked: frozenset, heads: frozenset) -> bool, or None for a word "
     "that is not ASCII: lexicons._one_edit_py"},
    {"top_phrase", top_phrase, METH_VARARGS,
     "top_phrase(levels: list[(first, counts, pos, gids)], nmin: int, words: list[str], is_content, text: str, "
     "starts: list[int], sentence_ends: list[int]) -> (count, length, positions): repetition._phrase_py"},
    {"repeat_runs", repeat_runs, METH_VARARGS,
     "repeat_runs(pos: list[int], gids: list[int], n: int, words: list[str]) -> (characters, (firsts, ends)): "
     "repetition._repeat_runs_py"},
    {"top_ngram", top_ngram, METH_VARARGS,
     "top_ngram(first, counts, pos, gids, n: int, words: list[str], ids: list[int], tie_cap: int) -> "
     "(characters, rank): repetition._top_ngram_py"},
    {"letter_lines", letter_lines, METH_VARARGS,
     "letter_lines(raws: list[str]) -> list[int]: the indices of the strings with a letter ([^\\W\\d_]): "
     "repetition._letter_lines_py"},
    {"bisect_lefts", bisect_lefts, METH_VARARGS,
     "bisect_lefts(a: list[int], xs: list[int]) -> list[int]: bisect_left(a, x) of each x: "
     "repetition._bisect_lefts_py"},
    {"covered_chars", covered_chars, METH_VARARGS,
     "covered_chars(firsts: list[int], ends: list[int], words: list[str]) -> int: the characters of the words "
     "in the ranges: repetition._covered"},
    {"opener_hits", opener_hits, METH_VARARGS,
     "opener_hits(starts: list[int], ends: list[int], ids: list[int], min_words: int, min_uses: int) -> "
     "(long enough sentences, starts of those whose opener opens min_uses of them, those openers' uses): "
     "repetition._opener_hits_py"},
    {"mtld_mean", mtld_mean, METH_VARARGS,
     "mtld_mean(ids: list[int], size: int, new_w: int, rep_w: int, threshold: float) -> float: the mean of the "
     "forward and backward MTLD passes over the ids below size: repetition._mtld_mean_py"},
    {"ascii_words_ids", ascii_words_ids, METH_VARARGS,
     "ascii_words_ids(low: str, ints: tuple[int, ...], counter_type: type) -> (starts, ends, words, starts as "
     "native Py_ssize_t bytes, ids, counts): document._ascii_words, then word_ids_counts of the words (one str per "
     "distinct word)"},
    {"fact_table", fact_table, METH_VARARGS,
     "fact_table(missing: Callable[[str], object], limit: int) -> FactTable: word -> missing(word), emptied at "
     "limit words; gather(ids, words) looks words up at their first occurrences only: lexicons._FactCache"},
    {"near_dup_pairs", near_dup_pairs, METH_VARARGS,
     "near_dup_pairs(gids: list[int], los: list[int], his: list[int], lengths: list[int], active: list[bool], "
     "jaccard: float, shingle: int, posting_cap: int, candidate_cap: int) -> list[(earlier, later, jaccard)] or "
     "None when some unit's candidates must be capped: repetition._near_dup_pairs_py"},
    {"bisect_intp", bisect_intp, METH_VARARGS,
     "bisect_intp(a: buffer of native Py_ssize_t, xs: list[int], ints: tuple[int, ...]) -> list[int]: "
     "bisect_left(a, x) of each x (document._bisect_intp_py), results below len(ints) taken from ints"},
    {"heading_candidates", heading_candidates, METH_VARARGS,
     "heading_candidates(text: str, starts: list[int], ends: list[int], blank: list[bool], code: frozenset[int]) "
     "-> list[int] or None: the lines detect_headings must look at: structure._heading_candidates_py"},
    {"paragraph_runs", paragraph_runs, METH_VARARGS,
     "paragraph_runs(blank: list[bool]) -> (firsts, lasts) or None: document._paragraph_runs_py"},
    {"cue_sentences", cue_sentences, METH_VARARGS,
     "cue_sentences(pos: list[int], words: list[str], starts: list[int], ends: list[int], numeric, counted, "
     "polar_cues, list_nouns, role_first: set | frozenset) -> (by_sent, polar, cue_sents, role_sents): "
     "inconsistency._cue_sentences_py"},
    {"digit_positions", digit_positions, METH_VARARGS,
     "digit_positions(initials: str) -> list[int]: the indices of the digits (str.isdigit): "
     "inconsistency._digit_positions_py"},
    {"nonprose_spans", nonprose_spans, METH_VARARGS,
     "nonprose_spans(text: str, lower: str, code: list[(start, end)]) -> tuple[(start, end), ...]: "
     "document._nonprose_spans_py"},
    {"sparse_positions", sparse_positions, METH_VARARGS,
     "sparse_positions(words: list[str], vocab: set | frozenset) -> list[int]: the indices of the words in a "
     "small vocab, most words passed over by a filter of the vocab's hashes: inconsistency._positions_py"},
    {"repeated_spans", repeated_spans, METH_VARARGS,
     "repeated_spans(text: str, starts: list[int | None], ends: list[int | None]) -> list[int] | None: the k "
     "whose span text[starts[k]:ends[k]] (as a slice) equals an earlier one's: repetition._repeated_spans_py; "
     "None when two different spans share a hash"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "slopsift._speedups", "C twins of slopsift's per-word loops (optional).", -1, methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModule_Create(&module);
}
