package dev.dynload.cli;

import dev.dynload.IsolatedLibrary;
import dev.dynload.Library;
import dev.dynload.LoadPlan;
import dev.dynload.elf.ElfFile;
import dev.dynload.elf.ElfSymbol;
import dev.dynload.internal.Printable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;

/** {@code dynload call LIB SYMBOL [TYPE:VALUE...] --returns TYPE}. */
@Command(name = "call", mixinStandardHelpOptions = true,
        description = {"Call a function of a library and print what it returns.",
                "Types: bool, int8 (char), uint8, int16 (short), uint16, int32 (int), uint32, int64 (long), "
                        + "uint64 (size_t), float, double, pointer, string, void.",
                "Example: dynload call libm.so.6 cos double:0 --returns double"})
final class CallCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    LibraryArgument library;

    @Parameters(index = "1", paramLabel = "SYMBOL", description = "The function to call.")
    String symbol;

    @Parameters(index = "2..*", paramLabel = "TYPE:VALUE",
            description = "The arguments in order, each with its C type: int:42 double:0.5 string:hello pointer:0x0")
    List<String> arguments = new ArrayList<>();

    @Option(names = {"-r", "--returns"}, paramLabel = "TYPE", defaultValue = "void",
            description = "The function's return type (default: ${DEFAULT-VALUE}).")
    String returns;

    @Option(names = "--isolated", paramLabel = "SECONDS", arity = "0..1", fallbackValue = "10",
            preprocessor = AttachedValueOnly.class,
            description = "Load the library and make the call in a child process, with a time limit (default 10 s "
                    + "when given without a value; give one attached: --isolated=3): a library that crashes, exits or "
                    + "hangs, loading or in the call, is reported, and this process goes on. Arguments and results "
                    + "cross as values: every type but pointer.")
    @Nullable Long isolatedSeconds;

    @Option(names = "--sandbox", paramLabel = "RULE", split = ",",
            description = "With --isolated: confine the child process (repeatable, or comma-separated): no-network, "
                    + "no-exec, no-writes, confined (all three). A system call the sandbox refuses fails in the library "
                    + "and is reported on stderr.")
    List<String> sandbox = new ArrayList<>();

    /** {@return the sandbox the --sandbox rules make} */
    private dev.dynload.Sandbox sandbox() {
        dev.dynload.Sandbox box = dev.dynload.Sandbox.none();
        for (String rule : sandbox) {
            box = switch (rule) {
                case "no-network" -> box.noNetwork();
                case "no-exec" -> box.noExec();
                case "no-writes" -> box.writableOnly();
                case "confined" -> box.noNetwork().noExec().writableOnly();
                default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--sandbox takes "
                        + "no-network, no-exec, no-writes or confined, not '" + rule + "'");
            };
        }
        return box;
    }

    /**
     * An optional option value is taken only when attached ({@code --isolated=3}): in
     * {@code --isolated LIB SYMBOL}, LIB is the library, not the time limit.
     */
    static final class AttachedValueOnly implements picocli.CommandLine.IParameterPreprocessor {
        @Override
        public boolean preprocess(java.util.Stack<String> args, picocli.CommandLine.Model.CommandSpec command,
                                  picocli.CommandLine.Model.ArgSpec option, java.util.Map<String, Object> info) {
            if (!"=".equals(info.get("separator"))) {
                args.push(((picocli.CommandLine.Model.OptionSpec) option).fallbackValue());
            }
            return false; // picocli goes on, and takes the value now on top of the stack
        }
    }

    @Override
    public Integer call() throws Exception {
        CType result = CType.named(returns);
        if (isolatedSeconds != null && isolatedSeconds <= 0) {
            throw new IllegalArgumentException("--isolated takes a positive number of seconds, not " + isolatedSeconds);
        }
        if (isolatedSeconds != null) {
            return callIsolated(result, Duration.ofSeconds(isolatedSeconds));
        }
        if (!sandbox.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--sandbox confines the child "
                    + "process of --isolated; give --isolated too");
        }
        try (Arena arena = Arena.ofConfined(); Library target = library.open()) {
            refuseNonFunction(target);
            List<MemoryLayout> layouts = new ArrayList<>();
            List<Object> values = new ArrayList<>();
            for (String argument : arguments) {
                Argument a = Argument.of(argument);
                values.add(a.type().parse(a.text(), arena));
                layouts.add(a.type().layout().orElseThrow(
                        () -> new IllegalArgumentException("void is only a return type, not an argument's")));
            }
            MemoryLayout[] args = layouts.toArray(MemoryLayout[]::new);
            FunctionDescriptor descriptor = result.layout()
                    .map(r -> FunctionDescriptor.of(r, args))
                    .orElseGet(() -> FunctionDescriptor.ofVoid(args));
            MethodHandle function = target.downcall(symbol, descriptor);
            Object value;
            try {
                value = function.invokeWithArguments(values);
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            if (result != CType.VOID) {
                spec.commandLine().getOut().println(result.format(value));
            }
        }
        return ExitCode.OK.code();
    }

    /** One TYPE:VALUE argument of the command line. */
    private record Argument(CType type, String text) {
        static Argument of(String argument) {
            int colon = argument.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("argument '" + argument
                        + "' needs its type: TYPE:VALUE, such as int:42 or string:hello");
            }
            return new Argument(CType.named(argument.substring(0, colon)), argument.substring(colon + 1));
        }
    }

    /** The call made in a child process ({@link IsolatedLibrary}): only values cross, no pointer. */
    private Integer callIsolated(CType result, Duration limit) {
        if (result == CType.POINTER) {
            throw new IllegalArgumentException("--isolated: a pointer result would be an address in the child process, "
                    + "meaningless here; call without --isolated, or return a value");
        }
        Path file = library.locate();
        refuseNonFunction(Optional.of(file)); // a variable would be jumped into in the child: say so instead
        List<Class<?>> types = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            for (String argument : arguments) {
                Argument a = Argument.of(argument);
                if (a.type() == CType.POINTER) {
                    throw new IllegalArgumentException("--isolated: a pointer argument cannot cross to the child "
                            + "process; call without --isolated");
                } else if (a.type() == CType.STRING) {
                    values.add(a.text());
                    types.add(String.class);
                } else {
                    values.add(a.type().parse(a.text(), arena)); // refuses void, as the call in process does
                    types.add(a.type().carrier());
                }
            }
        }
        Class<?> returns = result == CType.STRING ? String.class : result.carrier();
        // What the child prints (the library's own output, a sandbox's reports) goes to stderr, a line at a time,
        // with or without a sandbox: stdout carries the result alone.
        java.io.PrintWriter err = spec.commandLine().getErr();
        try (IsolatedLibrary lib = IsolatedLibrary.open(file, limit, line -> err.println(Printable.of(line)),
                sandbox())) {
            Object value;
            try {
                value = lib.call(symbol, returns, types, values.toArray());
            } catch (IllegalStateException tooLong) { // a string result longer than a call carries back
                throw new IllegalArgumentException(tooLong.getMessage(), tooLong);
            }
            if (result == CType.STRING) {
                spec.commandLine().getOut().println(value == null ? "(null)" : (String) value);
            } else if (result != CType.VOID) {
                spec.commandLine().getOut().println(result.format(value));
            }
        }
        return ExitCode.OK.code();
    }

    /**
     * Refuses a symbol that is not a function: calling data, a thread-local or an untyped address would jump
     * into it and crash. The ELF symbol tables say which kind a symbol is: the library's own, then those of
     * the libraries it needs, where dlsym looks next.
     */
    private void refuseNonFunction(Library target) {
        refuseNonFunction(target.path());
    }

    private void refuseNonFunction(Optional<Path> file) {
        if (file.isEmpty()) {
            return;
        }
        Optional<ElfSymbol> found = kindIn(file.get());
        if (found.isEmpty()) {
            for (LoadPlan.Dependency d : library.plan().dependencies()) {
                found = d.file().flatMap(this::kindIn);
                if (found.isPresent()) {
                    break;
                }
            }
        }
        if (found.isPresent() && found.get().kind() != ElfSymbol.Kind.FUNCTION) {
            String kind = switch (found.get().kind()) {
                case DATA -> "a variable";
                case THREAD_LOCAL -> "a thread-local variable";
                default -> "an untyped symbol (a marker the linker defines)";
            };
            throw new Failures.NotAFunction(symbol + " in " + file.get() + " is " + kind + ", not a function: calling it "
                    + "would jump into data; 'dynload symbols " + file.get() + " --functions' lists what can be called");
        }
    }

    private Optional<ElfSymbol> kindIn(Path file) {
        try {
            return ElfFile.read(file).symbol(symbol);
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }
}
