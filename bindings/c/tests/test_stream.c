/*
 * test_stream: the sound calls of libautoencoder (ae_audio_*, ae_stream_*) on a tiny timbre
 * model trained on pure tones (audio_fixture.sh).
 *
 *   test_stream TIMBRE_MODEL PLAIN_MODEL
 *
 * PLAIN_MODEL is any model that is not a timbre model. Checks every error path, that a
 * constant code streams a steady sound whose spectrum peaks at the conditioned note's
 * harmonics (a DFT computed here), that generate and morph are deterministic and land on
 * the notes asked for, that a pusher and a puller on two threads work together, and that the
 * pull path allocates nothing: this file defines malloc and friends (calling glibc's) and
 * counts calls while a flag is set. Built with -DAE_TEST_UNDER_VALGRIND it leaves malloc to
 * valgrind and skips the counting. Prints "N passed, M failed".
 */
#include <autoencoder.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

/* ---- allocation counting ---------------------------------------------------------------- */
#include "allocation_counter.h"
#ifndef AE_TEST_UNDER_VALGRIND
#define BLOCKS 10000
#else
#define BLOCKS 1000
#endif

#define PI 3.14159265358979323846

/* ---- helpers ---------------------------------------------------------------------------- */

static double note_hz(double midi) { return 440.0 * pow(2.0, (midi - 69) / 12); }

/* The frequency (Hz, 1 Hz steps from 50 to 4000) where a Hann-windowed DFT of x (n <= 8192)
 * peaks. Each frequency's complex exponential is a rotation (no libm call per sample). */
static double peak_hz(const float *x, size_t n, double rate) {
  static double windowed[8192];
  for (size_t i = 0; i < n && i < 8192; i++) windowed[i] = x[i] * (0.5 - 0.5 * cos(2 * PI * (double)i / (double)n));
  double best = 0, best_power = -1;
  for (double f = 50; f <= 4000; f += 1) {
    double turn_cos = cos(2 * PI * f / rate), turn_sin = sin(2 * PI * f / rate), c = 1, s = 0, re = 0, im = 0;
    for (size_t i = 0; i < n && i < 8192; i++) {
      re += windowed[i] * c;
      im -= windowed[i] * s;
      double next = c * turn_cos - s * turn_sin;
      s = s * turn_cos + c * turn_sin;
      c = next;
    }
    double power = re * re + im * im;
    if (power > best_power) best_power = power, best = f;
  }
  return best;
}

/* Whether f is within tolerance Hz of a harmonic (1 to 4) of f0. */
static int at_harmonic(double f, double f0, double tolerance) {
  for (int k = 1; k <= 4; k++)
    if (fabs(f - k * f0) <= tolerance) return 1;
  return 0;
}

static double rms(const float *x, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += (double)x[i] * x[i];
  return sqrt(sum / (double)n);
}

static int all_finite(const float *x, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(x[i])) return 0;
  return 1;
}

static int has_error(const char *text) { return strstr(ae_last_error(), text) != NULL; }

/* Sample i of a tone as the fixture's WAV files hold it: 16-bit, amplitude 16000 / 32768. The
 * 16-bit rounding matters: it is the noise floor of the frames the model was trained on. */
static double tone_sample(double midi, size_t i, double rate) {
  return (double)(int)(16000 * sin(2 * PI * note_hz(midi) * (double)i / rate)) / 32768;
}

/* n samples of a tone at the model's rate. */
static float *tone(double midi, size_t n, double rate) {
  float *x = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) x[i] = (float)tone_sample(midi, i, rate);
  return x;
}

/* The code of one frame of a tone: the frame as training made it (ln(|X| + 1e-4) of a periodic
 * Hann-windowed 1024-point DFT, computed here), encoded with the pitch's condition. */
static int tone_code(const ae_model *model, double midi, double rate, float *code) {
  enum { N = 1024, BINS = N / 2 + 1 };
  static float frame[BINS];
  for (int k = 0; k < BINS; k++) {
    double re = 0, im = 0;
    for (int i = 0; i < N; i++) {
      double x = tone_sample(midi, (size_t)i, rate) * (0.5 - 0.5 * cos(2 * PI * i / N));
      re += x * cos(2 * PI * k * i / N);
      im -= x * sin(2 * PI * k * i / N);
    }
    frame[k] = (float)log(sqrt(re * re + im * im) + 1e-4);
  }
  float condition = (float)((midi - 69) / 12);
  return ae_encode_conditioned(model, NULL, frame, &condition, 1, code) == AE_OK;
}

/* The RMS a steady sound with the model's magnitudes for `code` has, by Parseval: a frame of
 * N samples of RMS r through a Hann window holds r^2 * 3N/8 of energy, which is
 * (2/N) * sum |X_k|^2 over the half spectrum. So r = sqrt(16 sum |X_k|^2 / (3 N^2)). */
static double expected_rms(const ae_model *model, const float *code, double midi) {
  enum { N = 1024, BINS = N / 2 + 1 };
  float frame[BINS], condition = (float)((midi - 69) / 12);
  if (ae_decode_conditioned(model, NULL, code, &condition, 1, frame) != AE_OK) return -1;
  double energy = 0;
  for (int k = 0; k < BINS; k++) {
    double magnitude = fmax(exp(frame[k]) - 1e-4, 0);
    energy += magnitude * magnitude;
  }
  return sqrt(16 * energy / (3.0 * N * N));
}

/* Steady output of a stream fed one constant code at `pitch`: n samples after 4 latencies. */
static int steady_output(const ae_model *model, const float *code, float pitch, float *out, size_t n, size_t latency) {
  ae_stream *stream = NULL;
  if (ae_stream_create(model, NULL, 8, &stream) != AE_OK) return 0;
  int good = ae_stream_push(stream, code, &pitch, 1) == AE_OK;
  float *skip = malloc(4 * latency * sizeof(float));
  good = good && ae_stream_pull(stream, skip, 4 * latency) == AE_OK && ae_stream_pull(stream, out, n) == AE_OK;
  free(skip);
  ae_stream_free(stream);
  return good;
}

/* ---- the checks ------------------------------------------------------------------------- */

static void test_info(const ae_model *timbre, const ae_model *plain, struct ae_audio_info *info) {
  *info = ae_audio_info_default();
  CHECK(ae_audio_info(timbre, info) == AE_OK, "ae_audio_info on the timbre model");
  CHECK(info->sample_rate == 16000 && info->fft_size == 1024 && info->hop == 256, "the fixture's settings: %zu Hz, %zu, %zu",
        info->sample_rate, info->fft_size, info->hop);
  CHECK(info->latent_dim == 4 && info->takes_pitch == 1, "latent 4 with pitch: %zu, %d", info->latent_dim, info->takes_pitch);
  CHECK(ae_model_latent_dim(timbre) == info->latent_dim, "latent_dim agrees with ae_model_latent_dim");
  struct ae_audio_info other = ae_audio_info_default();
  CHECK(ae_audio_info(plain, &other) == AE_ERROR_UNSUPPORTED && has_error("not a timbre model"),
        "a plain model is refused, saying it is not a timbre model");
  CHECK(other.sample_rate == 0, "nothing written on failure");
  CHECK(ae_audio_info(NULL, &other) == AE_ERROR_INVALID_ARGUMENT, "NULL model");
  CHECK(ae_audio_info(timbre, NULL) == AE_ERROR_INVALID_ARGUMENT, "NULL info");
  other.size = 0;
  CHECK(ae_audio_info(timbre, &other) == AE_ERROR_INVALID_ARGUMENT && other.sample_rate == 0, "size 0 (uninitialized)");
  other.size = sizeof other + 8;
  CHECK(ae_audio_info(timbre, &other) == AE_ERROR_VERSION, "a size from a newer header");
  CHECK(ae_audio_info((const ae_model *)&other, &other) == AE_ERROR_MISUSE, "a pointer that is not a handle");
}

static void test_generate(const ae_model *timbre, const ae_model *plain) {
  size_t length = 0, written = 0;
  CHECK(ae_audio_generate_length(timbre, 0.5, &length) == AE_OK && length == 8000, "0.5 s at 16 kHz is 8000 samples: %zu", length);
  float *a = malloc(length * sizeof(float)), *b = malloc(length * sizeof(float)), *c = malloc(length * sizeof(float));
  CHECK(ae_audio_generate(timbre, 0.5, 3, 60, a, length, &written) == AE_OK && written == length, "generate 0.5 s at note 60");
  CHECK(all_finite(a, length) && rms(a, length) > 1e-3, "a finite, audible sound (rms %g)", rms(a, length));
  CHECK(ae_audio_generate(timbre, 0.5, 3, 60, b, length, &written) == AE_OK && memcmp(a, b, length * sizeof(float)) == 0,
        "the same seed gives the same samples");
  CHECK(ae_audio_generate(timbre, 0.5, 4, 60, c, length, &written) == AE_OK && memcmp(a, c, length * sizeof(float)) != 0,
        "another seed gives another sound");

  memset(b, 0, length * sizeof(float));
  written = 7;
  CHECK(ae_audio_generate(timbre, 0.5, 3, 60, b, length - 1, &written) == AE_ERROR_INVALID_ARGUMENT && has_error("8000"),
        "a capacity one short is refused, naming the length needed");
  CHECK(written == 7 && b[0] == 0, "nothing written on failure");
  CHECK(ae_audio_generate(timbre, 0.5, 3, NAN, b, length, &written) == AE_ERROR_INVALID_ARGUMENT && has_error("pitch"),
        "NaN pitch for a pitch model");
  CHECK(ae_audio_generate(timbre, 0.5, 3, 200, b, length, &written) == AE_ERROR_INVALID_ARGUMENT, "pitch 200");
  CHECK(ae_audio_generate(timbre, 0, 3, 60, b, length, &written) == AE_ERROR_INVALID_ARGUMENT, "0 seconds");
  CHECK(ae_audio_generate(timbre, NAN, 3, 60, b, length, &written) == AE_ERROR_INVALID_ARGUMENT, "NaN seconds");
  CHECK(ae_audio_generate(timbre, 4000, 3, 60, b, length, &written) == AE_ERROR_INVALID_ARGUMENT, "4000 seconds");
  CHECK(ae_audio_generate_length(timbre, -1, &length) == AE_ERROR_INVALID_ARGUMENT, "length of -1 seconds");
  CHECK(ae_audio_generate_length(timbre, 1, NULL) == AE_ERROR_INVALID_ARGUMENT, "NULL length");
  CHECK(ae_audio_generate(timbre, 0.5, 3, 60, NULL, length, &written) == AE_ERROR_INVALID_ARGUMENT, "NULL out");
  CHECK(ae_audio_generate(timbre, 0.5, 3, 60, b, length, NULL) == AE_ERROR_INVALID_ARGUMENT, "NULL written");
  CHECK(ae_audio_generate(plain, 0.5, 3, NAN, b, length, &written) == AE_ERROR_UNSUPPORTED, "generate from a plain model");
  CHECK(ae_audio_generate(NULL, 0.5, 3, 60, b, length, &written) == AE_ERROR_INVALID_ARGUMENT, "generate from NULL");
  free(a), free(b), free(c);
}

static void test_morph(const ae_model *timbre, const ae_model *plain, double rate) {
  size_t na = 6400, nb = 4800, length = 0, written = 0, steps = 4;
  float *a = tone(60, na, rate), *b = tone(66, nb, rate);
  CHECK(ae_audio_morph_length(timbre, na, nb, steps, &length) == AE_OK && length == steps * na, "morph length: %zu", length);
  float *out = malloc(length * sizeof(float));
  CHECK(ae_audio_morph(timbre, a, na, b, nb, 60, 66, steps, out, length, &written) == AE_OK && written == length, "morph 60 -> 66");
  CHECK(all_finite(out, length) && rms(out, length) > 1e-3, "a finite, audible morph");
  double first = peak_hz(out + 1024, 4096, rate), last = peak_hz(out + (steps - 1) * na + 1024, 4096, rate);
  CHECK(at_harmonic(first, note_hz(60), 16), "the first step sounds note 60 (%.1f Hz): %.0f Hz", note_hz(60), first);
  CHECK(at_harmonic(last, note_hz(66), 16), "the last step sounds note 66 (%.1f Hz): %.0f Hz", note_hz(66), last);

  CHECK(ae_audio_morph(timbre, a, na, b, nb, 60, 66, steps, out, length - 1, &written) == AE_ERROR_INVALID_ARGUMENT &&
        has_error("25600"), "a short buffer is refused, naming the length needed");
  CHECK(ae_audio_morph(timbre, a, na, b, nb, 60, 66, 1, out, length, &written) == AE_ERROR_INVALID_ARGUMENT, "1 step");
  CHECK(ae_audio_morph_length(timbre, na, nb, 1001, &length) == AE_ERROR_INVALID_ARGUMENT, "1001 steps");
  CHECK(ae_audio_morph(timbre, a, 0, b, nb, 60, 66, steps, out, length, &written) == AE_ERROR_INVALID_ARGUMENT, "a_len 0");
  CHECK(ae_audio_morph(timbre, NULL, na, b, nb, 60, 66, steps, out, length, &written) == AE_ERROR_INVALID_ARGUMENT, "NULL a");
  CHECK(ae_audio_morph(timbre, a, na, b, nb, NAN, 66, steps, out, length, &written) == AE_ERROR_INVALID_ARGUMENT &&
        has_error("pitch_a"), "NaN pitch_a for a pitch model");
  b[10] = NAN;
  CHECK(ae_audio_morph(timbre, a, na, b, nb, 60, 66, steps, out, length, &written) == AE_ERROR_NON_FINITE &&
        has_error("sample 10 of b"), "a NaN sample");
  CHECK(ae_audio_morph(plain, a, na, b, nb, NAN, NAN, steps, out, length, &written) == AE_ERROR_UNSUPPORTED, "plain model");
  free(a), free(b), free(out);
}

static void test_stream_errors(const ae_model *timbre, const ae_model *plain, size_t latent) {
  ae_stream *stream = NULL;
  ae_workspace *plain_workspace = NULL;
  CHECK(ae_stream_create(NULL, NULL, 8, &stream) == AE_ERROR_INVALID_ARGUMENT, "create: NULL model");
  CHECK(ae_stream_create(plain, NULL, 8, &stream) == AE_ERROR_UNSUPPORTED && has_error("not a timbre model"), "create: plain model");
  CHECK(ae_stream_create(timbre, NULL, 0, &stream) == AE_ERROR_INVALID_ARGUMENT, "create: queue of 0");
  CHECK(ae_stream_create(timbre, NULL, (size_t)1 << 21, &stream) == AE_ERROR_INVALID_ARGUMENT, "create: queue of 2^21");
  CHECK(ae_stream_create(timbre, NULL, 8, NULL) == AE_ERROR_INVALID_ARGUMENT, "create: NULL out");
  CHECK(ae_workspace_create(plain, 1, &plain_workspace) == AE_OK, "a workspace of the plain model");
  CHECK(ae_stream_create(timbre, plain_workspace, 8, &stream) == AE_ERROR_WORKSPACE, "create: another model's workspace");
  CHECK(stream == NULL, "nothing written on failure");
  ae_workspace_free(plain_workspace);

  CHECK(ae_stream_create(timbre, NULL, 8, &stream) == AE_OK, "create a stream of 8 frames");
  float codes[16 * 8] = {0}, pitches[16], out[64];
  for (int i = 0; i < 16; i++) pitches[i] = 60;
  CHECK(ae_stream_room(stream) == 8, "an empty queue has room for 8: %zu", ae_stream_room(stream));
  CHECK(ae_stream_push(NULL, codes, pitches, 1) == AE_ERROR_INVALID_ARGUMENT, "push: NULL stream");
  CHECK(ae_stream_push(stream, NULL, pitches, 1) == AE_ERROR_INVALID_ARGUMENT, "push: NULL codes");
  CHECK(ae_stream_push(stream, codes, pitches, 0) == AE_ERROR_INVALID_ARGUMENT, "push: 0 frames");
  CHECK(ae_stream_push(stream, codes, NULL, 1) == AE_ERROR_INVALID_ARGUMENT && has_error("pitch"), "push: no pitch for a pitch model");
  pitches[1] = 130;
  CHECK(ae_stream_push(stream, codes, pitches, 2) == AE_ERROR_INVALID_ARGUMENT && has_error("pitch 1"), "push: pitch 130");
  pitches[1] = NAN;
  CHECK(ae_stream_push(stream, codes, pitches, 2) == AE_ERROR_NON_FINITE, "push: NaN pitch");
  pitches[1] = 60;
  codes[latent + 2] = NAN;
  CHECK(ae_stream_push(stream, codes, pitches, 2) == AE_ERROR_NON_FINITE && has_error("frame 1"), "push: NaN code");
  codes[latent + 2] = INFINITY;
  CHECK(ae_stream_push(stream, codes, pitches, 2) == AE_ERROR_NON_FINITE, "push: infinite code");
  codes[latent + 2] = 0;
  /* Counts far beyond the queue (and the caller's arrays) are refused before the arrays are read. */
  CHECK(ae_stream_push(stream, codes, pitches, (size_t)1 << 40) == AE_ERROR_QUEUE_FULL && has_error("room for 8"),
        "push: 2^40 frames from a 16-frame array is refused unread");
  CHECK(ae_stream_push(stream, codes, pitches, SIZE_MAX) == AE_ERROR_OVERFLOW, "push: SIZE_MAX frames");
  CHECK(ae_stream_push(stream, codes, pitches, SIZE_MAX / latent + 1) == AE_ERROR_OVERFLOW, "push: frames x latent_dim overflows");
  CHECK(ae_stream_pull(stream, out, SIZE_MAX) == AE_ERROR_OVERFLOW, "pull: SIZE_MAX samples");
  CHECK(ae_stream_room(stream) == 8, "refused pushes queue nothing");
  CHECK(ae_stream_push(stream, codes, pitches, 6) == AE_OK, "push 6 frames");
  CHECK(ae_stream_push(stream, codes, pitches, 3) == AE_ERROR_QUEUE_FULL && has_error("room for 2"),
        "push 3 into room for 2: queue full, saying how much room");
  CHECK(ae_stream_room(stream) == 2, "the full push queued nothing");
  CHECK(ae_stream_push(stream, codes, pitches, 2) == AE_OK && ae_stream_room(stream) == 0, "fill the queue");
  CHECK(ae_stream_push(stream, codes, pitches, 1) == AE_ERROR_QUEUE_FULL, "push into a full queue");
  CHECK(ae_stream_pull(stream, out, 64) == AE_OK && ae_stream_room(stream) == 1, "a pull of 64 samples takes one frame");
  CHECK(ae_stream_push(stream, codes, pitches, 1) == AE_OK, "then a push fits");
  CHECK(ae_stream_pull(NULL, out, 64) == AE_ERROR_INVALID_ARGUMENT, "pull: NULL stream");
  CHECK(ae_stream_pull(stream, NULL, 64) == AE_ERROR_INVALID_ARGUMENT, "pull: NULL out");
  CHECK(ae_stream_pull(stream, out, 0) == AE_ERROR_INVALID_ARGUMENT, "pull: 0 samples");
  CHECK(ae_stream_pull((ae_stream *)timbre, out, 64) == AE_ERROR_MISUSE && has_error("is a model, not a stream"),
        "pull: a model as a stream");
  CHECK(ae_stream_pull((ae_stream *)out, out, 64) == AE_ERROR_MISUSE, "pull: a stack address");
  CHECK(ae_stream_reset(stream) == AE_OK && ae_stream_room(stream) == 8, "reset empties the queue");
  CHECK(ae_stream_pull(stream, out, 64) == AE_OK && rms(out, 64) == 0, "after a reset, silence until a push");
  ae_stream_free(stream);
  CHECK(ae_stream_pull(stream, out, 64) == AE_ERROR_MISUSE && has_error("freed"), "pull after free");
  CHECK(ae_stream_push(stream, codes, pitches, 1) == AE_ERROR_MISUSE, "push after free");
  CHECK(ae_stream_reset(stream) == AE_ERROR_MISUSE, "reset after free");
  ae_stream_free(stream); /* a second free does nothing but set the error */
  CHECK(has_error("freed"), "a second free is reported");
  ae_stream_free(NULL);

  /* A workspace of its own model: taken by each pull; freeing it fails later pulls. */
  ae_workspace *workspace = NULL;
  CHECK(ae_workspace_create(timbre, 1, &workspace) == AE_OK, "a workspace of the timbre model");
  CHECK(ae_stream_create(timbre, workspace, 8, &stream) == AE_OK, "a stream with the caller's workspace");
  CHECK(ae_stream_push(stream, codes, pitches, 1) == AE_OK && ae_stream_pull(stream, out, 64) == AE_OK, "pull with it");
  ae_workspace_free(workspace);
  CHECK(ae_stream_pull(stream, out, 64) == AE_ERROR_MISUSE && has_error("workspace"), "pull after the workspace was freed");
  ae_stream_free(stream);
}

static void test_steady(const ae_model *timbre, size_t latent, size_t latency, double rate) {
  float code[16] = {0}, *out = malloc(8192 * sizeof(float)), *again = malloc(8192 * sizeof(float));
  CHECK(latent <= 16 && tone_code(timbre, 60, rate, code), "the code of a frame of note 60");
  CHECK(steady_output(timbre, code, 60, out, 8192, latency), "stream that code, constant, at note 60");
  double level[4];
  for (int q = 0; q < 4; q++) level[q] = rms(out + q * 2048, 2048);
  int steady = level[0] > 1e-3;
  for (int q = 1; q < 4; q++) steady = steady && fabs(level[q] / level[0] - 1) < 0.1;
  CHECK(steady, "a constant code gives a steady level after the latency: rms %g %g %g %g", level[0], level[1], level[2], level[3]);
  double expected = expected_rms(timbre, code, 60), level60 = rms(out, 8192);
  CHECK(fabs(level60 / expected - 1) < 0.15, "the stream's level is what the decoded magnitudes hold (Parseval): rms %g, expected %g",
        level60, expected);
  double f60 = peak_hz(out, 4096, rate);
  CHECK(at_harmonic(f60, note_hz(60), 16), "note 60's stream peaks at a harmonic of %.1f Hz: %.0f Hz", note_hz(60), f60);
  CHECK(steady_output(timbre, code, 60, again, 8192, latency) && memcmp(out, again, 8192 * sizeof(float)) == 0,
        "the same code on a new stream gives the same samples");
  CHECK(tone_code(timbre, 72, rate, code) && steady_output(timbre, code, 72, out, 8192, latency), "stream note 72's code");
  double f72 = peak_hz(out, 4096, rate);
  CHECK(at_harmonic(f72, note_hz(72), 16), "note 72's stream peaks at a harmonic of %.1f Hz: %.0f Hz", note_hz(72), f72);
  free(out), free(again);
}

/* Pull BLOCKS blocks of 64 samples, pushing a code whenever there is room, counting
 * allocations inside the pulls (and, separately, the pushes). */
static void test_no_allocation(const ae_model *timbre, size_t latent) {
  ae_stream *stream = NULL;
  CHECK(ae_stream_create(timbre, NULL, 4, &stream) == AE_OK, "a stream for the allocation test");
  float code[16] = {0}, pitch = 64, block[64];
  int failures = 0;
  long pull_allocations = 0, push_allocations = 0;
  double energy = 0;
  for (int i = 0; i < BLOCKS; i++) {
    if (i % 4 == 0 && ae_stream_room(stream) > 0) {
      for (size_t j = 0; j < latent; j++) code[j] = (float)sin(0.01 * i + (double)j);
      pitch = (float)(60 + 12 * sin(0.001 * i));
#ifndef AE_TEST_UNDER_VALGRIND
      COUNT_START();
#endif
      failures += ae_stream_push(stream, code, &pitch, 1) != AE_OK;
#ifndef AE_TEST_UNDER_VALGRIND
      push_allocations += COUNT_STOP();
      COUNT_START();
#endif
      failures += ae_stream_pull(stream, block, 64) != AE_OK;
#ifndef AE_TEST_UNDER_VALGRIND
      pull_allocations += COUNT_STOP();
#endif
    } else {
#ifndef AE_TEST_UNDER_VALGRIND
      COUNT_START();
#endif
      failures += ae_stream_pull(stream, block, 64) != AE_OK;
#ifndef AE_TEST_UNDER_VALGRIND
      pull_allocations += COUNT_STOP();
#endif
    }
    energy += rms(block, 64);
  }
  CHECK(failures == 0, "%d of the pushes and pulls failed", failures);
  CHECK(energy > 0, "the stream made sound");
#ifndef AE_TEST_UNDER_VALGRIND
  COUNT_START();
  void *deliberate = malloc(32);
  long counted = COUNT_STOP();
  free(deliberate);
  CHECK(counted == 1, "the counter counts a deliberate malloc: %ld", counted);
  COUNT_START();
  ae_status refused = ae_stream_push(stream, code, NULL, 1); /* an error: its message is formatted */
  counted = COUNT_STOP();
  CHECK(refused == AE_ERROR_INVALID_ARGUMENT && counted > 0, "the counter sees the library's allocations: %ld", counted);
  CHECK(pull_allocations == 0, "%d pulls of 64 samples allocated nothing: %ld allocations", BLOCKS, pull_allocations);
  CHECK(push_allocations == 0, "the pushes allocated nothing: %ld allocations", push_allocations);
#else
  (void)pull_allocations, (void)push_allocations;
#endif
  ae_stream_free(stream);
}

/* A pusher and a puller on two threads: every frame pushed is played, none is lost. */
struct pusher { ae_stream *stream; int frames, refused, failed; atomic_int done; };

static void *push_frames(void *argument) {
  struct pusher *job = argument;
  float code[16] = {0}, pitch = 62;
  struct timespec pause = {0, 100000};
  for (int t = 0; t < job->frames;) {
    code[0] = (float)t / (float)job->frames;
    ae_status status = ae_stream_push(job->stream, code, &pitch, 1);
    if (status == AE_OK) t++;
    else if (status == AE_ERROR_QUEUE_FULL) job->refused++, nanosleep(&pause, NULL);
    else { job->failed++; break; }
  }
  atomic_store(&job->done, 1);
  return NULL;
}

static void test_two_threads(const ae_model *timbre, size_t hop) {
  ae_stream *stream = NULL;
  CHECK(ae_stream_create(timbre, NULL, 4, &stream) == AE_OK, "a stream for two threads");
  struct pusher job = {stream, 200, 0, 0, 0};
  pthread_t thread;
  pthread_create(&thread, NULL, push_frames, &job);
  float block[64];
  int failures = 0;
  size_t blocks = 0;
  /* Pull until the pusher is done, then the queue's worth more (4 frames of hop samples). */
  while (!atomic_load(&job.done) && failures == 0) failures += ae_stream_pull(stream, block, 64) != AE_OK, blocks++;
  for (size_t i = 0; i < 4 * hop / 64 + 1; i++) failures += ae_stream_pull(stream, block, 64) != AE_OK;
  pthread_join(thread, NULL);
  CHECK(job.failed == 0 && failures == 0, "no push or pull failed (%d, %d)", job.failed, failures);
  CHECK(ae_stream_room(stream) == 4, "every pushed frame was played (room %zu)", ae_stream_room(stream));
  /* The 200th push found room: the puller had taken 196 frames, so pulled more than 195 hops. */
  CHECK(blocks * 64 > (size_t)195 * hop, "the pusher waited for the puller, a frame per hop (%zu blocks)", blocks);
  ae_stream_free(stream);
}

/* Two threads pulling at once: the second is refused (AE_ERROR_MISUSE) while the first runs,
 * never let in; every call either plays or is refused, and nothing but sound comes out. */
struct puller { ae_stream *stream; int played, refused, failed, bad_samples; };

static void *pull_blocks(void *argument) {
  struct puller *job = argument;
  float block[256];
  for (int i = 0; i < 2000; i++) {
    ae_status status = ae_stream_pull(job->stream, block, 256);
    if (status == AE_OK) job->played++, job->bad_samples += !all_finite(block, 256);
    else if (status == AE_ERROR_MISUSE && has_error("another thread is pulling")) job->refused++;
    else job->failed++;
  }
  return NULL;
}

static void test_two_pullers(const ae_model *timbre, size_t latent) {
  ae_stream *stream = NULL;
  CHECK(ae_stream_create(timbre, NULL, 8, &stream) == AE_OK, "a stream for two pullers");
  float codes[8 * 16] = {0}, pitches[8] = {60, 60, 60, 60, 60, 60, 60, 60};
  for (size_t i = 0; i < 8 * latent; i++) codes[i] = 0.1f * (float)(i % 5);
  CHECK(ae_stream_push(stream, codes, pitches, 8) == AE_OK, "push 8 frames");
  struct puller first = {stream, 0, 0, 0, 0}, second = {stream, 0, 0, 0, 0};
  pthread_t a, b;
  pthread_create(&a, NULL, pull_blocks, &first);
  pthread_create(&b, NULL, pull_blocks, &second);
  pthread_join(a, NULL), pthread_join(b, NULL);
  CHECK(first.failed == 0 && second.failed == 0, "every pull played or was refused as busy (%d, %d other failures)",
        first.failed, second.failed);
  CHECK(first.played + first.refused == 2000 && second.played + second.refused == 2000 && first.played + second.played > 0,
        "pulls counted: %d + %d played, %d + %d refused", first.played, second.played, first.refused, second.refused);
  CHECK(first.bad_samples == 0 && second.bad_samples == 0, "only finite samples came out");
  CHECK(ae_stream_room(stream) == 8, "all 8 frames were played once (room %zu)", ae_stream_room(stream));
  ae_stream_free(stream);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: test_stream TIMBRE_MODEL PLAIN_MODEL\n");
    return 2;
  }
  ae_model *timbre = NULL, *plain = NULL;
  if (ae_model_open(argv[1], &timbre) != AE_OK || ae_model_open(argv[2], &plain) != AE_OK) {
    fprintf(stderr, "cannot open the models: %s\n", ae_last_error());
    return 1;
  }
  struct ae_audio_info info;
  test_info(timbre, plain, &info);
  double rate = (double)info.sample_rate;
  test_generate(timbre, plain);
  test_morph(timbre, plain, rate);
  test_stream_errors(timbre, plain, info.latent_dim);
  test_steady(timbre, info.latent_dim, info.fft_size, rate);
  test_no_allocation(timbre, info.latent_dim);
  test_two_threads(timbre, info.hop);
  test_two_pullers(timbre, info.latent_dim);

  /* A stream outlives its model's handle. */
  ae_stream *stream = NULL;
  float code[16] = {0}, pitch = 60, block[64];
  CHECK(ae_stream_create(timbre, NULL, 4, &stream) == AE_OK, "a stream before the model closes");
  ae_model_close(timbre);
  CHECK(ae_stream_push(stream, code, &pitch, 1) == AE_OK && ae_stream_pull(stream, block, 64) == AE_OK,
        "the stream plays after its model was closed");
  ae_stream_free(stream);
  ae_model_close(plain);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
