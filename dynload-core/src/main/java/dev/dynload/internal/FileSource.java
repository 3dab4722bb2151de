package dev.dynload.internal;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file opened for reading by one of dynload's binary readers: through a descriptor opened without
 * blocking where the platform allows, so that a FIFO or a device given in place of a library is refused,
 * not waited on. Shared by the ELF, Mach-O and PE readers.
 */
public final class FileSource implements AutoCloseable {

    private static final Path DESCRIPTORS = Path.of("/proc/self/fd");
    private static final Path JDK = Path.of(System.getProperty("java.home", "/nonexistent")).toAbsolutePath();

    private final RandomAccessFile input;
    private final @Nullable OpenFile open;

    private FileSource(RandomAccessFile input, @Nullable OpenFile open) {
        this.input = input;
        this.open = open;
    }

    /** {@return the file's bytes, read with seeks} */
    public RandomAccessFile input() {
        return input;
    }

    /**
     * Opens a file to read it.
     *
     * @param file the file
     * @return the open file, to be closed by the caller
     * @throws java.nio.file.NoSuchFileException if there is no such file
     * @throws java.nio.file.AccessDeniedException if it may not be read
     * @throws FileSystemException if it is a folder, a FIFO, a socket or a device
     * @throws IOException if it cannot be opened for another reason
     */
    public static FileSource open(Path file) throws IOException {
        if (file.startsWith(DESCRIPTORS) && Files.isRegularFile(file)) {
            // An open descriptor (a library being loaded): it names one file for as long as it is open,
            // and that file is regular, so reading it can neither block nor change under the check.
            return new FileSource(openReader(file, file), null);
        }
        if (file.startsWith(JDK) && Files.isRegularFile(file)) {
            // The running JDK's own file (the verifier's warm-up): read with plain java.io, which does not
            // wait for the foreign linker as the open below does in a fresh JVM. Nobody swaps the JDK.
            return new FileSource(openReader(file, file), null);
        }
        OpenFile open = null;
        Path readable = file;
        try {
            open = NativeLoader.current().openFile(file);
            readable = open.readable();
        } catch (UnsupportedOperationException noBackend) {
            if (Files.exists(file) && !Files.isRegularFile(file) && !Files.isDirectory(file)) {
                throw new FileSystemException(file.toString(), null, "not a regular file (a FIFO, socket or device)");
            }
        }
        try {
            if (open != null && open.kind() == OpenFile.Kind.DIRECTORY) {
                throw new FileSystemException(file.toString(), null, "Is a directory");
            }
            if (open != null && open.kind() == OpenFile.Kind.OTHER) {
                throw new FileSystemException(file.toString(), null, "not a regular file (a FIFO, socket or device)");
            }
            return new FileSource(openReader(file, readable), open);
        } catch (IOException | RuntimeException e) {
            if (open != null) {
                open.close();
            }
            throw e;
        }
    }

    /*
     * RandomAccessFile rather than FileChannel: it is among the classes every JVM starts with, and a
     * file is read before every load, where a FileChannel costs milliseconds in a fresh JVM.
     */
    private static RandomAccessFile openReader(Path file, Path readable) throws IOException {
        try {
            return new RandomAccessFile(readable.toFile(), "r");
        } catch (java.io.FileNotFoundException e) {
            // java.io says "not found" for every failure to open; tell them apart as java.nio.file does.
            if (Files.notExists(file)) {
                throw new java.nio.file.NoSuchFileException(file.toString());
            }
            if (Files.isDirectory(file)) {
                throw new FileSystemException(file.toString(), null, "Is a directory");
            }
            throw new java.nio.file.AccessDeniedException(file.toString(), null, e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        try {
            input.close();
        } finally {
            if (open != null) {
                open.close();
            }
        }
    }
}
