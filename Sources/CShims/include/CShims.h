/*
 * CShims: the HDF5 glue the Swift code needs and cannot write itself. HDF5's type and
 * property macros (H5T_NATIVE_FLOAT, H5P_DEFAULT, ...) expand to function calls and globals
 * that do not import into Swift, and its error stack is easier to walk from C. Handles cross
 * as int64_t (hid_t in HDF5 1.10+).
 *
 * No model logic lives here. Every function returns a negative value on failure and leaves a
 * message for aeh5_last_error(). Not a stable API.
 */
#ifndef AE_CSHIMS_H
#define AE_CSHIMS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Element types a dataset can hold, as far as we care. */
enum aeh5_kind {
  AEH5_OTHER = 0,
  AEH5_FLOAT32 = 1,
  AEH5_FLOAT64 = 2,
  AEH5_INT32 = 3,
  AEH5_INT64 = 4,
  AEH5_UINT8 = 5,
};

enum {
  AEH5_MAX_RANK = 8,
  AEH5_MAX_STRING = 1 << 24, /* longest string attribute read (the spec JSON is far shorter) */
  AEH5_MAX_STRINGS = 1 << 16, /* most strings in a list attribute (Keras' layer and weight names) */
  AEH5_MAX_LINKS = 100000,   /* most links a file may hold (a model has a few dozen) */
};

/* The message of the last failure on this thread ("" if none). */
const char *aeh5_last_error(void);

/* Files. create truncates; open_image reads an in-memory copy (every read goes this way, so
 * libhdf5 never opens a file we have not checked). */
int64_t aeh5_file_create(const char *path, size_t userblock); /* userblock: 0, or a power of 2 >= 512 bytes HDF5 skips */
int64_t aeh5_file_open_image(const void *buffer, size_t length);
int aeh5_file_close(int64_t file);

/* Before libhdf5 sees an image: every global heap collection in it must be well-formed
 * (libhdf5 trusts their object sizes). Negative with a message when refused. */
int aeh5_check_global_heaps(const void *buffer, size_t length);

/* Before reading anything from an opened file: refuse soft, external and user-defined links,
 * datasets stored outside the file (external storage, virtual datasets), filters that need a
 * plugin, and anything but groups and datasets. Negative with a message when refused. */
int aeh5_audit(int64_t file);

/* Groups. */
int64_t aeh5_group_create(int64_t loc, const char *name);
int64_t aeh5_group_open(int64_t loc, const char *name);
int aeh5_group_close(int64_t group);
/* How many links a group holds (negative on failure). */
int aeh5_member_count(int64_t group);

/* 1 if a link called `path` exists below loc (every intermediate group too), else 0. */
int aeh5_exists(int64_t loc, const char *path);

/* Datasets: write a contiguous row-major array; read its shape and element kind; read it
 * into `data`, converting to `kind` in memory (the caller checked the kind first). */
int aeh5_write_dataset(int64_t loc, const char *name, int kind, int rank,
                       const uint64_t *dims, const void *data);
/* Rows first..first+count of a 2-D dataset of total_rows x cols, written in chunks: the call
 * with first == 0 creates the dataset, later calls write further rows into it. */
int aeh5_write_rows(int64_t loc, const char *name, int kind, uint64_t total_rows, uint64_t cols, uint64_t first,
                    uint64_t count, const void *data);
int aeh5_dataset_info(int64_t loc, const char *name, int *kind, int *rank, uint64_t *dims);
int aeh5_read_dataset(int64_t loc, const char *name, int kind, void *data);

/* Attributes on a group or file. Strings are variable-length UTF-8 (h5py reads them as str);
 * read_attr_string also reads fixed-length strings and returns a malloc'd copy (free()). */
int aeh5_write_attr_string(int64_t loc, const char *name, const char *value);
int aeh5_read_attr_string(int64_t loc, const char *name, char **value);
int aeh5_read_attr_strings(int64_t loc, const char *name, char **joined, size_t *count);
int aeh5_write_attr_int64(int64_t loc, const char *name, int64_t value);
int aeh5_read_attr_int64(int64_t loc, const char *name, int64_t *value);
int aeh5_write_attr_double(int64_t loc, const char *name, double value);
int aeh5_read_attr_double(int64_t loc, const char *name, double *value);
int aeh5_has_attr(int64_t loc, const char *name);

/* Data rows (hdf5_rows.c): one numeric dataset of a data file, whose values the caller reads
 * itself from the file (data files can be far larger than memory; models are read into memory
 * whole). libhdf5 parses the file's metadata only: where the values are, and how they are
 * stored. file_open_disk opens `path` read-only: "/proc/self/fd/N" for a descriptor the caller
 * opened and checked, so the file read is the file checked. rows_open checks the way to the
 * dataset (hard links and groups only), audits it as model files' datasets are (storage inside
 * the file, built-in filters only; a chunked dataset's chunks are checked one by one as they
 * are read, by chunk_place), refuses chunks over max_chunk_bytes, and describes it. */
enum aeh5_layout { AEH5_CONTIGUOUS = 0, AEH5_CHUNKED = 1, AEH5_COMPACT = 2 };
enum aeh5_filter { AEH5_DEFLATE = 1, AEH5_SHUFFLE = 2, AEH5_FLETCHER32 = 3 };
typedef struct {
  int kind;                       /* aeh5_kind of the stored values */
  int big_endian;                 /* their byte order */
  int rank;                       /* 2 ... AEH5_MAX_RANK, rows first */
  uint64_t dims[AEH5_MAX_RANK];
  int layout;                     /* aeh5_layout */
  uint64_t address;               /* contiguous: where the values start in the file */
  uint64_t chunk[AEH5_MAX_RANK];  /* chunked: the chunk shape */
  int filters[8];                 /* chunked: the pipeline, in the order writing applies it */
  int filter_count;
  int unfiltered_edges;           /* chunked: partial edge chunks are stored unfiltered */
} aeh5_storage;
int64_t aeh5_file_open_disk(const char *path);
int64_t aeh5_rows_open(int64_t file, const char *path, size_t max_chunk_bytes, aeh5_storage *storage);
/* The stored bytes of the chunk at element coordinates `coords`, as they are in the file (no
 * filter undone), into `buffer` of `capacity` bytes: `size` of them, `filter_mask` bit i set
 * when filter i of the pipeline was skipped for it. Fails (with a message) when the chunk was
 * never written or holds more than `capacity` bytes. */
int aeh5_chunk_read(int64_t set, const uint64_t *coords, size_t capacity, void *buffer, uint64_t *size, unsigned *filter_mask);
/* A compact dataset's rows first ..< first + count (every value of the other axes), converted
 * to float32 into `out` by libhdf5 (the values live in the object header it already read). */
int aeh5_rows_read(int64_t set, uint64_t first, uint64_t count, float *out);
int aeh5_rows_close(int64_t set);

#ifdef __cplusplus
}
#endif
#endif
