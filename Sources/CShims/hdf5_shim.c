/* HDF5 glue: see CShims.h. Every entry point takes one process-wide lock, because Debian's
 * serial libhdf5 is not thread-safe; inference never calls in here, only load and save do. */
#define _GNU_SOURCE /* memmem */
#include "CShims.h"
#include "hdf5_internal.h"

#include <hdf5.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t h5_lock = PTHREAD_MUTEX_INITIALIZER;
_Thread_local char h5_last_error[AEH5_ERROR_SIZE];
/* Link access for every open: no external link is ever followed (the callback refuses),
 * and soft links get no traversals to spend. The audit refuses files with such links
 * before anything is read; this is the second wall. */
hid_t h5_safe_links = H5P_DEFAULT;
hid_t h5_safe_dataset_access = H5P_DEFAULT; /* the same, as a dataset access list */

const char *aeh5_last_error(void) { return h5_last_error; }

static herr_t refuse_external_link(const char *parent, const char *name, const char *file, const char *object,
                                   unsigned *flags, hid_t fapl, void *data) {
  (void)parent; (void)name; (void)file; (void)object; (void)flags; (void)fapl; (void)data;
  return -1;
}

/* Once per process, under the lock: a file may name any filter, and libhdf5 would load a
 * shared object of that name from its plugin path. We never load plugins. */
static void harden(void) {
  static int done = 0;
  if (done) return;
  done = 1;
  H5PLset_loading_state(0);
  hid_t lapl = H5Pcreate(H5P_LINK_ACCESS), dapl = H5Pcreate(H5P_DATASET_ACCESS);
  if (lapl >= 0 && H5Pset_nlinks(lapl, 1) >= 0 && H5Pset_elink_cb(lapl, refuse_external_link, NULL) >= 0)
    h5_safe_links = lapl;
  if (dapl >= 0 && H5Pset_nlinks(dapl, 1) >= 0 && H5Pset_elink_cb(dapl, refuse_external_link, NULL) >= 0)
    h5_safe_dataset_access = dapl;
}

void h5_enter(void) {
  pthread_mutex_lock(&h5_lock);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* we report errors ourselves */
  harden();
  h5_last_error[0] = '\0';
}

void h5_leave(void) { pthread_mutex_unlock(&h5_lock); }

/* Walk the HDF5 error stack and keep its innermost description: the most specific one. */
static herr_t walk_error(unsigned n, const H5E_error2_t *entry, void *data) {
  (void)n;
  char *out = data;
  if (entry->desc && entry->desc[0]) snprintf(out, 512, "%s", entry->desc);
  return 0;
}

/* Record "what: innermost HDF5 reason" as this thread's error. */
void h5_fail(const char *what, const char *name) {
  char reason[512] = "";
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_error, reason);
  H5Eclear2(H5E_DEFAULT);
  if (reason[0])
    snprintf(h5_last_error, sizeof h5_last_error, "%s '%s': %s", what, name ? name : "", reason);
  else
    snprintf(h5_last_error, sizeof h5_last_error, "%s '%s'", what, name ? name : "");
}

static hid_t native_type(int kind) {
  switch (kind) {
  case AEH5_FLOAT32: return H5T_NATIVE_FLOAT;
  case AEH5_FLOAT64: return H5T_NATIVE_DOUBLE;
  case AEH5_INT32: return H5T_NATIVE_INT32;
  case AEH5_INT64: return H5T_NATIVE_INT64;
  case AEH5_UINT8: return H5T_NATIVE_UINT8;
  default: return -1;
  }
}

/* Map a stored type to the kinds above; anything else is AEH5_OTHER. */
int h5_kind_of(hid_t type) {
  H5T_class_t cls = H5Tget_class(type);
  size_t size = H5Tget_size(type);
  if (cls == H5T_FLOAT) return size == 4 ? AEH5_FLOAT32 : size == 8 ? AEH5_FLOAT64 : AEH5_OTHER;
  if (cls == H5T_INTEGER) {
    H5T_sign_t sign = H5Tget_sign(type);
    if (size == 1 && sign == H5T_SGN_NONE) return AEH5_UINT8;
    if (sign != H5T_SGN_2) return AEH5_OTHER;
    return size == 4 ? AEH5_INT32 : size == 8 ? AEH5_INT64 : AEH5_OTHER;
  }
  return AEH5_OTHER;
}

int64_t aeh5_file_create(const char *path, size_t userblock) {
  h5_enter();
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), f = -1;
  if (fcpl >= 0 && (userblock == 0 || H5Pset_userblock(fcpl, userblock) >= 0))
    f = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
  if (fcpl >= 0) H5Pclose(fcpl);
  if (f < 0) h5_fail("cannot create HDF5 file", path);
  h5_leave();
  return f;
}

int64_t aeh5_file_open_image(const void *buffer, size_t length) {
  h5_enter();
  hid_t f = -1;
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  /* The core driver keeps the file in memory; the image is copied, so the caller keeps its buffer. */
  /* The core driver tells open files apart by name, and H5Fopen of a name already open
   * shares that file: each image needs a name of its own, or two threads read one file. */
  static unsigned long long images = 0;
  char name[64];
  snprintf(name, sizeof name, "in-memory model %llu", ++images);
  if (fapl >= 0 && H5Pset_fapl_core(fapl, 1 << 16, 0) >= 0 &&
      H5Pset_file_image(fapl, (void *)buffer, length) >= 0) {
    f = H5Fopen(name, H5F_ACC_RDONLY, fapl);
  }
  if (f < 0) h5_fail("cannot open HDF5 image", "memory");
  if (fapl >= 0) H5Pclose(fapl);
  h5_leave();
  return f;
}

int aeh5_file_close(int64_t file) {
  h5_enter();
  herr_t r = H5Fclose(file);
  if (r < 0) h5_fail("cannot close HDF5 file", "");
  h5_leave();
  return r < 0 ? -1 : 0;
}

int64_t aeh5_group_create(int64_t loc, const char *name) {
  h5_enter();
  hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) h5_fail("cannot create group", name);
  h5_leave();
  return g;
}

int64_t aeh5_group_open(int64_t loc, const char *name) {
  h5_enter();
  hid_t g = H5Gopen2(loc, name, h5_safe_links);
  if (g < 0) h5_fail("missing group", name);
  h5_leave();
  return g;
}

int aeh5_group_close(int64_t group) {
  h5_enter();
  herr_t r = H5Gclose(group);
  h5_leave();
  return r < 0 ? -1 : 0;
}

int aeh5_exists(int64_t loc, const char *path) {
  h5_enter();
  /* H5Lexists fails (rather than saying no) when an intermediate group is missing,
   * so check every prefix of the path in turn. */
  char buffer[1024];
  snprintf(buffer, sizeof buffer, "%s", path);
  int exists = 1;
  for (char *p = buffer;; p++) {
    if (*p == '/' || *p == '\0') {
      char saved = *p;
      *p = '\0';
      if (buffer[0] && H5Lexists(loc, buffer, h5_safe_links) <= 0) exists = 0;
      *p = saved;
      if (!exists || saved == '\0') break;
    }
  }
  H5Eclear2(H5E_DEFAULT);
  h5_leave();
  return exists;
}

int aeh5_write_dataset(int64_t loc, const char *name, int kind, int rank, const uint64_t *dims,
                       const void *data) {
  h5_enter();
  int status = -1;
  hsize_t shape[AEH5_MAX_RANK];
  hid_t space = -1, set = -1, type = native_type(kind);
  if (rank < 0 || rank > AEH5_MAX_RANK || type < 0) {
    snprintf(h5_last_error, sizeof h5_last_error, "bad rank or type for dataset '%s'", name);
    goto done;
  }
  for (int i = 0; i < rank; i++) shape[i] = dims[i];
  space = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, shape, NULL);
  if (space < 0) { h5_fail("cannot create dataspace for", name); goto done; }
  set = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (set < 0) { h5_fail("cannot create dataset", name); goto done; }
  if (H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
    h5_fail("cannot write dataset", name);
    goto done;
  }
  status = 0;
done:
  if (set >= 0) H5Dclose(set);
  if (space >= 0) H5Sclose(space);
  h5_leave();
  return status;
}

int aeh5_write_rows(int64_t loc, const char *name, int kind, uint64_t total_rows, uint64_t cols, uint64_t first,
                    uint64_t count, const void *data) {
  h5_enter();
  int status = -1;
  hsize_t shape[2] = {total_rows, cols}, start[2] = {first, 0}, block[2] = {count, cols};
  hid_t space = -1, memory = -1, set = -1, type = native_type(kind);
  if (type < 0 || first > total_rows || count > total_rows - first) {
    snprintf(h5_last_error, sizeof h5_last_error, "bad type or rows for dataset '%s'", name);
    goto done;
  }
  if (first == 0) {
    space = H5Screate_simple(2, shape, NULL);
    if (space < 0) { h5_fail("cannot create dataspace for", name); goto done; }
    set = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (set < 0) { h5_fail("cannot create dataset", name); goto done; }
  } else {
    set = H5Dopen2(loc, name, H5P_DEFAULT);
    if (set < 0) { h5_fail("missing dataset", name); goto done; }
    space = H5Dget_space(set);
    if (space < 0) { h5_fail("unreadable dataset", name); goto done; }
  }
  if (count == 0) { status = 0; goto done; }
  memory = H5Screate_simple(2, block, NULL);
  if (memory < 0 || H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, block, NULL) < 0 ||
      H5Dwrite(set, type, memory, space, H5P_DEFAULT, data) < 0) {
    h5_fail("cannot write rows of dataset", name);
    goto done;
  }
  status = 0;
done:
  if (memory >= 0) H5Sclose(memory);
  if (set >= 0) H5Dclose(set);
  if (space >= 0) H5Sclose(space);
  h5_leave();
  return status;
}

int aeh5_dataset_info(int64_t loc, const char *name, int *kind, int *rank, uint64_t *dims) {
  h5_enter();
  int status = -1;
  hid_t set = -1, space = -1, type = -1;
  set = H5Dopen2(loc, name, h5_safe_dataset_access);
  if (set < 0) { h5_fail("missing dataset", name); goto done; }
  type = H5Dget_type(set);
  space = H5Dget_space(set);
  if (type < 0 || space < 0) { h5_fail("unreadable dataset", name); goto done; }
  int r = H5Sget_simple_extent_ndims(space);
  if (r < 0 || r > AEH5_MAX_RANK) {
    snprintf(h5_last_error, sizeof h5_last_error, "dataset '%s' has unsupported rank %d", name, r);
    goto done;
  }
  hsize_t shape[AEH5_MAX_RANK];
  H5Sget_simple_extent_dims(space, shape, NULL);
  for (int i = 0; i < r; i++) dims[i] = shape[i];
  *rank = r;
  *kind = h5_kind_of(type);
  status = 0;
done:
  if (type >= 0) H5Tclose(type);
  if (space >= 0) H5Sclose(space);
  if (set >= 0) H5Dclose(set);
  h5_leave();
  return status;
}

int aeh5_read_dataset(int64_t loc, const char *name, int kind, void *data) {
  h5_enter();
  int status = -1;
  hid_t type = native_type(kind);
  hid_t set = H5Dopen2(loc, name, h5_safe_dataset_access);
  if (set < 0) { h5_fail("missing dataset", name); goto done; }
  if (type < 0 || H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
    h5_fail("cannot read dataset", name);
    goto done;
  }
  status = 0;
done:
  if (set >= 0) H5Dclose(set);
  h5_leave();
  return status;
}

/* Create (or replace) a scalar attribute of the given type and write it. */
static int write_attr(hid_t loc, const char *name, hid_t type, const void *value) {
  int status = -1;
  hid_t space = H5Screate(H5S_SCALAR), attr = -1;
  if (H5Aexists(loc, name) > 0) H5Adelete(loc, name);
  attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  if (attr < 0 || H5Awrite(attr, type, value) < 0) h5_fail("cannot write attribute", name);
  else status = 0;
  if (attr >= 0) H5Aclose(attr);
  H5Sclose(space);
  return status;
}

int aeh5_write_attr_string(int64_t loc, const char *name, const char *value) {
  h5_enter();
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  int status = write_attr(loc, name, type, &value);
  H5Tclose(type);
  h5_leave();
  return status;
}

int aeh5_read_attr_string(int64_t loc, const char *name, char **value) {
  h5_enter();
  int status = -1;
  hid_t attr = -1, type = -1, mem = -1, space = -1;
  attr = H5Aopen(loc, name, H5P_DEFAULT);
  if (attr < 0) { h5_fail("missing attribute", name); goto done; }
  type = H5Aget_type(attr);
  space = H5Aget_space(attr);
  if (H5Tget_class(type) != H5T_STRING || H5Sget_simple_extent_npoints(space) != 1) {
    snprintf(h5_last_error, sizeof h5_last_error, "attribute '%s' is not a single string", name);
    goto done;
  }
  mem = H5Tcopy(H5T_C_S1);
  if (H5Tis_variable_str(type) > 0) {
    char *stored = NULL;
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(type));
    if (H5Aread(attr, mem, &stored) < 0 || !stored) { h5_fail("cannot read attribute", name); goto done; }
    if (strlen(stored) > AEH5_MAX_STRING) {
      snprintf(h5_last_error, sizeof h5_last_error, "attribute '%s' holds a string longer than %d bytes", name, AEH5_MAX_STRING);
      H5free_memory(stored);
      goto done;
    }
    *value = strdup(stored);
    H5free_memory(stored);
  } else {
    size_t size = H5Tget_size(type);
    if (size > AEH5_MAX_STRING) {
      snprintf(h5_last_error, sizeof h5_last_error, "attribute '%s' declares a %zu-byte string; at most %d are read", name, size,
               AEH5_MAX_STRING);
      goto done;
    }
    char *copy = calloc(size + 1, 1);
    H5Tset_size(mem, size + 1);
    H5Tset_strpad(mem, H5T_STR_NULLTERM);
    H5Tset_cset(mem, H5Tget_cset(type));
    if (!copy || H5Aread(attr, mem, copy) < 0) { free(copy); h5_fail("cannot read attribute", name); goto done; }
    *value = copy;
  }
  status = *value ? 0 : -1;
done:
  if (mem >= 0) H5Tclose(mem);
  if (space >= 0) H5Sclose(space);
  if (type >= 0) H5Tclose(type);
  if (attr >= 0) H5Aclose(attr);
  h5_leave();
  return status;
}

/* A 1-D attribute of strings (fixed-length or variable, as Keras and h5py write layer and
 * weight names), as one buffer of the strings each ended by '\0', and their count. At most
 * AEH5_MAX_STRINGS strings and AEH5_MAX_STRING bytes in all. */
int aeh5_read_attr_strings(int64_t loc, const char *name, char **joined, size_t *count) {
  h5_enter();
  int status = -1;
  hid_t attr = -1, type = -1, mem = -1, space = -1;
  char **pointers = NULL, *fixed = NULL, *out = NULL;
  hssize_t n = 0;
  *joined = NULL;
  *count = 0;
  attr = H5Aopen(loc, name, H5P_DEFAULT);
  if (attr < 0) { h5_fail("missing attribute", name); goto done; }
  type = H5Aget_type(attr);
  space = H5Aget_space(attr);
  n = H5Sget_simple_extent_npoints(space);
  if (H5Tget_class(type) != H5T_STRING || H5Sget_simple_extent_ndims(space) > 1 || n < 0 || n > AEH5_MAX_STRINGS) {
    snprintf(h5_last_error, sizeof h5_last_error, "attribute '%s' is not a list of at most %d strings", name, AEH5_MAX_STRINGS);
    goto done;
  }
  mem = H5Tcopy(H5T_C_S1);
  size_t total = 0;
  if (H5Tis_variable_str(type) > 0) {
    pointers = calloc((size_t)n + 1, sizeof *pointers);
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(type));
    if (!pointers || H5Aread(attr, mem, pointers) < 0) { h5_fail("cannot read attribute", name); goto done; }
    for (hssize_t i = 0; i < n; i++) total += (pointers[i] ? strlen(pointers[i]) : 0) + 1;
    if (total > AEH5_MAX_STRING) goto too_long;
    out = malloc(total + 1);
    if (!out) { snprintf(h5_last_error, sizeof h5_last_error, "out of memory reading attribute '%s'", name); goto done; }
    size_t at = 0;
    for (hssize_t i = 0; i < n; i++) {
      size_t length = pointers[i] ? strlen(pointers[i]) : 0;
      memcpy(out + at, pointers[i] ? pointers[i] : "", length);
      out[at + length] = 0;
      at += length + 1;
    }
  } else {
    size_t size = H5Tget_size(type);
    if (size == 0 || size > AEH5_MAX_STRING || (size_t)n * (size + 1) > AEH5_MAX_STRING) goto too_long;
    fixed = calloc((size_t)n + 1, size + 1);
    H5Tset_size(mem, size + 1);
    H5Tset_strpad(mem, H5T_STR_NULLTERM);
    H5Tset_cset(mem, H5Tget_cset(type));
    if (!fixed || H5Aread(attr, mem, fixed) < 0) { h5_fail("cannot read attribute", name); goto done; }
    out = malloc((size_t)n * (size + 1) + 1);
    if (!out) { snprintf(h5_last_error, sizeof h5_last_error, "out of memory reading attribute '%s'", name); goto done; }
    size_t at = 0;
    for (hssize_t i = 0; i < n; i++) {
      const char *item = fixed + (size_t)i * (size + 1);
      size_t length = strnlen(item, size);
      memcpy(out + at, item, length);
      out[at + length] = 0;
      at += length + 1;
    }
  }
  *joined = out;
  *count = (size_t)n;
  out = NULL;
  status = 0;
  goto done;
too_long:
  snprintf(h5_last_error, sizeof h5_last_error, "attribute '%s' holds more than %d bytes of strings", name, AEH5_MAX_STRING);
done:
  if (pointers) {
    H5Dvlen_reclaim(mem, space, H5P_DEFAULT, pointers);
    free(pointers);
  }
  free(fixed);
  free(out);
  if (mem >= 0) H5Tclose(mem);
  if (space >= 0) H5Sclose(space);
  if (type >= 0) H5Tclose(type);
  if (attr >= 0) H5Aclose(attr);
  h5_leave();
  return status;
}

/* Read a scalar numeric attribute, converted to the memory type given. An integer memory
 * type takes stored integers only: a stored 1.9 must not be read as 1. */
static int read_attr_number(hid_t loc, const char *name, hid_t mem, void *value) {
  int status = -1;
  hid_t attr = H5Aopen(loc, name, H5P_DEFAULT);
  if (attr < 0) { h5_fail("missing attribute", name); return -1; }
  hid_t type = H5Aget_type(attr);
  hid_t space = H5Aget_space(attr);
  H5T_class_t cls = H5Tget_class(type);
  int integer_wanted = H5Tget_class(mem) == H5T_INTEGER;
  if ((cls != H5T_INTEGER && cls != H5T_FLOAT) || H5Sget_simple_extent_npoints(space) != 1)
    snprintf(h5_last_error, sizeof h5_last_error, "attribute '%s' is not a single number", name);
  else if (integer_wanted && cls != H5T_INTEGER)
    snprintf(h5_last_error, sizeof h5_last_error, "attribute '%s' holds a floating-point number; expected an integer", name);
  else if (H5Aread(attr, mem, value) < 0)
    h5_fail("cannot read attribute", name);
  else
    status = 0;
  H5Sclose(space);
  H5Tclose(type);
  H5Aclose(attr);
  return status;
}

int aeh5_write_attr_int64(int64_t loc, const char *name, int64_t value) {
  h5_enter();
  int status = write_attr(loc, name, H5T_NATIVE_INT64, &value);
  h5_leave();
  return status;
}

int aeh5_read_attr_int64(int64_t loc, const char *name, int64_t *value) {
  h5_enter();
  int status = read_attr_number(loc, name, H5T_NATIVE_INT64, value);
  h5_leave();
  return status;
}

int aeh5_write_attr_double(int64_t loc, const char *name, double value) {
  h5_enter();
  int status = write_attr(loc, name, H5T_NATIVE_DOUBLE, &value);
  h5_leave();
  return status;
}

int aeh5_read_attr_double(int64_t loc, const char *name, double *value) {
  h5_enter();
  int status = read_attr_number(loc, name, H5T_NATIVE_DOUBLE, value);
  h5_leave();
  return status;
}

int aeh5_has_attr(int64_t loc, const char *name) {
  h5_enter();
  htri_t r = H5Aexists(loc, name);
  H5Eclear2(H5E_DEFAULT);
  h5_leave();
  return r > 0;
}

int aeh5_member_count(int64_t loc) {
  h5_enter();
  H5G_info_t info;
  herr_t r = H5Gget_info(loc, &info);
  if (r < 0) h5_fail("cannot list group", "");
  h5_leave();
  return r < 0 ? -1 : info.nlinks > (hsize_t)INT32_MAX ? INT32_MAX : (int)info.nlinks;
}

/* ---- The audit: refuse files that would make libhdf5 read outside them --------------- */

static int refuse(struct audit *audit, const char *format, const char *name) {
  snprintf(audit->problem, sizeof audit->problem, format, name);
  return 1; /* stops the visit */
}

/* Every filter a dataset may pass through: those built into libhdf5 that need no plugin. */
static int allowed_filter(H5Z_filter_t filter) {
  return filter == H5Z_FILTER_DEFLATE || filter == H5Z_FILTER_SHUFFLE || filter == H5Z_FILTER_FLETCHER32;
}

/* Whether every value a dataset declares is stored in the file: a small file must not
 * declare gigabytes of weights that libhdf5 would fill with zeros on reading. Contiguous
 * data must be allocated in full, chunked data must have every chunk written. */
static int fully_stored(hid_t set, hid_t dcpl, H5D_layout_t layout) {
  hid_t space = H5Dget_space(set);
  if (space < 0) return 0;
  int ok = 0, rank = H5Sget_simple_extent_ndims(space);
  hsize_t dims[H5S_MAX_RANK];
  if (rank < 0 || rank > H5S_MAX_RANK || H5Sget_simple_extent_dims(space, dims, NULL) < 0) goto done;
  hssize_t points = H5Sget_simple_extent_npoints(space);
  if (points < 0) goto done;
  /* Contiguous data must be allocated in full; compact data (in the object header) too:
   * libhdf5 1.10.8 reads a compact dataset whose stored size is 0 from a NULL buffer. */
  if (layout == H5D_CONTIGUOUS || layout == H5D_COMPACT) {
    hid_t type = H5Dget_type(set);
    size_t size = type >= 0 ? H5Tget_size(type) : 0;
    if (type >= 0) H5Tclose(type);
    ok = points == 0 || (size > 0 && (hsize_t)points <= UINT64_MAX / size &&
                         H5Dget_storage_size(set) >= (hsize_t)points * size);
  } else {
    hsize_t chunk[H5S_MAX_RANK], expected = 1, stored = 0;
    if (H5Pget_chunk(dcpl, rank, chunk) != rank) goto done;
    for (int i = 0; i < rank; i++) {
      if (chunk[i] == 0) goto done;
      hsize_t per_axis = dims[i] / chunk[i] + (dims[i] % chunk[i] != 0);
      if (per_axis != 0 && expected > UINT64_MAX / per_axis) goto done;
      expected *= per_axis;
    }
    ok = H5Dget_num_chunks(set, space, &stored) >= 0 && stored == expected;
  }
done:
  H5Sclose(space);
  return ok;
}

int h5_audit_dataset(hid_t file, const char *name, struct audit *audit, int walk_chunks) {
  int stop = 0;
  hid_t set = H5Dopen2(file, name, h5_safe_dataset_access), dcpl = -1;
  if (set < 0) return refuse(audit, "dataset '/%s' cannot be opened", name);
  dcpl = H5Dget_create_plist(set);
  if (dcpl < 0) { stop = refuse(audit, "dataset '/%s' has unreadable storage properties", name); goto done; }
  H5D_layout_t layout = H5Pget_layout(dcpl);
  if (layout == H5D_VIRTUAL) {
    stop = refuse(audit, "dataset '/%s' is a virtual dataset (its data lives in other files); model files keep their data inside", name);
    goto done;
  }
  if (layout != H5D_CONTIGUOUS && layout != H5D_CHUNKED && layout != H5D_COMPACT) {
    stop = refuse(audit, "dataset '/%s' has an unknown storage layout", name);
    goto done;
  }
  if (H5Pget_external_count(dcpl) != 0) {
    stop = refuse(audit, "dataset '/%s' keeps its data in an external file; model files keep their data inside", name);
    goto done;
  }
  int filters = H5Pget_nfilters(dcpl);
  if (filters < 0 || filters > 8) { stop = refuse(audit, "dataset '/%s' has an unreadable filter pipeline", name); goto done; }
  for (int i = 0; i < filters; i++) {
    unsigned flags = 0, config = 0;
    size_t count = 0;
    char filter_name[64];
    H5Z_filter_t filter = H5Pget_filter2(dcpl, (unsigned)i, &flags, &count, NULL, sizeof filter_name, filter_name, &config);
    if (!allowed_filter(filter)) {
      stop = refuse(audit, "dataset '/%s' uses a compression filter other than deflate, shuffle or fletcher32 (plugins are never loaded)", name);
      goto done;
    }
  }
  if ((walk_chunks || layout != H5D_CHUNKED) && !fully_stored(set, dcpl, layout)) {
    stop = refuse(audit, "dataset '/%s' declares more values than the file stores (unwritten storage would read as fill values)", name);
    goto done;
  }
done:
  if (dcpl >= 0) H5Pclose(dcpl);
  H5Dclose(set);
  return stop;
}

static herr_t audit_link(hid_t group, const char *name, const H5L_info_t *info, void *data) {
  struct audit *audit = data;
  if (++audit->links > AEH5_MAX_LINKS) return refuse(audit, "the file holds more than %s links", "100000");
  switch (info->type) {
  case H5L_TYPE_HARD: break;
  case H5L_TYPE_SOFT: return refuse(audit, "'/%s' is a soft link; model files hold no links", name);
  case H5L_TYPE_EXTERNAL: return refuse(audit, "'/%s' is an external link (to another file); model files hold no links", name);
  default: return refuse(audit, "'/%s' is a user-defined link; model files hold no links", name);
  }
  H5O_info_t object;
  if (H5Oget_info_by_name2(group, name, &object, H5O_INFO_BASIC, h5_safe_links) < 0)
    return refuse(audit, "object '/%s' cannot be read", name);
  if (object.type == H5O_TYPE_DATASET) return h5_audit_dataset(group, name, audit, 1);
  if (object.type != H5O_TYPE_GROUP) return refuse(audit, "object '/%s' is neither a group nor a dataset", name);
  return 0;
}

int aeh5_audit(int64_t file) {
  h5_enter();
  struct audit audit = {0, ""};
  herr_t r = H5Lvisit(file, H5_INDEX_NAME, H5_ITER_NATIVE, audit_link, &audit);
  int status = 0;
  if (audit.problem[0]) {
    snprintf(h5_last_error, sizeof h5_last_error, "%s", audit.problem);
    status = -1;
  } else if (r < 0) {
    h5_fail("cannot walk the file's groups", "/");
    status = -1;
  }
  H5Eclear2(H5E_DEFAULT);
  h5_leave();
  return status;
}

/* ---- Global heap collections, checked before libhdf5 parses them ---------------------- */

static uint64_t little_endian(const unsigned char *p, int bytes) {
  uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; i--) value = value << 8 | p[i];
  return value;
}

/* libhdf5 1.10.8 walks a global heap collection ("GCOL", where variable-length strings such as
 * our attributes live) trusting each object's size: a size of 0 loops forever, a size past the
 * collection reads past it (fuzzing found both, docs/FUZZING.md). Walk every collection in the
 * image as libhdf5 does, and refuse one whose objects do not tile it exactly. */
int aeh5_check_global_heaps(const void *buffer, size_t length) {
  const unsigned char *image = buffer, *found;
  size_t offset = 0;
  while (offset + 16 <= length && (found = memmem(image + offset, length - offset, "GCOL", 4)) != NULL) {
    size_t start = (size_t)(found - image);
    offset = start + 4;
    if (start + 16 > length) break;
    uint64_t size = little_endian(found + 8, 8);
    if (found[4] != 1 || size < 16 || size > length - start) {
      snprintf(h5_last_error, sizeof h5_last_error, "refused: the global heap collection at byte %zu is damaged (version %d, size %llu)",
               start, found[4], (unsigned long long)size);
      return -1;
    }
    const unsigned char *p = found + 16, *end = found + size;
    while (p < end) {
      if ((size_t)(end - p) < 16) break; /* the rest is free space too small for a header */
      uint64_t index = little_endian(p, 2), object = little_endian(p + 8, 8);
      uint64_t need = index == 0 ? object : (object > UINT64_MAX - 23 ? UINT64_MAX : 16 + ((object + 7) & ~(uint64_t)7));
      if (need == 0 || need > (uint64_t)(end - p)) {
        snprintf(h5_last_error, sizeof h5_last_error,
                 "refused: the global heap collection at byte %zu holds an object of %llu bytes where %zu remain",
                 start, (unsigned long long)need, (size_t)(end - p));
        return -1;
      }
      p += need;
    }
  }
  return 0;
}
