import Tensor

/// The shape arithmetic of a 2-D convolution over NHWC rows, and the im2col / col2im copies
/// that turn it into one matrix product (as Caffe and most CPU libraries do).
///
/// An image row holds height x width x channels values, channels fastest (NHWC, as Keras and
/// the Fashion-MNIST files lay them out). A patch row holds kernelHeight x kernelWidth x
/// channels values in the same order.
public struct ConvGeometry: Equatable, Sendable {
  public let height, width, channels: Int
  public let kernelHeight, kernelWidth: Int
  public let stride, padding: Int

  /// Output size of the convolution: floor((size + 2 padding - kernel) / stride) + 1.
  public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
  public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
  /// Values in one patch.
  public var patchSize: Int { kernelHeight * kernelWidth * channels }
  /// Values in one input image.
  public var imageSize: Int { height * width * channels }
  /// Patches (output positions) per image.
  public var positions: Int { outputHeight * outputWidth }

  public init(height: Int, width: Int, channels: Int, kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int) {
    self.height = height
    self.width = width
    self.channels = channels
    self.kernelHeight = kernelHeight
    self.kernelWidth = kernelWidth
    self.stride = stride
    self.padding = padding
  }

  /// Reasons this geometry cannot work, empty when it can.
  public func problems() -> [String] {
    var found: [String] = []
    if height < 1 || width < 1 || channels < 1 { found.append("image shape \(height)x\(width)x\(channels) must be positive") }
    if kernelHeight < 1 || kernelWidth < 1 { found.append("kernel \(kernelHeight)x\(kernelWidth) must be positive") }
    if stride < 1 { found.append("stride must be at least 1, got \(stride)") }
    if padding < 0 { found.append("padding must be >= 0, got \(padding)") }
    if found.isEmpty && (outputHeight < 1 || outputWidth < 1) {
      found.append("a \(kernelHeight)x\(kernelWidth) kernel does not fit a \(height)x\(width) image with padding \(padding)")
    }
    return found
  }

  /// The kernel columns kx whose input column x = ox * stride + kx - padding lies inside the
  /// image, as a range: within one kernel row they are neighbours in memory (NHWC), so each
  /// kernel row of a patch is one contiguous run of values.
  @inline(__always)
  func validColumns(_ ox: Int) -> Range<Int> {
    let first = ox * stride - padding
    let lower = max(0, -first)
    return lower..<max(lower, min(kernelWidth, width - first))
  }

  /// Copy every patch of `images` (n images) into `columns` (n * positions, patchSize);
  /// positions outside the image read as 0.
  public func im2col(_ images: UnsafePointer<Float>, count n: Int, into columns: UnsafeMutablePointer<Float>) {
    let oh = outputHeight, ow = outputWidth, c = channels, rowValues = kernelWidth * c
    for image in 0..<n {
      let source = images + image * imageSize
      var target = columns + image * positions * patchSize
      for oy in 0..<oh {
        for ox in 0..<ow {
          let valid = validColumns(ox)
          let x0 = ox * stride - padding
          for ky in 0..<kernelHeight {
            let y = oy * stride + ky - padding
            if y < 0 || y >= height || valid.isEmpty {
              for i in 0..<rowValues { target[i] = 0 }
            } else {
              let lead = valid.lowerBound * c, run = valid.count * c
              for i in 0..<lead { target[i] = 0 }
              let from = source + (y * width + x0 + valid.lowerBound) * c
              for i in 0..<run { target[lead + i] = from[i] }
              for i in (lead + run)..<rowValues { target[i] = 0 }
            }
            target += rowValues
          }
        }
      }
    }
  }

  /// The adjoint of `im2col`: add every patch value in `columns` back into its place in
  /// `images` (which the caller zeroes first); values that fell outside are dropped.
  public func col2im(_ columns: UnsafePointer<Float>, count n: Int, into images: UnsafeMutablePointer<Float>) {
    let oh = outputHeight, ow = outputWidth, c = channels, rowValues = kernelWidth * c
    for image in 0..<n {
      let target = images + image * imageSize
      var source = columns + image * positions * patchSize
      for oy in 0..<oh {
        for ox in 0..<ow {
          let valid = validColumns(ox)
          let x0 = ox * stride - padding
          for ky in 0..<kernelHeight {
            let y = oy * stride + ky - padding
            if y >= 0 && y < height && !valid.isEmpty {
              let lead = valid.lowerBound * c, run = valid.count * c
              let place = target + (y * width + x0 + valid.lowerBound) * c
              for i in 0..<run { place[i] += source[lead + i] }
            }
            source += rowValues
          }
        }
      }
    }
  }
}
