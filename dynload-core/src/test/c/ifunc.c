/* An indirect function: the loader calls resolve_add for ifunc_add's address. Linked by GNU ld (which marks
 * the file ELFOSABI_GNU) and by lld (which does not), for the verifier's rule on indirect functions. */
static int add_generic(int a, int b) { return a + b; }
static int (*resolve_add(void))(int, int) { return add_generic; }
int ifunc_add(int a, int b) __attribute__((ifunc("resolve_add")));
int call_it(int a) { return ifunc_add(a, 1); }
