package dev.dynload.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each command is registered once, in {@link Commands}, and everything that lists commands reads it there. */
class CommandsTest {

    @Test
    void eachCommandsNameIsTheNameItsClassDeclares() {
        for (Commands c : Commands.values()) {
            Object command = c.create();
            CommandLine.Command annotation = command.getClass().getAnnotation(CommandLine.Command.class);
            assertEquals(c.command(), annotation.name(), command.getClass().getSimpleName());
        }
    }

    @Test
    void aCommandLineAddsOnlyTheCommandItNames() {
        for (Commands c : Commands.values()) {
            assertEquals(List.of(c.command()), new ArrayList<>(Main.commandLine(c.command()).getSubcommands().keySet()));
        }
    }

    @Test
    void helpAndTyposGetEveryCommandOnceInOrder() {
        List<String> all = new ArrayList<>();
        for (Commands c : Commands.values()) {
            all.add(c.command());
        }
        assertEquals(all, new ArrayList<>(Main.commandLine("").getSubcommands().keySet()));
        assertEquals(all, new ArrayList<>(Main.commandLine("cal").getSubcommands().keySet()));
        DynloadToolTest.Run help = DynloadToolTest.run("--help");
        assertEquals(0, help.status(), help.err());
        for (String name : all) {
            long listed = help.out().lines().filter(l -> l.startsWith("  " + name + " ") && !l.startsWith("   ")).count();
            assertEquals(1, listed, name + " in:\n" + help.out());
        }
    }

    @Test
    void noCommandNamesEveryCommand() {
        DynloadToolTest.Run r = DynloadToolTest.run();
        assertEquals(ExitCode.USAGE.code(), r.status());
        assertTrue(r.err().contains("a command is needed: call, symbols, info, verify, bundle, plugins or plugin"), r.err());
    }
}
