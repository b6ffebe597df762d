/*
 * A team of threads that splits one aegemm product (or one element-wise job) at a time (see
 * CGemm.h).
 *
 * Why not the workspace's row shares: a single row cannot be split by rows, and its layers
 * run one after the other, so the team meets once per layer. Waking a sleeping thread takes
 * tens of microseconds, longer than a layer's product; so the helpers spin on the team's
 * round counter for a while after each product (the next layer, or the caller's next call,
 * usually comes within it) and sleep on a condition variable only after AEGEMM_SPIN_NS idle.
 *
 * Shares are claimed, not assigned (but share 0 is always the caller's, see run_job): the
 * caller and the helpers take the next unclaimed share until none is left, so a helper that
 * is asleep or not scheduled (a loaded machine) delays nothing; the caller then computes its
 * shares too, and waits only for shares a running helper has claimed.
 *
 * Every share computes whole entries of C with the same kernels, so the result is the same
 * bit for bit whatever the split.
 */
#include "CGemm.h"
#include "product.h"

#include <immintrin.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* How long an idle helper spins before it sleeps. */
#define AEGEMM_SPIN_NS 200000L

/* A product and how it is split, or (each != NULL) a function run once per share. */
struct share_job {
  struct product p;
  int shares;
  int by_rows;
  void (*each)(void *context, int share, int shares);
  void *context;
};

struct helper {
  struct aegemm_team *team;
  pthread_t thread;
};

struct aegemm_team {
  int threads;
  struct helper *helpers; /* threads - 1 */
  int started;
  struct share_job job;   /* written before `tickets` is set, read after a share is claimed */
  unsigned long round;    /* atomic: bumped to wake the helpers for a product */
  uint64_t tickets;       /* atomic: the product's shares << 32 | the next unclaimed share */
  int done;               /* atomic: shares of this product finished */
  int sleepers;           /* atomic: helpers waiting on `wake` (changed under `mutex`) */
  int stopping;           /* atomic */
  int busy;               /* atomic: a product is running (a second caller runs alone) */
  pthread_mutex_t mutex;
  pthread_cond_t wake;
};

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Share `index` of the job: a contiguous block of rows, or of columns in whole panels of 32
 * (a packed B's unit; as good for row-major B). */
static void run_share(const struct share_job *job, int index) {
  if (job->each) {
    job->each(job->context, index, job->shares);
    return;
  }
  const struct product *j = &job->p;
  size_t shares = (size_t)job->shares, i = (size_t)index;
  if (job->by_rows) {
    size_t base = j->m / shares, extra = j->m % shares;
    size_t start = i * base + (i < extra ? i : extra), count = base + (i < extra ? 1 : 0);
    if (count == 0) return;
    aegemm(count, j->n, j->k, j->a + start * j->a_row, j->a_row, j->a_col, j->b, j->b_format, j->ldb,
           j->c + start * j->ldc, j->ldc, j->accumulate, j->bias, j->epilogue);
  } else {
    size_t chunks = (j->n + 31) / 32, base = chunks / shares, extra = chunks % shares;
    size_t start = 32 * (i * base + (i < extra ? i : extra)), end = start + 32 * (base + (i < extra ? 1 : 0));
    if (end > j->n) end = j->n;
    if (start >= end) return;
    /* Shares start on a panel: row-major B moves by columns, packed B by whole panels. */
    size_t size = j->b_format == AEGEMM_BFLOAT16_PANELS ? 2 : 4;
    size_t offset = j->b_format == AEGEMM_FLOAT32 ? start : j->b_format == AEGEMM_FLOAT32_TRANSPOSED ? start * j->ldb : start * j->k;
    const char *b = (const char *)j->b + offset * size;
    aegemm(j->m, end - start, j->k, j->a, j->a_row, j->a_col, b, j->b_format, j->ldb, j->c + start, j->ldc, j->accumulate,
           j->bias ? j->bias + start : NULL, j->epilogue);
  }
}

/* Take and compute unclaimed shares of the current product until none is left. The ticket
 * carries the share count, so a helper late for a product it missed claims nothing. */
static void claim_shares(struct aegemm_team *team) {
  for (;;) {
    uint64_t ticket = __atomic_fetch_add(&team->tickets, 1, __ATOMIC_ACQUIRE);
    uint64_t share = ticket & 0xFFFFFFFFu, shares = ticket >> 32;
    if (share >= shares) return;
    run_share(&team->job, (int)share);
    __atomic_fetch_add(&team->done, 1, __ATOMIC_RELEASE);
  }
}

static void *helper_main(void *argument) {
  struct helper *self = argument;
  struct aegemm_team *team = self->team;
  unsigned long seen = 0;
  for (;;) {
    /* Spin for the next round, then sleep. */
    long long since = now_ns();
    unsigned spins = 0;
    while (__atomic_load_n(&team->round, __ATOMIC_ACQUIRE) == seen && !__atomic_load_n(&team->stopping, __ATOMIC_ACQUIRE)) {
      _mm_pause();
      if (++spins % 64 == 0 && now_ns() - since > AEGEMM_SPIN_NS) {
        pthread_mutex_lock(&team->mutex);
        __atomic_fetch_add(&team->sleepers, 1, __ATOMIC_SEQ_CST);
        while (__atomic_load_n(&team->round, __ATOMIC_SEQ_CST) == seen && !__atomic_load_n(&team->stopping, __ATOMIC_SEQ_CST))
          pthread_cond_wait(&team->wake, &team->mutex);
        __atomic_fetch_sub(&team->sleepers, 1, __ATOMIC_SEQ_CST);
        pthread_mutex_unlock(&team->mutex);
        since = now_ns();
      }
    }
    if (__atomic_load_n(&team->stopping, __ATOMIC_ACQUIRE)) return NULL;
    seen = __atomic_load_n(&team->round, __ATOMIC_ACQUIRE);
    claim_shares(team);
  }
}

/* Wake sleeping helpers after a change of `round` or `stopping` (made with SEQ_CST: a helper
 * either sees the change before it sleeps, or is counted in `sleepers` here). */
static void wake_sleepers(struct aegemm_team *team) {
  if (__atomic_load_n(&team->sleepers, __ATOMIC_SEQ_CST) == 0) return;
  pthread_mutex_lock(&team->mutex);
  pthread_cond_broadcast(&team->wake);
  pthread_mutex_unlock(&team->mutex);
}

aegemm_team *aegemm_team_create(int threads) {
  if (threads < 2 || threads > 256) return NULL;
  struct aegemm_team *team = calloc(1, sizeof *team);
  if (!team) return NULL;
  team->threads = threads;
  team->helpers = calloc((size_t)threads - 1, sizeof *team->helpers);
  if (!team->helpers || pthread_mutex_init(&team->mutex, NULL) != 0) {
    free(team->helpers);
    free(team);
    return NULL;
  }
  if (pthread_cond_init(&team->wake, NULL) != 0) {
    pthread_mutex_destroy(&team->mutex);
    free(team->helpers);
    free(team);
    return NULL;
  }
  for (int t = 0; t < threads - 1; t++) {
    team->helpers[t] = (struct helper){team, 0};
    if (pthread_create(&team->helpers[t].thread, NULL, helper_main, &team->helpers[t]) != 0) {
      aegemm_team_free(team);
      return NULL;
    }
    team->started++;
  }
  return team;
}

void aegemm_team_free(aegemm_team *team) {
  if (!team) return;
  __atomic_store_n(&team->stopping, 1, __ATOMIC_SEQ_CST);
  wake_sleepers(team);
  for (int t = 0; t < team->started; t++) pthread_join(team->helpers[t].thread, NULL);
  pthread_cond_destroy(&team->wake);
  pthread_mutex_destroy(&team->mutex);
  free(team->helpers);
  free(team);
}

int aegemm_team_threads(const aegemm_team *team) { return team ? team->threads : 1; }

/* The job on the team, whose `busy` flag the caller holds: publish, compute share 0, claim
 * more shares alongside the helpers, wait for the shares they claimed, release.
 *
 * Share 0 is the caller's, always: with two threads the helper then takes share 1 every time
 * (unless it sleeps), so a single row's layers read the same half of each layer's weights on
 * the same thread call after call, and each half stays in that core's L2 as long as the
 * scheduler keeps the thread there (threads are not pinned). Claimed freely, the halves
 * swapped threads at random and every core's L2 had to hold all the weights. With more than
 * two threads, shares 1 and up are still claimed freely. */
static void run_job(struct aegemm_team *team, struct share_job job) {
  /* done first: a helper counts a share only after claiming it, after the tickets are set. */
  __atomic_store_n(&team->done, 0, __ATOMIC_RELAXED);
  team->job = job;
  __atomic_store_n(&team->tickets, (uint64_t)job.shares << 32 | 1u, __ATOMIC_RELEASE);
  __atomic_fetch_add(&team->round, 1, __ATOMIC_SEQ_CST);
  wake_sleepers(team);
  run_share(&team->job, 0);
  __atomic_fetch_add(&team->done, 1, __ATOMIC_RELEASE);
  claim_shares(team);
  while (__atomic_load_n(&team->done, __ATOMIC_ACQUIRE) < job.shares) _mm_pause();
  __atomic_store_n(&team->busy, 0, __ATOMIC_RELEASE);
}

void aegemm_team_run(aegemm_team *team, size_t m, size_t n, size_t k, const float *a, size_t a_row, size_t a_col,
                     const void *b, int b_format, size_t ldb, float *c, size_t ldc, int accumulate, const float *bias,
                     int epilogue) {
  /* Rows when every thread gets a tile's worth, else columns in whole chunks of 32; alone when
   * the product is too small to pay for the meeting (about a microsecond of work). */
  size_t chunks = (n + 31) / 32;
  int by_rows = m >= 12 * (size_t)(team ? team->threads : 1);
  size_t units = by_rows ? m : chunks;
  int shares = team ? (units < (size_t)team->threads ? (int)units : team->threads) : 1;
  int idle = 0;
  if (shares < 2 || m * n * k < 32768 ||
      !__atomic_compare_exchange_n(&team->busy, &idle, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
    aegemm(m, n, k, a, a_row, a_col, b, b_format, ldb, c, ldc, accumulate, bias, epilogue);
    return;
  }
  run_job(team, (struct share_job){{m, n, k, a, a_row, a_col, b, b_format, ldb, c, ldc, accumulate, bias, epilogue},
                                   shares, by_rows, NULL, NULL});
}

void aegemm_team_each(aegemm_team *team, int shares, void (*each)(void *context, int share, int shares), void *context) {
  int idle = 0;
  if (!team || shares < 2 || !__atomic_compare_exchange_n(&team->busy, &idle, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
    for (int share = 0; share < shares; share++) each(context, share, shares);
    return;
  }
  run_job(team, (struct share_job){{0}, shares, 0, each, context});
}
