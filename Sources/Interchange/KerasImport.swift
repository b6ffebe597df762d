import Foundation
import Layers
import Models
import CShims
import Store

/// Autoencoders saved by Keras in its HDF5 format (`model.save("model.h5")`, Keras 2, or Keras
/// 3's legacy `.h5`), as docs/FORMAT.md ("Keras files") records the layout:
///
/// - the root attribute `model_config`: JSON `{"class_name": "Sequential" | "Functional" |
///   "Model", "config": {"layers": [...]}}`, each layer `{"class_name", "config", ...}`; a
///   layer may itself be a model (an encoder and a decoder inside a functional model);
/// - the group `model_weights/<top-level layer>`, whose attribute `weight_names` lists its
///   weights as `<layer>/kernel:0` and `<layer>/bias:0` (Keras 3: `.../kernel`), each the
///   dataset of that name below the group.
///
/// Layers read: InputLayer, Dense, Conv2D, Conv2DTranspose (channels last, no dilation),
/// Flatten and Reshape (no arithmetic: rows are flat HWC here as there), Activation, ReLU and
/// LeakyReLU folded into the layer before, Dropout (nothing at inference). Keras' kernels are
/// laid out as ours ((in, out); (kh, kw, in, out); (kh, kw, out, in) for transposed), so they
/// are copied as they are. Keras' "same" padding puts an odd total padding's extra row after
/// the image (an odd total: an even image, kernel 3, stride 2, or kernel 2 or 4 at stride 1):
/// such a layer keeps its four paddings.
///
/// The code is the output of the layer named by `codeLayer`, else of the sub-model whose
/// name holds "encoder", else of the narrowest Dense layer. The file is hostile input: it is
/// opened as every model file is (audited HDF5), and every size is checked before use.
public enum KerasImport {
  public struct ImportError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
  }

  /// The model, and which Keras layers became its encoder and decoder.
  public struct Imported {
    public let model: Autoencoder
    public let encoderLayers: [String]
    public let decoderLayers: [String]
    /// How the code layer was chosen.
    public let split: String
  }

  /// A Keras layer as listed, with where its weights are.
  struct KerasLayer {
    let name: String
    let className: String
    let config: [String: Any]
    /// The top-level layer whose `model_weights` group holds its weights.
    let top: String
    /// The sub-models it sits in, outermost first.
    let submodels: [String]
  }

  /// A layer of ours, with its Keras name and weights.
  struct Converted {
    let name: String
    let submodels: [String]
    var spec: LayerSpec
    let kernel: [Float]
    let bias: [Float]
  }

  public static func read(path: String, codeLayer: String? = nil, loss: Loss? = nil) throws -> Imported {
    let file: HDF5Group
    do { file = try HDF5Group.open(file: path, verify: false) } catch { throw ImportError("\(error)") }
    defer { file.close() }
    guard file.hasAttribute("model_config") else {
      throw ImportError("\(path): not a Keras model file: it has no model_config attribute (files from model.save(\"x.h5\") have one; save_weights files hold no architecture)")
    }
    let text = try file.string("model_config")
    guard let root = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
      throw ImportError("\(path): model_config is not a JSON object")
    }
    let layers = try flatten(root, top: nil, submodels: [], depth: 0)
    guard layers.count <= 1024 else { throw ImportError("\(layers.count) layers; an autoencoder of more than 1024 is not read") }
    var converter = Converter(file: file)
    for layer in layers { try converter.add(layer) }
    return try assemble(converter, codeLayer: codeLayer, loss: loss)
  }

  // MARK: The layer list

  static let modelClasses: Set = ["Sequential", "Functional", "Model"]

  /// The layers of a (possibly nested) model config, in order.
  static func flatten(_ object: [String: Any], top: String?, submodels: [String], depth: Int) throws -> [KerasLayer] {
    guard depth < 8 else { throw ImportError("model_config nests models more than 8 deep") }
    guard let className = object["class_name"] as? String else { throw ImportError("model_config: a layer has no class_name") }
    guard modelClasses.contains(className) else { throw ImportError("model_config: the model is a \(className), not a Sequential or functional model") }
    let config = object["config"]
    // Very old Keras wrote a Sequential's config as the list of layers itself.
    guard let list = (config as? [String: Any])?["layers"] as? [Any] ?? config as? [Any] else {
      throw ImportError("model_config: the \(className) model lists no layers")
    }
    var layers: [KerasLayer] = []
    var previous: String?
    for (index, item) in list.enumerated() {
      guard let entry = item as? [String: Any], let kind = entry["class_name"] as? String else {
        throw ImportError("model_config: layer \(index) has no class_name")
      }
      let layerConfig = entry["config"] as? [String: Any] ?? [:]
      guard let name = entry["name"] as? String ?? layerConfig["name"] as? String else {
        throw ImportError("model_config: layer \(index) (\(kind)) has no name")
      }
      try checkChain(entry, name: name, previous: previous)
      previous = name
      if modelClasses.contains(kind) {
        layers += try flatten(entry, top: top ?? name, submodels: submodels + [name], depth: depth + 1)
      } else {
        layers.append(KerasLayer(name: name, className: kind, config: layerConfig, top: top ?? name, submodels: submodels))
      }
    }
    return layers
  }

  /// A functional model's layer takes one input, from one call, and that input is the layer
  /// listed before it (Keras 2's inbound_nodes [[["previous", 0, 0, {}]]], Keras 3's
  /// [{"args": [{"config": {"keras_history": ["previous", 0, 0]}}]}]): the library runs a chain
  /// of layers, not a graph. A model's first layer may take the enclosing model's input.
  static func checkChain(_ entry: [String: Any], name: String, previous: String?) throws {
    guard let nodes = entry["inbound_nodes"] as? [Any], let first = nodes.first else { return }
    if nodes.count > 1 { throw ImportError("layer '\(name)' is called \(nodes.count) times; only a chain of layers, each used once, can be imported") }
    var inputs: [String] = []
    if let inbound = first as? [Any] { // Keras 2
      inputs = inbound.compactMap { ($0 as? [Any])?.first as? String }
      guard inputs.count == inbound.count else { throw ImportError("layer '\(name)': unreadable inbound_nodes") }
    } else if let node = first as? [String: Any], let arguments = node["args"] as? [Any] { // Keras 3
      inputs = arguments.compactMap { (($0 as? [String: Any])?["config"] as? [String: Any])?["keras_history"] as? [Any] }
        .compactMap { $0.first as? String }
    }
    if inputs.count > 1 { throw ImportError("layer '\(name)' takes \(inputs.count) inputs; only a chain of layers can be imported") }
    if let input = inputs.first, let previous, input != previous {
      throw ImportError("layer '\(name)' takes its input from '\(input)', not from '\(previous)' listed before it; only a chain of layers, in order, can be imported")
    }
  }

  // MARK: Layers to ours

  struct Converter {
    let file: HDF5Group
    /// The current output's shape: [width], or [height, width, channels].
    var shape: [Int]?
    var inputShape: [Int]?
    var converted: [Converted] = []
    /// Each top-level group's weights by (layer, "kernel" or "bias"), read once.
    var weightNames: [String: [String: String]] = [:]
    /// Weights read so far: the total is checked before each layer's are read.
    var parameters = 0

    init(file: HDF5Group) { self.file = file }

    mutating func add(_ layer: KerasLayer) throws {
      let c = layer.config, label = "layer '\(layer.name)' (\(layer.className))"
      switch layer.className {
      case "InputLayer":
        guard let batchShape = c["batch_input_shape"] as? [Any] ?? c["batch_shape"] as? [Any], batchShape.count >= 2 else {
          throw ImportError("\(label): no batch_input_shape")
        }
        let dims = try batchShape.dropFirst().map { try size($0, "\(label) shape") }
        _ = try product(dims, label)
        if let shape {
          guard try product(shape, label) == product(dims, label) else {
            throw ImportError("\(label): takes \(dims) but the layer before gives \(shape)")
          }
        } else {
          inputShape = dims
        }
        shape = dims
      case "Flatten":
        shape = [try width(label)]
      case "Reshape":
        guard let target = c["target_shape"] as? [Any] else { throw ImportError("\(label): no target_shape") }
        let dims = try target.map { try size($0, "\(label) target_shape") }
        guard try product(dims, label) == (try width(label)) else { throw ImportError("\(label): \(dims) does not hold \(try width(label)) values") }
        shape = dims
      case "Dropout", "GaussianNoise", "GaussianDropout", "ActivityRegularization":
        return // nothing at inference
      case "Activation":
        try fold(try activation(c["activation"], label), label)
      case "ReLU":
        let slope = try number(c["negative_slope"], "\(label) negative_slope") ?? 0
        let threshold = try number(c["threshold"], "\(label) threshold") ?? 0
        guard slope == 0, try number(c["max_value"], "\(label) max_value") == nil, threshold == 0 else {
          throw ImportError("\(label): only a plain ReLU (no slope, limit or threshold) is supported")
        }
        try fold(.relu, label)
      case "LeakyReLU":
        let slope = try number(c["alpha"], "\(label) alpha") ?? number(c["negative_slope"], "\(label) negative_slope") ?? 0.3
        guard Float(slope) == Activation.leakySlope else {
          throw ImportError("\(label): slope \(slope); the library's leaky ReLU has slope \(Activation.leakySlope)")
        }
        try fold(.leakyRelu, label)
      case "Dense":
        try dense(layer, label)
      case "Conv2D", "Conv2DTranspose":
        try convolution(layer, label, transposed: layer.className == "Conv2DTranspose")
      default:
        throw ImportError("\(label): not supported; the layers read are InputLayer, Dense, Conv2D, Conv2DTranspose, Flatten, Reshape, Activation, ReLU, LeakyReLU and Dropout")
      }
    }

    func width(_ label: String) throws -> Int {
      guard let shape else { throw ImportError("\(label): the model's input shape is unknown (no InputLayer before it)") }
      return try product(shape, label)
    }

    /// An Activation layer's function becomes the previous layer's (which must have none).
    mutating func fold(_ activation: Activation, _ label: String) throws {
      guard !converted.isEmpty, converted[converted.count - 1].spec.activation == .linear else {
        throw ImportError("\(label): an activation follows a layer that has one already, or no layer")
      }
      converted[converted.count - 1].spec.activation = activation
    }

    mutating func dense(_ layer: KerasLayer, _ label: String) throws {
      let c = layer.config
      guard let shape, shape.count == 1 else { throw ImportError("\(label): reads \(self.shape ?? []) values; Dense needs flat rows (a Flatten before it)") }
      let units = try size(c["units"], "\(label) units")
      let (kernel, bias) = try weights(layer, kernel: [shape[0], units], bias: units, useBias: try flag(c["use_bias"], "\(label) use_bias"))
      var spec = LayerSpec(units: units, activation: .linear)
      spec.activation = try activation(c["activation"], label)
      converted.append(Converted(name: layer.name, submodels: layer.submodels, spec: spec, kernel: kernel, bias: bias))
      self.shape = [units]
    }

    mutating func convolution(_ layer: KerasLayer, _ label: String, transposed: Bool) throws {
      let c = layer.config
      guard let image = shape, image.count == 3 else {
        throw ImportError("\(label): reads \(shape ?? []); a convolution reads images (height, width, channels): an InputLayer or Reshape with 3 dimensions before it")
      }
      if let format = c["data_format"] as? String, format != "channels_last" { throw ImportError("\(label): data_format \(format); only channels_last is read") }
      if let dilation = c["dilation_rate"], !(dilation is NSNull), try pair(dilation, "\(label) dilation_rate") != [1, 1] {
        throw ImportError("\(label): dilated convolutions are not supported")
      }
      if let groups = c["groups"], !(groups is NSNull), try size(groups, "\(label) groups") != 1 {
        throw ImportError("\(label): grouped convolutions are not supported")
      }
      let filters = try size(c["filters"], "\(label) filters")
      let kernel = try pair(c["kernel_size"], "\(label) kernel_size"), stride = try pair(c["strides"] ?? [1, 1], "\(label) strides")
      guard let paddingName = (c["padding"] ?? "valid") as? String, ["valid", "same"].contains(paddingName.lowercased()) else {
        throw ImportError("\(label): padding \(c["padding"].map { "\($0)" } ?? ""); only \"valid\" and \"same\" are read")
      }
      let same = paddingName.lowercased() == "same"
      var extra: [Int]?
      if transposed, let given = c["output_padding"], !(given is NSNull) {
        extra = try pair(given, "\(label) output_padding", allowZero: true)
      }
      var spec = LayerSpec(units: 0, activation: try activation(c["activation"], label))
      spec.kernel = kernel
      spec.stride = stride
      var before = [0, 0], after = [0, 0], small = [0, 0], large = [0, 0]
      _ = try product([image[0], image[1], image[2], filters], label)
      for axis in 0..<2 {
        let k = kernel[axis], s = stride[axis]
        if transposed {
          let input = image[axis]
          var output: Int
          if let extra {
            output = (input - 1) * s + k + extra[axis] - (same ? 2 * (k / 2) : 0) // Keras' deconv_output_length
          } else {
            output = same ? input * s : input * s + max(k - s, 0)
          }
          (small[axis], large[axis]) = (input, output)
        } else {
          let input = image[axis]
          (large[axis], small[axis]) = (input, same ? (input + s - 1) / s : (input - k) / s + 1)
        }
        // The padding of the convolution from the large image to the small one: Keras
        // pads (small - 1) s + k - large in all, the smaller half first.
        let total = same ? max((small[axis] - 1) * s + k - large[axis], 0) : 0
        (before[axis], after[axis]) = (total / 2, total - total / 2)
        guard small[axis] >= 1, (large[axis] + total - k) >= 0, (large[axis] + total - k) / s + 1 == small[axis] else {
          throw ImportError("\(label): a kernel \(k) with stride \(s) does not map \(large[axis]) values to \(small[axis])")
        }
      }
      // (height, width) when both sides match, else (top, left, bottom, right).
      spec.padding = before == after ? before : before + after
      let channelsIn = image[2]
      if transposed {
        spec.kind = .conv2dTranspose
        spec.inputShape = [small[0], small[1], channelsIn]
        spec.outputShape = [large[0], large[1], filters]
      } else {
        spec.kind = .conv2d
        spec.inputShape = [large[0], large[1], channelsIn]
        spec.outputShape = [small[0], small[1], filters]
      }
      let outputShape = spec.outputShape!
      spec.units = try product(outputShape, label)
      let kernelShape = transposed ? [kernel[0], kernel[1], filters, channelsIn] : [kernel[0], kernel[1], channelsIn, filters]
      let (values, bias) = try weights(layer, kernel: kernelShape, bias: filters, useBias: try flag(c["use_bias"], "\(label) use_bias"))
      converted.append(Converted(name: layer.name, submodels: layer.submodels, spec: spec, kernel: values, bias: bias))
      shape = outputShape
    }

    /// The layer's kernel and bias from `model_weights/<top>`, checked against their shapes.
    mutating func weights(_ layer: KerasLayer, kernel shape: [Int], bias: Int, useBias: Bool) throws -> (kernel: [Float], bias: [Float]) {
      let group = "model_weights/\(layer.top)"
      // The sizes first: a crafted file must not make us read gigabytes before refusing.
      let count = try product(shape, "layer '\(layer.name)' kernel")
      let (total, overflow) = parameters.addingReportingOverflow(count + bias)
      guard !overflow, total <= KerasImport.maximumParameters else {
        throw ImportError("layer '\(layer.name)': more than \(KerasImport.maximumParameters) weights in all; larger models are not imported")
      }
      parameters = total
      if weightNames[layer.top] == nil {
        guard file.contains(group) else { throw ImportError("layer '\(layer.name)': the file has no weights group \(group)") }
        var byLayer: [String: String] = [:]
        for name in try file.openGroup(group).strings("weight_names") {
          let parts = name.split(separator: "/").map(String.init)
          guard parts.count >= 2 else { continue }
          let kind = parts.last!.hasSuffix(":0") ? String(parts.last!.dropLast(2)) : parts.last!
          let key = parts[parts.count - 2] + "/" + kind
          if byLayer[key] == nil { byLayer[key] = name }
        }
        weightNames[layer.top] = byLayer
      }
      let names = weightNames[layer.top]!
      func find(_ what: String) -> String? { names[layer.name + "/" + what] }
      func read(_ name: String, _ expected: [Int]) throws -> [Float] {
        let path = "\(group)/\(name)"
        let (kind, stored) = try file.info(path)
        guard stored == expected else { throw ImportError("layer '\(layer.name)': \(name) has shape \(stored), expected \(expected)") }
        guard kind == AEH5_FLOAT32 else { throw ImportError("layer '\(layer.name)': \(name) is not float32") }
        var values = [Float](repeating: 0, count: try product(expected, "layer '\(layer.name)'"))
        try values.withUnsafeMutableBufferPointer { try file.read(path, into: $0.baseAddress!, shape: expected) }
        return values
      }
      guard let kernelName = find("kernel") else { throw ImportError("layer '\(layer.name)': no kernel among the weights of \(group)") }
      let values = try read(kernelName, shape)
      guard useBias else { return (values, [Float](repeating: 0, count: bias)) }
      guard let biasName = find("bias") else { throw ImportError("layer '\(layer.name)': no bias among the weights of \(group)") }
      return (values, try read(biasName, [bias]))
    }
  }

  /// The most weights an imported model may have (1 GiB of float32).
  static let maximumParameters = 1 << 28

  /// Whether a JSON value is a boolean (JSONSerialization gives NSNumbers either way).
  static func isBoolean(_ value: Any) -> Bool {
    (value as? NSNumber).map { String(cString: $0.objCType) == "c" } ?? false
  }

  /// A number from the JSON, nil when missing or null; anything else is refused.
  static func number(_ value: Any?, _ what: String) throws -> Double? {
    guard let value, !(value is NSNull) else { return nil }
    guard let number = value as? NSNumber, !isBoolean(number), number.doubleValue.isFinite else {
      throw ImportError("\(what): \(value) is not a number")
    }
    return number.doubleValue
  }

  /// A boolean setting such as use_bias: true when missing; anything but true or false is refused.
  static func flag(_ value: Any?, _ what: String) throws -> Bool {
    guard let value, !(value is NSNull) else { return true }
    guard isBoolean(value), let flag = value as? Bool else { throw ImportError("\(what): \(value) is not true or false") }
    return flag
  }

  /// The product of sizes, refused when it passes 2^31 (no layer of an autoencoder is as wide).
  static func product(_ sizes: [Int], _ what: String) throws -> Int {
    guard let total = ModelSpec.checkedProduct(sizes, limit: 1 << 31) else { throw ImportError("\(what): the shape \(sizes) is too large") }
    return total
  }

  /// A positive size from the JSON (at most 2^24, which no layer of an autoencoder reaches).
  static func size(_ value: Any?, _ what: String, allowZero: Bool = false) throws -> Int {
    guard let number = value as? NSNumber, !isBoolean(number), let size = Int(exactly: number.doubleValue),
          size >= (allowZero ? 0 : 1), size <= 1 << 24 else {
      throw ImportError("\(what): \(value.map { "\($0)" } ?? "missing") is not a size")
    }
    return size
  }

  /// A (height, width) pair: [h, w], or one number for both.
  static func pair(_ value: Any?, _ what: String, allowZero: Bool = false) throws -> [Int] {
    if let list = value as? [Any] {
      guard list.count == 2 else { throw ImportError("\(what): expected 2 values, got \(list.count)") }
      return try list.map { try size($0, what, allowZero: allowZero) }
    }
    let one = try size(value, what, allowZero: allowZero)
    return [one, one]
  }

  static func activation(_ value: Any?, _ label: String) throws -> Activation {
    if let value, !(value is NSNull), !(value is String) {
      throw ImportError("\(label): activation \(value) is not a name; the library has linear, relu, tanh, sigmoid and softmax")
    }
    let name = (value as? String ?? "linear").lowercased()
    switch name {
    case "linear", "none": return .linear
    case "relu": return .relu
    case "tanh": return .tanh
    case "sigmoid": return .sigmoid
    case "softmax": return .softmax
    default: throw ImportError("\(label): activation '\(name)'; the library has linear, relu, tanh, sigmoid and softmax (and LeakyReLU layers of slope 0.01)")
    }
  }

  // MARK: The model

  static func assemble(_ converter: Converter, codeLayer: String?, loss: Loss?) throws -> Imported {
    let layers = converter.converted
    guard let inputShape = converter.inputShape, layers.count >= 2 else {
      throw ImportError("the model needs an InputLayer and at least two Dense or convolution layers (an encoder and a decoder)")
    }
    let split: String, codeIndex: Int
    if let codeLayer {
      guard let index = layers.firstIndex(where: { $0.name == codeLayer }) else {
        throw ImportError("--code-layer \(codeLayer): no Dense or convolution layer has that name (layers: \(layers.map(\.name).joined(separator: ", ")))")
      }
      (codeIndex, split) = (index, "the layer named \(codeLayer)")
    } else if let index = layers.lastIndex(where: { $0.submodels.contains { $0.lowercased().contains("encoder") } }) {
      let name = layers[index].submodels.last { $0.lowercased().contains("encoder") }!
      (codeIndex, split) = (index, "the end of the sub-model '\(name)'")
    } else {
      let dense = layers.indices.filter { layers[$0].spec.kind == .dense }
      guard let narrowest = dense.map({ layers[$0].spec.units }).min() else {
        throw ImportError("no Dense layer to take as the code: name the code layer (--code-layer)")
      }
      let candidates = dense.filter { layers[$0].spec.units == narrowest }
      guard candidates.count == 1 else {
        throw ImportError("\(candidates.count) Dense layers of \(narrowest) units could be the code (\(candidates.map { layers[$0].name }.joined(separator: ", "))): name it (--code-layer)")
      }
      (codeIndex, split) = (candidates[0], "the narrowest Dense layer, '\(layers[candidates[0]].name)'")
    }
    guard codeIndex < layers.count - 1 else { throw ImportError("the code layer \(layers[codeIndex].name) is the last layer: the decoder would be empty") }
    let encoder = Array(layers[...codeIndex]), decoder = Array(layers[(codeIndex + 1)...])
    let inputWidth = try product(inputShape, "the input")
    guard decoder.last!.spec.units == inputWidth else {
      throw ImportError("the last layer gives \(decoder.last!.spec.units) values per row, the input has \(inputWidth): not an autoencoder")
    }
    let output = decoder.last!.spec.activation
    let chosenLoss = loss ?? (output == .sigmoid ? .bce : .mse)
    let spec = ModelSpec(kind: .dense, inputWidth: inputWidth, inputShape: inputShape.count == 3 ? inputShape : nil,
                         encoder: encoder.map(\.spec), decoder: decoder.map(\.spec), loss: chosenLoss)
    let model: Autoencoder
    do { model = try Autoencoder(spec: spec) } catch { throw ImportError("the layers do not make a model the library can run: \(error)") }
    var values = [Float](repeating: 0, count: model.plan.parameterCount)
    for (step, layer) in zip(model.plan.encoder + model.plan.decoder, layers) {
      values.replaceSubrange(step.kernelOffset..<(step.kernelOffset + layer.kernel.count), with: layer.kernel)
      values.replaceSubrange(step.biasOffset..<(step.biasOffset + layer.bias.count), with: layer.bias)
    }
    guard values.allSatisfy(\.isFinite) else { throw ImportError("the weights hold NaN or infinite values") }
    model.parameters.setValues(values)
    return Imported(model: model, encoderLayers: encoder.map(\.name), decoderLayers: decoder.map(\.name), split: split)
  }
}
