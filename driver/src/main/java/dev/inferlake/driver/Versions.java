package dev.inferlake.driver;

/** Version strings stamped on commits and shown by {@code --version}. */
public final class Versions {
  private Versions() {}

  /** This build's version, from the jar manifest; {@code dev} when run from classes. */
  public static String inferlake() {
    String v = Versions.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
