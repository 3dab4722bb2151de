package bad;

import dev.dynload.bind.Critical;
import dev.dynload.plugin.PluginInterface;

import java.util.List;

/** A plugin interface whose Java types disagree with the functions it declares. */
@PluginInterface(id = "com.example.greeter", major = 1, minor = 2,
        functions = "greet = str(str); add = i32(i32, i32); count = i32(); reset = void()")
public interface PluginApi { //! function reset = void(), which @PluginInterface declares, has no method in PluginApi; add one, or remove it from the declaration
    String greet(String who);
    long add(int a, int b); //! PluginApi.add(int, int) does not match add = i32(i32, i32) as its @PluginInterface declares it: its result, a long, is i64 or u64 to dynload, where the manifest has i32; for i32, give an int
    @Critical int count(); //! PluginApi.count(): @Critical does not apply to a plugin function (the plugin owns what it returns, may call the host back, and its manifest gives no lengths)
    int size(List<String> names); //! PluginApi.size(List): size, parameter 0: type java.util.List has no C counterpart; see docs/binding.md //! PluginApi.size(List) is not among the functions its @PluginInterface declares ([greet = str(str), add = i32(i32, i32), count = i32(), reset = void()])
}
