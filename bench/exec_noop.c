/* The cheapest program to exec for bench/exec_overhead_compare.py: static,
 * so the exec itself (what the exec source traces) dominates, not ld.so. */
int main(void) { return 0; }
