package dev.dynload;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinkerScriptTest {

    @Test
    void glibcLibcScriptPointsToLibcSo6SkippingAsNeeded() {
        LinkerScript script = LinkerScript.parse("""
                /* GNU ld script
                   Use the shared library, but some functions are only in
                   the static library, so try that secondarily.  */
                OUTPUT_FORMAT(elf64-x86-64)
                GROUP ( /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libc_nonshared.a  AS_NEEDED ( /lib64/ld-linux-x86-64.so.2 ) )
                """).orElseThrow();
        assertEquals(List.of("/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc_nonshared.a"),
                script.inputs());
        assertEquals(Optional.of(Path.of("/lib/x86_64-linux-gnu/libc.so.6")),
                script.sharedLibrary(Path.of("/usr/lib/x86_64-linux-gnu/libc.so")));
    }

    @Test
    void relativeInputIsResolvedBesideTheScript() {
        LinkerScript script = LinkerScript.parse("INPUT(libreal.so.2)").orElseThrow();
        assertEquals(Optional.of(Path.of("/opt/lib/libreal.so.2")), script.sharedLibrary(Path.of("/opt/lib/libfoo.so")));
    }

    @Test
    void scriptWithoutSharedLibraryNamesNone() {
        LinkerScript script = LinkerScript.parse("/* GNU ld script */ GROUP ( libonly.a )").orElseThrow();
        assertTrue(script.sharedLibrary(Path.of("/x/libonly.so")).isEmpty());
    }

    @Test
    void ordinaryTextIsNoScript() {
        assertTrue(LinkerScript.parse("hello world\nthis is a README\n").isEmpty());
    }
}
