/*
 * The handle registry: what an ae_model *, ae_workspace * or ae_stream * really is.
 *
 * A handle is the address of a 64-byte slot plus, in the address's low 6 bits, the slot's
 * generation modulo 64. Slots live in chunks that are never returned to malloc, so a pointer
 * can be checked (inside a known chunk?) before anything is read through it, and reading a
 * slot is never a use after free. Each slot holds one atomic word (generation, kind, state,
 * calls in flight) and the object (a retained Swift object) it stands for.
 *
 * - A call acquires the handle: one compare-and-swap that succeeds only if the slot is open,
 *   of the right kind and of the handle's generation, and counts the call in. A workspace is
 *   acquired exclusively (no other call in flight). Releasing counts the call out.
 * - Closing marks the slot closing; whoever brings the count of calls in flight to zero (the
 *   closer, or the last call to return) finishes: the generation goes up, the slot becomes
 *   free, and the object is handed back to be destroyed. So closing a handle while another
 *   thread is inside a call on it is safe: the call completes, later calls are refused.
 * - A freed slot waits in a FIFO quarantine until QUARANTINE other slots were freed after it
 *   before it is handed out again; with the generation in the handle, a stale handle is
 *   mistaken for a live one only once its slot was reused a multiple of 64 times, which takes
 *   at least 64 * QUARANTINE closes in between.
 *
 * Lookups are lock-free (one acquire load of the chunk count, a scan of the chunk table,
 * then atomics on the slot); making and finishing handles take a mutex.
 */
#include "CAutoencoderSupport.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
  SLOT_SIZE = 64,
  CHUNK_SLOTS = 4096,  /* 256 KiB per chunk */
  MAX_CHUNKS = 256,    /* at most 1 Mi handles open or in quarantine */
  QUARANTINE = 3072,
};
#define GEN_MASK ((uintptr_t)(SLOT_SIZE - 1))

/* The word: bits 0-31 calls in flight, 32-33 state, 34-35 kind, 40-63 generation. */
#define USERS(w) ((w) & 0xffffffffu)
#define STATE(w) (((w) >> 32) & 3u)
#define KIND(w) (((w) >> 34) & 3u)
#define GENERATION(w) ((w) >> 40)
#define WORD(generation, kind, state) (((uint64_t)(generation) << 40) | ((uint64_t)(kind) << 34) | ((uint64_t)(state) << 32))
enum { FREE = 0, OPEN = 1, CLOSING = 2 };

typedef struct slot {
  _Atomic uint64_t word;
  _Atomic(void *) object;
  struct slot *next; /* quarantine link; under the mutex */
  char padding[SLOT_SIZE - sizeof(uint64_t) - 2 * sizeof(void *)];
} slot;
_Static_assert(sizeof(slot) == SLOT_SIZE, "a slot fills one cache line");

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* chunks[i] for i < chunk_count never change once published (release store of the count). */
static slot *chunks[MAX_CHUNKS];
static _Atomic size_t chunk_count;
/* Under the mutex: never-used slots of the newest chunk, and the quarantine FIFO. */
static slot *fresh, *fresh_end;
static slot *quarantine_head, *quarantine_tail;
static size_t quarantine_length;

/* The slot a handle names, or NULL when the pointer is not inside any chunk. Reads no slot. */
static slot *locate(const void *handle) {
  uintptr_t address = (uintptr_t)handle & ~GEN_MASK;
  size_t count = atomic_load_explicit(&chunk_count, memory_order_acquire);
  for (size_t i = 0; i < count; i++) {
    uintptr_t base = (uintptr_t)chunks[i];
    if (address - base < (uintptr_t)CHUNK_SLOTS * SLOT_SIZE) return (slot *)address;
  }
  return NULL;
}

static unsigned handle_generation(const void *handle) { return (unsigned)((uintptr_t)handle & GEN_MASK); }

/* Why the word refuses the handle, or AESUP_HANDLE_OK. */
static int refusal(uint64_t word, const void *handle, int kind) {
  if (STATE(word) != OPEN || (GENERATION(word) & GEN_MASK) != handle_generation(handle)) return AESUP_HANDLE_CLOSED;
  if ((int)KIND(word) != kind) return AESUP_HANDLE_WRONG_KIND;
  return AESUP_HANDLE_OK;
}

void *aesup_handle_new(int kind, void *object) {
  if (!object || (kind != AESUP_MODEL && kind != AESUP_WORKSPACE && kind != AESUP_STREAM)) return NULL;
  pthread_mutex_lock(&lock);
  slot *s = NULL;
  int reuse = quarantine_length > QUARANTINE;
  if (!reuse && fresh != fresh_end) {
    s = fresh++;
  } else if (!reuse) {
    size_t count = atomic_load_explicit(&chunk_count, memory_order_relaxed);
    void *chunk = NULL;
    if (count < MAX_CHUNKS && posix_memalign(&chunk, SLOT_SIZE, (size_t)CHUNK_SLOTS * SLOT_SIZE) == 0) {
      memset(chunk, 0, (size_t)CHUNK_SLOTS * SLOT_SIZE);
      chunks[count] = chunk;
      atomic_store_explicit(&chunk_count, count + 1, memory_order_release);
      s = chunk;
      fresh = s + 1;
      fresh_end = s + CHUNK_SLOTS;
    } else {
      reuse = quarantine_length > 0; /* no memory for another chunk: reuse early rather than fail */
    }
  }
  if (reuse) {
    s = quarantine_head;
    quarantine_head = s->next;
    if (!quarantine_head) quarantine_tail = NULL;
    quarantine_length--;
    s->next = NULL;
  }
  pthread_mutex_unlock(&lock);
  if (!s) return NULL;
  uint64_t generation = GENERATION(atomic_load_explicit(&s->word, memory_order_relaxed));
  atomic_store_explicit(&s->object, object, memory_order_relaxed);
  atomic_store_explicit(&s->word, WORD(generation, kind, OPEN), memory_order_release);
  return (void *)((uintptr_t)s | (uintptr_t)(generation & GEN_MASK));
}

/* ThreadSanitizer's annotations, present only when its runtime is loaded. This file is built
 * uninstrumented (see scripts/sanitizers.sh), so TSan cannot see the slot's atomics; these
 * tell it that a release of a handle happens before the next acquire of it. */
extern void __tsan_acquire(void *address) __attribute__((weak));
extern void __tsan_release(void *address) __attribute__((weak));
static void happened_before(slot *s) { if (__tsan_acquire) __tsan_acquire(s); }
static void happens_before(slot *s) { if (__tsan_release) __tsan_release(s); }

int aesup_handle_acquire(const void *handle, int kind, int exclusive, void **object) {
  if (!handle) return AESUP_HANDLE_NULL;
  slot *s = locate(handle);
  if (!s) return AESUP_HANDLE_UNKNOWN;
  uint64_t word = atomic_load_explicit(&s->word, memory_order_acquire);
  for (;;) {
    int why = refusal(word, handle, kind);
    if (why != AESUP_HANDLE_OK) return why;
    if (exclusive && USERS(word) != 0) return AESUP_HANDLE_BUSY;
    if (atomic_compare_exchange_weak_explicit(&s->word, &word, word + 1, memory_order_acquire, memory_order_acquire)) break;
  }
  happened_before(s);
  *object = atomic_load_explicit(&s->object, memory_order_relaxed);
  return AESUP_HANDLE_OK;
}

/* The last step of a close: the slot is closing with no call in flight (so nobody else can
 * change it); make it free under a new generation, queue it, and return its object. */
static void *finish(slot *s, uint64_t word) {
  void *object = atomic_load_explicit(&s->object, memory_order_relaxed);
  atomic_store_explicit(&s->object, NULL, memory_order_relaxed);
  atomic_store_explicit(&s->word, WORD(GENERATION(word) + 1, 0, FREE), memory_order_release);
  pthread_mutex_lock(&lock);
  s->next = NULL;
  if (quarantine_tail) quarantine_tail->next = s; else quarantine_head = s;
  quarantine_tail = s;
  quarantine_length++;
  pthread_mutex_unlock(&lock);
  return object;
}

void *aesup_handle_release(const void *handle) {
  slot *s = (slot *)((uintptr_t)handle & ~GEN_MASK);
  happens_before(s);
  uint64_t word = atomic_fetch_sub_explicit(&s->word, 1, memory_order_acq_rel);
  happened_before(s);
  if (USERS(word) == 1 && STATE(word) == CLOSING) return finish(s, word - 1);
  return NULL;
}

int aesup_handle_close(const void *handle, int kind, void **object) {
  *object = NULL;
  if (!handle) return AESUP_HANDLE_NULL;
  slot *s = locate(handle);
  if (!s) return AESUP_HANDLE_UNKNOWN;
  uint64_t word = atomic_load_explicit(&s->word, memory_order_acquire);
  uint64_t closing;
  for (;;) {
    int why = refusal(word, handle, kind);
    if (why != AESUP_HANDLE_OK) return why;
    closing = (word & ~((uint64_t)3 << 32)) | ((uint64_t)CLOSING << 32);
    if (atomic_compare_exchange_weak_explicit(&s->word, &word, closing, memory_order_acq_rel, memory_order_acquire)) break;
  }
  happened_before(s);
  if (USERS(closing) == 0) *object = finish(s, closing);
  return AESUP_HANDLE_OK;
}

int aesup_handle_kind(const void *handle) {
  slot *s = handle ? locate(handle) : NULL;
  if (!s) return 0;
  uint64_t word = atomic_load_explicit(&s->word, memory_order_acquire);
  return STATE(word) == OPEN ? (int)KIND(word) : 0;
}
