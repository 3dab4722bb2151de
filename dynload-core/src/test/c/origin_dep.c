/* A dependency found only through its user's $ORIGIN run path. */
int origin_dep_value(void) { return 41; }
