/* libsndfile (Debian's libsndfile1-dev): reading and writing WAV, FLAC, OGG, AIFF. */
#include <sndfile.h>
