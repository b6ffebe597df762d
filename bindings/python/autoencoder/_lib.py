"""One-to-one ctypes mirror of include/autoencoder.h. Each C prototype sits above its binding."""
from __future__ import annotations

import ctypes
import ctypes.util
import enum
import os
import pathlib

ABI_VERSION = 1  # AE_ABI_VERSION of the header this mirror was written against


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
    INTERNAL = 99


# #define AE_OPEN_DEFAULT 0u
AE_OPEN_DEFAULT = 0
# #define AE_OPEN_UNVERIFIED 1u   (read a file that carries no checksum)
AE_OPEN_UNVERIFIED = 1


def _load() -> ctypes.CDLL:
    """Find libautoencoder: $AUTOENCODER_LIBRARY, next to this package, then the system."""
    here = pathlib.Path(__file__).resolve().parent
    candidates = []
    if os.environ.get("AUTOENCODER_LIBRARY"):
        candidates.append(os.environ["AUTOENCODER_LIBRARY"])
    candidates += [str(p) for p in sorted(here.glob("libautoencoder.so*"))]
    found = ctypes.util.find_library("autoencoder")
    if found:
        candidates.append(found)
    candidates.append(f"libautoencoder.so.{ABI_VERSION}")
    errors = []
    for candidate in candidates:
        try:
            return ctypes.CDLL(candidate)
        except OSError as error:
            errors.append(f"{candidate}: {error}")
    raise ImportError("cannot load libautoencoder; tried:\n  " + "\n  ".join(errors)
                      + "\nset AUTOENCODER_LIBRARY to the path of libautoencoder.so")


lib = _load()

_float_p = ctypes.POINTER(ctypes.c_float)
_data_p = ctypes.c_void_p  # float arrays: passed as ndarray.ctypes.data, much cheaper than data_as
_model_p = ctypes.c_void_p
_workspace_p = ctypes.c_void_p


def _declare(name, restype, *argtypes):
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = list(argtypes)
    return function


# const char *ae_version(void);
ae_version = _declare("ae_version", ctypes.c_char_p)
# int ae_version_number(void);
ae_version_number = _declare("ae_version_number", ctypes.c_int)
# int ae_abi_version(void);
ae_abi_version = _declare("ae_abi_version", ctypes.c_int)
# const char *ae_status_string(ae_status status);
ae_status_string = _declare("ae_status_string", ctypes.c_char_p, ctypes.c_int)
# const char *ae_last_error(void);
ae_last_error = _declare("ae_last_error", ctypes.c_char_p)

# ae_status ae_model_open(const char *path, ae_model **model);
ae_model_open = _declare("ae_model_open", ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(_model_p))
# ae_status ae_model_open_memory(const void *buffer, size_t length, ae_model **model);
ae_model_open_memory = _declare("ae_model_open_memory", ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t,
                                ctypes.POINTER(_model_p))
# ae_status ae_model_open_v2(const char *path, unsigned flags, ae_model **model);
ae_model_open_v2 = _declare("ae_model_open_v2", ctypes.c_int, ctypes.c_char_p, ctypes.c_uint, ctypes.POINTER(_model_p))
# ae_status ae_model_open_memory_v2(const void *buffer, size_t length, unsigned flags, ae_model **model);
ae_model_open_memory_v2 = _declare("ae_model_open_memory_v2", ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint,
                                   ctypes.POINTER(_model_p))
# void ae_model_close(ae_model *model);
ae_model_close = _declare("ae_model_close", None, _model_p)
# const char *ae_model_kind(const ae_model *model);
ae_model_kind = _declare("ae_model_kind", ctypes.c_char_p, _model_p)
# size_t ae_model_input_dim(const ae_model *model);
ae_model_input_dim = _declare("ae_model_input_dim", ctypes.c_size_t, _model_p)
# size_t ae_model_latent_dim(const ae_model *model);
ae_model_latent_dim = _declare("ae_model_latent_dim", ctypes.c_size_t, _model_p)
# size_t ae_model_layer_count(const ae_model *model);
ae_model_layer_count = _declare("ae_model_layer_count", ctypes.c_size_t, _model_p)
# int ae_model_can_sample(const ae_model *model);
ae_model_can_sample = _declare("ae_model_can_sample", ctypes.c_int, _model_p)
# const char *ae_model_loss(const ae_model *model);
ae_model_loss = _declare("ae_model_loss", ctypes.c_char_p, _model_p)
# ae_status ae_model_input_shape(const ae_model *model, size_t shape[3]);
ae_model_input_shape = _declare("ae_model_input_shape", ctypes.c_int, _model_p, ctypes.POINTER(ctypes.c_size_t))
# ae_status ae_model_scaling(const ae_model *model, const char **method, const float **offset, const float **scale);
ae_model_scaling = _declare("ae_model_scaling", ctypes.c_int, _model_p, ctypes.POINTER(ctypes.c_char_p),
                            ctypes.POINTER(_float_p), ctypes.POINTER(_float_p))

# ae_status ae_encode(const ae_model *model, const float *x, size_t n, float *z);
ae_encode = _declare("ae_encode", ctypes.c_int, _model_p, _data_p, ctypes.c_size_t, _data_p)
# ae_status ae_decode(const ae_model *model, const float *z, size_t n, float *x_out);
ae_decode = _declare("ae_decode", ctypes.c_int, _model_p, _data_p, ctypes.c_size_t, _data_p)
# ae_status ae_reconstruct(const ae_model *model, const float *x, size_t n, float *x_out);
ae_reconstruct = _declare("ae_reconstruct", ctypes.c_int, _model_p, _data_p, ctypes.c_size_t, _data_p)
# ae_status ae_score(const ae_model *model, const float *x, size_t n, float *scores);
ae_score = _declare("ae_score", ctypes.c_int, _model_p, _data_p, ctypes.c_size_t, _data_p)

# ae_status ae_workspace_create(const ae_model *model, size_t max_rows, ae_workspace **workspace);
ae_workspace_create = _declare("ae_workspace_create", ctypes.c_int, _model_p, ctypes.c_size_t,
                               ctypes.POINTER(_workspace_p))
# void ae_workspace_free(ae_workspace *workspace);
ae_workspace_free = _declare("ae_workspace_free", None, _workspace_p)
# ae_status ae_encode_ws(const ae_model *model, ae_workspace *workspace, const float *x, size_t n, float *z);
ae_encode_ws = _declare("ae_encode_ws", ctypes.c_int, _model_p, _workspace_p, _data_p, ctypes.c_size_t, _data_p)
# ae_status ae_decode_ws(const ae_model *model, ae_workspace *workspace, const float *z, size_t n, float *x_out);
ae_decode_ws = _declare("ae_decode_ws", ctypes.c_int, _model_p, _workspace_p, _data_p, ctypes.c_size_t, _data_p)
# ae_status ae_reconstruct_ws(const ae_model *model, ae_workspace *workspace, const float *x, size_t n, float *x_out);
ae_reconstruct_ws = _declare("ae_reconstruct_ws", ctypes.c_int, _model_p, _workspace_p, _data_p, ctypes.c_size_t,
                             _data_p)
# ae_status ae_score_ws(const ae_model *model, ae_workspace *workspace, const float *x, size_t n, float *scores);
ae_score_ws = _declare("ae_score_ws", ctypes.c_int, _model_p, _workspace_p, _data_p, ctypes.c_size_t, _data_p)

# ae_status ae_encode_labeled(const ae_model *model, ae_workspace *workspace, const float *x, const int *labels,
#                             size_t n, float *z);  (and _decode_, _reconstruct_, _score_labeled alike)
ae_encode_labeled = _declare("ae_encode_labeled", ctypes.c_int, _model_p, _workspace_p, _data_p, _data_p, ctypes.c_size_t,
                             _data_p)
ae_decode_labeled = _declare("ae_decode_labeled", ctypes.c_int, _model_p, _workspace_p, _data_p, _data_p, ctypes.c_size_t,
                             _data_p)
ae_reconstruct_labeled = _declare("ae_reconstruct_labeled", ctypes.c_int, _model_p, _workspace_p, _data_p, _data_p,
                                  ctypes.c_size_t, _data_p)
ae_score_labeled = _declare("ae_score_labeled", ctypes.c_int, _model_p, _workspace_p, _data_p, _data_p, ctypes.c_size_t,
                            _data_p)

# ae_status ae_encode_distribution(const ae_model *model, const float *x, size_t n, float *mean, float *log_variance);
ae_encode_distribution = _declare("ae_encode_distribution", ctypes.c_int, _model_p, _data_p, ctypes.c_size_t, _data_p,
                                  _data_p)
# ae_status ae_sample(const ae_model *model, size_t n, unsigned long long seed, float temperature, float *x_out, float *z_out);
ae_sample = _declare("ae_sample", ctypes.c_int, _model_p, ctypes.c_size_t, ctypes.c_ulonglong, ctypes.c_float, _data_p,
                     _data_p)
# ae_status ae_sample_ws(const ae_model *model, ae_workspace *workspace, size_t n, unsigned long long seed, float temperature,
#                        float *x_out, float *z_out);
ae_sample_ws = _declare("ae_sample_ws", ctypes.c_int, _model_p, _workspace_p, ctypes.c_size_t, ctypes.c_ulonglong,
                        ctypes.c_float, _data_p, _data_p)
# ae_status ae_sample_class(const ae_model *model, size_t n, size_t label, unsigned long long seed, float temperature,
#                           float *x_out, float *z_out);
ae_sample_class = _declare("ae_sample_class", ctypes.c_int, _model_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_ulonglong,
                           ctypes.c_float, _data_p, _data_p)
# size_t ae_model_class_count(const ae_model *model);
ae_model_class_count = _declare("ae_model_class_count", ctypes.c_size_t, _model_p)
# ae_status ae_interpolate(const ae_model *model, const float *z_a, const float *z_b, size_t steps, int spherical, float *x_out);
ae_interpolate = _declare("ae_interpolate", ctypes.c_int, _model_p, _data_p, _data_p, ctypes.c_size_t, ctypes.c_int,
                          _data_p)


def library_version() -> str:
    """The loaded libautoencoder's version string."""
    return ae_version().decode()


if ae_abi_version() != ABI_VERSION:
    raise ImportError(f"libautoencoder has ABI {ae_abi_version()}, this binding needs {ABI_VERSION}")
