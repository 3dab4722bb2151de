/**
 * Load native shared libraries at run time, find their symbols and call them:
 * {@link dev.dynload.Library} is the entry point, {@link dev.dynload.LoadOption} its typed flags,
 * {@link dev.dynload.LibraryLoadException} and {@link dev.dynload.SymbolNotFoundException} its failures.
 */
package dev.dynload;
