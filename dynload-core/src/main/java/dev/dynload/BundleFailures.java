package dev.dynload;

import dev.dynload.LibraryLoadException.Reason;
import dev.dynload.internal.BundleIndex;
import dev.dynload.internal.BundledStream;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.jspecify.annotations.Nullable;

/** The exceptions of one bundle's open: each names the bundle, and the resource where there is one. */
final class BundleFailures {

    private final String bundle;
    private final Bundles.Resources resources;

    BundleFailures(String bundle, Bundles.Resources resources) {
        this.bundle = bundle;
        this.resources = resources;
    }

    LibraryLoadException tooLarge(BundleIndex.Entry e, BundledStream.TooLargeException tooLarge) {
        return fail(Reason.BAD_BUNDLE, Path.of(where(BundleIndex.filePath(bundle, e))), tooLarge.getMessage()
                + " (a compressed entry that inflates that far is what a zip bomb does); if the library is genuine, "
                + "raise the limit with -D" + BundledStream.LIMIT_PROPERTY + "=2g", "use the jar its build made", null);
    }

    LibraryLoadException cannotRead(BundleIndex.Entry e, IOException failure) {
        return fail(Reason.BAD_BUNDLE, null, "cannot read " + where(BundleIndex.filePath(bundle, e)) + ": "
                + failure.getMessage(), "rebuild the bundle's jar", null);
    }

    LibraryLoadException missing(BundleIndex.Entry e) {
        return fail(Reason.BAD_BUNDLE, null, "lists " + e.name() + " for " + e.classifier() + " in its index, but "
                + BundleIndex.filePath(bundle, e) + " is not among the resources", "rebuild the bundle's jar", null);
    }

    LibraryLoadException mismatch(BundleIndex.Entry e, String actual) {
        String path = BundleIndex.filePath(bundle, e);
        return fail(Reason.HASH_MISMATCH, Path.of(where(path)), "is not the file the bundle's index names: its SHA-256 is "
                + actual + ", the index says " + e.sha256(), "the jar was changed after it was built; use the one "
                + "its build made", null);
    }

    /** Where a resource is, for messages: its URL, such as {@code jar:file:/app/x.jar!/META-INF/...}. */
    String where(String path) {
        return resources.where(path);
    }

    LibraryLoadException fail(Reason reason, @Nullable Path file, String detail, String hint, @Nullable String message) {
        return new LibraryLoadException(reason, "bundle " + bundle, file, detail, hint, message, List.of());
    }

    LibraryLoadException fail(Reason reason, @Nullable Path file, String detail, String hint) {
        return fail(reason, file, detail, hint, null);
    }
}
