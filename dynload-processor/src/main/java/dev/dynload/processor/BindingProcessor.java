package dev.dynload.processor;

import dev.dynload.bind.LibraryInterface;
import dev.dynload.internal.bind.BindingRules;
import dev.dynload.internal.bind.JavaMethod;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Set;

import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Messager;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;
import javax.tools.StandardLocation;

/**
 * Checks every interface marked {@link LibraryInterface} with the rules {@code Library.bind} runs
 * ({@link BindingRules}, on the compiler's model through {@link Mirrors}) and reports each problem as an
 * error on the method or parameter at fault, in the words of {@code BindingException}. An interface
 * without problems gets its implementation written beside it ({@link ImplementationWriter}), which
 * {@code bind} uses instead of writing one at run time, and its GraalVM Native Image metadata
 * ({@link NativeImageMetadata}).
 *
 * <p>Each interface marked {@code @PluginInterface} is checked with the rules of {@code Plugin.bind}
 * ({@link PluginChecks}); no class is written for it.
 *
 * <p>Enable it by putting {@code dev.dynload:dynload-processor} on the annotation processor path (see
 * docs/binding.md, "Compile-time binding").
 */
// Every annotation of dev.dynload.bind is claimed: they are dynload's alone, and a lint of unclaimed
// annotations (-Xlint:processing, under -Werror) would otherwise fail the user's build.
@SupportedAnnotationTypes({"dev.dynload.bind.*", "dev.dynload.plugin.PluginInterface"})
public final class BindingProcessor extends AbstractProcessor {

    /** Makes the processor; the compiler does, through the service loader. */
    public BindingProcessor() {
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        Mirrors mirrors = new Mirrors(processingEnv.getElementUtils(), processingEnv.getTypeUtils());
        for (Element e : round.getElementsAnnotatedWith(LibraryInterface.class)) {
            library((TypeElement) e, mirrors);
        }
        PluginChecks plugins = new PluginChecks(mirrors, processingEnv.getElementUtils(), processingEnv.getMessager());
        for (Element e : round.getElementsAnnotatedWith(dev.dynload.plugin.PluginInterface.class)) {
            plugins.check((TypeElement) e);
        }
        return true;
    }

    private void library(TypeElement type, Mirrors mirrors) {
        BindingRules.Report report = BindingRules.check(mirrors.type(type.asType()),
                type.getModifiers().contains(Modifier.SEALED));
        List<BindingRules.Problem> problems = report.problems();
        Messager messager = processingEnv.getMessager();
        for (BindingRules.Problem p : problems) {
            messager.printMessage(Diagnostic.Kind.ERROR, p.message(), at(type, p.method(), p.parameter()));
        }
        if (!problems.isEmpty()) {
            return;
        }
        List<ExecutableElement> methods = mirrors.abstractMethods(type);
        ImplementationWriter writer = new ImplementationWriter(type, mirrors);
        String unreachable = writer.unreachable(methods);
        if (unreachable != null) {
            messager.printMessage(Diagnostic.Kind.NOTE, type.getSimpleName() + " is checked, but " + unreachable
                    + ", so bind writes its implementation at run time", type);
            return;
        }
        String binary = writer.binaryName();
        try (Writer out = processingEnv.getFiler().createSourceFile(writer.qualifiedName(), type).openWriter()) {
            out.write(writer.source(methods));
        } catch (IOException e) {
            messager.printMessage(Diagnostic.Kind.ERROR, "dynload could not write the implementation of "
                    + type.getQualifiedName() + ": " + e.getMessage(), type);
        }
        try (Writer out = processingEnv.getFiler().createResource(StandardLocation.CLASS_OUTPUT, "",
                NativeImageMetadata.path(binary), type).openWriter()) {
            out.write(NativeImageMetadata.json(binary, binary + BindingRules.IMPLEMENTATION_SUFFIX,
                    report.shapes()));
        } catch (IOException e) {
            messager.printMessage(Diagnostic.Kind.ERROR, "dynload could not write the native-image metadata of "
                    + type.getQualifiedName() + ": " + e.getMessage(), type);
        }
    }

    /**
     * {@return where a problem stands: the parameter, else the method, else the interface; a problem of
     * a method inherited from another interface stands on the interface (its message names the method)}
     */
    static Element at(TypeElement type, JavaMethod method, int parameter) {
        if (method == null) {
            return type;
        }
        ExecutableElement m = Mirrors.element(method);
        if (!m.getEnclosingElement().equals(type)) {
            return type;
        }
        return parameter >= 0 && parameter < m.getParameters().size() ? m.getParameters().get(parameter) : m;
    }
}
