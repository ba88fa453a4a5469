package dev.inferlake.model;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/** The inputs and outputs of a model, in graph order. */
public record ModelSignature(List<TensorSpec> inputs, List<TensorSpec> outputs)
    implements Serializable {

  public ModelSignature {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  public Optional<TensorSpec> input(String name) {
    return inputs.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  public Optional<TensorSpec> output(String name) {
    return outputs.stream().filter(t -> t.name().equals(name)).findFirst();
  }
}
