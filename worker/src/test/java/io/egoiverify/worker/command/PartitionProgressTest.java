package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;

class PartitionProgressTest {

    @Test
    void commitsOnlyTheContiguousDonePrefixAndCarriesTheRestAsMetadata() {
        PartitionProgress p = new PartitionProgress(new OffsetAndMetadata(10));
        for (long o = 10; o < 20; o++) {
            p.started(o);
        }
        for (long o = 11; o < 20; o++) {
            p.done(o);
        }
        long commit = p.commitOffset();
        assertThat(commit).isEqualTo(10);
        assertThat(OffsetMetadataCodec.decode(commit, p.metadata(commit))).containsExactly(11L, 12L, 13L, 14L, 15L, 16L,
                17L, 18L, 19L);
        p.committed(new OffsetAndMetadata(commit, p.metadata(commit)));
        p.done(10);
        assertThat(p.commitOffset()).isEqualTo(20);
        assertThat(p.metadata(20)).isEmpty();
    }

    @Test
    void aNewOwnerSkipsWhatThePreviousOwnerCommittedAsDone() {
        String metadata = OffsetMetadataCodec.encode(5, List.of(7L, 9L));
        PartitionProgress p = new PartitionProgress(new OffsetAndMetadata(5, metadata));
        assertThat(p.skipIfDoneBefore(5)).isFalse();
        p.started(5);
        assertThat(p.skipIfDoneBefore(6)).isFalse();
        p.started(6);
        assertThat(p.skipIfDoneBefore(7)).isTrue();
        // not yet fetched offset 9 must survive a commit made before it is seen again
        assertThat(OffsetMetadataCodec.decode(5, p.metadata(5))).containsExactly(7L, 9L);
    }

    @Test
    void aCommitMadeBeforeReadingThePreviousOwnersDoneOffsetsStepsOverThem() {
        // the previous owner committed 100 (in flight) with 101, 102 and 105 done beyond it
        PartitionProgress p = new PartitionProgress(new OffsetAndMetadata(100,
                OffsetMetadataCodec.encode(100, List.of(101L, 102L, 105L))));
        p.started(100);
        p.passed(100);
        p.done(100); // finished before 101 is read (end of the poll batch, or 101 deferred by the in-flight bound)
        long commit = p.commitOffset();
        assertThat(commit).isEqualTo(103);
        String metadata = p.metadata(commit);
        assertThat(OffsetMetadataCodec.decode(commit, metadata)).containsExactly(105L);

        // the partition moves on: its next owner runs neither 101 nor 102 (below the offset) nor 105
        PartitionProgress next = new PartitionProgress(new OffsetAndMetadata(commit, metadata));
        assertThat(next.skipIfDoneBefore(103)).isFalse();
        assertThat(next.skipIfDoneBefore(104)).isFalse();
        assertThat(next.skipIfDoneBefore(105)).isTrue();
    }

    @Test
    void offsetsSteppedOverByACommitAreStillSkippedWhenReadAfterIt() {
        PartitionProgress p = new PartitionProgress(new OffsetAndMetadata(100,
                OffsetMetadataCodec.encode(100, List.of(101L, 102L))));
        p.started(100);
        p.passed(100);
        p.done(100);
        long commit = p.commitOffset();
        p.committed(new OffsetAndMetadata(commit, p.metadata(commit)));

        // the consumer's position is still 101: those records are read now, after the commit passed them
        assertThat(p.skipIfDoneBefore(101)).isTrue();
        p.passed(101);
        assertThat(p.skipIfDoneBefore(102)).isTrue();
        p.passed(102);
        assertThat(p.skipIfDoneBefore(103)).isFalse();
        p.started(103);
        assertThat(p.commitOffset()).isEqualTo(103);
    }

    @Test
    void metadataOfTheWidestSpanFitsTheBrokerLimit() {
        List<Long> everyOther = new java.util.ArrayList<>();
        for (long i = 1; i < OffsetMetadataCodec.MAX_SPAN; i += 2) {
            everyOther.add(i);
        }
        String m = OffsetMetadataCodec.encode(0, everyOther);
        assertThat(m.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
        assertThat(OffsetMetadataCodec.decode(0, m)).hasSize(everyOther.size());
    }

    @Test
    void foreignMetadataIsIgnored() {
        assertThat(OffsetMetadataCodec.decode(3, "something else")).isEmpty();
        assertThat(OffsetMetadataCodec.decode(3, "egv1:!!!")).isEmpty();
    }
}
