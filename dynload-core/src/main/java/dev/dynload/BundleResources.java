package dev.dynload;

import java.nio.file.Path;

/** Where {@link Library#openBundled} reads a bundle from: a class's jar or module, or a class loader. */
final class BundleResources {

    private BundleResources() {
    }

    /**
     * A bundle in a class's jar or module. When the class comes from a jar, the bundle is read from that
     * jar directly: a class loader's first resource lookup costs a fresh JVM some 10 ms of URL handling.
     * Anything not in that jar is looked up as {@link Class#getResourceAsStream} would.
     */
    static final class OfClass implements Bundles.Resources {
        private final Class<?> anchor;
        private java.util.jar.JarFile jar;
        private boolean jarLooked;

        OfClass(Class<?> anchor) {
            this.anchor = anchor;
        }

        private java.util.jar.JarFile jar() {
            if (!jarLooked) {
                jarLooked = true;
                try {
                    java.security.CodeSource source = anchor.getProtectionDomain().getCodeSource();
                    if (source != null && source.getLocation() != null && "file".equals(source.getLocation().getProtocol())) {
                        Path file = Path.of(source.getLocation().toURI());
                        if (java.nio.file.Files.isRegularFile(file)) {
                            jar = new java.util.jar.JarFile(file.toFile());
                        }
                    }
                } catch (java.io.IOException | java.net.URISyntaxException | RuntimeException e) {
                    jar = null; // looked up the general way below
                }
            }
            return jar;
        }

        @Override
        public java.io.InputStream open(String path) throws java.io.IOException {
            java.util.jar.JarFile j = jar();
            java.util.jar.JarEntry entry = j == null ? null : j.getJarEntry(path);
            return entry != null ? j.getInputStream(entry) : anchor.getResourceAsStream("/" + path);
        }

        @Override
        public String where(String path) {
            java.util.jar.JarFile j = jar();
            if (j != null && j.getJarEntry(path) != null) {
                return "jar:" + Path.of(j.getName()).toUri() + "!/" + path;
            }
            java.net.URL url = anchor.getResource("/" + path);
            return url != null ? url.toString() : path;
        }

        @Override
        public void close() {
            if (jar != null) {
                try {
                    jar.close();
                } catch (java.io.IOException ignored) {
                    // read only; nothing was written
                }
            }
        }
    }

    /** A bundle among a class loader's resources. */
    record OfLoader(ClassLoader loader) implements Bundles.Resources {
        @Override
        public java.io.InputStream open(String path) {
            return loader.getResourceAsStream(path);
        }

        @Override
        public String where(String path) {
            java.net.URL url = loader.getResource(path);
            return url != null ? url.toString() : path;
        }

        @Override
        public void close() {
        }
    }
}
