package dev.inferlake.driver;

/** Version strings stamped on commits and shown by {@code --version}. */
public final class Versions {
  private Versions() {}

  /**
   * This build's version: from the jar manifest, else from the version file Maven filters into the
   * classes (the launcher runs from classes); {@code dev} when neither is there.
   */
  public static String inferlake() {
    String v = Versions.class.getPackage().getImplementationVersion();
    if (v != null) {
      return v;
    }
    try (java.io.InputStream in = Versions.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        java.util.Properties p = new java.util.Properties();
        p.load(in);
        String filtered = p.getProperty("version", "");
        if (!filtered.isBlank() && !filtered.startsWith("$")) {
          return filtered;
        }
      }
    } catch (java.io.IOException e) {
      // fall through
    }
    return "dev";
  }
}
