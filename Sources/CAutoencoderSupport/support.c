#include "CAutoencoderSupport.h"
#include "autoencoder.h"

#include <stdio.h>
#include <string.h>

static _Thread_local char last_error[1024];

const char *aesup_status_text(int status) {
  switch (status) {
  case 0: return "ok";
  case 1: return "invalid argument";
  case 2: return "cannot read the file";
  case 3: return "not a valid model file";
  case 4: return "model file version not supported";
  case 5: return "dimension mismatch";
  case 6: return "non-finite input";
  case 7: return "size overflow";
  case 8: return "out of memory";
  case 9: return "not supported by this model";
  case 10: return "workspace belongs to another model";
  case 11: return "misuse of a handle (closed, freed or of another type)";
  case 12: return "the file carries no checksum";
  case 99: return "internal error";
  default: return "unknown status";
  }
}

void aesup_set_error(const char *message) {
  snprintf(last_error, sizeof last_error, "%s", message ? message : "");
}

const char *aesup_last_error(void) { return last_error; }

const char *aesup_version(void) { return AE_VERSION; }
int aesup_version_number(void) { return AE_VERSION_NUMBER; }
int aesup_abi_version(void) { return AE_ABI_VERSION; }
