/* Streamed rows: one numeric dataset of a data file, opened from disk and read by rows (see
 * CShims.h). A data file is hostile input as a model file is, but may be far larger than
 * memory, so libhdf5 reads it in place. What keeps that safe:
 * - the caller opened the file itself (a regular file) and names it by its descriptor;
 * - only hard links and groups lead to the dataset, which must keep every value inside the file
 *   (no external or virtual storage), passed through built-in filters only, plugins never load;
 * - the dataset's type is a fixed-size number, so libhdf5 never dereferences a global heap
 *   (where model files need aeh5_check_global_heaps: variable-length strings live there);
 * - reads past the end of a file that shrank come back short, not from elsewhere. */
#include "CShims.h"
#include "hdf5_internal.h"

#include <stdio.h>
#include <string.h>

int64_t aeh5_file_open_disk(const char *path) {
  h5_enter();
  hid_t f = -1, fapl = H5Pcreate(H5P_FILE_ACCESS);
  /* Shared read locks where the file system has them (a writer still at work is refused),
   * none where it has not (NFS without locks). */
  if (fapl >= 0 && H5Pset_file_locking(fapl, 1, 1) >= 0) f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
  if (f < 0) h5_fail("cannot open HDF5 file", path);
  if (fapl >= 0) H5Pclose(fapl);
  h5_leave();
  return f;
}

/* Every link from the root to `path` a hard link, every object before the last a group and the
 * last a dataset. `name` is the path without its leading slash. 0, or 1 with the reason in `why`. */
static int check_way(hid_t file, const char *name, char *why, size_t size) {
  char prefix[1024];
  if (strlen(name) >= sizeof prefix) { snprintf(why, size, "the dataset path is longer than 1023 bytes"); return 1; }
  for (size_t end = 0;; end++) {
    if (name[end] != '/' && name[end] != '\0') continue;
    memcpy(prefix, name, end);
    prefix[end] = '\0';
    int last = name[end] == '\0';
    H5L_info_t link;
    if (H5Lexists(file, prefix, h5_safe_links) <= 0 || H5Lget_info(file, prefix, &link, h5_safe_links) < 0) {
      snprintf(why, size, "no '/%s' in the file", prefix);
      return 1;
    }
    if (link.type != H5L_TYPE_HARD) {
      snprintf(why, size, "'/%s' is a %s link; data is read through plain groups only", prefix,
               link.type == H5L_TYPE_SOFT ? "soft" : link.type == H5L_TYPE_EXTERNAL ? "external" : "user-defined");
      return 1;
    }
    H5O_info_t object;
    if (H5Oget_info_by_name2(file, prefix, &object, H5O_INFO_BASIC, h5_safe_links) < 0) {
      snprintf(why, size, "'/%s' cannot be read", prefix);
      return 1;
    }
    if (last && object.type != H5O_TYPE_DATASET) { snprintf(why, size, "'/%s' is not a dataset", prefix); return 1; }
    if (!last && object.type != H5O_TYPE_GROUP) { snprintf(why, size, "'/%s' is not a group", prefix); return 1; }
    if (last) return 0;
  }
}

/* 0 when the dataset's chunks (if chunked) hold at most `limit` bytes, else 1 with the reason. */
static int check_chunks(hid_t set, int rank, size_t item, size_t limit, const char *name, char *why, size_t size) {
  hid_t dcpl = H5Dget_create_plist(set);
  int refused = 0;
  if (dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED) {
    hsize_t chunk[AEH5_MAX_RANK];
    uint64_t bytes = item;
    if (H5Pget_chunk(dcpl, rank, chunk) != rank) bytes = UINT64_MAX;
    for (int i = 0; i < rank && bytes != UINT64_MAX; i++)
      bytes = chunk[i] != 0 && bytes <= UINT64_MAX / chunk[i] ? bytes * chunk[i] : UINT64_MAX;
    if (bytes > limit) {
      snprintf(why, size, "dataset '/%s' is stored in chunks of %llu bytes; streamed reads take chunks of at most %zu "
               "(h5py's default chunks=True are far smaller)", name, (unsigned long long)bytes, limit);
      refused = 1;
    }
  }
  if (dcpl >= 0) H5Pclose(dcpl);
  return refused;
}

int64_t aeh5_rows_open(int64_t file, const char *path, size_t max_chunk_bytes, int *kind, int *rank, uint64_t *dims) {
  h5_enter();
  hid_t set = -1, type = -1, space = -1, dapl = -1;
  int ok = 0;
  const char *name = path;
  while (*name == '/') name++;
  char why[768] = "";
  if (*name == '\0') { snprintf(why, sizeof why, "no dataset path (file.h5:/group/dataset)"); goto done; }
  if (check_way(file, name, why, sizeof why)) goto done;
  struct audit audit = {0, ""};
  if (h5_audit_dataset(file, name, &audit)) { snprintf(why, sizeof why, "%s", audit.problem); goto done; }
  /* Room for one whole chunk in libhdf5's chunk cache, so a block of rows inside one chunk
   * decompresses it once. */
  dapl = H5Pcopy(h5_safe_dataset_access);
  if (dapl < 0 || H5Pset_chunk_cache(dapl, 521, max_chunk_bytes, 0.75) < 0) { h5_fail("cannot set up reading", path); goto done; }
  set = H5Dopen2(file, name, dapl);
  if (set < 0) { h5_fail("cannot open dataset", path); goto done; }
  type = H5Dget_type(set);
  space = H5Dget_space(set);
  if (type < 0 || space < 0) { h5_fail("unreadable dataset", path); goto done; }
  *kind = h5_kind_of(type);
  if (*kind == AEH5_OTHER || H5Tget_class(type) == H5T_VLEN) {
    snprintf(why, sizeof why, "dataset '/%s' holds values of a type not read (float32, float64, int32, int64 or uint8)", name);
    goto done;
  }
  int r = H5Sget_simple_extent_ndims(space);
  if (r < 2 || r > AEH5_MAX_RANK) {
    snprintf(why, sizeof why, "dataset '/%s' has %d axes; data rows need 2 to %d, rows first: (rows, values) or images (rows, h, w[, c])",
             name, r, AEH5_MAX_RANK);
    goto done;
  }
  hsize_t shape[AEH5_MAX_RANK];
  if (H5Sget_simple_extent_dims(space, shape, NULL) != r) { h5_fail("unreadable dataset shape", path); goto done; }
  for (int i = 0; i < r; i++) dims[i] = shape[i];
  *rank = r;
  if (check_chunks(set, r, H5Tget_size(type), max_chunk_bytes, name, why, sizeof why)) goto done;
  ok = 1;
done:
  if (why[0]) snprintf(h5_last_error, sizeof h5_last_error, "%s", why);
  if (type >= 0) H5Tclose(type);
  if (space >= 0) H5Sclose(space);
  if (dapl >= 0) H5Pclose(dapl);
  if (!ok && set >= 0) { H5Dclose(set); set = -1; }
  H5Eclear2(H5E_DEFAULT);
  h5_leave();
  return ok ? set : -1;
}

int aeh5_rows_read(int64_t set, uint64_t first, uint64_t count, float *out) {
  h5_enter();
  int status = -1;
  hid_t space = -1, memory = -1;
  if (H5Iget_type(set) != H5I_DATASET || out == NULL) { snprintf(h5_last_error, sizeof h5_last_error, "not an open dataset"); goto done; }
  space = H5Dget_space(set);
  int r = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
  hsize_t dims[AEH5_MAX_RANK], start[AEH5_MAX_RANK] = {0}, extent[AEH5_MAX_RANK];
  if (r < 2 || r > AEH5_MAX_RANK || H5Sget_simple_extent_dims(space, dims, NULL) != r) { h5_fail("unreadable dataset shape", ""); goto done; }
  if (first > dims[0] || count > dims[0] - first) {
    snprintf(h5_last_error, sizeof h5_last_error, "rows %llu..<%llu asked of %llu", (unsigned long long)first,
             (unsigned long long)(first + count), (unsigned long long)dims[0]);
    goto done;
  }
  if (count == 0) { status = 0; goto done; }
  hsize_t values = count;
  for (int i = 0; i < r; i++) {
    extent[i] = i == 0 ? count : dims[i];
    if (i > 0) values *= dims[i]; /* the caller allocated count x this many floats */
  }
  start[0] = first;
  memory = H5Screate_simple(1, &values, NULL);
  if (memory < 0 || H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, extent, NULL) < 0 ||
      H5Dread(set, H5T_NATIVE_FLOAT, memory, space, H5P_DEFAULT, out) < 0) {
    h5_fail("cannot read rows of dataset", "");
    goto done;
  }
  status = 0;
done:
  if (memory >= 0) H5Sclose(memory);
  if (space >= 0) H5Sclose(space);
  h5_leave();
  return status;
}

int aeh5_rows_close(int64_t set) {
  h5_enter();
  herr_t r = H5Iget_type(set) == H5I_DATASET ? H5Dclose(set) : -1;
  h5_leave();
  return r < 0 ? -1 : 0;
}
