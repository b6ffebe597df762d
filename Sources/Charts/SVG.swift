import Foundation

/// An SVG document under construction: elements appended in drawing order, text escaped for
/// XML, numbers written with one decimal (a tenth of a pixel is below what anyone sees).
struct SVG {
  let width: Int
  let height: Int
  private(set) var body: [String] = []

  init(width: Int, height: Int) {
    self.width = width
    self.height = height
  }

  /// An element with attributes (values escaped) and, optionally, text content (escaped).
  mutating func element(_ name: String, _ attributes: [(String, String)], text: String? = nil) {
    let attributeText = attributes.map { " \($0.0)=\"\(SVG.escape($0.1))\"" }.joined()
    if let text {
      body.append("<\(name)\(attributeText)>\(SVG.escape(text))</\(name)>")
    } else {
      body.append("<\(name)\(attributeText)/>")
    }
  }

  /// Raw markup (a group's opening or closing tag), written as given.
  mutating func raw(_ markup: String) { body.append(markup) }

  /// The whole document, with a <title> for screen readers and browser tabs.
  func render(title: String) -> String {
    var lines = [
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">",
      "<title>\(SVG.escape(title))</title>",
      "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>",
    ]
    lines += body
    lines.append("</svg>")
    return lines.joined(separator: "\n") + "\n"
  }

  /// Text safe inside XML content and double- or single-quoted attributes.
  static func escape(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for character in text.unicodeScalars {
      switch character {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&apos;"
      // Control characters other than tab and newline are not allowed in XML 1.0 at all.
      case _ where character.value < 0x20 && character != "\t" && character != "\n": result += " "
      default: result.unicodeScalars.append(character)
      }
    }
    return result
  }

  /// A coordinate or length, one decimal, never "nan" or "inf" (those become 0, and callers
  /// keep non-finite values out before they get here).
  static func number(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    let rounded = (value * 10).rounded() / 10
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
  }
}
