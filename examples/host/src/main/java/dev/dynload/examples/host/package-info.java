/**
 * The seed's host, on dynload: a library loaded by path and by bundle, its function called raw and bound.
 */
@NullMarked
package dev.dynload.examples.host;

import org.jspecify.annotations.NullMarked;
