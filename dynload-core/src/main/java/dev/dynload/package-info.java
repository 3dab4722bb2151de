/**
 * Load native shared libraries at run time, find their symbols and call them:
 * {@link dev.dynload.Library} is the entry point, {@link dev.dynload.LoadOption} its typed flags,
 * {@link dev.dynload.LibraryLoadException} and {@link dev.dynload.SymbolNotFoundException} its failures.
 *
 * <p>Null-marked: no parameter, result or field of this package is null, but where it says
 * {@code @Nullable}.
 */
@NullMarked
package dev.dynload;

import org.jspecify.annotations.NullMarked;
