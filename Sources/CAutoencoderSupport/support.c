#include "CAutoencoderSupport.h"
#include "autoencoder.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_error[1024];

/* A switch over the header's enumerators: a status added to ae_status without a text here
 * fails the build. */
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wswitch-enum"
#endif
const char *aesup_status_text(int status) {
  switch ((ae_status)status) {
  case AE_OK: return "ok";
  case AE_ERROR_INVALID_ARGUMENT: return "invalid argument";
  case AE_ERROR_IO: return "cannot read the file";
  case AE_ERROR_FORMAT: return "not a valid model file";
  case AE_ERROR_VERSION: return "model file version not supported";
  case AE_ERROR_DIMENSION: return "dimension mismatch";
  case AE_ERROR_NON_FINITE: return "non-finite input or result";
  case AE_ERROR_OVERFLOW: return "size overflow";
  case AE_ERROR_OUT_OF_MEMORY: return "out of memory";
  case AE_ERROR_UNSUPPORTED: return "not supported by this model";
  case AE_ERROR_WORKSPACE: return "workspace belongs to another model";
  case AE_ERROR_MISUSE: return "misuse of a handle (closed, freed, in use or of another type)";
  case AE_ERROR_UNVERIFIED: return "the file carries no checksum";
  case AE_ERROR_QUEUE_FULL: return "the stream's queue is full";
  case AE_ERROR_INTERNAL: return "internal error";
  default: return "unknown status";
  }
}
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif

void aesup_set_error(const char *message) {
  snprintf(last_error, sizeof last_error, "%s", message ? message : "");
}

const char *aesup_last_error(void) { return last_error; }

void aesup_clear_error(void) { last_error[0] = 0; }

/* Version 1 of each options struct (0.2) ends with the field named here; fields appended
 * later do not move these. */
size_t aesup_sample_options_first_size(void) { return offsetof(ae_sample_options, label) + sizeof(int32_t); }
size_t aesup_interpolate_options_first_size(void) { return offsetof(ae_interpolate_options, label) + sizeof(int32_t); }
size_t aesup_encode_options_first_size(void) { return offsetof(ae_encode_options, labels) + sizeof(const int32_t *); }
size_t aesup_audio_info_first_size(void) { return offsetof(struct ae_audio_info, takes_pitch) + sizeof(int32_t); }

const char *aesup_version(void) { return AE_VERSION; }
int aesup_version_number(void) { return AE_VERSION_NUMBER; }
int aesup_abi_version(void) { return AE_ABI_VERSION; }
