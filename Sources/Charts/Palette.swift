/// Colours for series and classes: matplotlib's "tab10", ten hues people tell apart, also
/// in print; an eleventh class reuses the first colour.
public enum Palette {
  public static let colours = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
  ]

  /// The colour of series or class `index` (any integer).
  public static func colour(_ index: Int) -> String {
    colours[((index % colours.count) + colours.count) % colours.count]
  }
}
