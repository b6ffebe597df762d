/*
 * autoencoder.h: run trained autoencoders from C, C++ or anything with a C FFI.
 *
 * A model is a file written by the `ae` tool (see docs/FORMAT.md). Open it, then encode,
 * decode, reconstruct or score rows of floats. The library (libautoencoder.so) carries its
 * own Swift runtime; it needs only libhdf5, libopenblas and the C library at run time.
 *
 *   ae_model *model = NULL;
 *   if (ae_model_open("model.h5", &model) != AE_OK) {
 *     fprintf(stderr, "%s\n", ae_last_error());
 *     return 1;
 *   }
 *   float code[32];
 *   ae_status status = ae_encode(model, pixels, 1, code);   // pixels: 784 floats
 *   ae_model_close(model);
 *
 * Conventions
 * - Names are ae_<object>_<verb>. Every fallible function returns an ae_status; AE_OK is 0.
 *   No function aborts the process on bad arguments or bad handles: each returns a status
 *   (see "Handles" below for the exact limits, and "Memory" for exhausted memory).
 * - On failure, ae_last_error() gives a message naming the problem (file, dataset, expected
 *   and actual sizes), and out-parameters and output buffers are left untouched, with one
 *   exception: AE_ERROR_NON_FINITE for a result that overflowed (below) sets every value of
 *   the call's output buffers to NaN.
 * - Data is batch-first, row-major, 32-bit float, in caller-owned buffers: n rows of
 *   ae_model_input_dim() values in, n rows of ae_model_latent_dim() (or input_dim) out.
 *   Inputs are raw values in the data's units: the model applies its stored scaling, and
 *   decode/reconstruct return values in the same units.
 * - Sizes are size_t; products of sizes that overflow are reported (AE_ERROR_OVERFLOW).
 * - NaN or infinite inputs are reported (AE_ERROR_NON_FINITE), never propagated. So are
 *   results that do not fit in a float although the inputs were finite (a huge input, code
 *   or temperature times the weights): AE_ERROR_NON_FINITE with a message saying which value
 *   overflowed, never AE_OK with an infinity or NaN in the output. The output buffers then
 *   hold NaN in every value, so a caller that ignores the status cannot mistake them for data.
 * - Required pointers must not be NULL (AE_ERROR_INVALID_ARGUMENT otherwise). Every close
 *   or free function accepts NULL and does nothing.
 *
 * Handles (AE_ERROR_MISUSE)
 * - An ae_model * or ae_workspace * is not the address of the object itself but of a tagged
 *   slot (a kind, a state, a generation) in memory the library never frees, so every call
 *   checks a handle before using it, without reading freed memory. Every function that takes
 *   a handle returns AE_ERROR_MISUSE, and says why in ae_last_error(), for
 *     - a model used after ae_model_close, or a workspace used after ae_workspace_free, even
 *       when other handles were opened in between (a closed slot is reused only after 3072
 *       other handles were closed, or sooner if memory for new slots runs out, and always
 *       under a new generation);
 *     - a workspace passed as a model, or a model passed as a workspace;
 *     - a pointer this library never returned (a stack or heap address, a random value);
 *     - a workspace used by two calls at once (from two threads): the second call.
 *   ae_model_close and ae_workspace_free return nothing: given such a handle (closing twice,
 *   freeing twice, the wrong kind of handle) they do nothing but set ae_last_error().
 *   The introspection calls (ae_model_kind, ...) return 0 or NULL and set ae_last_error().
 * - Closing a model or freeing a workspace while another thread is inside a call on it is
 *   safe: that call completes normally and the object is destroyed when it returns; calls
 *   that start after the close get AE_ERROR_MISUSE. (The strings and arrays that
 *   ae_model_kind, ae_model_loss and ae_model_scaling return do die with the close.)
 * - A model's workspaces may be freed before or after the model is closed: a workspace keeps
 *   what it needs of its model alive, but every call with it also takes the model's handle.
 * - What cannot be detected: a stale handle whose slot was reused a multiple of 64 times
 *   since (the handle carries its generation modulo 64, so that takes at least 64 * 3072
 *   closes of other handles in between; the call then acts on the slot's new object), and a
 *   pointer forged by arithmetic on a handle that lands on another slot with a matching
 *   generation (at most 1 in 64 for a pointer inside the library's handle blocks; none
 *   outside them).
 *   Detection is a safety net, not a licence: a program that hits AE_ERROR_MISUSE has a bug.
 *
 * Memory (AE_ERROR_OUT_OF_MEMORY)
 * - Every buffer the library allocates for a compute call or a workspace is checked:
 *   workspaces, the scratch of the calls without a workspace, handles and the strings they
 *   hand out. A failed allocation returns AE_ERROR_OUT_OF_MEMORY; it never aborts the
 *   process. A workspace larger than the machine's physical memory is refused the same way
 *   before anything is allocated (with overcommit, such an allocation could succeed and get
 *   the process killed when its pages are touched).
 * - Not covered: the Swift runtime's own small allocations (objects of tens of bytes, error
 *   message text), which abort the process if they fail.
 *
 * Thread safety
 * - An ae_model is immutable after opening: any number of threads may call the compute
 *   functions on one model at once, and results are the same as sequential calls, bit for
 *   bit. (A row's result may differ in the last bits between batch sizes or workspace sizes,
 *   because the BLAS library picks its kernels by matrix size.)
 * - An ae_workspace belongs to one thread at a time (a second call while one is running on it
 *   gets AE_ERROR_MISUSE).
 * - ae_last_error() is per thread.
 * - Opening and closing take a process-wide lock around libhdf5 (which is not thread-safe);
 *   compute calls never touch HDF5.
 *
 * Trust (docs/FORMAT.md, "Trust and validation", says the same at length)
 * - Every file `ae` writes carries a CRC-32 of its bytes in the HDF5 user block. By default
 *   a file without one, or with one that does not match, is refused before libhdf5 parses a
 *   byte: libhdf5 can crash or hang on damaged metadata. The checksum catches damage, not
 *   malice: anyone can compute a valid one.
 * - So every file, sealed or not, is also validated: the file is read once into memory (a
 *   regular file only, never a FIFO or device); datasets stored outside the file (external
 *   storage, virtual datasets) and soft or external links are refused before any data is
 *   read, and filter plugins are never loaded; every dataset's shape and type must be what
 *   the stored spec implies before anything is allocated; attributes must agree with the spec;
 *   weights, scaling and variances must be finite and within sane bounds.
 * - What a sealed but hostile file can still do: make the model compute whatever its
 *   (finite, bounded) weights say, use as much memory as its declared sizes allow (at most
 *   ModelSpec's limits: 2^31 weights), and reach parsing code inside libhdf5 with crafted
 *   metadata, where a bug in libhdf5 itself is out of this library's reach.
 */
#ifndef AUTOENCODER_H
#define AUTOENCODER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define AE_API __attribute__((visibility("default")))
#define AE_NODISCARD __attribute__((warn_unused_result))
#else
#define AE_API
#define AE_NODISCARD
#endif

/* ------------------------------------------------------------------------------------------
 * Versions
 * ---------------------------------------------------------------------------------------- */

/* The library version as a string, and as MAJOR * 1000000 + MINOR * 1000 + PATCH. */
#define AE_VERSION "0.1.0"
#define AE_VERSION_NUMBER 1000
/* Bumped when a change breaks binary compatibility; part of the SONAME (libautoencoder.so.1). */
#define AE_ABI_VERSION 1

/* The version of the library actually loaded; compare with AE_VERSION. Static string. */
AE_API const char *ae_version(void);
/* AE_VERSION_NUMBER of the loaded library. */
AE_API int ae_version_number(void);
/* AE_ABI_VERSION of the loaded library: refuse to run if it differs from the header's. */
AE_API int ae_abi_version(void);

/* ------------------------------------------------------------------------------------------
 * Status codes. Values are fixed; new codes are only ever appended.
 * ---------------------------------------------------------------------------------------- */

typedef enum ae_status {
  AE_OK = 0,                     /* success */
  AE_ERROR_INVALID_ARGUMENT = 1, /* a NULL pointer, zero size or value out of range */
  AE_ERROR_IO = 2,               /* a file could not be opened or read */
  AE_ERROR_FORMAT = 3,           /* not a model file, corrupt, or shapes that do not match */
  AE_ERROR_VERSION = 4,          /* the file's format_version is newer than this library */
  AE_ERROR_DIMENSION = 5,        /* reserved: no function returns it (the library cannot see a buffer's
                                    length; that n rows fit is the caller's promise) */
  AE_ERROR_NON_FINITE = 6,       /* an input holds NaN or infinity, or a result overflowed a float */
  AE_ERROR_OVERFLOW = 7,         /* a product of sizes does not fit in size_t */
  AE_ERROR_OUT_OF_MEMORY = 8,    /* an allocation failed, or would exceed physical memory */
  AE_ERROR_UNSUPPORTED = 9,      /* the model cannot do this (e.g. sample from a plain autoencoder) */
  AE_ERROR_WORKSPACE = 10,       /* the workspace belongs to another model */
  AE_ERROR_MISUSE = 11,          /* a handle that is closed, freed, of the wrong type, not one this
                                    library returned, or a workspace in use by another call */
  AE_ERROR_UNVERIFIED = 12,      /* the file carries no checksum; see AE_OPEN_UNVERIFIED */
  AE_ERROR_INTERNAL = 99         /* a bug: please report it with ae_last_error()'s text */
} ae_status;

/* A fixed description of a status ("invalid argument", ...); "unknown status" for a value
 * that is not one of the above. Static string; never NULL. */
AE_API const char *ae_status_string(ae_status status);

/* The message of the last failed call on this thread, or "" if none failed yet.
 * The text is valid until the next failing call on the same thread. */
AE_API const char *ae_last_error(void);

/* ------------------------------------------------------------------------------------------
 * Models
 * ---------------------------------------------------------------------------------------- */

/* An opened model. Opaque. */
typedef struct ae_model ae_model;

/* Open a model file. On success *model is set and must be closed with ae_model_close.
 * Returns AE_OK, AE_ERROR_INVALID_ARGUMENT (NULL path or model), AE_ERROR_IO (missing,
 * unreadable, or not a regular file), AE_ERROR_FORMAT (not a model file, damaged, a checksum
 * that does not match, or content this library refuses: see "Trust" above),
 * AE_ERROR_UNVERIFIED (no checksum: open it with ae_model_open_v2 and AE_OPEN_UNVERIFIED, or
 * seal it with `ae seal`), AE_ERROR_VERSION or AE_ERROR_OUT_OF_MEMORY. On failure *model is
 * not touched. */
AE_API AE_NODISCARD ae_status ae_model_open(const char *path, ae_model **model);

/* Open a model from the bytes of a model file (length bytes at buffer). The bytes are
 * copied: the caller may free the buffer as soon as this returns. Same statuses as open. */
AE_API AE_NODISCARD ae_status ae_model_open_memory(const void *buffer, size_t length, ae_model **model);

/* Flags for ae_model_open_v2 and ae_model_open_memory_v2; combine with |. Unknown bits are
 * refused with AE_ERROR_INVALID_ARGUMENT. */
#define AE_OPEN_DEFAULT 0u
/* Read a file that carries no checksum (written by h5py or another tool rather than `ae`).
 * Such a file reaches libhdf5 unchecked: only for files you trust (see "Trust" above). A file
 * whose checksum is present but wrong is refused all the same. */
#define AE_OPEN_UNVERIFIED 1u

/* As ae_model_open and ae_model_open_memory, with flags (AE_OPEN_*). ae_model_open(path, m)
 * is ae_model_open_v2(path, AE_OPEN_DEFAULT, m). */
AE_API AE_NODISCARD ae_status ae_model_open_v2(const char *path, unsigned flags, ae_model **model);
AE_API AE_NODISCARD ae_status ae_model_open_memory_v2(const void *buffer, size_t length, unsigned flags, ae_model **model);

/* Close a model: later calls with the handle get AE_ERROR_MISUSE, and the model is freed
 * (at once, or when the calls in flight on it return). NULL does nothing; a handle that is
 * not an open model (closed already, a workspace, ...) does nothing but set ae_last_error().
 * Its workspaces may be freed before or after; their memory and the weights they need stay
 * until the last of them is freed. */
AE_API void ae_model_close(ae_model *model);

/* Introspection. These cannot fail on an open model; given NULL or a handle that is not an
 * open model they return 0 or NULL, and (but for NULL) set ae_last_error(). */
AE_API const char *ae_model_kind(const ae_model *model);        /* "dense", "denoising", "sparse", "contractive", "vae", "cvae"; valid until close */
AE_API size_t ae_model_input_dim(const ae_model *model);        /* values per input row */
AE_API size_t ae_model_latent_dim(const ae_model *model);       /* values per code row */
AE_API size_t ae_model_layer_count(const ae_model *model);      /* layers (dense, convolution, transposed convolution), encoder + decoder */
AE_API int ae_model_can_sample(const ae_model *model);          /* 1 for generative models (vae, cvae), else 0 */
AE_API const char *ae_model_loss(const ae_model *model);        /* "bce", "mse" or "gaussian"; valid until close */
AE_API size_t ae_model_class_count(const ae_model *model);      /* classes of a conditional model (cvae), else 0 */

/* The image shape (height, width, channels) when the model was trained on images.
 * Returns AE_OK, AE_ERROR_INVALID_ARGUMENT (NULL model or shape), AE_ERROR_MISUSE (not an
 * open model), or AE_ERROR_UNSUPPORTED when rows are not images. */
AE_API AE_NODISCARD ae_status ae_model_input_shape(const ae_model *model, size_t shape[3]);

/* The stored input scaling: the network sees (x - offset[j]) * scale[j]. *method is "unit",
 * "standard" or "none"; offset and scale point to input_dim floats. All three stay valid
 * until the model is closed. Any of the out-pointers may be NULL.
 * Returns AE_OK, AE_ERROR_INVALID_ARGUMENT (NULL model) or AE_ERROR_MISUSE (not an open model). */
AE_API AE_NODISCARD ae_status ae_model_scaling(const ae_model *model, const char **method,
                                               const float **offset, const float **scale);

/* ------------------------------------------------------------------------------------------
 * Compute. x: n * input_dim floats; z: n * latent_dim floats; scores: n floats.
 * Each call allocates scratch memory for itself; use the _ws variants to avoid that.
 * Returns AE_OK, AE_ERROR_INVALID_ARGUMENT (NULL pointer or n == 0), AE_ERROR_MISUSE (model
 * is not an open model), AE_ERROR_OVERFLOW (n rows do not fit in size_t), AE_ERROR_NON_FINITE
 * (a NaN or infinite input, or a result that overflowed a float: then every output value is
 * NaN), AE_ERROR_OUT_OF_MEMORY (the scratch), or AE_ERROR_UNSUPPORTED for a conditional model
 * (cvae), which needs the _labeled calls. Output buffers are written only on AE_OK, but for
 * the NaN of AE_ERROR_NON_FINITE.
 * ---------------------------------------------------------------------------------------- */

/* Codes for n input rows. */
AE_API AE_NODISCARD ae_status ae_encode(const ae_model *model, const float *x, size_t n, float *z);
/* Reconstructions (n * input_dim, in the data's units) of n code rows. */
AE_API AE_NODISCARD ae_status ae_decode(const ae_model *model, const float *z, size_t n, float *x_out);
/* decode(encode(x)). x and x_out may not overlap. */
AE_API AE_NODISCARD ae_status ae_reconstruct(const ae_model *model, const float *x, size_t n, float *x_out);
/* Anomaly score per row: the reconstruction loss in the model's own loss (ae_model_loss),
 * summed over the row's values, on scaled data (for "gaussian", the negative log-likelihood
 * under the learned per-feature variances, in nats). Higher means less like the training data. */
AE_API AE_NODISCARD ae_status ae_score(const ae_model *model, const float *x, size_t n, float *scores);

/* ------------------------------------------------------------------------------------------
 * Generative models (ae_model_can_sample() == 1: variational autoencoders). Codes follow the
 * prior N(0, I). These but ae_interpolate return AE_ERROR_UNSUPPORTED for other models; all
 * return the statuses of the compute calls above (AE_ERROR_NON_FINITE also when the drawn
 * codes or the decoded rows overflow a float, e.g. for a huge temperature; the outputs are
 * then NaN).
 * ---------------------------------------------------------------------------------------- */

/* The posterior of n input rows: means and log-variances, n * latent_dim floats each.
 * (ae_encode gives the means alone.) */
AE_API AE_NODISCARD ae_status ae_encode_distribution(const ae_model *model, const float *x, size_t n,
                                                     float *mean, float *log_variance);

/* n new rows (n * input_dim floats, in the data's units) decoded from codes drawn from
 * N(0, temperature^2 I). The same seed gives the same samples on any thread and with any
 * workspace. The codes are written to z_out (n * latent_dim floats) unless it is NULL.
 * Also AE_ERROR_INVALID_ARGUMENT for a negative or non-finite temperature. */
AE_API AE_NODISCARD ae_status ae_sample(const ae_model *model, size_t n, unsigned long long seed, float temperature,
                                        float *x_out, float *z_out);

/* As ae_sample, for a conditional model (ae_model_class_count() > 0): every row is drawn for
 * class `label` (0 <= label < class count). Conditional models need this call: ae_sample
 * returns AE_ERROR_UNSUPPORTED for them, as do the unlabeled calls that take data rows (use the
 * _labeled calls below). Also AE_ERROR_INVALID_ARGUMENT for a label out of range. */
AE_API AE_NODISCARD ae_status ae_sample_class(const ae_model *model, size_t n, size_t label, unsigned long long seed,
                                              float temperature, float *x_out, float *z_out);

/* Decode `steps` codes evenly spaced from z_a to z_b (latent_dim floats each) into x_out
 * (steps * input_dim floats): along a straight line, or along the great circle between them
 * when spherical is non-zero (slerp; better for Gaussian codes). steps must be >= 2
 * (AE_ERROR_INVALID_ARGUMENT for 0 or 1; AE_ERROR_OVERFLOW when steps rows do not fit).
 * Works for every model kind but the conditional one: a cvae returns AE_ERROR_UNSUPPORTED
 * (a path between codes needs a class, which this call does not take). */
AE_API AE_NODISCARD ae_status ae_interpolate(const ae_model *model, const float *z_a, const float *z_b, size_t steps,
                                             int spherical, float *x_out);

/* ------------------------------------------------------------------------------------------
 * Workspaces: scratch memory made once, so compute calls allocate nothing (real-time use).
 * That holds for this library's code; OpenBLAS, which does the matrix products, allocates
 * small job descriptors when it splits a product over threads, so strict real-time callers
 * set OPENBLAS_NUM_THREADS=1 (one model still serves many threads of their own).
 * ---------------------------------------------------------------------------------------- */

/* Scratch for one thread's calls on one model. Calls with more than max_rows rows run in
 * passes of max_rows. Free with ae_workspace_free. A workspace holds about
 * max_rows * (input_dim + 2 * the widest layer + a convolution's patches) floats. */
typedef struct ae_workspace ae_workspace;

/* Returns AE_OK, AE_ERROR_INVALID_ARGUMENT (NULL model or workspace, or max_rows == 0),
 * AE_ERROR_MISUSE (model is not an open model), AE_ERROR_OVERFLOW (max_rows times the
 * model's widths does not fit in size_t, e.g. SIZE_MAX), or AE_ERROR_OUT_OF_MEMORY (the
 * allocation failed, or the workspace would be larger than the machine's physical memory:
 * pick a smaller max_rows, since larger calls run in passes anyway). */
AE_API AE_NODISCARD ae_status ae_workspace_create(const ae_model *model, size_t max_rows, ae_workspace **workspace);
/* Later calls with the handle get AE_ERROR_MISUSE; the memory goes at once, or when the call
 * in flight on it returns. NULL does nothing; a handle that is not a live workspace (freed
 * already, a model, ...) does nothing but set ae_last_error(). */
AE_API void ae_workspace_free(ae_workspace *workspace);

/* As the calls above, using workspace and allocating nothing. Also AE_ERROR_INVALID_ARGUMENT
 * for a NULL workspace, AE_ERROR_WORKSPACE when the workspace was made for another model, and
 * AE_ERROR_MISUSE when it is not a live workspace or another call is using it right now. */
AE_API AE_NODISCARD ae_status ae_encode_ws(const ae_model *model, ae_workspace *workspace, const float *x, size_t n, float *z);
AE_API AE_NODISCARD ae_status ae_decode_ws(const ae_model *model, ae_workspace *workspace, const float *z, size_t n, float *x_out);
AE_API AE_NODISCARD ae_status ae_reconstruct_ws(const ae_model *model, ae_workspace *workspace, const float *x, size_t n, float *x_out);
AE_API AE_NODISCARD ae_status ae_score_ws(const ae_model *model, ae_workspace *workspace, const float *x, size_t n, float *scores);
AE_API AE_NODISCARD ae_status ae_sample_ws(const ae_model *model, ae_workspace *workspace, size_t n, unsigned long long seed,
                                           float temperature, float *x_out, float *z_out);

/* ------------------------------------------------------------------------------------------
 * Conditional models (ae_model_class_count() > 0, a cvae): encode, decode, reconstruct and
 * score with one class label per row, labels[i] in 0 .. class count - 1. The label joins the
 * encoder's input and the code, as in training. workspace may be NULL (the call then
 * allocates its scratch) or one made for this model (the call then allocates nothing).
 * Also AE_ERROR_INVALID_ARGUMENT for a NULL labels array or a label out of range, and
 * AE_ERROR_UNSUPPORTED for models without classes (use the calls above for those); a non-NULL
 * workspace is checked as in the _ws calls (AE_ERROR_WORKSPACE, AE_ERROR_MISUSE).
 * ---------------------------------------------------------------------------------------- */
AE_API AE_NODISCARD ae_status ae_encode_labeled(const ae_model *model, ae_workspace *workspace, const float *x,
                                                const int *labels, size_t n, float *z);
AE_API AE_NODISCARD ae_status ae_decode_labeled(const ae_model *model, ae_workspace *workspace, const float *z,
                                                const int *labels, size_t n, float *x_out);
AE_API AE_NODISCARD ae_status ae_reconstruct_labeled(const ae_model *model, ae_workspace *workspace, const float *x,
                                                     const int *labels, size_t n, float *x_out);
AE_API AE_NODISCARD ae_status ae_score_labeled(const ae_model *model, ae_workspace *workspace, const float *x,
                                               const int *labels, size_t n, float *scores);

#ifdef __cplusplus
}
#endif
#endif /* AUTOENCODER_H */
