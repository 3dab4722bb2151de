package dev.dynload.internal;

/**
 * Sets up the foreign linker on a second core, for an open that has other work to do first: a bundle is
 * read out of its jar and hashed before anything is loaded, while the linker's set-up (about 50 ms in a
 * fresh JVM, the C library's downcall handle) can go on beside it. Started once per JVM, with more than
 * one processor.
 */
public final class LinkerWarmUp extends Thread {

    private static boolean started;

    private LinkerWarmUp() {
        super("dynload-linker-warm-up");
        setDaemon(true);
    }

    /** Starts it, once per JVM, where there is a second processor to run it on. */
    public static void startOnce() {
        synchronized (LinkerWarmUp.class) {
            if (started) {
                return;
            }
            started = true;
        }
        if (Runtime.getRuntime().availableProcessors() > 1) {
            new LinkerWarmUp().start();
        }
    }

    @Override
    public void run() {
        try {
            NativeLoader.current().warmUp(); // the linker and the backend's downcall handle
        } catch (Throwable ignored) {
            // Only a warm-up: the open reports whatever fails when it gets there.
        }
    }
}
