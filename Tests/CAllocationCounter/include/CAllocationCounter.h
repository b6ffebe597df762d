/* Counts the allocations the calling thread makes between aecount_start and aecount_stop, by
 * interposing malloc and friends in the test executable. Other threads are not counted, so
 * tests running in parallel do not disturb a count. Allocations made inside OpenBLAS are not
 * counted (its threaded path allocates job descriptors per call). */
#ifndef AE_ALLOCATION_COUNTER_H
#define AE_ALLOCATION_COUNTER_H
/* 0 under a sanitizer, which owns malloc: then nothing is counted and aecount_stop returns -1. */
int aecount_available(void);
void aecount_start(void);
long aecount_stop(void);
#endif
