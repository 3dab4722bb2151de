package dev.dynload.plugin;

import dev.dynload.Bundle;
import dev.dynload.Library;
import dev.dynload.LibraryException;
import dev.dynload.format.SymbolData;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * A plugin found on disk or in a jar: where it is and its manifest, read without loading it.
 *
 * {@snippet :
 * PluginDescriptor d = PluginDescriptor.read(Path.of("plugins/libgreeter.so"));
 * d.manifest().provides();     // [com.example.greeter/1.2]
 * }
 */
public final class PluginDescriptor {

    private final Path file;
    private final PluginManifest manifest;
    /** The bundle that holds it, and the class loader that sees the bundle's jar; null for a plain file. */
    private final String bundle;
    private final ClassLoader loader;

    private PluginDescriptor(Path file, PluginManifest manifest, String bundle, ClassLoader loader) {
        this.file = Objects.requireNonNull(file, "file");
        this.manifest = Objects.requireNonNull(manifest, "manifest");
        this.bundle = bundle;
        this.loader = loader;
    }

    /**
     * Reads one plugin file's manifest; loads nothing, runs nothing.
     *
     * @param file a plugin's shared library
     * @return its descriptor
     * @throws PluginException naming the file and what is wrong: unreadable, not a library, not a
     *         plugin, or a bad manifest
     */
    public static PluginDescriptor read(Path file) {
        Objects.requireNonNull(file, "file");
        return new PluginDescriptor(file, ManifestReader.read(file), null, null);
    }

    /**
     * Reads the manifest of a plugin shipped in a jar as a dynload bundle (docs/bundles.md): the library
     * for this platform is read from the jar, checked against the bundle's SHA-256, and its manifest read
     * from a sealed memory copy; loads nothing, runs nothing.
     *
     * @param bundle the bundle's name
     * @param loader the class loader that sees the bundle's jar
     * @return its descriptor; its {@link #file()} names the library inside the bundle
     * @throws PluginException naming the bundle and what is wrong
     */
    public static PluginDescriptor readBundled(String bundle, ClassLoader loader) {
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(loader, "loader");
        Path shown;
        try {
            shown = Path.of("bundle " + bundle);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("'" + bundle + "' is not a bundle name", e);
        }
        Optional<SymbolData> data;
        try {
            data = Bundle.readData(bundle, loader, ManifestReader.SYMBOL, ManifestReader.LIMIT);
        } catch (dev.dynload.format.FormatException e) {
            throw new PluginException(PluginException.Reason.NOT_A_LIBRARY, shown,
                    "holds a damaged library: " + e.getMessage(), "rebuild the plugin's jar", e);
        } catch (LibraryException | IOException | UnsupportedOperationException | IllegalArgumentException e) {
            throw new PluginException(PluginException.Reason.UNREADABLE, shown, "cannot be read: " + e.getMessage(),
                    null, e);
        }
        return new PluginDescriptor(shown, ManifestReader.parse(shown, data), bundle, loader);
    }

    /** {@return the plugin's file; for a plugin in a jar, {@code bundle NAME}} */
    public Path file() {
        return file;
    }

    /** {@return what the plugin says about itself} */
    public PluginManifest manifest() {
        return manifest;
    }

    /** {@return the bundle the plugin ships in, when it ships in a jar} */
    public Optional<String> bundle() {
        return Optional.ofNullable(bundle);
    }

    /** {@return the plugin's id} */
    public String id() {
        return manifest.id();
    }

    /** {@return the plugin's version} */
    public Version version() {
        return manifest.version();
    }

    /**
     * {@return the SHA-256 of a bundled plugin's bundle: of its index, which pins every file of the bundle
     * by its own SHA-256 (each is checked against it when it loads)}
     *
     * @throws IOException if the index cannot be read
     * @throws IllegalStateException if this plugin is no bundle's
     */
    String bundleSha256() throws IOException {
        if (bundle == null || loader == null) {
            throw new IllegalStateException(file + " is a file, not a bundle");
        }
        try (java.io.InputStream in = loader.getResourceAsStream(Bundle.indexResource(bundle))) {
            if (in == null) {
                throw new IOException("bundle " + bundle + " has no index (" + Bundle.indexResource(bundle) + ")");
            }
            return dev.dynload.internal.Hashes.sha256(in);
        }
    }

    /** {@return the class loader whose jars hold the plugin's bundle; null for a file} */
    @Nullable ClassLoader bundleLoader() {
        return loader;
    }

    /** Loads the plugin's library: the file (with {@code options}, a pin), or the bundle from its jar. */
    Library open(dev.dynload.LoadOption... options) {
        return bundle == null ? Library.open(file, options) : Library.openBundled(bundle, loader);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PluginDescriptor d && d.file.equals(file) && d.manifest.equals(manifest)
                && Objects.equals(d.bundle, bundle) && d.loader == loader;
    }

    @Override
    public int hashCode() {
        return Objects.hash(file, manifest, bundle);
    }

    @Override
    public String toString() {
        return manifest.id() + " " + manifest.version() + " (" + file + ")";
    }
}
