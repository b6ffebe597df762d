/* Data rows: one numeric dataset of a data file (see CShims.h). libhdf5 parses the metadata
 * only: the way to the dataset, its type and shape, where its values are stored. The caller
 * (Store's HDF5Rows) reads the values itself, with pread, and undoes the filters itself with
 * bounded output: libhdf5 1.10.8 trusts a chunk's stored size (a short chunk leaks its heap
 * into the data), inflates without a bound (a 2 MB file asked for 2 GB), and reads past the
 * end of a file that shrank as zeros. What keeps the metadata parsing safe enough to run at all:
 * - the caller opened the file itself (a regular file) and names it by its descriptor;
 * - only hard links and groups lead to the dataset, whose values must be inside the file (no
 *   external or virtual storage), through built-in filters only; plugins never load;
 * - the dataset's type is a fixed-size number, so libhdf5 never dereferences a global heap
 *   (where model files need aeh5_check_global_heaps: variable-length strings live there);
 * - and `ae` runs all of it in a process of its own (HDF5RowReader). */
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

/* The stored layout, in `storage`: 0, or 1 with the reason in `why`. */
static int describe_storage(hid_t set, hid_t type, const char *name, aeh5_storage *storage, size_t max_chunk_bytes,
                            char *why, size_t size) {
  hid_t dcpl = H5Dget_create_plist(set);
  int refused = 1;
  if (dcpl < 0) { snprintf(why, size, "dataset '/%s' has unreadable storage properties", name); return 1; }
  H5D_layout_t layout = H5Pget_layout(dcpl);
  size_t item = H5Tget_size(type);
  if (layout == H5D_CONTIGUOUS) {
    haddr_t address = H5Dget_offset(set);
    if (address == HADDR_UNDEF) { snprintf(why, size, "dataset '/%s' has no values stored", name); goto done; }
    storage->layout = AEH5_CONTIGUOUS;
    storage->address = address;
  } else if (layout == H5D_COMPACT) {
    storage->layout = AEH5_COMPACT;
  } else if (layout == H5D_CHUNKED) {
    hsize_t chunk[AEH5_MAX_RANK];
    if (H5Pget_chunk(dcpl, storage->rank, chunk) != storage->rank) { snprintf(why, size, "dataset '/%s' has an unreadable chunk shape", name); goto done; }
    uint64_t bytes = item;
    for (int i = 0; i < storage->rank; i++) {
      bytes = chunk[i] != 0 && bytes <= UINT64_MAX / chunk[i] ? bytes * chunk[i] : UINT64_MAX;
      storage->chunk[i] = chunk[i];
    }
    if (bytes > max_chunk_bytes) {
      snprintf(why, size, "dataset '/%s' is stored in chunks of %llu bytes; data is read in chunks of at most %zu "
               "(h5py's default chunks=True are far smaller)", name, (unsigned long long)bytes, max_chunk_bytes);
      goto done;
    }
    int filters = H5Pget_nfilters(dcpl);
    if (filters < 0 || filters > 8) { snprintf(why, size, "dataset '/%s' has an unreadable filter pipeline", name); goto done; }
    for (int i = 0; i < filters; i++) {
      unsigned flags = 0, config = 0;
      size_t count = 0;
      char filter_name[64];
      H5Z_filter_t filter = H5Pget_filter2(dcpl, (unsigned)i, &flags, &count, NULL, sizeof filter_name, filter_name, &config);
      storage->filters[i] = filter == H5Z_FILTER_DEFLATE ? AEH5_DEFLATE : filter == H5Z_FILTER_SHUFFLE ? AEH5_SHUFFLE
                          : filter == H5Z_FILTER_FLETCHER32 ? AEH5_FLETCHER32 : 0;
      if (storage->filters[i] == 0) {
        snprintf(why, size, "dataset '/%s' uses a compression filter other than deflate, shuffle or fletcher32", name);
        goto done;
      }
    }
    storage->filter_count = filters;
    unsigned options = 0;
    if (H5Pget_chunk_opts(dcpl, &options) < 0) { snprintf(why, size, "dataset '/%s' has unreadable chunk options", name); goto done; }
    storage->unfiltered_edges = (options & H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS) != 0;
    storage->layout = AEH5_CHUNKED;
  } else {
    snprintf(why, size, "dataset '/%s' has an unknown storage layout", name);
    goto done;
  }
  refused = 0;
done:
  H5Pclose(dcpl);
  return refused;
}

int64_t aeh5_rows_open(int64_t file, const char *path, size_t max_chunk_bytes, aeh5_storage *storage) {
  h5_enter();
  hid_t set = -1, type = -1, space = -1;
  int ok = 0;
  const char *name = path;
  while (*name == '/') name++;
  char why[768] = "";
  memset(storage, 0, sizeof *storage);
  if (*name == '\0') { snprintf(why, sizeof why, "no dataset path (file.h5:/group/dataset)"); goto done; }
  if (check_way(file, name, why, sizeof why)) goto done;
  struct audit audit = {0, ""};
  if (h5_audit_dataset(file, name, &audit, 0)) { snprintf(why, sizeof why, "%s", audit.problem); goto done; }
  set = H5Dopen2(file, name, h5_safe_dataset_access);
  if (set < 0) { h5_fail("cannot open dataset", path); goto done; }
  type = H5Dget_type(set);
  space = H5Dget_space(set);
  if (type < 0 || space < 0) { h5_fail("unreadable dataset", path); goto done; }
  /* Exactly the standard layouts: our code converts the bytes, so a float with another
   * exponent bias or an integer of 24 bits in 32 must be refused, not reinterpreted. */
  static const struct { int kind, big_endian; } known[] = {
    {AEH5_FLOAT32, 0}, {AEH5_FLOAT32, 1}, {AEH5_FLOAT64, 0}, {AEH5_FLOAT64, 1}, {AEH5_INT32, 0},
    {AEH5_INT32, 1}, {AEH5_INT64, 0}, {AEH5_INT64, 1}, {AEH5_UINT8, 0}, {AEH5_UINT8, 1}};
  hid_t standard[] = {H5T_IEEE_F32LE, H5T_IEEE_F32BE, H5T_IEEE_F64LE, H5T_IEEE_F64BE, H5T_STD_I32LE,
                      H5T_STD_I32BE, H5T_STD_I64LE, H5T_STD_I64BE, H5T_STD_U8LE, H5T_STD_U8BE};
  storage->kind = AEH5_OTHER;
  for (size_t i = 0; i < sizeof standard / sizeof standard[0]; i++) {
    if (H5Tequal(type, standard[i]) > 0) {
      storage->kind = known[i].kind;
      storage->big_endian = known[i].big_endian;
      break;
    }
  }
  if (storage->kind == AEH5_OTHER) {
    snprintf(why, sizeof why, "dataset '/%s' holds values of a type not read (IEEE float32 or float64, int32, int64 "
             "or uint8, either byte order)", name);
    goto done;
  }
  int r = H5Sget_simple_extent_ndims(space);
  if (r < 2 || r > 4) {
    snprintf(why, sizeof why, "dataset '/%s' has %d axes; data rows need 2 to 4, rows first: (rows, values) or images "
             "(rows, h, w[, c]) (reshape it)", name, r);
    goto done;
  }
  hsize_t shape[AEH5_MAX_RANK];
  if (H5Sget_simple_extent_dims(space, shape, NULL) != r) { h5_fail("unreadable dataset shape", path); goto done; }
  for (int i = 0; i < r; i++) storage->dims[i] = shape[i];
  storage->rank = r;
  if (describe_storage(set, type, name, storage, max_chunk_bytes, why, sizeof why)) goto done;
  ok = 1;
done:
  if (why[0]) snprintf(h5_last_error, sizeof h5_last_error, "%s", why);
  if (type >= 0) H5Tclose(type);
  if (space >= 0) H5Sclose(space);
  if (!ok && set >= 0) { H5Dclose(set); set = -1; }
  H5Eclear2(H5E_DEFAULT);
  h5_leave();
  return ok ? set : -1;
}

int aeh5_chunk_read(int64_t set, const uint64_t *coords, size_t capacity, void *buffer, uint64_t *size, unsigned *filter_mask) {
  h5_enter();
  hsize_t offset[AEH5_MAX_RANK];
  for (int i = 0; i < AEH5_MAX_RANK; i++) offset[i] = coords[i];
  hsize_t stored = 0;
  uint32_t filters = 0;
  int status = -1;
  /* The chunk's size first, then libhdf5 copies that many bytes into `buffer`. Both go through
   * the lookup H5Dread uses (H5Dget_chunk_info_by_coord in 1.10.8 walks the whole index per
   * call, and misses chunks of extensible-array indexes). */
  if (H5Iget_type(set) != H5I_DATASET) {
    snprintf(h5_last_error, sizeof h5_last_error, "not an open dataset");
  } else if (H5Dget_chunk_storage_size(set, offset, &stored) < 0) {
    h5_fail("cannot find a chunk of the dataset", "");
  } else if (stored == 0) {
    snprintf(h5_last_error, sizeof h5_last_error, "a chunk at row %llu was never written (unwritten storage would read as fill values)",
             (unsigned long long)coords[0]);
  } else if (stored > capacity) {
    snprintf(h5_last_error, sizeof h5_last_error, "a chunk at row %llu claims %llu stored bytes; its values take at most %zu",
             (unsigned long long)coords[0], (unsigned long long)stored, capacity);
  } else if (H5Dread_chunk(set, H5P_DEFAULT, offset, &filters, buffer) < 0) {
    h5_fail("cannot read a chunk of the dataset", "");
  } else {
    *size = stored;
    *filter_mask = filters;
    status = 0;
  }
  H5Eclear2(H5E_DEFAULT);
  h5_leave();
  return status;
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
