package dev.inferlake.driver.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads job specs from YAML and applies {@code --set key=value} overrides. Unknown keys are errors,
 * never ignored.
 */
public final class JobSpecLoader {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /** A job spec is a few kilobytes; anything near this is not one. */
  static final long MAX_SPEC_BYTES = 1 << 20;

  private JobSpecLoader() {}

  /**
   * Loads and validates a spec.
   *
   * @param file the YAML file
   * @param overrides {@code key=value} pairs; keys are dotted paths ({@code output.table}, {@code
   *     models.0.path}); values are YAML ({@code 512}, {@code [a, b]})
   * @throws dev.inferlake.model.InferlakeException of kind USAGE naming the file and key
   */
  public static JobSpec load(Path file, List<String> overrides) {
    return load(file.toString(), overrides);
  }

  /**
   * Loads and validates a spec from a local path or any Hadoop URI ({@link JobFiles}).
   *
   * @throws dev.inferlake.model.InferlakeException of kind USAGE naming the file and key
   */
  public static JobSpec load(String location, List<String> overrides) {
    String text;
    try {
      byte[] bytes = JobFiles.readBytes(location, MAX_SPEC_BYTES);
      text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.FileNotFoundException e) {
      throw JobErrors.specUnreadable(location, "no such file");
    } catch (IOException e) {
      throw JobErrors.specUnreadable(
          location, e.getMessage() == null ? e.toString() : e.getMessage());
    }
    return parse(text, location, overrides);
  }

  /** Parses spec text; {@code source} names it in messages. */
  public static JobSpec parse(String yaml, String source, List<String> overrides) {
    JsonNode tree;
    try {
      tree = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw JobErrors.specSyntax(source, e.getOriginalMessage(), e.getLocation());
    }
    if (tree == null || !tree.isObject()) {
      throw JobErrors.specSyntax(source, "the spec must be a YAML mapping", null);
    }
    for (String o : overrides) {
      applyOverride((ObjectNode) tree, o);
    }
    try {
      return YAML.treeToValue(tree, JobSpec.class).validate();
    } catch (UnrecognizedPropertyException e) {
      String where = path(e);
      String prop = e.getPropertyName();
      // the unknown key's dotted path, as --set spells it (models.0.path, not models[0].path)
      String base = where.equals("(top level)") ? "" : where.replaceAll("\\[(\\d+)]", ".$1");
      base = base.startsWith(".") ? base.substring(1) : base;
      String key =
          base.isEmpty()
              ? prop
              : base.equals(prop) || base.endsWith("." + prop) ? base : base + "." + prop;
      for (String o : overrides) {
        // a key that came from --set is the override's mistake, not the file's
        String k = o.substring(0, Math.max(0, o.indexOf('='))).trim();
        if (k.equals(key) || k.startsWith(key + ".")) {
          throw JobErrors.unknownOverrideKey(o, where, prop, e.getKnownPropertyIds());
        }
      }
      throw JobErrors.unknownKey(source, where, e.getPropertyName(), e.getKnownPropertyIds());
    } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
      throw JobErrors.specValue(source, path(e), e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw JobErrors.specSyntax(source, e.getOriginalMessage(), e.getLocation());
    }
  }

  private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
      } else {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "(top level)" : sb.toString();
  }

  private static void applyOverride(ObjectNode root, String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw JobErrors.badOverride(override, "expected key=value");
    }
    String[] keys = override.substring(0, eq).trim().split("\\.");
    JsonNode value;
    try {
      value = YAML.readTree(override.substring(eq + 1));
    } catch (JsonProcessingException e) {
      throw JobErrors.badOverride(override, e.getOriginalMessage());
    }
    JsonNode node = root;
    for (int i = 0; i < keys.length; i++) {
      boolean last = i == keys.length - 1;
      String k = keys[i];
      if (node instanceof ArrayNode arr) {
        int idx = index(k, arr, override);
        if (last) {
          arr.set(idx, value);
        } else {
          node = arr.get(idx);
        }
      } else if (node instanceof ObjectNode obj) {
        if (last) {
          obj.set(k, value);
        } else {
          JsonNode next = obj.get(k);
          if (next == null || next.isNull()) {
            next = obj.putObject(k);
          }
          node = next;
        }
      } else {
        throw JobErrors.badOverride(override, "'" + keys[i - 1] + "' is a value, not a section");
      }
    }
  }

  private static int index(String k, ArrayNode arr, String override) {
    try {
      int idx = Integer.parseInt(k);
      if (idx >= 0 && idx < arr.size()) {
        return idx;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw JobErrors.badOverride(
        override, "'" + k + "' is not an index from 0 to " + (arr.size() - 1));
  }
}
