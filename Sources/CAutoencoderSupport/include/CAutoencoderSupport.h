/*
 * C glue for the C ABI layer: static strings (which must outlive every call), the
 * thread-local error message, which Swift has no portable way to declare, and the handle
 * registry (handles.c), which needs C11 atomics and pointer checks that read no freed memory.
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

/* Empty this thread's last error (one thread-local write): every successful call does. */
void aesup_clear_error(void);

/* The sizes an options struct's size field may hold: at least the end of the struct's
 * first version's last field, at most sizeof the struct as this library knows it. The
 * first-version ends are fixed for ever; sizeof grows as fields are appended. */
size_t aesup_sample_options_first_size(void);
size_t aesup_interpolate_options_first_size(void);
size_t aesup_encode_options_first_size(void);
size_t aesup_audio_info_first_size(void);

/* The version macros of include/autoencoder.h, the one place they are defined. */
const char *aesup_version(void);
int aesup_version_number(void);
int aesup_abi_version(void);

/* ---- handles (handles.c) ---------------------------------------------------------------- */

/* What a handle stands for. */
enum { AESUP_MODEL = 1, AESUP_WORKSPACE = 2, AESUP_STREAM = 3 };

/* Why a handle was refused. */
enum {
  AESUP_HANDLE_OK = 0,
  AESUP_HANDLE_NULL = 1,       /* NULL */
  AESUP_HANDLE_UNKNOWN = 2,    /* not a pointer this library handed out */
  AESUP_HANDLE_CLOSED = 3,     /* closed or freed (or closing) */
  AESUP_HANDLE_WRONG_KIND = 4, /* an open handle of the other kind */
  AESUP_HANDLE_BUSY = 5        /* exclusive use asked for, but a call is in flight */
};

/* A new open handle of `kind` for `object` (never NULL), or NULL when out of memory. */
void *aesup_handle_new(int kind, void *object);

/* Count a call in on `handle` and set *object to its object; exclusive asks that no other
 * call be in flight. Returns AESUP_HANDLE_OK, after which aesup_handle_release must follow,
 * or why the handle was refused (and *object is not touched). */
int aesup_handle_acquire(const void *handle, int kind, int exclusive, void **object);

/* Count a call out. Returns NULL, or the object to destroy when this call was the last one
 * in flight on a handle closed meanwhile. */
void *aesup_handle_release(const void *handle);

/* Close `handle`: later calls are refused. Sets *object to the object to destroy now, or to
 * NULL when calls are still in flight (the last one to finish gets it) or the handle was
 * refused. Returns AESUP_HANDLE_OK or why the handle was refused. */
int aesup_handle_close(const void *handle, int kind, void **object);

/* The kind of the open handle `handle` (AESUP_MODEL, ...), or 0 when it is not one: for
 * messages only (the answer may be stale by the time it is read). */
int aesup_handle_kind(const void *handle);

#endif
