package dev.dynload.internal.windows;

import dev.dynload.internal.Host;
import dev.dynload.internal.NativeLoader;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What of the Windows backend can be tested here, on Linux: it is chosen for Windows by name, and its class
 * loads without calling Windows (kernel32 is looked up only when first used). Its calls themselves have
 * not run (README, Platforms).
 */
class WindowsBackendTest {

    @Test
    void windowsIsToldApartByItsName() {
        assertEquals(Host.Family.WINDOWS, Host.family("Windows 11"));
        assertEquals(Host.Family.WINDOWS, Host.family("Windows Server 2022"));
        assertEquals(Host.Family.MACOS, Host.family("Mac OS X"));
        assertEquals(Host.Family.LINUX, Host.family("Linux"));
        assertEquals(Host.Family.LINUX, Host.family("FreeBSD"));
    }

    @Test
    void theBackendClassExistsWhereTheChooserLooksForIt() throws ReflectiveOperationException {
        Class<?> backend = Class.forName("dev.dynload.internal.windows.WindowsLoader", false,
                WindowsBackendTest.class.getClassLoader());
        assertTrue(NativeLoader.class.isAssignableFrom(backend));
        assertTrue(java.lang.reflect.Modifier.isPublic(backend.getConstructor().getModifiers()));
        Class.forName("dev.dynload.internal.macos.MacLoader", false, WindowsBackendTest.class.getClassLoader())
                .getConstructor();
    }
}
