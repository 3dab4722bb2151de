package dev.dynload.processor;

import dev.dynload.internal.bind.BindingRules;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The GraalVM Native Image reachability metadata of one library interface, written beside its class as
 * {@code META-INF/native-image/dynload/<interface>/reachability-metadata.json}. An image cannot make
 * a downcall or an upcall stub of a shape it was not built for, nor define a class at run time, so it
 * needs: each method's downcall (with its linker options), each callback's upcall, and the written
 * class, which {@code bind} loads by name and makes through its constructor. Nothing here decides a
 * shape: {@link BindingRules#check} reports what {@code bind} will ask of the linker.
 */
final class NativeImageMetadata {

    private NativeImageMetadata() {
    }

    /** {@return where the metadata of the interface of binary name {@code binary} goes} */
    static String path(String binary) {
        return "META-INF/native-image/dynload/" + binary + "/reachability-metadata.json";
    }

    /**
     * {@return the metadata, as JSON}
     *
     * @param iface the interface's binary name
     * @param written the written class's binary name
     * @param shapes what its methods ask of the linker
     */
    static String json(String iface, String written, List<BindingRules.NativeShape> shapes) {
        Set<String> downcalls = new LinkedHashSet<>();
        Set<String> upcalls = new LinkedHashSet<>();
        for (BindingRules.NativeShape shape : shapes) {
            StringJoiner options = new StringJoiner(", ");
            if (shape.firstVariadic() >= 0) {
                options.add("\"firstVariadicArg\": " + shape.firstVariadic());
            }
            if (shape.captureErrno()) {
                options.add("\"captureCallState\": true");
            }
            if (shape.critical() >= 0) {
                options.add("\"critical\": {\"allowHeapAccess\": " + (shape.critical() == 1) + "}");
            }
            downcalls.add(function(shape.downcall()) + (options.length() == 0 ? "" : ", \"options\": {" + options + "}"));
            for (FunctionDescriptor upcall : shape.upcalls()) {
                upcalls.add(function(upcall));
            }
        }
        return "{\n"
                + "  \"comment\": \"Written by dynload's annotation processor for " + iface + ": what Library.bind needs "
                + "of GraalVM Native Image.\",\n"
                + "  \"reflection\": [\n"
                + "    {\"type\": \"" + written + "\", \"methods\": [{\"name\": \"<init>\", \"parameterTypes\": "
                + "[\"java.lang.String\", \"java.util.function.BiFunction\", \"java.lang.String\"]}]}\n"
                + "  ],\n"
                + "  \"foreign\": {\n"
                + "    \"downcalls\": [" + entries(downcalls) + "],\n"
                + "    \"upcalls\": [" + entries(upcalls) + "]\n"
                + "  }\n"
                + "}\n";
    }

    private static String entries(Set<String> entries) {
        StringJoiner all = new StringJoiner(",\n      ", entries.isEmpty() ? "" : "\n      ", entries.isEmpty() ? "" : "\n    ");
        for (String e : entries) {
            all.add("{" + e + "}");
        }
        return all.toString();
    }

    /** {@return {@code "returnType": ..., "parameterTypes": [...]}} */
    private static String function(FunctionDescriptor d) {
        StringJoiner parameters = new StringJoiner(", ", "[", "]");
        for (MemoryLayout p : d.argumentLayouts()) {
            parameters.add("\"" + layout(p) + "\"");
        }
        String result = d.returnLayout().isPresent() ? layout(d.returnLayout().get()) : "void";
        return "\"returnType\": \"" + result + "\", \"parameterTypes\": " + parameters;
    }

    /** {@return a layout as the metadata spells it: Java's own names for values, struct(...) and the like} */
    static String layout(MemoryLayout l) {
        return switch (l) {
            case AddressLayout a -> "void*";
            case ValueLayout.OfBoolean v -> "jboolean";
            case ValueLayout.OfByte v -> "jbyte";
            case ValueLayout.OfShort v -> "jshort";
            case ValueLayout.OfChar v -> "jchar";
            case ValueLayout.OfInt v -> "jint";
            case ValueLayout.OfLong v -> "jlong";
            case ValueLayout.OfFloat v -> "jfloat";
            case ValueLayout.OfDouble v -> "jdouble";
            case PaddingLayout p -> "padding(" + p.byteSize() + ")";
            case SequenceLayout s -> "sequence(" + s.elementCount() + ", " + layout(s.elementLayout()) + ")";
            case GroupLayout g -> {
                StringJoiner members = new StringJoiner(", ", g instanceof StructLayout ? "struct(" : "union(", ")");
                for (MemoryLayout m : g.memberLayouts()) {
                    members.add(layout(m));
                }
                yield members.toString();
            }
            default -> throw new IllegalArgumentException("no metadata spelling for " + l);
        };
    }
}
