package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a composite action's steps as the Actions runner does, for action.yml as this repository
 * writes it: each {@code run:} script with {@code sh -e}, its {@code env:} evaluated ({@code
 * inputs}, {@code steps.*.outputs}, {@code github.action_path}, {@code runner.tool_cache}; any
 * other expression fails the test), {@code $GITHUB_OUTPUT} and {@code $GITHUB_PATH} honoured
 * between steps. {@code uses:} steps (actions/cache) are skipped, as on a cache miss.
 */
final class CompositeAction {
  record Step(
      String name, String id, String uses, Map<String, String> env, String dir, String run) {}

  /** What the runner did: each run step's process, in order. */
  record Result(List<Harness.Run> runs, Map<String, Map<String, String>> outputs) {
    Harness.Run last() {
      return runs.getLast();
    }
  }

  private static final Pattern EXPRESSION = Pattern.compile("\\$\\{\\{\\s*([^}]*?)\\s*}}");

  final Map<String, String> defaults = new LinkedHashMap<>();
  final List<Step> steps = new ArrayList<>();

  CompositeAction(Path file) {
    try {
      parse(Files.readAllLines(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void parse(List<String> lines) {
    String section = "";
    String input = null;
    Map<String, String> step = null;
    Map<String, String> env = null;
    StringBuilder run = null;
    for (String line : lines) {
      if (run != null) {
        if (line.isBlank() || line.startsWith("        ")) {
          run.append(line.length() > 8 ? line.substring(8) : "").append('\n');
          continue;
        }
        step.put("run", run.toString());
        run = null;
      }
      if (!line.startsWith(" ") && line.endsWith(":")) {
        section = line.substring(0, line.length() - 1);
        continue;
      }
      String text = line.strip();
      if (section.equals("inputs")) {
        if (line.startsWith("  ") && !line.startsWith("   ") && text.endsWith(":")) {
          input = text.substring(0, text.length() - 1);
        } else if (input != null && text.startsWith("default:")) {
          defaults.put(input, unquote(text.substring("default:".length()).strip()));
        }
      } else if (section.equals("runs")) {
        if (line.startsWith("    - ")) {
          finish(step);
          step = new LinkedHashMap<>();
          env = null;
          text = text.substring(2);
        }
        if (step == null) {
          continue;
        }
        if (line.startsWith("        ") && env != null) {
          int colon = text.indexOf(':');
          env.put(text.substring(0, colon), text.substring(colon + 1).strip());
        } else if (text.equals("env:")) {
          env = new LinkedHashMap<>();
          step.put("env", "");
          envs.put(step, env);
        } else if (text.equals("run: |")) {
          run = new StringBuilder();
          env = null;
        } else if (text.contains(":")) {
          env = null;
          int colon = text.indexOf(':');
          step.put(text.substring(0, colon), text.substring(colon + 1).strip());
        }
      }
    }
    if (run != null) {
      step.put("run", run.toString());
    }
    finish(step);
  }

  private final Map<Map<String, String>, Map<String, String>> envs =
      new java.util.IdentityHashMap<>();

  private void finish(Map<String, String> step) {
    if (step != null) {
      steps.add(
          new Step(
              step.get("name"),
              step.get("id"),
              step.get("uses"),
              envs.getOrDefault(step, Map.of()),
              step.get("working-directory"),
              step.get("run")));
    }
  }

  private static String unquote(String value) {
    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
        ? value.substring(1, value.length() - 1)
        : value;
  }

  /**
   * Runs every step with {@code with} as the inputs (the rest from their defaults), in {@code
   * workspace}, starting from {@code env}; stops after the first step that fails.
   */
  Result run(Harness h, Map<String, String> with, Map<String, String> env, Path workspace) {
    Map<String, String> inputs = new LinkedHashMap<>(defaults);
    for (String name : with.keySet()) {
      assertTrue(defaults.containsKey(name), "the action has an input " + name);
    }
    inputs.putAll(with);
    Map<String, Map<String, String>> outputs = new LinkedHashMap<>();
    Map<String, String> current = new LinkedHashMap<>(env);
    List<Harness.Run> runs = new ArrayList<>();
    Path toolCache = h.dir.resolve("runner/tool-cache");
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      if (step.run() == null) {
        assertTrue(step.uses() != null, "a step runs a script or uses an action: " + step.name());
        continue;
      }
      Map<String, String> context = new LinkedHashMap<>();
      inputs.forEach((k, v) -> context.put("inputs." + k, v));
      outputs.forEach(
          (id, o) -> o.forEach((k, v) -> context.put("steps." + id + ".outputs." + k, v)));
      context.put("github.action_path", Harness.HOME.toString());
      context.put("github.action_repository", ""); // as for `uses: ./`
      context.put("runner.tool_cache", toolCache.toString());
      Map<String, String> stepEnv = new LinkedHashMap<>(current);
      step.env().forEach((k, v) -> stepEnv.put(k, evaluate(v, context)));
      Path output = h.write("runner/output-" + i, "");
      Path path = h.write("runner/path-" + i, "");
      stepEnv.put("GITHUB_OUTPUT", output.toString());
      stepEnv.put("GITHUB_PATH", path.toString());
      Path script = h.write("runner/step-" + i + ".sh", step.run());
      Path dir = step.dir() == null ? workspace : workspace.resolve(evaluate(step.dir(), context));
      Harness.Run run =
          Archive.run(h, stepEnv, "sh", "-e", script.toString()).cwd(dir).valuesOnStdout().go();
      runs.add(run);
      try {
        Map<String, String> mine = new LinkedHashMap<>();
        for (String line : Files.readAllLines(output)) {
          int eq = line.indexOf('=');
          mine.put(line.substring(0, eq), line.substring(eq + 1));
        }
        if (step.id() != null) {
          outputs.put(step.id(), mine);
        }
        for (String line : Files.readAllLines(path)) {
          current.put("PATH", line + ":" + current.get("PATH"));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (run.exit() != 0) {
        break;
      }
    }
    return new Result(runs, outputs);
  }

  static String evaluate(String value, Map<String, String> context) {
    Matcher m = EXPRESSION.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String found = context.get(m.group(1));
      if (found == null) {
        fail("the test's runner does not know ${{ " + m.group(1) + " }}");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(found));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The {@code with:} of the step that uses {@code action} in a workflow file. */
  static Map<String, String> with(Path workflow, String action) {
    try {
      List<String> lines = Files.readAllLines(workflow);
      Map<String, String> with = new LinkedHashMap<>();
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).strip().startsWith("- uses: " + action)) {
          String withLine = lines.get(i + 1);
          assertEquals("with:", withLine.strip(), "the step's next line");
          int indent = withLine.indexOf('w') + 2;
          for (int j = i + 2;
              j < lines.size() && lines.get(j).startsWith(" ".repeat(indent));
              j++) {
            String text = lines.get(j).strip();
            int colon = text.indexOf(':');
            with.put(text.substring(0, colon), unquote(text.substring(colon + 1).strip()));
          }
          return with;
        }
      }
      return fail(workflow + " has no step using " + action);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
