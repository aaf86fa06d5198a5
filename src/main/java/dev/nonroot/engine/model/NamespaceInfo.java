package dev.nonroot.engine.model;

import java.util.Map;

/**
 * What the engine needs of a Namespace object: its labels (for namespaceSelector) and annotations.
 */
public record NamespaceInfo(
    String name, Map<String, String> labels, Map<String, String> annotations) {}
