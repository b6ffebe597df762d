/* What hdf5_shim.c shares with hdf5_rows.c: the lock, the error slot, the hardened access
 * lists and the dataset audit. Not part of CShims.h: nothing outside CShims calls these. */
#ifndef AE_HDF5_INTERNAL_H
#define AE_HDF5_INTERNAL_H

#include <hdf5.h>

enum { AEH5_ERROR_SIZE = 1024 };
extern _Thread_local char h5_last_error[AEH5_ERROR_SIZE];
/* Link and dataset access lists that follow no external link and spend no soft-link traversals. */
extern hid_t h5_safe_links, h5_safe_dataset_access;

/* Take the process-wide lock (Debian's libhdf5 is not thread-safe), silence HDF5's own error
 * printing, load no plugins, clear this thread's error; h5_leave releases the lock. */
void h5_enter(void);
void h5_leave(void);
/* Record "what 'name': innermost HDF5 reason" as this thread's error. */
void h5_fail(const char *what, const char *name);
/* A stored type as an aeh5_kind (AEH5_OTHER for anything else). */
int h5_kind_of(hid_t type);

struct audit {
  long links;
  char problem[768];
};
/* Refuse (return 1, with audit->problem set) a dataset whose data would not come from inside
 * the file: virtual or external storage, unknown layouts, plugin filters, unwritten storage.
 * walk_chunks 0 leaves a chunked dataset's chunks to the caller (counting them walks the
 * whole chunk index, which a small file can declare 2^32 entries long). */
int h5_audit_dataset(hid_t file, const char *name, struct audit *audit, int walk_chunks);

#endif
