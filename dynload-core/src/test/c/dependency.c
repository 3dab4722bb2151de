/* A library that libdependent.so needs; the tests keep it off the search path on purpose. */
int dependency_answer(void) { return 41; }
