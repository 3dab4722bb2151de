package dev.dynload;

import java.io.Serial;
import java.util.List;

/**
 * An interface cannot be bound to a library. dynload checks every method before binding any, and the
 * exception lists every problem at once:
 *
 * <pre>
 * cannot bind Zlib to /lib/x86_64-linux-gnu/libz.so.1: 2 problems
 *   - crc33(long, byte[], int): symbol "crc33" not found; did you mean: crc32?
 *   - version(): return type java.util.List is not supported; see docs/binding.md for the types
 * </pre>
 */
public final class BindingException extends LibraryException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Every problem found, one per method or declaration. */
    @SuppressWarnings("serial") // an immutable List.copyOf, which is serializable
    private final List<String> problems;

    /**
     * Creates the exception.
     *
     * @param iface the interface that was bound
     * @param library the library it was bound to
     * @param problems one line per problem, each naming the method
     */
    public BindingException(Class<?> iface, String library, List<String> problems) {
        super("cannot bind " + iface.getName() + " to " + library + ": " + problems.size()
                + (problems.size() == 1 ? " problem" : " problems") + System.lineSeparator() + "  - "
                + String.join(System.lineSeparator() + "  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** {@return every problem found, one per line, each naming its method} */
    public List<String> problems() {
        return problems;
    }
}
