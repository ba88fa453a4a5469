package dev.inferlake.executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inferlake.executors.testing.FakeEngine;
import dev.inferlake.model.ModelFormat;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnginesTest {

  @Test
  void everyFormatHasARealEngine() {
    Engines defaults = Engines.defaults();
    Map<ModelFormat, String> names = new EnumMap<>(ModelFormat.class);
    for (ModelFormat f : ModelFormat.values()) {
      names.put(f, defaults.forFormat(f).name());
    }
    assertEquals(
        Map.of(ModelFormat.ONNX, "ONNX Runtime", ModelFormat.TORCHSCRIPT, "PyTorch (DJL)"), names);
    assertTrue(
        defaults.forFormat(ModelFormat.ONNX).loadsFromFile(),
        "ONNX loads from a file, where external data is found");
    assertFalse(defaults.forFormat(ModelFormat.TORCHSCRIPT).loadsFromFile());
  }

  @Test
  void aTableOfFakesHandsEachFormatItsOwn() {
    FakeEngine onnx = new FakeEngine("fake-onnx", true);
    FakeEngine torch = new FakeEngine("fake-torch", false);
    Engines table = new Engines(onnx, torch);
    assertSame(onnx, table.forFormat(ModelFormat.ONNX));
    assertSame(torch, table.forFormat(ModelFormat.TORCHSCRIPT));
    assertThrows(NullPointerException.class, () -> new Engines(onnx, null));
  }

  @Test
  void anEngineThatDoesNotLoadFilesRefusesOne() {
    Engine bytesOnly = Engines.defaults().forFormat(ModelFormat.TORCHSCRIPT);
    UnsupportedOperationException e =
        assertThrows(
            UnsupportedOperationException.class,
            () -> bytesOnly.load(Path.of("model.pt"), null, "m:v1", null));
    assertEquals("PyTorch (DJL) does not load models from files", e.getMessage());
  }
}
