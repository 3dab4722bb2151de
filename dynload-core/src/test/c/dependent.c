/* Loads only when libdependency.so can be found: the fixture for the missing-dependency diagnosis. */
int dependency_answer(void);

int dependent_answer(void) { return dependency_answer() + 1; }
