/// The toolkit's version, written into every model file; the same as the C library's AE_VERSION.
public enum AutoencoderVersion {
  public static let string = "0.8.0"
}
