package dev.dynload.internal.bind;

import dev.dynload.Library;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a library keeps of what it bound. */
class BindingsTest {

    static final Path VERSION = Path.of(System.getProperty("dynload.test.native", "target/native"))
            .resolve("libversion1.so").toAbsolutePath();

    interface Versioned {
        int u_version();
    }

    @Test
    void bindingPerRequestKeepsNothingOnceTheBoundObjectsAreGone() throws ReflectiveOperationException {
        try (Library lib = Library.open(VERSION)) {
            int sum = 0;
            for (int i = 0; i < 5_000; i++) {
                sum += lib.bind(Versioned.class).u_version(); // bound, linked, called and dropped: a request
            }
            assertEquals(5_000, sum);
            java.lang.reflect.Field stateField = Library.class.getDeclaredField("state");
            stateField.setAccessible(true);
            Object state = stateField.get(lib);
            java.lang.reflect.Field field = state.getClass().getDeclaredField("bindings");
            field.setAccessible(true);
            Bindings bindings = (Bindings) field.get(state);
            // A full collection unloads the dropped classes; System.gc() runs one before it returns.
            for (int i = 0; i < 20 && bindings.registered() > 1; i++) {
                System.gc();
            }
            assertTrue(bindings.registered() <= 1, bindings.registered() + " of 5000 dropped bindings still kept");
        }
    }
}
