package ccx.hooks.wire;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSyntaxException;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.StringReader;
import java.util.Map;
import java.util.Optional;

/** The JSON of the HTTP contract: what the relay sends, and how it reads what comes back. */
public final class HookJson {
  private static final JsonFormat.Printer BODY =
      JsonFormat.printer()
          .preservingProtoFieldNames()
          .alwaysPrintFieldsWithNoPresence()
          .omittingInsignificantWhitespace();

  /** Reads an object's members into a map, which refuses a name given twice. */
  private static final TypeAdapter<Map<String, JsonElement>> MEMBERS =
      new Gson().getAdapter(new TypeToken<Map<String, JsonElement>>() {});

  /** The longest work_id the post-hook RPC accepts (an index key of the outbox). */
  public static final int MAX_WORK_ID_LENGTH = 255;

  private HookJson() {}

  /**
   * The body of a hook: proto field names (snake_case), every field present even when empty,
   * numbers as numbers.
   */
  public static String body(MessageOrBuilder request) {
    try {
      return BODY.print(request);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + request.getClass().getSimpleName(), e);
    }
  }

  /**
   * Parses an integrator's answer; it must be a JSON object (RFC 8259, read strictly) that names
   * each field once.
   */
  public static Answer parseAnswer(String body) throws NotJsonException {
    JsonElement element;
    try {
      element = readStrictly(body);
    } catch (JsonParseException e) {
      throw new NotJsonException("answer is not JSON", abbreviate(body));
    }
    if (!element.isJsonObject()) {
      throw new NotJsonException("answer is not a JSON object", abbreviate(body));
    }
    try {
      // A JsonObject keeps the last of two equal names; {"approved": false, "approved": true}
      // is no clear approval (parsers disagree on which one counts), so it is refused.
      MEMBERS.fromJson(body);
    } catch (JsonParseException | IOException e) {
      throw new NotJsonException("answer names a field twice", abbreviate(body));
    }
    return new Answer(element.getAsJsonObject());
  }

  /**
   * Reads one JSON value and nothing after it, strictly (RFC 8259): Gson's lenient default reads
   * {approved: true}, {'approved': true} or a ")]}'" prefix as an approval, and none of them is
   * JSON.
   *
   * @throws JsonParseException saying where the text stopped being JSON
   */
  public static JsonElement readStrictly(String text) {
    try {
      JsonReader reader = new JsonReader(new StringReader(text));
      reader.setStrictness(Strictness.STRICT);
      JsonElement element = JsonParser.parseReader(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new JsonSyntaxException("more after the JSON value at " + reader.getPath());
      }
      return element;
    } catch (IOException | IllegalStateException e) {
      throw new JsonSyntaxException(e.getMessage(), e);
    }
  }

  static String abbreviate(String text) {
    String oneLine = text.replaceAll("\\s+", " ").strip();
    return oneLine.isEmpty()
        ? "(empty body)"
        : oneLine.length() > 80 ? oneLine.substring(0, 80) + "…" : oneLine;
  }

  /**
   * The answer breaks the HTTP contract: {@link #problem()} says how in the relay's words; the
   * message adds the part of the answer that shows it, for the log.
   */
  public static class ContractException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String problem;

    ContractException(String problem) {
      super(problem);
      this.problem = problem;
    }

    /**
     * @param quoted the part of the answer that shows the problem, abbreviated
     */
    ContractException(String problem, String quoted) {
      super(problem + ": " + quoted);
      this.problem = problem;
    }

    /** What is wrong with the answer, without quoting it: e.g. {@code answer is not JSON}. */
    public String problem() {
      return problem;
    }
  }

  /** The answer is not a JSON object. */
  public static final class NotJsonException extends ContractException {
    private static final long serialVersionUID = 1L;

    NotJsonException(String problem, String quoted) {
      super(problem, quoted);
    }
  }

  /**
   * Adds one string field to a JSON object body, after the others: the additive fields the relay
   * puts beside the request it relays.
   */
  public static String withField(String body, String name, String value) {
    JsonObject object = JsonParser.parseString(body).getAsJsonObject();
    object.addProperty(name, value);
    return object.toString();
  }

  /**
   * An integrator's JSON answer. Fields are read by their snake_case or lowerCamel names; unknown
   * fields are ignored.
   */
  public static final class Answer {
    private final JsonObject object;

    Answer(JsonObject object) {
      this.object = object;
    }

    /** True only for a JSON {@code true}: a string "true", 1 or a missing field do not approve. */
    public boolean approved() {
      return field("approved")
          .filter(JsonElement::isJsonPrimitive)
          .map(JsonElement::getAsJsonPrimitive)
          .filter(JsonPrimitive::isBoolean)
          .map(JsonPrimitive::getAsBoolean)
          .orElse(false);
    }

    /**
     * The integrator's work_id ({@code work_id}, {@code workId} or the spec's {@code workID}), or
     * "" when it sent none. Checked here, when it arrives: CCX sends it back on the post-hook, and
     * the post-hook RPC refuses a work_id that is not a string, longer than {@link
     * #MAX_WORK_ID_LENGTH} or holding a NUL; accepted now, it would lose that post-hook later.
     *
     * @throws ContractException when the post-hook RPC would refuse it
     */
    public String workId() throws ContractException {
      JsonElement value = null;
      for (String name : new String[] {"work_id", "workId", "workID"}) {
        JsonElement candidate = object.get(name);
        if (candidate != null && !candidate.isJsonNull()) {
          value = candidate;
          break;
        }
      }
      if (value == null) {
        return "";
      }
      if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
        throw new ContractException("work_id is not a string", abbreviate(value.toString()));
      }
      String workId = value.getAsString();
      if (workId.length() > MAX_WORK_ID_LENGTH) {
        throw new ContractException(
            "work_id is "
                + workId.length()
                + " characters long; CCX's post-hook accepts at most "
                + MAX_WORK_ID_LENGTH);
      }
      if (workId.indexOf('\0') >= 0) {
        throw new ContractException("work_id contains a NUL character");
      }
      return workId;
    }

    /** A string (or number) field, or "" when absent, null or of another type. */
    public String string(String snakeName) {
      return field(snakeName)
          .filter(JsonElement::isJsonPrimitive)
          .map(JsonElement::getAsJsonPrimitive)
          .filter(p -> p.isString() || p.isNumber())
          .map(JsonPrimitive::getAsString)
          .orElse("");
    }

    private Optional<JsonElement> field(String snakeName) {
      JsonElement value = object.get(snakeName);
      if (value == null || value.isJsonNull()) {
        value = object.get(lowerCamel(snakeName));
      }
      return value == null || value.isJsonNull() ? Optional.empty() : Optional.of(value);
    }

    private static String lowerCamel(String snakeName) {
      StringBuilder camel = new StringBuilder(snakeName.length());
      boolean upper = false;
      for (char c : snakeName.toCharArray()) {
        if (c == '_') {
          upper = true;
        } else {
          camel.append(upper ? Character.toUpperCase(c) : c);
          upper = false;
        }
      }
      return camel.toString();
    }
  }
}
