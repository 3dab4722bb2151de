package dev.dynload.plugin;

import java.util.List;
import java.util.Map;

/**
 * Which discovered plugins can run, in which order, and why the others cannot: an ABI or host version
 * they do not speak, a dependency missing, of the wrong version, unusable itself, or a cycle. Each
 * problem says what to do; one plugin's problem does not stop the others.
 *
 * {@snippet lang=c :
 * // requires = com.example.base >=2.0.0      (and the folder has com.example.base 1.4.2)
 * }
 * {@snippet :
 * host.resolve(found).problems();   // {com.example.eager=requires com.example.base >=2.0.0, and ... 1.4.2 ...}
 * }
 *
 * <p>Of several files that carry one plugin id, one copy stands for it: the newest version this host can
 * run (its ABI and host ranges fit), or the newest when none can. The others are passed over, and are in
 * neither {@link #startOrder()} nor {@link #cannotRun()}.
 *
 * @param startOrder the usable plugins, each after the plugins it requires (stop them in reverse)
 * @param problems for each plugin id that cannot run, why
 * @param passedOver files not used because another file gives the same plugin id, each with a line that
 *                   says which runs and why
 * @param cannotRun the plugins that cannot run (one per id in {@link #problems()}), in discovery order
 */
public record Resolution(List<PluginDescriptor> startOrder, Map<String, String> problems, List<String> passedOver,
                         List<PluginDescriptor> cannotRun) {

    /** Copies the lists and the map: a resolution does not change. */
    public Resolution {
        startOrder = List.copyOf(startOrder);
        problems = Map.copyOf(problems);
        passedOver = List.copyOf(passedOver);
        cannotRun = List.copyOf(cannotRun);
    }
}
