package io.weft.registry;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * JSON text to Jackson's trees ({@link JsonNode}) and back through jackson-core's streaming parser and generator, with
 * no {@code ObjectMapper}: the mapper's class makes date formats when it first loads, and with them the JDK's locale
 * data, which cost every start of weftd in etcd mode tens of milliseconds it has no use for (docs/footprint.md). So
 * weftd's own JSON (etcd's API, leases, network configs, the CNI conflist) goes through here, and {@code toString()}
 * on a node, which goes through a mapper, is not used to write it.
 */
public final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {
    }

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    /**
     * The one JSON value {@code text} holds ({@link com.fasterxml.jackson.databind.node.MissingNode} if it holds only
     * white space, as a mapper reads it). Nothing but white space may follow it (as Go's {@code json.Unmarshal}
     * wants, which flanneld reads with): a proxy's "404 page not found" is not the number 404.
     *
     * @throws JsonProcessingException if it is not that
     */
    public static JsonNode read(final String text) throws JsonProcessingException {
        return read(() -> FACTORY.createParser(text));
    }

    /** {@link #read(String)} of UTF-8 bytes (or of what their first bytes say they are, as the parser guesses). */
    public static JsonNode read(final byte[] utf8) throws JsonProcessingException {
        return read(() -> FACTORY.createParser(utf8));
    }

    /** A parser over text in memory. */
    private interface Source {
        JsonParser open() throws IOException;
    }

    private static JsonNode read(final Source source) throws JsonProcessingException {
        try (JsonParser parser = source.open()) {
            return readOne(parser);
        } catch (final JsonProcessingException e) {
            throw e;
        } catch (final IOException e) {
            throw notJson(e);
        }
    }

    /**
     * In memory the parser fails only on what it reads: bytes that are no text in the encoding it took them for
     * (a {@code CharConversionException}) are not JSON either.
     */
    private static JsonProcessingException notJson(final IOException e) {
        return new JsonParseException(null, "not JSON text: " + e.getMessage(), e);
    }

    /** Compact JSON text, as etcd and flanneld write it. */
    public static String write(final JsonNode node) {
        return write(node, false);
    }

    /** JSON text indented as Jackson's default pretty printer does, for files people read. */
    public static String writePretty(final JsonNode node) {
        return write(node, true);
    }

    private static JsonNode readOne(final JsonParser parser) throws IOException {
        final JsonToken first = parser.nextToken();
        if (first == null) {
            // As a mapper reads no text: callers say what they expected instead.
            return NODES.missingNode();
        }
        final JsonNode value = value(parser, first);
        if (parser.nextToken() != null) {
            throw new JsonParseException(parser, "text after the JSON value");
        }
        return value;
    }

    /** The value that begins at {@code token}; the parser's own limits (nesting depth, lengths) bound the recursion. */
    private static JsonNode value(final JsonParser parser, final JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT: {
                final ObjectNode object = NODES.objectNode();
                for (JsonToken next = parser.nextToken(); next != JsonToken.END_OBJECT; next = parser.nextToken()) {
                    final String name = parser.currentName();
                    // A repeated name keeps its last value, as a mapper's tree does.
                    object.set(name, value(parser, parser.nextToken()));
                }
                return object;
            }
            case START_ARRAY: {
                final ArrayNode array = NODES.arrayNode();
                for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
                    array.add(value(parser, next));
                }
                return array;
            }
            case VALUE_STRING:
                return NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT:
                return switch (parser.getNumberType()) {
                    case INT -> NODES.numberNode(parser.getIntValue());
                    case LONG -> NODES.numberNode(parser.getLongValue());
                    default -> NODES.numberNode(parser.getBigIntegerValue());
                };
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(parser.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new JsonParseException(parser, "unexpected " + token);
        }
    }

    private static String write(final JsonNode node, final boolean pretty) {
        if (node.isMissingNode()) {
            // What no text reads as writes as no text, as a mapper writes it.
            return "";
        }
        final StringWriter text = new StringWriter();
        try (JsonGenerator generator = FACTORY.createGenerator(text)) {
            if (pretty) {
                generator.useDefaultPrettyPrinter();
            }
            write(generator, node);
        } catch (final IOException e) {
            throw new UncheckedIOException("writing JSON to a string", e);
        }
        return text.toString();
    }

    private static void write(final JsonGenerator generator, final JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                generator.writeStartObject();
                for (final Map.Entry<String, JsonNode> field : node.properties()) {
                    generator.writeFieldName(field.getKey());
                    write(generator, field.getValue());
                }
                generator.writeEndObject();
            }
            case ARRAY -> {
                generator.writeStartArray();
                for (final JsonNode element : node) {
                    write(generator, element);
                }
                generator.writeEndArray();
            }
            case STRING -> generator.writeString(node.textValue());
            case NUMBER -> {
                switch (node.numberType()) {
                    case INT -> generator.writeNumber(node.intValue());
                    case LONG -> generator.writeNumber(node.longValue());
                    case BIG_INTEGER -> generator.writeNumber(node.bigIntegerValue());
                    case BIG_DECIMAL -> generator.writeNumber(node.decimalValue());
                    case FLOAT -> generator.writeNumber(node.floatValue());
                    default -> generator.writeNumber(node.doubleValue());
                }
            }
            case BOOLEAN -> generator.writeBoolean(node.booleanValue());
            case BINARY -> generator.writeBinary(node.binaryValue());
            case NULL -> generator.writeNull();
            default -> throw new IllegalArgumentException("no JSON text for a " + node.getNodeType() + " node");
        }
    }
}
