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
 * - Input units: every call that takes data rows (x) takes raw values in the data's units, as
 *   given to `ae train`: the model applies its stored pipeline (the scaling of
 *   ae_model_scaling) itself, and every call that returns data rows (decode, reconstruct,
 *   sample, interpolate) returns them in the same raw units. Codes (z) are the network's own
 *   values, unscaled. Condition rows (see "Conditions") are passed to the network as given.
 * - Conditional models (ae_model_condition_width() > 0) read a condition row with every row:
 *   a matrix of n rows of ae_model_condition_width() floats, or, when the condition is one
 *   class label (ae_model_class_count() > 0), n labels. Labels are int32_t in the calls added
 *   in 0.2 (int, 32 bits wide on every platform this library builds for, in the _labeled
 *   calls; size_t in ae_sample_class); -1 means "no label" where a single label is optional.
 * - Options structs (ae_sample_options, ...) start with a size field that the caller sets to
 *   sizeof the struct, as the ..._options_default() initializers in this header do: the
 *   structs only grow by appending fields, and a library reads only the fields the caller's
 *   header had. A size smaller than the struct's first version (0, say: an uninitialized
 *   struct) is refused with AE_ERROR_INVALID_ARGUMENT; a size larger than this library knows
 *   (a program built with a newer header) with AE_ERROR_VERSION. Always start from the
 *   initializer, then set fields.
 * - Sizes are size_t; products of sizes that overflow are reported (AE_ERROR_OVERFLOW).
 * - NaN or infinite inputs are reported (AE_ERROR_NON_FINITE), never propagated. So are
 *   results that do not fit in a float although the inputs were finite (a huge input, code
 *   or temperature times the weights): AE_ERROR_NON_FINITE with a message saying which value
 *   overflowed, never AE_OK with an infinity or NaN in the output. The output buffers then
 *   hold NaN in every value, so a caller that ignores the status cannot mistake them for data.
 * - Required pointers must not be NULL (AE_ERROR_INVALID_ARGUMENT otherwise). Every close
 *   or free function accepts NULL and does nothing.
 * - ae_last_error() describes the last call on this thread that failed, until a later call on
 *   this thread succeeds: every call that returns AE_OK, every introspection call given an
 *   open model (and, for the ae_table_ calls, a column and category it has) and every close or
 *   free of a live handle empties it ("").
 *
 * Handles (AE_ERROR_MISUSE)
 * - An ae_model *, ae_workspace * or ae_stream * is not the address of the object itself but of a tagged
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
 *   The introspection calls (ae_model_kind, ..., ae_workspace_threads) return 0 or NULL and
 *   set ae_last_error().
 * - Closing a model or freeing a workspace while another thread is inside a call on it is
 *   safe: that call completes normally and the object is destroyed when it returns; calls
 *   that start after the close get AE_ERROR_MISUSE. (The strings and arrays that
 *   ae_model_kind, ae_model_loss, ae_model_scaling, ae_model_condition_group,
 *   ae_table_column_name and ae_table_category return do die with the close.)
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
 *   workspaces (with their threads' scratch), the scratch of the calls without a workspace,
 *   handles and the strings they hand out. A failed allocation returns AE_ERROR_OUT_OF_MEMORY; it never aborts the
 *   process. A workspace larger than the machine's physical memory is refused the same way
 *   before anything is allocated (with overcommit, such an allocation could succeed and get
 *   the process killed when its pages are touched).
 * - Not covered: the Swift runtime's own small allocations (objects of tens of bytes, error
 *   message text), which abort the process if they fail; nor, for timbre models (0.4), the FFT
 *   plans and a stream's phase state (a few KiB each). A sound's working memory and a
 *   stream's buffers are checked.
 *
 * Thread safety
 * - An ae_model is immutable after opening: any number of threads may call the compute
 *   functions on one model at once, and results are the same as sequential calls, bit for
 *   bit. (A row's result may differ in the last bits between batch sizes or workspace sizes,
 *   because the BLAS library picks its kernels by matrix size.)
 * - An ae_workspace belongs to one thread at a time (a second call while one is running on it
 *   gets AE_ERROR_MISUSE). That holds for ae_workspace_set_threads and ae_workspace_threads
 *   too.
 * - A workspace set to n threads (ae_workspace_set_threads) runs each call with it on n
 *   threads: the caller's and n - 1 threads of the workspace's own, which sleep between
 *   calls. Results are the same run to run, bit for bit, for a fixed n, and equal the
 *   one-thread results to float rounding. Calls without a workspace use the calling thread
 *   alone (and OpenBLAS's threads, as every call may).
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
#include <stdint.h>

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

/* The library version as a string, and as MAJOR * 1000000 + MINOR * 1000 + PATCH. The minor
 * version grows with additions (0.2: conditions, options structs, workspace threads; 0.3:
 * table models; 0.4: sound from timbre models, real-time streams; 0.5: anomaly scores and
 * thresholds; 0.6: code scores, whole-image denoising and inpainting, compressed codes; 0.7: the
 * library's own AVX-512 kernels, ae_kernels; 0.8: int8 models, AE_OPEN_INT8), the ABI
 * version only with a break: a program built with this header runs with any library of the
 * same ABI version and a version number at least its own (an older one lacks the newer
 * functions, and the dynamic linker refuses to start the program). */
#define AE_VERSION "0.8.0"
#define AE_VERSION_NUMBER 8000
/* Bumped when a change breaks binary compatibility; part of the SONAME (libautoencoder.so.1). */
#define AE_ABI_VERSION 1

/* The version of the library actually loaded; compare with AE_VERSION. Static string. */
AE_API const char *ae_version(void);
/* AE_VERSION_NUMBER of the loaded library. */
AE_API int ae_version_number(void);
/* AE_ABI_VERSION of the loaded library: refuse to run if it differs from the header's. */
AE_API int ae_abi_version(void);
/* The kernels the matrix products run on, on this CPU (0.7): "avx512 (own)" where the CPU has
 * AVX-512 (the library's own kernels, for dense, convolution and transposed convolution
 * layers: their results are the same bit for bit whatever the batch size or thread count),
 * else "openblas CORE" (OpenBLAS, with the kernels it picked, e.g.
 * "openblas Haswell"). AE_GEMM=openblas in the environment when the library first computes
 * picks OpenBLAS on any CPU. Static string. */
AE_API const char *ae_kernels(void);
/* The kernels products of models opened with AE_OPEN_INT8 run on (0.8): "avx512-vnni" where
 * the CPU has AVX-512 VNNI, else "portable" (plain C, the same results bit for bit). Static
 * string. */
AE_API const char *ae_int8_kernels(void);

/* ------------------------------------------------------------------------------------------
 * Status codes. Values are fixed; new codes are only ever appended.
 * ---------------------------------------------------------------------------------------- */

typedef enum ae_status {
  AE_OK = 0,                     /* success */
  AE_ERROR_INVALID_ARGUMENT = 1, /* a NULL pointer, zero size or value out of range */
  AE_ERROR_IO = 2,               /* a file could not be opened or read */
  AE_ERROR_FORMAT = 3,           /* not a model file, corrupt, or shapes that do not match */
  AE_ERROR_VERSION = 4,          /* the file's format_version is newer than this library, or an
                                    options struct's size is (built with a newer header) */
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
  AE_ERROR_QUEUE_FULL = 13,      /* (0.4) a stream's queue has no room for the frames: push again later */
  AE_ERROR_INTERNAL = 99         /* a bug: please report it with ae_last_error()'s text */
} ae_status;

/* A fixed description of a status ("invalid argument", ...); "unknown status" for a value
 * that is not one of the above. Static string; never NULL. */
AE_API const char *ae_status_string(ae_status status);

/* The message of the last failed call on this thread, or "" when none failed yet or a call
 * succeeded since (see "Conventions"). The pointer is valid for the thread's lifetime; the
 * text changes with the thread's next call into this library (save a copy to keep it).
 * Reading it does not change it. */
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
/* Run the model's layers with their kernels rounded to bfloat16 (0.7): about half the time of
 * a single row's call where the library runs its own kernels (ae_kernels() "avx512 (own)"),
 * which then read half the bytes; products still accumulate in float32, and activations and
 * biases stay float32. Elsewhere the rounded weights run as float32 (same values, no speed
 * gain). Results differ from float32's by the rounding of the weights (8 significant bits):
 * measure what it costs a model before relying on it (bench/quantize.py). A kernel weight
 * beyond bfloat16's range (about 3.4e38) gives AE_ERROR_NON_FINITE. */
#define AE_OPEN_BFLOAT16 2u
/* Run dense and convolution layers in int8 (0.8): each kernel quantized per output column
 * (scale = the column's largest magnitude / 127), each product's input rows quantized to 8
 * bits as they come (per row, over the row's range and 0); the products sum exactly in int32
 * (AVX-512 VNNI where the CPU has it: ae_int8_kernels()), with the same bits on every CPU, for
 * any batch and thread count (transposed convolutions, which stay float32, keep float32's
 * promise: see ae_kernels). Biases, activations, transposed convolutions and
 * everything else stay float32. The single row's call reads a quarter of float32's bytes.
 * Results differ from float32's by the quantization (bench/quantize.py reports what it costs
 * in reconstruction error, -ELBO and anomaly AUROC): measure a model before relying on it. A
 * kernel value that is not finite gives AE_ERROR_NON_FINITE, a layer with more than 65536
 * inputs per output AE_ERROR_UNSUPPORTED. Not with AE_OPEN_BFLOAT16 (AE_ERROR_INVALID_ARGUMENT). */
#define AE_OPEN_INT8 4u

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
AE_API int ae_model_can_sample(const ae_model *model);          /* 1 exactly when ae_sample works: a vae, or a cvae
                                                                   whose conditions are all one-hot (drawn from the seed) */
AE_API const char *ae_model_loss(const ae_model *model);        /* "bce", "mse", "gaussian", or "mixed" for several output
                                                                   heads; valid until close */
AE_API size_t ae_model_class_count(const ae_model *model);      /* classes when the condition is one class label (a classic
                                                                   cvae: what the _labeled calls take), else 0 */
AE_API size_t ae_model_condition_width(const ae_model *model);  /* values per condition row (see "Conditions"); 0 for models
                                                                   without conditions */
AE_API size_t ae_model_condition_group_count(const ae_model *model); /* named groups of a condition row; 0 without */

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
 * Compute. x: n * input_dim floats, raw (in the data's units: the stored scaling is applied
 * here); z: n * latent_dim floats; scores: n floats.
 * Each call allocates scratch memory for itself; use the _ws variants to avoid that.
 * Returns AE_OK, AE_ERROR_INVALID_ARGUMENT (NULL pointer or n == 0), AE_ERROR_MISUSE (model
 * is not an open model), AE_ERROR_OVERFLOW (n rows do not fit in size_t), AE_ERROR_NON_FINITE
 * (a NaN or infinite input, or a result that overflowed a float: then every output value is
 * NaN), AE_ERROR_OUT_OF_MEMORY (the scratch), or AE_ERROR_UNSUPPORTED for a conditional model
 * (cvae), which needs the _labeled or _conditioned calls. Output buffers are written only on
 * AE_OK, but for the NaN of AE_ERROR_NON_FINITE.
 * ---------------------------------------------------------------------------------------- */

/* Codes for n raw input rows. */
AE_API AE_NODISCARD ae_status ae_encode(const ae_model *model, const float *x, size_t n, float *z);
/* Reconstructions (n * input_dim, in the data's units) of n code rows. */
AE_API AE_NODISCARD ae_status ae_decode(const ae_model *model, const float *z, size_t n, float *x_out);
/* decode(encode(x)): raw rows in, reconstructions in the data's units out. x and x_out may
 * not overlap. */
AE_API AE_NODISCARD ae_status ae_reconstruct(const ae_model *model, const float *x, size_t n, float *x_out);
/* Anomaly score per raw input row; higher means less like the training data. Which score is
 * the model's choice (ae train --score; ae_model_score_kind):
 * - "excess" (models trained by 0.5 and later, by default): the reconstruction loss in the
 *   model's own loss (ae_model_loss; each output head's own for "mixed"), summed over the row's
 *   values on the scaled values the network sees, minus the loss a perfect reconstruction of
 *   the row would have (BCE: the row's own entropy; "gaussian": the log-variance terms);
 * - "loss" (files written before 0.5): that loss itself (for "gaussian", the negative
 *   log-likelihood under the learned per-feature variances, in nats);
 * - "mse": the mean squared error of the reconstruction in the data's units;
 * - "code" (0.6): the squared Mahalanobis distance of the row's code (a VAE's mean) to the
 *   Gaussian of the training rows' codes; the decoder does not run;
 * - "neighbours" (0.6): the mean distance of the row's code to its 5 nearest training codes
 *   (the model keeps up to 10,000 of them); the decoder does not run;
 * - "combined" (0.6): "excess", "code" and "neighbours", each standardised by its median and
 *   interquartile range on the training rows, summed. */
AE_API AE_NODISCARD ae_status ae_score(const ae_model *model, const float *x, size_t n, float *scores);
/* (0.5) "excess", "loss", "mse", "code", "neighbours" or "combined": what ae_score computes.
 * Static string. */
AE_API const char *ae_model_score_kind(const ae_model *model);
/* (0.5) The model's anomaly threshold (ae train --calibrate Q or --contamination C: a quantile
 * of the scores of held-out normal rows): a row scoring above it is an anomaly.
 * AE_ERROR_UNSUPPORTED for a model that was not calibrated. */
AE_API AE_NODISCARD ae_status ae_model_threshold(const ae_model *model, double *threshold);
/* (0.5) labels[i] = 1 when row i's score (ae_score) is above the threshold, else 0.
 * AE_ERROR_UNSUPPORTED for a model without a threshold. */
AE_API AE_NODISCARD ae_status ae_classify(const ae_model *model, const float *x, size_t n, int *labels);

/* ------------------------------------------------------------------------------------------
 * Generative models (variational autoencoders: vae and cvae). Codes follow the prior N(0, I).
 * These but ae_interpolate return AE_ERROR_UNSUPPORTED for other models; all
 * return the statuses of the compute calls above (AE_ERROR_NON_FINITE also when the drawn
 * codes or the decoded rows overflow a float, e.g. for a huge temperature; the outputs are
 * then NaN).
 * ---------------------------------------------------------------------------------------- */

/* The posterior of n raw input rows: means and log-variances, n * latent_dim floats each.
 * (ae_encode gives the means alone.) A cvae needs ae_encode_distribution_v2, which takes
 * conditions (here: AE_ERROR_UNSUPPORTED). */
AE_API AE_NODISCARD ae_status ae_encode_distribution(const ae_model *model, const float *x, size_t n,
                                                     float *mean, float *log_variance);

/* n new rows (n * input_dim floats, in the data's units) decoded from codes drawn from
 * N(0, temperature^2 I). The same seed gives the same samples on any thread, with any
 * workspace and any workspace thread count. The codes are written to z_out (n * latent_dim
 * floats) unless it is NULL. Works exactly when ae_model_can_sample() is 1: a vae, or a cvae
 * whose condition groups are all one-hot, whose classes are then drawn for each row,
 * uniformly, from the seed (ae_sample_v2 takes chosen conditions or a label instead); a cvae
 * with continuous conditions returns AE_ERROR_UNSUPPORTED. Also AE_ERROR_INVALID_ARGUMENT for
 * a negative or non-finite temperature. */
AE_API AE_NODISCARD ae_status ae_sample(const ae_model *model, size_t n, unsigned long long seed, float temperature,
                                        float *x_out, float *z_out);

/* As ae_sample, for a model whose condition is one class label (ae_model_class_count() > 0):
 * every row is drawn for class `label` (0 <= label < class count). Also
 * AE_ERROR_INVALID_ARGUMENT for a label out of range, and AE_ERROR_UNSUPPORTED for a model
 * without classes. Kept as it was: `label` is a size_t here (the calls added since take
 * int32_t labels), and n, label and seed are three integers side by side that the compiler
 * lets a caller swap; ae_sample_v2 with options.label says the same by name. */
AE_API AE_NODISCARD ae_status ae_sample_class(const ae_model *model, size_t n, size_t label, unsigned long long seed,
                                              float temperature, float *x_out, float *z_out);

/* Decode `steps` codes evenly spaced from z_a to z_b (latent_dim floats each) into x_out
 * (steps * input_dim floats): along a straight line, or along the great circle between them
 * when spherical is non-zero (slerp; better for Gaussian codes). steps must be >= 2
 * (AE_ERROR_INVALID_ARGUMENT for 0 or 1; AE_ERROR_OVERFLOW when steps rows do not fit).
 * Works for every model kind but the conditional one: a cvae returns AE_ERROR_UNSUPPORTED
 * (a path between codes needs a condition, which ae_interpolate_v2 takes). */
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
 * max_rows * (input_dim + 2 * the widest layer + a convolution's patches + condition_width)
 * floats, once per thread (ae_workspace_set_threads; one thread when created). */
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
 * score with one class label per row, labels[i] in 0 .. class count - 1 (int: 32 bits wide on
 * every platform this library supports). The label joins the encoder's input and the code, as
 * in training. x is raw (in the data's units); outputs as in the calls above. workspace may be
 * NULL (the call then allocates its scratch) or one made for this model (the call then
 * allocates nothing, and runs on the workspace's threads). The _conditioned calls below take
 * condition rows instead, and serve every conditional model.
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

/* ------------------------------------------------------------------------------------------
 * Conditions (0.2). A conditional model (a cvae) reads a condition row with every data row
 * and every code row: ae_model_condition_width() floats, the model's condition groups side
 * by side in index order (group 0's values first). Each group is
 *   - AE_CONDITION_ONE_HOT: `width` classes; the row holds 1 for the class and 0 for the
 *     others (values in [0, 1], so a soft mixture of classes is accepted; others are refused
 *     with AE_ERROR_INVALID_ARGUMENT), or
 *   - AE_CONDITION_CONTINUOUS: `width` real values, passed to the network as given (the
 *     stored scaling applies to data rows, not to conditions): the values the model was
 *     trained with.
 * A classic cvae has one one-hot group ("class") of ae_model_class_count() values: its
 * condition row for label L is the one-hot row with a 1 at L, and the _conditioned calls with
 * such rows give the _labeled calls' results bit for bit.
 * The condition matrix of n rows is n * ae_model_condition_width() floats, row-major.
 * NaN or infinite condition values are refused with AE_ERROR_NON_FINITE.
 * ---------------------------------------------------------------------------------------- */

/* The kind of a condition group (ae_model_condition_group). Values are fixed. */
typedef enum ae_condition_kind {
  AE_CONDITION_ONE_HOT = 0,    /* one class of `width`, as a one-hot row */
  AE_CONDITION_CONTINUOUS = 1  /* `width` real values */
} ae_condition_kind;

/* Describe condition group `index` (0 <= index < ae_model_condition_group_count()): its name
 * (a static string valid until the model is closed), its kind (an ae_condition_kind value)
 * and its width (values in a condition row). Any of the out-pointers may be NULL.
 * Returns AE_OK, AE_ERROR_INVALID_ARGUMENT (NULL model, or an index out of range, which a
 * model without conditions makes of every index) or AE_ERROR_MISUSE (not an open model).
 * Nothing is written on failure. */
AE_API AE_NODISCARD ae_status ae_model_condition_group(const ae_model *model, size_t index, const char **name, int *kind,
                                                       size_t *width);

/* Encode, decode, reconstruct and score with a condition row per row: conditions is n rows of
 * ae_model_condition_width() floats (see above), or NULL for a model without conditions
 * (these calls then act as the plain ones, so one code path serves every model). x is raw
 * (in the data's units); z, x_out and scores as in the plain calls. workspace may be NULL
 * (the call then allocates its scratch) or one made for this model (the call then allocates
 * nothing, and splits its rows over the workspace's threads).
 * Returns the statuses of the compute calls, and also AE_ERROR_INVALID_ARGUMENT for NULL
 * conditions on a conditional model or a one-hot value outside [0, 1], AE_ERROR_NON_FINITE for
 * a NaN or infinite condition value, AE_ERROR_UNSUPPORTED for conditions given to a model
 * without conditions, AE_ERROR_OVERFLOW when n condition rows do not fit in size_t, and the
 * workspace statuses of the _ws calls (AE_ERROR_WORKSPACE, AE_ERROR_MISUSE). */
AE_API AE_NODISCARD ae_status ae_encode_conditioned(const ae_model *model, ae_workspace *workspace, const float *x,
                                                    const float *conditions, size_t n, float *z);
AE_API AE_NODISCARD ae_status ae_decode_conditioned(const ae_model *model, ae_workspace *workspace, const float *z,
                                                    const float *conditions, size_t n, float *x_out);
AE_API AE_NODISCARD ae_status ae_reconstruct_conditioned(const ae_model *model, ae_workspace *workspace, const float *x,
                                                         const float *conditions, size_t n, float *x_out);
AE_API AE_NODISCARD ae_status ae_score_conditioned(const ae_model *model, ae_workspace *workspace, const float *x,
                                                   const float *conditions, size_t n, float *scores);

/* ------------------------------------------------------------------------------------------
 * Generating with options (0.2): sample, interpolate and the posterior, for every generative
 * model, conditional ones included. Each takes an options struct (see "Conventions": start
 * from its ..._default() initializer, whose size field is what lets the struct grow) and an
 * optional workspace: NULL makes the call allocate its own scratch, as the calls without a
 * workspace do; a workspace made for this model makes it allocate nothing and split its rows
 * over the workspace's threads. The options struct and everything it points to are read
 * during the call only; the library keeps no pointer after it returns.
 * Returns the statuses of the compute calls, and AE_ERROR_INVALID_ARGUMENT for an options
 * size below the struct's first version, AE_ERROR_VERSION for one above this library's,
 * AE_ERROR_WORKSPACE and AE_ERROR_MISUSE for the workspace as in the _ws calls, and the
 * condition statuses of the _conditioned calls.
 * ---------------------------------------------------------------------------------------- */

/* Options of ae_sample_v2. */
typedef struct ae_sample_options {
  size_t size;               /* sizeof(ae_sample_options): set by ae_sample_options_default() */
  unsigned long long seed;   /* the draws' seed: the same seed, the same samples (default 0) */
  const float *conditions;   /* conditional models: n condition rows, the conditions of each sample;
                                or NULL (default) */
  float temperature;         /* codes are drawn from N(0, temperature^2 I); finite, >= 0 (default 1) */
  int32_t label;             /* models with classes: every row of this class; -1 (default): none */
} ae_sample_options;

/* The defaults: size = sizeof(ae_sample_options) in the caller's header, seed 0,
 * temperature 1, no conditions, label -1. Compiled into the caller (not a library call), so
 * the size always matches the struct the caller holds. */
static inline ae_sample_options ae_sample_options_default(void) {
  ae_sample_options options;
  options.size = sizeof(ae_sample_options);
  options.seed = 0;
  options.conditions = NULL;
  options.temperature = 1.0f;
  options.label = -1;
  return options;
}

/* n new rows (n * input_dim floats, in the data's units) decoded from codes drawn from
 * N(0, temperature^2 I), written to x_out, and their codes to z_out (n * latent_dim floats)
 * unless it is NULL. options may be NULL (the defaults). A conditional model takes, through
 * the options, a condition row per sample (conditions), one class for every sample (label,
 * for a model with classes), or neither: then each sample's one-hot groups are drawn
 * uniformly from the seed (what ae_sample does), and a model with continuous conditions
 * returns AE_ERROR_UNSUPPORTED. The same options give the same rows as ae_sample and
 * ae_sample_class given the same seed, temperature and label, on any thread, with any
 * workspace and thread count (to float rounding between workspace sizes or thread counts,
 * which may make BLAS pick other kernels).
 * Returns as above, and AE_ERROR_UNSUPPORTED for a model that cannot sample (not a vae or
 * cvae) or for a label given to a model without classes or conditions given to a model
 * without conditions; AE_ERROR_INVALID_ARGUMENT for NULL x_out, n == 0, a negative or
 * non-finite temperature, a label below -1 or >= the class count, or both conditions and a
 * label. */
AE_API AE_NODISCARD ae_status ae_sample_v2(const ae_model *model, ae_workspace *workspace, size_t n,
                                           const ae_sample_options *options, float *x_out, float *z_out);

/* Options of ae_interpolate_v2. */
typedef struct ae_interpolate_options {
  size_t size;               /* sizeof(ae_interpolate_options): set by ae_interpolate_options_default() */
  size_t steps;              /* rows on the path, z_a and z_b included: >= 2; the default 0 must be replaced */
  const float *condition;    /* conditional models: ONE condition row, used for every step; or NULL (default) */
  int32_t spherical;         /* non-zero: along the great circle between the codes (slerp, better for
                                Gaussian codes); 0 (default): along the straight line */
  int32_t label;             /* models with classes: the class of every step; -1 (default): none */
} ae_interpolate_options;

/* The defaults: size = sizeof(ae_interpolate_options), steps 0 (set it), no condition,
 * straight, label -1. Compiled into the caller. */
static inline ae_interpolate_options ae_interpolate_options_default(void) {
  ae_interpolate_options options;
  options.size = sizeof(ae_interpolate_options);
  options.steps = 0;
  options.condition = NULL;
  options.spherical = 0;
  options.label = -1;
  return options;
}

/* Decode options->steps codes evenly spaced from z_a to z_b (latent_dim floats each) into
 * x_out (steps * input_dim floats, in the data's units), as ae_interpolate does; a
 * conditional model decodes every step with options->condition or options->label (one of
 * them is needed: AE_ERROR_UNSUPPORTED without). options must not be NULL (steps has no
 * default). Returns as above, and AE_ERROR_INVALID_ARGUMENT for steps < 2, a label below -1
 * or out of range, or both a condition and a label; AE_ERROR_OVERFLOW when steps rows do not
 * fit; AE_ERROR_NON_FINITE for NaN or infinite codes. */
AE_API AE_NODISCARD ae_status ae_interpolate_v2(const ae_model *model, ae_workspace *workspace, const float *z_a,
                                                const float *z_b, const ae_interpolate_options *options, float *x_out);

/* Options of ae_encode_distribution_v2: the conditions of the rows, for a conditional model. */
typedef struct ae_encode_options {
  size_t size;               /* sizeof(ae_encode_options): set by ae_encode_options_default() */
  const float *conditions;   /* n condition rows; or NULL (default) */
  const int32_t *labels;     /* or, for a model with classes, n labels (0 <= label < class count); or NULL (default) */
} ae_encode_options;

/* The defaults: size = sizeof(ae_encode_options), no conditions, no labels. */
static inline ae_encode_options ae_encode_options_default(void) {
  ae_encode_options options;
  options.size = sizeof(ae_encode_options);
  options.conditions = NULL;
  options.labels = NULL;
  return options;
}

/* The posterior of n raw input rows (in the data's units): means and log-variances,
 * n * latent_dim floats each, as ae_encode_distribution; a conditional model needs
 * options->conditions or options->labels (not both), others neither. options may be NULL
 * (no conditions). Returns as above, and AE_ERROR_UNSUPPORTED for a model that is not a vae
 * or cvae, or for a cvae given neither conditions nor labels; AE_ERROR_INVALID_ARGUMENT for
 * NULL x, mean or log_variance, n == 0, both conditions and labels, or a label out of range. */
AE_API AE_NODISCARD ae_status ae_encode_distribution_v2(const ae_model *model, ae_workspace *workspace, const float *x,
                                                        size_t n, const ae_encode_options *options, float *mean,
                                                        float *log_variance);

/* ------------------------------------------------------------------------------------------
 * Workspace threads (0.2), as onnxruntime's intra-op thread count: a workspace set to n
 * threads splits each call's rows into n contiguous shares (a call with fewer rows than
 * threads uses one thread per row). Share 0 runs on the calling thread, the others on n - 1
 * threads the workspace started in ae_workspace_set_threads, each with scratch of its own made
 * there too, so a call still allocates nothing. A call with one row runs on the calling
 * thread alone, except on the library's own kernels (ae_kernels(), 0.7): there each of its
 * layers' products is split by columns over n - 1 more threads the workspace started (they spin
 * for 0.2 ms after each product, then sleep), so each core reads its share of the weights.
 * Results are bit for bit the same from run to run for a fixed n, and equal the one-thread
 * results to float rounding (the shares' smaller matrices may make BLAS pick other kernels;
 * on the own kernels they are equal bit for bit, whatever n); samples follow the seed as on
 * one thread. On the own kernels a transposed convolution's product takes about 40 KB of the
 * calling thread's stack (a strip of its kernel). A single row's product is split by
 * rows instead where it has enough of them (a convolution's positions), and runs alone where
 * it is too small to pay for the meeting.
 * OpenBLAS: the library never changes OpenBLAS's process-wide thread count
 * (OPENBLAS_NUM_THREADS, openblas_set_num_threads), and each share's matrix products may use
 * OpenBLAS's own threads too, so a process may run up to n * (OpenBLAS threads) threads of
 * work at once. On a machine with few cores, pick one kind of parallelism: workspace threads
 * with OPENBLAS_NUM_THREADS=1 (also what strict real-time callers want, see "Workspaces"), or
 * one workspace thread and OpenBLAS's threads. Workspace threads help most where OpenBLAS's
 * do not: small matrices, many rows of a narrow model, and the work between the products.
 * ---------------------------------------------------------------------------------------- */

/* Run later calls with workspace on `threads` threads (1 to 256; 1, the default, is the
 * calling thread alone). Starts threads - 1 threads (they sleep between calls and end with
 * ae_workspace_free) and allocates each a scratch block the size of the workspace's; setting
 * a smaller count ends the extra threads and frees their scratch; setting the current count
 * does nothing. Returns AE_OK, AE_ERROR_INVALID_ARGUMENT (NULL workspace, or threads < 1 or
 * > 256), AE_ERROR_MISUSE (not a live workspace, or a call is using it right now), or
 * AE_ERROR_OUT_OF_MEMORY (the scratch could not be allocated, all threads' scratch together
 * would exceed the machine's physical memory, or a thread could not be started: the
 * workspace then keeps its previous setting). */
AE_API AE_NODISCARD ae_status ae_workspace_set_threads(ae_workspace *workspace, int threads);

/* The workspace's thread count (1 unless set); 0, with ae_last_error() set, for NULL or a
 * handle that is not a live workspace (or one that a call is using right now). */
AE_API int ae_workspace_threads(const ae_workspace *workspace);

/* ------------------------------------------------------------------------------------------
 * Table models: synthesizers of tables, made by `ae augment fit TABLE.csv` (a VAE over the
 * table's encoded columns). Their rows are not floats for the network but one value per
 * column: a number (continuous, integer and datetime columns; a datetime is seconds since
 * 1970-01-01T00:00:00Z), the index of a category (categorical and boolean columns, whose labels
 * ae_table_category gives; a boolean's are "false" and "true"), or NaN for a missing cell. So
 * they have calls of their own: the compute and generating calls above return
 * AE_ERROR_UNSUPPORTED for a table model, and the calls below treat every other model as a
 * table of no columns.
 * Introspection: given a model that is not a table model, a column out of range or a category
 * index out of range, these return 0, NULL or -1 and set ae_last_error() (saying which);
 * given an open table model and valid indexes they empty it. The strings are the model's own,
 * valid until it is closed.
 * ---------------------------------------------------------------------------------------- */

/* The kind of a table column (ae_table_column_kind). Values are fixed. */
typedef enum ae_column_kind {
  AE_COLUMN_CONTINUOUS = 0,  /* real numbers */
  AE_COLUMN_INTEGER = 1,     /* whole numbers (as doubles) */
  AE_COLUMN_CATEGORICAL = 2, /* category indexes; a missing cell is the category "" when the table had one */
  AE_COLUMN_BOOLEAN = 3,     /* 0 ("false") or 1 ("true") */
  AE_COLUMN_DATETIME = 4     /* seconds since 1970-01-01T00:00:00Z */
} ae_column_kind;

/* Columns of a table model (values per sampled row); 0 for other models, NULL or a handle that
 * is not an open model (which also sets ae_last_error()). */
AE_API size_t ae_table_column_count(const ae_model *model);
/* The name of column `column` (its CSV header), or NULL. */
AE_API const char *ae_table_column_name(const ae_model *model, size_t column);
/* The kind of column `column`, an ae_column_kind value, or -1. */
AE_API int ae_table_column_kind(const ae_model *model, size_t column);
/* Categories of column `column`: its labels for a categorical or boolean column, 0 for a number
 * column (and on failure). */
AE_API size_t ae_table_category_count(const ae_model *model, size_t column);
/* The label of category `index` of column `column` (what a sampled value `index` stands for),
 * or NULL (also for a number column). */
AE_API const char *ae_table_category(const ae_model *model, size_t column, size_t index);
/* 1 when the model is conditioned on column `column`, so ae_sample_table can fix its value
 * (categorical and boolean columns of 2 to 100 categories); 0 when not; -1 on failure. */
AE_API int ae_table_column_is_condition(const ae_model *model, size_t column);

/* Rows first_row .. first_row + rows - 1 of the table sample for `seed`, written to out: rows x
 * ae_table_column_count() doubles, row-major (see above: numbers, category indexes, NaN for a
 * missing cell). Numbers stay within the range seen in training. Row i of a sample is drawn
 * from streams of its own, so the same seed gives the same rows on any thread, with or without
 * a workspace, and a long sample can be made in chunks (first_row = 0, 1000, 2000, ...) or in
 * parallel shards: the rows equal a single call's to float rounding (numbers may differ in the
 * last bits between chunk sizes, as BLAS picks its kernels by matrix size, which can flip a
 * category drawn at a boundary, rarely).
 * fixed: NULL, or ae_table_column_count() values: NaN for a free column, or the category index
 * to fix for a condition column (ae_table_column_is_condition): every row then has that value,
 * and the other columns are drawn as the model learned them given it (no rejection).
 * workspace: NULL (the call allocates its scratch) or one made for this model (rows then run in
 * passes of its max_rows).
 * Returns AE_OK, AE_ERROR_INVALID_ARGUMENT (NULL model or out, rows == 0, first_row + rows beyond
 * 2^63 - 1, or a fixed value that is neither NaN nor a category index of a condition column:
 * the message names the column), AE_ERROR_UNSUPPORTED (not a table model), AE_ERROR_OVERFLOW
 * (rows x columns does not fit in size_t), AE_ERROR_NON_FINITE (the network's outputs
 * overflowed: every value of out is then NaN), AE_ERROR_OUT_OF_MEMORY, or the workspace
 * statuses of the _ws calls (AE_ERROR_WORKSPACE, AE_ERROR_MISUSE). */
AE_API AE_NODISCARD ae_status ae_sample_table(const ae_model *model, ae_workspace *workspace, size_t rows,
                                              uint64_t seed, uint64_t first_row, const double *fixed, double *out);

/* ------------------------------------------------------------------------------------------
 * Sound (0.4): timbre models, made by `ae audio train` (a VAE over the log-magnitude STFT
 * frames of sounds, optionally conditioned on pitch). A code (ae_audio_info's latent_dim
 * floats) stands for one frame of sound, one hop of samples; a sequence of codes is a sound.
 * These calls render whole sounds (generate, morph) or play codes in real time (streams).
 * Every other model is refused with AE_ERROR_UNSUPPORTED and a message saying it is not a
 * timbre model; a timbre model's frames also go through the plain calls (ae_decode_conditioned
 * gives a frame's log magnitudes), but only these calls turn them into samples.
 * Samples are 32-bit floats at the model's sample rate, mono, nominally in [-1, 1].
 * Pitch: a pitch-conditioned model (takes_pitch) needs a MIDI note number, 0 to 127 (69 is
 * A4 at 440 Hz; fractions allowed); a model without pitch takes NAN where a pitch is asked for.
 * A NaN pitch for a pitch model, or a pitch for a model without one, is AE_ERROR_INVALID_ARGUMENT.
 * ---------------------------------------------------------------------------------------- */

/* A timbre model's settings. Written by ae_audio_info, which writes only the first `size`
 * bytes (as the options structs, this struct only grows by appending fields): start from
 * ae_audio_info_default(). A struct, not a typedef, as `struct stat` beside stat(). */
struct ae_audio_info {
  size_t size;           /* sizeof(struct ae_audio_info): set by ae_audio_info_default() */
  size_t sample_rate;    /* samples per second */
  size_t fft_size;       /* samples per frame: a stream's latency (see "Streams") */
  size_t hop;            /* samples between frames: one code per hop */
  size_t latent_dim;     /* floats per code */
  int32_t takes_pitch;   /* 1: every frame needs a pitch (a MIDI note number); 0: none */
};

/* size = sizeof(struct ae_audio_info), every other field 0. Compiled into the caller. */
static inline struct ae_audio_info ae_audio_info_default(void) {
  struct ae_audio_info info;
  info.size = sizeof(struct ae_audio_info);
  info.sample_rate = 0;
  info.fft_size = 0;
  info.hop = 0;
  info.latent_dim = 0;
  info.takes_pitch = 0;
  return info;
}

/* Describe a timbre model. Returns AE_OK, AE_ERROR_INVALID_ARGUMENT (NULL model or info, or
 * info->size below the struct's first version), AE_ERROR_VERSION (info->size larger than this
 * library's struct), AE_ERROR_MISUSE (not an open model) or AE_ERROR_UNSUPPORTED (not a timbre
 * model: ae_last_error() says so and why). The way to ask "is this a timbre model?". */
AE_API AE_NODISCARD ae_status ae_audio_info(const ae_model *model, struct ae_audio_info *info);

/* Samples ae_audio_generate writes for `seconds`: seconds * sample_rate, rounded down.
 * Returns AE_OK, or AE_ERROR_INVALID_ARGUMENT for a NULL samples or seconds outside (0, 3600]
 * (NaN included), and the model statuses of ae_audio_info. */
AE_API AE_NODISCARD ae_status ae_audio_generate_length(const ae_model *model, double seconds, size_t *samples);

/* A new sound of `seconds`: a smooth walk through the code space drawn from `seed` (new anchor
 * codes from N(0, I) every half second, eased between), decoded at `pitch` (NAN for a model
 * without pitch), its phase reconstructed (a streaming estimate refined by Griffin-Lim). The
 * same model, seed and pitch give the same samples. Writes ae_audio_generate_length() samples
 * to out (capacity floats long) and their count to *written.
 * Returns AE_OK, AE_ERROR_INVALID_ARGUMENT (NULL out or written, seconds outside (0, 3600], a
 * pitch out of range, NaN for a pitch model or given to a model without pitch, or a capacity
 * below the length: the message says the length needed), AE_ERROR_OUT_OF_MEMORY (checked
 * before rendering: the sound's working memory, about 6 * frames * (fft_size / 2 + 1) + 4 *
 * samples floats, could not be allocated), AE_ERROR_NON_FINITE (the model's output overflowed),
 * and the model statuses of ae_audio_info. Nothing is written on failure. */
AE_API AE_NODISCARD ae_status ae_audio_generate(const ae_model *model, double seconds, unsigned long long seed,
                                                float pitch, float *out, size_t capacity, size_t *written);

/* Samples ae_audio_morph writes: steps * a_len. Returns AE_OK, AE_ERROR_INVALID_ARGUMENT (NULL
 * samples, a_len or b_len 0, steps outside 2 to 1000), AE_ERROR_OVERFLOW, and the model
 * statuses of ae_audio_info. */
AE_API AE_NODISCARD ae_status ae_audio_morph_length(const ae_model *model, size_t a_len, size_t b_len, size_t steps,
                                                    size_t *samples);

/* A morph from sound a (a_len samples at the model's rate) to sound b (b_len samples): both
 * encoded frame by frame, then `steps` sounds one after another, each as long as a, whose
 * codes blend a's into b's (b's frames stretched or squeezed to a's count) with weight
 * s / (steps - 1) on b for step s; the pitch blends alike from pitch_a to pitch_b (NAN, both,
 * for a model without pitch). So the first step is a rendered as the model hears it, the last
 * b stretched to a's length. Writes ae_audio_morph_length() samples to out (capacity floats)
 * and their count to *written.
 * Returns as ae_audio_generate, and AE_ERROR_INVALID_ARGUMENT for NULL a or b, lengths 0 or
 * steps outside 2 to 1000; AE_ERROR_NON_FINITE for a NaN or infinite sample of a or b. */
AE_API AE_NODISCARD ae_status ae_audio_morph(const ae_model *model, const float *a, size_t a_len, const float *b,
                                             size_t b_len, float pitch_a, float pitch_b, size_t steps, float *out,
                                             size_t capacity, size_t *written);

/* ------------------------------------------------------------------------------------------
 * Streams (0.4): a timbre model played in real time. One thread (the control thread) pushes
 * codes, one per frame, into the stream's queue; another (the audio thread, in its callback)
 * pulls samples. Each pull decodes frames as it needs them: it takes the next queued code, or
 * holds the last one when the queue is empty (silence before the first push), decodes it to
 * magnitudes, gives them phases that continue the previous frame's (a phase vocoder with
 * identity phase locking: no look-ahead), inverse-transforms, windows and overlap-adds; each
 * frame releases `hop` samples (ae_audio_info).
 * - Latency: fft_size samples. A code taken by a pull is heard at once, but fully only
 *   fft_size samples later (its frame overlaps fft_size / hop others); add the queue's
 *   length, in hops, for the codes already waiting.
 * - Real time: ae_stream_pull allocates no memory, takes no lock (the queue is a lock-free
 *   single-producer/single-consumer ring on atomic counters), does no I/O and formats no
 *   text on success; it runs the network on one row (as the _ws calls: set
 *   OPENBLAS_NUM_THREADS=1 for strict real time) and an FFT of fft_size. ae_stream_push
 *   allocates nothing either (it copies into the queue). Its cost is steady: one frame's
 *   decoding per hop samples pulled.
 * - Threads: at most one thread pushing and one pulling at a time (they may be the same
 *   thread, or two). A second concurrent pusher, or puller, gets AE_ERROR_MISUSE and changes
 *   nothing. ae_stream_reset needs both sides idle (AE_ERROR_MISUSE otherwise). ae_stream_free
 *   while a push or pull runs is safe, as for the other handles: the call completes, the
 *   stream goes when it returns, later calls get AE_ERROR_MISUSE.
 * - A stream keeps its model alive: the model may be closed before the stream is freed.
 * ---------------------------------------------------------------------------------------- */

/* A stream of one timbre model. Opaque; a handle checked as models and workspaces are. */
typedef struct ae_stream ae_stream;

/* A stream of `model` with a queue of queue_frames codes (1 to 2^20; a few hops' worth plus
 * what the control thread pushes at once). workspace: NULL (the stream makes its own, of one
 * row) or a workspace made for this model, which the stream then decodes with: each pull takes
 * it as a _ws call does, so using it elsewhere during a pull makes that pull (or the other
 * call) fail with AE_ERROR_MISUSE, and freeing it makes every later pull fail so. Everything
 * the stream needs is allocated here.
 * Returns AE_OK, AE_ERROR_INVALID_ARGUMENT (NULL model or stream, queue_frames 0 or above 2^20),
 * AE_ERROR_UNSUPPORTED (not a timbre model), AE_ERROR_WORKSPACE (a workspace of another model),
 * AE_ERROR_MISUSE (not an open model or live workspace) or AE_ERROR_OUT_OF_MEMORY. */
AE_API AE_NODISCARD ae_status ae_stream_create(const ae_model *model, ae_workspace *workspace, size_t queue_frames,
                                               ae_stream **stream);

/* Queue `frames` codes (frames * latent_dim floats, row-major) and, for a model that takes
 * pitch, one pitch per frame (frames floats, MIDI note numbers 0 to 127); pitches must be NULL
 * for a model without pitch. All or nothing: when the queue has less room than `frames`
 * (ae_stream_room), nothing is queued and AE_ERROR_QUEUE_FULL says how much room there is:
 * push again after the stream has played some (or push fewer).
 * Returns AE_OK, AE_ERROR_QUEUE_FULL, AE_ERROR_INVALID_ARGUMENT (NULL stream or codes, frames
 * 0, NULL pitches for a pitch model, pitches for a model without, a pitch out of range),
 * AE_ERROR_NON_FINITE (a NaN or infinite code or pitch), AE_ERROR_OVERFLOW or AE_ERROR_MISUSE
 * (not a live stream, or another thread is pushing). */
AE_API AE_NODISCARD ae_status ae_stream_push(ae_stream *stream, const float *codes, const float *pitches, size_t frames);

/* The next n samples of the stream into out. Real-time safe (see above).
 * Returns AE_OK, AE_ERROR_INVALID_ARGUMENT (NULL stream or out, n 0), AE_ERROR_OVERFLOW,
 * AE_ERROR_MISUSE (not a live stream; another thread is pulling; the stream's workspace is
 * freed or in use), or AE_ERROR_NON_FINITE (the model's output for a frame overflowed: the
 * frame is silence, as is the rest of out: an audio buffer never holds NaN). */
AE_API AE_NODISCARD ae_status ae_stream_pull(ae_stream *stream, float *out, size_t n);

/* Frames ae_stream_push can queue now (a lower bound while the stream is being pulled); 0 for
 * NULL or a handle that is not a live stream (which also sets ae_last_error()). */
AE_API size_t ae_stream_room(const ae_stream *stream);

/* Back to the state of a new stream: the queue emptied, the sound so far forgotten, silence
 * until the next push. Allocates (a little): not for the audio thread. Returns AE_OK,
 * AE_ERROR_INVALID_ARGUMENT (NULL) or AE_ERROR_MISUSE (not a live stream, or a push or pull
 * is running). */
AE_API AE_NODISCARD ae_status ae_stream_reset(ae_stream *stream);

/* Free a stream (see "Threads" above). NULL does nothing; a handle that is not a live stream
 * does nothing but set ae_last_error(). */
AE_API void ae_stream_free(ae_stream *stream);

/* ------------------------------------------------------------------------------------------
 * Images (0.6): denoising and inpainting whole images of any size with an image model (one whose
 * rows are small images: ae_model_input_shape gives its tile, e.g. 28x28x1 for Fashion-MNIST).
 * pixels and out: height * width * channels floats, rows top to bottom, channels fastest, in
 * the data's units (those of ae_reconstruct: 0 to 255 for a Fashion-MNIST model). The image
 * is cut into tiles of the model's size that overlap by a quarter (the last one flush with
 * each edge), reconstructed in batches, and blended with a raised-cosine weight that is
 * largest in a tile's middle; an image smaller than a tile is padded by repeating its edge
 * pixels, and an image exactly one tile in size gives what ae_reconstruct gives. A 1-channel
 * model takes each channel of a many-channel image alone; a C-channel model takes C-channel
 * images; a grey image through a 3-channel model is refused (repeat its channel instead).
 * workspace: NULL (the call makes its own) or one made for this model, which sets the tiles
 * per batch (its max_rows) and the threads they are split over.
 * Both return AE_OK, AE_ERROR_INVALID_ARGUMENT (NULL model, pixels, mask or out; height, width
 * or channels 0; channels that do not fit the model; iterations out of range; a mask with no
 * known pixel), AE_ERROR_MISUSE (not an open model or live workspace), AE_ERROR_WORKSPACE (a
 * workspace of another model), AE_ERROR_OVERFLOW (the image's size does not fit in size_t),
 * AE_ERROR_NON_FINITE (a NaN or infinite pixel, or a result that overflowed a float),
 * AE_ERROR_OUT_OF_MEMORY, or AE_ERROR_UNSUPPORTED (a model whose rows are not images, or a
 * conditional one). out may not overlap pixels; after a failure its contents are unspecified.
 * ---------------------------------------------------------------------------------------- */

/* The model's reconstruction of a whole image, tile by tile: for a denoising model, the image
 * cleaned. */
AE_API AE_NODISCARD ae_status ae_denoise_image(const ae_model *model, ae_workspace *workspace, const float *pixels,
                                               size_t height, size_t width, size_t channels, float *out);

/* Fill an image's missing pixels. known_mask: height * width bytes, nonzero for a known pixel,
 * 0 for a missing one (all its channels). Missing pixels start at the mean of the known ones
 * (per channel); then each of `iterations` rounds (0 to 100000; 20 is a good start)
 * reconstructs the image as ae_denoise_image does and puts the known pixels back, so they
 * come out bit for bit as given. Missing pixels may hold anything (NaN too); known pixels must
 * be finite. */
AE_API AE_NODISCARD ae_status ae_inpaint_image(const ae_model *model, ae_workspace *workspace, const float *pixels,
                                               const unsigned char *known_mask, size_t height, size_t width,
                                               size_t channels, int iterations, float *out);

/* ------------------------------------------------------------------------------------------
 * Compressed codes (0.6; docs/COMPRESSION.md): rows stored as their codes (a VAE's mean), each code
 * value quantized to `bits` bits (1...16) over its dimension's min..max in the rows given,
 * in a file that names the model (the CRC-32 of its weights and scaling), so only the same
 * model decompresses it. The bytes are the file `ae compress` writes and `ae decompress` reads.
 * Unconditional models only (others: AE_ERROR_UNSUPPORTED). Thread safety: as the compute calls.
 * ---------------------------------------------------------------------------------------- */

/* The most bytes ae_compress can write for n rows at `bits` bits:
 * 40 + 8 * latent_dim + ceil(n * latent_dim * bits / 8). AE_ERROR_INVALID_ARGUMENT for NULL
 * bytes or bits outside 1...16, AE_ERROR_OVERFLOW when the size does not fit in size_t. */
AE_API AE_NODISCARD ae_status ae_compress_bound(const ae_model *model, size_t n, int bits, size_t *bytes);

/* Compress n raw rows x (n * input_dim floats, the data's units) into out (capacity bytes;
 * ae_compress_bound's size always fits) and set *written to the bytes written. Returns the
 * compute calls' statuses, and AE_ERROR_INVALID_ARGUMENT for bits outside 1...16 or an out
 * too small (then nothing is written and *written is left as it was). */
AE_API AE_NODISCARD ae_status ae_compress(const ae_model *model, const float *x, size_t n, int bits,
                                          unsigned char *out, size_t capacity, size_t *written);

/* Decode the `size` bytes of compressed codes at data (made by ae_compress or ae compress with
 * this model) into x: *rows rows of input_dim floats in the data's units. With x NULL it only
 * checks the data and sets *rows to the rows x must hold. AE_ERROR_FORMAT when the data is
 * not such a file (truncated, damaged, another format version, bits outside 1...16, sizes the
 * bytes cannot hold: every field is checked before anything is read or allocated) or was
 * compressed with another model; AE_ERROR_INVALID_ARGUMENT when x holds fewer than the data's
 * rows (max_rows); the compute calls' statuses otherwise. */
AE_API AE_NODISCARD ae_status ae_decompress(const ae_model *model, const unsigned char *data, size_t size,
                                            float *x, size_t max_rows, size_t *rows);

#ifdef __cplusplus
}
#endif
#endif /* AUTOENCODER_H */
