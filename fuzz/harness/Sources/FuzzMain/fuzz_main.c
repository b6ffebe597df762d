/* The harness's entry point. SwiftPM links an executable target with main defined as
 * <Target>_main (so its tests can link the module); with -parse-as-library the Swift module
 * defines none, so this C function is that symbol and hands over to libFuzzer's driver. */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); /* FuzzModelFile.swift */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int FuzzModelFile_main(int argc, char **argv) {
  return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
