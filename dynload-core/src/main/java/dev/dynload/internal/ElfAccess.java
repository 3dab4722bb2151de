package dev.dynload.internal;

import dev.dynload.elf.ElfHeader;
import dev.dynload.elf.ElfProblem;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What loading needs from the ELF reader in one read of a file, which {@code dev.dynload.elf}'s public
 * API would take several reads to give: the structural problems and the names the loader resolves
 * dependencies by, without building the symbol lists. Set by {@code ElfFile} when it is initialized,
 * the way the JDK shares internals between packages.
 */
public interface ElfAccess {

    /**
     * A library checked before its first load.
     *
     * @param problems what {@code ElfFile.verify} finds
     * @param soname its {@code DT_SONAME}, when it has one and its string table is sound
     * @param needed its {@code DT_NEEDED} names
     * @param runPath its {@code DT_RUNPATH}, else its {@code DT_RPATH} entries
     * @param rpath whether {@code runPath} comes from {@code DT_RPATH}
     */
    record Check(List<ElfProblem> problems, Optional<String> soname, List<String> needed, List<String> runPath,
                 boolean rpath) {
    }

    /**
     * Checks a file in one read.
     *
     * @param file a regular file; problems are reported, not thrown
     * @return what was found
     * @throws IOException if it is not an ELF file at all or cannot be read
     */
    Check check(Path file) throws IOException;

    /**
     * Runs {@link #check} on a file of the JDK's own, read with plain {@code java.io}, which does not wait
     * for the foreign linker the way opening a file given by a user does.
     *
     * @param jdkFile a regular file of the running JDK, which nobody swaps
     */
    void warmUp(Path jdkFile) throws IOException;

    /** {@return the header of {@code file}, as {@code ElfFile.readHeader} reads it} */
    ElfHeader header(Path file) throws IOException;

    /** {@return the reader's hook, initializing {@code ElfFile} if needed} */
    static ElfAccess get() {
        if (Holder.access == null) {
            try {
                Class.forName("dev.dynload.elf.ElfFile", true, ElfAccess.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        return Holder.access;
    }

    /** Called once, by {@code ElfFile}'s initializer. */
    static void set(ElfAccess access) {
        Holder.access = access;
    }

    /** Where the hook is kept. */
    final class Holder {
        static volatile ElfAccess access;

        private Holder() {
        }
    }
}
