package dev.lockbox.exporter.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

class PartFileTest {
    private static final LocalDate DAY = LocalDate.parse("2026-03-01");

    @Test
    void namesAreZeroPaddedToTwentyDigitsAndParseBack() {
        String name = PartFile.fileName(7, 1_234_567);
        assertThat(name).isEqualTo("part-00000000000000000007-00000000000001234567.parquet");
        PartFile f = PartFile.parse("prod", DAY, new Path("/lake/" + name)).orElseThrow();
        assertThat(f.firstSequence()).isEqualTo(7);
        assertThat(f.lastSequence()).isEqualTo(1_234_567);
        assertThat(f.rowCount()).isEqualTo(1_234_561);
        assertThat(f.displayName()).isEqualTo("sql_audit/environment=prod/event_date=2026-03-01/" + name);
        assertThat(PartFile.fileName(Long.MAX_VALUE, Long.MAX_VALUE)).hasSize(5 + 20 + 1 + 20 + 8);
    }

    @Test
    void otherNamesAreNotPartFiles() {
        for (String name : new String[] {"part-1-2.parquet", "part-00000000000000000002-00000000000000000001.parquet",
                "part-00000000000000000000-00000000000000000001.parquet", "copy.parquet",
                "part-00000000000000000001-00000000000000000002.parquet.inprogress",
                "part-00000000000000000001-99999999999999999999.parquet"}) {
            assertThat(PartFile.parse("prod", DAY, new Path("/lake/" + name))).as(name).isEmpty();
        }
    }

    @Test
    void partitionDirectoriesAreRecognised() {
        assertThat(PartFile.environmentOf("environment=eu-west")).contains("eu-west");
        assertThat(PartFile.environmentOf("environment=")).isEmpty();
        assertThat(PartFile.dateOf("event_date=2026-02-29")).isEmpty();
        assertThat(PartFile.dateOf("event_date=2028-02-29")).contains(LocalDate.parse("2028-02-29"));
    }
}
