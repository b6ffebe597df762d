/* The harnesses' entry points. SwiftPM links an executable target with main defined as
 * <Target>_main (so that tests can link the module); with -parse-as-library the Swift module
 * defines none, so these are those symbols, and each hands over to libFuzzer's driver with the
 * LLVMFuzzerTestOneInput of the executable it is linked into (only that one's is called). */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); /* the target's .swift file */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int FuzzModelFile_main(int argc, char **argv) { return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput); }
int FuzzSpec_main(int argc, char **argv) { return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput); }
