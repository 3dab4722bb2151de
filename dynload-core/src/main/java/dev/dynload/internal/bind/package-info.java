/**
 * Typed binding: the type table that maps Java types to C, the classes generated for bound interfaces,
 * the call plans and fast paths, structs and callbacks. Not exported. See docs/binding.md.
 */
@NullMarked
package dev.dynload.internal.bind;

import org.jspecify.annotations.NullMarked;
