/**
 * Typed bindings: describe C functions as a Java interface and {@link dev.dynload.Library#bind bind} it.
 * The annotations here say what plain Java types cannot: a C {@code long} or {@code size_t}
 * ({@link dev.dynload.bind.CLong}, {@link dev.dynload.bind.SizeT}), another symbol name
 * ({@link dev.dynload.bind.Symbol}), {@code errno} ({@link dev.dynload.bind.Errno}), who frees a
 * returned string ({@link dev.dynload.bind.FreeWith}), critical calls and heap arrays
 * ({@link dev.dynload.bind.Critical}, {@link dev.dynload.bind.Heap}), structs by pointer
 * ({@link dev.dynload.bind.ByReference}), variadic calls ({@link dev.dynload.bind.Variadic}) and the
 * size behind a pointer ({@link dev.dynload.bind.Size}). The type table is in docs/binding.md.
 *
 * <p>Null-marked: no parameter, result or field of this package is null, but where it says
 * {@code @Nullable}.
 */
@NullMarked
package dev.dynload.bind;

import org.jspecify.annotations.NullMarked;
