/*
 * C glue for the C ABI layer: static strings (which must outlive every call) and the
 * thread-local error message, which Swift has no portable way to declare.
 *
 * It includes the public header, so the Swift side takes the status codes (AE_OK, ...)
 * from the one place they are defined.
 */
#ifndef AE_SUPPORT_H
#define AE_SUPPORT_H

#include "../../../include/autoencoder.h"

/* Fixed text for a status code ("invalid argument"); "unknown status" for others. */
const char *aesup_status_text(int status);

/* Store a copy of message (truncated to 1 KiB) as this thread's last error. */
void aesup_set_error(const char *message);

/* This thread's last error ("" if none). */
const char *aesup_last_error(void);

/* The version macros of include/autoencoder.h, the one place they are defined. */
const char *aesup_version(void);
int aesup_version_number(void);
int aesup_abi_version(void);

#endif
