import Tensor

/// Reconstruct an image of any size with a model whose rows are small images: cut it into
/// overlapping model-sized tiles (`TileAxis`), reconstruct them in batches on a workspace, and
/// put them back, each pixel the weighted mean of the tiles covering it. Buffers are made
/// once, so an inpainting loop reuses them on every iteration.
///
/// Images are height x width x channels values, channels fastest, in the model's data units.
/// A model taking C-channel tiles takes a C-channel image whole; a 1-channel model takes a
/// many-channel image channel by channel (a "plane" each); anything else is refused.
final class ImageTiler {
  let model: InferenceModel
  let workspace: Workspace
  let height: Int, width: Int, channels: Int
  let rows: TileAxis, columns: TileAxis
  /// Channels per tile, and how many planes (channel groups) the image is cut into.
  let tileChannels: Int, planes: Int
  /// Tiles in all, and tiles per reconstruct call.
  let tileCount: Int, batch: Int
  /// Blending weights along each axis of a tile.
  private let rowWeights: [Float], columnWeights: [Float]
  /// A batch of tiles in and out; the weighted sums (height x width x channels); the summed
  /// weights per pixel (height x width).
  private let tilesIn: FloatBuffer, tilesOut: FloatBuffer, sums: FloatBuffer, weightSums: FloatBuffer

  /// `name` is the call's name for messages ("denoise", "inpaint").
  init(_ model: InferenceModel, _ name: String, height: Int, width: Int, channels: Int, workspace: Workspace?) throws {
    guard let shape = model.imageShape else {
      throw InferenceError(.unsupported, "\(name): the model's rows are not images (it stores no height x width x channels shape); denoising and inpainting need an image model")
    }
    guard model.conditionWidth == 0 else {
      throw InferenceError(.unsupported, "\(name): a conditional model needs a condition per tile; use an unconditional image model")
    }
    guard height >= 1, width >= 1, channels >= 1 else {
      throw InferenceError(.invalidArgument, "\(name): an image of \(height)x\(width)x\(channels) is empty; height, width and channels must be at least 1")
    }
    let (pixels, wide) = height.multipliedReportingOverflow(by: width)
    let (values, wider) = pixels.multipliedReportingOverflow(by: channels)
    guard !wide, !wider, values <= Int.max / 8 else {
      throw InferenceError(.overflow, "\(name): an image of \(UInt(bitPattern: height))x\(UInt(bitPattern: width))x\(UInt(bitPattern: channels)) values does not fit in memory")
    }
    guard shape.channels == channels || shape.channels == 1 else {
      throw InferenceError(.invalidArgument, "\(name): the model takes \(shape.height)x\(shape.width)x\(shape.channels) tiles, so it needs images of \(shape.channels) channels (or a 1-channel model, which takes each channel alone); this image has \(channels)\(channels == 1 && shape.channels == 3 ? ": repeat its grey channel three times (RGB)" : "")")
    }
    if let workspace {
      guard workspace.model === model else { throw InferenceError(.workspace, "\(name): the workspace was made for another model") }
    }
    self.model = model
    self.height = height
    self.width = width
    self.channels = channels
    rows = TileAxis(size: height, tile: shape.height)
    columns = TileAxis(size: width, tile: shape.width)
    tileChannels = shape.channels
    planes = channels / shape.channels
    tileCount = planes * rows.starts.count * columns.starts.count
    self.workspace = try workspace ?? model.makeWorkspace(maxRows: min(tileCount, 64))
    batch = min(tileCount, self.workspace.maxRows)
    rowWeights = (0..<shape.height).map(rows.weight)
    columnWeights = (0..<shape.width).map(columns.weight)
    tilesIn = try FloatBuffer(count: batch * model.inputWidth, for: "\(name): a batch of tiles")
    tilesOut = try FloatBuffer(count: batch * model.inputWidth, for: "\(name): a batch of tiles")
    sums = try FloatBuffer(count: values, for: "\(name): the blended image")
    weightSums = try FloatBuffer(count: pixels, for: "\(name): the blending weights")
    sumWeights()
  }

  /// Whether one tile covers the whole image (per plane): its reconstruction is then the
  /// result as it is, with no blending (and no rounding from it).
  var isOneTile: Bool { rows.starts.count == 1 && columns.starts.count == 1 }

  /// The reconstruction of `image` (height x width x channels) into `out` (the same size;
  /// `out` may not be `image`).
  func reconstruct(_ image: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) throws {
    sums.pointer.update(repeating: 0, count: height * width * channels)
    var first = 0
    while first < tileCount {
      let n = min(batch, tileCount - first)
      for t in 0..<n { gather(tile: first + t, from: image, into: tilesIn.pointer + t * model.inputWidth) }
      try model.reconstruct(tilesIn.pointer, rows: n, into: tilesOut.pointer, workspace: workspace)
      for t in 0..<n { scatter(tile: first + t, from: tilesOut.pointer + t * model.inputWidth, into: out) }
      first += n
    }
    guard !isOneTile else { return }
    for p in 0..<height * width {
      let total = weightSums.pointer[p]
      for c in 0..<channels { out[p * channels + c] = sums.pointer[p * channels + c] / total }
    }
  }

  /// Tile `index`'s plane and top-left corner.
  private func place(_ index: Int) -> (plane: Int, top: Int, left: Int) {
    let perPlane = rows.starts.count * columns.starts.count
    let within = index % perPlane
    return (index / perPlane, rows.starts[within / columns.starts.count], columns.starts[within % columns.starts.count])
  }

  /// Copy tile `index` out of the image, repeating edge pixels past the image's edges.
  private func gather(tile index: Int, from image: UnsafePointer<Float>, into tile: UnsafeMutablePointer<Float>) {
    let (plane, top, left) = place(index)
    for i in 0..<rows.tile {
      let y = rows.source(top, i)
      for j in 0..<columns.tile {
        let source = image + (y * width + columns.source(left, j)) * channels + plane * tileChannels
        let target = tile + (i * columns.tile + j) * tileChannels
        for c in 0..<tileChannels { target[c] = source[c] }
      }
    }
  }

  /// Add tile `index`'s reconstruction into the weighted sums (or, for one tile, straight
  /// into `out`), for the pixels inside the image.
  private func scatter(tile index: Int, from tile: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
    let (plane, top, left) = place(index)
    let one = isOneTile
    for i in 0..<min(rows.tile, height - top) {
      for j in 0..<min(columns.tile, width - left) {
        let source = tile + (i * columns.tile + j) * tileChannels
        let offset = ((top + i) * width + left + j) * channels + plane * tileChannels
        if one {
          for c in 0..<tileChannels { out[offset + c] = source[c] }
        } else {
          let weight = rowWeights[i] * columnWeights[j]
          for c in 0..<tileChannels { sums.pointer[offset + c] += weight * source[c] }
        }
      }
    }
  }

  /// Each pixel's total weight over the tiles covering it (the same for every plane).
  private func sumWeights() {
    weightSums.pointer.update(repeating: 0, count: height * width)
    for top in rows.starts {
      for left in columns.starts {
        for i in 0..<min(rows.tile, height - top) {
          for j in 0..<min(columns.tile, width - left) {
            weightSums.pointer[(top + i) * width + left + j] += rowWeights[i] * columnWeights[j]
          }
        }
      }
    }
  }
}
