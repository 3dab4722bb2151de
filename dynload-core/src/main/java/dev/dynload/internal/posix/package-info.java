/**
 * What the Linux and macOS backends share: dlopen and its kin, opening files without blocking, the C library calls, the search rules. See docs/architecture.md.
 */
@NullMarked
package dev.dynload.internal.posix;

import org.jspecify.annotations.NullMarked;
