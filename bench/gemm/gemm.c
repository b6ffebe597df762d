/*
 * GEMM kernels this CPU can use (issue 14, measurement only): C = A·B, float32, row-major,
 * at the products of R8 inference and R1 training, through
 *   openblas  Debian's OpenBLAS, cblas_sgemm (kernels as OPENBLAS_CORETYPE picks them)
 *   blis      Debian's BLIS, bli_sgemm
 *   dnnl      Debian's oneDNN 2.6.3, dnnl_sgemm
 *   dnnl_mm   oneDNN matmul primitive, weights B reordered once into the layout it asks for
 *   ours      the library's own kernels (Sources/CGemm: aegemm on B packed once into panels, as a
 *             model's weights are at load; split over a team of threads at 2), what it runs on a
 *             CPU with AVX-512; OpenBLAS's sgemm elsewhere, as the library does
 *   ob_gemv   OpenBLAS's cblas_sgemv, the library's single-row path on OpenBLAS (1xK shapes only)
 *
 *   gemm THREADS [REPEATS]   -> a header, then one line per shape and side
 *   gemm verbose             -> one call of each oneDNN path (run with ONEDNN_VERBOSE=1)
 *
 * Each repeat times every side once, rotating their order, so drift in the load of the shared
 * machine falls on all sides alike; the median over repeats is printed. The rotation includes
 * the FMA loop that measures the peak (fma_peak), so %peak compares rates of the same moments.
 */
#define _DEFAULT_SOURCE /* usleep, rand_r */
#include "CGemm.h"
#include <blis.h> /* also declares cblas_sgemm; the link order makes it OpenBLAS's (checked in run.sh) */
#include <oneapi/dnnl/dnnl.h>

#include <immintrin.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* OpenBLAS's own entry points; its cblas.h would clash with BLIS's. */
void openblas_set_num_threads(int);
char *openblas_get_corename(void);
char *openblas_get_config(void);

typedef struct { const char *name; int m, k, n; } Shape;
static const Shape shapes[] = {
  {"r8_batch_enc1", 256, 784, 256}, {"r8_batch_enc2", 256, 256, 32},
  {"r8_batch_dec1", 256, 32, 256},  {"r8_batch_dec2", 256, 256, 784},
  {"r8_row_enc1", 1, 784, 256},     {"r8_row_dec2", 1, 256, 784},
  {"r1_weight_grad", 784, 128, 256}, /* names without spaces: run.sh splits on them */
};
enum { SHAPES = sizeof shapes / sizeof shapes[0], SIDES = 6 };
/* ob_gemv (last: rows only): OpenBLAS's cblas_sgemv, the library's single-row path on OpenBLAS. */
static const char *side_names[SIDES] = {"openblas", "blis", "dnnl", "dnnl_mm", "ours", "ob_gemv"};
/* The library's team for `ours` at 2 threads or more (NULL at 1), and the shape's B packed. */
static aegemm_team *team;
static float *packed_b;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void check(dnnl_status_t status, const char *what) {
  if (status != dnnl_success) { fprintf(stderr, "error: oneDNN %s failed (%d)\n", what, (int)status); exit(1); }
}

/* The matmul primitive for one shape: A and C are the caller's buffers, B is packed once. */
typedef struct {
  dnnl_engine_t engine;
  dnnl_stream_t stream;
  dnnl_primitive_desc_t pd; /* kept: it owns the impl string */
  dnnl_primitive_t matmul;
  dnnl_memory_t src, weights, dst;
  const char *impl;
} Matmul;

static void matmul_create(Matmul *mm, const Shape *s, float *a, const float *b, float *c) {
  check(dnnl_engine_create(&mm->engine, dnnl_cpu, 0), "engine");
  check(dnnl_stream_create(&mm->stream, mm->engine, dnnl_stream_default_flags), "stream");
  dnnl_memory_desc_t src_md, user_weights_md, any_weights_md, dst_md;
  dnnl_dims_t src_dims = {s->m, s->k}, weights_dims = {s->k, s->n}, dst_dims = {s->m, s->n};
  check(dnnl_memory_desc_init_by_tag(&src_md, 2, src_dims, dnnl_f32, dnnl_ab), "src md");
  check(dnnl_memory_desc_init_by_tag(&user_weights_md, 2, weights_dims, dnnl_f32, dnnl_ab), "weights md");
  check(dnnl_memory_desc_init_by_tag(&any_weights_md, 2, weights_dims, dnnl_f32, dnnl_format_tag_any), "weights md");
  check(dnnl_memory_desc_init_by_tag(&dst_md, 2, dst_dims, dnnl_f32, dnnl_ab), "dst md");
  dnnl_matmul_desc_t desc;
  check(dnnl_matmul_desc_init(&desc, &src_md, &any_weights_md, NULL, &dst_md), "matmul desc");
  dnnl_primitive_desc_t pd;
  check(dnnl_primitive_desc_create(&pd, &desc, NULL, mm->engine, NULL), "matmul pd");
  check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &mm->impl), "impl query");
  const dnnl_memory_desc_t *packed_md = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
  check(dnnl_primitive_create(&mm->matmul, pd), "matmul");

  /* Pack B once, as a model's weights would be at load. */
  dnnl_memory_t user_weights;
  check(dnnl_memory_create(&user_weights, &user_weights_md, mm->engine, (void *)b), "weights memory");
  check(dnnl_memory_create(&mm->weights, packed_md, mm->engine, DNNL_MEMORY_ALLOCATE), "packed memory");
  dnnl_primitive_desc_t reorder_pd;
  check(dnnl_reorder_primitive_desc_create(&reorder_pd, &user_weights_md, mm->engine, packed_md, mm->engine, NULL), "reorder pd");
  dnnl_primitive_t reorder;
  check(dnnl_primitive_create(&reorder, reorder_pd), "reorder");
  dnnl_exec_arg_t reorder_args[2] = {{DNNL_ARG_FROM, user_weights}, {DNNL_ARG_TO, mm->weights}};
  check(dnnl_primitive_execute(reorder, mm->stream, 2, reorder_args), "reorder run");
  check(dnnl_stream_wait(mm->stream), "wait");
  dnnl_primitive_destroy(reorder);
  dnnl_primitive_desc_destroy(reorder_pd);
  dnnl_memory_destroy(user_weights);
  mm->pd = pd;

  check(dnnl_memory_create(&mm->src, &src_md, mm->engine, a), "src memory");
  check(dnnl_memory_create(&mm->dst, &dst_md, mm->engine, c), "dst memory");
}

static void matmul_run(Matmul *mm) {
  dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, mm->src}, {DNNL_ARG_WEIGHTS, mm->weights}, {DNNL_ARG_DST, mm->dst}};
  check(dnnl_primitive_execute(mm->matmul, mm->stream, 3, args), "matmul run");
  check(dnnl_stream_wait(mm->stream), "wait");
}

static void matmul_destroy(Matmul *mm) {
  dnnl_memory_destroy(mm->src);
  dnnl_memory_destroy(mm->weights);
  dnnl_memory_destroy(mm->dst);
  dnnl_primitive_destroy(mm->matmul);
  dnnl_primitive_desc_destroy(mm->pd);
  dnnl_stream_destroy(mm->stream);
  dnnl_engine_destroy(mm->engine);
}

/* One product C = A·B by one side. */
static void run_side(int side, const Shape *s, const float *a, const float *b, float *c, Matmul *mm) {
  switch (side) {
  case 0:
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s->m, s->n, s->k, 1.0f, a, s->k, b, s->n, 0.0f, c, s->n);
    break;
  case 1: {
    float one = 1.0f, zero = 0.0f;
    bli_sgemm(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, s->m, s->n, s->k, &one, (float *)a, s->k, 1,
              (float *)b, s->n, 1, &zero, c, s->n, 1);
    break;
  }
  case 2:
    check(dnnl_sgemm('N', 'N', s->m, s->n, s->k, 1.0f, a, s->k, b, s->n, 0.0f, c, s->n), "sgemm");
    break;
  case 3:
    matmul_run(mm);
    break;
  case 4:
    if (aegemm_available())
      aegemm_team_run(team, s->m, s->n, s->k, a, s->k, 1, packed_b, AEGEMM_FLOAT32_PANELS, 0, c, s->n, 0, NULL,
                      AEGEMM_LINEAR);
    else
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s->m, s->n, s->k, 1.0f, a, s->k, b, s->n, 0.0f, c, s->n);
    break;
  default:
    cblas_sgemv(CblasRowMajor, CblasTrans, s->k, s->n, 1.0f, b, s->n, a, 1, 0.0f, c, 1);
  }
}

/* GFLOP/s of one timed block of about 20 ms. */
static double time_side(int side, const Shape *s, const float *a, const float *b, float *c, Matmul *mm, long calls) {
  double start = now();
  for (long i = 0; i < calls; i++) run_side(side, s, a, b, c, mm);
  return 2.0 * s->m * s->n * s->k * calls / (now() - start) / 1e9;
}

static long calls_for_20ms(int side, const Shape *s, const float *a, const float *b, float *c, Matmul *mm) {
  long calls = 0;
  double start = now();
  while (now() - start < 0.005) { run_side(side, s, a, b, c, mm); calls++; }
  return calls * 4;
}

static int compare(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

/* Peak FMA throughput of one core, measured: 12 independent accumulators hide the FMA latency. */
__attribute__((target("avx512f"))) static double fma_peak_avx512_for(long iterations) {
  __m512 acc[12], x = _mm512_set1_ps(1.0000001f), y = _mm512_set1_ps(0.9999999f);
  for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_ps((float)i);
  double start = now();
  for (long n = 0; n < iterations; n++)
#pragma GCC unroll 12 /* keeps the accumulators in registers */
    for (int i = 0; i < 12; i++) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
  double seconds = now() - start;
  float sink = 0;
  for (int i = 0; i < 12; i++) sink += _mm512_reduce_add_ps(acc[i]);
  if (sink == 12345.0f) puts("");
  return 12.0 * 16 * 2 * iterations / seconds / 1e9;
}
static double fma_peak_avx512(void) { return fma_peak_avx512_for(20000000); }

__attribute__((target("avx2,fma"))) static double fma_peak_avx2_for(long iterations) {
  __m256 acc[12], x = _mm256_set1_ps(1.0000001f), y = _mm256_set1_ps(0.9999999f);
  for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps((float)i);
  double start = now();
  for (long n = 0; n < iterations; n++)
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) acc[i] = _mm256_fmadd_ps(acc[i], x, y);
  double seconds = now() - start;
  float lanes[8], sink = 0;
  for (int i = 0; i < 12; i++) { _mm256_storeu_ps(lanes, acc[i]); for (int j = 0; j < 8; j++) sink += lanes[j]; }
  if (sink == 12345.0f) puts("");
  return 12.0 * 8 * 2 * iterations / seconds / 1e9;
}
static double fma_peak_avx2(void) { return fma_peak_avx2_for(20000000); }

/* The widest FMA loop's GFLOP/s on `threads` threads at once (about 10 ms), timed in the same
 * rotation as the products: %peak then compares rates measured at the same moments, so a
 * shared host's changing clock and load fall on both (the peak measured once at the start is
 * printed in the header as well). */
static double fma_peak_now(int threads, int avx512) {
  double total = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
  total += avx512 ? fma_peak_avx512_for(4000000) : fma_peak_avx2_for(4000000);
  return total;
}

/* The clock the core really runs at: a chain of dependent adds retires one per cycle. */
static double measured_ghz(void) {
  long iterations = 100000000, x = 0;
  double start = now();
  for (long n = 0; n < iterations; n++)
    __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                     "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
  return 8.0 * iterations / (now() - start) / 1e9;
}

static void cpuinfo_field(const char *key, char *out, size_t size) {
  snprintf(out, size, "?");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return;
  char line[8192];
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, key, strlen(key)) != 0) continue;
    char *colon = strchr(line, ':');
    if (!colon) continue;
    colon += 1 + (colon[1] == ' ');
    colon[strcspn(colon, "\n")] = 0;
    snprintf(out, size, "%s", colon);
    break;
  }
  fclose(f);
}

static int has_flag(const char *flags, const char *flag) {
  size_t n = strlen(flag);
  for (const char *p = flags; (p = strstr(p, flag)); p += n)
    if ((p == flags || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0)) return 1;
  return 0;
}

static void print_header(int threads) {
  char model[256], mhz[64], flags[8192];
  cpuinfo_field("model name", model, sizeof model);
  cpuinfo_field("cpu MHz", mhz, sizeof mhz);
  cpuinfo_field("flags", flags, sizeof flags);
  int avx512 = has_flag(flags, "avx512f");
  const char *coretype = getenv("OPENBLAS_CORETYPE");
  const dnnl_version_t *v = dnnl_version();
  printf("cpu: %s, cpu MHz %s, avx2 %s, avx512f %s, avx512_bf16 %s\n", model, mhz,
         has_flag(flags, "avx2") ? "yes" : "no", avx512 ? "yes" : "no", has_flag(flags, "avx512_bf16") ? "yes" : "no");
  printf("threads: %d\n", threads);
  printf("openblas: %s; core %s; OPENBLAS_CORETYPE=%s\n", openblas_get_config(), openblas_get_corename(),
         coretype ? coretype : "(unset)");
  printf("blis: %s, arch %s\n", bli_info_get_version_str(), bli_arch_string(bli_arch_query_id()));
  printf("onednn: %d.%d.%d, effective ISA code 0x%x\n", v->major, v->minor, v->patch, (unsigned)dnnl_get_effective_cpu_isa());
  printf("ours: %s\n", aegemm_available() ? "avx512 (own kernels, Sources/CGemm)" : "openblas sgemm (no AVX-512)");

  /* Peak = FMA units x lanes x 2 flops x clock. Assumed 2 FMA units (Zen 4/5, Intel server cores). */
  double ghz_nominal = atof(mhz) / 1000, ghz = measured_ghz();
  int lanes = avx512 ? 16 : 8;
  printf("peak (derived): 2 FMA x %d lanes x 2 x clock = %.0f GFLOP/s/core at the cpu MHz clock (%.2f GHz),"
         " %.0f at the measured clock (%.2f GHz, dependent-add chain)\n",
         lanes, 2 * lanes * 2 * ghz_nominal, ghz_nominal, 2 * lanes * 2 * ghz, ghz);
  printf("peak (measured, FMA loop, 1 core): avx2 %.0f GFLOP/s", fma_peak_avx2());
  if (avx512) printf(", avx512 %.0f GFLOP/s", fma_peak_avx512());
  printf("\n");
}

static float *random_matrix(size_t count, unsigned *seed) {
  float *m = malloc(count * sizeof *m);
  if (!m) { fprintf(stderr, "error: out of memory\n"); exit(1); }
  for (size_t i = 0; i < count; i++) m[i] = (float)rand_r(seed) / RAND_MAX - 0.5f;
  return m;
}

/* One call of each oneDNN path, for ONEDNN_VERBOSE=1 to name the kernels. */
static int verbose_once(void) {
  unsigned seed = 1;
  for (int i = 0; i < SHAPES; i += 4) { /* a batch shape and a single row */
    const Shape *s = &shapes[i];
    float *a = random_matrix((size_t)s->m * s->k, &seed), *b = random_matrix((size_t)s->k * s->n, &seed);
    float *c = random_matrix((size_t)s->m * s->n, &seed);
    printf("# %s %dx%d . %dx%d: packing the weights, dnnl_sgemm, then the matmul primitive\n", s->name, s->m, s->k, s->k, s->n);
    fflush(stdout);
    Matmul mm;
    matmul_create(&mm, s, a, b, c);
    run_side(2, s, a, b, c, &mm);
    run_side(3, s, a, b, c, &mm);
    fflush(stdout);
    matmul_destroy(&mm);
    free(a); free(b); free(c);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "verbose") == 0) return verbose_once();
  int threads = argc >= 2 ? atoi(argv[1]) : 1, repeats = argc >= 3 ? atoi(argv[2]) : 9;
  if (threads < 1 || threads > 256 || repeats < 1 || repeats > 1000) {
    fprintf(stderr, "error: usage: gemm THREADS [REPEATS] | gemm verbose\n");
    return 2;
  }
  bli_init(); /* before bli_arch_query_id, which otherwise aborts when BLIS_ARCH_TYPE is set */
  openblas_set_num_threads(threads);
  bli_thread_set_num_threads(threads);
  omp_set_num_threads(threads); /* oneDNN's OpenMP runtime */
  if (threads > 1 && aegemm_available()) team = aegemm_team_create(threads);
  int avx512 = __builtin_cpu_supports("avx512f");
  print_header(threads);
  printf("%-15s %-17s %-8s %9s %9s %9s  %s\n", "shape", "MxK . KxN", "side", "GFLOP/s", "min", "max", "max|C-C_openblas|");

  unsigned seed = 42;
  for (int si = 0; si < SHAPES; si++) {
    const Shape *s = &shapes[si];
    size_t c_count = (size_t)s->m * s->n;
    float *a = random_matrix((size_t)s->m * s->k, &seed), *b = random_matrix((size_t)s->k * s->n, &seed);
    float *c[SIDES];
    for (int side = 0; side < SIDES; side++) c[side] = random_matrix(c_count, &seed);
    Matmul mm;
    matmul_create(&mm, s, a, b, c[3]);
    packed_b = malloc(aegemm_packed_count(s->k, s->n) * sizeof(float));
    if (!packed_b) { fprintf(stderr, "error: out of memory\n"); return 1; }
    aegemm_pack(b, s->k, s->n, AEGEMM_FLOAT32_PANELS, packed_b);

    int sides = s->m == 1 ? SIDES : SIDES - 1;
    double difference[SIDES] = {0};
    long calls[SIDES];
    for (int side = 0; side < sides; side++) {
      run_side(side, s, a, b, c[side], &mm);
      for (size_t i = 0; i < c_count; i++) {
        double d = fabs((double)c[side][i] - c[0][i]);
        if (!(d <= difference[side])) difference[side] = d; /* NaN propagates */
      }
      calls[side] = calls_for_20ms(side, s, a, b, c[side], &mm);
    }

    /* rates[sides]: the FMA loop (fma_peak_now), one more side in the rotation. */
    double rates[SIDES + 1][1000];
    for (int r = 0; r < repeats; r++)
      for (int j = 0; j <= sides; j++) {
        int side = (j + r) % (sides + 1);
        /* Another library's idle threads spin for up to ~0.1 s (OpenBLAS) after a call: let them sleep. */
        if (threads > 1) usleep(150000);
        rates[side][r] = side == sides ? fma_peak_now(threads, avx512)
                                       : time_side(side, s, a, b, c[side], &mm, calls[side]);
      }
    char dims[32];
    snprintf(dims, sizeof dims, "%dx%d.%dx%d", s->m, s->k, s->k, s->n);
    for (int side = 0; side <= sides; side++) {
      qsort(rates[side], repeats, sizeof(double), compare);
      printf("%-15s %-17s %-8s %9.1f %9.1f %9.1f  %.2g\n", s->name, dims, side == sides ? "fma_peak" : side_names[side],
             rates[side][repeats / 2], rates[side][0], rates[side][repeats - 1], side == sides ? 0.0 : difference[side]);
    }
    printf("%-15s %-17s dnnl_mm kernel: %s\n", s->name, dims, mm.impl);
    fflush(stdout);
    matmul_destroy(&mm);
    free(packed_b);
    free(a); free(b);
    for (int side = 0; side < SIDES; side++) free(c[side]);
  }
  return 0;
}
