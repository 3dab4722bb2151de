/* Built with -m32: a 32-bit x86 library that a 64-bit JVM must refuse with a clear diagnosis. */
int answer32(void) { return 32; }
int value32 = 5;
