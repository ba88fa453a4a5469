package dev.inferlake.notebooks;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import org.rapaio.jupyter.kernel.MainApp;
import org.rapaio.jupyter.kernel.channels.Channels;
import org.rapaio.jupyter.kernel.channels.LoopThread;
import org.rapaio.jupyter.kernel.core.ConnectionProperties;
import org.rapaio.jupyter.kernel.core.Transform;

/**
 * Starts rapaio-jupyter-kernel 3.0.1 (the kernel's own {@code MainApp} for a connection file)
 * without its two start-up races, so that a kernel start never loses its shell channel.
 *
 * <ol>
 *   <li>{@code Channels.connect} binds the sockets and starts the polling threads before it sets
 *       the message handlers. The Jupyter client queues {@code kernel_info_request}s while the JVM
 *       starts, so the first one arrives as soon as the shell socket is bound; when the shell
 *       thread reads it before the handlers are set, {@code getHandler} throws a
 *       NullPointerException and the shell thread dies. Here {@code connect} runs while this
 *       thread holds the monitors of the shell and control channels: their polling threads read
 *       each message inside {@code synchronized readMessage()}, so they wait until the handlers
 *       are set (and see them, the monitor's release happening before their acquire).
 *   <li>{@code LoopThread.start} sets its {@code running} flag after {@code Thread.start}, so a
 *       polling thread that runs first exits at once without a word (measured: 4% of threads).
 *       Here each polling thread is watched until it is seen sleeping between polls (it is in its
 *       loop) or dead; a dead one is replaced by a new thread with the same loop and started
 *       again, before any message is read: the messages wait in the socket.
 * </ol>
 *
 * <p>It reads private fields of the kernel's classes, so it works with 3.0.1 only (the version
 * scripts/notebooks pins); with another version it fails at start, naming the field.
 */
public final class KernelLauncher {

  private static final Logger LOGGER = Logger.getLogger(KernelLauncher.class.getSimpleName());

  private KernelLauncher() {}

  /**
   * Runs the kernel for one connection file until the client shuts it down.
   *
   * @param args the connection file Jupyter wrote for this kernel
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: KernelLauncher <connection file>");
    }
    LogManager.getLogManager()
        .readConfiguration(MainApp.class.getClassLoader().getResourceAsStream("logging.properties"));
    ConnectionProperties connection =
        Transform.fromJson(Files.readString(Path.of(args[0])), ConnectionProperties.class);
    Channels channels = new Channels(connection);
    Object shell = field(channels, "shell");
    Object control = field(channels, "control");
    synchronized (shell) {
      synchronized (control) {
        channels.connect(MainApp.kernel);
      }
    }
    for (Object channel : List.of(field(channels, "heartbeat"), shell, control)) {
      keepPolling(channel);
    }
    LOGGER.info("Kernel ready: handlers set, heartbeat, shell and control threads polling");
    channels.joinUntilClose();
  }

  /** Waits until the channel's polling thread is in its loop, replacing it while it exits. */
  private static void keepPolling(Object channel)
      throws ReflectiveOperationException, InterruptedException {
    LoopThread thread = field(channel, "loopThread");
    // Sleeping between two polls: only a thread inside its loop gets there.
    while (thread.getState() != Thread.State.TIMED_WAITING) {
      if (thread.getState() == Thread.State.TERMINATED) {
        LOGGER.warning(
            channel.getClass().getSimpleName() + "'s thread " + thread.getName()
                + " exited before its first poll; starting it again");
        thread = new LoopThread(thread.getName(), field(thread, "sleep"), field(thread, "loopBody"));
        set(channel, "loopThread", thread);
        thread.start();
      } else {
        Thread.sleep(1);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T field(Object owner, String name) throws ReflectiveOperationException {
    return (T) accessible(owner, name).get(owner);
  }

  private static void set(Object owner, String name, Object value)
      throws ReflectiveOperationException {
    accessible(owner, name).set(owner, value);
  }

  private static Field accessible(Object owner, String name) throws NoSuchFieldException {
    Field field;
    try {
      field = owner.getClass().getDeclaredField(name);
    } catch (NoSuchFieldException e) {
      throw new NoSuchFieldException(
          owner.getClass().getName() + "." + name + " is missing: KernelLauncher is written for "
              + "rapaio-jupyter-kernel 3.0.1; check the races it works around in the new version");
    }
    field.setAccessible(true);
    return field;
  }
}
