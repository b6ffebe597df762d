import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// An SVG document parsed as XML (the parse fails the test when it is not well-formed), with
/// what the tests ask of it: elements by name and class, texts, and every coordinate.
final class SVGInspection: NSObject, XMLParserDelegate {
  struct Element {
    var name: String
    var attributes: [String: String]
    var text = ""
    var classes: [String] { (attributes["class"] ?? "").split(separator: " ").map(String.init) }
  }

  private(set) var elements: [Element] = []
  private var open: [Int] = []
  private(set) var parsed = false

  init(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) {
    super.init()
    let parser = XMLParser(data: Data(svg.utf8))
    parser.delegate = self
    parsed = parser.parse()
    #expect(parsed, "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")", sourceLocation: sourceLocation)
  }

  func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
              attributes: [String: String]) {
    open.append(elements.count)
    elements.append(Element(name: name, attributes: attributes))
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    if let last = open.last { elements[last].text += string }
  }

  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
    open.removeLast()
  }

  /// Elements named `name`, with `className` among their classes when given.
  func all(_ name: String, class className: String? = nil) -> [Element] {
    elements.filter { $0.name == name && (className == nil || $0.classes.contains(className!)) }
  }

  /// The texts of `text` elements of a class.
  func texts(_ className: String) -> [String] { all("text", class: className).map(\.text) }

  var size: (width: Double, height: Double) {
    let root = elements.first?.attributes ?? [:]
    return (Double(root["width"] ?? "") ?? -1, Double(root["height"] ?? "") ?? -1)
  }

  /// Every x and y the drawing places (attributes and path points), as (value, isX) pairs.
  var coordinates: [(Double, Bool)] {
    var result: [(Double, Bool)] = []
    for element in elements.dropFirst() {
      for (key, value) in element.attributes {
        if ["x", "cx", "x1", "x2"].contains(key) { result.append((Double(value) ?? .nan, true)) }
        if ["y", "cy", "y1", "y2"].contains(key) { result.append((Double(value) ?? .nan, false)) }
      }
      if element.name == "path", let d = element.attributes["d"] {
        // "M x y L x y ... Z": numbers alternate x and y.
        let numbers = d.split(whereSeparator: { "MLZ ".contains($0) }).map { Double($0) ?? .nan }
        for (i, number) in numbers.enumerated() { result.append((number, i % 2 == 0)) }
      }
    }
    return result
  }

  /// Every coordinate is a finite number inside the viewBox.
  func expectCoordinatesInside(sourceLocation: SourceLocation = #_sourceLocation) {
    let (width, height) = size
    #expect(width > 0 && height > 0, sourceLocation: sourceLocation)
    let outside = coordinates.filter { !$0.0.isFinite || $0.0 < 0 || $0.0 > ($0.1 ? width : height) }
    #expect(outside.isEmpty, "coordinates outside 0...\(width) x 0...\(height): \(outside.prefix(5))", sourceLocation: sourceLocation)
    #expect(!coordinates.isEmpty, sourceLocation: sourceLocation)
  }
}
