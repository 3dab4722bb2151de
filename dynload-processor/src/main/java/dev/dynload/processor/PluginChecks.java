package dev.dynload.processor;

import dev.dynload.internal.bind.BindingRules;
import dev.dynload.internal.bind.JavaMethod;
import dev.dynload.plugin.FunctionSignature;
import dev.dynload.plugin.PluginInterface;
import dev.dynload.plugin.rules.PluginRules;

import java.util.ArrayList;
import java.util.List;

import javax.annotation.processing.Messager;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;
import javax.tools.Diagnostic;

/**
 * Checks every interface marked {@link PluginInterface} with the rules {@code Plugin.bind} runs
 * ({@link PluginRules}): no annotation that does not apply to a plugin function, types the type table
 * maps, and, where the annotation declares the interface's functions ({@link PluginInterface#functions}),
 * each method against its function. What the plugin provides is known only when it loads, and is
 * checked then.
 */
final class PluginChecks {

    private final Mirrors mirrors;
    private final Elements elements;
    private final Messager messager;

    PluginChecks(Mirrors mirrors, Elements elements, Messager messager) {
        this.mirrors = mirrors;
        this.elements = elements;
        this.messager = messager;
    }

    void check(TypeElement type) {
        if (type.getKind() != ElementKind.INTERFACE) {
            messager.printMessage(Diagnostic.Kind.ERROR, type.getQualifiedName() + " is not an interface; a "
                    + "@PluginInterface is the Java interface whose methods stand for the plugin's functions", type);
            return;
        }
        List<JavaMethod> methods = new ArrayList<>();
        List<String> symbols = new ArrayList<>();
        for (Element e : elements.getAllMembers(type)) {
            if (e.getKind() != ElementKind.METHOD || e.getModifiers().contains(Modifier.STATIC)
                    || ((TypeElement) e.getEnclosingElement()).getQualifiedName().contentEquals("java.lang.Object")) {
                continue; // a default method stands for its function too
            }
            ExecutableElement m = (ExecutableElement) e;
            JavaMethod view = mirrors.method(m);
            methods.add(view);
            symbols.add(BindingRules.symbolOf(view));
            List<String> problems = new ArrayList<>();
            PluginRules.check(m.getEnclosingElement().getSimpleName().toString(), view, problems);
            for (String p : problems) {
                messager.printMessage(Diagnostic.Kind.ERROR, p, BindingProcessor.at(type, view, -1));
            }
        }
        String declared = type.getAnnotation(PluginInterface.class).functions();
        if (declared.isBlank()) {
            return;
        }
        List<FunctionSignature> functions;
        try {
            functions = FunctionSignature.parseAll(declared);
        } catch (IllegalArgumentException e) {
            messager.printMessage(Diagnostic.Kind.ERROR, type.getSimpleName() + ": @PluginInterface(functions = ...): "
                    + e.getMessage(), type);
            return;
        }
        for (BindingRules.Problem p : PluginRules.checkDeclared(type.getSimpleName().toString(), methods, symbols,
                functions)) {
            messager.printMessage(Diagnostic.Kind.ERROR, p.message(), BindingProcessor.at(type, p.method(), -1));
        }
    }
}
