/*
 * CVector: vector operations the Swift standard library does not lower to single
 * instructions. Swift imports `ext_vector_type(8) float` as SIMD8<Float>, and these static
 * inline functions are inlined into the Swift loops that call them.
 *
 * Why: SIMD8<Float>.squareRoot() in Swift runs lane by lane through sqrtf, which made the
 * Adam update four times slower than the vector square-root instruction.
 */
#ifndef AE_CVECTOR_H
#define AE_CVECTOR_H

typedef float ae_float8 __attribute__((ext_vector_type(8)));

/* Lane-wise square root, IEEE-exact (sqrtps). */
static inline __attribute__((always_inline)) ae_float8 ae_sqrt8(ae_float8 x) {
  return __builtin_elementwise_sqrt(x);
}

#include <stddef.h>

/* out = sigmoid(z), then, when scale is not NULL, out / scale + offset per column: the
 * runtime's output stage for `rows` rows of `width` values in one pass. z and out may be the
 * same buffer. Equal bit for bit to VectorMath.sigmoid and the Swift unscaling. */
void aevec_sigmoid_rows(const float *z, float *out, size_t rows, size_t width, const float *offset, const float *scale);

/* values = values / scale + offset per column, in place, for `rows` rows of `width`: the
 * inverse of the affine input scaling (Scaling.invert). */
void aevec_unscale_rows(float *values, size_t rows, size_t width, const float *offset, const float *scale);

/* One fast Griffin-Lim update of a frame of `bins` interleaved complex values:
 * u = rebuilt - decay * previous, spectrum = magnitude * u / (|u| + FLT_MIN), previous = rebuilt.
 * spectrum and previous must not overlap rebuilt or magnitude. */
void aevec_griffin_lim_update(float *spectrum, float *previous, const float *rebuilt, const float *magnitude,
                              float decay, size_t bins);

/* Two real frames' spectra a and b (half + 1 interleaved complex bins each) as the 2 half
 * interleaved bins of A + iB, each extended by conjugate symmetry: one complex inverse FFT of
 * `pairs` gives frame a in its real parts and b in its imaginary parts. */
void aevec_pair_spectra(float *pairs, const float *a, const float *b, size_t half);

/* out[i] += samples[2 i + part] * window[i] for i < n (part 0 or 1). */
void aevec_overlap_add(float *out, const float *samples, size_t part, const float *window, size_t n);

/* Keep in best[0 ..< count] (ascending; the caller fills it with +infinity) the count smallest
 * squared distances from z (width values) to the codes stored as columns: width runs of
 * `padded` values (a multiple of 16; NaN codes pad the last block and are never kept). */
void aevec_nearest_squares(const float *z, const float *columns, size_t width, size_t padded, float *best, size_t count);

#endif
