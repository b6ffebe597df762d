/* HDF5 glue: see CShims.h. Every entry point takes one process-wide lock, because Debian's
 * serial libhdf5 is not thread-safe; inference never calls in here, only load and save do. */
#include "CShims.h"

#include <hdf5.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t h5_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local char last_error[1024];

const char *aeh5_last_error(void) { return last_error; }

static void enter(void) {
  pthread_mutex_lock(&h5_lock);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* we report errors ourselves */
  last_error[0] = '\0';
}

static void leave(void) { pthread_mutex_unlock(&h5_lock); }

/* Walk the HDF5 error stack and keep its innermost description: the most specific one. */
static herr_t walk_error(unsigned n, const H5E_error2_t *entry, void *data) {
  (void)n;
  char *out = data;
  if (entry->desc && entry->desc[0]) snprintf(out, 512, "%s", entry->desc);
  return 0;
}

/* Record "what: innermost HDF5 reason" as this thread's error. */
static void fail(const char *what, const char *name) {
  char reason[512] = "";
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_error, reason);
  H5Eclear2(H5E_DEFAULT);
  if (reason[0])
    snprintf(last_error, sizeof last_error, "%s '%s': %s", what, name ? name : "", reason);
  else
    snprintf(last_error, sizeof last_error, "%s '%s'", what, name ? name : "");
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
static int kind_of(hid_t type) {
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

int aeh5_is_hdf5(const char *path) {
  enter();
  htri_t r = H5Fis_hdf5(path);
  if (r < 0) fail("cannot read", path);
  leave();
  return r < 0 ? -1 : (int)r;
}

int64_t aeh5_file_create(const char *path, size_t userblock) {
  enter();
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), f = -1;
  if (fcpl >= 0 && (userblock == 0 || H5Pset_userblock(fcpl, userblock) >= 0))
    f = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
  if (fcpl >= 0) H5Pclose(fcpl);
  if (f < 0) fail("cannot create HDF5 file", path);
  leave();
  return f;
}

int64_t aeh5_file_open_read(const char *path) {
  enter();
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) fail("cannot open HDF5 file", path);
  leave();
  return f;
}

int64_t aeh5_file_open_image(const void *buffer, size_t length) {
  enter();
  hid_t f = -1;
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  /* The core driver keeps the file in memory; the image is copied, so the caller keeps its buffer. */
  if (fapl >= 0 && H5Pset_fapl_core(fapl, 1 << 16, 0) >= 0 &&
      H5Pset_file_image(fapl, (void *)buffer, length) >= 0) {
    f = H5Fopen("in-memory model", H5F_ACC_RDONLY, fapl);
  }
  if (f < 0) fail("cannot open HDF5 image", "memory");
  if (fapl >= 0) H5Pclose(fapl);
  leave();
  return f;
}

int aeh5_file_close(int64_t file) {
  enter();
  herr_t r = H5Fclose(file);
  if (r < 0) fail("cannot close HDF5 file", "");
  leave();
  return r < 0 ? -1 : 0;
}

int64_t aeh5_group_create(int64_t loc, const char *name) {
  enter();
  hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) fail("cannot create group", name);
  leave();
  return g;
}

int64_t aeh5_group_open(int64_t loc, const char *name) {
  enter();
  hid_t g = H5Gopen2(loc, name, H5P_DEFAULT);
  if (g < 0) fail("missing group", name);
  leave();
  return g;
}

int aeh5_group_close(int64_t group) {
  enter();
  herr_t r = H5Gclose(group);
  leave();
  return r < 0 ? -1 : 0;
}

int aeh5_exists(int64_t loc, const char *path) {
  enter();
  /* H5Lexists fails (rather than saying no) when an intermediate group is missing,
   * so check every prefix of the path in turn. */
  char buffer[1024];
  snprintf(buffer, sizeof buffer, "%s", path);
  int exists = 1;
  for (char *p = buffer;; p++) {
    if (*p == '/' || *p == '\0') {
      char saved = *p;
      *p = '\0';
      if (buffer[0] && H5Lexists(loc, buffer, H5P_DEFAULT) <= 0) exists = 0;
      *p = saved;
      if (!exists || saved == '\0') break;
    }
  }
  H5Eclear2(H5E_DEFAULT);
  leave();
  return exists;
}

int aeh5_write_dataset(int64_t loc, const char *name, int kind, int rank, const uint64_t *dims,
                       const void *data) {
  enter();
  int status = -1;
  hsize_t shape[AEH5_MAX_RANK];
  hid_t space = -1, set = -1, type = native_type(kind);
  if (rank < 0 || rank > AEH5_MAX_RANK || type < 0) {
    snprintf(last_error, sizeof last_error, "bad rank or type for dataset '%s'", name);
    goto done;
  }
  for (int i = 0; i < rank; i++) shape[i] = dims[i];
  space = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, shape, NULL);
  if (space < 0) { fail("cannot create dataspace for", name); goto done; }
  set = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (set < 0) { fail("cannot create dataset", name); goto done; }
  if (H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
    fail("cannot write dataset", name);
    goto done;
  }
  status = 0;
done:
  if (set >= 0) H5Dclose(set);
  if (space >= 0) H5Sclose(space);
  leave();
  return status;
}

int aeh5_dataset_info(int64_t loc, const char *name, int *kind, int *rank, uint64_t *dims) {
  enter();
  int status = -1;
  hid_t set = -1, space = -1, type = -1;
  set = H5Dopen2(loc, name, H5P_DEFAULT);
  if (set < 0) { fail("missing dataset", name); goto done; }
  type = H5Dget_type(set);
  space = H5Dget_space(set);
  if (type < 0 || space < 0) { fail("unreadable dataset", name); goto done; }
  int r = H5Sget_simple_extent_ndims(space);
  if (r < 0 || r > AEH5_MAX_RANK) {
    snprintf(last_error, sizeof last_error, "dataset '%s' has unsupported rank %d", name, r);
    goto done;
  }
  hsize_t shape[AEH5_MAX_RANK];
  H5Sget_simple_extent_dims(space, shape, NULL);
  for (int i = 0; i < r; i++) dims[i] = shape[i];
  *rank = r;
  *kind = kind_of(type);
  status = 0;
done:
  if (type >= 0) H5Tclose(type);
  if (space >= 0) H5Sclose(space);
  if (set >= 0) H5Dclose(set);
  leave();
  return status;
}

int aeh5_read_dataset(int64_t loc, const char *name, int kind, void *data) {
  enter();
  int status = -1;
  hid_t type = native_type(kind);
  hid_t set = H5Dopen2(loc, name, H5P_DEFAULT);
  if (set < 0) { fail("missing dataset", name); goto done; }
  if (type < 0 || H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
    fail("cannot read dataset", name);
    goto done;
  }
  status = 0;
done:
  if (set >= 0) H5Dclose(set);
  leave();
  return status;
}

/* Create (or replace) a scalar attribute of the given type and write it. */
static int write_attr(hid_t loc, const char *name, hid_t type, const void *value) {
  int status = -1;
  hid_t space = H5Screate(H5S_SCALAR), attr = -1;
  if (H5Aexists(loc, name) > 0) H5Adelete(loc, name);
  attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  if (attr < 0 || H5Awrite(attr, type, value) < 0) fail("cannot write attribute", name);
  else status = 0;
  if (attr >= 0) H5Aclose(attr);
  H5Sclose(space);
  return status;
}

int aeh5_write_attr_string(int64_t loc, const char *name, const char *value) {
  enter();
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  int status = write_attr(loc, name, type, &value);
  H5Tclose(type);
  leave();
  return status;
}

int aeh5_read_attr_string(int64_t loc, const char *name, char **value) {
  enter();
  int status = -1;
  hid_t attr = -1, type = -1, mem = -1, space = -1;
  attr = H5Aopen(loc, name, H5P_DEFAULT);
  if (attr < 0) { fail("missing attribute", name); goto done; }
  type = H5Aget_type(attr);
  space = H5Aget_space(attr);
  if (H5Tget_class(type) != H5T_STRING || H5Sget_simple_extent_npoints(space) != 1) {
    snprintf(last_error, sizeof last_error, "attribute '%s' is not a single string", name);
    goto done;
  }
  mem = H5Tcopy(H5T_C_S1);
  if (H5Tis_variable_str(type) > 0) {
    char *stored = NULL;
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(type));
    if (H5Aread(attr, mem, &stored) < 0 || !stored) { fail("cannot read attribute", name); goto done; }
    *value = strdup(stored);
    H5free_memory(stored);
  } else {
    size_t size = H5Tget_size(type);
    char *copy = calloc(size + 1, 1);
    H5Tset_size(mem, size + 1);
    H5Tset_strpad(mem, H5T_STR_NULLTERM);
    H5Tset_cset(mem, H5Tget_cset(type));
    if (!copy || H5Aread(attr, mem, copy) < 0) { free(copy); fail("cannot read attribute", name); goto done; }
    *value = copy;
  }
  status = *value ? 0 : -1;
done:
  if (mem >= 0) H5Tclose(mem);
  if (space >= 0) H5Sclose(space);
  if (type >= 0) H5Tclose(type);
  if (attr >= 0) H5Aclose(attr);
  leave();
  return status;
}

/* Read a scalar numeric attribute, converted to the memory type given. */
static int read_attr_number(hid_t loc, const char *name, hid_t mem, void *value) {
  int status = -1;
  hid_t attr = H5Aopen(loc, name, H5P_DEFAULT);
  if (attr < 0) { fail("missing attribute", name); return -1; }
  hid_t type = H5Aget_type(attr);
  hid_t space = H5Aget_space(attr);
  H5T_class_t cls = H5Tget_class(type);
  if ((cls != H5T_INTEGER && cls != H5T_FLOAT) || H5Sget_simple_extent_npoints(space) != 1)
    snprintf(last_error, sizeof last_error, "attribute '%s' is not a single number", name);
  else if (H5Aread(attr, mem, value) < 0)
    fail("cannot read attribute", name);
  else
    status = 0;
  H5Sclose(space);
  H5Tclose(type);
  H5Aclose(attr);
  return status;
}

int aeh5_write_attr_int64(int64_t loc, const char *name, int64_t value) {
  enter();
  int status = write_attr(loc, name, H5T_NATIVE_INT64, &value);
  leave();
  return status;
}

int aeh5_read_attr_int64(int64_t loc, const char *name, int64_t *value) {
  enter();
  int status = read_attr_number(loc, name, H5T_NATIVE_INT64, value);
  leave();
  return status;
}

int aeh5_write_attr_double(int64_t loc, const char *name, double value) {
  enter();
  int status = write_attr(loc, name, H5T_NATIVE_DOUBLE, &value);
  leave();
  return status;
}

int aeh5_read_attr_double(int64_t loc, const char *name, double *value) {
  enter();
  int status = read_attr_number(loc, name, H5T_NATIVE_DOUBLE, value);
  leave();
  return status;
}

int aeh5_has_attr(int64_t loc, const char *name) {
  enter();
  htri_t r = H5Aexists(loc, name);
  H5Eclear2(H5E_DEFAULT);
  leave();
  return r > 0;
}
