/**
 * A small, bounds-checked reader of ELF files ({@link dev.dynload.elf.ElfFile}): header, {@code SONAME},
 * needed libraries, run path, exported and imported symbols, symbol versions; and a structural verifier
 * ({@link dev.dynload.elf.ElfFile#verify}, {@link dev.dynload.elf.ElfProblem}) of everything the system
 * loader trusts before a library's code runs. dynload uses them to check a library before loading it, to
 * explain why one does not load and to suggest symbol names; they are public for tools that want the
 * same facts. No method here loads a library or runs any of its code.
 *
 * <p>Null-marked: no parameter, result or field of this package is null, but where it says
 * {@code @Nullable}.
 */
@NullMarked
package dev.dynload.elf;

import org.jspecify.annotations.NullMarked;
