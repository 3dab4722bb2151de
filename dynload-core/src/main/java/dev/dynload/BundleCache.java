package dev.dynload;

import dev.dynload.LibraryLoadException.Reason;
import dev.dynload.internal.BundleIndex;
import dev.dynload.internal.BundledStream;
import dev.dynload.internal.Hashes;
import dev.dynload.internal.UnsafeCacheException;
import dev.dynload.internal.NativeCache;
import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.OpenFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A bundle loaded through the per-user cache ({@code -Ddynload.bundles=cache}, or where sealed memory
 * files are not to be had): its files are checked in the jar on every open, written into the cache once
 * (checked against the index as they are written), and each is loaded through an open file hashed again
 * through that same descriptor.
 */
final class BundleCache {

    private final String bundle;
    private final Bundles.Resources resources;
    private final NativeLoader loader;
    private final OptionSet options;
    private final BundleFailures failures;

    BundleCache(String bundle, Bundles.Resources resources, NativeLoader loader, OptionSet options,
                BundleFailures failures) {
        this.bundle = bundle;
        this.resources = resources;
        this.loader = loader;
        this.options = options;
        this.failures = failures;
    }

    /** Writes the files into the per-user cache (once), then loads each through an open, re-checked file. */
    List<Library> load(List<BundleIndex.Entry> files, String platform) {
        // The jar is checked on every open, as the memory path checks it: a copy cached from a genuine jar
        // must not hide that this jar's file no longer matches its index.
        for (BundleIndex.Entry e : files) {
            checkInJar(e);
        }
        List<NativeCache.Source> sources = new ArrayList<>();
        StringBuilder identity = new StringBuilder(bundle).append('\n').append(platform).append('\n');
        for (BundleIndex.Entry e : files) {
            identity.append(e.sha256()).append(' ').append(e.name()).append('\n');
            sources.add(new Source(e));
        }
        String digest = Hashes.sha256(identity.toString().getBytes(StandardCharsets.UTF_8));
        Path root = NativeCache.root();
        Path folder;
        try {
            folder = NativeCache.store(root, digest, sources);
        } catch (UnsafeCacheException e) {
            throw failures.fail(Reason.UNSAFE_CACHE, root, "cannot use the cache folder for bundled libraries: " + e.getMessage(),
                    e.hint(), null);
        } catch (HashMismatch e) {
            throw e.failure;
        } catch (IOException e) {
            if (NativeCache.diskFull(e)) {
                throw failures.fail(Reason.DISK_FULL, root, "cannot write bundled libraries into the cache folder: the disk "
                        + "is full (" + e.getMessage() + ")", "free some space, or point -D" + NativeCache.PROPERTY
                        + " at a folder on another disk", null);
            }
            throw failures.fail(Reason.LOADER_ERROR, root, "cannot write bundled libraries into the cache folder: "
                    + NativeCache.explain(e), "check that folder, or point -D" + NativeCache.PROPERTY + " at another", null);
        }
        List<Library> loaded = new ArrayList<>();
        try {
            for (BundleIndex.Entry e : files) {
                Path file = folder.resolve(e.name());
                String library = bundle + "/" + e.name();
                Diagnosis diagnosis = new Diagnosis(library, file, List.of());
                OpenFile open = checkedOpen(diagnosis, file, e);
                if (open == null) {
                    // Changed since it was written (or planted before): written again, and checked again.
                    try {
                        NativeCache.rewrite(folder, new Source(e));
                    } catch (HashMismatch mismatch) {
                        throw mismatch.failure;
                    } catch (IOException failure) {
                        throw diagnosis.cannotOpen(failure);
                    }
                    open = checkedOpen(diagnosis, file, e);
                }
                if (open == null) {
                    throw failures.fail(Reason.HASH_MISMATCH, file, "changed in the cache right after it was written again: "
                            + "its SHA-256 is not " + e.sha256() + ", which the bundle's index says", "something else "
                            + "writes into " + folder + "; point -D" + NativeCache.PROPERTY + " at a folder only dynload "
                            + "writes", null);
                }
                loaded.add(new Loading(loader, options).load(library, diagnosis, open));
            }
            return loaded;
        } catch (RuntimeException failure) {
            Bundles.closeAll(loaded);
            throw failure;
        }
    }

    /**
     * Opens a cached file and hashes it through the descriptor that will load it: the one check of its
     * contents on this run. {@return the open file, or null (closed) when its SHA-256 is not the index's}
     */
    private @Nullable OpenFile checkedOpen(Diagnosis diagnosis, Path file, BundleIndex.Entry e) {
        OpenFile open;
        try {
            open = loader.openFile(file);
        } catch (IOException failure) {
            throw diagnosis.cannotOpen(failure);
        }
        try (InputStream in = java.nio.file.Files.newInputStream(open.readable())) {
            if (Hashes.sha256(in).equals(e.sha256())) {
                return open;
            }
        } catch (IOException failure) {
            open.close();
            throw diagnosis.cannotOpen(failure);
        }
        open.close();
        return null;
    }

    /** Reads a bundled file through, hashing it, and checks it against the index; keeps nothing. */
    private void checkInJar(BundleIndex.Entry e) {
        String path = BundleIndex.filePath(bundle, e);
        try (InputStream in = resources.open(path)) {
            if (in == null) {
                throw failures.missing(e);
            }
            String actual = new BundledStream(in).drain();
            if (!actual.equals(e.sha256())) {
                throw failures.mismatch(e, actual);
            }
        } catch (BundledStream.TooLargeException tooLarge) {
            throw failures.tooLarge(e, tooLarge);
        } catch (IOException failure) {
            throw failures.cannotRead(e, failure);
        }
    }

    /** A bundled file as the cache reads it: checked against its hash while it is written. */
    private final class Source implements NativeCache.Source {
        private final BundleIndex.Entry entry;

        Source(BundleIndex.Entry entry) {
            this.entry = entry;
        }

        @Override
        public String name() {
            return entry.name();
        }

        @Override
        public String sha256() {
            return entry.sha256();
        }

        @Override
        public InputStream open() throws IOException {
            InputStream in = resources.open(BundleIndex.filePath(bundle, entry));
            if (in == null) {
                throw new HashMismatch(failures.missing(entry));
            }
            return new Checked(in, entry);
        }
    }

    /** A bundled file as the cache writes it: at its end, checked against the index before it is kept. */
    private final class Checked extends java.io.FilterInputStream {
        private final BundleIndex.Entry entry;
        private boolean ended;

        Checked(InputStream in, BundleIndex.Entry entry) {
            super(new BundledStream(in));
            this.entry = entry;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (BundledStream.TooLargeException tooLarge) {
                throw new HashMismatch(failures.tooLarge(entry, tooLarge));
            }
            if (n < 0 && !ended) {
                ended = true;
                String actual = ((BundledStream) in).sha256();
                if (!actual.equals(entry.sha256())) {
                    throw new HashMismatch(failures.mismatch(entry, actual));
                }
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
        }
    }

    /** Carries a bundle failure found while the cache reads a file out through its IOException. */
    private static final class HashMismatch extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient LibraryLoadException failure;

        HashMismatch(LibraryLoadException failure) {
            super(failure.getMessage());
            this.failure = failure;
        }
    }
}
