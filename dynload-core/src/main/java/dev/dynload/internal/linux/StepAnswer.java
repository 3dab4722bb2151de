package dev.dynload.internal.linux;

/**
 * What one step of a plugin in the runner answered: its status or value, the runner's error (0 none,
 * 3 refused, with why in {@code data}), and the slot's data area as the step left it.
 */
public record StepAnswer(long result, int error, byte[] data) {
    /** {@return the NUL-terminated text at the start of the data area} */
    public String text() {
        return Channel.text(data);
    }
}
