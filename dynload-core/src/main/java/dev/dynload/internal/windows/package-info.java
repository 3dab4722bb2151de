/**
 * The Windows backend (LoadLibraryExW). See docs/architecture.md.
 */
@NullMarked
package dev.dynload.internal.windows;

import org.jspecify.annotations.NullMarked;
