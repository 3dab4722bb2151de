package dev.dynload.internal;

import java.io.IOException;

/** The cache folder is unusable: another user's, open to others' writes, a link, or on a noexec mount. */
public final class UnsafeCacheException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String hint;

    UnsafeCacheException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    /** {@return what to do about it, naming the property that points the cache elsewhere} */
    public String hint() {
        return hint;
    }
}
