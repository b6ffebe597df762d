/// An ONNX graph as it is built: float32 inputs of (rows, width), nodes in order, constant
/// tensors, outputs; written as a ModelProto of IR version 8 and the default opset 17, which
/// onnxruntime 1.14 and later run (https://github.com/onnx/onnx/blob/main/docs/IR.md). Field
/// numbers are onnx.proto's.
public struct ONNXGraph {
  /// A node's attribute.
  public enum Attribute {
    case int(String, Int)
    case float(String, Float)
    case ints(String, [Int])
  }

  public static let opset = 17
  static let irVersion = 8
  // TensorProto.DataType
  static let float32 = 1, int64 = 7

  let name: String
  private var nodes: [ProtobufMessage] = []
  private var initializers: [ProtobufMessage] = []
  private var inputs: [ProtobufMessage] = []
  private var outputs: [ProtobufMessage] = []
  private var used: Set<String> = []

  public init(name: String) { self.name = name }

  /// A name not used yet in the graph: `base`, else `base_2`, `base_3`...
  mutating func unique(_ base: String) -> String {
    var name = base, suffix = 1
    while used.contains(name) {
      suffix += 1
      name = "\(base)_\(suffix)"
    }
    used.insert(name)
    return name
  }

  /// A graph input of (rows, width) floats, rows named "rows"; returns its name.
  public mutating func input(_ name: String, width: Int) -> String {
    let unique = unique(name)
    inputs.append(Self.valueInfo(unique, width: width))
    return unique
  }

  /// Make `value` the graph output `name` (an Identity node gives it that name).
  public mutating func output(_ name: String, from value: String, width: Int) {
    let unique = unique(name)
    appendNode("Identity", [value], [unique], [])
    outputs.append(Self.valueInfo(unique, width: width))
  }

  /// A float32 constant of `shape`.
  public mutating func constant(_ name: String, _ values: [Float], shape: [Int]) -> String {
    precondition(values.count == shape.reduce(1, *), "\(name): \(values.count) values for shape \(shape)")
    var raw: [UInt8] = []
    raw.reserveCapacity(4 * values.count)
    for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
    return tensor(name, raw, shape: shape, type: Self.float32)
  }

  /// An int64 vector constant (shapes, axes, split sizes).
  public mutating func constant(_ name: String, ints values: [Int]) -> String {
    var raw: [UInt8] = []
    for value in values { withUnsafeBytes(of: Int64(value).littleEndian) { raw.append(contentsOf: $0) } }
    return tensor(name, raw, shape: [values.count], type: Self.int64)
  }

  private mutating func tensor(_ name: String, _ raw: [UInt8], shape: [Int], type: Int) -> String {
    let unique = unique(name)
    var tensor = ProtobufMessage()
    tensor.ints(1, shape) // dims
    tensor.int(2, type) // data_type
    tensor.string(8, unique) // name
    tensor.data(9, raw) // raw_data, little-endian
    initializers.append(tensor)
    return unique
  }

  /// A node of operator `op` (default domain) on `inputs`; returns the name of its one output,
  /// made from `name`.
  @discardableResult
  public mutating func node(_ op: String, _ inputs: [String], name: String, _ attributes: [Attribute] = []) -> String {
    let output = unique(name)
    appendNode(op, inputs, [output], attributes)
    return output
  }

  /// A node with several outputs (Split).
  public mutating func node(_ op: String, _ inputs: [String], names: [String], _ attributes: [Attribute] = []) -> [String] {
    let outputs = names.map { unique($0) }
    appendNode(op, inputs, outputs, attributes)
    return outputs
  }

  private mutating func appendNode(_ op: String, _ inputs: [String], _ outputs: [String], _ attributes: [Attribute]) {
    var node = ProtobufMessage()
    for input in inputs { node.string(1, input) }
    for output in outputs { node.string(2, output) }
    node.string(3, "\(op)_\(nodes.count)") // name
    node.string(4, op) // op_type
    for attribute in attributes {
      var message = ProtobufMessage()
      switch attribute {
      case .int(let name, let value):
        message.string(1, name)
        message.int(20, 2) // type INT
        message.int(3, value)
      case .float(let name, let value):
        message.string(1, name)
        message.int(20, 1) // type FLOAT
        message.float(2, value)
      case .ints(let name, let values):
        message.string(1, name)
        message.int(20, 7) // type INTS
        message.ints(8, values)
      }
      node.message(5, message)
    }
    nodes.append(node)
  }

  /// ValueInfoProto of a float tensor (rows, width), rows symbolic.
  private static func valueInfo(_ name: String, width: Int) -> ProtobufMessage {
    var rows = ProtobufMessage(), columns = ProtobufMessage()
    rows.string(2, "rows") // dim_param
    columns.int(1, width) // dim_value
    var shape = ProtobufMessage()
    shape.message(1, rows)
    shape.message(1, columns)
    var tensorType = ProtobufMessage()
    tensorType.int(1, float32) // elem_type
    tensorType.message(2, shape)
    var type = ProtobufMessage()
    type.message(1, tensorType) // tensor_type
    var info = ProtobufMessage()
    info.string(1, name)
    info.message(2, type)
    return info
  }

  /// The ModelProto's bytes: the file.
  public func serialized(producerVersion: String, doc: String) -> [UInt8] {
    var graph = ProtobufMessage()
    for node in nodes { graph.message(1, node) }
    graph.string(2, name)
    for tensor in initializers { graph.message(5, tensor) }
    graph.string(10, doc)
    for input in inputs { graph.message(11, input) }
    for output in outputs { graph.message(12, output) }
    var opset = ProtobufMessage()
    opset.string(1, "")
    opset.int(2, Self.opset)
    var model = ProtobufMessage()
    model.int(1, Self.irVersion)
    model.string(2, "autoencoder")
    model.string(3, producerVersion)
    model.string(6, doc)
    model.message(7, graph)
    model.message(8, opset)
    return model.bytes
  }
}
