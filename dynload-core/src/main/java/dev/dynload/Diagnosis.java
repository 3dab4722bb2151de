package dev.dynload;

import dev.dynload.LibraryLoadException.Reason;
import dev.dynload.internal.Conventions;
import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.OpenFile;
import dev.dynload.elf.ElfCheck;
import dev.dynload.elf.ElfFile;
import dev.dynload.elf.ElfFormatException;
import dev.dynload.elf.ElfHeader;
import dev.dynload.elf.ElfProblem;
import dev.dynload.elf.ElfType;
import dev.dynload.format.BinaryFormat;
import dev.dynload.format.FormatProblem;
import dev.dynload.format.NativeFile;
import dev.dynload.internal.Host;
import dev.dynload.internal.Platform;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Explains why a file does not load: checks made on the open file before the loader sees it (so that a
 * directory or a FIFO gets a plain answer, another CPU's file is passed over, and a damaged file never
 * reaches the loader), and a look at the file's bytes after the loader refused it, to turn the loader's
 * terse message into a diagnosis and a hint.
 *
 * <p>Messages name the file as the caller gave it; the bytes are read through {@link #readable}, the open
 * file, so that what is explained is what was loaded.
 */
final class Diagnosis {

    static final int HOST_MACHINE = ElfHeader.machineOf(Host.arch());
    static final int HOST_WORD_SIZE = (int) ValueLayout.ADDRESS.byteSize() * 8;

    private static final int HEAD = 512;

    private final String library;
    private final Path file;
    private final List<String> searched;
    /** Where the file's bytes are read: the open file once there is one, else the path. */
    private Path readable;
    /** The first bytes of {@link #headOf}, read by {@link #head}. */
    private byte[] head;
    private Path headOf;

    Diagnosis(String library, Path file, List<String> searched) {
        this.library = library;
        this.file = file;
        this.searched = searched;
        this.readable = file;
    }

    /** Reads the file's bytes through {@code open} from now on. */
    void readThrough(Path open) {
        this.readable = open;
    }

    /** Explains why the file could not even be opened. */
    LibraryLoadException cannotOpen(IOException e) {
        if (e instanceof NoSuchFileException) {
            String detail = Files.isSymbolicLink(file) ? "is a symbolic link to a file that does not exist"
                    : "no such file";
            String hint = file.isAbsolute() ? "check the path, or open the library by name to search for it"
                    : "the path is relative to the working directory " + Path.of("").toAbsolutePath()
                            + "; give an absolute path, or open the library by name to search for it";
            return make(Reason.NOT_FOUND, detail, hint, null);
        }
        if (e instanceof AccessDeniedException) {
            return make(Reason.PERMISSION_DENIED, "this process (user " + System.getProperty("user.name")
                    + ") may not read it", "make it readable (chmod a+r) or run as a user who may read it", null);
        }
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        return make(Reason.LOADER_ERROR, "cannot be opened: " + reason, "check the path and the file", null);
    }

    /** Explains why a private copy could not be made. */
    /** The bytes of a library pinned by {@link LoadOption#sha256} are others. */
    LibraryLoadException pinMismatch(String expected, String actual) {
        return make(Reason.HASH_MISMATCH, "has the SHA-256 " + actual + ", not the pinned " + expected
                        + ": its bytes are not the ones reviewed; nothing of it was loaded",
                "if these bytes are the ones to run, pin them again: dynload verify --sha256 " + file
                        + " prints their hash", null);
    }

    LibraryLoadException cannotCopy(IOException e) {
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        return make(Reason.LOADER_ERROR, "cannot be copied into private memory: " + reason,
                "load it without LoadOption.PRIVATE_COPY from a folder only you can write, or lift the restriction", null);
    }

    /**
     * A private copy that cannot be loaded as one: the loader could find the dependency {@code needed} only
     * from the library's real folder, so it would have to be given the original file's path.
     */
    LibraryLoadException privateCopyByPath(String needed) {
        return make(Reason.LOADER_ERROR, "cannot be loaded as a private copy: the loader can find its dependency "
                        + needed + " only from the library's own folder ($ORIGIN), so it would have to be given the "
                        + "original file's path",
                "give the dependency a SONAME (-Wl,-soname,NAME; for a Rust cdylib, -C link-arg=-Wl,-soname,NAME) and "
                        + "name it by that, or load the library without LoadOption.PRIVATE_COPY from a folder only you "
                        + "can write", null);
    }

    /** A library that crashed, exited or hung the child process that loaded it first. */
    LibraryLoadException failedInIsolation(String what, String childOutput) {
        return make(Reason.FAILED_IN_ISOLATION, what, "it was not loaded into this process; do not load it "
                + "without isolation", childOutput);
    }

    /** Whether {@code file} is an ELF file this JVM's loader could load: its word size and CPU. */
    static boolean runsHere(Path file) {
        try {
            ElfHeader h = ElfFile.readHeader(file);
            return h.wordSize() == HOST_WORD_SIZE && (HOST_MACHINE < 0 || h.machine() == HOST_MACHINE);
        } catch (IOException e) {
            return false;
        }
    }

    /** The failure the open file is bound to cause, found without handing it to the loader. */
    Optional<LibraryLoadException> beforeLoading(OpenFile open) {
        if (open.kind() == OpenFile.Kind.DIRECTORY) {
            return fail(Reason.IS_DIRECTORY, "is a directory, not a library file",
                    "give the path of the library file inside it, or pass the folder as LoadOption.searchPath and open the library by name", null);
        }
        if (open.kind() == OpenFile.Kind.OTHER) {
            return fail(Reason.NOT_A_SHARED_LIBRARY, "is not a regular file (a FIFO, socket or device)",
                    "give the path of a shared library file", null);
        }
        if (open.size() == 0) {
            return fail(Reason.NOT_A_SHARED_LIBRARY, "is empty (0 bytes), not a shared library",
                    "build or copy it again: an interrupted build or copy leaves empty files", null);
        }
        try {
            if (!isElf(head(readable))) {
                return Optional.empty(); // the loader refuses it without harm; afterLoading explains it
            }
            // The header is all the loader reads before it finds a loaded file by its identity, and it trusts
            // the number of program headers it gives: readHeader refuses a number the loader cannot take.
            return elfHeaderProblem(ElfFile.readHeader(readable), null);
        } catch (IOException e) {
            return Optional.of(damaged(e, null));
        }
    }

    /**
     * Checks everything the loader would trust in an ELF file ({@link ElfFile#verify}), and reads the names
     * its dependencies are found by, in one read; a file that is not ELF is left to the loader, which refuses
     * it harmlessly.
     *
     * @return the names, for a sound ELF file; empty for a file that is not ELF
     * @throws LibraryLoadException for a damaged file
     */
    Optional<ElfCheck> structure() {
        return structure(null);
    }

    /**
     * As {@link #structure()}, on a platform whose loader reads {@code own} (null: this one's): a Mach-O
     * file on macOS or a PE file on Windows is checked by {@link NativeFile#verify} before its loader is
     * given it, as an ELF file is on Linux; another platform's file is left to the loader, which refuses it
     * harmlessly.
     */
    Optional<ElfCheck> structure(@Nullable BinaryFormat own) {
        try {
            if (!isElf(head(readable))) {
                // Asked only for a file that is not ELF: a Linux open loads no class for it.
                checkOwnFormat(own != null ? own : OperatingSystem.current().binaryFormat());
                return Optional.empty();
            }
            ElfCheck check = ElfFile.check(readable);
            List<ElfProblem> problems = check.problems();
            if (problems.isEmpty()) {
                return Optional.of(check);
            }
            throw new LibraryLoadException(Reason.DAMAGED, library, file, "is damaged: " + problems.get(0)
                    + more(problems.size()), damagedHint(), null, searched, problems);
        } catch (IOException e) {
            throw damaged(e, null);
        }
    }

    /** Refuses a file of the platform's own format, other than ELF, that the format's checks find damaged. */
    private void checkOwnFormat(BinaryFormat own) {
        List<FormatProblem> problems;
        try {
            if (own == BinaryFormat.ELF || NativeFile.formatOf(readable).orElse(null) != own) {
                return;
            }
            // Of a universal Mach-O file, only what dyld maps here: another architecture's slice is not read.
            problems = NativeFile.verifyForHost(readable);
        } catch (IOException e) {
            throw new LibraryLoadException(Reason.DAMAGED, library, file, "cannot be read as a " + own.displayName()
                    + " file: " + stripFile(String.valueOf(e.getMessage()), readable), damagedHint(), null, searched);
        }
        if (!problems.isEmpty()) {
            throw new LibraryLoadException(Reason.DAMAGED, library, file, "is damaged: " + problems.get(0)
                    + more(problems.size()), damagedHint(), null, searched);
        }
    }

    private String damagedHint() {
        return "build or copy it again; 'dynload verify " + file + "' lists every problem; the system loader was not "
                + "given this file";
    }

    private static String more(int problems) {
        return problems == 1 ? "" : " (and " + (problems - 1) + " more problem" + (problems == 2 ? "" : "s") + ")";
    }

    /**
     * A file that is not ELF explained as the loader's refusal of it would be (a linker script, a text file,
     * an archive), without asking the loader; empty for an ELF file.
     */
    Optional<LibraryLoadException> notElf() {
        try {
            return isElf(head(readable)) ? Optional.empty() : Optional.of(afterLoading(null));
        } catch (IOException e) {
            return Optional.of(afterLoading(null));
        }
    }

    /** Explains a load the loader refused with {@code message}, or a file found not to be ELF when it is null. */
    LibraryLoadException afterLoading(String message) {
        byte[] head;
        try {
            head = head(readable);
        } catch (IOException e) {
            return make(Reason.PERMISSION_DENIED, "cannot be read: " + e.getMessage(),
                    "make it readable (chmod a+r) or run as a user who may read it", message);
        }
        if (message != null && message.contains("Permission denied")) {
            return make(Reason.PERMISSION_DENIED, "the loader was denied access to it",
                    "make it readable, and its file system mounted without noexec", message);
        }
        if (isElf(head)) {
            return elf(message);
        }
        String text = new String(head, StandardCharsets.ISO_8859_1);
        Optional<LinkerScript> script = FileKinds.isText(head) ? readScript() : Optional.empty();
        if (script.isPresent()) {
            String hint = script.get().sharedLibrary(file)
                    .map(target -> "load " + target + " instead, the library it points to")
                    .orElse("load the shared library it names instead");
            return make(Reason.LINKER_SCRIPT,
                    "is a GNU linker script, which only the static linker reads, not a shared library", hint, message);
        }
        Optional<String> foreign = foreignLibrary();
        if (foreign.isPresent()) {
            return make(Reason.WRONG_ARCHITECTURE, foreign.get(), "load the build of it for " + Platform.current()
                    + " (this platform's loader reads " + OperatingSystem.current().binaryFormat().displayName()
                    + " files)", message);
        }
        return make(Reason.NOT_A_SHARED_LIBRARY, FileKinds.describe(head, text), whatToLoad(), message);
    }

    private LibraryLoadException elf(String message) {
        ElfHeader header;
        try {
            header = ElfFile.readHeader(readable);
        } catch (IOException e) {
            return damaged(e, message);
        }
        Optional<LibraryLoadException> problem = elfHeaderProblem(header, message);
        return problem.isPresent() ? problem.get() : elfContent(message);
    }

    /** Another CPU's file, or not a shared object; empty when the header is fine. */
    private Optional<LibraryLoadException> elfHeaderProblem(ElfHeader header, String message) {
        if (header.wordSize() != HOST_WORD_SIZE || (HOST_MACHINE >= 0 && header.machine() != HOST_MACHINE)) {
            return Optional.of(make(Reason.WRONG_ARCHITECTURE,
                    "is a " + header.describe() + " library, but this JVM runs on " + hostDescription(),
                    "load a build of it for " + hostDescription() + " (for Rust: cargo build --target <"
                            + Host.arch() + " triple>; for C: your compiler for that CPU)", message));
        }
        if (header.type() == ElfType.SHARED_OBJECT) {
            return Optional.empty(); // tested first: the switch below would load a class on every successful open
        }
        if (header.type() == ElfType.EXECUTABLE) {
            return Optional.of(make(Reason.NOT_A_SHARED_LIBRARY, "is an executable, not a shared library",
                    "build the code as a shared library (gcc -shared -fPIC, or crate-type = [\"cdylib\"])", message));
        }
        switch (header.type()) {
            case RELOCATABLE -> {
                return Optional.of(make(Reason.NOT_A_SHARED_LIBRARY, "is an object file (.o), not a shared library",
                        "link it into one: gcc -shared -o libNAME.so " + file.getFileName(), message));
            }
            case CORE -> {
                return Optional.of(make(Reason.NOT_A_SHARED_LIBRARY, "is a core dump, not a shared library",
                        whatToLoad(), message));
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    private LibraryLoadException elfContent(String message) {
        ElfFile elf;
        try {
            elf = ElfFile.read(readable);
        } catch (IOException e) {
            return damaged(e, message);
        }
        Conventions conventions = NativeLoader.current().conventions();
        Optional<String> missing = conventions.missingDependency(message);
        if (missing.isPresent()) {
            String dependency = Path.of(missing.get()).getFileName().toString();
            if (!file.getFileName().toString().equals(dependency)) {
                String which = elf.needed().contains(dependency) ? "needs " + dependency
                        : "needs, through one of its dependencies, " + dependency;
                return make(Reason.MISSING_DEPENDENCY, which + ", which the loader cannot find",
                        "open " + dependency + " first with Library.open(path), put its folder on LD_LIBRARY_PATH "
                                + "before the JVM starts, or link the library with -Wl,-rpath,'$ORIGIN'", message);
            }
        }
        Optional<String> undefined = conventions.undefinedSymbol(message);
        if (undefined.isPresent()) {
            return make(Reason.LOADER_ERROR, "uses the symbol " + undefined.get()
                            + ", which neither it nor its dependencies define",
                    "link it against the library that defines " + undefined.get()
                            + ", or open that library first with LoadOption.GLOBAL", message);
        }
        return make(Reason.LOADER_ERROR, "the loader refused it", "its message says why", message);
    }

    private LibraryLoadException damaged(IOException e, String message) {
        String why = e instanceof ElfFormatException f ? stripFile(f.getMessage(), f.file()) : e.getMessage();
        return make(Reason.DAMAGED, "is a damaged or truncated ELF file: " + why,
                "build or copy it again", message);
    }

    private static String stripFile(String m, Path read) {
        String prefix = read + ": ";
        return m != null && m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

    private Optional<LinkerScript> readScript() {
        try {
            if (Files.size(readable) > 1 << 20) {
                return Optional.empty();
            }
            return LinkerScript.parse(Files.readString(readable, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A native library of another platform, described from its file; empty for anything else. */
    private Optional<String> foreignLibrary() {
        try {
            NativeFile image = NativeFile.read(readable);
            if (image.format() == OperatingSystem.current().binaryFormat()) {
                return Optional.empty();
            }
            return Optional.of("is a " + image.describe() + ", built for " + image.classifier()
                    + ", which this platform's loader cannot load");
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String whatToLoad() {
        return "give the path of a shared library (" + OperatingSystem.current().mapLibraryName("NAME") + ")";
    }

    static String hostDescription() {
        return HOST_WORD_SIZE + "-bit " + Host.arch();
    }

    private Optional<LibraryLoadException> fail(Reason reason, String detail, String hint, String message) {
        return Optional.of(make(reason, detail, hint, message));
    }

    private LibraryLoadException make(Reason reason, String detail, String hint, String message) {
        return new LibraryLoadException(reason, library, file, detail, hint, message, searched);
    }

    /** The first bytes, read once per file; through java.io, which a fresh JVM has loaded already. */
    private byte[] head(Path file) throws IOException {
        if (head == null || !file.equals(headOf)) {
            try (InputStream in = new FileInputStream(file.toFile())) {
                head = in.readNBytes(HEAD);
                headOf = file;
            }
        }
        return head;
    }

    /** Whether the first bytes are ELF's magic: on every open, so here rather than in {@link FileKinds}. */
    static boolean isElf(byte[] head) {
        return head.length >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
    }
}
