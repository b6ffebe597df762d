/* Counting allocations, for the tests that prove a call allocates nothing: the test
 * executable defines malloc and its kin (forwarding to glibc's __libc_* functions), so every
 * allocation, the library's included, passes here; between COUNT_START() and COUNT_STOP()
 * each malloc, calloc, realloc, aligned allocation and free counts one. Valgrind replaces
 * malloc itself, so under it (AE_TEST_UNDER_VALGRIND) nothing is counted or defined. */
#ifndef AE_ALLOCATION_COUNTER_H
#define AE_ALLOCATION_COUNTER_H
#include <stddef.h>

#ifndef AE_TEST_UNDER_VALGRIND
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);
static volatile int counting;
static volatile long allocations;
void *malloc(size_t size) { if (counting) allocations++; return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { if (counting) allocations++; return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { if (counting) allocations++; return __libc_realloc(p, size); }
void free(void *p) { if (counting && p) allocations++; __libc_free(p); }
void *memalign(size_t alignment, size_t size) { if (counting) allocations++; return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { return memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
  void *p = memalign(alignment, size);
  if (!p) return 12;
  *out = p;
  return 0;
}
#define COUNT_START() (allocations = 0, counting = 1)
#define COUNT_STOP() (counting = 0, allocations)
#endif

#endif
