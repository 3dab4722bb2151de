package dev.dynload.bench;

import com.sun.jna.Native;

/** The seed's host with JNA, for the whole-process comparison. */
public final class JnaHost {

    /** The library, as JNA maps it. */
    public interface Greeter extends com.sun.jna.Library {
        String greet();
    }

    private JnaHost() {
    }

    /**
     * Prints the greeting of the library at {@code args[0]}.
     *
     * @param args the library's path
     */
    public static void main(String[] args) {
        System.out.println(Native.load(args[0], Greeter.class).greet());
    }
}
