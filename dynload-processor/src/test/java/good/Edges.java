package good;

import dev.dynload.bind.LibraryInterface;
import dev.dynload.bind.Ref;
import dev.dynload.plugin.PluginInterface;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Legal interfaces that the class the processor writes must not break: each compiles with the processor
 * under -Xlint:all -Werror (WrittenClassTest), with a written class or, where none can name its types,
 * a note.
 */
public final class Edges {

    private Edges() {
    }

    interface Files {
        int close(int fd);
    }

    interface Processes {
        int close(int fd);

        int getpid();
    }

    /** The same method through two interfaces it extends: written once. */
    @LibraryInterface
    public interface Posix extends Files, Processes {
        /** @deprecated a deprecated method's override must not warn under -Werror */
        @Deprecated(forRemoval = true)
        int getppid();
    }

    private record Secret(int value) {
    }

    /** Names a private record of the class around it: checked, but no class beside it can name it. */
    @LibraryInterface
    interface Hidden {
        int stat(String path, Ref<Secret> out);
    }

    interface Callback<T> {
        int call(MemorySegment context);
    }

    interface Base<T> {
        int each(Callback<T> callback);
    }

    /** A method inherited with a type variable in its signature: checked, and bound at run time. */
    @LibraryInterface
    interface Generic extends Base<String> {
    }

    /** A plugin interface with a private helper and a default method the declaration does not name. */
    @PluginInterface(id = "com.example.greeter", major = 1, minor = 2, functions = "greet = str(str)")
    public interface Greeter {
        String greet(String who);

        default String greetAll(List<String> names) {
            return join(names);
        }

        private String join(List<String> names) {
            return String.join(", ", names);
        }
    }
}
