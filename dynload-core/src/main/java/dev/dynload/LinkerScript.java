package dev.dynload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GNU linker script standing where a shared library is expected, such as glibc's {@code libc.so}:
 *
 * <pre>
 * /&#42; GNU ld script &#42;/
 * OUTPUT_FORMAT(elf64-x86-64)
 * GROUP ( /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libc_nonshared.a
 *         AS_NEEDED ( /lib64/ld-linux-x86-64.so.2 ) )
 * </pre>
 *
 * Only the static linker reads these; the dynamic loader rejects them. The first shared library the
 * script names outside {@code AS_NEEDED} is the one a caller meant.
 */
record LinkerScript(List<String> inputs) {

    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/", Pattern.DOTALL);
    private static final Pattern COMMAND = Pattern.compile("\\b(GROUP|INPUT)\\s*\\(");
    private static final Pattern AS_NEEDED = Pattern.compile("AS_NEEDED\\s*\\([^)]*\\)");
    private static final Pattern SHARED = Pattern.compile(".*\\.so(\\.[0-9.]+)?");

    /** Parses {@code text} when it looks like a linker script. */
    static Optional<LinkerScript> parse(String text) {
        String body = COMMENT.matcher(text).replaceAll(" ");
        Matcher command = COMMAND.matcher(body);
        boolean scriptLike = text.contains("GNU ld script") || command.find() || body.contains("OUTPUT_FORMAT");
        if (!scriptLike) {
            return Optional.empty();
        }
        List<String> inputs = new ArrayList<>();
        command.reset();
        while (command.find()) {
            int end = closingParen(body, command.end());
            String args = AS_NEEDED.matcher(body.substring(command.end(), end)).replaceAll(" ");
            for (String token : args.split("[\\s,]+")) {
                if (!token.isEmpty()) {
                    inputs.add(token);
                }
            }
        }
        return Optional.of(new LinkerScript(List.copyOf(inputs)));
    }

    private static int closingParen(String s, int from) {
        int depth = 1;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        return s.length();
    }

    /**
     * The shared library the script stands for.
     *
     * @param scriptFile the script, to resolve relative names against its folder
     * @return the library's path, or its bare name when the script gives no folder
     */
    Optional<Path> sharedLibrary(Path scriptFile) {
        for (String input : inputs) {
            if (SHARED.matcher(input).matches()) {
                Path p = Path.of(input);
                Path dir = scriptFile.toAbsolutePath().getParent();
                return Optional.of(p.isAbsolute() || dir == null ? p : dir.resolve(p));
            }
        }
        return Optional.empty();
    }
}
