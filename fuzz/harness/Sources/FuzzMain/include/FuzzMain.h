/* Nothing to import: FuzzMain only supplies the executable's entry point (see fuzz_main.c). */
