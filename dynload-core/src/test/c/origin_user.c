/* Needs origin_dep through DT_RUNPATH $ORIGIN/sub. */
int origin_dep_value(void);
int origin_user_value(void) { return origin_dep_value() + 1; }
