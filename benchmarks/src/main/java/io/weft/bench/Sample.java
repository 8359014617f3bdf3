package io.weft.bench;

/** One measured value: what the result file's {@code results} array holds, one object each. */
record Sample(String variant, int round, Metric metric, double value) {
}
