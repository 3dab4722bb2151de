/**
 * dynload's platform boundary and what the facade shares with it: the backend interface (NativeLoader), the one OS detection point (Host), open files, the bundle cache. Not exported, except to dynload's own modules. See docs/architecture.md.
 */
@NullMarked
package dev.dynload.internal;

import org.jspecify.annotations.NullMarked;
