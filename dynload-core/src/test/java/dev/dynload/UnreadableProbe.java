package dev.dynload;

import java.nio.file.Path;

/**
 * Opens the file named by its argument and prints the diagnosis: run by
 * {@link LibraryLoadExceptionTest} in a child JVM as an unprivileged user, since root reads every file.
 */
public final class UnreadableProbe {

    private UnreadableProbe() {
    }

    /**
     * Prints {@code REASON<tab>message}, or {@code LOADED}.
     *
     * @param args the file
     */
    public static void main(String[] args) {
        try (Library lib = Library.open(Path.of(args[0]))) {
            System.out.println("LOADED " + lib);
        } catch (LibraryLoadException e) {
            System.out.println(e.reason() + "\t" + e.getMessage());
        }
    }
}
