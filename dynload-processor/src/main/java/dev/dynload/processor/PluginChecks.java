package dev.dynload.processor;

import dev.dynload.internal.bind.BindingRules;
import dev.dynload.internal.bind.JavaMethod;
import dev.dynload.plugin.FunctionSignature;
import dev.dynload.plugin.PluginInterface;
import dev.dynload.plugin.rules.PluginRules;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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
 * ({@link PluginRules}): each abstract method (and each default method the declaration names) takes no
 * annotation that does not apply to a plugin function and has types the type table maps; where the
 * annotation declares the interface's functions ({@link PluginInterface#functions}), each such method is
 * compared with its function. What the plugin provides is known only when it loads, and is
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
        List<String> unreadable = new ArrayList<>();
        List<FunctionSignature> functions = PluginRules.declared(type.getSimpleName().toString(),
                type.getAnnotation(PluginInterface.class).functions(), unreadable);
        if (!unreadable.isEmpty()) {
            messager.printMessage(Diagnostic.Kind.ERROR, unreadable.getFirst(), type);
            return; // nothing to compare with
        }
        List<JavaMethod> methods = new ArrayList<>();
        List<String> symbols = new ArrayList<>();
        for (Element e : elements.getAllMembers(type)) {
            Set<Modifier> modifiers = e.getModifiers();
            if (e.getKind() != ElementKind.METHOD || modifiers.contains(Modifier.STATIC) || modifiers.contains(Modifier.PRIVATE)
                    || ((TypeElement) e.getEnclosingElement()).getQualifiedName().contentEquals("java.lang.Object")) {
                continue;
            }
            ExecutableElement m = (ExecutableElement) e;
            JavaMethod view = mirrors.method(m);
            String symbol = BindingRules.symbolOf(view);
            if (!PluginRules.compared(modifiers.contains(Modifier.DEFAULT), symbol, functions)) {
                continue; // a default method the plugin may not provide: checked at bind if it does
            }
            methods.add(view);
            symbols.add(symbol);
            List<String> problems = new ArrayList<>();
            PluginRules.check(m.getEnclosingElement().getSimpleName().toString(), view, problems);
            for (String p : problems) {
                messager.printMessage(Diagnostic.Kind.ERROR, p, BindingProcessor.at(type, view, -1));
            }
        }
        if (functions.isEmpty()) {
            return;
        }
        for (BindingRules.Problem p : PluginRules.checkDeclared(type.getSimpleName().toString(), methods, symbols,
                functions)) {
            messager.printMessage(Diagnostic.Kind.ERROR, p.message(), BindingProcessor.at(type, p.method(), -1));
        }
    }
}
