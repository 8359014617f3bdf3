package io.weft.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Json against the ObjectMapper it replaces: the same trees read, the same text written. */
class JsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String EVERY_KIND = "{\"s\":\"a \\\"quoted\\\" \\u00e9 \\n line\","
        + "\"i\":-7,\"l\":9007199254740993,"
        + "\"big\":123456789012345678901234567890,\"d\":1.5e-3,\"t\":true,\"f\":false,\"n\":null,"
        + "\"a\":[1,\"x\",[],{},[{\"deep\":[null]}]],\"o\":{\"PublicIP\":\"192.168.100.1\",\"PublicIPv6\":null}}";

    @Test
    void shouldReadTheTreeTheMapperReads() throws Exception {
        assertThat(Json.read(EVERY_KIND)).isEqualTo(MAPPER.readTree(EVERY_KIND));
        assertThat(Json.read(EVERY_KIND.getBytes(StandardCharsets.UTF_8))).isEqualTo(MAPPER.readTree(EVERY_KIND));
        assertThat(Json.read(" 404 ")).isEqualTo(MAPPER.readTree("404"));
    }

    @Test
    void shouldWriteTheTextTheMapperWrites() throws Exception {
        final JsonNode tree = MAPPER.readTree(EVERY_KIND);
        assertThat(Json.write(tree)).isEqualTo(tree.toString());
        assertThat(Json.read(Json.write(tree))).isEqualTo(tree);
        assertThat(Json.writePretty(tree)).isEqualTo(tree.toPrettyString());
        assertThat(Json.write(Json.object().put("TTL", "30"))).isEqualTo("{\"TTL\":\"30\"}");
    }

    @Test
    void shouldWriteEveryValueKindAsTheMapperDoes() {
        final com.fasterxml.jackson.databind.node.ObjectNode tree = Json.object();
        tree.put("float", 0.1f);
        tree.put("decimal", new java.math.BigDecimal("1.10"));
        tree.put("binary", new byte[] {1, 2, 3});
        tree.put("short", (short)7);
        tree.put("big", java.math.BigInteger.TEN.pow(30));
        assertThat(Json.write(tree)).isEqualTo(tree.toString());
        assertThat(Json.writePretty(tree)).isEqualTo(tree.toPrettyString());
    }

    /** Bytes the parser takes for UTF-32 but that are none: refused as not JSON, not thrown as something else. */
    @Test
    void shouldRefuseBytesThatAreNoTextAsNotJson() {
        final byte[] notUtf32 = {0, 0, 0, 0, (byte)0xff, (byte)0xff, (byte)0xff, (byte)0xff};
        assertThatThrownBy(() -> Json.read(notUtf32)).isInstanceOf(JsonProcessingException.class);
        final byte[] badUtf8 = {'"', (byte)0xc3, '"'};
        assertThatThrownBy(() -> Json.read(badUtf8)).isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void shouldReadNoTextAsTheMapperDoes() throws Exception {
        assertThat(Json.read("").isMissingNode()).isTrue();
        assertThat(Json.read(" \n ")).isEqualTo(MAPPER.readTree(" \n "));
    }

    @Test
    void shouldKeepTheLastValueOfARepeatedName() throws Exception {
        assertThat(Json.read("{\"a\":1,\"a\":2}")).isEqualTo(MAPPER.readTree("{\"a\":1,\"a\":2}"));
        assertThat(Json.read("{\"a\":1,\"a\":2}").get("a").intValue()).isEqualTo(2);
    }

    @Test
    void shouldRefuseWhatIsNotOneJsonValue() {
        // The first three are a value with text after it, which only Json's own check refuses.
        for (final String text : new String[] {"404 page not found", "{\"a\":1} x", "{\"a\":1}{}", "{\"a\":",
            "[1,2", "{'a':1}", "nul"}) {
            assertThatThrownBy(() -> Json.read(text)).as(text).isInstanceOf(JsonProcessingException.class);
        }
    }

    @Test
    void shouldRefuseNestingBeyondTheParsersLimitWithoutOverflowingTheStack() {
        final String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThatThrownBy(() -> Json.read(deep)).isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void shouldWriteAMissingNodeAsNoTextAsTheMapperDoes() {
        assertThat(Json.write(Json.array().path(3))).isEqualTo("").isEqualTo(Json.array().path(3).toString());
    }
}
