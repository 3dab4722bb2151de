/**
 * dynload's annotation processor. It checks each interface marked {@code @LibraryInterface} or
 * {@code @PluginInterface} with the rules {@code bind} runs, the type table shared with dynload-core,
 * and writes each library interface's implementation, which {@code Library.bind} then uses instead of
 * writing one at run time. It runs inside the compiler: put it on the annotation processor path.
 */
module dev.dynload.processor {
    requires java.compiler;
    requires dev.dynload;
    requires dev.dynload.plugin;
    requires static org.jspecify;

    provides javax.annotation.processing.Processor with dev.dynload.processor.BindingProcessor;
}
