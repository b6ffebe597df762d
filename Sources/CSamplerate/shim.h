/* libsamplerate (Debian's libsamplerate0-dev): band-limited sample-rate conversion. */
#include <samplerate.h>
