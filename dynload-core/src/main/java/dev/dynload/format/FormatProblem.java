package dev.dynload.format;

/**
 * One thing wrong in a native file that its platform's loader would trust: a table that runs outside the
 * file, a load command longer than its header says, an export that points outside the image. Found by
 * {@link NativeFile#verify(java.nio.file.Path)} from the file alone.
 *
 * {@snippet :
 * for (FormatProblem p : NativeFile.verify(Path.of("libdamaged.dylib"))) {
 *     System.out.println(p);   // "load commands: command 7 (LC_SEGMENT_64) is 72 bytes ..."
 * }
 * }
 *
 * @param part where in the file, in words: "load commands", "section table", "export directory"...
 * @param detail what is wrong, with the offsets and values involved
 */
public record FormatProblem(String part, String detail) {

    /** Checks the parts. */
    public FormatProblem {
        java.util.Objects.requireNonNull(part, "part");
        java.util.Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return part + ": " + detail;
    }
}
