"""One-to-one ctypes mirror of include/autoencoder.h. Each C prototype sits above its declaration.

Importing this module does not load the library: the first use of a C function (or of `lib`)
does, so `import autoencoder` and `help(autoencoder)` work on a machine without it. Where the
library comes from, in order:

1. $AUTOENCODER_LIBRARY, when set: that file and nothing else (an explicit choice is never
   silently replaced by another copy);
2. the copy bundled in this package (`pip install bindings/python` in a checkout where
   `bash scripts/build-lib.sh` has run copies .build-lib/release/libautoencoder.so here);
3. the system's: ctypes.util.find_library("autoencoder"), then libautoencoder.so.<ABI>.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import enum
import os
import pathlib
import threading
from typing import List

ABI_VERSION = 1  # AE_ABI_VERSION of the header this mirror was written against
MINIMUM_VERSION = "0.8.0"  # the first library with every function below (conditions, options, threads, tables, sound, images, compression, kernels, int8)


class Status(enum.IntEnum):
    """ae_status: the C library's status codes (values fixed by the header; new ones only appended)."""
    OK = 0
    INVALID_ARGUMENT = 1
    IO = 2
    FORMAT = 3
    VERSION = 4
    DIMENSION = 5
    NON_FINITE = 6
    OVERFLOW = 7
    OUT_OF_MEMORY = 8
    UNSUPPORTED = 9
    WORKSPACE = 10
    MISUSE = 11
    UNVERIFIED = 12
    QUEUE_FULL = 13
    INTERNAL = 99


# #define AE_OPEN_DEFAULT 0u
AE_OPEN_DEFAULT = 0
# #define AE_OPEN_UNVERIFIED 1u   (read a file that carries no checksum)
AE_OPEN_UNVERIFIED = 1
# #define AE_OPEN_BFLOAT16 2u   (the layers' kernels rounded to bfloat16; 0.7)
AE_OPEN_BFLOAT16 = 2
# #define AE_OPEN_INT8 4u   (dense and convolution layers in int8; 0.8)
AE_OPEN_INT8 = 4

# typedef enum ae_condition_kind { AE_CONDITION_ONE_HOT = 0, AE_CONDITION_CONTINUOUS = 1 } ae_condition_kind;
AE_CONDITION_ONE_HOT = 0
AE_CONDITION_CONTINUOUS = 1

# typedef enum ae_column_kind { AE_COLUMN_CONTINUOUS = 0, AE_COLUMN_INTEGER = 1, AE_COLUMN_CATEGORICAL = 2,
#                               AE_COLUMN_BOOLEAN = 3, AE_COLUMN_DATETIME = 4 } ae_column_kind;
AE_COLUMN_CONTINUOUS = 0
AE_COLUMN_INTEGER = 1
AE_COLUMN_CATEGORICAL = 2
AE_COLUMN_BOOLEAN = 3
AE_COLUMN_DATETIME = 4

# The most threads ae_workspace_set_threads takes (1 to 256).
AE_WORKSPACE_MAX_THREADS = 256

_float_p = ctypes.POINTER(ctypes.c_float)
_data_p = ctypes.c_void_p  # float arrays: passed as ndarray.ctypes.data, much cheaper than data_as
_model_p = ctypes.c_void_p
_workspace_p = ctypes.c_void_p
_size = ctypes.c_size_t
_status = ctypes.c_int


# -- Options structs (0.2) --
# Each starts with a size field that tells the library which version of the struct the caller
# holds. The header's ..._options_default() initializers are static inline functions, compiled
# into C callers, so they are not in the library: `default()` below mirrors each one, and sets
# size to ctypes.sizeof of the struct mirrored here. Field order, types and padding follow the
# header exactly (tests/test_conditions.py compares sizes, offsets and defaults with a C
# compiler's). Pointer fields are c_void_p: they take an ndarray's .ctypes.data directly.

class SampleOptions(ctypes.Structure):
    """typedef struct ae_sample_options {
      size_t size;               // sizeof(ae_sample_options)
      unsigned long long seed;   // the draws' seed (default 0)
      const float *conditions;   // n condition rows, or NULL (default)
      float temperature;         // finite, >= 0 (default 1)
      int32_t label;             // models with classes: every row of this class; -1 (default): none
    } ae_sample_options;"""
    _fields_ = [("size", ctypes.c_size_t), ("seed", ctypes.c_ulonglong), ("conditions", ctypes.c_void_p),
                ("temperature", ctypes.c_float), ("label", ctypes.c_int32)]

    @classmethod
    def default(cls) -> "SampleOptions":
        """ae_sample_options_default(): seed 0, no conditions, temperature 1, label -1."""
        return cls(size=ctypes.sizeof(cls), seed=0, conditions=None, temperature=1.0, label=-1)


class InterpolateOptions(ctypes.Structure):
    """typedef struct ae_interpolate_options {
      size_t size;               // sizeof(ae_interpolate_options)
      size_t steps;              // rows on the path, ends included: >= 2; the default 0 must be replaced
      const float *condition;    // ONE condition row for every step, or NULL (default)
      int32_t spherical;         // non-zero: slerp; 0 (default): straight line
      int32_t label;             // models with classes: the class of every step; -1 (default): none
    } ae_interpolate_options;"""
    _fields_ = [("size", ctypes.c_size_t), ("steps", ctypes.c_size_t), ("condition", ctypes.c_void_p),
                ("spherical", ctypes.c_int32), ("label", ctypes.c_int32)]

    @classmethod
    def default(cls) -> "InterpolateOptions":
        """ae_interpolate_options_default(): steps 0 (set it), no condition, straight, label -1."""
        return cls(size=ctypes.sizeof(cls), steps=0, condition=None, spherical=0, label=-1)


class EncodeOptions(ctypes.Structure):
    """typedef struct ae_encode_options {
      size_t size;               // sizeof(ae_encode_options)
      const float *conditions;   // n condition rows, or NULL (default)
      const int32_t *labels;     // or n labels, for a model with classes; or NULL (default)
    } ae_encode_options;"""
    _fields_ = [("size", ctypes.c_size_t), ("conditions", ctypes.c_void_p), ("labels", ctypes.c_void_p)]

    @classmethod
    def default(cls) -> "EncodeOptions":
        """ae_encode_options_default(): no conditions, no labels."""
        return cls(size=ctypes.sizeof(cls), conditions=None, labels=None)

class AudioInfo(ctypes.Structure):
    """struct ae_audio_info {
      size_t size;           // sizeof(struct ae_audio_info)
      size_t sample_rate;    // samples per second
      size_t fft_size;       // samples per frame: a stream's latency
      size_t hop;            // samples between frames: one code per hop
      size_t latent_dim;     // floats per code
      int32_t takes_pitch;   // 1: every frame needs a pitch (a MIDI note number); 0: none
    };"""
    _fields_ = [("size", ctypes.c_size_t), ("sample_rate", ctypes.c_size_t), ("fft_size", ctypes.c_size_t),
                ("hop", ctypes.c_size_t), ("latent_dim", ctypes.c_size_t), ("takes_pitch", ctypes.c_int32)]

    @classmethod
    def default(cls) -> "AudioInfo":
        """ae_audio_info_default(): size set, every other field 0."""
        return cls(size=ctypes.sizeof(cls))


_stream_p = ctypes.c_void_p

# name: (restype, argtypes), in the header's order.
_PROTOTYPES = {
    # -- Versions --
    # const char *ae_version(void);
    "ae_version": (ctypes.c_char_p, ()),
    # int ae_version_number(void);
    "ae_version_number": (ctypes.c_int, ()),
    # int ae_abi_version(void);
    "ae_abi_version": (ctypes.c_int, ()),
    # const char *ae_kernels(void);  (0.7)
    "ae_kernels": (ctypes.c_char_p, ()),
    # const char *ae_int8_kernels(void);  (0.8)
    "ae_int8_kernels": (ctypes.c_char_p, ()),
    # -- Status codes --
    # const char *ae_status_string(ae_status status);
    "ae_status_string": (ctypes.c_char_p, (ctypes.c_int,)),
    # const char *ae_last_error(void);
    "ae_last_error": (ctypes.c_char_p, ()),
    # -- Models --
    # ae_status ae_model_open(const char *path, ae_model **model);
    "ae_model_open": (_status, (ctypes.c_char_p, ctypes.POINTER(_model_p))),
    # ae_status ae_model_open_memory(const void *buffer, size_t length, ae_model **model);
    "ae_model_open_memory": (_status, (ctypes.c_void_p, _size, ctypes.POINTER(_model_p))),
    # ae_status ae_model_open_v2(const char *path, unsigned flags, ae_model **model);
    "ae_model_open_v2": (_status, (ctypes.c_char_p, ctypes.c_uint, ctypes.POINTER(_model_p))),
    # ae_status ae_model_open_memory_v2(const void *buffer, size_t length, unsigned flags, ae_model **model);
    "ae_model_open_memory_v2": (_status, (ctypes.c_void_p, _size, ctypes.c_uint, ctypes.POINTER(_model_p))),
    # void ae_model_close(ae_model *model);
    "ae_model_close": (None, (_model_p,)),
    # const char *ae_model_kind(const ae_model *model);
    "ae_model_kind": (ctypes.c_char_p, (_model_p,)),
    # size_t ae_model_input_dim(const ae_model *model);
    "ae_model_input_dim": (_size, (_model_p,)),
    # size_t ae_model_latent_dim(const ae_model *model);
    "ae_model_latent_dim": (_size, (_model_p,)),
    # size_t ae_model_layer_count(const ae_model *model);
    "ae_model_layer_count": (_size, (_model_p,)),
    # int ae_model_can_sample(const ae_model *model);
    "ae_model_can_sample": (ctypes.c_int, (_model_p,)),
    # const char *ae_model_loss(const ae_model *model);
    "ae_model_loss": (ctypes.c_char_p, (_model_p,)),
    # size_t ae_model_class_count(const ae_model *model);
    "ae_model_class_count": (_size, (_model_p,)),
    # size_t ae_model_condition_width(const ae_model *model);
    "ae_model_condition_width": (_size, (_model_p,)),
    # size_t ae_model_condition_group_count(const ae_model *model);
    "ae_model_condition_group_count": (_size, (_model_p,)),
    # ae_status ae_model_input_shape(const ae_model *model, size_t shape[3]);
    "ae_model_input_shape": (_status, (_model_p, ctypes.POINTER(_size))),
    # ae_status ae_model_scaling(const ae_model *model, const char **method, const float **offset, const float **scale);
    "ae_model_scaling": (_status, (_model_p, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(_float_p),
                                   ctypes.POINTER(_float_p))),
    # -- Compute --
    # ae_status ae_encode(const ae_model *model, const float *x, size_t n, float *z);
    "ae_encode": (_status, (_model_p, _data_p, _size, _data_p)),
    # ae_status ae_decode(const ae_model *model, const float *z, size_t n, float *x_out);
    "ae_decode": (_status, (_model_p, _data_p, _size, _data_p)),
    # ae_status ae_reconstruct(const ae_model *model, const float *x, size_t n, float *x_out);
    "ae_reconstruct": (_status, (_model_p, _data_p, _size, _data_p)),
    # ae_status ae_score(const ae_model *model, const float *x, size_t n, float *scores);
    "ae_score": (_status, (_model_p, _data_p, _size, _data_p)),
    # -- Anomaly detection (0.5) --
    # const char *ae_model_score_kind(const ae_model *model);
    "ae_model_score_kind": (ctypes.c_char_p, (_model_p,)),
    # ae_status ae_model_threshold(const ae_model *model, double *threshold);
    "ae_model_threshold": (_status, (_model_p, ctypes.POINTER(ctypes.c_double))),
    # ae_status ae_classify(const ae_model *model, const float *x, size_t n, int *labels);
    "ae_classify": (_status, (_model_p, _data_p, _size, ctypes.c_void_p)),
    # -- Generative models --
    # ae_status ae_encode_distribution(const ae_model *model, const float *x, size_t n, float *mean, float *log_variance);
    "ae_encode_distribution": (_status, (_model_p, _data_p, _size, _data_p, _data_p)),
    # ae_status ae_sample(const ae_model *model, size_t n, unsigned long long seed, float temperature, float *x_out,
    #                     float *z_out);
    "ae_sample": (_status, (_model_p, _size, ctypes.c_ulonglong, ctypes.c_float, _data_p, _data_p)),
    # ae_status ae_sample_class(const ae_model *model, size_t n, size_t label, unsigned long long seed, float temperature,
    #                           float *x_out, float *z_out);
    "ae_sample_class": (_status, (_model_p, _size, _size, ctypes.c_ulonglong, ctypes.c_float, _data_p, _data_p)),
    # ae_status ae_interpolate(const ae_model *model, const float *z_a, const float *z_b, size_t steps, int spherical,
    #                          float *x_out);
    "ae_interpolate": (_status, (_model_p, _data_p, _data_p, _size, ctypes.c_int, _data_p)),
    # -- Workspaces --
    # ae_status ae_workspace_create(const ae_model *model, size_t max_rows, ae_workspace **workspace);
    "ae_workspace_create": (_status, (_model_p, _size, ctypes.POINTER(_workspace_p))),
    # void ae_workspace_free(ae_workspace *workspace);
    "ae_workspace_free": (None, (_workspace_p,)),
    # ae_status ae_encode_ws(const ae_model *model, ae_workspace *workspace, const float *x, size_t n, float *z);
    "ae_encode_ws": (_status, (_model_p, _workspace_p, _data_p, _size, _data_p)),
    # ae_status ae_decode_ws(const ae_model *model, ae_workspace *workspace, const float *z, size_t n, float *x_out);
    "ae_decode_ws": (_status, (_model_p, _workspace_p, _data_p, _size, _data_p)),
    # ae_status ae_reconstruct_ws(const ae_model *model, ae_workspace *workspace, const float *x, size_t n, float *x_out);
    "ae_reconstruct_ws": (_status, (_model_p, _workspace_p, _data_p, _size, _data_p)),
    # ae_status ae_score_ws(const ae_model *model, ae_workspace *workspace, const float *x, size_t n, float *scores);
    "ae_score_ws": (_status, (_model_p, _workspace_p, _data_p, _size, _data_p)),
    # ae_status ae_sample_ws(const ae_model *model, ae_workspace *workspace, size_t n, unsigned long long seed,
    #                        float temperature, float *x_out, float *z_out);
    "ae_sample_ws": (_status, (_model_p, _workspace_p, _size, ctypes.c_ulonglong, ctypes.c_float, _data_p, _data_p)),
    # -- Conditional models --
    # ae_status ae_encode_labeled(const ae_model *model, ae_workspace *workspace, const float *x, const int *labels,
    #                             size_t n, float *z);  (and _decode_, _reconstruct_, _score_labeled alike)
    "ae_encode_labeled": (_status, (_model_p, _workspace_p, _data_p, _data_p, _size, _data_p)),
    "ae_decode_labeled": (_status, (_model_p, _workspace_p, _data_p, _data_p, _size, _data_p)),
    "ae_reconstruct_labeled": (_status, (_model_p, _workspace_p, _data_p, _data_p, _size, _data_p)),
    "ae_score_labeled": (_status, (_model_p, _workspace_p, _data_p, _data_p, _size, _data_p)),
    # -- Conditions (0.2) --
    # ae_status ae_model_condition_group(const ae_model *model, size_t index, const char **name, int *kind,
    #                                    size_t *width);
    "ae_model_condition_group": (_status, (_model_p, _size, ctypes.POINTER(ctypes.c_char_p),
                                           ctypes.POINTER(ctypes.c_int), ctypes.POINTER(_size))),
    # ae_status ae_encode_conditioned(const ae_model *model, ae_workspace *workspace, const float *x,
    #                                 const float *conditions, size_t n, float *z);
    #   (and _decode_, _reconstruct_, _score_conditioned alike)
    "ae_encode_conditioned": (_status, (_model_p, _workspace_p, _data_p, _data_p, _size, _data_p)),
    "ae_decode_conditioned": (_status, (_model_p, _workspace_p, _data_p, _data_p, _size, _data_p)),
    "ae_reconstruct_conditioned": (_status, (_model_p, _workspace_p, _data_p, _data_p, _size, _data_p)),
    "ae_score_conditioned": (_status, (_model_p, _workspace_p, _data_p, _data_p, _size, _data_p)),
    # -- Generating with options (0.2) --
    # ae_status ae_sample_v2(const ae_model *model, ae_workspace *workspace, size_t n,
    #                        const ae_sample_options *options, float *x_out, float *z_out);
    "ae_sample_v2": (_status, (_model_p, _workspace_p, _size, ctypes.POINTER(SampleOptions), _data_p, _data_p)),
    # ae_status ae_interpolate_v2(const ae_model *model, ae_workspace *workspace, const float *z_a, const float *z_b,
    #                             const ae_interpolate_options *options, float *x_out);
    "ae_interpolate_v2": (_status, (_model_p, _workspace_p, _data_p, _data_p, ctypes.POINTER(InterpolateOptions),
                                    _data_p)),
    # ae_status ae_encode_distribution_v2(const ae_model *model, ae_workspace *workspace, const float *x, size_t n,
    #                                     const ae_encode_options *options, float *mean, float *log_variance);
    "ae_encode_distribution_v2": (_status, (_model_p, _workspace_p, _data_p, _size, ctypes.POINTER(EncodeOptions),
                                            _data_p, _data_p)),
    # -- Workspace threads (0.2) --
    # ae_status ae_workspace_set_threads(ae_workspace *workspace, int threads);
    "ae_workspace_set_threads": (_status, (_workspace_p, ctypes.c_int)),
    # int ae_workspace_threads(const ae_workspace *workspace);
    "ae_workspace_threads": (ctypes.c_int, (_workspace_p,)),
    # -- Table models --
    # size_t ae_table_column_count(const ae_model *model);
    "ae_table_column_count": (_size, (_model_p,)),
    # const char *ae_table_column_name(const ae_model *model, size_t column);
    "ae_table_column_name": (ctypes.c_char_p, (_model_p, _size)),
    # int ae_table_column_kind(const ae_model *model, size_t column);
    "ae_table_column_kind": (ctypes.c_int, (_model_p, _size)),
    # size_t ae_table_category_count(const ae_model *model, size_t column);
    "ae_table_category_count": (_size, (_model_p, _size)),
    # const char *ae_table_category(const ae_model *model, size_t column, size_t index);
    "ae_table_category": (ctypes.c_char_p, (_model_p, _size, _size)),
    # int ae_table_column_is_condition(const ae_model *model, size_t column);
    "ae_table_column_is_condition": (ctypes.c_int, (_model_p, _size)),
    # ae_status ae_sample_table(const ae_model *model, ae_workspace *workspace, size_t rows, uint64_t seed,
    #                           uint64_t first_row, const double *fixed, double *out);
    "ae_sample_table": (_status, (_model_p, _workspace_p, _size, ctypes.c_uint64, ctypes.c_uint64, _data_p, _data_p)),
    # -- Sound (0.4) --
    # ae_status ae_audio_info(const ae_model *model, struct ae_audio_info *info);
    "ae_audio_info": (_status, (_model_p, ctypes.POINTER(AudioInfo))),
    # ae_status ae_audio_generate_length(const ae_model *model, double seconds, size_t *samples);
    "ae_audio_generate_length": (_status, (_model_p, ctypes.c_double, ctypes.POINTER(_size))),
    # ae_status ae_audio_generate(const ae_model *model, double seconds, unsigned long long seed, float pitch,
    #                             float *out, size_t capacity, size_t *written);
    "ae_audio_generate": (_status, (_model_p, ctypes.c_double, ctypes.c_ulonglong, ctypes.c_float, _data_p, _size,
                                    ctypes.POINTER(_size))),
    # ae_status ae_audio_morph_length(const ae_model *model, size_t a_len, size_t b_len, size_t steps, size_t *samples);
    "ae_audio_morph_length": (_status, (_model_p, _size, _size, _size, ctypes.POINTER(_size))),
    # ae_status ae_audio_morph(const ae_model *model, const float *a, size_t a_len, const float *b, size_t b_len,
    #                          float pitch_a, float pitch_b, size_t steps, float *out, size_t capacity, size_t *written);
    "ae_audio_morph": (_status, (_model_p, _data_p, _size, _data_p, _size, ctypes.c_float, ctypes.c_float, _size,
                                 _data_p, _size, ctypes.POINTER(_size))),
    # -- Streams (0.4) --
    # ae_status ae_stream_create(const ae_model *model, ae_workspace *workspace, size_t queue_frames, ae_stream **stream);
    "ae_stream_create": (_status, (_model_p, _workspace_p, _size, ctypes.POINTER(_stream_p))),
    # ae_status ae_stream_push(ae_stream *stream, const float *codes, const float *pitches, size_t frames);
    "ae_stream_push": (_status, (_stream_p, _data_p, _data_p, _size)),
    # ae_status ae_stream_pull(ae_stream *stream, float *out, size_t n);
    "ae_stream_pull": (_status, (_stream_p, _data_p, _size)),
    # size_t ae_stream_room(const ae_stream *stream);
    "ae_stream_room": (_size, (_stream_p,)),
    # ae_status ae_stream_reset(ae_stream *stream);
    "ae_stream_reset": (_status, (_stream_p,)),
    # void ae_stream_free(ae_stream *stream);
    "ae_stream_free": (None, (_stream_p,)),
    # -- Images --
    # ae_status ae_denoise_image(const ae_model *model, ae_workspace *workspace, const float *pixels, size_t height,
    #                            size_t width, size_t channels, float *out);
    "ae_denoise_image": (_status, (_model_p, _workspace_p, _data_p, _size, _size, _size, _data_p)),
    # ae_status ae_inpaint_image(const ae_model *model, ae_workspace *workspace, const float *pixels,
    #                            const unsigned char *known_mask, size_t height, size_t width, size_t channels,
    #                            int iterations, float *out);
    "ae_inpaint_image": (_status, (_model_p, _workspace_p, _data_p, _data_p, _size, _size, _size, ctypes.c_int,
                                   _data_p)),
    # -- Compressed codes --
    # ae_status ae_compress_bound(const ae_model *model, size_t n, int bits, size_t *bytes);
    "ae_compress_bound": (_status, (_model_p, _size, ctypes.c_int, ctypes.POINTER(_size))),
    # ae_status ae_compress(const ae_model *model, const float *x, size_t n, int bits, unsigned char *out,
    #                       size_t capacity, size_t *written);
    "ae_compress": (_status, (_model_p, _data_p, _size, ctypes.c_int, ctypes.c_void_p, _size, ctypes.POINTER(_size))),
    # ae_status ae_decompress(const ae_model *model, const unsigned char *data, size_t size, float *x, size_t max_rows,
    #                         size_t *rows);
    "ae_decompress": (_status, (_model_p, ctypes.c_void_p, _size, _data_p, _size, ctypes.POINTER(_size))),
}

HOW_TO_FIX = (
    "To fix it, do one of:\n"
    "  - build it in a checkout of the project with `bash scripts/build-lib.sh` and set\n"
    "    AUTOENCODER_LIBRARY=<checkout>/.build-lib/release/libautoencoder.so;\n"
    "  - `pip install bindings/python` from a checkout where the library is built: the package then\n"
    "    bundles its own copy (check with `python -m autoencoder`);\n"
    "  - install it system-wide (`make install` or scripts/install-lib.sh) where the dynamic linker looks.")

_load_lock = threading.Lock()
lib: ctypes.CDLL  # set by _load(); reading it (or any ae_* name) before then loads the library
path: str  # where the library was loaded from (set by _load())


def bundled() -> List[pathlib.Path]:
    """The libraries bundled in this package (none in a plain checkout)."""
    here = pathlib.Path(__file__).resolve().parent
    return sorted(here.glob("libautoencoder.so*"))


def _candidates() -> List[str]:
    explicit = os.environ.get("AUTOENCODER_LIBRARY")
    if explicit:
        return [explicit]
    candidates = [str(p) for p in bundled()]
    found = ctypes.util.find_library("autoencoder")
    if found:
        candidates.append(found)
    candidates.append(f"libautoencoder.so.{ABI_VERSION}")
    return candidates


def _where(library: ctypes.CDLL, fallback: str) -> str:
    """The file a loaded library came from, as the dynamic linker saw it (dladdr)."""

    class DlInfo(ctypes.Structure):
        _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                    ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]

    try:
        dladdr = ctypes.CDLL(None).dladdr
        dladdr.restype, dladdr.argtypes = ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(DlInfo)]
        info = DlInfo()
        if dladdr(ctypes.cast(library.ae_version, ctypes.c_void_p), ctypes.byref(info)) and info.dli_fname:
            return os.path.realpath(os.fsdecode(info.dli_fname))
    except (AttributeError, OSError):
        pass
    return fallback


def _version_of(library: ctypes.CDLL) -> str:
    """" (it is libautoencoder X.Y.Z)" for a library that reports its version, else ""."""
    try:
        version = library.ae_version
        version.restype, version.argtypes = ctypes.c_char_p, []
        return f" (it is libautoencoder {version().decode(errors='replace')})"
    except (AttributeError, OSError, UnicodeError):
        return ""


def _load() -> None:
    """Load the library (once), check its ABI and declare every function in this module."""
    from ._errors import LibraryError  # here: _errors imports Status from this module

    with _load_lock:
        if "lib" in globals():
            return
        explicit = bool(os.environ.get("AUTOENCODER_LIBRARY"))
        errors = []
        for candidate in _candidates():
            try:
                library = ctypes.CDLL(candidate)
                break
            except OSError as error:
                errors.append(f"{candidate}: {error}")
        else:
            where = ("$AUTOENCODER_LIBRARY is set, so only it was tried; unset it to use a bundled or system copy"
                     if explicit else
                     "tried $AUTOENCODER_LIBRARY (not set), the copy bundled in this package (none), then the system's")
            raise LibraryError(f"libautoencoder could not be loaded ({where}):\n  " + "\n  ".join(errors) + "\n"
                               + HOW_TO_FIX)
        functions = {}
        for name, (restype, argtypes) in _PROTOTYPES.items():
            try:
                function = getattr(library, name)
            except AttributeError:
                raise LibraryError(f"{candidate} is not a libautoencoder this binding can use: it lacks {name}"
                                   f"{_version_of(library)}; this binding needs {MINIMUM_VERSION} or newer.\n"
                                   + HOW_TO_FIX) from None
            function.restype, function.argtypes = restype, list(argtypes)
            functions[name] = function
        abi = functions["ae_abi_version"]()
        if abi != ABI_VERSION:
            raise LibraryError(f"{candidate} has ABI {abi}, this binding needs ABI {ABI_VERSION}.\n" + HOW_TO_FIX)
        globals().update(functions)
        globals()["path"] = _where(library, candidate)
        globals()["lib"] = library  # last: its presence means "loaded"


def __getattr__(name: str):
    """Load the library on first use of `lib`, `path` or a C function (PEP 562)."""
    if name in _PROTOTYPES or name in ("lib", "path"):
        _load()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def library_version() -> str:
    """The loaded libautoencoder's version string (ae_version()). Loads the library if need be."""
    return __getattr__("ae_version")().decode()


def kernels() -> str:
    """The kernels the library's matrix products run on here (ae_kernels()): "avx512 (own)" or
    "openblas CORE". Loads the library if need be."""
    return __getattr__("ae_kernels")().decode()


def int8_kernels() -> str:
    """The kernels products of models opened with precision="int8" run on here
    (ae_int8_kernels()): "avx512-vnni" or "portable" (the same results bit for bit)."""
    return __getattr__("ae_int8_kernels")().decode()


def library_path() -> str:
    """The file libautoencoder was loaded from. Loads the library if need be."""
    return __getattr__("path")
