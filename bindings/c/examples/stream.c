/*
 * stream: plays a timbre model (made by `ae audio train`) in real time, as an audio host
 * would, and writes what it played to a WAV file (16-bit, through libsndfile).
 *
 *   stream MODEL.h5 OUT.wav [SECONDS [PITCH [SEED]]]
 *
 * The "control side" pushes codes of a seeded walk through the code space (new anchor codes
 * from N(0, I) every half second, eased between) whenever the stream's queue has room; the
 * "audio side" pulls blocks of 64 samples, as an audio callback does. Both run on this one
 * thread here (a real host pushes from its control thread: one pusher, one puller). Prints
 * the real-time factor of the pulls (time spent pulling / length of the sound) and the longest
 * pull to stderr.
 */
#define _POSIX_C_SOURCE 199309L
#include <autoencoder.h>
#include <sndfile.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { BLOCK = 64, QUEUE = 16 };

/* xorshift64* and Box-Muller: Gaussian draws from a seed. */
static uint64_t state;
static double uniform(void) {
  state ^= state >> 12, state ^= state << 25, state ^= state >> 27;
  return ((state * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}
static double gaussian(void) {
  double u = uniform(), v = uniform();
  return sqrt(-2 * log(u > 0 ? u : 1e-300)) * cos(6.283185307179586 * v);
}

static double seconds_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int fail(const char *what, ae_status status) {
  fprintf(stderr, "stream: %s: %s (%s)\n", what, ae_last_error(), ae_status_string(status));
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 6) {
    fprintf(stderr, "usage: stream MODEL.h5 OUT.wav [SECONDS [PITCH [SEED]]]\n");
    return 2;
  }
  double seconds = argc > 3 ? atof(argv[3]) : 5;
  float pitch = argc > 4 ? (float)atof(argv[4]) : 60;
  state = argc > 5 ? strtoull(argv[5], NULL, 10) * 2 + 1 : 1;

  ae_model *model = NULL;
  ae_status status = ae_model_open(argv[1], &model);
  if (status != AE_OK) return fail("open", status);
  struct ae_audio_info info = ae_audio_info_default();
  if ((status = ae_audio_info(model, &info)) != AE_OK) return fail("not a timbre model", status);
  if (!info.takes_pitch) pitch = NAN;
  ae_stream *stream = NULL;
  if ((status = ae_stream_create(model, NULL, QUEUE, &stream)) != AE_OK) return fail("stream", status);

  size_t total = (size_t)(seconds * (double)info.sample_rate), latent = info.latent_dim;
  size_t anchor_frames = info.sample_rate / (2 * info.hop);
  if (anchor_frames < 1) anchor_frames = 1;
  float *from = malloc(latent * sizeof(float)), *to = malloc(latent * sizeof(float)), *code = malloc(latent * sizeof(float));
  for (size_t j = 0; j < latent; j++) from[j] = (float)gaussian(), to[j] = (float)gaussian();

  SF_INFO format = {.samplerate = (int)info.sample_rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
  SNDFILE *file = sf_open(argv[2], SFM_WRITE, &format);
  if (!file) {
    fprintf(stderr, "stream: cannot write %s: %s\n", argv[2], sf_strerror(NULL));
    return 1;
  }
  float block[BLOCK];
  size_t frame = 0;
  double pulling = 0, first = 0, longest = 0, started = seconds_now();
  for (size_t done = 0; done < total; done += BLOCK) {
    /* Control side: keep the queue topped up with the walk's next codes. */
    while (ae_stream_room(stream) > 0) {
      size_t step = frame % anchor_frames;
      if (frame > 0 && step == 0) {
        memcpy(from, to, latent * sizeof(float));
        for (size_t j = 0; j < latent; j++) to[j] = (float)gaussian();
      }
      float ease = (float)(0.5 - 0.5 * cos(3.141592653589793 * (double)step / (double)anchor_frames));
      for (size_t j = 0; j < latent; j++) code[j] = from[j] * (1 - ease) + to[j] * ease;
      if ((status = ae_stream_push(stream, code, info.takes_pitch ? &pitch : NULL, 1)) != AE_OK) return fail("push", status);
      frame++;
    }
    /* Audio side: one block. */
    size_t n = total - done < BLOCK ? total - done : BLOCK;
    double before = seconds_now();
    if ((status = ae_stream_pull(stream, block, n)) != AE_OK) return fail("pull", status);
    double took = seconds_now() - before;
    pulling += took;
    if (done == 0) first = took;
    else if (took > longest) longest = took;
    if (sf_writef_float(file, block, (sf_count_t)n) != (sf_count_t)n) {
      fprintf(stderr, "stream: cannot write %s: %s\n", argv[2], sf_strerror(file));
      return 1;
    }
  }
  double elapsed = seconds_now() - started, length = (double)total / (double)info.sample_rate;
  sf_close(file);
  fprintf(stderr, "stream: %.2f s of sound (%zu frames, latency %zu samples = %.1f ms) in blocks of %d\n", length, frame,
          info.fft_size, 1000.0 * (double)info.fft_size / (double)info.sample_rate, BLOCK);
  fprintf(stderr, "stream: real-time factor %.4f (pulls: %.3f s; %.0fx faster than real time), %.4f with the pushes and the file\n",
          pulling / length, pulling, length / pulling, elapsed / length);
  fprintf(stderr, "stream: first pull %.0f us, longest later pull %.0f us (a block of %d samples lasts %.0f us)\n",
          1e6 * first, 1e6 * longest, BLOCK, 1e6 * BLOCK / (double)info.sample_rate);
  ae_stream_free(stream);
  ae_model_close(model);
  free(from), free(to), free(code);
  return 0;
}
