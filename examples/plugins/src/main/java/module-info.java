/** The plugin example's host application. */
module dev.dynload.examples.plugins {
    requires dev.dynload.plugin;
    requires static org.jspecify;
    // dynload implements the Greeter interface for each plugin: it needs access to its package.
    opens dev.dynload.examples.plugins to dev.dynload;
}
