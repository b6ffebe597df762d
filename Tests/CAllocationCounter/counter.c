#define _GNU_SOURCE
#include "CAllocationCounter.h"

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

/* A sanitizer brings its own malloc, which this interposer would bypass, mixing two heaps: the
 * counter stands down there, and says so. scripts/sanitizers.sh defines AE_SANITIZED (its C
 * code may be built uninstrumented); instrumented builds are recognized anyway. */
#if !defined(AE_SANITIZED) && (defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__))
#define AE_SANITIZED 1
#endif
#if !defined(AE_SANITIZED) && defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define AE_SANITIZED 1
#endif
#endif

#ifdef AE_SANITIZED
int aecount_available(void) { return 0; }
void aecount_start(void) {}
long aecount_stop(void) { return -1; }
#else
int aecount_available(void) { return 1; }

static _Thread_local int counting;
static _Thread_local long allocations;

/* OpenBLAS allocates job descriptors in its threaded path and scratch in some small-matrix
 * kernels; that is the BLAS's business, not ours, so calls from inside it are not counted. */
static int from_blas(const void *caller) {
  Dl_info info;
  return dladdr(caller, &info) && info.dli_fname && strstr(info.dli_fname, "openblas");
}
#define COUNT() do { if (counting && !from_blas(__builtin_return_address(0))) allocations++; } while (0)

void aecount_start(void) { allocations = 0; counting = 1; }
long aecount_stop(void) { counting = 0; return allocations; }

void *malloc(size_t size) { COUNT(); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { COUNT(); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { COUNT(); return __libc_realloc(p, size); }
void free(void *p) { __libc_free(p); }
void *memalign(size_t alignment, size_t size) { COUNT(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { COUNT(); return __libc_memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
  COUNT();
  void *p = __libc_memalign(alignment, size);
  if (!p) return 12; /* ENOMEM */
  *out = p;
  return 0;
}
#endif
