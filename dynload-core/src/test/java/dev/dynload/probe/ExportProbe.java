package dev.dynload.probe;

import dev.dynload.Library;

import java.nio.file.Path;

/**
 * Run in a child JVM with dynload as a named module and this class in the unnamed module: binds an
 * interface of the unnamed module, calls it, and prints whether dynload's module now exports either of
 * its internal packages to the unnamed module.
 */
public final class ExportProbe {

    /** A bound interface outside dynload's module. */
    public interface Versioned {
        int u_version();
    }

    private ExportProbe() {
    }

    public static void main(String[] args) {
        try (Library lib = Library.open(Path.of(args[0]))) {
            int version = lib.bind(Versioned.class).u_version();
            Module dynload = Library.class.getModule();
            Module mine = ExportProbe.class.getModule();
            System.out.println("named=" + dynload.isNamed() + " version=" + version
                    + " internal=" + dynload.isExported("dev.dynload.internal", mine)
                    + " bind=" + dynload.isExported("dev.dynload.internal.bind", mine));
        }
    }
}
