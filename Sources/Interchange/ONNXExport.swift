import Layers
import Models
import Runtime

/// A model as ONNX graphs: the encoder (raw rows to codes), the decoder (codes to rows in the
/// data's units) and the two together (raw rows to reconstructions), each computing what the
/// runtime computes: the stored scaling, the plan's layers with their activations, a VAE's
/// posterior mean (and log-variance), the output heads' activations and the inverse scaling.
///
/// Rows stay flat as the library takes them (an image is H x W x C values, channels fastest);
/// a convolution reshapes them to NHWC, transposes to the NCHW that ONNX's Conv takes, and
/// back. Kernels are stored (kh, kw, in, out) here and (out, in, kh, kw) in ONNX (ConvTranspose:
/// (in, out, kh, kw)). Conditional models take a second input, `condition` (rows,
/// conditionWidth: one-hot labels or condition rows), joined to the scaled input and to the
/// code as the runtime joins it.
public enum ONNXExport {
  public struct Graphs {
    public let encoder: [UInt8]
    public let decoder: [UInt8]
    public let autoencoder: [UInt8]
  }

  public struct ExportError: Error, CustomStringConvertible {
    public let description: String
  }

  public static func graphs(of model: InferenceModel, name: String, producerVersion: String) throws -> Graphs {
    guard model.table == nil else {
      throw ExportError(description: "a table model draws rows through its columns' encodings, which ONNX graphs do not hold; export encoder models (dense, convolutional, VAE)")
    }
    guard model.precision == .float32 else {
      throw ExportError(description: "export the model at float32 (its stored weights), not \(model.precision.rawValue)")
    }
    let doc = "\(name): \(model.spec.kind.rawValue) autoencoder exported by ae \(producerVersion)"
    var encoder = Builder(model, graph: ONNXGraph(name: name + "_encoder"))
    encoder.encoderGraph()
    var decoder = Builder(model, graph: ONNXGraph(name: name + "_decoder"))
    decoder.decoderGraph()
    var both = Builder(model, graph: ONNXGraph(name: name))
    both.autoencoderGraph()
    return Graphs(encoder: encoder.graph.serialized(producerVersion: producerVersion, doc: doc + " (encoder)"),
                  decoder: decoder.graph.serialized(producerVersion: producerVersion, doc: doc + " (decoder)"),
                  autoencoder: both.graph.serialized(producerVersion: producerVersion, doc: doc))
  }

  /// Adds one model's pieces to one graph.
  struct Builder {
    let model: InferenceModel
    var graph: ONNXGraph

    init(_ model: InferenceModel, graph: ONNXGraph) {
      self.model = model
      self.graph = graph
    }

    var conditional: Bool { model.conditionWidth > 0 }

    mutating func encoderGraph() {
      let x = graph.input("x", width: model.inputWidth)
      let condition = conditional ? graph.input("condition", width: model.conditionWidth) : nil
      let head = encoder(x, condition: condition)
      graph.output("code", from: code(head), width: model.codeWidth)
      if model.spec.isVariational {
        graph.output("log_variance", from: slice(head, model.codeWidth, 2 * model.codeWidth, name: "head_log_variance"),
                     width: model.codeWidth)
      }
    }

    mutating func decoderGraph() {
      let z = graph.input("code", width: model.codeWidth)
      let condition = conditional ? graph.input("condition", width: model.conditionWidth) : nil
      graph.output("reconstruction", from: decoder(z, condition: condition), width: model.inputWidth)
    }

    mutating func autoencoderGraph() {
      let x = graph.input("x", width: model.inputWidth)
      let condition = conditional ? graph.input("condition", width: model.conditionWidth) : nil
      let z = code(encoder(x, condition: condition))
      graph.output("reconstruction", from: decoder(z, condition: condition), width: model.inputWidth)
    }

    // MARK: The runtime's steps

    /// Raw rows to the encoder's output (a VAE's holds means then log-variances).
    mutating func encoder(_ x: String, condition: String?) -> String {
      var value = x
      if let scaling = model.pipeline.scaling, scaling.method != .none {
        let offset = graph.constant("input_offset", scaling.offset, shape: [scaling.offset.count])
        let scale = graph.constant("input_scale", scaling.scale, shape: [scaling.scale.count])
        value = graph.node("Mul", [graph.node("Sub", [value, offset], name: "centred"), scale], name: "scaled")
      }
      if let condition { value = graph.node("Concat", [value, condition], name: "encoder_input", [.int("axis", 1)]) }
      return layers(model.plan.encoder, from: value)
    }

    /// Codes to rows in the data's units.
    mutating func decoder(_ z: String, condition: String?) -> String {
      var value = z
      if let condition { value = graph.node("Concat", [value, condition], name: "decoder_input", [.int("axis", 1)]) }
      value = heads(layers(model.plan.decoder, from: value))
      if let scaling = model.pipeline.scaling, scaling.method != .none {
        // y / scale + offset, in that order, as the runtime's output stage computes it.
        let offset = graph.constant("output_offset", scaling.offset, shape: [scaling.offset.count])
        let scale = graph.constant("output_scale", scaling.scale, shape: [scaling.scale.count])
        value = graph.node("Add", [graph.node("Div", [value, scale], name: "unscaled"), offset], name: "output")
      }
      return value
    }

    /// The code in the encoder's output: itself, or a VAE's means.
    mutating func code(_ head: String) -> String {
      model.spec.isVariational ? slice(head, 0, model.codeWidth, name: "mean") : head
    }

    mutating func slice(_ value: String, _ start: Int, _ end: Int, name: String) -> String {
      graph.node("Slice", [value, graph.constant(name + "_start", ints: [start]), graph.constant(name + "_end", ints: [end]),
                           graph.constant(name + "_axis", ints: [1])], name: name)
    }

    mutating func layers(_ steps: [NetworkPlan.Step], from input: String) -> String {
      var value = input
      for step in steps {
        let kernel = model.weightValues(offset: step.kernelOffset, count: step.biasOffset - step.kernelOffset)
        let bias = model.weightValues(offset: step.biasOffset, count: biasCount(step.operation))
        let group = step.group.replacingOccurrences(of: "/", with: "_")
        switch step.operation {
        case .dense(let inputs, let outputs):
          value = graph.node("Gemm", [value, graph.constant(group + "_kernel", kernel, shape: [inputs, outputs]),
                                      graph.constant(group + "_bias", bias, shape: [outputs])], name: group)
        case .convolution(let g, let filters):
          let images = nchw(value, height: g.height, width: g.width, channels: g.channels, name: group)
          let weights = Self.channelsFirst(kernel, g.kernelHeight, g.kernelWidth, g.channels, filters)
          let convolved = graph.node("Conv", [images, graph.constant(group + "_kernel", weights, shape: [filters, g.channels, g.kernelHeight, g.kernelWidth]),
                                             graph.constant(group + "_bias", bias, shape: [filters])], name: group,
                                     [.ints("kernel_shape", [g.kernelHeight, g.kernelWidth]), .ints("strides", [g.strideHeight, g.strideWidth]),
                                      .ints("pads", [g.paddingTop, g.paddingLeft, g.paddingBottom, g.paddingRight])])
          value = rows(convolved, width: g.positions * filters, name: group)
        case .transposedConvolution(let g, let inputChannels):
          let images = nchw(value, height: g.outputHeight, width: g.outputWidth, channels: inputChannels, name: group)
          let weights = Self.channelsFirst(kernel, g.kernelHeight, g.kernelWidth, g.channels, inputChannels)
          // The rows and columns the strided convolution's floor left out, back at the end.
          let extraHeight = g.height + g.paddingTop + g.paddingBottom - g.kernelHeight - g.strideHeight * (g.outputHeight - 1)
          let extraWidth = g.width + g.paddingLeft + g.paddingRight - g.kernelWidth - g.strideWidth * (g.outputWidth - 1)
          let grown = graph.node("ConvTranspose", [images, graph.constant(group + "_kernel", weights, shape: [inputChannels, g.channels, g.kernelHeight, g.kernelWidth]),
                                                   graph.constant(group + "_bias", bias, shape: [g.channels])], name: group,
                                 [.ints("kernel_shape", [g.kernelHeight, g.kernelWidth]), .ints("strides", [g.strideHeight, g.strideWidth]),
                                  .ints("pads", [g.paddingTop, g.paddingLeft, g.paddingBottom, g.paddingRight]),
                                  .ints("output_padding", [extraHeight, extraWidth])])
          value = rows(grown, width: g.imageSize, name: group)
        }
        value = activation(step.activation, value, name: group + "_" + step.activation.rawValue)
      }
      return value
    }

    func biasCount(_ operation: LayerOperation) -> Int {
      switch operation {
      case .dense(_, let outputs): outputs
      case .convolution(_, let filters): filters
      case .transposedConvolution(let g, _): g.channels
      }
    }

    /// Flat NHWC rows to NCHW images.
    mutating func nchw(_ value: String, height: Int, width: Int, channels: Int, name: String) -> String {
      let shape = graph.constant(name + "_image_shape", ints: [-1, height, width, channels])
      let nhwc = graph.node("Reshape", [value, shape], name: name + "_nhwc")
      return graph.node("Transpose", [nhwc], name: name + "_nchw", [.ints("perm", [0, 3, 1, 2])])
    }

    /// NCHW images back to flat NHWC rows of `width` values.
    mutating func rows(_ value: String, width: Int, name: String) -> String {
      let nhwc = graph.node("Transpose", [value], name: name + "_out_nhwc", [.ints("perm", [0, 2, 3, 1])])
      return graph.node("Reshape", [nhwc, graph.constant(name + "_row_shape", ints: [-1, width])], name: name + "_rows")
    }

    mutating func activation(_ activation: Activation, _ value: String, name: String) -> String {
      switch activation {
      case .linear: value
      case .relu: graph.node("Relu", [value], name: name)
      case .leakyRelu: graph.node("LeakyRelu", [value], name: name, [.float("alpha", Activation.leakySlope)])
      case .tanh: graph.node("Tanh", [value], name: name)
      case .sigmoid: graph.node("Sigmoid", [value], name: name)
      case .softmax: graph.node("Softmax", [value], name: name, [.int("axis", 1)])
      }
    }

    /// The output heads' activations over their segments of the decoder's output.
    mutating func heads(_ logits: String) -> String {
      let heads = model.outputHeads
      if heads.count == 1 { return activation(heads[0].activation, logits, name: "output_" + heads[0].activation.rawValue) }
      let split = graph.constant("head_widths", ints: heads.map(\.width))
      let parts = graph.node("Split", [logits, split], names: heads.indices.map { "head_\($0)" }, [.int("axis", 1)])
      var activated: [String] = []
      for (i, (head, part)) in zip(heads, parts).enumerated() {
        activated.append(activation(head.activation, part, name: "head_\(i)_\(head.activation.rawValue)"))
      }
      return graph.node("Concat", activated, name: "outputs", [.int("axis", 1)])
    }

    /// A kernel stored (kh, kw, a, b) as ONNX's (b, a, kh, kw).
    static func channelsFirst(_ kernel: [Float], _ kh: Int, _ kw: Int, _ a: Int, _ b: Int) -> [Float] {
      var out = [Float](repeating: 0, count: kernel.count)
      for y in 0..<kh {
        for x in 0..<kw {
          for i in 0..<a {
            for o in 0..<b { out[((o * a + i) * kh + y) * kw + x] = kernel[((y * kw + x) * a + i) * b + o] }
          }
        }
      }
      return out
    }
  }
}
