package dev.dynload.elf;

import dev.dynload.elf.ElfProblem.Part;

import java.util.HashMap;
import java.util.Map;

/**
 * No two symbols share a name and a version: a linker writes each symbol once, so a second one is a name
 * that was damaged into another's (a call to {@code free} made to {@code snprintf}). Versioned symbols of
 * one name (a library's {@code memcpy@GLIBC_2.2.5} and {@code memcpy@@GLIBC_2.14}, or its own
 * {@code fgetxattr@ATTR_1.0} beside the {@code fgetxattr@GLIBC_2.3} it imports) differ in their version.
 */
final class UniqueNames {

    private UniqueNames() {
    }

    /**
     * Reports the first clash.
     *
     * @param names each symbol's name, as {@link SymbolTables#symbols()} read them
     * @param version the version index of a symbol (DT_VERSYM), or -1 for an unversioned library
     */
    static void check(Verification v, SymbolTables symbols, String[] names, VersionTables version) {
        Map<String, Integer> seen = new HashMap<>();
        Map<String, Integer> imports = new HashMap<>();
        for (int i = 1; i < names.length; i++) {
            SymbolTables.Symbol symbol = symbols.symbol(i);
            if (names[i].isEmpty() || symbol.bind() == 0) {
                continue; // section symbols and local ones: not looked up by name
            }
            if (symbol.shndx() == 0) {
                // Two imports of one name: several versions of it may be asked for, but an unversioned one
                // (0 or 1) beside another would be bound to whatever the first definition found is.
                Integer twin = imports.putIfAbsent(names[i], i);
                if (twin != null && (version.versionOf(i) <= 1 || version.versionOf(twin) <= 1)) {
                    v.problem(Part.SYMBOLS, "symbols " + twin + " and " + i + " both import " + names[i] + ", one of them "
                            + "without a version: a linker writes each import once, so a name is damaged");
                    return;
                }
            }
            // Unversioned (-1), an import and a definition of one name clash too: the linker would have bound
            // the one to the other. Versioned, a library may define its own foo@LIB_1 and import foo@GLIBC.
            Integer other = seen.putIfAbsent(names[i] + "@" + version.versionOf(i), i);
            if (other != null) {
                v.problem(Part.SYMBOLS, "symbols " + other + " and " + i + " are both " + names[i] + ", of one version: "
                        + "a linker writes each once, so a name is damaged");
                return;
            }
        }
    }
}
