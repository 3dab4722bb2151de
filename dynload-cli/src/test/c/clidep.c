/* Needed by libcliuser.so; kept off the search path so that `dynload info` reports it missing. */
int clidep_value(void) { return 1; }
