/**
 * The Linux backend (glibc and musl). See docs/architecture.md.
 */
@NullMarked
package dev.dynload.internal.linux;

import org.jspecify.annotations.NullMarked;
