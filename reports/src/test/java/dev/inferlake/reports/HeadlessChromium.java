package dev.inferlake.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real browser for tests of the self-contained HTML reports: Debian's Chromium, headless, driven
 * over the Chrome DevTools Protocol with nothing but the JDK's HTTP client and WebSocket and
 * Jackson. {@code scripts/browser install} installs it.
 *
 * <p>{@link #open} loads one HTML file in a fresh page and tells what a person would see: its
 * title, its tables, every image with its decoded and rendered size, the errors the page logged
 * (console errors, uncaught exceptions, failed resource loads) and a full-page screenshot.
 */
public final class HeadlessChromium implements AutoCloseable {
  /** The executable when the system property {@code inferlake.chromium} names none. */
  public static final String DEFAULT_EXECUTABLE = "/usr/bin/chromium";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration LATE_MESSAGES = Duration.ofMillis(300);
  private static final Duration KILL_GRACE = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger PROFILES = new AtomicInteger();

  /** Facts about the page, read once it has loaded: one JSON value, returned by value. */
  private static final String INSPECT_SCRIPT =
      """
      (() => ({
        href: location.href,
        readyState: document.readyState,
        title: document.title,
        tables: document.getElementsByTagName('table').length,
        text: document.body ? document.body.innerText : '',
        images: Array.from(document.images).map(img => {
          const box = img.getBoundingClientRect();
          return {
            alt: img.getAttribute('alt') || '',
            srcPrefix: (img.getAttribute('src') || '').slice(0, 30),
            naturalWidth: img.naturalWidth,
            naturalHeight: img.naturalHeight,
            width: box.width,
            height: box.height
          };
        })
      }))()
      """;

  /** What {@link #open} saw of one page, its visible text among it. */
  public record PageReport(
      String title,
      int tables,
      List<Image> images,
      List<String> consoleErrors,
      Path screenshot,
      String text) {}

  /**
   * One {@code <img>}: its alt text, the first 30 characters of its {@code src} attribute as
   * written, its decoded size (0 x 0 when it did not load) and its rendered size in CSS pixels.
   */
  public record Image(
      String alt,
      String srcPrefix,
      int naturalWidth,
      int naturalHeight,
      double width,
      double height) {}

  private final Process process;
  private final int port;
  private final Path stderrLog;
  private final HttpClient http;

  private HeadlessChromium(Process process, int port, Path stderrLog) {
    this.process = process;
    this.port = port;
    this.stderrLog = stderrLog;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(HTTP_TIMEOUT)
            .build();
  }

  /**
   * Starts headless Chromium with a fresh profile under {@code workDir}, its standard error in a
   * file there, and DevTools on a free port of 127.0.0.1.
   */
  public static HeadlessChromium start(Path workDir) throws IOException, InterruptedException {
    Path executable = Path.of(System.getProperty("inferlake.chromium", DEFAULT_EXECUTABLE));
    if (!Files.isExecutable(executable)) {
      throw new IllegalStateException(
          "Chromium not found at "
              + executable
              + ": run scripts/browser install (Debian's chromium package)");
    }
    Path dir = Files.createDirectories(workDir.toAbsolutePath());
    String name = "chromium-" + ProcessHandle.current().pid() + "-" + PROFILES.incrementAndGet();
    Path profile = Files.createTempDirectory(dir, name + "-profile-");
    Path stderrLog = dir.resolve(name + ".stderr.log");
    List<String> command =
        List.of(
            executable.toString(),
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            // No network here: without these Chromium waits on connections that never come.
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--remote-debugging-port=0",
            "--remote-allow-origins=*",
            "--user-data-dir=" + profile,
            "about:blank");
    Process process =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(stderrLog.toFile()))
            .redirectError(ProcessBuilder.Redirect.appendTo(stderrLog.toFile()))
            .start();
    HeadlessChromium browser = null;
    try {
      browser = new HeadlessChromium(process, awaitPort(process, profile, stderrLog), stderrLog);
      return browser;
    } finally {
      if (browser == null) {
        kill(process);
      }
    }
  }

  /** Chromium writes its DevTools port, then the browser target's path, into this file. */
  private static int awaitPort(Process process, Path profile, Path stderrLog)
      throws InterruptedException {
    Path portFile = profile.resolve("DevToolsActivePort");
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Chromium exited with status "
                + process.exitValue()
                + " before writing "
                + portFile
                + "; its stderr ("
                + stderrLog
                + ") ends with:\n"
                + tail(stderrLog));
      }
      try {
        List<String> lines = Files.readAllLines(portFile, StandardCharsets.UTF_8);
        if (lines.size() >= 2) { // both lines: the file is complete
          return Integer.parseInt(lines.get(0).trim());
        }
      } catch (IOException | NumberFormatException notYet) {
        // Not there, or half-written: poll again.
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(
        "timed out after "
            + START_TIMEOUT.toSeconds()
            + " s waiting for Chromium to write "
            + portFile
            + "; its stderr ("
            + stderrLog
            + ") ends with:\n"
            + tail(stderrLog));
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** The DevTools port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** Chromium's standard error (and output). */
  public Path stderrLog() {
    return stderrLog;
  }

  /** The browser's product string, e.g. {@code Chrome/131.0.6778.85}. */
  public String version() throws IOException, InterruptedException {
    return http("GET", "/json/version").path("Browser").asText();
  }

  private JsonNode http(String method, String path) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(HTTP_TIMEOUT)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          method + " " + path + ": HTTP " + response.statusCode() + ": " + response.body());
    }
    String body = response.body();
    return body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
  }

  /**
   * Loads {@code htmlFile} in a new page, waits for its load event (and briefly for late console
   * messages), reads the page, writes a full-page PNG screenshot to {@code screenshotPng} and
   * closes the page.
   */
  public PageReport open(Path htmlFile, Path screenshotPng)
      throws IOException, InterruptedException {
    Path file = htmlFile.toAbsolutePath();
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no such HTML file: " + file);
    }
    String url = file.toUri().toString();
    // Chromium answers 405 to a GET of /json/new: it must be PUT.
    JsonNode target = http("PUT", "/json/new?about:blank");
    String targetId = target.path("id").asText();
    String wsUrl = target.path("webSocketDebuggerUrl").asText("");
    if (wsUrl.isEmpty()) {
      throw new IOException("/json/new gave no webSocketDebuggerUrl: " + target);
    }
    try (Cdp cdp = Cdp.connect(http, URI.create(wsUrl))) {
      cdp.call("Runtime.enable", null);
      cdp.call("Log.enable", null);
      cdp.call("Page.enable", null);
      int mark = cdp.eventCount();
      ObjectNode navigate = JSON.createObjectNode().put("url", url);
      JsonNode nav = cdp.call("Page.navigate", navigate);
      if (nav.hasNonNull("errorText")) {
        throw new IOException("navigating to " + url + " failed: " + nav.get("errorText").asText());
      }
      JsonNode page = awaitLoaded(cdp, mark, url);
      Thread.sleep(LATE_MESSAGES.toMillis());
      page = inspect(cdp); // again: what scripts did after the load event counts too
      Files.write(screenshotPng, screenshot(cdp));
      List<Image> images = new ArrayList<>();
      for (JsonNode img : page.path("images")) {
        images.add(
            new Image(
                img.path("alt").asText(),
                img.path("srcPrefix").asText(),
                img.path("naturalWidth").asInt(),
                img.path("naturalHeight").asInt(),
                img.path("width").asDouble(),
                img.path("height").asDouble()));
      }
      return new PageReport(
          page.path("title").asText(),
          page.path("tables").asInt(),
          List.copyOf(images),
          cdp.consoleErrors(),
          screenshotPng,
          page.path("text").asText());
    } finally {
      try {
        http("GET", "/json/close/" + targetId);
      } catch (IOException e) {
        // The page may be gone already; the browser is killed at close() in any case.
      }
    }
  }

  /**
   * Waits for a {@code Page.loadEventFired} after {@code mark} that belongs to {@code url}'s
   * document (not a late one of the about:blank page the target was created with).
   */
  private static JsonNode awaitLoaded(Cdp cdp, int mark, String url)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + LOAD_TIMEOUT.toNanos();
    int from = mark;
    while (true) {
      Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      from =
          cdp.awaitEvent(
                  e -> "Page.loadEventFired".equals(e.path("method").asText()),
                  from,
                  left,
                  "Page.loadEventFired for " + url)
              + 1;
      JsonNode page = inspect(cdp);
      if ("complete".equals(page.path("readyState").asText())
          && !"about:blank".equals(page.path("href").asText())) {
        return page;
      }
    }
  }

  private static JsonNode inspect(Cdp cdp) throws IOException, InterruptedException {
    ObjectNode params =
        JSON.createObjectNode()
            .put("expression", INSPECT_SCRIPT)
            .put("returnByValue", true)
            .put("awaitPromise", false);
    JsonNode reply = cdp.call("Runtime.evaluate", params);
    if (reply.has("exceptionDetails")) {
      throw new IOException("the page-inspecting script failed: " + reply.get("exceptionDetails"));
    }
    return reply.path("result").path("value");
  }

  /** Full page: the clip is the whole content, which {@code captureBeyondViewport} renders. */
  private static byte[] screenshot(Cdp cdp) throws IOException, InterruptedException {
    JsonNode metrics = cdp.call("Page.getLayoutMetrics", null);
    JsonNode size = metrics.path("cssContentSize");
    if (size.isMissingNode()) {
      size = metrics.path("contentSize");
    }
    ObjectNode params = JSON.createObjectNode().put("format", "png");
    params.put("captureBeyondViewport", true);
    params
        .putObject("clip")
        .put("x", 0)
        .put("y", 0)
        .put("width", Math.max(1, Math.ceil(size.path("width").asDouble())))
        .put("height", Math.max(1, Math.ceil(size.path("height").asDouble())))
        .put("scale", 1);
    return Base64.getDecoder()
        .decode(cdp.call("Page.captureScreenshot", params).path("data").asText());
  }

  /** Kills the browser and every process it started; its files stay where they are. */
  @Override
  public void close() {
    kill(process);
  }

  private static void kill(Process process) {
    // Children first in the list: once the browser is gone they are no longer its descendants.
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(process.toHandle());
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + KILL_GRACE.toNanos();
    for (ProcessHandle p : all) {
      long left = deadline - System.nanoTime();
      try {
        p.onExit().get(Math.max(0, left), TimeUnit.NANOSECONDS);
      } catch (TimeoutException | ExecutionException e) {
        p.destroyForcibly();
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * One DevTools session over a WebSocket: replies routed by {@code id} to futures, events kept in
   * arrival order.
   */
  private static final class Cdp implements WebSocket.Listener, AutoCloseable {
    private final AtomicInteger nextId = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<JsonNode> events = new ArrayList<>(); // guarded by this
    private final StringBuilder partial = new StringBuilder(); // only the listener's thread
    private final Object sending = new Object();
    private volatile Throwable closed;
    private WebSocket socket;

    static Cdp connect(HttpClient http, URI uri) throws IOException, InterruptedException {
      Cdp cdp = new Cdp();
      cdp.socket =
          await(
              http.newWebSocketBuilder().connectTimeout(HTTP_TIMEOUT).buildAsync(uri, cdp),
              HTTP_TIMEOUT,
              "the WebSocket to " + uri);
      return cdp;
    }

    /** Sends a command and waits for its reply's {@code result}. */
    JsonNode call(String method, ObjectNode params) throws IOException, InterruptedException {
      int id = nextId.incrementAndGet();
      ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
      if (params != null) {
        message.set("params", params);
      }
      CompletableFuture<JsonNode> reply = new CompletableFuture<>();
      pending.put(id, reply);
      Throwable gone = closed;
      if (gone != null) {
        pending.remove(id);
        throw new IOException("DevTools connection closed before " + method, gone);
      }
      String what = "the reply to " + method + " (id " + id + ")";
      synchronized (sending) { // one send at a time: WebSocket forbids overlapping sendText calls
        await(socket.sendText(JSON.writeValueAsString(message), true), REPLY_TIMEOUT, what);
      }
      JsonNode answer = await(reply, REPLY_TIMEOUT, what);
      if (answer.has("error")) {
        throw new IOException(method + " failed: " + answer.get("error"));
      }
      return answer.path("result");
    }

    private static <T> T await(CompletableFuture<T> future, Duration timeout, String what)
        throws IOException, InterruptedException {
      try {
        return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        future.cancel(false);
        throw new IOException("timed out after " + timeout.toMillis() + " ms waiting for " + what);
      } catch (ExecutionException e) {
        throw new IOException("failed waiting for " + what + ": " + e.getCause(), e.getCause());
      }
    }

    synchronized int eventCount() {
      return events.size();
    }

    /** The index of the first event at or after {@code from} that matches. */
    synchronized int awaitEvent(
        Predicate<JsonNode> matches, int from, Duration timeout, String what)
        throws IOException, InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      for (int i = from; ; ) {
        for (; i < events.size(); i++) {
          if (matches.test(events.get(i))) {
            return i;
          }
        }
        if (closed != null) {
          throw new IOException("DevTools connection closed while waiting for " + what, closed);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IOException(
              "timed out after " + timeout.toMillis() + " ms waiting for " + what);
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    /**
     * Console errors and failed assertions, uncaught exceptions, and the browser's own error log
     * entries (such as a resource that failed to load), in arrival order.
     */
    synchronized List<String> consoleErrors() {
      List<String> errors = new ArrayList<>();
      for (JsonNode event : events) {
        JsonNode p = event.path("params");
        switch (event.path("method").asText()) {
          case "Runtime.consoleAPICalled" -> {
            String type = p.path("type").asText();
            if (type.equals("error") || type.equals("assert")) {
              List<String> args = new ArrayList<>();
              for (JsonNode arg : p.path("args")) {
                args.add(
                    arg.has("value")
                        ? arg.get("value").asText()
                        : arg.path("description").asText());
              }
              errors.add("console." + type + ": " + String.join(" ", args));
            }
          }
          case "Runtime.exceptionThrown" -> {
            JsonNode details = p.path("exceptionDetails");
            String text = details.path("text").asText();
            String description = details.path("exception").path("description").asText("");
            errors.add(description.isEmpty() ? text : text + " " + description);
          }
          case "Log.entryAdded" -> {
            JsonNode entry = p.path("entry");
            if (entry.path("level").asText().equals("error")) {
              String url = entry.path("url").asText("");
              errors.add(
                  entry.path("source").asText()
                      + ": "
                      + entry.path("text").asText()
                      + (url.isEmpty() ? "" : " (" + url + ")"));
            }
          }
          default -> {}
        }
      }
      return List.copyOf(errors);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data); // a large message (a screenshot) arrives in many parts
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        dispatch(text);
      }
      webSocket.request(1);
      return null;
    }

    private void dispatch(String text) {
      JsonNode message;
      try {
        message = JSON.readTree(text);
      } catch (IOException e) {
        fail(new IOException("unreadable DevTools message: " + abbreviate(text), e));
        return;
      }
      if (message.has("id")) {
        CompletableFuture<JsonNode> reply = pending.remove(message.get("id").asInt());
        if (reply != null) {
          reply.complete(message);
        }
      } else if (message.has("method")) {
        synchronized (this) {
          events.add(message);
          notifyAll();
        }
      }
    }

    private static String abbreviate(String text) {
      return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      fail(new IOException("DevTools closed the WebSocket: " + statusCode + " " + reason));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      fail(error);
    }

    private void fail(Throwable error) {
      synchronized (this) {
        if (closed == null) {
          closed = error;
        }
        notifyAll();
      }
      pending.values().forEach(f -> f.completeExceptionally(error));
      pending.clear();
    }

    @Override
    public void close() {
      fail(new IOException("DevTools session closed"));
      socket.abort();
    }
  }
}
