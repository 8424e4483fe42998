"""Every statement of the paper about its results, as data: the inventory the claims tables
judge. Each claims row names the ids it judges (`claims.row(..., ids=...)`); a test checks that
every `result` has a row, judged or `not tested` with its reason.

Kinds: `result` (a run can check it), `setting` (how the paper ran it; see the README's
Faithfulness section) and `interpretation` (a mechanism or hypothesis the paper offers that
no run here can test; `why` says why).
"""

from __future__ import annotations

from typing import NamedTuple

RESULT, SETTING, INTERPRETATION = "result", "setting", "interpretation"
BEYOND = "beyond"  # the id of a claims row that tests something of this study's own


class PaperClaim(NamedTuple):
    id: str
    where: str  # section and figure
    quote: str  # the paper's words, shortened
    kind: str = RESULT
    number: str = ""  # the paper's number, where it gives one
    why: str = ""  # for an interpretation: why no run can test it


_c = PaperClaim


CLAIMS = (
    # --- Sec. 3, Fig. 1 -----------------------------------------------------------------
    _c("S3.setting", "Sec. 3", "ANN1(100, 1) on MNIST and Fashion-MNIST, batch size 120",
       SETTING),
    _c("S3.random-modes", "Sec. 3, Fig. 1", "with random query strategy, the results for the "
       "cumulative and incremental training modes are very similar"),
    _c("S3.margin-early", "Sec. 3, Fig. 1a-b", "the margin query strategy initially "
       "outperforms both the random and the entropy query strategies in both of the training "
       "modes"),
    _c("S3.entropy-random", "Sec. 3, Fig. 1a-b", "the entropy query strategy performs "
       "similarly and sometimes even worse than the random strategy at the beginning"),
    _c("S3.cum-beats-inc", "Sec. 3, Fig. 1a-b", "the cumulative training performs better than "
       "the incremental training, in particular when the size of the labeled data is not too "
       "small"),
    _c("S3.crossover", "Sec. 3, Fig. 1a", "for MNIST, the incremental and the cumulative modes "
       "perform similarly up to 10000 images labeled; after that, cumulative mode starts "
       "outperforming", number="10,000 labels"),
    _c("S3.inc-declines", "Sec. 3, Fig. 1a-b", "the networks trained in the incremental mode "
       "experience a decline in test accuracy after a certain number of objects have been "
       "labeled"),
    _c("S3.order-bias", "Sec. 3", "the decline is probably due to the bias induced by the "
       "order of the data processing", INTERPRETATION,
       why="a mechanism: no run here varies the training order apart from the mode"),
    _c("S3.margin-inc-first", "Sec. 3, Fig. 1a-b", "margin query strategy with incremental "
       "training outperforms the alternatives initially"),
    _c("S3.cum-throughout", "Sec. 3, Fig. 1a-b", "the cumulative mode yields better results "
       "throughout the training process, in particular when a large fraction of the data has "
       "been already labeled"),
    _c("S3.matching-networks", "Sec. 3, Fig. 1c-d", "it is always beneficial to have the same "
       "number of epochs and neurons for the selection and evaluation networks"),
    _c("S3.decide-evaluation", "Sec. 3", "the evaluation network should be decided before "
       "selecting data", INTERPRETATION, why="a recommendation drawn from Fig. 1c-d"),
    # --- Sec. 4, Fig. 2 -----------------------------------------------------------------
    _c("S4.setting", "Sec. 4", "cumulative training, batch size 120; ANN1(100, 1) on MNIST "
       "and Fashion-MNIST, CNN1 with 50 epochs on CIFAR-10", SETTING),
    _c("S4.test-higher", "Sec. 4, Fig. 2", "M yields a higher test accuracy [than R] during "
       "the early steps"),
    _c("S4.train-lower", "Sec. 4, Fig. 2", "M yields a lower train accuracy [than R] during "
       "the early steps"),
    _c("S4.margin-higher", "Sec. 4, Fig. 2", "the respective I_B^M is higher during the early "
       "steps, compared to the MOR measure that uses R"),
    _c("S4.test-above-train", "Sec. 4, Fig. 2", "with margin query strategy, we sometimes "
       "obtain a higher test accuracy compared to its training accuracy"),
    _c("S4.hard-examples", "Sec. 4", "the test and train sets are not equally distributed: "
       "margin actively selects difficult objects", INTERPRETATION,
       why="a reading of the test-above-train result; its testable part is the contrast "
           "with R in S4.test-above-train"),
    _c("S4.high-margin-learns", "Sec. 4, Sec. 5", "a high I_B^M yields a good improvement in "
       "the test accuracy"),
    _c("S4.stop-or-acquire", "Sec. 4", "a decreasing I_B^M can be read as a signal to stop "
       "labeling or to acquire more unlabeled data", INTERPRETATION,
       why="a proposed use; notebook 02 tests one form of it (the stopping rule) beyond the "
           "paper"),
    _c("S4.margin-tracks-train", "Sec. 4, Fig. 2", "the correlation between the increase in "
       "train accuracy and the decrease in I_B^M"),
    _c("S4.why-margin-falls", "Sec. 4", "I_B^M falls because the network grows certain, or "
       "because U is depleted of informative objects", INTERPRETATION,
       why="two hypotheses; Sec. 5's splits test the second (S5.*)"),
    _c("S4.cifar-train-falls", "Sec. 4, Fig. 2c", "on CIFAR-10 the training accuracy starts "
       "from a high value and decreases as more data is labeled, independent of the query "
       "strategy"),
    _c("S4.cifar-epochs", "Sec. 4", "possibly due to training the network with 50 epochs",
       INTERPRETATION, why="a mechanism; no run varies CNN1's epochs"),
    _c("S4.cifar-margin-late", "Sec. 4, Fig. 2c", "a slightly better performance in test "
       "accuracy when using M compared to R after around 50% of the data", number="50%"),
    _c("S4.consistent-datasets", "Sec. 4, Fig. 2", "the observations regarding I_B^M are "
       "consistent for all the examined data sets"),
    # --- Sec. 5, Fig. 3 -----------------------------------------------------------------
    _c("S5.setting", "Sec. 5", "d = 2, p = 80%, batch 120, 30,000 per subset; d = 5, p = 90%, "
       "batch 200, 12,000 per subset; margin", SETTING),
    _c("S5.jumps", "Sec. 5, Fig. 3", "drastic increase of I_B^M upon adding every new subset"),
    _c("S5.last-jump", "Sec. 5, Fig. 3c-d", "even with the last subset, where the model is "
       "already trained using 43,200 objects, I_B^M instantly increases from -1 to 0",
       number="43,200 labels; -1 to 0"),
    _c("S5.depletion", "Sec. 5", "the decrease of I_B^M seen in Figure 2 is mainly because the "
       "unlabeled data set does not contain informative objects anymore", INTERPRETATION,
       why="a conclusion from the jumps (S5.jumps), which are tested"),
    _c("S5.accuracy-rises", "Sec. 5, Fig. 3a, 3c", "the increase of the test accuracy as new "
       "subsets are added to U"),
    _c("S5.faster-when-high", "Sec. 5, Fig. 3", "this is in particular more significant when "
       "I_B^M is high: the more informative the data, the faster the increase in accuracy"),
    _c("S5.whole-pool-higher", "Sec. 5, Fig. 3", "the test accuracy when all the data is "
       "available is always higher"),
    _c("S5.zero-phases", "Sec. 5, Fig. 3", "the phase where I_B^M is close to 0 is the longest "
       "when U_1 is added; it becomes shorter for each new subset"),
    # --- Sec. 6, Fig. 4, 5 --------------------------------------------------------------
    _c("S6.setting", "Sec. 6", "an untrained ANN1(100, 1) selects 1000 images, 200 times; "
       "noise images with a fraction alpha black, 100 times; random start 2000 with "
       "cumulative training; bounds with a start of 3000 and ANN1(100, 5)", SETTING),
    _c("S6.random-follows", "Sec. 6, Fig. 4a-c", "the class distribution of the objects "
       "selected by R is consistent with the distribution of the entire data set"),
    _c("S6.class-5", "Sec. 6, Fig. 4a-c", "M and E select objects in a way that class 5 "
       "(Sandals) tends to be over-represented"),
    _c("S6.entropy-more", "Sec. 6, Fig. 4a-c", "this observation is even more obvious when "
       "using E"),
    _c("S6.dark-rises", "Sec. 6, Fig. 4d-f", "I_i^A increases with alpha for M and E"),
    _c("S6.margin-varies", "Sec. 6, Fig. 4d-f", "M shows a relatively large variance compared "
       "to E"),
    _c("S6.sandals-dark", "Sec. 6", "a Sandal is darker than other classes, which explains "
       "the over-representation; the preference comes from the initialisation and the form of "
       "the strategies", INTERPRETATION,
       why="a mechanism; the dark-image test (S6.dark-rises) is its testable part"),
    _c("S6.start-2000", "Sec. 6, Fig. 5a", "a random start of size 2000 for the entropy query "
       "strategy yields a significant performance improvement", number="2000"),
    _c("S6.start-200", "Sec. 6, A.6, Fig. 13", "with a smaller random start size of 200 we do "
       "not observe a significant improvement", number="200"),
    _c("S6.between-bounds", "Sec. 6, Fig. 5b", "the test accuracy of ANN1(100, 5) on MNIST "
       "lies between the heuristic lower and upper bounds, with a random start of 3000"),
    # --- Sec. 7, Fig. 6, 7 --------------------------------------------------------------
    _c("S7.setting", "Sec. 7", "100 thresholds in [-1, 0], k-NN with k = 30, N = 150, "
       "cumulative; p = 500 to 50,000; M or R; ANN1(100, 1) on MNIST", SETTING),
    _c("S7.every-threshold", "Sec. 7, Fig. 6a", "we observe improvement in the test accuracy "
       "with semi-supervised learning for the 100 candidate thresholds"),
    _c("S7.harder-better", "Sec. 7, Fig. 6a", "as the thresholds get harder (closer to -1) we "
       "see an improvement in test accuracy"),
    _c("S7.all-added", "Sec. 7, Fig. 6a", "GPLA against 'All added', the way pseudo-labels are "
       "assigned in Lee (2013)"),
    _c("S7.error-rises", "Sec. 7, Fig. 6b", "an almost (positive) correlation between the "
       "threshold and the fraction of erroneously assigned pseudo-labels (except for xi close "
       "to zero)"),
    _c("S7.error-halves", "Sec. 7, Fig. 6b", "the choice of xi = -0.8 almost halves the number "
       "of errors, compared to xi = 0", number="about 1/2"),
    _c("S7.hardest-optimal", "Sec. 7, Fig. 6", "the optimal threshold is the hardest threshold "
       "that still allows the network to assign pseudo-labels"),
    _c("S7.78-88", "Sec. 7, Fig. 6a", "the test accuracy increases from 78% to 88% with the "
       "hardest xi when 1000 images are labeled", number="0.78 -> 0.88"),
    _c("S7.after-m-and-r", "Sec. 7, Fig. 7", "the semi-supervised test accuracy is higher "
       "regardless of whether we use M or R"),
    _c("S7.relative-small-p", "Sec. 7, Fig. 7", "the relative increase in accuracy is larger "
       "for smaller p's"),
    _c("S7.large-p", "Sec. 7, Fig. 7", "the accuracy for a large p can not be improved much"),
    _c("S7.every-round", "Sec. 7", "GPLA can be applied after every active learning step",
       INTERPRETATION, why="a suggestion; notebook 05 tests it beyond the paper"),
    # --- A.1-A.4 ------------------------------------------------------------------------
    _c("A1.lc-ls", "A.1, Fig. 8", "the performance of LC and LS is similar to the performance "
       "of E in Figure 1"),
    _c("A2.timing", "A.2, Fig. 9", "I_B^M decreases after 20% of all MNIST data has been used, "
       "or at 40% in the Fashion-MNIST case", number="20% (MNIST), 40% (Fashion-MNIST)"),
    _c("A2.inc-earlier", "A.2, Fig. 9", "I_B^M approaches -1 earlier when incremental mode is "
       "used"),
    _c("A2.same-as-decline", "A.2, Fig. 9, 1a-b", "it is also approximately at these "
       "percentages where we see a decrease in test accuracy in the incremental margin case"),
    _c("A2.non-informative", "A.2", "incremental training trains on non-informative data, "
       "which causes the decrease of the test accuracy", INTERPRETATION,
       why="a hypothesis; no run separates informativeness from the training order"),
    _c("A3.consistent", "A.3, Fig. 10", "the results are consistent for different networks of "
       "varying capacities"),
    _c("A3.margin-vs-random", "A.3, Fig. 10", "margin, trained with cumulative training, "
       "performs as good as or better than the random query strategy"),
    _c("A3.margin-vs-entropy", "A.3, Fig. 10", "it consistently outperforms the entropy query "
       "strategy"),
    _c("A3.inc-declines", "A.3, Fig. 10", "a decline of the test accuracy of the networks "
       "trained incrementally, while the cumulative mode's increases as more data is fed"),
    _c("A3.inc-early", "A.3, Fig. 10", "the incremental mode may have an advantage at the early "
       "steps: comparable or even better (with ANN1(10)) than cumulative"),
    _c("A3.small-r-m", "A.3, Fig. 10", "on ANN1(10), the difference between random and margin "
       "is small for cumulative training"),
    _c("A3.small-suffers", "A.3, Fig. 10", "the decline of the test accuracy for a smaller "
       "network is more severe when using incremental training"),
    _c("A3.capacity-why", "A.3", "a network with a smaller capacity is more sensitive to the "
       "bias of the training order", INTERPRETATION, why="a mechanism"),
    _c("A4.setting", "A.4, Fig. 11", "margin, ANN1(100, 1), results averaged over 2 runs",
       SETTING),
    _c("A4.inc-sensitive", "A.4, Fig. 11", "the choice of the batch size can affect the "
       "performance, in particular when incremental training is used"),
    _c("A4.cum-insensitive", "A.4, Fig. 11", "different choices of n_B for cumulative training "
       "yield consistent results"),
    _c("A4.why", "A.4", "the most informative class may change during training; cumulative "
       "training dilutes a one-class batch", INTERPRETATION, why="a mechanism"),
    # --- A.5-A.7 ------------------------------------------------------------------------
    _c("A5.setting", "A.5", "a cumulative ANN1(100, 1) samples 20,000 of 60,000; 50 "
       "repetitions", SETTING),
    _c("A5.qs-highest", "A.5, Fig. 12b, 12d", "the highest test accuracy is given by the QS "
       "sampled subset"),
    _c("A5.mnist-resampled-random", "A.5, Fig. 12b", "the resampled and randomly sampled "
       "subsets yield no significant difference in test accuracy on MNIST"),
    _c("A5.fashion-resampled", "A.5, Fig. 12d", "the resampled subset outperforms the random "
       "sampling on Fashion-MNIST"),
    _c("A5.within-class", "A.5", "the distribution within the classes is the main factor of "
       "the improvement over random sampling", INTERPRETATION,
       why="drawn from the three subsets' accuracies, which are tested"),
    _c("A5.mnist-classes", "A.5, Fig. 12a", "the most abundant classes are 9, 8, 5, 3 and 4 "
       "for MNIST", number="9, 8, 5, 3, 4"),
    _c("A5.fashion-classes", "A.5, Fig. 12c", "the most commonly sampled classes in "
       "Fashion-MNIST are 0, 2, 4 and 6", number="0, 2, 4, 6"),
    _c("A6.200-improves", "A.6, Fig. 13", "although this random start [200] improves the test "
       "accuracy, it is not sufficiently large to yield good performance"),
    _c("A6.better-late", "A.6, Fig. 14", "the upper and lower estimates are better after "
       "training on a large fraction of the unlabeled data"),
    _c("A6.600-noisier", "A.6, Fig. 14", "a random start of size 600 yields a larger variance "
       "compared to a random start of size 3000"),
    _c("A6.large-start-lower", "A.6, Fig. 14", "a too large random start might yield a worse "
       "lower estimate"),
    _c("A6.one-epoch-close", "A.6, Fig. 14a, 14c", "when using one epoch, the upper estimate is "
       "close to the real test accuracy"),
    _c("A6.five-epochs-higher", "A.6, Fig. 14b, 14d", "when using 5 epochs, the upper estimate "
       "is considerably higher"),
    _c("A7.fashion", "A.7, Fig. 15", "on Fashion-MNIST the results demonstrate improvement, "
       "although it is not as significant as on MNIST"),
)

BY_ID = {c.id: c for c in CLAIMS}
assert len(BY_ID) == len(CLAIMS), "duplicate inventory ids"
