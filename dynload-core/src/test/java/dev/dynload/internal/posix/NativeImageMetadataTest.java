package dev.dynload.internal.posix;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dynload-core's native-image metadata lists the shape of the one downcall handle its loader makes: if
 * {@link Libc#CALL} changes shape, the metadata must change with it, or an image could not open a
 * library.
 */
class NativeImageMetadataTest {

    @Test
    void theLoadersDowncallShapeIsInTheShippedMetadata() throws IOException {
        String metadata;
        try (InputStream in = Libc.class.getResourceAsStream(
                "/META-INF/native-image/dev.dynload/dynload-core/reachability-metadata.json")) {
            assertNotNull(in, "shipped in the jar");
            metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        MethodType type = Libc.CALL.type().dropParameterTypes(0, 1); // the address comes first
        StringJoiner parameters = new StringJoiner(", ", "[", "]");
        for (Class<?> p : type.parameterList()) {
            parameters.add("\"" + spelling(p) + "\"");
        }
        String shape = "{\"returnType\": \"" + spelling(type.returnType()) + "\", \"parameterTypes\": " + parameters + "}";
        assertTrue(metadata.contains(shape), shape + " in\n" + metadata);
    }

    private static String spelling(Class<?> carrier) {
        return carrier == MemorySegment.class ? "void*" : "j" + carrier.getName();
    }
}
