import Datasets
import Foundation
import Tensor

/// `--spectrogram out.png`: panels stacked top to bottom, each a picture of frames over time
/// (time left to right): spectrograms in dB (low frequencies at the bottom, 80 dB of range
/// below the loudest bin) and a code trajectory (one band of rows per code value, mid-gray 0).
struct SpectrogramPicture {
  private var panels: [(pixels: [UInt8], width: Int, height: Int)] = []

  /// Magnitudes (frames x bins) as a panel, one column per frame, at most `maxHeight` rows.
  mutating func addSpectrogram(_ magnitudes: [Float], frames: Int, bins: Int, maxHeight: Int = 256) {
    guard frames > 0, bins > 0 else { return }
    let decibels = magnitudes.map { 20 * log10(max($0, 1e-5)) }
    let top = decibels.max() ?? 0
    let height = min(bins, maxHeight)
    var pixels = [UInt8](repeating: 0, count: frames * height)
    for y in 0..<height {
      let bin = (height - 1 - y) * (bins - 1) / max(height - 1, 1)
      for t in 0..<frames {
        let level = (decibels[t * bins + bin] - (top - 80)) / 80
        pixels[y * frames + t] = UInt8(min(max(level, 0), 1) * 255)
      }
    }
    panels.append((pixels, frames, height))
  }

  /// Codes (frames x width) as a panel: `band` rows per code value, +-3 mapped to black...white.
  mutating func addCodes(_ codes: Tensor, band: Int = 6) {
    guard codes.rows > 0, codes.cols > 0 else { return }
    let height = codes.cols * band
    var pixels = [UInt8](repeating: 0, count: codes.rows * height)
    for y in 0..<height {
      for t in 0..<codes.rows {
        let value = (codes.data[t * codes.cols + y / band] + 3) / 6
        pixels[y * codes.rows + t] = UInt8(min(max(value, 0), 1) * 255)
      }
    }
    panels.append((pixels, codes.rows, height))
  }

  /// The panels one above the other, 4 rows of gap, as wide as the widest; a short sound's
  /// frames are widened (each repeated) so the picture is at least 512 pixels wide.
  func write(to path: String) throws {
    let frames = panels.map(\.width).max() ?? 0, gap = 4
    let stretch = max(1, 512 / max(frames, 1)), width = frames * stretch
    let height = panels.reduce(0) { $0 + $1.height + gap } - gap
    var pixels = [UInt8](repeating: 128, count: max(width * height, 0))
    var top = 0
    for panel in panels {
      for y in 0..<panel.height {
        for x in 0..<(panel.width * stretch) { pixels[(top + y) * width + x] = panel.pixels[y * panel.width + x / stretch] }
      }
      top += panel.height + gap
    }
    try ImageGrid.writeGray(pixels, width: width, height: height, to: path)
  }
}
