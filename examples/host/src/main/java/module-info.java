/** The seed's host program, on dynload: loads libtest.so and prints what greet() returns. */
module dev.dynload.examples.host {
    requires dev.dynload;
    requires static org.jspecify;

    // Library.bind implements BoundHost.Greeter, a package-private interface.
    opens dev.dynload.examples.host to dev.dynload;
}
