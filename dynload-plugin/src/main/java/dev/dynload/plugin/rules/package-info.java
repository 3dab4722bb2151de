/**
 * The rules of plugin interfaces, shared by {@code Plugin.bind} and dynload's annotation processor; not
 * an API (exported to the processor only).
 */
package dev.dynload.plugin.rules;
