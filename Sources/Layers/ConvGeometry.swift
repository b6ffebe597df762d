import Tensor

/// The shape arithmetic of a 2-D convolution over NHWC rows, and the im2col / col2im copies
/// that turn it into one matrix product (as Caffe and most CPU libraries do).
///
/// An image row holds height x width x channels values, channels fastest (NHWC, as Keras and
/// the Fashion-MNIST files lay them out). A patch row holds kernelHeight x kernelWidth x
/// channels values in the same order. Kernel, stride and padding are set per axis, as in
/// `torch.nn.Conv2d(kernel_size=(kh, kw), stride=(sh, sw), padding=(ph, pw))`; the padding may
/// also differ between the sides (ONNX's pads, Keras' "same" with an odd total), which only
/// moves where the output ends: positions start at -paddingTop, -paddingLeft either way.
///
/// A 1-D convolution over time is the case height 1, kernelHeight 1, no padding along the height: a row
/// is (1, time, channels), and every patch is one contiguous run of kernelWidth x channels.
public struct ConvGeometry: Equatable, Sendable {
  public let height, width, channels: Int
  public let kernelHeight, kernelWidth: Int
  public let strideHeight, strideWidth: Int
  /// Zeros added before the image (rows above, columns left) and after it (rows below,
  /// columns right).
  public let paddingTop, paddingLeft, paddingBottom, paddingRight: Int

  /// `strideHeight`: the stride only when it is square (strideHeight == strideWidth). Kept for
  /// code written before strides were per axis; new code reads the axis it means.
  public var stride: Int { strideHeight }
  /// `paddingTop`: the padding only when it is the same on every side. Kept for code written
  /// before padding was per side; new code reads the side it means.
  public var padding: Int { paddingTop }
  /// Whether each axis pads both its sides alike (what PyTorch's Conv2d can express).
  public var isSymmetric: Bool { paddingTop == paddingBottom && paddingLeft == paddingRight }

  /// Output size of the convolution, per axis: floor((size + padding before + after - kernel)
  /// / stride) + 1. Meaningful only when `problems()` is empty.
  public var outputHeight: Int { (height + paddingTop + paddingBottom - kernelHeight) / strideHeight + 1 }
  public var outputWidth: Int { (width + paddingLeft + paddingRight - kernelWidth) / strideWidth + 1 }
  /// Values in one patch.
  public var patchSize: Int { kernelHeight * kernelWidth * channels }
  /// Values in one input image.
  public var imageSize: Int { height * width * channels }
  /// Patches (output positions) per image.
  public var positions: Int { outputHeight * outputWidth }

  public init(
    height: Int, width: Int, channels: Int, kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int,
    paddingTop: Int, paddingLeft: Int, paddingBottom: Int, paddingRight: Int
  ) {
    self.height = height
    self.width = width
    self.channels = channels
    self.kernelHeight = kernelHeight
    self.kernelWidth = kernelWidth
    self.strideHeight = strideHeight
    self.strideWidth = strideWidth
    self.paddingTop = paddingTop
    self.paddingLeft = paddingLeft
    self.paddingBottom = paddingBottom
    self.paddingRight = paddingRight
  }

  /// Both sides of an axis padded alike: paddingHeight rows above and below, paddingWidth
  /// columns left and right.
  public init(
    height: Int, width: Int, channels: Int, kernelHeight: Int, kernelWidth: Int,
    strideHeight: Int, strideWidth: Int, paddingHeight: Int, paddingWidth: Int
  ) {
    self.init(height: height, width: width, channels: channels, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
              strideHeight: strideHeight, strideWidth: strideWidth,
              paddingTop: paddingHeight, paddingLeft: paddingWidth, paddingBottom: paddingHeight, paddingRight: paddingWidth)
  }

  /// The same stride and padding on both axes.
  public init(height: Int, width: Int, channels: Int, kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int) {
    self.init(height: height, width: width, channels: channels, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
              strideHeight: stride, strideWidth: stride, paddingHeight: padding, paddingWidth: padding)
  }

  /// A 1-D convolution over time, as `torch.nn.Conv1d(kernel_size=kernel, stride=stride,
  /// padding=padding)` with channels last: rows are (1, length, channels), the kernel spans one
  /// row, and nothing is padded or strided along the unit height.
  public init(length: Int, channels: Int, kernel: Int, stride: Int, padding: Int) {
    self.init(height: 1, width: length, channels: channels, kernelHeight: 1, kernelWidth: kernel,
              strideHeight: 1, strideWidth: stride, paddingHeight: 0, paddingWidth: padding)
  }

  /// Reasons this geometry cannot work, empty when it can. A setting that is wrong on one
  /// axis only names that axis; one that is wrong on both reads as for a square geometry.
  public func problems() -> [String] {
    var found: [String] = []
    if height < 1 || width < 1 || channels < 1 { found.append("image shape \(height)x\(width)x\(channels) must be positive") }
    if kernelHeight < 1 || kernelWidth < 1 { found.append("kernel \(kernelHeight)x\(kernelWidth) must be positive") }
    found += Self.axisProblems("stride must be at least 1", strideHeight, strideWidth) { $0 >= 1 }
    if isSymmetric {
      found += Self.axisProblems("padding must be >= 0", paddingTop, paddingLeft) { $0 >= 0 }
    } else if min(paddingTop, paddingLeft, paddingBottom, paddingRight) < 0 {
      found.append("padding must be >= 0, got \(paddingDescription)")
    }
    guard found.isEmpty else { return found }
    // Compared directly rather than through outputHeight: integer division rounds a negative
    // remainder up to 0, so a kernel one row too tall would otherwise seem to fit when strided.
    let paddedHeight = height + paddingTop + paddingBottom, paddedWidth = width + paddingLeft + paddingRight
    let tooTall = paddedHeight < kernelHeight, tooWide = paddedWidth < kernelWidth
    if tooTall || tooWide {
      var message = "a \(kernelHeight)x\(kernelWidth) kernel does not fit a \(height)x\(width) image with padding \(paddingDescription)"
      if !tooWide { message += ": along the height, \(height) + \(paddingTop + paddingBottom) padding is less than \(kernelHeight)" }
      if !tooTall { message += ": along the width, \(width) + \(paddingLeft + paddingRight) padding is less than \(kernelWidth)" }
      found.append(message)
    }
    return found
  }

  /// The padding as a person reads it: "1" when every side is alike, "1x2" per axis, else
  /// "top,left,bottom,right" (ONNX's order).
  public var paddingDescription: String {
    if !isSymmetric { return "\(paddingTop),\(paddingLeft),\(paddingBottom),\(paddingRight)" }
    return paddingTop == paddingLeft ? "\(paddingTop)" : "\(paddingTop)x\(paddingLeft)"
  }

  /// "<rule>, got v" when both axes break `rule` with one value, else one message per broken axis.
  private static func axisProblems(_ rule: String, _ alongHeight: Int, _ alongWidth: Int, isValid: (Int) -> Bool) -> [String] {
    if alongHeight == alongWidth { return isValid(alongHeight) ? [] : ["\(rule), got \(alongHeight)"] }
    var found: [String] = []
    if !isValid(alongHeight) { found.append("\(rule), got \(alongHeight) along the height") }
    if !isValid(alongWidth) { found.append("\(rule), got \(alongWidth) along the width") }
    return found
  }

  /// The kernel columns kx whose input column x = ox * strideWidth + kx - paddingLeft lies
  /// inside the image, as a range: within one kernel row they are neighbours in memory (NHWC),
  /// so each kernel row of a patch is one contiguous run of values.
  @inline(__always)
  func validColumns(_ ox: Int) -> Range<Int> {
    let first = ox * strideWidth - paddingLeft
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
          let x0 = ox * strideWidth - paddingLeft
          for ky in 0..<kernelHeight {
            let y = oy * strideHeight + ky - paddingTop
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
          let x0 = ox * strideWidth - paddingLeft
          for ky in 0..<kernelHeight {
            let y = oy * strideHeight + ky - paddingTop
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
