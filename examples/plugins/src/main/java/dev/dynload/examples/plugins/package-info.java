/**
 * A plugin host application: finds the plugins in a folder, starts them and calls their greeter interface.
 */
@NullMarked
package dev.dynload.examples.plugins;

import org.jspecify.annotations.NullMarked;
