package dev.dynload;

import dev.dynload.internal.NativeLoader;
import dev.dynload.internal.OpenFile;
import dev.dynload.internal.linux.CallbackHandler;
import dev.dynload.internal.linux.StepAnswer;
import dev.dynload.internal.linux.NoAnswer;
import dev.dynload.internal.linux.RunnerCalls;
import dev.dynload.internal.linux.RunnerStart;
import dev.dynload.internal.linux.RunnerProcess;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/** What dynload's plugin host uses of isolation (see {@link dev.dynload.internal.IsolatedAccess}). */
final class IsolatedLibraryAccess implements dev.dynload.internal.IsolatedAccess<IsolatedLibrary, Sandbox> {
    @Override
    public IsolatedLibrary startPlugins(String name, List<Source> files, Duration deadline,
                                        java.util.function.@Nullable Consumer<String> output, PluginLog log,
                                        java.util.function.Function<Path, @Nullable String> vet, Sandbox sandbox) {
        NativeLoader loader = IsolatedLibrary.linuxLoader("isolated plugins");
        long nanos = IsolatedLibrary.nanos(deadline);
        List<Isolation.Checked> checked = new ArrayList<>();
        try {
            List<Path> originFolders = new ArrayList<>();
            List<OpenFile> open = new ArrayList<>();
            for (Source file : files) {
                Isolation.Checked c = file.bundle() != null ? Isolation.Checked.ofBundle(loader, file.bundle(),
                        file.loader()) : file.sealed() ? Isolation.Checked.sealed(loader, file.file())
                        : Isolation.Checked.of(loader, file.file());
                checked.add(c);
                String refused = vet.apply(c.open().readable());
                if (refused != null) {
                    throw c.diagnosis().failedInIsolation(refused, null);
                }
                open.add(c.open());
                for (Path folder : c.originFolders()) {
                    if (!originFolders.contains(folder)) {
                        originFolders.add(folder);
                    }
                }
            }
            Diagnosis first = checked.get(0).diagnosis();
            try {
                return new IsolatedLibrary(name, RunnerStart.startPlugins(loader, open, IsolatedLibrary.setupNanos(nanos), output,
                        originFolders, log::log, sandbox.runnerArguments()), nanos);
            } catch (NoAnswer e) {
                // "... plugin N: why" names the file the runner could not load; else the first speaks for all.
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("plugin (\\d+): ")
                        .matcher(String.valueOf(e.getMessage()));
                int at = m.find() ? Integer.parseInt(m.group(1)) : 0;
                Diagnosis which = at < checked.size() ? checked.get(at).diagnosis() : first;
                throw which.failedInIsolation(e.getMessage(), null);
            } catch (IOException e) {
                throw first.failedInIsolation("its process could not be started: " + e.getMessage(), null);
            }
        } finally {
            for (Isolation.Checked c : checked) {
                c.open().close();
            }
        }
    }

    @Override
    public Step step(IsolatedLibrary process, int plugin, String name, long[] ints, byte[] data, int length) {
        try {
            StepAnswer a = process.calls.step(plugin, name, ints, data, length, process.deadlineNanos);
            return new Step(a.result(), a.error(), a.text(), a.data());
        } catch (NoAnswer e) {
            throw process.crashed(name, e);
        }
    }

    @Override
    public LibraryCrashedException ended(IsolatedLibrary process, String function) {
        RunnerProcess.Exit exit = process.calls.exit();
        if (exit == null) {
            return new LibraryCrashedException(LibraryCrashedException.Reason.CLOSED, process.name, function, 0, 0,
                    "the process is still running", false);
        }
        return new LibraryCrashedException(exit.signalled() ? LibraryCrashedException.Reason.SIGNAL
                : LibraryCrashedException.Reason.EXIT, process.name, function, exit.signalled() ? exit.code() : 0,
                exit.signalled() ? 0 : exit.code(), "the process ended before the call (" + exit.describe() + ")",
                true);
    }

    @Override
    public String howEnded(IsolatedLibrary process) {
        RunnerProcess.Exit exit = process.calls.exit();
        return exit == null ? "running" : exit.describe();
    }

    @Override
    public @Nullable Object invokeDefault(Object proxy, Method method, Object @Nullable [] args) throws Throwable {
        return InvocationHandler.invokeDefault(proxy, method, args);
    }

    @Override
    public void onRemote(IsolatedLibrary process, RemoteCalls remote) {
        process.calls.onRemote(new CallbackHandler() {
            @Override
            public long call(int position, long[] ints, long[] floats) {
                return remote.call(position, ints, floats, java.lang.foreign.MemorySegment.NULL);
            }

            @Override
            public long call(int position, long[] ints, long[] floats, java.lang.foreign.MemorySegment bulk) {
                return remote.call(position, ints, floats, bulk);
            }
        });
    }

    @Override
    public long callRaw(IsolatedLibrary process, int function, String name, boolean floatResult, long[] ints,
                        long[] floats) {
        try {
            return process.calls.call(function, name, floatResult ? 2 : 1, ints, 6, floats, 6, 0, IsolatedCall.NO_DATA, 0,
                    false, process.deadlineNanos);
        } catch (NoAnswer e) {
            throw process.crashed(name, e);
        }
    }

    @Override
    public @Nullable Object callRawWithTexts(IsolatedLibrary process, int function, String name, boolean floatResult,
                                             boolean textResult, long[] ints, long[] floats, int textMask,
                                             @Nullable String[] texts) {
        byte[] data = new byte[RunnerCalls.dataSize()];
        int used = 0;
        int pointers = 0;
        long[] registers = ints.clone();
        for (int k = 0; k < 6; k++) {
            if ((textMask & (1 << k)) == 0) {
                continue;
            }
            if (texts[k] == null) {
                registers[k] = 0; // NULL
                continue;
            }
            byte[] bytes = texts[k].getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (used + bytes.length + 1 > data.length) {
                throw new IllegalArgumentException(name + ": its strings take more than the " + data.length
                        + " bytes a call carries");
            }
            System.arraycopy(bytes, 0, data, used, bytes.length);
            registers[k] = RunnerCalls.dataOffset() + used;
            pointers |= 1 << k;
            used = (used + bytes.length + 1 + 7) & ~7;
        }
        try {
            if (textResult) {
                byte[] text = process.calls.callForText(function, name, registers, 6, floats, 6, pointers, data, used,
                        null, process.deadlineNanos);
                if (text != null && text.length >= RunnerCalls.dataSize()) {
                    throw new IllegalStateException(name + " returned a string of " + text.length + " bytes or more, "
                            + "more than a call carries back (" + (RunnerCalls.dataSize() - 1) + ")");
                }
                return text == null ? null : new String(text, java.nio.charset.StandardCharsets.UTF_8);
            }
            return process.calls.call(function, name, floatResult ? 2 : 1, registers, 6, floats, 6, pointers, data,
                    used, false, process.deadlineNanos);
        } catch (NoAnswer e) {
            throw process.crashed(name, e);
        }
    }

    @Override
    public int dataSize() {
        return RunnerCalls.dataSize();
    }

    @Override
    public @Nullable Planned plan(Method m, List<String> problems) {
        return IsolatedCall.of(m, problems);
    }

    @Override
    public @Nullable Object invoke(IsolatedLibrary process, Planned call, Object @Nullable [] args) {
        return ((IsolatedCall) call).invoke(process, args);
    }
}
