package dev.dynload.bench;

/** The floor of a Java process: a hello world that loads nothing native. */
public final class Hello {

    private Hello() {
    }

    /**
     * Prints a greeting.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println("Hello from Java!");
    }
}
