package dev.dynload.bind;

import dev.dynload.Library;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In this module, core's binding and mapping tests are compiled with the annotation processor, so every
 * interface they mark {@code @LibraryInterface} binds through the class the processor wrote: this test
 * checks that those classes exist and that bind uses them, so that the same tests, passing here and in
 * core, compare the written and the run-time implementations over the whole type table.
 */
class CompiledBindingTest {

    /** Every interface core's binding tests mark, each with its written class. */
    @Test
    void everyMarkedInterfaceOfTheBindingTestsHasItsWrittenClass() {
        int marked = 0;
        for (Class<?> test : new Class<?>[] {BindingTest.class, MappingsTest.class, SystemLibrariesBindingTest.class}) {
            for (Class<?> nested : test.getDeclaredClasses()) {
                if (nested.isAnnotationPresent(LibraryInterface.class)) {
                    String file = nested.getName().substring(nested.getPackageName().length() + 1) + "$Dynload.class";
                    assertNotNull(nested.getResource(file), nested.getName() + " has no written class " + file);
                    marked++;
                }
            }
        }
        assertTrue(marked >= 10, marked + " marked interfaces");
    }

    @Test
    void bindUsesTheWrittenClassAndItCallsTheLibrary() {
        try (Library lib = Library.open(BindingTest.BINDING)) {
            BindingTest.Fixture f = lib.bind(BindingTest.Fixture.class);
            assertTrue(f.getClass().getName().startsWith(BindingTest.Fixture.class.getName() + "$Dynload/"),
                    f.getClass().getName());
            assertTrue(f.getClass().isHidden(), "defined per bind, with its own constants");
            assertEquals(42, f.answer());
            assertEquals(5, f.add(2, 3));
            assertEquals("Fixture bound to " + BindingTest.BINDING, f.toString());
        }
    }
}
