/**
 * The {@code dynload} command line tool: one class per command, registered once in
 * {@link dev.dynload.cli.DynloadCommand}'s {@code subcommands}. Fields picocli fills are set before a
 * command runs. See docs/cli.md.
 */
@NullMarked
package dev.dynload.cli;

import org.jspecify.annotations.NullMarked;
