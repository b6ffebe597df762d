import Testing
import Training

/// `DetectionMetrics` against scikit-learn's definitions on small inputs worked out by hand:
/// `roc_auc_score` (the share of (anomaly, normal) pairs the anomaly outscores, a tie counting
/// half), `average_precision_score` (the sum over distinct thresholds, from the highest score
/// down, of (R_n - R_{n-1}) P_n, all rows of a tied score entering at one threshold), and the
/// precision and recall of flagging every row whose score is above the threshold.
/// Each expected value below is derived in its comment; scikit-learn 1.9.1 gives the same
/// figures for these inputs (checked once with `average_precision_score`, `roc_auc_score`,
/// `precision_score` and `recall_score`, not at test time).
@Suite struct DetectionMetricsTests {
  /// Descending: 0.8 (anomaly), 0.4 (normal), 0.35 (anomaly), 0.1 (normal).
  /// AP = 1/2·1 + 1/2·2/3 = 5/6. AUROC: 0.8 beats both normal rows, 0.35 beats 0.1: 3/4.
  @Test func distinctScores() throws {
    let m = try #require(DetectionMetrics(scores: [0.1, 0.4, 0.35, 0.8], truth: [0, 0, 1, 1]))
    #expect(abs(m.averagePrecision - 5.0 / 6) < 1e-12, "\(m)")
    #expect(abs(m.auroc - 0.75) < 1e-12, "\(m)")
    #expect(m.rows == 4 && m.anomalies == 2)
    #expect(m.precision == nil && m.recall == nil, "no threshold, no precision or recall")
  }

  /// Descending: 0.9 (anomaly); then 0.5 three times, two anomalies and a normal row, which enter
  /// together; then 0.2 and 0.1 (normal). Thresholds: 0.9 gives R 1/3, P 1; 0.5 gives R 1, P 3/4;
  /// the rest add no recall. AP = 1/3·1 + 2/3·3/4 = 5/6.
  /// AUROC: 0.9 beats all three normal rows (3); each anomaly at 0.5 ties the normal 0.5 (1/2) and
  /// beats 0.2 and 0.1 (2), so 2.5 each: (3 + 5) / 9 = 8/9.
  @Test func tiesBetweenClassesFormOneStep() throws {
    let scores: [Float] = [0.9, 0.5, 0.5, 0.2, 0.5, 0.1], truth = [1, 0, 1, 0, 1, 0]
    let m = try #require(DetectionMetrics(scores: scores, truth: truth))
    #expect(abs(m.averagePrecision - 5.0 / 6) < 1e-12, "\(m)")
    #expect(abs(m.auroc - 8.0 / 9) < 1e-12, "\(m)")

    // Above 0.3: 0.9 and the three 0.5 rows, three of them anomalies: P 3/4, R 1.
    let low = try #require(DetectionMetrics(scores: scores, truth: truth, threshold: 0.3))
    #expect(low.precision == 0.75 && low.recall == 1, "\(low)")
    // Above 0.5 (strictly, as ae labels rows): only 0.9: P 1, R 1/3.
    let tie = try #require(DetectionMetrics(scores: scores, truth: truth, threshold: 0.5))
    #expect(tie.precision == 1 && abs(tie.recall! - 1.0 / 3) < 1e-12, "\(tie)")
    // Below every score: all six rows, three anomalies: P 1/2, R 1.
    let all = try #require(DetectionMetrics(scores: scores, truth: truth, threshold: 0.05))
    #expect(all.precision == 0.5 && all.recall == 1, "\(all)")
    // Above every score: nothing flagged, so no precision (scikit-learn's zero_division case), R 0.
    let none = try #require(DetectionMetrics(scores: scores, truth: truth, threshold: 0.95))
    #expect(none.precision == nil && none.recall == 0, "\(none)")
  }

  /// Every step a tie of one anomaly and one normal row: scores 3, 2, 1 each hold one of each,
  /// 0 holds a normal row. Thresholds 3, 2, 1 give R 1/3, 2/3, 1 at P 1/2 each: AP = 1/2.
  /// AUROC: the anomaly at 3 ties one normal row and beats three (3.5), at 2 loses one, ties one,
  /// beats two (2.5), at 1 loses two, ties one, beats one (1.5): 7.5 / 12 = 0.625.
  @Test func tiesAtEveryStep() throws {
    let m = try #require(DetectionMetrics(scores: [3, 1, 2, 2, 1, 3, 0], truth: [1, 0, 1, 0, 1, 0, 0]))
    #expect(abs(m.averagePrecision - 0.5) < 1e-12, "\(m)")
    #expect(abs(m.auroc - 0.625) < 1e-12, "\(m)")
  }

  /// One score for every row: one threshold at which R is 1 and P the share of anomalies (1/2),
  /// and every pair a tie: AUROC 1/2.
  @Test func allScoresTied() throws {
    let m = try #require(DetectionMetrics(scores: [0.5, 0.5, 0.5, 0.5], truth: [0, 1, 0, 1]))
    #expect(abs(m.averagePrecision - 0.5) < 1e-12 && abs(m.auroc - 0.5) < 1e-12, "\(m)")
  }

  /// The anomalies score lowest: AUROC 0. Descending 0.4, 0.3 (normal) add no recall; 0.2 gives
  /// R 1/2 at P 1/3, 0.1 gives R 1 at P 1/2: AP = 1/6 + 1/4 = 5/12.
  @Test func reversedRanking() throws {
    let m = try #require(DetectionMetrics(scores: [0.1, 0.2, 0.3, 0.4], truth: [1, 1, 0, 0]))
    #expect(abs(m.averagePrecision - 5.0 / 12) < 1e-12, "\(m)")
    #expect(m.auroc == 0, "\(m)")
  }

  /// Perfect separation: AP 1 and AUROC 1, whatever the order of the rows.
  @Test func perfectSeparation() throws {
    let m = try #require(DetectionMetrics(scores: [0.2, 0.9, 0.1, 0.7, 0.3], truth: [0, 1, 0, 1, 0]))
    #expect(m.averagePrecision == 1 && m.auroc == 1, "\(m)")
  }

  /// With one class only there is no AUROC (scikit-learn raises); the metrics are nil.
  @Test func oneClassOnlyGivesNoMetrics() {
    #expect(DetectionMetrics(scores: [0.1, 0.2], truth: [0, 0]) == nil)
    #expect(DetectionMetrics(scores: [0.1, 0.2], truth: [1, 1]) == nil)
  }
}
