/* Needs libclidep.so, which the tests keep out of reach. */
int clidep_value(void);

int cliuser_value(void) { return clidep_value() + 1; }
