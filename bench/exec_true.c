/* The smallest program to exec: a static binary that exits 0, so
 * bench/exec_overhead_compare.py can spawn more per second than /bin/true
 * (no dynamic loader, no shared libraries to map). */
int main(void) { return 0; }
