package io.weft.dataplane.lane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class PollPredictorTest {
    @Test
    void shouldPollAsTheFixedWindowDoesUntilItHasLearned() {
        assertThat(new PollPredictor().shouldPoll()).isTrue();
    }

    @Test
    void shouldLearnToPollForTheReplyAndBlockAfterItInARequestResponseExchange() {
        final PollPredictor predictor = new PollPredictor();
        int pollsAfterRequests = 0;
        int pollsAfterReplies = 0;

        // The idle period after a request is paid (the reply comes at once), the one after the reply is not.
        for (int exchange = 0; exchange < 3 + 160; exchange++) {
            final boolean afterRequest = predictor.shouldPoll();
            predictor.record(true);
            final boolean afterReply = predictor.shouldPoll();
            predictor.record(false);
            if (exchange >= 3) {
                pollsAfterRequests += afterRequest ? 1 : 0;
                pollsAfterReplies += afterReply ? 1 : 0;
            }
        }

        assertThat(pollsAfterRequests).isEqualTo(160);
        assertThat(pollsAfterReplies).as("only the retries").isEqualTo(160 / PollPredictor.RETRY_EVERY);
    }

    @Test
    void shouldStopPollingForASparseOneWayFlowAndTryAgainNowAndThen() {
        final PollPredictor predictor = new PollPredictor();
        for (int i = 0; i < 5; i++) {
            predictor.record(false);
        }
        final List<Boolean> decisions = new ArrayList<>();
        for (int i = 0; i < PollPredictor.RETRY_EVERY; i++) {
            decisions.add(predictor.shouldPoll());
            predictor.record(false);
        }

        assertThat(decisions.subList(0, PollPredictor.RETRY_EVERY - 1)).containsOnly(false);
        assertThat(decisions.get(PollPredictor.RETRY_EVERY - 1)).isTrue();
    }

    @Test
    void shouldPollAgainOnceASparseFlowTurnsDense() {
        final PollPredictor predictor = new PollPredictor();
        for (int i = 0; i < 5; i++) {
            predictor.record(false);
        }
        assertThat(predictor.shouldPoll()).isFalse();

        // One packet close after another: what follows an unpaid period, and then a paid one, now pays.
        predictor.record(true);
        predictor.record(true);
        predictor.record(false);
        predictor.record(true);

        assertThat(predictor.shouldPoll()).isTrue();
        predictor.record(false);
        assertThat(predictor.shouldPoll()).as("after an unpaid period, relearned").isTrue();
    }

    @Test
    void shouldKeepPollingWhileTheNextPacketAlwaysComesWithinTheWindow() {
        final PollPredictor predictor = new PollPredictor();
        for (int i = 0; i < 100; i++) {
            assertThat(predictor.shouldPoll()).isTrue();
            predictor.record(true);
        }
    }
}
