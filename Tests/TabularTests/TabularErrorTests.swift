import Testing
import Tabular

@Test func tabularErrorSaysWhatWentWrong() {
  #expect(TabularError("column 'x' is all missing").description == "column 'x' is all missing")
}
