package dev.dynload.elf;

import dev.dynload.elf.ElfProblem.Part;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What the verifier's parts ({@link LayoutChecks}, {@link DynamicChecks}, {@link SymbolTables},
 * {@link VersionTables}, {@link Relocations}, {@link Initializers}...) share while one file is checked:
 * where problems go, the string table read within its budget, bounded reads of tables, and the function
 * starts. {@link ElfVerifier} implements it and runs the parts; they depend on this, never on it.
 */
interface Verification {

    /** Reports a problem in {@code part}. */
    void problem(Part part, String detail);

    /** Reports a problem of the relocation tables. */
    void problem(String detail);

    /** {@return the NUL-terminated string at {@code offset} of the string table, or null with a problem} */
    @Nullable String string(Part part, long offset, String what);

    /** {@return the loader's hash of the string at {@code offset}: GNU's or System V's} */
    long hash(long offset, boolean gnu);

    /** {@return whether {@code [address, address + size)} lies in memory the loader maps readable} */
    boolean readable(long address, long size);

    /** {@return a table's bytes, read through the segment that maps it; null with a problem} */
    @Nullable ByteBuffer table(Part part, long address, long size, String what) throws IOException;

    /** {@return whether {@code address} can be the start of a function} */
    boolean isFunction(long address, FunctionBounds.Caller caller);

    /** {@return where functions start and end, by the unwind tables} */
    FunctionBounds bounds();

    /** {@return the libraries the dynamic section names, read so far} */
    Set<String> needed();

    /** {@return the number of dynamic symbols the hash table counts, or -1} */
    long symbolCount();

    /** {@return whether the symbol table was read} */
    boolean hasSymbols();

    /** {@return whether the library has thread-local storage (PT_TLS)} */
    boolean hasTls();

    /** {@return the name of dynamic symbol {@code index}} */
    String symbolName(long index);
}
