/**
 * The JMH benchmarks: dynload against raw FFM, JNI, JNA and jnr-ffi, cold and warm. See docs/benchmarks.md.
 */
@NullMarked
package dev.dynload.bench;

import org.jspecify.annotations.NullMarked;
