/* The seed's library in C: the same greet() as the Rust cdylib, built as target/libtest.so. */
const char *greet(void) {
    return "Hello from C!";
}
