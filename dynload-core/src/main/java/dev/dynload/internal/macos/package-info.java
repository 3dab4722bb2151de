/**
 * The macOS backend (dyld). See docs/architecture.md.
 */
@NullMarked
package dev.dynload.internal.macos;

import org.jspecify.annotations.NullMarked;
