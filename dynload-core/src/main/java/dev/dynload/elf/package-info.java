/**
 * A small, bounds-checked reader of ELF files ({@link dev.dynload.elf.ElfFile}): header, {@code SONAME},
 * needed libraries, run path and exported symbols. dynload uses it to explain why a library does not
 * load and to suggest symbol names; it is public for tools that want the same facts.
 */
package dev.dynload.elf;
