/**
 * The {@code dynload} command line tool: one class per command, each registered once, in
 * {@code Commands}. Fields picocli fills are set before a
 * command runs. See docs/cli.md.
 */
@NullMarked
package dev.dynload.cli;

import org.jspecify.annotations.NullMarked;
