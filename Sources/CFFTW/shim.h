/* FFTW's single-precision interface (libfftw3f, Debian's libfftw3-dev). */
#include <fftw3.h>
