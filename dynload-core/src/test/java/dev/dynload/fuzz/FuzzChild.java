package dev.dynload.fuzz;

import dev.dynload.Library;
import dev.dynload.LibraryLoadException;
import dev.dynload.LoadOption;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The JVM that opens damaged libraries for {@link FuzzRun}: one path per line on standard input, one
 * answer per line on standard output, each beginning with {@code "answer "}. If a library kills this JVM, the parent sees the output end.
 */
public final class FuzzChild {

    private FuzzChild() {
    }

    public static void main(String[] args) throws Exception {
        boolean isolated = args.length > 0 && args[0].equals("--isolated");
        LoadOption[] options = isolated ? new LoadOption[] {LoadOption.isolated(Duration.ofSeconds(5))} : new LoadOption[0];
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        out.println("ready");
        String line;
        while ((line = in.readLine()) != null) {
            String answer;
            try (Library lib = Library.open(Path.of(line), options)) {
                answer = "ok";
            } catch (LibraryLoadException e) {
                answer = "refused " + e.reason() + " " + e.getMessage().replace('\n', ' ');
            } catch (RuntimeException e) {
                answer = "error " + e.toString().replace('\n', ' ');
            }
            out.println("answer " + answer); // a dying JVM prints its own lines to stdout too
        }
    }
}
