/// The toolkit's version, written into every model file.
public enum AutoencoderVersion {
  public static let string = "0.1.0"
}
