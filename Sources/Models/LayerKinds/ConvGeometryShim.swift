import Layers

// TEMPORARY until Layers' ConvGeometry gains per-axis stride and padding (branch h-layers):
// square settings only; `problems` refuses the rest through the shapes it checks.
extension ConvGeometry {
  init(height: Int, width: Int, channels: Int, kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int,
       paddingHeight: Int, paddingWidth: Int) {
    self.init(height: height, width: width, channels: channels, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
              stride: strideWidth, padding: paddingWidth)
  }
}
