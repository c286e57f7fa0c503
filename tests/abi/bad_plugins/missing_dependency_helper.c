/* A library that missing_dependency links against, built into a folder that
 * is on no loader path (and with no RPATH pointing at it). */
int sr_missing_dependency_helper(void) { return 1; }
